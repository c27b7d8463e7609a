//! What the runtime's generic client and server need to know about one
//! generated API, and nothing more.
//!
//! The session logic ([`crate::client::Session`]), task waiting
//! ([`crate::client::Task`]), event polling ([`crate::client::Events`])
//! and the server's store, backend hooks and dispatcher glue
//! ([`crate::server`]) are written once here. The types they depend on
//! (the typed error of the API, the session and task classes, the task
//! status enum, the event record) come from the schema, so a generated
//! crate names them by implementing [`Schema`] on a marker type.

use serde::de::DeserializeOwned;

use crate::types::Class;
use crate::CallError;

/// The schema-decided types the runtime's client and server work with.
/// Generated crates implement it on an uninhabited marker (`xenapi::Schema`).
pub trait Schema: Sized + Send + Sync + 'static {
    /// The typed error of the API (`ApiError`): what server code returns.
    type ApiError: ApiFailure + Send + 'static;
    /// The error of client calls (`Error`): an API error or a failed call.
    type Error: From<CallError> + Send + 'static;
    /// The class marker of sessions; session references are `Ref<Session>`.
    type Session: Class;
    /// The class marker of tasks; task references are `Ref<Task>`.
    type Task: Class;
    /// The enum `task.get_status` returns.
    type TaskStatus: DeserializeOwned;
    /// The record `event.from` lists (`EventRecord`).
    type Event: DeserializeOwned;

    /// How far a task with this status has got.
    fn task_state(status: &Self::TaskStatus) -> TaskState;
}

/// A typed API error that converts to and from the wire's error
/// description: the error code, then its parameters.
pub trait ApiFailure: Sized {
    /// The typed error for a description (unknown codes kept as sent).
    fn from_description(description: &[String]) -> Self;
    /// The description that travels on the wire.
    fn to_description(&self) -> Vec<String>;
}

/// Where a server task stands, as [`crate::client::Task::wait`] needs to
/// know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskState {
    /// Still running: pending, or asked to cancel but not stopped yet
    /// (it may still end either way).
    Running,
    /// Ended with a result.
    Succeeded,
    /// Cancelled before it finished.
    Cancelled,
    /// Ended with an error (or in a status this version does not know).
    Failed,
}

/// The session reference type of a schema.
pub type SessionRef<A> = crate::types::Ref<<A as Schema>::Session>;
/// The task reference type of a schema.
pub type TaskRef<A> = crate::types::Ref<<A as Schema>::Task>;
