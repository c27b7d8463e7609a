//! The generated Rust client against a server that spells things its own
//! way, over real HTTP on loopback: a canned server answers `event.from`
//! with the counts under `validRefCounts`.

use std::collections::HashMap;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use xenapi::{Connection, Protocol, SessionRef};
use xenapi_rt::jsonrpc::Version;
use xenapi_rt::transport::HttpTransport;

const XML_BATCH: &str = "<?xml version='1.0'?><methodResponse><params><param><value><struct>\
    <member><name>Status</name><value>Success</value></member>\
    <member><name>Value</name><value><struct>\
    <member><name>events</name><value><array><data></data></array></value></member>\
    <member><name>validRefCounts</name><value><struct>\
    <member><name>VM</name><value><string>3</string></value></member>\
    <member><name>host</name><value><string>1</string></value></member>\
    </struct></value></member>\
    <member><name>token</name><value><string>token-7</string></value></member>\
    </struct></value></member></struct></value></param></params></methodResponse>";

const JSON_BATCH: &str =
    r#"{"jsonrpc":"2.0","result":{"events":[],"validRefCounts":{"VM":3,"host":1},"token":"token-7"},"id":1}"#;

/// Serves one canned reply per connection-kept request until dropped:
/// `XML_BATCH` on `/`, `JSON_BATCH` on `/jsonrpc`.
async fn canned_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    // One request: headers, then Content-Length bytes.
                    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                        match sock.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                        continue;
                    };
                    let head = String::from_utf8_lossy(&buf[..end]).to_string();
                    let len = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    while buf.len() < end + 4 + len {
                        match sock.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    buf.drain(..end + 4 + len);
                    let (kind, body) = if head.starts_with("POST /jsonrpc") {
                        ("application/json", JSON_BATCH)
                    } else {
                        ("text/xml", XML_BATCH)
                    };
                    let reply = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if sock.write_all(reply.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_batches_accept_valid_ref_counts_in_camel_case() {
    let url = canned_server().await;
    for protocol in [Protocol::XmlRpc, Protocol::JsonRpc(Version::V2)] {
        let session =
            Connection::new(HttpTransport::new(&url).unwrap(), protocol).with_session(SessionRef::new("OpaqueRef:s"));
        let batch = session.event().from(&["*".into()], "", 1.0).await.unwrap_or_else(|e| panic!("{protocol:?}: {e}"));
        assert_eq!(
            batch.valid_ref_counts,
            HashMap::from([("VM".to_string(), 3), ("host".to_string(), 1)]),
            "{protocol:?}"
        );
        assert_eq!(batch.token, "token-7");
        assert!(batch.events.is_empty());
    }
}
