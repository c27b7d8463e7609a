//! Hostile and sloppy input over loopback: odd JSON-RPC ids, malformed
//! XML-RPC bodies, characters XML cannot carry, and replies holding
//! non-finite float tokens. Every reply must be one the protocol's
//! strict reader accepts.

use std::net::SocketAddr;

use serde::Deserialize;
use serde_json::Value;
use tokio::net::TcpListener;
use xenapi_rt::server::{Handler, IncomingCall, Reply, Server};
use xenapi_rt::transport::HttpTransport;
use xenapi_rt::{jsonrpc, xmlrpc, CallError, Transport};

/// `echo` returns its first parameter, `fail` fails with it, `stored`
/// returns a string holding every character XML refuses (as a store
/// edited by hand could); anything else is MESSAGE_METHOD_UNKNOWN.
struct Api;

impl Handler for Api {
    async fn call(&self, call: IncomingCall<'_>) -> Reply {
        let first = || call.param::<String>(0).unwrap_or_default();
        match call.method() {
            "echo" => Reply::success(first()),
            "fail" => Reply::failure(["SOME_ERROR".to_string(), first()]),
            "stored" => Reply::success(forbidden().into_iter().collect::<String>()),
            other => Reply::failure(["MESSAGE_METHOD_UNKNOWN", other]),
        }
    }
}

/// Every character a Rust string can hold that XML 1.0 refuses.
fn forbidden() -> Vec<char> {
    (0u32..0x20)
        .chain([0xFFFE, 0xFFFF])
        .filter_map(char::from_u32)
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect()
}

async fn start() -> HttpTransport {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    tokio::spawn(async move { Server::new(Api).serve(listener, std::future::pending()).await });
    HttpTransport::new(&format!("http://{addr}/")).unwrap()
}

async fn post_json(t: &HttpTransport, body: &str) -> Value {
    let reply = t.post("/jsonrpc", body.as_bytes().to_vec()).await.unwrap();
    serde_json::from_slice(&reply).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&reply)))
}

/// Posts an XML-RPC body; the reply must be HTTP 200 and decode.
async fn post_xml(t: &HttpTransport, body: &[u8]) -> Result<String, CallError> {
    let reply = t.post("/", body.to_vec()).await.unwrap();
    let decoded = xmlrpc::decode_response::<String>(&reply);
    if let Err(e) = &decoded {
        assert!(e.code().is_some(), "{e}: {}", String::from_utf8_lossy(&reply));
    }
    decoded
}

#[derive(Deserialize)]
struct Shape {
    #[serde(default)]
    result: Option<Value>,
    #[serde(default)]
    error: Option<Value>,
    #[allow(dead_code)]
    id: serde::de::IgnoredAny,
}

#[tokio::test]
async fn any_id_is_echoed_verbatim_in_every_reply_shape() {
    let t = start().await;
    let big = "9".repeat(400);
    let ids = ["1e400", "-1e400", big.as_str(), "[1e400]", "{\"a\":[-1e400,\"x\"]}", "\"\\u00e9\"", "-0", "1.5e-400"];
    for id in ids {
        for (version, head) in [("1.0", ""), ("2.0", r#""jsonrpc":"2.0","#)] {
            for method in ["echo", "fail", "nowhere"] {
                let body = format!(r#"{{{head}"method":"{method}","params":["x"],"id":{id}}}"#);
                let reply = t.post("/jsonrpc", body.clone().into_bytes()).await.unwrap();
                let text = String::from_utf8(reply.to_vec()).unwrap();
                assert!(text.ends_with(&format!(",\"id\":{id}}}")), "{version} {method}: {text}");
                // Still JSON (the id is skipped, not converted: it may
                // not fit a double).
                let v: Shape = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
                if method == "echo" {
                    assert_eq!(v.result, Some(Value::from("x")), "{text}");
                } else {
                    assert!(v.error.is_some_and(|e| !e.is_null()), "{text}");
                }
            }
        }
    }
}

#[tokio::test]
async fn malformed_xml_rpc_gets_an_unmarshal_failure() {
    let t = start().await;
    let truncated = b"<methodCall><methodName>echo</methodName><params><param><value>".as_slice();
    for bad in [
        &b""[..],
        truncated,
        b"<methodCall>\xff\xfe</methodCall>",
        b"<!DOCTYPE x [<!ENTITY a \"b\">]><methodCall><methodName>&a;</methodName><params/></methodCall>",
        b"<methodCall><methodName>echo</methodName></methodCall>",
        b"<methodCall><methodName>echo&lol;</methodName><params/></methodCall>",
        b"not xml at all",
    ] {
        match post_xml(&t, bad).await {
            Err(CallError::Failure { code, params }) => {
                assert_eq!(code, "XMLRPC_UNMARSHAL_FAILURE", "{params:?}");
                assert_eq!(params.len(), 2, "{params:?}");
                assert!(!params[1].is_empty() && params[1].len() < 400, "{params:?}");
            }
            other => panic!("{}: {other:?}", String::from_utf8_lossy(bad)),
        }
    }
    // JSON-RPC parse errors stay JSON-RPC error objects.
    let v: Value = serde_json::from_slice(&t.post("/jsonrpc", b"{".to_vec()).await.unwrap()).unwrap();
    assert_eq!(v["error"]["code"], jsonrpc::PARSE_ERROR);
    // And the server still answers well-formed calls.
    assert_eq!(post_xml(&t, xml_call("echo", "fine").as_bytes()).await.unwrap(), "fine");
}

fn xml_call(method: &str, text: &str) -> String {
    format!("<methodCall><methodName>{method}</methodName><params><param><value><string>{text}</string></value></param></params></methodCall>")
}

#[tokio::test]
async fn characters_xml_refuses_are_refused_at_input_on_both_protocols() {
    let t = start().await;
    for c in forbidden() {
        let code = u32::from(c);
        // XML-RPC: raw, as decimal and as hex character references, in a
        // value and in the method name.
        let raw = xml_call("echo", &format!("a{c}b"));
        let references = [format!("a&#{code};b"), format!("a&#x{code:x};b"), format!("&#X{code:X};")];
        let mut bodies = vec![raw.into_bytes(), xml_call(&format!("ec{c}ho"), "x").into_bytes()];
        bodies.extend(references.iter().map(|r| xml_call("echo", r).into_bytes()));
        bodies.push(xml_call(&format!("echo&#{code};"), "x").into_bytes());
        for body in bodies {
            let err = post_xml(&t, &body).await.unwrap_err();
            assert_eq!(err.code(), Some("XMLRPC_UNMARSHAL_FAILURE"), "U+{code:04X}: {err}");
        }
        // JSON-RPC: escaped in either case, in a parameter, the method or
        // the id; raw U+FFFE/U+FFFF too.
        for esc in [format!("\\u{code:04x}"), format!("\\u{code:04X}")] {
            for (body, place) in [
                (format!(r#"{{"method":"echo","params":["a{esc}b"],"id":1}}"#), "params[0]"),
                (format!(r#"{{"jsonrpc":"2.0","method":"echo","params":[[],{{"k":"{esc}"}}],"id":1}}"#), "params[1]"),
                (format!(r#"{{"method":"ec{esc}ho","params":[],"id":1}}"#), "method"),
                (format!(r#"{{"method":"echo","params":[],"id":"{esc}"}}"#), "id"),
            ] {
                let v = post_json(&t, &body).await;
                let desc: Vec<String> = match &v["error"] {
                    Value::Array(a) => a.iter().map(|x| x.as_str().unwrap().to_string()).collect(),
                    e => std::iter::once(e["message"].as_str().unwrap().to_string())
                        .chain(e["data"].as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()))
                        .collect(),
                };
                assert_eq!(desc[0], "INVALID_VALUE", "{body}: {v}");
                assert_eq!(desc[1], place, "{body}");
                assert!(desc[2].contains(&format!("U+{code:04X}")), "{body}: {desc:?}");
                assert_eq!(v["id"], serde_json::from_str::<Value>(&body).unwrap()["id"]);
            }
        }
        if code > 0xFF {
            let v = post_json(&t, &format!(r#"{{"method":"echo","params":["{c}"],"id":1}}"#)).await;
            assert_eq!(v["error"][0], "INVALID_VALUE", "{v}");
        }
    }
    // Tab, line feed and carriage return are fine in both.
    let v = post_json(&t, r#"{"method":"echo","params":["\t\n\r\u0009"],"id":1}"#).await;
    assert_eq!(v["result"], "\t\n\r\t");
    assert_eq!(post_xml(&t, xml_call("echo", "\t\n&#13;").as_bytes()).await.unwrap(), "\t\n\r");
}

#[tokio::test]
async fn replies_stay_well_formed_whatever_the_store_holds() {
    let t = start().await;
    // A bad string that got into a store some other way comes out as
    // U+FFFD, in a success and in a failure description alike.
    let body = "<methodCall><methodName>stored</methodName><params/></methodCall>";
    let got = post_xml(&t, body.as_bytes()).await.unwrap();
    assert_eq!(got, "\u{FFFD}".repeat(forbidden().len()));
    let v = post_json(&t, r#"{"method":"stored","params":[],"id":1}"#).await;
    assert_eq!(v["result"].as_str().unwrap().chars().count(), forbidden().len());
    // An unknown method name is echoed escaped.
    let err = post_xml(&t, xml_call("<&>", "x").replace("<&>", "&lt;&amp;&gt;").as_bytes()).await.unwrap_err();
    assert!(
        matches!(&err, CallError::Failure { code, params } if code == "MESSAGE_METHOD_UNKNOWN" && params == &["<&>"]),
        "{err}"
    );
}

#[derive(Deserialize, Debug)]
struct Metrics {
    #[serde(with = "xenapi_rt::types::float")]
    load: f64,
    name: String,
    #[serde(default)]
    #[allow(dead_code)]
    count: i64,
}

#[test]
fn bare_non_finite_tokens_in_json_replies_are_read_for_float_fields() {
    for (token, check) in [
        ("NaN", f64::is_nan as fn(f64) -> bool),
        ("Infinity", |x: f64| x == f64::INFINITY),
        ("-Infinity", |x: f64| x == f64::NEG_INFINITY),
    ] {
        for version in ["", r#""jsonrpc":"2.0","#] {
            let body =
                format!(r#"{{{version}"result":{{"load":{token},"name":"{token} -Infinity \"NaN\\\" x"}},"id":1}}"#);
            let m: Metrics = jsonrpc::decode_response(body.as_bytes()).unwrap_or_else(|e| panic!("{body}: {e}"));
            assert!(check(m.load), "{body}");
            // Tokens inside strings are left alone.
            assert_eq!(m.name, format!("{token} -Infinity \"NaN\\\" x"));
            // An int field given one is still an error.
            let int = format!(r#"{{"result":{{"load":1.0,"name":"","count":{token}}},"error":null,"id":1}}"#);
            assert!(jsonrpc::decode_response::<Metrics>(int.as_bytes()).is_err(), "{int}");
        }
    }
    // A bare float result, and a list of them.
    let v: Vec<xenapi_rt::types::Float> =
        jsonrpc::decode_response(br#"{"result":[NaN,Infinity,-Infinity,1.5],"id":1}"#).unwrap();
    assert!(v[0].0.is_nan() && v[1].0.is_infinite() && v[2].0 < 0.0 && v[3].0 == 1.5);
    // Other garbage is still refused, with the parser's own message.
    let err = jsonrpc::decode_response::<Metrics>(br#"{"result":{"load":Nan},"id":1}"#).unwrap_err();
    assert!(matches!(err, CallError::Decode(_)), "{err:?}");
}
