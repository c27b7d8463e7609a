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
