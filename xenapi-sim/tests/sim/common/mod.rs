//! Helpers shared by the simulator's tests.
#![allow(dead_code)]

use std::time::Duration;

use xenapi::{Connection, Protocol, Session};
use xenapi_rt::transport::HttpTransport;
pub use xenapi_rt::types::containers::format_compact;
pub use xenapi_rt::types::{Map, Str};
use xenapi_sim::{Config, Sim, User};

/// A simulator served in this process on a free loopback port; stops
/// when dropped.
pub struct Running {
    pub url: String,
    pub sim: Sim,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if !std::thread::panicking() {
            let log = PANICS.lock().unwrap_or_else(|e| e.into_inner()).clone();
            assert_no_panic("in-process", &log);
        }
    }
}

/// Every panic on a runtime worker of this test process, as reported by
/// the hook that [`start`] installs: a panic inside a server task is caught
/// by tokio and would otherwise go unnoticed.
static PANICS: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());

fn watch_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            // Server tasks run on the runtime's workers; a test's own
            // failing assertions (on its own thread) are not recorded.
            let thread = std::thread::current().name().unwrap_or("?").to_string();
            if !thread.starts_with("tokio-") {
                previous(info);
                return;
            }
            PANICS
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push_str(&format!("thread '{thread}' panicked at {info}\n"));
            previous(info);
        }));
    });
}

/// Fails when a simulator's log reports a panic.
pub fn assert_no_panic(which: &str, log: &str) {
    assert!(!log.contains("panicked at"), "the {which} simulator panicked:\n{log}");
}

/// Users every in-process test has.
pub fn users() -> Vec<User> {
    vec![
        User::parse("root:xenroot").unwrap(),
        User::parse("viewer:secret:read-only").unwrap(),
        User::parse("operator:op:vm-operator").unwrap(),
    ]
}

pub async fn start(mut config: Config) -> Running {
    watch_panics();
    if config.users.is_empty() {
        config.users = users();
    }
    let sim = Sim::new(config).expect("simulator starts");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let served = sim.handle();
    tokio::spawn(async move {
        let _ = served
            .serve(listener, async move {
                let _ = rx.await;
            })
            .await;
    });
    Running { url, sim, stop: Some(tx) }
}

/// Default settings with quick tasks.
pub fn quick() -> Config {
    Config { task_delay: Duration::from_millis(20), ..Config::default() }
}

pub const PROTOCOLS: [Protocol; 3] = [
    Protocol::XmlRpc,
    Protocol::JsonRpc(xenapi_rt::jsonrpc::Version::V2),
    Protocol::JsonRpc(xenapi_rt::jsonrpc::Version::V1),
];

pub async fn login(
    url: &str,
    protocol: Protocol,
    user: &str,
    pwd: &str,
) -> Result<Session<HttpTransport>, xenapi::Error> {
    Connection::new(HttpTransport::new(url).unwrap(), protocol)
        .login_with_password(user, pwd, "1.0", "xenapi-sim tests")
        .await
}

pub async fn root(url: &str, protocol: Protocol) -> Session<HttpTransport> {
    login(url, protocol, "root", "xenroot").await.expect("login")
}

/// The error description (code, params...) of a failed call.
pub fn desc<T: std::fmt::Debug>(r: Result<T, xenapi::Error>) -> Vec<String> {
    match r {
        Ok(v) => panic!("expected an API error, got {v:?}"),
        Err(xenapi::Error::Api(e)) => e.to_description(),
        Err(e) => panic!("expected an API error, got {e}"),
    }
}

/// A string map for a call, from literal pairs.
pub fn str_map(pairs: &[(&str, &str)]) -> Map<Str, Str> {
    pairs.iter().map(|&(k, v)| (Str::from(k), Str::from(v))).collect()
}

/// A raw client, for calls the typed client cannot make (wrong types,
/// wrong parameter counts).
pub fn raw(url: &str, protocol: Protocol) -> xenapi_rt::Client<HttpTransport> {
    xenapi_rt::Client::new(HttpTransport::new(url).unwrap(), protocol)
}

pub fn raw_desc<T: std::fmt::Debug>(r: Result<T, xenapi_rt::CallError>) -> Vec<String> {
    match r {
        Err(xenapi_rt::CallError::Failure { code, params }) => std::iter::once(code).chain(params).collect(),
        other => panic!("expected an API failure, got {other:?}"),
    }
}

/// The simulator binary running in its own process.
pub struct Process {
    pub child: std::process::Child,
    pub url: String,
    pub stderr: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Process {
    /// Starts `xenapi-sim --listen 127.0.0.1:0 ARGS...` and waits until it
    /// listens. `Err` holds what it printed when it did not start.
    // The child is waited for on every path: here when it exits early,
    // else by `Drop`.
    #[allow(clippy::zombie_processes)]
    pub fn spawn(args: &[&str]) -> Result<Process, (Option<i32>, String)> {
        use std::io::{BufRead, BufReader, Read};
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_xenapi-sim"))
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("simulator binary runs");
        let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let mut err_pipe = child.stderr.take().unwrap();
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err_pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        loop {
            line.clear();
            if out.read_line(&mut line).unwrap_or(0) == 0 {
                let code = child.wait().ok().and_then(|s| s.code());
                std::thread::sleep(Duration::from_millis(100));
                let err = stderr.lock().unwrap().clone();
                return Err((code, err));
            }
            if let Some(rest) = line.split("listening on http://").nth(1) {
                let addr = rest.split('/').next().unwrap().to_string();
                std::thread::spawn(move || {
                    let mut sink = String::new();
                    let _ = out.read_to_string(&mut sink);
                });
                return Ok(Process { child, url: format!("http://{addr}"), stderr });
            }
        }
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        self.child.try_wait().map(|s| s.is_none()).unwrap_or(false)
    }

    /// SIGKILL, and wait.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill9();
        if !std::thread::panicking() {
            // Let the reader take the last of the log.
            std::thread::sleep(Duration::from_millis(50));
            let log = self.stderr.lock().unwrap_or_else(|e| e.into_inner()).clone();
            assert_no_panic("spawned", &log);
        }
    }
}
