//! The envelopes of XML-RPC: `<methodCall>` and `<methodResponse>`.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::de::{read_head, Head, ValueDe};
use super::reader::{unexpected, Tag, Tok, XmlReader};
use super::{decode_value_with_limits, ser, Serializer};
use crate::{CallError, Limits, WireError};

/// Builds a `<methodCall>` one parameter at a time.
///
/// ```
/// let mut call = xenapi_rt::xmlrpc::CallWriter::begin("VM.get_record");
/// call.param("OpaqueRef:session")?.param("OpaqueRef:vm")?;
/// let body: Vec<u8> = call.finish();
/// # Ok::<(), xenapi_rt::WireError>(())
/// ```
#[derive(Debug, Clone)]
pub struct CallWriter {
    buf: Vec<u8>,
}

impl CallWriter {
    /// Starts a call of `method`.
    pub fn begin(method: &str) -> Self {
        let mut buf = Vec::with_capacity(256);
        buf.extend_from_slice(b"<?xml version=\"1.0\"?><methodCall><methodName>");
        ser::escape_into(&mut buf, method);
        buf.extend_from_slice(b"</methodName><params>");
        CallWriter { buf }
    }

    /// Appends the next parameter. On error nothing is appended.
    pub fn param<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<&mut Self, WireError> {
        let mark = self.buf.len();
        self.buf.extend_from_slice(b"<param>");
        if let Err(e) = value.serialize(Serializer::new(&mut self.buf)) {
            self.buf.truncate(mark);
            return Err(e);
        }
        self.buf.extend_from_slice(b"</param>");
        Ok(self)
    }

    /// Closes the call and returns the request body.
    pub fn finish(mut self) -> Vec<u8> {
        self.buf.extend_from_slice(b"</params></methodCall>\n");
        self.buf
    }
}

const RESPONSE_HEAD: &[u8] = b"<?xml version=\"1.0\"?><methodResponse><params><param><value><struct>";
const RESPONSE_TAIL: &[u8] = b"</struct></value></param></params></methodResponse>\n";

/// Writes a success reply whose `Value` is produced by `write_value`
/// (which must append exactly one `<value>`).
pub(crate) fn write_success_with(
    write_value: impl FnOnce(&mut Vec<u8>) -> Result<(), WireError>,
) -> Result<Vec<u8>, WireError> {
    let mut out = Vec::with_capacity(crate::limits::reply_capacity());
    out.extend_from_slice(RESPONSE_HEAD);
    out.extend_from_slice(b"<member><name>Status</name><value>Success</value></member><member><name>Value</name>");
    write_value(&mut out)?;
    out.extend_from_slice(b"</member>");
    out.extend_from_slice(RESPONSE_TAIL);
    crate::limits::note_reply_len(out.len());
    Ok(out)
}

/// A success reply carrying `value`.
pub fn encode_success<T: ?Sized + Serialize>(value: &T) -> Result<Vec<u8>, WireError> {
    write_success_with(|out| value.serialize(Serializer::new(out)))
}

/// A failure reply; `description` is the error code followed by its
/// parameters.
pub fn encode_failure<S: AsRef<str>>(description: &[S]) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(RESPONSE_HEAD);
    out.extend_from_slice(
        b"<member><name>Status</name><value>Failure</value></member>\
          <member><name>ErrorDescription</name><value><array><data>",
    );
    for item in description {
        out.extend_from_slice(b"<value>");
        ser::escape_into(&mut out, item.as_ref());
        out.extend_from_slice(b"</value>");
    }
    out.extend_from_slice(b"</data></array></value></member>");
    out.extend_from_slice(RESPONSE_TAIL);
    out
}

/// Decodes a reply with the default [`Limits`]: the `Value` of a success
/// goes straight into `T`; a failure becomes [`CallError::Failure`].
pub fn decode_response<'de, T: Deserialize<'de>>(body: &'de [u8]) -> Result<T, CallError> {
    decode_response_with_limits(body, &Limits::default())
}

#[derive(Deserialize)]
struct FaultBody {
    #[serde(rename = "faultCode", default)]
    code: i64,
    #[serde(rename = "faultString", default)]
    message: String,
}

/// [`decode_response`] with explicit limits.
///
/// The members of the reply struct may come in any order. When `Status`
/// precedes `Value` and says `Failure`, the value is skipped unread.
pub fn decode_response_with_limits<'de, T: Deserialize<'de>>(body: &'de [u8], limits: &Limits) -> Result<T, CallError> {
    let mut r = XmlReader::new(body, limits, 1)?;
    r.expect_start(Tag::MethodResponse)?;
    match r.next_significant()? {
        Tok::Start(Tag::Params) => {}
        Tok::Start(Tag::Fault) => {
            r.expect_start(Tag::Value)?;
            let fault = FaultBody::deserialize(ValueDe::new(&mut r))?;
            r.expect_end(Tag::Fault)?;
            r.expect_end(Tag::MethodResponse)?;
            r.expect_eof()?;
            return Err(CallError::Fault { code: fault.code, message: fault.message });
        }
        other => return Err(unexpected("<params> or <fault>", &other).into()),
    }
    r.expect_start(Tag::Param)?;
    r.expect_start(Tag::Value)?;
    if !matches!(read_head(&mut r)?, Head::Struct) {
        return Err(CallError::Protocol("the reply value is not a struct".into()));
    }
    let mut status: Option<String> = None;
    let mut value: Option<T> = None;
    let mut description: Option<Vec<String>> = None;
    loop {
        match r.next_significant()? {
            Tok::Start(Tag::Member) => {}
            Tok::End(Tag::Struct) => break,
            other => return Err(unexpected("<member> or </struct>", &other).into()),
        }
        r.expect_start(Tag::Name)?;
        let name = r.text_until_end(Tag::Name)?;
        r.expect_start(Tag::Value)?;
        match name.as_ref() {
            "Status" => status = Some(String::deserialize(ValueDe::new(&mut r))?),
            "Value" if status.as_deref() != Some("Failure") => value = Some(T::deserialize(ValueDe::new(&mut r))?),
            "ErrorDescription" => {
                let d = Vec::<String>::deserialize(ValueDe::new(&mut r))
                    .map_err(|e| CallError::Malformed(format!("unreadable ErrorDescription: {e}")))?;
                description = Some(d);
            }
            _ => r.skip_element()?,
        }
        r.expect_end(Tag::Member)?;
    }
    r.expect_end(Tag::Value)?;
    r.expect_end(Tag::Param)?;
    r.expect_end(Tag::Params)?;
    r.expect_end(Tag::MethodResponse)?;
    r.expect_eof()?;
    match status.as_deref() {
        Some("Success") => match value {
            Some(v) => Ok(v),
            // A success without a value is read as the empty string, which
            // is what a void result looks like.
            None => Ok(decode_value_with_limits(b"<value></value>", limits)?),
        },
        Some("Failure") => Err(match description {
            Some(d) => CallError::from_description(d),
            None => CallError::Malformed("Failure reply without ErrorDescription".into()),
        }),
        Some(other) => Err(CallError::Protocol(format!("unknown Status {other:?}"))),
        None => Err(CallError::Protocol("the reply has no Status member".into())),
    }
}

/// A request as the server sees it: the method name and the raw bytes of
/// each parameter's `<value>` element, to be decoded one at a time with
/// [`decode_value`].
#[derive(Debug, Clone)]
pub struct ParsedCall<'a> {
    /// The method name, whitespace-trimmed.
    pub method: Cow<'a, str>,
    /// The span of each `<param>`'s `<value>...</value>`, in order.
    pub params: Vec<&'a [u8]>,
}

/// Parses a `<methodCall>` with the default [`Limits`].
pub fn parse_call(body: &[u8]) -> Result<ParsedCall<'_>, WireError> {
    parse_call_with_limits(body, &Limits::default())
}

/// [`parse_call`] with explicit limits. Every parameter is checked for
/// well-formedness (and the limits) but not decoded.
pub fn parse_call_with_limits<'a>(body: &'a [u8], limits: &Limits) -> Result<ParsedCall<'a>, WireError> {
    let mut r = XmlReader::new(body, limits, 0)?;
    r.expect_start(Tag::MethodCall)?;
    r.expect_start(Tag::MethodName)?;
    let method = match r.text_until_end(Tag::MethodName)? {
        Cow::Borrowed(s) => Cow::Borrowed(s.trim()),
        Cow::Owned(s) => Cow::Owned(s.trim().to_string()),
    };
    r.expect_start(Tag::Params)?;
    let mut params = Vec::new();
    loop {
        match r.next_significant()? {
            Tok::Start(Tag::Param) => {
                r.expect_start(Tag::Value)?;
                let (start, _) = r.last_span();
                r.skip_element()?;
                let (_, end) = r.last_span();
                params.push(&body[start..end]);
                r.expect_end(Tag::Param)?;
            }
            Tok::End(Tag::Params) => break,
            other => return Err(unexpected("<param> or </params>", &other)),
        }
    }
    r.expect_end(Tag::MethodCall)?;
    r.expect_eof()?;
    Ok(ParsedCall { method, params })
}
