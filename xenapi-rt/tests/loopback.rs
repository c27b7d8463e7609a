//! The server and the client transports talking to each other over real
//! sockets on this machine.

mod common;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use xenapi_rt::jsonrpc::Version;
use xenapi_rt::server::{Handler, IncomingCall, Reply, Server, ServerConfig};
use xenapi_rt::transport::{HttpOptions, HttpTransport, UnixTransport};
use xenapi_rt::types::Void;
use xenapi_rt::{CallError, Client, Limits, Protocol, Transport, TransportError};

/// A toy XenAPI: sessions, one VM record, and a few oddities.
#[derive(Default)]
struct TestApi {
    sessions: Mutex<HashSet<String>>,
    next: AtomicUsize,
}

impl TestApi {
    fn check_session(&self, call: &IncomingCall<'_>) -> Result<(), Reply> {
        let s: String = call.param(0).map_err(|e| Reply::failure(["FIELD_TYPE_ERROR", &format!("session: {e}")]))?;
        if self.sessions.lock().unwrap().contains(&s) {
            Ok(())
        } else {
            Err(Reply::failure(["SESSION_INVALID".to_string(), s]))
        }
    }
}

impl Handler for TestApi {
    async fn call(&self, call: IncomingCall<'_>) -> Reply {
        let method = call.method();
        if method != "session.login_with_password" && method != "echo" {
            if let Err(reply) = self.check_session(&call) {
                return reply;
            }
        }
        match method {
            "session.login_with_password" => {
                if call.param_count() != 4 {
                    return Reply::failure([
                        "MESSAGE_PARAMETER_COUNT_MISMATCH".to_string(),
                        method.to_string(),
                        "4".into(),
                        call.param_count().to_string(),
                    ]);
                }
                let user: String = match call.param(0) {
                    Ok(u) => u,
                    Err(e) => return Reply::failure(["FIELD_TYPE_ERROR", &e.to_string()]),
                };
                if user != "root" {
                    return Reply::failure(["SESSION_AUTHENTICATION_FAILED", &user, "wrong user"]);
                }
                let s = format!("OpaqueRef:session-{}", self.next.fetch_add(1, Ordering::Relaxed));
                self.sessions.lock().unwrap().insert(s.clone());
                Reply::success(s)
            }
            "session.logout" => {
                let s: String = call.param(0).unwrap();
                self.sessions.lock().unwrap().remove(&s);
                Reply::void()
            }
            "VM.get_record" => match call.param::<Ref>(1) {
                Ok(vm) => {
                    let mut rec = sample_vm();
                    rec.affinity = vm;
                    Reply::success(rec)
                }
                Err(e) => Reply::failure(["FIELD_TYPE_ERROR", &e.to_string()]),
            },
            "VM.create" => match call.param::<VmRecord>(1) {
                Ok(rec) => Reply::success(Ref(format!("OpaqueRef:{}", rec.name_label))),
                Err(e) => Reply::failure(["FIELD_TYPE_ERROR".to_string(), format!("param {}", e.index())]),
            },
            "echo" => match call.param::<VmRecord>(0) {
                Ok(rec) => Reply::success(rec),
                Err(e) => Reply::failure(["FIELD_TYPE_ERROR", &e.to_string()]),
            },
            "slow" => {
                tokio::time::sleep(Duration::from_millis(300)).await;
                Reply::success("done")
            }
            other => Reply::failure(["MESSAGE_METHOD_UNKNOWN", other]),
        }
    }
}

struct Running {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Running {
    async fn shutdown(mut self) {
        let _ = self.stop.take().unwrap().send(());
        tokio::time::timeout(Duration::from_secs(10), self.task).await.expect("server stopped").unwrap().unwrap();
    }
}

async fn start(config: ServerConfig) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = Server::with_config(TestApi::default(), config);
    let task = tokio::spawn(async move {
        server
            .serve(listener, async {
                let _ = stopped.await;
            })
            .await
    });
    Running { addr, stop: Some(stop), task }
}

fn http(addr: SocketAddr) -> HttpTransport {
    HttpTransport::with_options(
        &format!("http://{addr}/"),
        HttpOptions { timeout: Some(Duration::from_secs(10)), ..HttpOptions::default() },
    )
    .unwrap()
}

const PROTOCOLS: [Protocol; 3] = [Protocol::XmlRpc, Protocol::JsonRpc(Version::V1), Protocol::JsonRpc(Version::V2)];

async fn login<T: Transport>(c: &Client<T>) -> String {
    c.call("session.login_with_password").param("root").param("pw").param("1.0").param("test").send().await.unwrap()
}

async fn exercise<T: Transport>(c: &Client<T>) {
    let session = login(c).await;
    let rec: VmRecord =
        c.call("VM.get_record").param(&session).param(&Ref("OpaqueRef:vm1".into())).send().await.unwrap();
    let mut want = sample_vm();
    want.affinity = Ref("OpaqueRef:vm1".into());
    assert_vm_eq(&rec, &want);

    let echoed: VmRecord = c.call("echo").param(&sample_vm()).send().await.unwrap();
    assert_vm_eq(&echoed, &sample_vm());

    let created: Ref = c.call("VM.create").param(&session).param(&sample_vm()).send().await.unwrap();
    assert_eq!(created.0, format!("OpaqueRef:{}", sample_vm().name_label));

    // A parameter of the wrong shape is reported for that parameter.
    let err = c.call("VM.create").param(&session).param("not a record").send::<Ref>().await.unwrap_err();
    assert!(
        matches!(&err, CallError::Failure { code, params } if code == "FIELD_TYPE_ERROR" && params == &["param 1"]),
        "{err:?}"
    );

    let err = c
        .call("session.login_with_password")
        .param("guest")
        .param("pw")
        .param("1.0")
        .param("t")
        .send::<String>()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, CallError::Failure { code, params } if code == "SESSION_AUTHENTICATION_FAILED" && params[0] == "guest")
    );
    let err = c.call("session.login_with_password").param("root").send::<String>().await.unwrap_err();
    assert_eq!(err.code(), Some("MESSAGE_PARAMETER_COUNT_MISMATCH"));
    let err = c.call("VM.frobnicate").param(&session).send::<Void>().await.unwrap_err();
    assert!(
        matches!(&err, CallError::Failure { code, params } if code == "MESSAGE_METHOD_UNKNOWN" && params == &["VM.frobnicate"])
    );

    let _: Void = c.call("session.logout").param(&session).send().await.unwrap();
    let err = c.call("VM.get_record").param(&session).param("OpaqueRef:vm1").send::<VmRecord>().await.unwrap_err();
    assert!(
        matches!(&err, CallError::Failure { code, params } if code == "SESSION_INVALID" && params == std::slice::from_ref(&session))
    );
}

#[tokio::test]
async fn both_protocols_round_trip_over_http() {
    let server = start(ServerConfig::default()).await;
    let transport = Arc::new(http(server.addr));
    for protocol in PROTOCOLS {
        exercise(&Client::new(transport.clone(), protocol)).await;
    }
    // A session from one protocol works on the other.
    let xml = Client::new(transport.clone(), Protocol::XmlRpc);
    let json = Client::new(transport.clone(), Protocol::JsonRpc(Version::V2));
    let session = login(&xml).await;
    let rec: VmRecord = json.call("VM.get_record").param(&session).param("OpaqueRef:x").send().await.unwrap();
    assert_eq!(rec.affinity.0, "OpaqueRef:x");
    server.shutdown().await;
}

async fn raw_status(addr: SocketAddr, request: &[u8]) -> String {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut buf = vec![0u8; 1024];
    let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf)).await.unwrap().unwrap();
    String::from_utf8_lossy(&buf[..n]).lines().next().unwrap_or_default().to_string()
}

#[tokio::test]
async fn malformed_requests_get_protocol_errors_and_server_keeps_serving() {
    let config = ServerConfig { limits: Limits { max_body: 4096, ..Limits::default() }, ..ServerConfig::default() };
    let server = start(config).await;
    let t = http(server.addr);

    for bad in [
        &b"this is not xml"[..],
        b"<methodCall><methodName>m</methodName></methodCall>",
        b"<methodCall><methodName>m</methodName><params><param><value><string>x</value></param></params></methodCall>",
        b"<!DOCTYPE x [<!ENTITY a \"b\">]><methodCall><methodName>&a;</methodName><params/></methodCall>",
        b"<methodCall>\xff</methodCall>",
    ] {
        let reply = t.post("/", bad.to_vec()).await.unwrap();
        let err = xenapi_rt::xmlrpc::decode_response::<String>(&reply).unwrap_err();
        assert_eq!(err.code(), Some("XMLRPC_UNMARSHAL_FAILURE"), "{err}");
    }
    let deep = format!(
        "<methodCall><methodName>m</methodName><params><param>{}x{}</param></params></methodCall>",
        "<value><array><data>".repeat(80),
        "</data></array></value>".repeat(80)
    );
    let reply = t.post("/", deep.into_bytes()).await.unwrap();
    let err = xenapi_rt::xmlrpc::decode_response::<String>(&reply).unwrap_err();
    assert!(
        matches!(&err, CallError::Failure { code, params } if code == "XMLRPC_UNMARSHAL_FAILURE" && params[1].contains("depth")),
        "{err}"
    );

    for (bad, code) in [
        (&b"{not json"[..], -32700),
        (b"", -32700),
        (br#"{"method":"m","params":[]}"#, -32600),
        (br#"{"jsonrpc":"2.0","method":"m","params":[],"id":null}"#, -32600),
        (br#"{"method":"m","params":{"a":1},"id":1}"#, -32600),
    ] {
        let reply = t.post("/jsonrpc", bad.to_vec()).await.unwrap();
        let v: serde_json::Value = serde_json::from_slice(&reply).unwrap();
        assert_eq!(v["error"]["code"], code, "{}", String::from_utf8_lossy(bad));
        assert_eq!(v["id"], serde_json::Value::Null);
    }

    // Too large: refused from Content-Length, before the body is read.
    assert!(matches!(t.post("/", vec![b' '; 5000]).await, Err(TransportError::Status { status: 413, .. })));
    let head = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n<methodCall>",
        1u64 << 30
    );
    assert_eq!(raw_status(server.addr, head.as_bytes()).await, "HTTP/1.1 413 Payload Too Large");
    // Without a length (chunked), refused once the limit is crossed.
    let mut chunked = b"POST /jsonrpc HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..10 {
        chunked.extend_from_slice(b"400\r\n");
        chunked.extend_from_slice(&[b' '; 0x400]);
        chunked.extend_from_slice(b"\r\n");
    }
    assert_eq!(raw_status(server.addr, &chunked).await, "HTTP/1.1 413 Payload Too Large");

    assert_eq!(raw_status(server.addr, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await, "HTTP/1.1 405 Method Not Allowed");
    assert_eq!(
        raw_status(server.addr, b"POST /nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n").await,
        "HTTP/1.1 404 Not Found"
    );
    assert_eq!(raw_status(server.addr, b"\x00\x01garbage\r\n\r\n").await, "HTTP/1.1 400 Bad Request");

    // Still serving, in both protocols.
    for protocol in PROTOCOLS {
        let c = Client::new(&t, protocol);
        let s = login(&c).await;
        assert!(s.starts_with("OpaqueRef:session-"));
    }
    server.shutdown().await;
}

#[tokio::test]
async fn a_stalled_body_times_out_and_the_server_keeps_serving() {
    let server = start(ServerConfig { body_read_timeout: Duration::from_millis(300), ..ServerConfig::default() }).await;
    // Headers promise 100 bytes; 10 arrive, then nothing.
    let mut stalled = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    stalled
        .write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: 100\r\n\r\n<?xml vers")
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let mut answer = Vec::new();
    // The server answers and closes the connection: read to the end.
    tokio::time::timeout(Duration::from_secs(5), stalled.read_to_end(&mut answer))
        .await
        .expect("the server gave up on the body")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.to_ascii_lowercase().contains("connection: close"), "{answer}");
    assert!(started.elapsed() >= Duration::from_millis(250));
    // Other clients are served as before.
    let c = Client::new(http(server.addr), Protocol::XmlRpc);
    let _session = login(&c).await;
    server.shutdown().await;
}

#[tokio::test]
async fn graceful_shutdown_drains_in_flight_calls() {
    let server = start(ServerConfig::default()).await;
    let addr = server.addr;
    let client = Arc::new(Client::new(http(addr), Protocol::XmlRpc));
    let session = login(&client).await;
    let slow = {
        let client = client.clone();
        let session = session.clone();
        tokio::spawn(async move { client.call("slow").param(&session).send::<String>().await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    server.shutdown().await;
    assert_eq!(slow.await.unwrap().unwrap(), "done");
    // Nothing listens any more.
    let fresh = Client::new(http(addr), Protocol::XmlRpc);
    let err = fresh.call("session.login_with_password").send::<String>().await.unwrap_err();
    assert!(matches!(err, CallError::Transport(TransportError::Http(_))), "{err:?}");
}

#[tokio::test]
async fn per_call_timeout() {
    let server = start(ServerConfig::default()).await;
    let plain = Client::new(http(server.addr), Protocol::JsonRpc(Version::V2));
    let session = login(&plain).await;
    let hasty = Client::new(
        HttpTransport::with_options(
            &format!("http://{}/", server.addr),
            HttpOptions { timeout: Some(Duration::from_millis(50)), ..HttpOptions::default() },
        )
        .unwrap(),
        Protocol::JsonRpc(Version::V2),
    );
    let err = hasty.call("slow").param(&session).send::<String>().await.unwrap_err();
    assert!(matches!(err, CallError::Transport(TransportError::Timeout(_))), "{err:?}");
    server.shutdown().await;
}

#[tokio::test]
async fn unix_socket_transport() {
    let path = std::env::temp_dir().join(format!("xenapi-rt-test-{}.sock", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let listener = tokio::net::UnixListener::bind(&path).unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = Server::new(TestApi::default());
    let task = tokio::spawn(async move {
        server
            .serve_unix(listener, async {
                let _ = stopped.await;
            })
            .await
    });
    let transport = Arc::new(UnixTransport::new(&path).with_timeout(Some(Duration::from_secs(10))));
    for protocol in PROTOCOLS {
        exercise(&Client::new(transport.clone(), protocol)).await;
    }
    let _ = stop.send(());
    task.await.unwrap().unwrap();
    let _ = std::fs::remove_file(&path);
}

#[cfg(feature = "tls")]
mod tls {
    use super::*;
    use tokio_rustls::rustls;
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
    use xenapi_rt::transport::{ServerTrust, TlsOptions};

    const CA: &[u8] = include_bytes!("data/ca.pem");
    const CERT: &[u8] = include_bytes!("data/server.pem");
    const KEY: &[u8] = include_bytes!("data/server.key");

    async fn start_tls() -> (SocketAddr, oneshot::Sender<()>) {
        let certs: Vec<CertificateDer<'static>> =
            CertificateDer::pem_slice_iter(CERT).collect::<Result<_, _>>().unwrap();
        let key = PrivateKeyDer::from_pem_slice(KEY).unwrap();
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = Server::new(TestApi::default());
        let (stop, mut stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = &mut stopped => break,
                    accepted = listener.accept() => {
                        let (tcp, _) = accepted.unwrap();
                        let acceptor = acceptor.clone();
                        let server = server.clone();
                        tokio::spawn(async move {
                            if let Ok(tls) = acceptor.accept(tcp).await {
                                let _ = server.serve_connection(tls).await;
                            }
                        });
                    }
                }
            }
        });
        (addr, stop)
    }

    fn https(addr: SocketAddr, trust: ServerTrust) -> HttpTransport {
        HttpTransport::with_options(
            &format!("https://localhost:{}/", addr.port()),
            HttpOptions { timeout: Some(Duration::from_secs(10)), tls: TlsOptions { trust }, ..HttpOptions::default() },
        )
        .unwrap()
    }

    #[tokio::test]
    async fn https_with_custom_ca_and_dangerous_mode() {
        let (addr, _stop) = start_tls().await;
        let trusted = https(addr, ServerTrust::custom_roots_pem(CA).unwrap());
        for protocol in PROTOCOLS {
            exercise(&Client::new(&trusted, protocol)).await;
        }
        let unverified = Client::new(https(addr, ServerTrust::DangerousAcceptAnyCertificate), Protocol::XmlRpc);
        login(&unverified).await;
        // The public roots do not know the test CA.
        let public = Client::new(https(addr, ServerTrust::WebPkiRoots), Protocol::XmlRpc);
        let err = public.call("session.login_with_password").send::<String>().await.unwrap_err();
        assert!(matches!(&err, CallError::Transport(TransportError::Http(m)) if m.contains("certificate")), "{err:?}");
        assert!(ServerTrust::custom_roots_pem(b"no pem here").is_err());
    }
}

#[tokio::test]
async fn transports_reuse_kept_alive_connections() {
    // TCP: count accepted connections while making several calls.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let server = Server::new(TestApi::default());
    let (counter, tcp_server) = (accepted.clone(), server.clone());
    let acceptor = tokio::spawn(async move {
        loop {
            let (tcp, _) = listener.accept().await.unwrap();
            counter.fetch_add(1, Ordering::SeqCst);
            let s = tcp_server.clone();
            tokio::spawn(async move {
                let _ = s.serve_connection(tcp).await;
            });
        }
    });
    for protocol in PROTOCOLS {
        let c = Client::new(http(addr), protocol);
        let before = accepted.load(Ordering::SeqCst);
        for _ in 0..5 {
            login(&c).await;
        }
        assert_eq!(accepted.load(Ordering::SeqCst) - before, 1, "{protocol:?}");
    }
    acceptor.abort();

    // Unix socket: the same.
    let path = std::env::temp_dir().join(format!("xenapi-rt-reuse-{}.sock", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let listener = tokio::net::UnixListener::bind(&path).unwrap();
    let unix_accepted = Arc::new(AtomicUsize::new(0));
    let counter = unix_accepted.clone();
    let acceptor = tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            counter.fetch_add(1, Ordering::SeqCst);
            let s = server.clone();
            tokio::spawn(async move {
                let _ = s.serve_connection(stream).await;
            });
        }
    });
    let c = Client::new(UnixTransport::new(&path), Protocol::JsonRpc(Version::V1));
    for _ in 0..5 {
        login(&c).await;
    }
    assert_eq!(unix_accepted.load(Ordering::SeqCst), 1);
    acceptor.abort();
    let _ = std::fs::remove_file(&path);
}
