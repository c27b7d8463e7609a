//! Server throughput: `VM.get_record` over loopback keep-alive HTTP.
//!
//! Serves a backend whose store holds 100 fully populated VMs (the records
//! of the codec bench, about 14 KB of XML-RPC each) on 127.0.0.1:0 and
//! drives it from several concurrent client connections until a call count
//! or a time limit is reached, whichever comes first; then prints calls/s.
//! Client and server share the machine (and, by default, its cores).
//!
//! ```text
//! cargo bench -p xenapi-tests --bench server_load -- [options]
//!   --client typed|raw   typed: the generated client (`session.vm().get_record`,
//!                        reply decoded into a VmRecord); raw: pre-encoded
//!                        request bytes, reply read but not decoded   [typed]
//!   --proto xml|json     wire protocol                               [xml]
//!   --conns N            concurrent connections (one task each)      [16]
//!   --secs S             time limit                                  [10]
//!   --calls N            call limit                                  [2000000]
//!   --server-threads N   tokio worker threads of the server          [2]
//!   --client-threads N   tokio worker threads of the client          [2]
//!   --serve-secs S       only serve for S seconds (for wrk); with
//!   --wrk-lua PATH       write a wrk script POSTing VM.get_record there
//! ```
//!
//! Without `--bench` (that is, when `cargo test --benches` runs it) it
//! makes a few hundred calls as a smoke test. Nothing here asserts timings.

mod common;

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use xenapi::server::Backend;
use xenapi::{ApiError, SessionRef, VmRecord, VmRef};
use xenapi_rt::jsonrpc;
use xenapi_rt::transport::HttpTransport;
use xenapi_rt::types::Ref;
use xenapi_rt::Protocol;
use xenapi_tests::mem::MemStore;

// ------------------------------------------------------------ the backend

#[derive(Default)]
struct BenchBackend {
    store: MemStore,
    sessions: RwLock<HashSet<String>>,
    next_session: AtomicU64,
}

impl Backend for BenchBackend {
    type Ctx = ();
    type Store = MemStore;

    fn store(&self) -> &MemStore {
        &self.store
    }

    async fn authenticate(&self, _method: &'static str, session: &SessionRef) -> Result<(), ApiError> {
        let known = self.sessions.read().unwrap_or_else(|e| e.into_inner()).contains(session.as_str());
        if known {
            Ok(())
        } else {
            Err(ApiError::SessionInvalid { handle: session.to_string() })
        }
    }
}

impl xenapi::SessionServer for BenchBackend {
    async fn login_with_password(
        &self,
        _uname: xenapi_rt::types::Str,
        _pwd: xenapi_rt::types::Str,
        _version: xenapi_rt::types::Str,
        _originator: xenapi_rt::types::Str,
    ) -> Result<SessionRef, ApiError> {
        let n = self.next_session.fetch_add(1, Ordering::Relaxed);
        let s = format!("OpaqueRef:session-{n}");
        self.sessions.write().unwrap_or_else(|e| e.into_inner()).insert(s.clone());
        Ok(Ref::new(s))
    }
}

macro_rules! default_servers {
    ($($t:ident),* $(,)?) => { $(impl xenapi::$t for BenchBackend {})* };
}

default_servers!(
    BondServer,
    CertificateServer,
    ClusterServer,
    ClusterHostServer,
    DrTaskServer,
    FeatureServer,
    GpuGroupServer,
    LvhdServer,
    ObserverServer,
    PbdServer,
    PciServer,
    PgpuServer,
    PifServer,
    PifMetricsServer,
    PusbServer,
    PvsCacheStorageServer,
    PvsProxyServer,
    PvsServerServer,
    PvsSiteServer,
    RepositoryServer,
    SdnControllerServer,
    SmServer,
    SrServer,
    UsbGroupServer,
    VbdServer,
    VbdMetricsServer,
    VdiServer,
    VgpuServer,
    VgpuTypeServer,
    VifServer,
    VifMetricsServer,
    VlanServer,
    VmServer,
    VmppServer,
    VmssServer,
    VmApplianceServer,
    VmGuestMetricsServer,
    VmMetricsServer,
    VtpmServer,
    VusbServer,
    AuthServer,
    BlobServer,
    ConsoleServer,
    CrashdumpServer,
    DataSourceServer,
    EventServer,
    HostServer,
    HostCpuServer,
    HostCrashdumpServer,
    HostMetricsServer,
    HostPatchServer,
    MessageServer,
    NetworkServer,
    NetworkSriovServer,
    PoolServer,
    PoolPatchServer,
    PoolUpdateServer,
    ProbeResultServer,
    RoleServer,
    SecretServer,
    SrStatServer,
    SubjectServer,
    TaskServer,
    TunnelServer,
    UserServer,
    VdiNbdServerInfoServer,
    VmGroupServer,
    HostDriverServer,
    DriverVariantServer,
    CallerServer,
    RateLimitServer,
);

// ------------------------------------------------------------ options

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum ClientKind {
    Typed,
    Raw,
}

#[derive(Clone, Debug)]
struct Options {
    bench: bool,
    client: ClientKind,
    json: bool,
    conns: usize,
    secs: f64,
    calls: u64,
    server_threads: usize,
    client_threads: usize,
    serve_secs: Option<f64>,
    wrk_lua: Option<String>,
    vms: usize,
}

fn options() -> Options {
    let mut o = Options {
        bench: false,
        client: ClientKind::Typed,
        json: false,
        conns: 16,
        secs: 10.0,
        calls: 2_000_000,
        server_threads: 2,
        client_threads: 2,
        serve_secs: None,
        wrk_lua: None,
        vms: 100,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--bench" => o.bench = true,
            "--client" => {
                o.client = match val().as_str() {
                    "typed" => ClientKind::Typed,
                    "raw" => ClientKind::Raw,
                    other => panic!("--client typed|raw, not {other}"),
                }
            }
            "--proto" => o.json = val() == "json",
            "--conns" => o.conns = val().parse().expect("--conns N"),
            "--secs" => o.secs = val().parse().expect("--secs S"),
            "--calls" => o.calls = val().parse().expect("--calls N"),
            "--server-threads" => o.server_threads = val().parse().expect("--server-threads N"),
            "--client-threads" => o.client_threads = val().parse().expect("--client-threads N"),
            "--serve-secs" => o.serve_secs = Some(val().parse().expect("--serve-secs S")),
            "--wrk-lua" => o.wrk_lua = Some(val()),
            "--vms" => o.vms = val().parse().expect("--vms N"),
            // Flags cargo or criterion conventions may pass along.
            _ if a.starts_with("--") => {}
            _ => {}
        }
    }
    if !o.bench {
        // Smoke test under `cargo test --benches`.
        o.conns = 2;
        o.calls = 200;
        o.secs = 5.0;
    }
    o
}

// ------------------------------------------------------------ the server

struct Served {
    addr: SocketAddr,
    vm_refs: Vec<String>,
    stop: tokio::sync::oneshot::Sender<()>,
    thread: std::thread::JoinHandle<()>,
}

/// A backend holding `o.vms` VM records, and their references in order.
fn backend_with_vms(o: &Options) -> (BenchBackend, Vec<String>) {
    let backend = BenchBackend::default();
    let value = common::all_records_value(o.vms);
    let mut xml = String::new();
    common::write_xml(&mut xml, &value);
    let records: HashMap<VmRef, VmRecord> = xenapi_rt::xmlrpc::decode_value(xml.as_bytes()).expect("VM records decode");
    let mut vm_refs: Vec<String> = records.keys().map(|r| r.as_str().to_string()).collect();
    vm_refs.sort();
    for (r, rec) in records {
        backend.store.insert(&r, rec);
    }
    (backend, vm_refs)
}

fn start_server(o: &Options) -> Served {
    let (backend, vm_refs) = backend_with_vms(o);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(o.server_threads)
        .thread_name("server")
        .enable_all()
        .build()
        .expect("server runtime");
    let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let server = xenapi_rt::server::Server::new(xenapi::server::Dispatcher(Arc::new(backend)));
        rt.block_on(async move {
            let _ = server
                .serve(listener, async move {
                    let _ = stopped.await;
                })
                .await;
        });
        rt.shutdown_timeout(Duration::from_secs(1));
    });
    Served { addr, vm_refs, stop, thread }
}

// ------------------------------------------------------------ the clients

struct Shared {
    done: AtomicU64,
    errors: AtomicU64,
    limit: u64,
    deadline: Instant,
}

impl Shared {
    /// Claims the next call; false once the count or time limit is hit.
    fn claim(&self) -> bool {
        if Instant::now() >= self.deadline {
            return false;
        }
        self.done.fetch_add(1, Ordering::Relaxed) < self.limit
    }
}

fn protocol(o: &Options) -> Protocol {
    if o.json {
        Protocol::JsonRpc(jsonrpc::Version::V2)
    } else {
        Protocol::XmlRpc
    }
}

async fn typed_client(url: String, proto: Protocol, vms: Arc<Vec<VmRef>>, k: usize, shared: Arc<Shared>) {
    let transport = HttpTransport::new(&url).expect("transport");
    let session = xenapi::Connection::new(transport, proto)
        .login_with_password("root", "bench", "1.0", "server_load")
        .await
        .expect("login");
    let mut i = k;
    while shared.claim() {
        let vm = &vms[i % vms.len()];
        i += 1;
        match session.vm().get_record(vm).await {
            Ok(rec) if !rec.uuid.is_empty() => {}
            _ => {
                shared.errors.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// A bare HTTP/1.1 keep-alive client: writes pre-encoded requests and reads
/// each reply through its Content-Length, checking only the status line
/// and that the API call succeeded.
async fn raw_client(addr: SocketAddr, requests: Arc<Vec<Vec<u8>>>, json: bool, k: usize, shared: Arc<Shared>) {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let _ = stream.set_nodelay(true);
    let mut buf: Vec<u8> = Vec::with_capacity(64 << 10);
    let mut i = k;
    let ok_marker: &[u8] = if json { b"\"result\"" } else { b"<value>Success</value>" };
    while shared.claim() {
        let req = &requests[i % requests.len()];
        i += 1;
        stream.write_all(req).await.expect("write request");
        buf.clear();
        // Read the head.
        let head_end = loop {
            if let Some(p) = find(&buf, b"\r\n\r\n") {
                break p + 4;
            }
            let mut chunk = [0u8; 16 << 10];
            let n = stream.read(&mut chunk).await.expect("read reply");
            assert!(n > 0, "server closed the connection");
            buf.extend_from_slice(&chunk[..n]);
        };
        let head = std::str::from_utf8(&buf[..head_end]).expect("ASCII head");
        let len: usize = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length").then(|| v.trim().parse().ok())?
            })
            .expect("Content-Length");
        let ok_status = head.starts_with("HTTP/1.1 200");
        while buf.len() < head_end + len {
            let mut chunk = [0u8; 16 << 10];
            let n = stream.read(&mut chunk).await.expect("read reply");
            assert!(n > 0, "server closed the connection");
            buf.extend_from_slice(&chunk[..n]);
        }
        let body = &buf[head_end..head_end + len];
        let window = &body[..body.len().min(200)];
        if !ok_status || find(window, ok_marker).is_none() {
            shared.errors.fetch_add(1, Ordering::Relaxed);
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn request_body(json: bool, session: &str, vm: &str) -> Vec<u8> {
    if json {
        let mut w = jsonrpc::CallWriter::begin("VM.get_record", 1, jsonrpc::Version::V2);
        w.param(session).unwrap().param(vm).unwrap();
        w.finish()
    } else {
        let mut w = xenapi_rt::xmlrpc::CallWriter::begin("VM.get_record");
        w.param(session).unwrap().param(vm).unwrap();
        w.finish()
    }
}

fn http_request(addr: SocketAddr, json: bool, body: &[u8]) -> Vec<u8> {
    let (path, ctype) = if json { ("/jsonrpc", "application/json") } else { ("/", "text/xml") };
    let mut req = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    req.extend_from_slice(body);
    req
}

async fn login(url: &str, proto: Protocol) -> String {
    let transport = HttpTransport::new(url).expect("transport");
    let session = xenapi::Connection::new(transport, proto)
        .login_with_password("root", "bench", "1.0", "server_load")
        .await
        .expect("login");
    // Check once that the call works at all.
    session.session_ref().into_string()
}

/// The server's own cost per call, without HTTP or sockets: the same
/// request bodies answered through `Server::handle_bytes` on one thread.
fn in_process(o: &Options, session: &str, vm_refs: &[String]) {
    // A second backend with the same VMs and the session the clients use.
    let (backend, _) = backend_with_vms(o);
    backend.sessions.write().unwrap().insert(session.to_string());
    let server = xenapi_rt::server::Server::new(xenapi::server::Dispatcher(Arc::new(backend)));
    let bodies: Vec<Vec<u8>> = vm_refs.iter().map(|vm| request_body(o.json, session, vm)).collect();
    let path = if o.json { "/jsonrpc" } else { "/" };
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    let n = 20_000;
    let mut bytes = 0usize;
    let start = Instant::now();
    rt.block_on(async {
        for i in 0..n {
            let reply = server.handle_bytes(path, &bodies[i % bodies.len()]).await;
            assert_eq!(reply.status, 200);
            bytes += reply.body.len();
        }
    });
    let per_call = start.elapsed().as_secs_f64() / n as f64;
    println!(
        "INPROC server handle_bytes VM.get_record proto={}: {:.1} us/call ({:.0} calls/s on one thread), reply {} bytes",
        if o.json { "json" } else { "xml" },
        per_call * 1e6,
        1.0 / per_call,
        bytes / n
    );
}

fn main() {
    let o = options();
    let served = start_server(&o);
    let url = format!("http://{}/", served.addr);
    let proto = protocol(&o);
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(o.client_threads)
        .thread_name("client")
        .enable_all()
        .build()
        .expect("client runtime");

    let session = client_rt.block_on(login(&url, proto));
    // A first call through the typed client proves the setup works.
    client_rt.block_on(async {
        let transport = HttpTransport::new(&url).expect("transport");
        let s = xenapi::Connection::new(transport, proto).with_session(Ref::new(session.clone()));
        let rec = s.vm().get_record(&VmRef::new(served.vm_refs[0].clone())).await.expect("VM.get_record works");
        assert!(!rec.uuid.is_empty());
    });

    if o.bench && o.serve_secs.is_none() {
        in_process(&o, &session, &served.vm_refs);
        if std::env::args().any(|a| a == "--inproc-only") {
            return;
        }
    }

    if let Some(secs) = o.serve_secs {
        if let Some(path) = &o.wrk_lua {
            let body = request_body(o.json, &session, &served.vm_refs[0]);
            let body = String::from_utf8(body).expect("UTF-8 body");
            let (path_url, ctype) = if o.json { ("/jsonrpc", "application/json") } else { ("/", "text/xml") };
            let lua = format!(
                "wrk.method = \"POST\"\nwrk.path = \"{path_url}\"\n\
                 wrk.headers[\"Content-Type\"] = \"{ctype}\"\nwrk.body = [==[{body}]==]\n"
            );
            std::fs::write(path, lua).expect("write the wrk script");
        }
        println!("LISTEN {url}");
        std::thread::sleep(Duration::from_secs_f64(secs));
        let _ = served.stop.send(());
        let _ = served.thread.join();
        return;
    }

    let shared = Arc::new(Shared {
        done: AtomicU64::new(0),
        errors: AtomicU64::new(0),
        limit: o.calls,
        deadline: Instant::now() + Duration::from_secs_f64(o.secs),
    });
    let vms: Arc<Vec<VmRef>> = Arc::new(served.vm_refs.iter().map(|r| VmRef::new(r.clone())).collect());
    let requests: Arc<Vec<Vec<u8>>> = Arc::new(
        served
            .vm_refs
            .iter()
            .map(|vm| http_request(served.addr, o.json, &request_body(o.json, &session, vm)))
            .collect(),
    );
    let start = Instant::now();
    client_rt.block_on(async {
        let mut tasks = Vec::new();
        for k in 0..o.conns {
            let shared = shared.clone();
            tasks.push(match o.client {
                ClientKind::Typed => tokio::spawn(typed_client(url.clone(), proto, vms.clone(), k, shared)),
                ClientKind::Raw => tokio::spawn(raw_client(served.addr, requests.clone(), o.json, k, shared)),
            });
        }
        for t in tasks {
            t.await.expect("client task");
        }
    });
    let elapsed = start.elapsed().as_secs_f64();
    // Claims past the call limit were refused, not made.
    let made = shared.done.load(Ordering::Relaxed).min(o.calls);
    let errors = shared.errors.load(Ordering::Relaxed);
    drop(client_rt);
    let _ = served.stop.send(());
    let _ = served.thread.join();
    let rate = made as f64 / elapsed;
    println!(
        "RESULT server_load client={:?} proto={} conns={} server_threads={} client_threads={} \
         calls={made} errors={errors} secs={elapsed:.2} calls_per_sec={rate:.0}",
        o.client,
        if o.json { "json" } else { "xml" },
        o.conns,
        o.server_threads,
        o.client_threads,
    );
    assert_eq!(errors, 0, "some calls failed");
}
