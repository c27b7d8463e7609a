//! A tiny API for the generic client and server tests: what a generated
//! crate supplies through `xenapi_rt::Schema`, written by hand, and a
//! helper that serves a handler on a loopback port.

#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use xenapi_rt::server::{Handler, Server};
use xenapi_rt::transport::HttpTransport;
use xenapi_rt::types::Class;
use xenapi_rt::{ApiFailure, CallError, Schema, TaskState};

/// The toy API.
#[derive(Debug)]
pub enum Toy {}

/// Its session class.
#[derive(Debug)]
pub enum SessionClass {}
impl Class for SessionClass {
    const NAME: &'static str = "session";
}

/// Its task class.
#[derive(Debug)]
pub enum TaskClass {}
impl Class for TaskClass {
    const NAME: &'static str = "task";
}

/// Its VM class.
#[derive(Debug)]
pub enum VmClass {}
impl Class for VmClass {
    const NAME: &'static str = "VM";
}

/// The typed API error: kept as its description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToyError(pub Vec<String>);

impl ToyError {
    pub fn new(code: &str, params: &[&str]) -> ToyError {
        ToyError(std::iter::once(code).chain(params.iter().copied()).map(str::to_string).collect())
    }
}

impl ApiFailure for ToyError {
    fn from_description(description: &[String]) -> Self {
        ToyError(description.to_vec())
    }
    fn to_description(&self) -> Vec<String> {
        self.0.clone()
    }
}

/// The error of client calls, shaped like a generated crate's.
#[derive(Debug)]
pub enum ToyCallError {
    Api(ToyError),
    Call(CallError),
}

impl ToyCallError {
    /// The API error's description, or a panic naming what came instead.
    pub fn description(&self) -> Vec<&str> {
        match self {
            ToyCallError::Api(e) => e.0.iter().map(String::as_str).collect(),
            ToyCallError::Call(e) => panic!("expected an API error, got {e}"),
        }
    }
}

impl From<CallError> for ToyCallError {
    fn from(e: CallError) -> Self {
        match e {
            CallError::Failure { code, params } => {
                ToyCallError::Api(ToyError(std::iter::once(code).chain(params).collect()))
            }
            other => ToyCallError::Call(other),
        }
    }
}

impl Schema for Toy {
    type ApiError = ToyError;
    type Error = ToyCallError;
    type Session = SessionClass;
    type Task = TaskClass;
    type TaskStatus = String;
    type Event = HashMap<String, String>;

    fn task_state(status: &String) -> TaskState {
        match status.as_str() {
            "pending" | "cancelling" => TaskState::Running,
            "success" => TaskState::Succeeded,
            "cancelled" => TaskState::Cancelled,
            _ => TaskState::Failed,
        }
    }
}

/// A server running `handler` on a loopback port until dropped.
pub struct Running {
    pub addr: SocketAddr,
    _stop: oneshot::Sender<()>,
}

impl Running {
    pub fn transport(&self) -> HttpTransport {
        HttpTransport::new(&format!("http://{}/", self.addr)).unwrap()
    }
}

pub async fn serve<H: Handler>(handler: H) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = Server::new(handler);
    tokio::spawn(async move {
        server
            .serve(listener, async {
                let _ = stopped.await;
            })
            .await
    });
    Running { addr, _stop: stop }
}
