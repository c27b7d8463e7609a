use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use bytes::Bytes;
use http::{header, Method, Request};
use http_body_util::Full;
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use tokio::net::UnixStream;

use super::{content_type_for, read_reply, with_timeout, Transport, TransportError, DEFAULT_MAX_REPLY};

/// HTTP/1.1 over a Unix domain socket, keeping idle connections for reuse.
#[derive(Debug)]
pub struct UnixTransport {
    path: PathBuf,
    idle: Mutex<Vec<SendRequest<Full<Bytes>>>>,
    timeout: Option<Duration>,
    max_reply: usize,
}

/// Idle connections kept at most.
const MAX_IDLE: usize = 8;

impl UnixTransport {
    /// A transport for the server listening on the socket at `path`.
    pub fn new(path: impl AsRef<Path>) -> Self {
        UnixTransport {
            path: path.as_ref().to_path_buf(),
            idle: Mutex::new(Vec::new()),
            timeout: None,
            max_reply: DEFAULT_MAX_REPLY,
        }
    }

    /// Sets the per-call timeout (`None`: wait forever).
    pub fn with_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the largest reply body accepted.
    pub fn with_max_reply_bytes(mut self, max: usize) -> Self {
        self.max_reply = max;
        self
    }

    fn take_idle(&self) -> Option<SendRequest<Full<Bytes>>> {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        while let Some(sender) = idle.pop() {
            if sender.is_ready() && !sender.is_closed() {
                return Some(sender);
            }
        }
        None
    }

    fn put_idle(&self, sender: SendRequest<Full<Bytes>>) {
        if sender.is_closed() {
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < MAX_IDLE {
            idle.push(sender);
        }
    }

    async fn connect(&self) -> Result<SendRequest<Full<Bytes>>, TransportError> {
        let stream = UnixStream::connect(&self.path).await?;
        let (sender, conn) =
            http1::handshake(TokioIo::new(stream)).await.map_err(|e| TransportError::Http(e.to_string()))?;
        tokio::spawn(async move {
            // The connection ends when the server closes it or the sender
            // is dropped; either way there is nobody left to report to.
            let _ = conn.await;
        });
        Ok(sender)
    }

    fn request(path: &str, body: Bytes) -> Result<Request<Full<Bytes>>, TransportError> {
        Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::HOST, "localhost")
            .header(header::CONTENT_TYPE, content_type_for(path))
            .header(header::CONTENT_LENGTH, body.len())
            .body(Full::new(body))
            .map_err(|e| TransportError::Http(e.to_string()))
    }

    async fn exchange(&self, path: &str, body: Bytes) -> Result<Bytes, TransportError> {
        // A kept connection may have been closed by the server in the
        // meantime; in that case the request is retried once on a fresh one.
        if let Some(mut sender) = self.take_idle() {
            match sender.send_request(Self::request(path, body.clone())?).await {
                Ok(resp) => {
                    let reply = read_reply(resp, self.max_reply).await?;
                    self.put_idle(sender);
                    return Ok(reply);
                }
                // Not sent at all: safe to try again.
                Err(e) if e.is_canceled() => {}
                Err(e) => return Err(TransportError::Http(e.to_string())),
            }
        }
        let mut sender = self.connect().await?;
        let resp =
            sender.send_request(Self::request(path, body)?).await.map_err(|e| TransportError::Http(e.to_string()))?;
        let reply = read_reply(resp, self.max_reply).await?;
        self.put_idle(sender);
        Ok(reply)
    }
}

impl Transport for UnixTransport {
    async fn post(&self, path: &str, body: Vec<u8>) -> Result<Bytes, TransportError> {
        with_timeout(self.timeout, self.exchange(path, Bytes::from(body))).await
    }
}
