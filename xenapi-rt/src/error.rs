//! Error types shared by the codecs and the client.

use std::fmt::Display;

use crate::transport::TransportError;

/// A failure to encode or decode wire data (either protocol).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WireError {
    /// The input is not UTF-8; the field is the offset of the first bad byte.
    #[error("input is not valid UTF-8 (first bad byte at offset {0})")]
    Utf8(usize),
    /// The XML is not well formed.
    #[error("malformed XML near byte {pos}: {msg}")]
    Xml {
        /// Byte offset the XML parser reported.
        pos: u64,
        /// What the parser found wrong.
        msg: String,
    },
    /// The document carries a `<!DOCTYPE ...>`; such documents are refused
    /// outright so that no entity is ever defined or expanded.
    #[error("documents with a DOCTYPE declaration are refused")]
    DocType,
    /// An entity reference other than the five predefined ones or a
    /// character reference.
    #[error("unknown or invalid entity reference &{0};")]
    Entity(String),
    /// The input stopped before the document was complete.
    #[error("input ended early while reading {0}")]
    Truncated(&'static str),
    /// The structure differs from what the protocol prescribes.
    #[error("expected {expected}, found {found}")]
    Unexpected {
        /// What the decoder was looking for.
        expected: &'static str,
        /// What it saw instead.
        found: String,
    },
    /// Nesting goes deeper than [`Limits::max_depth`](crate::Limits::max_depth).
    #[error("nesting exceeds the depth limit of {0}")]
    TooDeep(usize),
    /// More elements than [`Limits::max_elements`](crate::Limits::max_elements).
    #[error("document holds more than {0} elements")]
    TooManyElements(usize),
    /// A text node longer than [`Limits::max_string_len`](crate::Limits::max_string_len).
    #[error("text longer than the limit of {0} bytes")]
    StringTooLong(usize),
    /// A scalar whose text does not parse as its declared or requested type.
    #[error("invalid {kind} value {text:?}")]
    InvalidScalar {
        /// The type that was expected (`int`, `double`, `boolean`, ...).
        kind: &'static str,
        /// The offending text.
        text: String,
    },
    /// A JSON-RPC request that is valid JSON but not a valid call.
    #[error("invalid JSON-RPC request: {0}")]
    InvalidRequest(String),
    /// An error reported by `serde_json`.
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// A message produced by a `Serialize` or `Deserialize` implementation.
    #[error("{0}")]
    Custom(String),
}

impl serde::de::Error for WireError {
    fn custom<T: Display>(msg: T) -> Self {
        WireError::Custom(msg.to_string())
    }
}

impl serde::ser::Error for WireError {
    fn custom<T: Display>(msg: T) -> Self {
        WireError::Custom(msg.to_string())
    }
}

/// Why a remote call did not produce a result.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CallError {
    /// The server answered with an API error: `code` is the error name
    /// (for example `SESSION_INVALID`) and `params` its parameters.
    #[error("API failure {code}{}", fmt_params(params))]
    Failure {
        /// The error code, e.g. `HANDLE_INVALID`.
        code: String,
        /// The error's parameters, in order.
        params: Vec<String>,
    },
    /// An XML-RPC `<fault>` (XenAPI servers report errors as data, so this
    /// usually comes from something in between).
    #[error("XML-RPC fault {code}: {message}")]
    Fault {
        /// `faultCode`.
        code: i64,
        /// `faultString`.
        message: String,
    },
    /// The server signalled an error but its payload could not be
    /// understood; the field describes what was received.
    #[error("malformed error reply: {0}")]
    Malformed(String),
    /// The request could not be delivered or the reply not received.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// A parameter could not be encoded.
    #[error("could not encode the call: {0}")]
    Encode(WireError),
    /// The reply could not be decoded into the expected type.
    #[error("could not decode the reply: {0}")]
    Decode(#[from] WireError),
    /// The reply decoded but breaks the protocol (e.g. no `Status`).
    #[error("protocol violation: {0}")]
    Protocol(String),
}

fn fmt_params(params: &[String]) -> String {
    if params.is_empty() {
        String::new()
    } else {
        format!(" {params:?}")
    }
}

impl CallError {
    /// The API error code, if this is a [`CallError::Failure`].
    pub fn code(&self) -> Option<&str> {
        match self {
            CallError::Failure { code, .. } => Some(code),
            _ => None,
        }
    }

    /// Builds a [`CallError::Failure`] from an error description list
    /// (code first, then parameters). An empty list is malformed.
    pub fn from_description(mut desc: Vec<String>) -> CallError {
        if desc.is_empty() {
            return CallError::Malformed("empty error description".into());
        }
        let code = desc.remove(0);
        CallError::Failure { code, params: desc }
    }
}

/// `text` cut to at most `max` bytes on a character boundary, with `...`
/// when something was cut: for quoting untrusted input in a message.
pub(crate) fn clip(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}

/// Checks that `input` is UTF-8, reporting the offset of the first bad byte.
/// Every reply and request body passes through here whole, so the check
/// uses `simdutf8` (vector instructions, chosen at run time), which gives
/// the same answer and offset as the standard library's.
pub(crate) fn check_utf8(input: &[u8]) -> Result<&str, WireError> {
    simdutf8::compat::from_utf8(input).map_err(|e| WireError::Utf8(e.valid_up_to()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_utf8_agrees_with_the_standard_library_on_every_offset() {
        // Text longer than a vector step, with a bad sequence at each place.
        let good = "plain ascii, then é and € and 😀; ".repeat(6);
        let bad: [&[u8]; 5] = [b"\xff", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\xf0\x9f\x98"];
        assert_eq!(check_utf8(good.as_bytes()).ok(), Some(good.as_str()));
        for at in (0..good.len()).filter(|&i| good.is_char_boundary(i)) {
            for seq in bad {
                let mut bytes = good.as_bytes()[..at].to_vec();
                bytes.extend_from_slice(seq);
                bytes.extend_from_slice(&good.as_bytes()[at..]);
                let want = std::str::from_utf8(&bytes).map_err(|e| e.valid_up_to());
                match check_utf8(&bytes) {
                    Err(WireError::Utf8(offset)) => assert_eq!(Err(offset), want.map(|_| ()), "{seq:?} at {at}"),
                    other => panic!("{seq:?} at {at}: {other:?}"),
                }
            }
        }
    }
}
