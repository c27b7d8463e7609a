//! Hostile input: more than 10,000 malformed, fuzzed and oversized bodies
//! to both endpoints, bad HTTP, huge declared lengths and slow clients.
//! Each request is answered or its connection closed, within a bound; the
//! process never dies; normal clients are served throughout and after.

use crate::common;

use std::time::{Duration, Instant};

use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use xenapi::Protocol;

/// A small deterministic random generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

const XML_SEEDS: &[&str] = &[
    "<?xml version=\"1.0\"?><methodCall><methodName>session.login_with_password</methodName><params><param><value><string>root</string></value></param><param><value><string>xenroot</string></value></param><param><value><string>1.0</string></value></param><param><value>fuzz</value></param></params></methodCall>",
    "<methodCall><methodName>VM.get_record</methodName><params><param><value>OpaqueRef:x</value></param><param><value><string>OpaqueRef:y</string></value></param></params></methodCall>",
    "<methodCall><methodName>VM.create</methodName><params><param><value>s</value></param><param><value><struct><member><name>name_label</name><value>x</value></member><member><name>VCPUs_max</name><value><i4>2</i4></value></member><member><name>tags</name><value><array><data><value>a</value><value>b</value></data></array></value></member></struct></value></param></params></methodCall>",
    "<methodCall><methodName>event.from</methodName><params><param><value>s</value></param><param><value><array><data><value>*</value></data></array></value></param><param><value></value></param><param><value><double>0.1</double></value></param></params></methodCall>",
    "<methodCall><methodName>task.set_progress</methodName><params><param><value>s</value></param><param><value>t</value></param><param><value><double>1e308</double></value></param><param><value><boolean>1</boolean></value></param><param><value><dateTime.iso8601>20240101T00:00:00Z</dateTime.iso8601></value></param></params></methodCall>",
];

const JSON_SEEDS: &[&str] = &[
    r#"{"jsonrpc":"2.0","method":"session.login_with_password","params":["root","xenroot","1.0","fuzz"],"id":1}"#,
    r#"{"method":"VM.get_record","params":["OpaqueRef:x","OpaqueRef:y"],"id":"abc"}"#,
    r#"{"jsonrpc":"2.0","method":"VM.create","params":["s",{"name_label":"x","VCPUs_max":2,"tags":["a","b"],"memory_static_max":1e400}],"id":[1,2]}"#,
    r#"{"jsonrpc":"2.0","method":"event.from","params":["s",["*"],"",0.1],"id":null}"#,
    r#"{"jsonrpc":"2.0","method":"task.set_progress","params":["s","t","NaN",-Infinity,{"a":{"b":{"c":[]}}}],"id":3}"#,
];

/// A malformed body derived from the seeds.
fn fuzz_body(rng: &mut Rng, json: bool) -> Vec<u8> {
    let seeds = if json { JSON_SEEDS } else { XML_SEEDS };
    let mut b = seeds[rng.below(seeds.len())].as_bytes().to_vec();
    let rounds = 1 + rng.below(3);
    for _ in 0..rounds {
        if b.is_empty() {
            b.push(if json { b'{' } else { b'<' });
        }
        match rng.below(14) {
            0 => {
                for _ in 0..1 + rng.below(8) {
                    let i = rng.below(b.len());
                    b[i] = rng.next() as u8;
                }
            }
            1 => b.truncate(rng.below(b.len())),
            2 => {
                let i = rng.below(b.len());
                let n = 1 + rng.below(32);
                let junk = rng.bytes(n);
                b.splice(i..i, junk);
            }
            3 => {
                // Repeat a slice many times.
                let i = rng.below(b.len());
                let j = (i + 1 + rng.below(40)).min(b.len());
                let piece = b[i..j].to_vec();
                let times = 1 + rng.below(2000);
                let mut out = b[..j].to_vec();
                for _ in 0..times {
                    out.extend_from_slice(&piece);
                }
                out.extend_from_slice(&b[j..]);
                b = out;
            }
            4 => {
                let n = rng.below(512);
                b = rng.bytes(n);
            }
            5 => {
                // Deep nesting.
                let depth = 100 + rng.below(20_000);
                b = if json {
                    let mut s = br#"{"method":"VM.get_all","params":["#.to_vec();
                    s.extend(std::iter::repeat_n(b'[', depth));
                    s.extend(std::iter::repeat_n(b']', rng.below(depth)));
                    s
                } else {
                    let mut s = b"<methodCall><methodName>VM.get_all</methodName><params><param>".to_vec();
                    for _ in 0..depth {
                        s.extend_from_slice(b"<value><array><data>");
                    }
                    s
                };
            }
            6 => {
                // A long string value.
                let n = rng.below(600_000);
                let long = "A".repeat(n);
                b = if json {
                    format!(r#"{{"method":"session.login_with_password","params":["{long}","x","1","o"],"id":1}}"#)
                        .into_bytes()
                } else {
                    format!("<methodCall><methodName>{long}</methodName><params/></methodCall>").into_bytes()
                };
            }
            7 => {
                // Invalid UTF-8 and NULs.
                let i = rng.below(b.len());
                b.splice(i..i, [0xff, 0xfe, 0x00, 0xc3, 0x28, 0xed, 0xa0, 0x80]);
            }
            8 if !json => {
                b = b"<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;\">]><methodCall><methodName>&lol2;</methodName></methodCall>".to_vec();
            }
            8 => b = br#"{"method":"VM.get_all","params":"not a list","id":{"x":1}}"#.to_vec(),
            9 => {
                // Numbers out of range.
                let n = "9".repeat(1 + rng.below(400));
                b = if json {
                    format!(r#"{{"jsonrpc":"2.0","method":"event.from","params":["s",[],"",{n}e99999],"id":{n}}}"#)
                        .into_bytes()
                } else {
                    format!("<methodCall><methodName>event.from</methodName><params><param><value><i4>{n}</i4></value></param><param><value><double>{n}e999</double></value></param></params></methodCall>").into_bytes()
                };
            }
            10 => {
                // Many elements.
                let n = rng.below(50_000);
                b = if json {
                    let items = vec!["1"; n].join(",");
                    format!(r#"{{"method":"VM.get_all","params":[[{items}]],"id":1}}"#).into_bytes()
                } else {
                    let items = "<value/>".repeat(n);
                    format!("<methodCall><methodName>VM.get_all</methodName><params><param><value><array><data>{items}</data></array></value></param></params></methodCall>").into_bytes()
                };
            }
            11 => b.clear(),
            12 => {
                let i = rng.below(b.len());
                let j = rng.below(b.len());
                if i < j {
                    b[i..j].reverse();
                }
            }
            _ => {
                // Wrong types for otherwise valid calls.
                b = if json {
                    br#"{"jsonrpc":"2.0","method":"VM.get_record","params":[1,[2],{"3":4}],"id":5}"#.to_vec()
                } else {
                    b"<methodCall><methodName>VM.get_record</methodName><params><param><value><struct/></value></param><param><value><int>12</int></value></param></params></methodCall>".to_vec()
                };
            }
        }
    }
    b
}

enum Outcome {
    Answered(u16),
    Closed,
}

/// Reads one HTTP response (status, then `Content-Length` bytes), or
/// notices that the server closed the connection.
async fn read_response(stream: &mut TcpStream) -> std::io::Result<Outcome> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16384];
    let head_end = loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(Outcome::Closed);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let status: u16 = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let len: usize = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0)))
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(Outcome::Closed);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok(Outcome::Answered(status))
}

struct Stats {
    sent: usize,
    answered: usize,
    closed: usize,
    statuses: std::collections::BTreeMap<u16, usize>,
}

/// Sends `count` fuzzed bodies over kept-alive connections, reconnecting
/// when the server closes one.
async fn fuzzer(addr: String, seed: u64, count: usize) -> Stats {
    let mut rng = Rng(seed | 1);
    let mut stats = Stats { sent: 0, answered: 0, closed: 0, statuses: Default::default() };
    let mut conn: Option<TcpStream> = None;
    for i in 0..count {
        let json = i % 2 == 1;
        let body = fuzz_body(&mut rng, json);
        let path = if json { "/jsonrpc" } else { "/" };
        let kind = rng.below(20);
        let mut req = Vec::new();
        let mut half_close = false;
        match kind {
            // A declared length far beyond what is sent (and the limit).
            0 => req.extend_from_slice(
                format!("POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n").as_bytes(),
            ),
            // A declared length longer than the body: the server waits for
            // the rest until the client gives up sending.
            1 => {
                req.extend_from_slice(
                    format!("POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n", body.len() + 10)
                        .as_bytes(),
                );
                req.extend_from_slice(&body);
                half_close = true;
            }
            // Chunked, with a bogus chunk size.
            2 => {
                req.extend_from_slice(
                    format!("POST {path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").as_bytes(),
                );
                req.extend_from_slice(&body);
                half_close = true;
            }
            // Not HTTP at all.
            3 => {
                req.extend_from_slice(&body);
                req.extend_from_slice(b"\r\n\r\n");
                half_close = true;
            }
            // Wrong method or path.
            4 => req
                .extend_from_slice(format!("GET {path}x HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n").as_bytes()),
            _ => {
                req.extend_from_slice(
                    format!("POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n", body.len()).as_bytes(),
                );
                req.extend_from_slice(&body);
            }
        }
        if conn.is_none() {
            conn = Some(TcpStream::connect(&addr).await.expect("server accepts connections"));
        }
        let stream = conn.as_mut().unwrap();
        stats.sent += 1;
        let exchange = async {
            stream.write_all(&req).await?;
            if half_close {
                stream.shutdown().await?;
            }
            read_response(stream).await
        };
        let outcome = tokio::time::timeout(Duration::from_secs(15), exchange)
            .await
            .expect("each request is answered or closed in time");
        match outcome {
            Ok(Outcome::Answered(status)) => {
                stats.answered += 1;
                *stats.statuses.entry(status).or_default() += 1;
                if half_close {
                    conn = None;
                }
            }
            Ok(Outcome::Closed) | Err(_) => {
                stats.closed += 1;
                conn = None;
            }
        }
    }
    stats
}

/// Clients that send a request a few bytes at a time, or stop halfway.
async fn slow_client(addr: String, kind: usize, stop: tokio::sync::watch::Receiver<bool>) {
    let Ok(mut s) = TcpStream::connect(&addr).await else { return };
    let body = JSON_SEEDS[0].as_bytes();
    let req = format!("POST /jsonrpc HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n", body.len());
    let mut all = req.into_bytes();
    all.extend_from_slice(body);
    let cut = match kind {
        0 => all.len(),      // slow but complete
        1 => 20,             // stops in the headers
        _ => all.len() - 30, // stops in the body
    };
    for b in &all[..cut] {
        if *stop.borrow() {
            return;
        }
        if s.write_all(&[*b]).await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(15)).await;
    }
    let mut stop = stop;
    let _ = tokio::time::timeout(Duration::from_secs(60), stop.wait_for(|v| *v)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_input_never_takes_the_server_down() {
    let mut sim = Process::spawn(&["--max-body", "1048576"]).expect("starts");
    let addr = sim.url.trim_start_matches("http://").to_string();
    let started = Instant::now();

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let slow: Vec<_> = (0..60).map(|i| tokio::spawn(slow_client(addr.clone(), i % 3, stop_rx.clone()))).collect();

    // Oversized bodies that really are sent.
    for path in ["/", "/jsonrpc"] {
        let mut s = TcpStream::connect(&addr).await.unwrap();
        let big = vec![b'<'; 2 << 20];
        let head = format!("POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n", big.len());
        s.write_all(head.as_bytes()).await.unwrap();
        let _ = s.write_all(&big).await;
        // Either refused with 413 or closed after refusing.
        if let Ok(Outcome::Answered(status)) =
            tokio::time::timeout(Duration::from_secs(15), read_response(&mut s)).await.unwrap()
        {
            assert_eq!(status, 413);
        }
    }

    // The fuzzing, with a normal client checking in all along.
    let per_task = 1_300;
    let tasks: Vec<_> =
        (0..8u64).map(|i| tokio::spawn(fuzzer(addr.clone(), 0x9E37_79B9_7F4A_7C15 ^ (i * 7919), per_task))).collect();
    let url = sim.url.clone();
    let watcher = tokio::spawn(async move {
        let mut worst = Duration::ZERO;
        for _ in 0..20 {
            let t0 = Instant::now();
            let s = root(&url, Protocol::XmlRpc).await;
            assert!(s.vm().get_all().await.unwrap().len() >= 13);
            s.logout().await.unwrap();
            worst = worst.max(t0.elapsed());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        worst
    });
    let mut total = Stats { sent: 0, answered: 0, closed: 0, statuses: Default::default() };
    for t in tasks {
        let s = t.await.unwrap();
        total.sent += s.sent;
        total.answered += s.answered;
        total.closed += s.closed;
        for (k, v) in s.statuses {
            *total.statuses.entry(k).or_default() += v;
        }
    }
    let worst = watcher.await.unwrap();
    assert!(sim.alive(), "the simulator died: {}", sim.stderr.lock().unwrap());

    // Slow clients did not stop anyone; now they go.
    stop_tx.send(true).unwrap();
    for s in slow {
        let _ = s.await;
    }

    // Still serving, in both protocols.
    for p in PROTOCOLS {
        let s = root(&sim.url, p).await;
        let vms = s.vm().get_all_records().await.unwrap();
        assert_eq!(vms.len(), 16, "the default fixture has 16 VMs");
        s.logout().await.unwrap();
    }
    assert!(sim.alive());
    assert!(total.sent >= 10_000);
    assert_eq!(total.sent, total.answered + total.closed);
    eprintln!(
        "{} hostile requests in {:.1?}: {} answered {:?}, {} closed; slowest normal login+call during the storm {:.0?}",
        total.sent,
        started.elapsed(),
        total.answered,
        total.statuses,
        total.closed,
        worst
    );
}
