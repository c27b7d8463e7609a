use std::time::Duration;

use bytes::Bytes;
use http::{header, Method, Request, Uri};
use http_body_util::Full;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use super::{content_type_for, read_reply, with_timeout, Transport, TransportError, DEFAULT_MAX_REPLY};

#[cfg(feature = "tls")]
type Connector = hyper_rustls::HttpsConnector<HttpConnector>;
#[cfg(not(feature = "tls"))]
type Connector = HttpConnector;

/// Settings for an [`HttpTransport`].
#[derive(Clone, Debug)]
pub struct HttpOptions {
    /// Limit on one whole call (connect, send, read the reply); `None`
    /// waits forever, which long-polling calls such as `event.from` may
    /// want.
    pub timeout: Option<Duration>,
    /// Limit on establishing a TCP connection.
    pub connect_timeout: Option<Duration>,
    /// Largest reply body accepted, in bytes.
    pub max_reply_bytes: usize,
    /// How long an idle kept-alive connection stays in the pool.
    pub pool_idle_timeout: Duration,
    /// How `https://` servers are authenticated.
    #[cfg(feature = "tls")]
    pub tls: super::TlsOptions,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            timeout: None,
            connect_timeout: Some(Duration::from_secs(30)),
            max_reply_bytes: DEFAULT_MAX_REPLY,
            pool_idle_timeout: Duration::from_secs(60),
            #[cfg(feature = "tls")]
            tls: super::TlsOptions::default(),
        }
    }
}

/// HTTP/1.1 (and, with the `tls` feature, HTTPS) transport that keeps
/// connections alive and reuses them across calls. Cheap to clone; clones
/// share the connection pool.
#[derive(Clone, Debug)]
pub struct HttpTransport {
    client: Client<Connector, Full<Bytes>>,
    scheme: http::uri::Scheme,
    authority: http::uri::Authority,
    base_path: String,
    timeout: Option<Duration>,
    max_reply: usize,
}

impl HttpTransport {
    /// A transport for the server at `url` (`http://host[:port][/prefix]`
    /// or `https://...`) with default options.
    pub fn new(url: &str) -> Result<Self, TransportError> {
        Self::with_options(url, HttpOptions::default())
    }

    /// A transport for the server at `url` with the given options.
    pub fn with_options(url: &str, options: HttpOptions) -> Result<Self, TransportError> {
        let bad = |reason: &str| TransportError::InvalidUrl { url: url.to_string(), reason: reason.to_string() };
        let uri: Uri = url.parse().map_err(|e: http::uri::InvalidUri| bad(&e.to_string()))?;
        let scheme = uri.scheme().cloned().ok_or_else(|| bad("no scheme"))?;
        let authority = uri.authority().cloned().ok_or_else(|| bad("no host"))?;
        match scheme.as_str() {
            "http" => {}
            "https" if cfg!(feature = "tls") => {}
            "https" => return Err(bad("https needs the `tls` feature of xenapi-rt")),
            _ => return Err(bad("the scheme must be http or https")),
        }
        let base_path = uri.path().trim_end_matches('/').to_string();

        let mut http = HttpConnector::new();
        http.set_nodelay(true);
        http.set_connect_timeout(options.connect_timeout);
        #[cfg(feature = "tls")]
        let connector = {
            http.enforce_http(false);
            let config = options.tls.client_config()?;
            hyper_rustls::HttpsConnectorBuilder::new()
                .with_tls_config(config)
                .https_or_http()
                .enable_http1()
                .wrap_connector(http)
        };
        #[cfg(not(feature = "tls"))]
        let connector = http;

        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(options.pool_idle_timeout)
            .build(connector);
        Ok(HttpTransport {
            client,
            scheme,
            authority,
            base_path,
            timeout: options.timeout,
            max_reply: options.max_reply_bytes,
        })
    }

    fn uri_for(&self, path: &str) -> Result<Uri, TransportError> {
        let full = if path.starts_with('/') {
            format!("{}{}", self.base_path, path)
        } else {
            format!("{}/{}", self.base_path, path)
        };
        Uri::builder()
            .scheme(self.scheme.clone())
            .authority(self.authority.clone())
            .path_and_query(full.as_str())
            .build()
            .map_err(|e| TransportError::InvalidUrl { url: full, reason: e.to_string() })
    }
}

impl Transport for HttpTransport {
    async fn post(&self, path: &str, body: Vec<u8>) -> Result<Bytes, TransportError> {
        let uri = self.uri_for(path)?;
        let request = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header(header::CONTENT_TYPE, content_type_for(path))
            .header(header::CONTENT_LENGTH, body.len())
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| TransportError::Http(e.to_string()))?;
        with_timeout(self.timeout, async {
            let resp = self.client.request(request).await.map_err(|e| {
                use std::error::Error as _;
                let mut msg = e.to_string();
                let mut src = e.source();
                while let Some(s) = src {
                    msg.push_str(": ");
                    msg.push_str(&s.to_string());
                    src = s.source();
                }
                TransportError::Http(msg)
            })?;
            read_reply(resp, self.max_reply).await
        })
        .await
    }
}
