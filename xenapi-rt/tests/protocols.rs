//! The protocol features: whatever subset of `xml-rpc` and `json-rpc` this
//! crate is built with, the enabled protocols work end to end over
//! loopback HTTP and a protocol left out has no endpoint on the server.
//!
//! `scripts/test.sh` runs this file once per protocol on its own
//! (`--no-default-features --features xml-rpc`, then `json-rpc`) as well
//! as with the defaults.

use std::time::Duration;

use tokio::net::TcpListener;
use xenapi_rt::server::{Handler, IncomingCall, Reply, Server};
use xenapi_rt::transport::{HttpOptions, HttpTransport};
use xenapi_rt::{Client, Protocol, Transport};

struct Echo;

impl Handler for Echo {
    async fn call(&self, call: IncomingCall<'_>) -> Reply {
        match call.method() {
            "echo" => match call.param::<Vec<String>>(0) {
                Ok(v) => Reply::success(v),
                Err(e) => Reply::failure(["FIELD_TYPE_ERROR".to_string(), e.to_string()]),
            },
            other => Reply::failure(["MESSAGE_METHOD_UNKNOWN", other]),
        }
    }
}

/// The protocols this build speaks, and the endpoint of each.
#[allow(clippy::vec_init_then_push)] // each push depends on a feature
fn enabled() -> Vec<(Protocol, &'static str)> {
    let mut all = Vec::new();
    #[cfg(feature = "xml-rpc")]
    all.push((Protocol::XmlRpc, "/"));
    #[cfg(feature = "json-rpc")]
    {
        use xenapi_rt::jsonrpc::Version;
        all.push((Protocol::JsonRpc(Version::V1), "/jsonrpc"));
        all.push((Protocol::JsonRpc(Version::V2), "/jsonrpc"));
    }
    all
}

/// A well-formed request for each protocol that is left out of the build,
/// with its endpoint.
fn left_out() -> Vec<(&'static str, &'static [u8])> {
    let mut out: Vec<(&'static str, &'static [u8])> = Vec::new();
    if !cfg!(feature = "xml-rpc") {
        out.push(("/", b"<?xml version='1.0'?><methodCall><methodName>echo</methodName><params/></methodCall>"));
    }
    if !cfg!(feature = "json-rpc") {
        out.push(("/jsonrpc", br#"{"jsonrpc":"2.0","method":"echo","params":[[]],"id":1}"#));
    }
    out
}

#[tokio::test]
async fn enabled_protocols_work_and_left_out_ones_have_no_endpoint() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = Server::new(Echo);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        server
            .serve(listener, async {
                let _ = stopped.await;
            })
            .await
    });
    let transport = HttpTransport::with_options(
        &format!("http://{addr}/"),
        HttpOptions { timeout: Some(Duration::from_secs(10)), ..HttpOptions::default() },
    )
    .unwrap();

    let protocols = enabled();
    let expected = usize::from(cfg!(feature = "xml-rpc")) + 2 * usize::from(cfg!(feature = "json-rpc"));
    assert_eq!(protocols.len(), expected);
    for (protocol, path) in &protocols {
        assert_eq!(protocol.path(), *path);
        let client = Client::new(transport.clone(), *protocol);
        let words = vec!["a".to_string(), "<b & c>".to_string()];
        let back: Vec<String> = client.call("echo").param(&words).send().await.unwrap();
        assert_eq!(back, words, "{protocol:?}");
        let err = client.call("nope").send::<String>().await.unwrap_err();
        assert!(err.to_string().contains("MESSAGE_METHOD_UNKNOWN"), "{protocol:?}: {err}");
    }

    for (path, body) in left_out() {
        let err = transport.post(path, body.to_vec()).await.unwrap_err();
        assert!(err.to_string().contains("404"), "{path}: {err}");
    }

    let _ = stop.send(());
    task.await.unwrap().unwrap();
}

/// A handler may refuse a protocol that is compiled in; the refused
/// endpoint then answers 404 before reading the call.
#[cfg(all(feature = "xml-rpc", feature = "json-rpc"))]
#[tokio::test]
async fn a_handler_can_refuse_a_protocol_that_is_compiled_in() {
    struct JsonOnly;
    impl Handler for JsonOnly {
        async fn call(&self, call: IncomingCall<'_>) -> Reply {
            Echo.call(call).await
        }
        fn accepts(&self, protocol: Protocol) -> bool {
            matches!(protocol, Protocol::JsonRpc(_))
        }
    }
    let server = Server::new(JsonOnly);
    let xml = server.handle_bytes("/", b"not even XML").await;
    assert_eq!(xml.status, 404);
    let json = server.handle_bytes("/jsonrpc", br#"{"jsonrpc":"2.0","method":"echo","params":[["x"]],"id":1}"#).await;
    assert_eq!(json.status, 200);
    assert!(String::from_utf8_lossy(&json.body).contains(r#""result":["x"]"#));
}
