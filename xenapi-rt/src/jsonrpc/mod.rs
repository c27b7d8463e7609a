//! XenAPI over JSON-RPC 1.0 and 2.0 (requests posted to `/jsonrpc`).
//!
//! Replies are read by a reader of its own (`read`, `de`, `reply`) that
//! decodes the `result` straight into the caller's type; calls are
//! written, and requests read, with `serde_json`. Ints and floats are JSON numbers,
//! datetimes strings, sets arrays, maps and records objects. JSON has no
//! NaN or infinity, so those travel as the strings `"NaN"`, `"Infinity"`
//! and `"-Infinity"`; annotate float fields with
//! [`types::float`](crate::types::float) (or use
//! [`Float`](crate::types::Float)) to write and read them that way.
//!
//! Reply shapes:
//!
//! * 1.0: `{"result": v, "error": null, "id": i}` or
//!   `{"result": null, "error": [CODE, params...], "id": i}`;
//! * 2.0: `{"jsonrpc": "2.0", "result": v, "id": i}` or
//!   `{"jsonrpc": "2.0", "error": {"code": n, "message": CODE, "data":
//!   [params...]}, "id": i}`.
//!
//! Calls without an id (or with a null one) are refused: XenAPI has no
//! notifications. Replies echo the request's id as the exact text it was
//! sent as, whatever it is (a number too large for a double included).

use std::borrow::Cow;
use std::io::Write as _;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;

use crate::error::{check_utf8, clip};
pub use crate::types::float::{de_float, ser_float};
use crate::{CallError, Limits, WireError};

mod de;
mod read;
mod reply;

/// The JSON-RPC version of a request or reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Version {
    /// JSON-RPC 1.0: no `jsonrpc` member, errors as `[CODE, params...]`.
    V1,
    /// JSON-RPC 2.0: `"jsonrpc": "2.0"`, errors as objects.
    V2,
}

/// The `code` this crate puts in 2.0 error objects for API failures. The
/// API error name itself is in `message`, which is what clients read;
/// the number is from the range JSON-RPC sets aside for servers.
pub const FAILURE_CODE: i64 = -32000;
/// JSON-RPC code for a body that is not JSON.
pub const PARSE_ERROR: i64 = -32700;
/// JSON-RPC code for JSON that is not a valid call.
pub const INVALID_REQUEST: i64 = -32600;
/// JSON-RPC code for an internal server error.
pub const INTERNAL_ERROR: i64 = -32603;

/// Rejects input nested deeper than `max` arrays/objects, in one pass and
/// without recursion (strings are skipped, so brackets inside them do
/// not count).
pub(crate) fn check_depth(bytes: &[u8], max: usize) -> Result<(), WireError> {
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                // Jump through the string: to its closing quote, stepping
                // over escaped characters.
                i += 1;
                loop {
                    match memchr::memchr2(b'"', b'\\', &bytes[i..]) {
                        None => return Ok(()),
                        Some(k) if bytes[i + k] == b'"' => {
                            i += k + 1;
                            break;
                        }
                        Some(k) => {
                            i += k + 2;
                            if i >= bytes.len() {
                                return Ok(());
                            }
                        }
                    }
                }
                continue;
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return Err(WireError::TooDeep(max.saturating_sub(2)));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

fn envelope_depth(limits: &Limits) -> usize {
    limits.max_depth.saturating_add(2)
}

fn write_head(buf: &mut Vec<u8>, method: &str, id: u64, version: Version) {
    buf.push(b'{');
    if version == Version::V2 {
        buf.extend_from_slice(br#""jsonrpc":"2.0","#);
    }
    buf.extend_from_slice(br#""method":"#);
    write_string(buf, method);
    let _ = write!(buf, r#","id":{id},"params":"#);
}

/// Builds a call one parameter at a time.
///
/// ```
/// use xenapi_rt::jsonrpc::{CallWriter, Version};
/// let mut call = CallWriter::begin("VM.get_record", 7, Version::V2);
/// call.param("OpaqueRef:session")?.param("OpaqueRef:vm")?;
/// let body = call.finish();
/// assert!(body.starts_with(br#"{"jsonrpc":"2.0","method":"VM.get_record","id":7"#));
/// # Ok::<(), xenapi_rt::WireError>(())
/// ```
#[derive(Debug, Clone)]
pub struct CallWriter {
    buf: Vec<u8>,
    count: usize,
}

impl CallWriter {
    /// Starts a call of `method` with request id `id`.
    pub fn begin(method: &str, id: u64, version: Version) -> Self {
        let mut buf = Vec::with_capacity(128);
        write_head(&mut buf, method, id, version);
        buf.push(b'[');
        CallWriter { buf, count: 0 }
    }

    /// Appends the next parameter. On error nothing is appended.
    pub fn param<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<&mut Self, WireError> {
        let mark = self.buf.len();
        if self.count > 0 {
            self.buf.push(b',');
        }
        if let Err(e) = serde_json::to_writer(&mut self.buf, value) {
            self.buf.truncate(mark);
            return Err(e.into());
        }
        self.count += 1;
        Ok(self)
    }

    /// Closes the call and returns the request body.
    pub fn finish(mut self) -> Vec<u8> {
        self.buf.extend_from_slice(b"]}");
        self.buf
    }
}

/// A whole call in one go; `params` must serialize as a JSON array (a
/// tuple, slice or `Vec`).
pub fn encode_call<P: ?Sized + Serialize>(
    method: &str,
    params: &P,
    id: u64,
    version: Version,
) -> Result<Vec<u8>, WireError> {
    let mut buf = Vec::with_capacity(128);
    write_head(&mut buf, method, id, version);
    let mark = buf.len();
    serde_json::to_writer(&mut buf, params)?;
    if buf.get(mark) != Some(&b'[') {
        return Err(WireError::Custom("JSON-RPC params must serialize as an array".into()));
    }
    buf.push(b'}');
    Ok(buf)
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow, default)]
    result: Option<&'a RawValue>,
    #[serde(borrow, default)]
    error: Option<&'a RawValue>,
}

/// Decodes a 1.0 or 2.0 reply with the default [`Limits`]: a result goes
/// straight into `T`, an error becomes [`CallError::Failure`] (or
/// [`CallError::Malformed`] when its payload makes no sense).
///
/// Servers built on Python's `json` module write non-finite floats as the
/// bare tokens `NaN`, `Infinity` and `-Infinity`, which are not JSON. A
/// reply that does not parse is read again with such tokens (outside
/// strings) turned into the strings `"NaN"`, `"Infinity"`, `"-Infinity"`,
/// which float fields read as [`types::float`](crate::types::float)
/// describes; any other field given one is still an error.
pub fn decode_response<T: DeserializeOwned>(body: &[u8]) -> Result<T, CallError> {
    decode_response_with_limits(body, &Limits::default())
}

/// [`decode_response`] with explicit limits.
pub fn decode_response_with_limits<T: DeserializeOwned>(body: &[u8], limits: &Limits) -> Result<T, CallError> {
    let text = check_utf8(body)?;
    match reply::decode(text, limits) {
        Some(outcome) => outcome,
        None => decode_thorough(text, limits),
    }
}

/// [`decode_response_with_limits`] done by `serde_json` alone, the way
/// replies were read before the direct reader existed: slower, and the
/// same answer on every input. It is what a reply the direct reader
/// turns down is read with; public (but hidden) so that benches and
/// tests can hold the two side by side.
#[doc(hidden)]
pub fn decode_response_serde_json<T: DeserializeOwned>(body: &[u8], limits: &Limits) -> Result<T, CallError> {
    decode_thorough(check_utf8(body)?, limits)
}

/// Reads a reply with `serde_json`, after checking its depth; for
/// replies the direct reader turns down, this says precisely what is
/// wrong (or accepts the quirks it handles by a second reading).
fn decode_thorough<T: DeserializeOwned>(text: &str, limits: &Limits) -> Result<T, CallError> {
    check_depth(text.as_bytes(), envelope_depth(limits))?;
    match decode_text(text) {
        Err(CallError::Decode(WireError::Json(e))) if e.is_syntax() => match quote_non_finite(text) {
            // If the tokens were not the only trouble, report the reply
            // as it came.
            Some(quoted) => decode_text(&quoted).map_err(|_| CallError::Decode(WireError::Json(e))),
            None => Err(CallError::Decode(WireError::Json(e))),
        },
        other => other,
    }
}

/// The bare tokens Python's `json` writes for non-finite floats.
const NON_FINITE: [&str; 3] = ["NaN", "Infinity", "-Infinity"];

/// `text` with every [`NON_FINITE`] token outside strings put in quotes,
/// or `None` when there is none.
fn quote_non_finite(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = String::new();
    let (mut last, mut i) = (0, 0);
    'scan: while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                // Through the string, stepping over escaped characters.
                i += 1;
                while let Some(&b) = bytes.get(i) {
                    i += if b == b'\\' { 2 } else { 1 };
                    if b == b'"' {
                        break;
                    }
                }
                continue;
            }
            b'N' | b'I' | b'-' => {
                for token in NON_FINITE {
                    if bytes[i..].starts_with(token.as_bytes()) {
                        out.push_str(text.get(last..i)?);
                        out.push('"');
                        out.push_str(token);
                        out.push('"');
                        i += token.len();
                        last = i;
                        continue 'scan;
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    if last == 0 {
        return None;
    }
    out.push_str(text.get(last..)?);
    Some(out)
}

/// [`decode_response_with_limits`] on text whose size and depth passed.
fn decode_text<'de, T: Deserialize<'de>>(text: &'de str) -> Result<T, CallError> {
    // Usually one pass does it: the result is decoded while the envelope
    // is read. If anything goes wrong on the way, the reply is read again
    // in two steps (envelope, then result), which says precisely what.
    if let Some((result, error)) = decode_direct::<T>(text) {
        if let Some(error) = error {
            return Err(failure_from_payload(error.get()));
        }
        if let Some(value) = result {
            return Ok(value);
        }
    }
    let env: Envelope<'de> = serde_json::from_str(text).map_err(WireError::from)?;
    if let Some(error) = env.error {
        return Err(failure_from_payload(error.get()));
    }
    let raw = env.result.map_or("null", RawValue::get);
    Ok(serde_json::from_str(raw).map_err(WireError::from)?)
}

/// Reads a reply in one pass, decoding `result` straight into `T`.
/// Returns the result (if the reply has one) and the error payload (if it
/// is not null), or `None` when anything fails, including a result that
/// is not a `T` (as in a failure reply with a null result).
fn decode_direct<'de, T: Deserialize<'de>>(text: &'de str) -> Option<(Option<T>, Option<&'de RawValue>)> {
    use serde::de::{Error as _, IgnoredAny, MapAccess, Visitor};
    use std::marker::PhantomData;

    enum Key {
        Result,
        Error,
        Other,
    }
    impl<'de> Deserialize<'de> for Key {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Key, D::Error> {
            struct KeyVisitor;
            impl Visitor<'_> for KeyVisitor {
                type Value = Key;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("a member name")
                }
                fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Key, E> {
                    Ok(match v {
                        "result" => Key::Result,
                        "error" => Key::Error,
                        _ => Key::Other,
                    })
                }
            }
            d.deserialize_identifier(KeyVisitor)
        }
    }

    struct Direct<T>(PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for Direct<T> {
        type Value = (Option<T>, Option<&'de RawValue>);
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON-RPC reply object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut result: Option<T> = None;
            let mut error: Option<Option<&'de RawValue>> = None;
            while let Some(key) = map.next_key::<Key>()? {
                match key {
                    Key::Result if result.is_some() => return Err(A::Error::duplicate_field("result")),
                    Key::Result => result = Some(map.next_value()?),
                    Key::Error if error.is_some() => return Err(A::Error::duplicate_field("error")),
                    Key::Error => error = Some(map.next_value()?),
                    Key::Other => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            Ok((result, error.flatten()))
        }
    }

    let mut de = serde_json::Deserializer::from_str(text);
    let value = serde::Deserializer::deserialize_map(&mut de, Direct(PhantomData)).ok()?;
    de.end().ok()?;
    Some(value)
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Turns an `error` member into a [`CallError`]. Any shape is tolerated:
/// a 1.0 array, a 2.0 object, a bare string; non-string parameters are
/// kept as their JSON text and a non-array `data` counts as one parameter.
fn failure_from_payload(raw: &str) -> CallError {
    let malformed = |why: &str| CallError::Malformed(format!("{why}: {}", clip(raw, 200)));
    let value: Value = match serde_json::from_str(raw) {
        Ok(v) => v,
        Err(_) => return malformed("unreadable error"),
    };
    match value {
        Value::Array(items) => {
            let mut items = items.into_iter();
            match items.next() {
                Some(Value::String(code)) => CallError::Failure { code, params: items.map(|v| text_of(&v)).collect() },
                Some(_) => malformed("error code is not a string"),
                None => malformed("empty error list"),
            }
        }
        Value::Object(map) => match map.get("message") {
            Some(Value::String(code)) => {
                let params = match map.get("data") {
                    None | Some(Value::Null) => Vec::new(),
                    Some(Value::Array(a)) => a.iter().map(text_of).collect(),
                    Some(single) => vec![text_of(single)],
                };
                CallError::Failure { code: code.clone(), params }
            }
            _ => malformed("error object without a string message"),
        },
        Value::String(code) => CallError::Failure { code, params: Vec::new() },
        _ => malformed("error of unexpected type"),
    }
}

/// A request as the server sees it.
#[derive(Debug, Clone)]
pub struct ParsedCall<'a> {
    /// The method name.
    pub method: Cow<'a, str>,
    /// 2.0 when the request said `"jsonrpc": "2.0"`, else 1.0.
    pub version: Version,
    /// The request id, verbatim, to echo in the reply.
    pub id: &'a RawValue,
    /// Each parameter's JSON text, to be decoded one at a time.
    pub params: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
struct Request<'a> {
    #[serde(borrow, default)]
    method: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    params: Option<&'a RawValue>,
    #[serde(borrow, default)]
    id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    jsonrpc: Option<&'a RawValue>,
}

/// Parses a call with the default [`Limits`].
///
/// Errors: [`WireError::InvalidRequest`] for JSON that is not a valid
/// call (answer with [`INVALID_REQUEST`]); anything else means the body
/// could not be read at all (answer with [`PARSE_ERROR`]).
pub fn parse_call(body: &[u8]) -> Result<ParsedCall<'_>, WireError> {
    parse_call_with_limits(body, &Limits::default())
}

/// [`parse_call`] with explicit limits.
pub fn parse_call_with_limits<'a>(body: &'a [u8], limits: &Limits) -> Result<ParsedCall<'a>, WireError> {
    let text = check_utf8(body)?;
    check_depth(body, envelope_depth(limits))?;
    let req: Request<'a> = serde_json::from_str(text).map_err(|e| {
        if e.is_syntax() || e.is_eof() {
            WireError::Json(e)
        } else {
            WireError::InvalidRequest(e.to_string())
        }
    })?;
    let invalid = |why: &str| WireError::InvalidRequest(why.to_string());
    let id = req.id.ok_or_else(|| invalid("a call needs a non-null id"))?;
    let version = match req.jsonrpc {
        None => Version::V1,
        Some(v) if v.get() == r#""2.0""# => Version::V2,
        Some(_) => return Err(invalid("unsupported jsonrpc version")),
    };
    let method = req.method.ok_or_else(|| invalid("missing method"))?;
    let params = match req.params {
        None => Vec::new(),
        Some(raw) => {
            serde_json::from_str::<Vec<&'a RawValue>>(raw.get()).map_err(|_| invalid("params must be an array"))?
        }
    };
    Ok(ParsedCall { method, version, id, params })
}

/// Writes a success reply whose result is produced by `write_value`.
pub(crate) fn write_success_with(
    version: Version,
    id: &RawValue,
    write_value: impl FnOnce(&mut Vec<u8>) -> Result<(), WireError>,
) -> Result<Vec<u8>, WireError> {
    let mut out = Vec::with_capacity(crate::limits::reply_capacity());
    out.extend_from_slice(match version {
        Version::V1 => br#"{"result":"#.as_slice(),
        Version::V2 => br#"{"jsonrpc":"2.0","result":"#.as_slice(),
    });
    write_value(&mut out)?;
    if version == Version::V1 {
        out.extend_from_slice(br#","error":null"#);
    }
    out.extend_from_slice(br#","id":"#);
    out.extend_from_slice(id.get().as_bytes());
    out.push(b'}');
    crate::limits::note_reply_len(out.len());
    Ok(out)
}

/// A success reply in `version` echoing `id`.
pub fn encode_success<T: ?Sized + Serialize>(version: Version, id: &RawValue, value: &T) -> Result<Vec<u8>, WireError> {
    write_success_with(version, id, |out| Ok(serde_json::to_writer(out, value)?))
}

/// A failure reply in `version` echoing `id` as its raw text (whatever
/// number, string or structure the request had there); `description` is
/// the error code followed by its parameters.
pub fn encode_failure<S: AsRef<str>>(version: Version, id: &RawValue, description: &[S]) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    match version {
        Version::V1 => {
            out.extend_from_slice(br#"{"result":null,"error":"#);
            write_strings(&mut out, description);
        }
        Version::V2 => {
            let (code, data) = description.split_first().map_or(("", &[][..]), |(c, d)| (c.as_ref(), d));
            let _ = write!(out, r#"{{"jsonrpc":"2.0","error":{{"code":{FAILURE_CODE},"message":"#);
            write_string(&mut out, code);
            out.extend_from_slice(br#","data":"#);
            write_strings(&mut out, data);
            out.push(b'}');
        }
    }
    out.extend_from_slice(br#","id":"#);
    out.extend_from_slice(id.get().as_bytes());
    out.push(b'}');
    out
}

/// Appends `s` as a JSON string.
fn write_string(out: &mut Vec<u8>, s: &str) {
    // Writing a str into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

/// Appends a JSON array of strings.
fn write_strings<S: AsRef<str>>(out: &mut Vec<u8>, items: &[S]) {
    out.push(b'[');
    for (k, item) in items.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        write_string(out, item.as_ref());
    }
    out.push(b']');
}

/// A protocol-level error reply (2.0 shape, `id` null), for requests that
/// could not be parsed far enough to learn their id.
pub fn encode_error(code: i64, message: &str, detail: Option<&str>) -> Vec<u8> {
    let mut error = serde_json::json!({"code": code, "message": message});
    if let Some(d) = detail {
        error["data"] = Value::from(d);
    }
    serde_json::to_vec(&serde_json::json!({"jsonrpc": "2.0", "error": error, "id": null})).unwrap_or_default()
}
