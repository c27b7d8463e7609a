//! A hyper server answering XenAPI calls in both protocols on one port.
//!
//! `POST /` and `POST /RPC2` (where Python's `xmlrpc.client` posts when
//! the URL has no path) are XML-RPC, and `POST /jsonrpc` is JSON-RPC (1.0
//! or 2.0, as the request says); both go to the same [`Handler`], so
//! whatever state it keeps (sessions, objects) is shared between the
//! protocols. A protocol whose cargo feature is off, or that the handler
//! refuses through [`Handler::accepts`], has no endpoint: its path
//! answers 404.
//!
//! In both protocols the runtime answers `system.listMethods` itself
//! (from [`Handler::methods`]), and hands a call under a second name
//! the handler declares ([`Handler::aliases`], such as `event_from`) to
//! it under the wire name the alias stands for (`event.from`).
//!
//! Bad requests are answered, never fatal to the server:
//!
//! * a body larger than [`Limits::max_body`] gets HTTP 413, decided from
//!   `Content-Length` before reading when the client sends one, otherwise
//!   as soon as the limit is crossed; a body that does not arrive within
//!   [`ServerConfig::body_read_timeout`] gets 408;
//! * malformed XML-RPC (empty, truncated, not UTF-8, not well-formed XML,
//!   a DOCTYPE or unknown entity, a character XML does not allow, no
//!   `<params>`, limits exceeded) gets HTTP 200 with the XenAPI failure
//!   `XMLRPC_UNMARSHAL_FAILURE [expected, received]`, `received` saying
//!   briefly what was wrong, in the usual `Status`/`ErrorDescription`
//!   struct that XenAPI clients read;
//! * a JSON-RPC call holding a character XML does not allow (`\u0001`,
//!   `\uFFFF`, ...), which an XML-RPC reply could never show, gets the
//!   failure `INVALID_VALUE [where, why]` (see the `preflight` module);
//! * malformed JSON-RPC gets HTTP 200 with a 2.0 error object, code
//!   [`PARSE_ERROR`](crate::jsonrpc::PARSE_ERROR) or
//!   [`INVALID_REQUEST`](crate::jsonrpc::INVALID_REQUEST) and a null id,
//!   so JSON-RPC clients can read it;
//! * other paths get 404 and other methods 405, unless
//!   [`Handler::http`] answers them (for example xapi's `/blob` handler).
//!
//! Generated servers are built on three more modules: [`store`] (the
//! record trait and the storage derived messages use), [`backend`] (the
//! hooks an implementation provides, and the [`Dispatcher`] that turns a
//! backend into a [`Handler`]) and [`glue`] (the steps of each generated
//! dispatcher arm).

pub mod backend;
mod call;
pub mod glue;
mod http_hook;
mod preflight;
pub mod store;

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{header, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, UnixListener};

pub use backend::{Backend, BoxFuture, Dispatcher, Routes};
pub use call::{IncomingCall, ParamError, Reply};
pub use glue::not_implemented;
pub use http_hook::HttpRequest;
pub use store::{ClassVisitor, HasRecord, Objects, Record, Relation, Store};

#[cfg(feature = "json-rpc")]
use crate::jsonrpc;
#[cfg(feature = "xml-rpc")]
use crate::xmlrpc;
#[cfg(feature = "json-rpc")]
use crate::WireError;
use crate::{Limits, Protocol};

/// The application side of the server: gets each call, returns its reply.
///
/// Generated dispatchers implement this; an implementation may simply be
/// written as `async fn call(&self, call: IncomingCall<'_>) -> Reply`.
pub trait Handler: Send + Sync + 'static {
    /// Handles one call.
    fn call(&self, call: IncomingCall<'_>) -> impl Future<Output = Reply> + Send;

    /// Whether this handler takes calls in `protocol`. A request in a
    /// protocol it refuses is answered 404, as if the endpoint did not
    /// exist. Default: every protocol this crate was built with.
    fn accepts(&self, protocol: Protocol) -> bool {
        let _ = protocol;
        true
    }

    /// Answers an HTTP request that is not an RPC call: any method on a
    /// path other than the RPC endpoints, or a method other than `POST`
    /// on one of them. `None` leaves the answer to the server (404 for an
    /// unknown path, 405 for a wrong method on an RPC endpoint). The body
    /// is read before this is called, under the same size and time
    /// limits as an RPC body. Default: `None` for everything.
    fn http(&self, request: HttpRequest<'_>) -> impl Future<Output = Option<HttpReply>> + Send {
        let _ = request;
        std::future::ready(None)
    }

    /// The wire names this handler answers (`CLASS.message`,
    /// `Async.CLASS.message`), which the server lists in its answer to
    /// `system.listMethods` (with `system.listMethods` itself). Default:
    /// none.
    fn methods(&self) -> &'static [&'static str] {
        &[]
    }

    /// Second names this handler takes for some of its methods, each
    /// with the wire name the handler gets instead: a xapi-like API takes
    /// `CLASS_message` for `CLASS.message` (`event_from` for
    /// `event.from`). Sorted by second name (byte order), as they are
    /// looked up by binary search. They are not listed by
    /// `system.listMethods`. Default: none.
    fn aliases(&self) -> &'static [(&'static str, &'static str)] {
        &[]
    }
}

/// Server settings.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Bounds on request bodies and their decoding.
    pub limits: Limits,
    /// How long a client may take to send request headers.
    pub header_read_timeout: Duration,
    /// How long a client may take to send a request body once its
    /// headers are in; a client that stalls gets `408 Request Timeout`
    /// and the connection is closed, so a trickled body cannot hold a
    /// connection open.
    pub body_read_timeout: Duration,
    /// How long a graceful shutdown waits for in-flight requests before
    /// giving up on them.
    pub shutdown_timeout: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            limits: Limits::default(),
            header_read_timeout: Duration::from_secs(30),
            body_read_timeout: Duration::from_secs(30),
            shutdown_timeout: Duration::from_secs(30),
        }
    }
}

/// A transport-free answer: what the server would send over HTTP.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpReply {
    /// HTTP status code.
    pub status: u16,
    /// `Content-Type` of the body.
    pub content_type: &'static str,
    /// The body.
    pub body: Vec<u8>,
}

impl HttpReply {
    /// A reply with this status, content type and body. A status that is
    /// not a valid HTTP code (outside 100..=999) is sent as 500.
    pub fn new(status: u16, content_type: &'static str, body: Vec<u8>) -> Self {
        HttpReply { status, content_type, body }
    }

    /// A plain-text (UTF-8) reply.
    pub fn text(status: u16, msg: String) -> Self {
        HttpReply::new(status, "text/plain; charset=utf-8", msg.into_bytes())
    }
}

struct Inner<H> {
    handler: H,
    config: ServerConfig,
}

/// Serves a [`Handler`]. Cheap to clone (clones share the handler).
pub struct Server<H> {
    inner: Arc<Inner<H>>,
}

impl<H> Clone for Server<H> {
    fn clone(&self) -> Self {
        Server { inner: self.inner.clone() }
    }
}

enum Route {
    #[cfg(feature = "xml-rpc")]
    Xml,
    #[cfg(feature = "json-rpc")]
    Json,
}

/// The endpoint at `path`; a protocol left out of the build has none.
fn route(path: &str) -> Option<Route> {
    match path {
        #[cfg(feature = "xml-rpc")]
        "/" | "" | "/RPC2" => Some(Route::Xml),
        #[cfg(feature = "json-rpc")]
        "/jsonrpc" | "/jsonrpc/" => Some(Route::Json),
        _ => None,
    }
}

/// Listeners the server can accept connections from.
trait Accept: Send {
    type Io: AsyncRead + AsyncWrite + Unpin + Send + 'static;
    fn accept_io(&self) -> impl Future<Output = io::Result<Self::Io>> + Send;
}

impl Accept for TcpListener {
    type Io = tokio::net::TcpStream;
    async fn accept_io(&self) -> io::Result<Self::Io> {
        let (stream, _) = self.accept().await?;
        let _ = stream.set_nodelay(true);
        Ok(stream)
    }
}

impl Accept for UnixListener {
    type Io = tokio::net::UnixStream;
    async fn accept_io(&self) -> io::Result<Self::Io> {
        Ok(self.accept().await?.0)
    }
}

impl<H: Handler> Server<H> {
    /// A server for `handler` with default settings.
    pub fn new(handler: H) -> Self {
        Self::with_config(handler, ServerConfig::default())
    }

    /// A server for `handler` with the given settings.
    pub fn with_config(handler: H, config: ServerConfig) -> Self {
        Server { inner: Arc::new(Inner { handler, config }) }
    }

    /// The handler.
    pub fn handler(&self) -> &H {
        &self.inner.handler
    }

    /// The settings.
    pub fn config(&self) -> &ServerConfig {
        &self.inner.config
    }

    /// Accepts TCP connections until `shutdown` completes, then stops
    /// accepting, lets in-flight requests finish (up to
    /// [`ServerConfig::shutdown_timeout`]) and returns.
    pub async fn serve(&self, listener: TcpListener, shutdown: impl Future<Output = ()> + Send) -> io::Result<()> {
        self.serve_listener(listener, shutdown).await
    }

    /// [`serve`](Self::serve) on a Unix domain socket.
    pub async fn serve_unix(
        &self,
        listener: UnixListener,
        shutdown: impl Future<Output = ()> + Send,
    ) -> io::Result<()> {
        self.serve_listener(listener, shutdown).await
    }

    async fn serve_listener<L: Accept>(
        &self,
        listener: L,
        shutdown: impl Future<Output = ()> + Send,
    ) -> io::Result<()> {
        let graceful = GracefulShutdown::new();
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                accepted = listener.accept_io() => match accepted {
                    Ok(io) => {
                        let conn = graceful.watch(self.connection(io));
                        tokio::spawn(async move {
                            // A connection error only concerns that client.
                            let _ = conn.await;
                        });
                    }
                    // Out of file descriptors and the like: back off a
                    // little instead of spinning.
                    Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
                },
            }
        }
        drop(listener);
        let _ = tokio::time::timeout(self.inner.config.shutdown_timeout, graceful.shutdown()).await;
        Ok(())
    }

    fn connection<I: AsyncRead + AsyncWrite + Unpin + Send + 'static>(
        &self,
        io: I,
    ) -> http1::Connection<
        TokioIo<I>,
        impl hyper::service::Service<
                Request<Incoming>,
                Response = Response<Full<Bytes>>,
                Error = Infallible,
                Future = impl Send,
            > + Send,
    > {
        let inner = self.inner.clone();
        let service = service_fn(move |req| {
            let server = Server { inner: inner.clone() };
            async move { Ok::<_, Infallible>(server.respond(req).await) }
        });
        http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(self.inner.config.header_read_timeout)
            .keep_alive(true)
            // A client that shuts its side down after the request (as
            // `nc -N` and some HTTP/1.0 clients do) still gets the answer.
            .half_close(true)
            .serve_connection(TokioIo::new(io), service)
    }

    /// Serves HTTP/1.1 on one already-accepted connection (for example a
    /// TLS stream) until the client closes it.
    pub fn serve_connection<I: AsyncRead + AsyncWrite + Unpin + Send + 'static>(
        &self,
        io: I,
    ) -> impl Future<Output = Result<(), hyper::Error>> + Send + 'static {
        self.connection(io)
    }

    async fn respond(&self, req: Request<Incoming>) -> Response<Full<Bytes>> {
        let allow_post = route(req.uri().path()).is_some();
        let reply = self.respond_inner(req).await;
        let mut resp = Response::new(Full::new(Bytes::from(reply.body)));
        *resp.status_mut() = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            // A handler's reply may name a type that is no header value.
            HeaderValue::from_str(reply.content_type).unwrap_or(HeaderValue::from_static("application/octet-stream")),
        );
        if reply.status == 405 && allow_post {
            resp.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
        }
        if reply.status == 408 {
            // The rest of the body may still trickle in: do not read it.
            resp.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        resp
    }

    async fn respond_inner(&self, req: Request<Incoming>) -> HttpReply {
        let (parts, body) = req.into_parts();
        let path = parts.uri.path();
        let rpc = route(path).is_some();
        if rpc && parts.method == Method::POST {
            return match self.read_body(&parts.headers, body).await {
                Ok(body) => self.handle_bytes(path, &body).await,
                Err(refused) => refused,
            };
        }
        let body = match self.read_body(&parts.headers, body).await {
            Ok(body) => body,
            Err(refused) => return refused,
        };
        let request = HttpRequest {
            method: parts.method.as_str(),
            path,
            query: parts.uri.query(),
            headers: &parts.headers,
            body: &body,
        };
        match self.inner.handler.http(request).await {
            Some(reply) => reply,
            None if rpc => HttpReply::text(405, "XenAPI calls must be POSTed\n".into()),
            None => HttpReply::text(404, format!("no XenAPI endpoint at {path}\n")),
        }
    }

    /// Reads a request body within [`Limits::max_body`] (413 beyond it,
    /// decided from `Content-Length` when there is one) and
    /// [`ServerConfig::body_read_timeout`] (408 after it).
    async fn read_body(&self, headers: &http::HeaderMap, body: Incoming) -> Result<Bytes, HttpReply> {
        let max = self.inner.config.limits.max_body;
        let declared =
            headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > max as u64) {
            return Err(too_large(max));
        }
        let wait = self.inner.config.body_read_timeout;
        match tokio::time::timeout(wait, Limited::new(body, max).collect()).await {
            Ok(Ok(collected)) => Ok(collected.to_bytes()),
            Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => Err(too_large(max)),
            Ok(Err(e)) => Err(HttpReply::text(400, format!("could not read the request body: {e}\n"))),
            Err(_) => {
                Err(HttpReply::text(408, format!("the request body did not arrive within {} ms\n", wait.as_millis())))
            }
        }
    }

    /// Answers one request body posted to `path`, exactly as the HTTP
    /// server would but without any networking (the body-size limit is
    /// not applied here).
    pub async fn handle_bytes(&self, path: &str, body: &[u8]) -> HttpReply {
        let limits = self.inner.config.limits;
        let refused = || HttpReply::text(404, format!("no XenAPI endpoint at {path}\n"));
        match route(path) {
            None => refused(),
            #[cfg(feature = "xml-rpc")]
            Some(Route::Xml) if !self.inner.handler.accepts(Protocol::XmlRpc) => refused(),
            #[cfg(feature = "xml-rpc")]
            Some(Route::Xml) => {
                let reply = match xmlrpc::parse_call_with_limits(body, &limits) {
                    Err(e) => unmarshal_failure(&e),
                    Ok(mut parsed) => {
                        parsed.method = preflight::canonical(parsed.method, self.inner.handler.aliases());
                        match preflight::answer(&parsed.method, self.inner.handler.methods()) {
                            Some(reply) => reply,
                            None => self.inner.handler.call(IncomingCall::from_xmlrpc(parsed, limits)).await,
                        }
                    }
                };
                HttpReply::new(200, Protocol::XmlRpc.content_type(), reply.to_xmlrpc())
            }
            #[cfg(feature = "json-rpc")]
            Some(Route::Json) if !self.accepts_json() => refused(),
            #[cfg(feature = "json-rpc")]
            Some(Route::Json) => match jsonrpc::parse_call_with_limits(body, &limits) {
                Err(WireError::InvalidRequest(why)) => HttpReply::new(
                    200,
                    "application/json",
                    jsonrpc::encode_error(jsonrpc::INVALID_REQUEST, "Invalid Request", Some(&why)),
                ),
                Err(e) => HttpReply::new(
                    200,
                    "application/json",
                    jsonrpc::encode_error(jsonrpc::PARSE_ERROR, "Parse error", Some(&e.to_string())),
                ),
                Ok(parsed) if !self.inner.handler.accepts(Protocol::JsonRpc(parsed.version)) => refused(),
                Ok(mut parsed) => {
                    let (version, id) = (parsed.version, parsed.id);
                    parsed.method = preflight::canonical(parsed.method, self.inner.handler.aliases());
                    let early = preflight::refuse_unrepresentable(body, &parsed)
                        .or_else(|| preflight::answer(&parsed.method, self.inner.handler.methods()));
                    let reply = match early {
                        Some(reply) => reply,
                        None => self.inner.handler.call(IncomingCall::from_jsonrpc(parsed, limits)).await,
                    };
                    HttpReply::new(200, "application/json", reply.to_jsonrpc(version, id))
                }
            },
        }
    }
}

impl<H: Handler> Server<H> {
    /// Whether the handler takes JSON-RPC in either version.
    #[cfg(feature = "json-rpc")]
    fn accepts_json(&self) -> bool {
        let h = &self.inner.handler;
        h.accepts(Protocol::JsonRpc(jsonrpc::Version::V1)) || h.accepts(Protocol::JsonRpc(jsonrpc::Version::V2))
    }
}

/// The answer to an XML-RPC body that cannot be read as a call: the
/// XenAPI failure `XMLRPC_UNMARSHAL_FAILURE [expected, received]`, with a
/// short reason as `received`.
#[cfg(feature = "xml-rpc")]
fn unmarshal_failure(e: &crate::WireError) -> Reply {
    let why = crate::error::clip(&e.to_string(), 300);
    Reply::failure(["XMLRPC_UNMARSHAL_FAILURE".to_string(), "an XML-RPC methodCall".to_string(), why])
}

fn too_large(max: usize) -> HttpReply {
    HttpReply::text(413, format!("request body larger than {max} bytes\n"))
}
