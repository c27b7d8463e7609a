//! What a [`Handler`](super::Handler) receives and returns.

use std::borrow::Cow;

use serde::de::DeserializeOwned;
use serde::Serialize;
#[cfg(feature = "json-rpc")]
use serde_json::value::RawValue;

#[cfg(feature = "json-rpc")]
use crate::jsonrpc;
use crate::types::Void;
#[cfg(feature = "xml-rpc")]
use crate::xmlrpc;
use crate::{Limits, Protocol, WireError};

/// One incoming call: its method name and its still-encoded parameters.
///
/// Parameters are decoded one at a time with [`param`](Self::param), so a
/// dispatcher can report exactly which one has the wrong type.
#[derive(Debug)]
pub struct IncomingCall<'a> {
    method: Cow<'a, str>,
    protocol: Protocol,
    params: Params<'a>,
    /// Bounds for decoding XML-RPC parameters (JSON ones are bounded by
    /// `serde_json`'s own recursion limit).
    #[cfg_attr(not(feature = "xml-rpc"), allow(dead_code))]
    limits: Limits,
}

#[derive(Debug)]
enum Params<'a> {
    #[cfg(feature = "xml-rpc")]
    Xml(Vec<&'a [u8]>),
    #[cfg(feature = "json-rpc")]
    Json(Vec<&'a RawValue>),
}

/// A parameter that is absent or does not decode as the requested type.
#[derive(Debug, thiserror::Error)]
pub enum ParamError {
    /// The call has fewer parameters than `index + 1`.
    #[error("parameter {index} is missing (the call has {count})")]
    Missing {
        /// Zero-based position asked for.
        index: usize,
        /// How many parameters the call has.
        count: usize,
    },
    /// The parameter is there but is not of the requested type.
    #[error("parameter {index} cannot be read: {source}")]
    Invalid {
        /// Zero-based position of the parameter.
        index: usize,
        /// The decoding error.
        #[source]
        source: WireError,
    },
}

impl ParamError {
    /// Zero-based position of the offending parameter.
    pub fn index(&self) -> usize {
        match self {
            ParamError::Missing { index, .. } | ParamError::Invalid { index, .. } => *index,
        }
    }
}

impl<'a> IncomingCall<'a> {
    /// Wraps a parsed XML-RPC request.
    #[cfg(feature = "xml-rpc")]
    pub fn from_xmlrpc(call: xmlrpc::ParsedCall<'a>, limits: Limits) -> Self {
        IncomingCall { method: call.method, protocol: Protocol::XmlRpc, params: Params::Xml(call.params), limits }
    }

    /// Wraps a parsed JSON-RPC request.
    #[cfg(feature = "json-rpc")]
    pub fn from_jsonrpc(call: jsonrpc::ParsedCall<'a>, limits: Limits) -> Self {
        IncomingCall {
            method: call.method,
            protocol: Protocol::JsonRpc(call.version),
            params: Params::Json(call.params),
            limits,
        }
    }

    /// The method name, e.g. `VM.get_record`.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The protocol the call arrived in.
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// How many parameters the call has.
    pub fn param_count(&self) -> usize {
        match &self.params {
            #[cfg(feature = "xml-rpc")]
            Params::Xml(p) => p.len(),
            #[cfg(feature = "json-rpc")]
            Params::Json(p) => p.len(),
        }
    }

    /// Decodes parameter `index` (zero-based) as `T`.
    pub fn param<T: DeserializeOwned>(&self, index: usize) -> Result<T, ParamError> {
        let count = self.param_count();
        let missing = ParamError::Missing { index, count };
        let result = match &self.params {
            #[cfg(feature = "xml-rpc")]
            Params::Xml(p) => {
                let raw = p.get(index).ok_or(missing)?;
                xmlrpc::decode_value_with_limits(raw, &self.limits)
            }
            #[cfg(feature = "json-rpc")]
            Params::Json(p) => {
                let raw = p.get(index).ok_or(missing)?;
                serde_json::from_str(raw.get()).map_err(WireError::from)
            }
        };
        result.map_err(|source| ParamError::Invalid { index, source })
    }

    /// The encoded text of parameter `index`: a `<value>` element for
    /// XML-RPC, JSON text for JSON-RPC.
    pub fn raw_param(&self, index: usize) -> Option<&'a [u8]> {
        match &self.params {
            #[cfg(feature = "xml-rpc")]
            Params::Xml(p) => p.get(index).copied(),
            #[cfg(feature = "json-rpc")]
            Params::Json(p) => p.get(index).map(|r| r.get().as_bytes()),
        }
    }
}

/// Encodes a success value in either protocol without knowing its type.
trait EncodeValue: Send {
    #[cfg(feature = "xml-rpc")]
    fn write_xml(&self, out: &mut Vec<u8>) -> Result<(), WireError>;
    #[cfg(feature = "json-rpc")]
    fn write_json(&self, out: &mut Vec<u8>) -> Result<(), WireError>;
}

struct Typed<T>(T);

impl<T: Serialize + Send> EncodeValue for Typed<T> {
    #[cfg(feature = "xml-rpc")]
    fn write_xml(&self, out: &mut Vec<u8>) -> Result<(), WireError> {
        xmlrpc::to_writer(out, &self.0)
    }
    #[cfg(feature = "json-rpc")]
    fn write_json(&self, out: &mut Vec<u8>) -> Result<(), WireError> {
        Ok(serde_json::to_writer(out, &self.0)?)
    }
}

/// A handler's answer: a value to send back, or an API failure.
pub struct Reply(ReplyKind);

enum ReplyKind {
    Success(Box<dyn EncodeValue>),
    Failure(Vec<String>),
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            ReplyKind::Success(_) => f.write_str("Reply::Success(..)"),
            ReplyKind::Failure(d) => f.debug_tuple("Reply::Failure").field(d).finish(),
        }
    }
}

impl Reply {
    /// A successful result; it is encoded straight into the reply body in
    /// whichever protocol the call used.
    pub fn success<T: Serialize + Send + 'static>(value: T) -> Reply {
        Reply(ReplyKind::Success(Box::new(Typed(value))))
    }

    /// The result of a message that returns nothing (the empty string).
    pub fn void() -> Reply {
        Reply::success(Void)
    }

    /// An API failure: the error code followed by its parameters, e.g.
    /// `["HANDLE_INVALID", "VM", "OpaqueRef:..."]`.
    pub fn failure<I, S>(description: I) -> Reply
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Reply(ReplyKind::Failure(description.into_iter().map(Into::into).collect()))
    }

    /// The failure description, if this is a failure.
    pub fn failure_description(&self) -> Option<&[String]> {
        match &self.0 {
            ReplyKind::Failure(d) => Some(d),
            ReplyKind::Success(_) => None,
        }
    }

    /// Whether this is a success.
    pub fn is_success(&self) -> bool {
        matches!(self.0, ReplyKind::Success(_))
    }

    fn internal_error(e: &WireError) -> Vec<String> {
        vec!["INTERNAL_ERROR".into(), format!("the result could not be encoded: {e}")]
    }

    /// The XML-RPC reply body. A value that cannot be encoded turns into
    /// an `INTERNAL_ERROR` failure.
    #[cfg(feature = "xml-rpc")]
    pub fn to_xmlrpc(&self) -> Vec<u8> {
        match &self.0 {
            ReplyKind::Success(v) => xmlrpc::write_success_with(|out| v.write_xml(out))
                .unwrap_or_else(|e| xmlrpc::encode_failure(&Self::internal_error(&e))),
            ReplyKind::Failure(d) => xmlrpc::encode_failure(d),
        }
    }

    /// The JSON-RPC reply body in `version`, echoing `id`.
    #[cfg(feature = "json-rpc")]
    pub fn to_jsonrpc(&self, version: jsonrpc::Version, id: &RawValue) -> Vec<u8> {
        match &self.0 {
            ReplyKind::Success(v) => jsonrpc::write_success_with(version, id, |out| v.write_json(out))
                .unwrap_or_else(|e| jsonrpc::encode_failure(version, id, &Self::internal_error(&e))),
            ReplyKind::Failure(d) => jsonrpc::encode_failure(version, id, d),
        }
    }
}
