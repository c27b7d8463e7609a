//! XenAPI's XML-RPC dialect (requests posted to `/`).
//!
//! * [`Serializer`] / [`to_vec`] write any `Serialize` value as a `<value>`
//!   (ints as decimal `<string>`s, see [`ser`] for the full mapping);
//! * [`Deserializer`] / [`decode_value`] read one `<value>` into any
//!   `Deserialize` type without building a tree first;
//! * with the `xml-rpc` feature, the envelopes of the protocol:
//!   `CallWriter` and `decode_response`, the client's side of a call;
//!   `parse_call`, `encode_success` and `encode_failure`, the server's.
//!
//! The value codec is there even without the feature: the API itself
//! keeps the result of an `Async.` call in `task.result` as an XML-RPC
//! `<value>`, whichever protocol the call travelled in.
//!
//! Replies are always a struct `{Status: "Success", Value: v}` or
//! `{Status: "Failure", ErrorDescription: [code, params...]}`.
//!
//! Documents with a `<!DOCTYPE>` are refused, only the five predefined
//! entities and numeric character references are understood, the input
//! must be UTF-8, and all [`Limits`] apply.

mod de;
#[cfg(feature = "xml-rpc")]
mod envelope;
mod reader;
pub mod ser;

use serde::{Deserialize, Serialize};

pub use de::Deserializer;
#[cfg(feature = "xml-rpc")]
pub(crate) use envelope::write_success_with;
#[cfg(feature = "xml-rpc")]
pub use envelope::{
    decode_response, decode_response_with_limits, encode_failure, encode_success, parse_call, parse_call_with_limits,
    CallWriter, ParsedCall,
};
pub use ser::Serializer;

use crate::{Limits, WireError};

/// Appends `value` to `out` as one `<value>` element.
pub fn to_writer<T: ?Sized + Serialize>(out: &mut Vec<u8>, value: &T) -> Result<(), WireError> {
    let mark = out.len();
    let result = value.serialize(Serializer::new(out));
    if result.is_err() {
        out.truncate(mark);
    }
    result
}

/// `value` as one `<value>` element.
pub fn to_vec<T: ?Sized + Serialize>(value: &T) -> Result<Vec<u8>, WireError> {
    let mut out = Vec::with_capacity(128);
    to_writer(&mut out, value)?;
    Ok(out)
}

/// Decodes a document holding one `<value>` (such as a parameter span
/// from [`parse_call`]) with the default [`Limits`].
pub fn decode_value<'de, T: Deserialize<'de>>(raw: &'de [u8]) -> Result<T, WireError> {
    decode_value_with_limits(raw, &Limits::default())
}

/// [`decode_value`] with explicit limits.
pub fn decode_value_with_limits<'de, T: Deserialize<'de>>(raw: &'de [u8], limits: &Limits) -> Result<T, WireError> {
    let mut de = Deserializer::from_slice_with_limits(raw, limits)?;
    let v = T::deserialize(&mut de)?;
    de.end()?;
    Ok(v)
}
