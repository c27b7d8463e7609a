//! The generic client (`Connection`, `Session`, `Task`, `Events`) against
//! a hand-written server on a loopback port, in both protocols.

mod toy;

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use toy::*;
use xenapi_rt::client::{Connection, Events, Session};
use xenapi_rt::jsonrpc::Version;
use xenapi_rt::server::{Handler, IncomingCall, Reply};
use xenapi_rt::transport::HttpTransport;
use xenapi_rt::types::{EventBatch, Ref};
use xenapi_rt::Protocol;

/// What the toy server knows: sessions, logins, and for each task the
/// statuses it will report in turn (the last one sticks).
#[derive(Default)]
struct State {
    sessions: Mutex<HashSet<String>>,
    logins: AtomicUsize,
    statuses: Mutex<HashMap<String, VecDeque<&'static str>>>,
    polls: AtomicUsize,
    tokens: Mutex<Vec<String>>,
}

struct ToyServer(Arc<State>);

impl ToyServer {
    fn reply(&self, call: &IncomingCall<'_>) -> Result<Reply, Reply> {
        let s = &self.0;
        let method = call.method();
        if method == "session.login_with_password" {
            let pwd: String = call.param(1).map_err(|_| Reply::failure(["FIELD_TYPE_ERROR", "pwd"]))?;
            if pwd != "pw" {
                return Err(Reply::failure(["SESSION_AUTHENTICATION_FAILED", "root", "wrong password"]));
            }
            let n = s.logins.fetch_add(1, Ordering::SeqCst);
            let session = format!("OpaqueRef:session-{n}");
            s.sessions.lock().unwrap().insert(session.clone());
            return Ok(Reply::success(session));
        }
        let session: String = call.param(0).unwrap_or_default();
        if !s.sessions.lock().unwrap().contains(&session) {
            return Err(Reply::failure(["SESSION_INVALID".to_string(), session]));
        }
        let arg = |i: usize| call.param::<String>(i).unwrap_or_default();
        Ok(match method {
            "session.logout" => {
                s.sessions.lock().unwrap().remove(&session);
                Reply::void()
            }
            "VM.get_name_label" => Reply::success(format!("name of {}", arg(1))),
            "VM.get_memory" => Reply::success(xenapi_rt::types::Float(f64::INFINITY)),
            "Async.VM.start" => Reply::success(format!("OpaqueRef:task-{}", arg(1))),
            "task.get_status" => {
                s.polls.fetch_add(1, Ordering::SeqCst);
                let mut all = s.statuses.lock().unwrap();
                let queue = all.entry(arg(1)).or_default();
                let status = if queue.len() > 1 { queue.pop_front() } else { queue.front().copied() };
                Reply::success(status.unwrap_or("pending"))
            }
            "task.get_result" => Reply::success("<value>OpaqueRef:vm-1</value>"),
            "task.get_error_info" => Reply::success(vec!["VM_BAD_POWER_STATE", "OpaqueRef:vm-1", "halted", "running"]),
            "event.from" => {
                let token = arg(2);
                let mut tokens = s.tokens.lock().unwrap();
                tokens.push(token);
                let event: HashMap<String, String> =
                    [("class".to_string(), "vm".to_string()), ("id".to_string(), tokens.len().to_string())].into();
                Reply::success(EventBatch {
                    events: vec![event],
                    token: format!("token-{}", tokens.len()),
                    ..EventBatch::default()
                })
            }
            _ => Reply::failure(["MESSAGE_METHOD_UNKNOWN", method]),
        })
    }
}

impl Handler for ToyServer {
    async fn call(&self, call: IncomingCall<'_>) -> Reply {
        self.reply(&call).unwrap_or_else(|early| early)
    }
}

const PROTOCOLS: [Protocol; 2] = [Protocol::XmlRpc, Protocol::JsonRpc(Version::V2)];

async fn start() -> (Running, Arc<State>) {
    let state = Arc::new(State::default());
    (serve(ToyServer(Arc::clone(&state))).await, state)
}

async fn login(server: &Running, protocol: Protocol) -> Session<Toy, HttpTransport> {
    let conn: Connection<Toy, _> = Connection::new(server.transport(), protocol);
    conn.login_with_password("root", "pw", "1.0", "test").await.unwrap()
}

#[tokio::test]
async fn a_forgotten_session_logs_in_again_and_retries_once() {
    for protocol in PROTOCOLS {
        let (server, state) = start().await;
        let session = login(&server, protocol).await;
        let first = session.session_ref();
        state.sessions.lock().unwrap().clear();
        let name: String = session.call("VM.get_name_label", |c| c.param("OpaqueRef:vm-1")).await.unwrap();
        assert_eq!(name, "name of OpaqueRef:vm-1");
        assert_eq!(state.logins.load(Ordering::SeqCst), 2);
        assert_ne!(session.session_ref(), first);
        assert_eq!(session.protocol(), protocol);
        // Floats travel through `Float`, so infinity survives JSON.
        assert_eq!(session.call_float("VM.get_memory", |c| c).await.unwrap(), f64::INFINITY);
        session.logout().await.unwrap();
        assert!(state.sessions.lock().unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_session_without_the_password_reports_session_invalid() {
    let (server, state) = start().await;
    let conn: Connection<Toy, _> = Connection::new(server.transport(), Protocol::XmlRpc);
    let session = conn.with_session(Ref::new("OpaqueRef:stale"));
    let err = session.call::<String>("VM.get_name_label", |c| c.param("OpaqueRef:vm-1")).await.unwrap_err();
    assert_eq!(err.description(), ["SESSION_INVALID", "OpaqueRef:stale"]);
    assert_eq!(state.logins.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_wrong_password_is_a_typed_error() {
    let (server, _) = start().await;
    let conn: Connection<Toy, _> = Connection::new(server.transport(), Protocol::XmlRpc);
    let err = conn.login_with_password("root", "nope", "1.0", "test").await.unwrap_err();
    assert_eq!(err.description(), ["SESSION_AUTHENTICATION_FAILED", "root", "wrong password"]);
}

#[tokio::test]
async fn a_task_is_waited_through_pending_and_cancelling_to_its_result() {
    for protocol in PROTOCOLS {
        let (server, state) = start().await;
        let session = login(&server, protocol).await;
        state.statuses.lock().unwrap().insert("OpaqueRef:task-ok".into(), ["pending", "cancelling", "success"].into());
        let task = session.start::<Ref<VmClass>>("Async.VM.start", |c| c.param("ok")).await.unwrap();
        assert_eq!(task.task_ref().as_str(), "OpaqueRef:task-ok");
        let vm = task.wait().await.unwrap();
        assert_eq!(vm.as_str(), "OpaqueRef:vm-1");
        assert_eq!(state.polls.load(Ordering::SeqCst), 3);
    }
}

#[tokio::test]
async fn a_failed_task_reports_its_error_info() {
    let (server, state) = start().await;
    let session = login(&server, Protocol::XmlRpc).await;
    state.statuses.lock().unwrap().insert("OpaqueRef:task-bad".into(), ["pending", "failure"].into());
    let task = session.start::<Ref<VmClass>>("Async.VM.start", |c| c.param("bad")).await.unwrap();
    let err = task.wait().await.unwrap_err();
    assert_eq!(err.description(), ["VM_BAD_POWER_STATE", "OpaqueRef:vm-1", "halted", "running"]);
}

#[tokio::test]
async fn a_cancelled_task_is_task_cancelled() {
    let (server, state) = start().await;
    let session = login(&server, Protocol::XmlRpc).await;
    state.statuses.lock().unwrap().insert("OpaqueRef:task-stop".into(), ["cancelled"].into());
    let task = session.start::<()>("Async.VM.start", |c| c.param("stop")).await;
    let err = task.unwrap().wait().await.unwrap_err();
    assert_eq!(err.description(), ["TASK_CANCELLED", "OpaqueRef:task-stop"]);
}

#[tokio::test]
async fn an_unknown_status_ends_the_wait_as_a_failure() {
    let (server, state) = start().await;
    let session = login(&server, Protocol::XmlRpc).await;
    state.statuses.lock().unwrap().insert("OpaqueRef:task-odd".into(), ["exploded"].into());
    let task = session.start::<String>("Async.VM.start", |c| c.param("odd")).await.unwrap();
    assert_eq!(task.wait().await.unwrap_err().description()[0], "VM_BAD_POWER_STATE");
}

#[tokio::test]
async fn events_pass_each_token_to_the_next_call() {
    for protocol in PROTOCOLS {
        let (server, state) = start().await;
        let session = login(&server, protocol).await;
        let mut events: Events<'_, Toy, _> = Events::new(&session, &["vm"], Duration::from_secs(1));
        let first = events.next().await.unwrap();
        let second = events.next().await.unwrap();
        assert_eq!(first[0]["id"], "1");
        assert_eq!(second[0]["id"], "2");
        assert_eq!(*state.tokens.lock().unwrap(), ["", "token-1"]);
    }
}
