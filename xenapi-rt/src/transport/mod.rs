//! Client transports: deliver a request body to a XenAPI server and bring
//! back the reply body.
//!
//! * [`HttpTransport`]: HTTP/1.1 with keep-alive connection reuse, and
//!   HTTPS through rustls when the `tls` feature is on (the default);
//! * [`UnixTransport`]: HTTP/1.1 over a Unix domain socket (how local
//!   tools talk to a server on the same host).
//!
//! Both apply an optional per-call timeout that covers connecting, sending
//! and reading the whole reply, and refuse replies larger than a limit.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};

mod http;
#[cfg(feature = "tls")]
mod tls;
mod unix;

pub use self::http::{HttpOptions, HttpTransport};
#[cfg(feature = "tls")]
pub use self::tls::{ServerTrust, TlsOptions};
pub use self::unix::UnixTransport;

/// Why a request could not be delivered or its reply not received.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The server address could not be understood.
    #[error("invalid server address {url:?}: {reason}")]
    InvalidUrl {
        /// The address as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Connecting, sending or receiving failed.
    #[error("HTTP exchange failed: {0}")]
    Http(String),
    /// An I/O error outside the HTTP machinery (e.g. opening a socket).
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The call did not complete within the configured timeout.
    #[error("no complete reply within {0:?}")]
    Timeout(Duration),
    /// The server answered with a non-2xx status; `body` is the start of
    /// what it sent.
    #[error("server answered HTTP {status}: {body}")]
    Status {
        /// The HTTP status code.
        status: u16,
        /// The beginning of the reply body, lossily decoded.
        body: String,
    },
    /// The reply exceeded the configured maximum size.
    #[error("reply larger than {0} bytes")]
    TooLarge(usize),
    /// TLS could not be configured (bad certificate data, for example).
    #[error("TLS configuration failed: {0}")]
    Tls(String),
}

/// Something that can post a request body to a path on a XenAPI server.
///
/// The content type is chosen from the path: `application/json` for paths
/// ending in `jsonrpc`, `text/xml` otherwise. A non-2xx status is an error
/// ([`TransportError::Status`]).
pub trait Transport: Send + Sync {
    /// Sends `body` with `POST path` and returns the reply body.
    fn post(&self, path: &str, body: Vec<u8>) -> impl Future<Output = Result<Bytes, TransportError>> + Send;
}

impl<T: Transport + ?Sized> Transport for Arc<T> {
    fn post(&self, path: &str, body: Vec<u8>) -> impl Future<Output = Result<Bytes, TransportError>> + Send {
        (**self).post(path, body)
    }
}

impl<T: Transport + ?Sized> Transport for &T {
    fn post(&self, path: &str, body: Vec<u8>) -> impl Future<Output = Result<Bytes, TransportError>> + Send {
        (**self).post(path, body)
    }
}

pub(crate) fn content_type_for(path: &str) -> &'static str {
    if path.trim_end_matches('/').ends_with("jsonrpc") {
        "application/json"
    } else {
        "text/xml"
    }
}

fn clip_body(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(512)]);
    text.into_owned()
}

/// Reads a reply body up to `max` bytes and turns a non-2xx status into
/// an error.
pub(crate) async fn read_reply(
    resp: ::http::Response<hyper::body::Incoming>,
    max: usize,
) -> Result<Bytes, TransportError> {
    let status = resp.status();
    let declared = resp
        .headers()
        .get(::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(TransportError::TooLarge(max));
    }
    let body = Limited::new(resp.into_body(), max)
        .collect()
        .await
        .map_err(|e| {
            if e.is::<http_body_util::LengthLimitError>() {
                TransportError::TooLarge(max)
            } else {
                TransportError::Http(e.to_string())
            }
        })?
        .to_bytes();
    if !status.is_success() {
        return Err(TransportError::Status { status: status.as_u16(), body: clip_body(&body) });
    }
    Ok(body)
}

/// Runs `fut` under an optional timeout.
pub(crate) async fn with_timeout<T>(
    timeout: Option<Duration>,
    fut: impl Future<Output = Result<T, TransportError>>,
) -> Result<T, TransportError> {
    match timeout {
        Some(d) => tokio::time::timeout(d, fut).await.map_err(|_| TransportError::Timeout(d))?,
        None => fut.await,
    }
}

/// Default upper bound on a reply body.
pub const DEFAULT_MAX_REPLY: usize = 512 << 20;
