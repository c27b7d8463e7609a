//! The fast way through a reply: one pass over the bytes with
//! [`Reader`], the `result` member decoded straight into the caller's
//! type.
//!
//! It handles replies that are well formed: a success, or a failure
//! whose reply reads cleanly. Anything else (bad JSON, a result that is
//! not a `T`, duplicate members, nesting beyond the limits, a bare
//! `NaN` in a failure reply) makes [`decode`] answer `None`, and the
//! caller reads the reply again the slow, thorough way, which produces
//! the precise error. Both ways accept the same replies and give the
//! same values; this one only gets there sooner.

use serde::Deserialize;

use super::read::Reader;
use super::{envelope_depth, failure_from_payload};
use crate::{CallError, Limits};

/// serde_json refuses nesting at 128 levels; staying below keeps this
/// reader from accepting what the thorough one would refuse.
const SERDE_JSON_DEPTH: usize = 127;

/// Decodes a reply whose text is `text`, or `None` when it should be read
/// by the thorough decoder instead.
pub(crate) fn decode<'de, T: Deserialize<'de>>(text: &'de str, limits: &Limits) -> Option<Result<T, CallError>> {
    let mut r = Reader::new(text, envelope_depth(limits).min(SERDE_JSON_DEPTH));
    if r.peek() != Some(b'{') {
        return None;
    }
    r.open().ok()?;
    let mut result: Option<T> = None;
    let mut error: Option<&'de str> = None;
    let mut error_seen = false;
    let mut first = true;
    loop {
        match r.peek()? {
            b'}' => break,
            b',' if !first => r.bump(),
            _ if first => {}
            _ => return None,
        }
        first = false;
        if r.peek()? != b'"' {
            return None;
        }
        let key = match r.string().ok()?.as_str() {
            "result" => Member::Result,
            "error" => Member::Error,
            _ => Member::Other,
        };
        r.expect(b':', "`:`").ok()?;
        match key {
            Member::Result if result.is_some() => return None,
            Member::Result => result = Some(T::deserialize(&mut r).ok()?),
            Member::Error if error_seen => return None,
            Member::Error => {
                error_seen = true;
                if r.peek()? == b'n' && r.literal(b"null").is_ok() {
                    continue;
                }
                let start = r.pos();
                r.skip().ok()?;
                error = Some(text.get(start..r.pos())?);
            }
            Member::Other => r.skip().ok()?,
        }
    }
    r.close(b'}').ok()?;
    if !r.at_end() {
        return None;
    }
    if let Some(raw) = error {
        // A bare `NaN` makes the thorough reader quote it and retry,
        // which reports failure replies in its own way.
        if r.saw_non_finite {
            return None;
        }
        return Some(Err(failure_from_payload(raw)));
    }
    // Without a result member, the thorough reader decodes `null`.
    result.map(Ok)
}

enum Member {
    Result,
    Error,
    Other,
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::decode;
    use crate::{CallError, Limits};

    fn direct<T: serde::de::DeserializeOwned>(body: &str) -> Option<Result<T, CallError>> {
        decode(body, &Limits::default())
    }

    /// The replies servers send are read here, not handed to the slow
    /// path.
    #[test]
    fn well_formed_replies_are_read_directly() {
        let v: Vec<String> = direct(r#"{"result":["a","b\"c"],"error":null,"id":1}"#).unwrap().unwrap();
        assert_eq!(v, ["a", "b\"c"]);
        let v: BTreeMap<String, i64> =
            direct(" {\"jsonrpc\": \"2.0\",\n \"id\": \"x\", \"result\": {\"k\": -3}} ").unwrap().unwrap();
        assert_eq!(v["k"], -3);
        // Escaped member names, bare non-finite floats.
        let v: Vec<crate::types::Float> =
            direct(r#"{"res\u0075lt":[NaN,Infinity,-Infinity,1.5],"id":1}"#).unwrap().unwrap();
        assert!(v[0].0.is_nan() && v[1].0 == f64::INFINITY && v[2].0 == f64::NEG_INFINITY && v[3].0 == 1.5);
        // Failures in both shapes, whatever comes first.
        let e = direct::<String>(r#"{"error":["HANDLE_INVALID","VM","x"],"result":"ignored","id":1}"#);
        assert!(
            matches!(e, Some(Err(CallError::Failure { ref code, ref params })) if code == "HANDLE_INVALID" && params == &["VM", "x"])
        );
        let e = direct::<Option<String>>(
            r#"{"jsonrpc":"2.0","error":{"code":-32000,"message":"SESSION_INVALID","data":["s"]},"id":1}"#,
        );
        assert!(matches!(e, Some(Err(CallError::Failure { ref code, .. })) if code == "SESSION_INVALID"));
    }

    /// What the slow path must read (to accept a quirk, or to say
    /// precisely what is wrong) is handed over.
    #[test]
    fn other_replies_are_handed_over() {
        for body in [
            r#"{"result":1,"result":2}"#,
            r#"{"result":1} x"#,
            r#"{"result":1,}"#,
            r#"[1]"#,
            r#"{"error":["X",NaN],"id":1}"#,
            r#"{NaN:1,"result":1}"#,
            r#"{"result":"\ud800"}"#,
            r#"{"id":1}"#,
            r#"{"result":null,"error":["X"]}"#,
        ] {
            assert!(direct::<i64>(body).is_none(), "{body}");
        }
        let deep = format!(r#"{{"result":{}1{}}}"#, "[".repeat(100), "]".repeat(100));
        assert!(direct::<serde_json::Value>(&deep).is_none());
    }
}
