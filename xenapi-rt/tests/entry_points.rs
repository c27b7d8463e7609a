//! The server's HTTP entry points over loopback: the RPC paths, the
//! hook for other HTTP handlers, `system.listMethods` and second method
//! names such as `event_from`, and half-closed connections.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use xenapi_rt::jsonrpc::Version;
use xenapi_rt::server::{Handler, HttpReply, HttpRequest, IncomingCall, Reply, Server, ServerConfig};
use xenapi_rt::transport::HttpTransport;
use xenapi_rt::{Client, Limits, Protocol};

/// Echoes the method name of every call, and keeps blobs for
/// `PUT /blob?ref=R` / `GET /blob?ref=R` when the session is "ok".
#[derive(Default)]
struct Api {
    blobs: Mutex<HashMap<String, Vec<u8>>>,
}

const METHODS: &[&str] = &["VM.get_record", "Async.VM.clone", "event.from"];

impl Handler for Api {
    async fn call(&self, call: IncomingCall<'_>) -> Reply {
        Reply::success(format!("{}/{}", call.method(), call.param_count()))
    }

    fn methods(&self) -> &'static [&'static str] {
        METHODS
    }

    fn aliases(&self) -> &'static [(&'static str, &'static str)] {
        &[("event_from", "event.from")]
    }

    async fn http(&self, request: HttpRequest<'_>) -> Option<HttpReply> {
        if request.path == "/bad-type" {
            return Some(HttpReply::new(200, "text/plain\r\nX-Injected: 1", b"body".to_vec()));
        }
        if request.path != "/blob" {
            return None;
        }
        if request.query_param("session_id").as_deref() != Some("ok") {
            return Some(HttpReply::text(403, "no session\n".into()));
        }
        let r = request.query_param("ref")?.into_owned();
        let mut blobs = self.blobs.lock().unwrap();
        match request.method {
            "PUT" => {
                blobs.insert(r, request.body.to_vec());
                Some(HttpReply::new(200, "text/plain", Vec::new()))
            }
            "GET" => Some(match blobs.get(&r) {
                Some(data) => HttpReply::new(200, "application/octet-stream", data.clone()),
                None => HttpReply::text(404, format!("no blob {r}\n")),
            }),
            _ => None,
        }
    }
}

async fn start(config: ServerConfig) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = Server::with_config(Api::default(), config);
    tokio::spawn(async move { server.serve(listener, std::future::pending()).await });
    addr
}

/// Sends `request` on a new connection, half-closes it and reads the
/// whole answer: (status line, headers and body as text).
async fn exchange(addr: SocketAddr, request: &[u8]) -> (String, String) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    stream.shutdown().await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .expect("an answer in time")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer.lines().next().unwrap_or_default().to_string();
    let body = answer.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

fn request(method: &str, target: &str, body: &[u8]) -> Vec<u8> {
    let mut r =
        format!("{method} {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n", body.len())
            .into_bytes();
    r.extend_from_slice(body);
    r
}

#[tokio::test]
async fn http_hook_serves_other_paths_and_methods() {
    let addr =
        start(ServerConfig { limits: Limits { max_body: 1000, ..Limits::default() }, ..ServerConfig::default() }).await;
    let data = b"\x00\x01 blob bytes \xff";
    let (status, _) = exchange(addr, &request("PUT", "/blob?ref=OpaqueRef%3Ab1&session_id=ok", data)).await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(&request("GET", "/blob?session_id=ok&ref=OpaqueRef:b1", b"")).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    assert!(answer.starts_with(b"HTTP/1.1 200 OK"), "{}", String::from_utf8_lossy(&answer));
    assert!(answer.ends_with(data));
    assert!(String::from_utf8_lossy(&answer).contains("content-type: application/octet-stream"));

    assert_eq!(exchange(addr, &request("GET", "/blob?ref=OpaqueRef:b1", b"")).await.0, "HTTP/1.1 403 Forbidden");
    assert_eq!(exchange(addr, &request("GET", "/blob?session_id=ok&ref=x", b"")).await.0, "HTTP/1.1 404 Not Found");
    // Paths and methods the hook declines keep their old answers.
    assert_eq!(exchange(addr, &request("GET", "/elsewhere", b"")).await.0, "HTTP/1.1 404 Not Found");
    let (status, _) = exchange(addr, &request("GET", "/", b"")).await;
    assert_eq!(status, "HTTP/1.1 405 Method Not Allowed");
    // A content type that is not a valid header value is not sent (and
    // does not bring the connection down).
    let (status, body) = exchange(addr, &request("GET", "/bad-type", b"")).await;
    assert_eq!((status.as_str(), body.as_str()), ("HTTP/1.1 200 OK", "body"));
    // The hook's bodies are bounded like RPC bodies.
    let big = vec![b'x'; 1001];
    assert_eq!(
        exchange(addr, &request("PUT", "/blob?ref=b2&session_id=ok", &big)).await.0,
        "HTTP/1.1 413 Payload Too Large"
    );
    // RPC still goes to `call`.
    let call = b"<methodCall><methodName>VM.get_record</methodName><params/></methodCall>";
    let (status, body) = exchange(addr, &request("POST", "/", call)).await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(body.contains("VM.get_record/0"), "{body}");
}

const PROTOCOLS: [Protocol; 3] = [Protocol::XmlRpc, Protocol::JsonRpc(Version::V1), Protocol::JsonRpc(Version::V2)];

#[tokio::test]
async fn list_methods_and_event_from_in_every_protocol() {
    let addr = start(ServerConfig::default()).await;
    let transport = HttpTransport::new(&format!("http://{addr}/")).unwrap();
    for protocol in PROTOCOLS {
        let c = Client::new(&transport, protocol);
        let listed: Vec<String> = c.call("system.listMethods").send().await.unwrap();
        assert_eq!(listed, ["VM.get_record", "Async.VM.clone", "event.from", "system.listMethods"], "{protocol:?}");
        // The handler gets `event.from`, with the parameters as sent.
        let answer: String = c.call("event_from").param("s").param(&["VM"]).param("").param(&0.0).send().await.unwrap();
        assert_eq!(answer, "event.from/4", "{protocol:?}");
        let answer: String = c.call("event.from").param("s").send().await.unwrap();
        assert_eq!(answer, "event.from/1", "{protocol:?}");
    }
}

/// Echoes the method name, and declares no second names.
struct Bare;

impl Handler for Bare {
    async fn call(&self, call: IncomingCall<'_>) -> Reply {
        Reply::success(call.method().to_string())
    }
}

#[tokio::test]
async fn a_handler_without_aliases_gets_event_from_as_sent() {
    let server = Server::with_config(Bare, ServerConfig::default());
    let call = b"<methodCall><methodName>event_from</methodName><params/></methodCall>";
    let reply = server.handle_bytes("/", call).await;
    let answer: String = xenapi_rt::xmlrpc::decode_response(&reply.body).unwrap();
    assert_eq!(answer, "event_from");
    let call = br#"{"jsonrpc":"2.0","method":"event_from","params":[],"id":1}"#;
    let reply = server.handle_bytes("/jsonrpc", call).await;
    let text = String::from_utf8_lossy(&reply.body);
    assert!(text.contains(r#""result":"event_from""#), "{text}");
}

#[tokio::test]
async fn xml_rpc_is_also_served_at_rpc2() {
    let addr = start(ServerConfig::default()).await;
    let call = b"<?xml version='1.0'?><methodCall><methodName>event_from</methodName><params><param><value><string>s</string></value></param></params></methodCall>";
    let (status, body) = exchange(addr, &request("POST", "/RPC2", call)).await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    let answer: String = xenapi_rt::xmlrpc::decode_response(body.as_bytes()).unwrap();
    assert_eq!(answer, "event.from/1");
    let listed = b"<methodCall><methodName>system.listMethods</methodName><params></params></methodCall>";
    let (_, body) = exchange(addr, &request("POST", "/RPC2", listed)).await;
    let names: Vec<String> = xenapi_rt::xmlrpc::decode_response(body.as_bytes()).unwrap();
    assert!(names.contains(&"system.listMethods".to_string()));
    assert_eq!(exchange(addr, &request("GET", "/RPC2", b"")).await.0, "HTTP/1.1 405 Method Not Allowed");
}

/// Requests followed by `shutdown(SHUT_WR)`, each on its own connection,
/// without `Connection: close` (as `nc -N` sends them): every one is
/// answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_closed_connections_get_their_answers() {
    let addr = start(ServerConfig::default()).await;
    let xml = b"<methodCall><methodName>VM.get_record</methodName><params/></methodCall>".as_slice();
    let json = br#"{"jsonrpc":"2.0","method":"VM.get_record","params":[],"id":1}"#.as_slice();
    let mut tasks = Vec::new();
    for k in 0..240 {
        let (path, body) = if k % 2 == 0 { ("/", xml) } else { ("/jsonrpc", json) };
        let mut r = format!("POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n", body.len()).into_bytes();
        r.extend_from_slice(body);
        tasks.push(tokio::spawn(async move { exchange(addr, &r).await }));
    }
    let mut answered = 0;
    for task in tasks {
        let (status, body) = task.await.unwrap();
        assert_eq!(status, "HTTP/1.1 200 OK");
        assert!(body.contains("VM.get_record/0"), "{body}");
        answered += 1;
    }
    assert_eq!(answered, 240);
}
