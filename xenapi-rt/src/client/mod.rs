//! The client: a protocol-neutral call builder ([`Client`], [`Call`]) and,
//! on top of it, what generated bindings build their API on: a
//! [`Connection`], a [`Session`] that logs in again when the server forgets
//! it, a [`Task`] for each `Async.` call and [`Events`] polling. The last
//! four are generic over the [`Schema`](crate::Schema) of one API.
//!
//! The call builder alone:
//!
//! ```no_run
//! # #[cfg(feature = "xml-rpc")]
//! # async fn demo() -> Result<(), xenapi_rt::CallError> {
//! use xenapi_rt::{transport::HttpTransport, Client, Protocol};
//! let client = Client::new(HttpTransport::new("http://127.0.0.1/")?, Protocol::XmlRpc);
//! let session: String = client
//!     .call("session.login_with_password")
//!     .param("root").param("secret").param("1.0").param("demo")
//!     .send()
//!     .await?;
//! # Ok(()) }
//! ```

#[cfg(feature = "json-rpc")]
use std::sync::atomic::{AtomicU64, Ordering};

use serde::de::DeserializeOwned;
use serde::Serialize;

mod events;
mod session;
mod task;

pub use events::Events;
pub use session::{Connection, Session};
pub use task::Task;

#[cfg(feature = "json-rpc")]
use crate::jsonrpc;
use crate::transport::Transport;
#[cfg(feature = "xml-rpc")]
use crate::xmlrpc;
use crate::{CallError, Limits, Protocol, WireError};

/// A transport plus the protocol to speak over it.
#[derive(Debug)]
pub struct Client<T> {
    transport: T,
    protocol: Protocol,
    limits: Limits,
    /// JSON-RPC request ids.
    #[cfg(feature = "json-rpc")]
    next_id: AtomicU64,
}

impl<T: Transport> Client<T> {
    /// A client speaking `protocol` over `transport`, with default limits
    /// for decoding replies.
    pub fn new(transport: T, protocol: Protocol) -> Self {
        Client {
            transport,
            protocol,
            limits: Limits::default(),
            #[cfg(feature = "json-rpc")]
            next_id: AtomicU64::new(1),
        }
    }

    /// Replaces the limits applied when decoding replies.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The protocol in use.
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// The underlying transport.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// Starts a call of `method`; add parameters with [`Call::param`] and
    /// run it with [`Call::send`].
    pub fn call(&self, method: &str) -> Call<'_, T> {
        let body = match self.protocol {
            #[cfg(feature = "xml-rpc")]
            Protocol::XmlRpc => Body::Xml(xmlrpc::CallWriter::begin(method)),
            #[cfg(feature = "json-rpc")]
            Protocol::JsonRpc(version) => {
                let id = self.next_id.fetch_add(1, Ordering::Relaxed);
                Body::Json(jsonrpc::CallWriter::begin(method, id, version))
            }
        };
        Call { client: self, body, error: None }
    }
}

#[derive(Debug)]
enum Body {
    #[cfg(feature = "xml-rpc")]
    Xml(xmlrpc::CallWriter),
    #[cfg(feature = "json-rpc")]
    Json(jsonrpc::CallWriter),
}

/// A call being assembled; see [`Client::call`].
#[must_use = "a call does nothing until `send` is awaited"]
#[derive(Debug)]
pub struct Call<'c, T> {
    client: &'c Client<T>,
    body: Body,
    error: Option<WireError>,
}

impl<T: Transport> Call<'_, T> {
    /// Appends a parameter. An encoding error is kept and reported by
    /// [`send`](Call::send) as [`CallError::Encode`].
    pub fn param<P: ?Sized + Serialize>(mut self, value: &P) -> Self {
        if self.error.is_none() {
            let result = match &mut self.body {
                #[cfg(feature = "xml-rpc")]
                Body::Xml(w) => w.param(value).map(drop),
                #[cfg(feature = "json-rpc")]
                Body::Json(w) => w.param(value).map(drop),
            };
            self.error = result.err();
        }
        self
    }

    /// Sends the call and decodes the result as `R`.
    pub async fn send<R: DeserializeOwned>(self) -> Result<R, CallError> {
        if let Some(e) = self.error {
            return Err(CallError::Encode(e));
        }
        let client = self.client;
        let body = match self.body {
            #[cfg(feature = "xml-rpc")]
            Body::Xml(w) => w.finish(),
            #[cfg(feature = "json-rpc")]
            Body::Json(w) => w.finish(),
        };
        let reply = client.transport.post(client.protocol.path(), body).await?;
        match client.protocol {
            #[cfg(feature = "xml-rpc")]
            Protocol::XmlRpc => xmlrpc::decode_response_with_limits(&reply, &client.limits),
            #[cfg(feature = "json-rpc")]
            Protocol::JsonRpc(_) => jsonrpc::decode_response_with_limits(&reply, &client.limits),
        }
    }
}
