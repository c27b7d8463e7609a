//! [`Task`]: waiting for the result of an `Async.` call.

use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use serde::de::DeserializeOwned;

use super::Session;
use crate::schema::{Schema, TaskRef, TaskState};
use crate::transport::Transport;
use crate::CallError;

/// The first pause between two status polls; it doubles up to
/// [`LONGEST_POLL`].
const FIRST_POLL: Duration = Duration::from_millis(20);
const LONGEST_POLL: Duration = Duration::from_millis(500);

/// A server task started by an `Async.` call, with the result type `R` of
/// the message it runs.
pub struct Task<'s, A: Schema, T, R> {
    session: &'s Session<A, T>,
    task: TaskRef<A>,
    result: PhantomData<fn() -> R>,
}

impl<A: Schema, T, R> fmt::Debug for Task<'_, A, T, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Task").field("task", &self.task).finish_non_exhaustive()
    }
}

impl<'s, A: Schema, T: Transport, R: DeserializeOwned> Task<'s, A, T, R> {
    /// The task `task`, to be watched through `session`.
    pub fn new(session: &'s Session<A, T>, task: TaskRef<A>) -> Self {
        Task { session, task, result: PhantomData }
    }

    /// The task's reference, to watch it with events or cancel it.
    pub fn task_ref(&self) -> &TaskRef<A> {
        &self.task
    }

    /// Waits until the task ends, polling its status, and returns the
    /// result of the message (or the error the task ended with: its
    /// `error_info`, or TASK_CANCELLED).
    pub async fn wait(&self) -> Result<R, A::Error> {
        let mut delay = FIRST_POLL;
        loop {
            let status: A::TaskStatus = self.session.call("task.get_status", |c| c.param(&self.task)).await?;
            match A::task_state(&status) {
                TaskState::Running => {}
                TaskState::Succeeded => {
                    let text: String = self.session.call("task.get_result", |c| c.param(&self.task)).await?;
                    return Ok(decode_task_result(&text)?);
                }
                TaskState::Cancelled => {
                    let params = vec![self.task.to_string()];
                    return Err(CallError::Failure { code: "TASK_CANCELLED".into(), params }.into());
                }
                TaskState::Failed => {
                    let info: Vec<String> = self.session.call("task.get_error_info", |c| c.param(&self.task)).await?;
                    return Err(task_failure(info).into());
                }
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(LONGEST_POLL);
        }
    }
}

/// The error a failed task reports through its `error_info`; an empty
/// list is an error with an empty code, as the typed error reads it.
fn task_failure(info: Vec<String>) -> CallError {
    if info.is_empty() {
        return CallError::Failure { code: String::new(), params: Vec::new() };
    }
    CallError::from_description(info)
}

/// A task's result is the XML-RPC encoding of the message's result (empty
/// for `void`).
pub(crate) fn decode_task_result<R: DeserializeOwned>(text: &str) -> Result<R, CallError> {
    let text = text.trim();
    let text = if text.is_empty() { "<value></value>" } else { text };
    Ok(crate::xmlrpc::decode_value(text.as_bytes())?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_decode_from_xml_rpc_values() {
        let r: String = decode_task_result("<value>OpaqueRef:1</value>").unwrap();
        assert_eq!(r, "OpaqueRef:1");
        let n: i64 = decode_task_result(" <value><string>42</string></value>\n").unwrap();
        assert_eq!(n, 42);
        decode_task_result::<crate::types::Void>("").unwrap();
        assert!(matches!(decode_task_result::<i64>("<value><struct>"), Err(CallError::Decode(_))));
    }

    #[test]
    fn failures_keep_their_code_and_params() {
        let e = task_failure(vec!["VM_BAD_POWER_STATE".into(), "OpaqueRef:v".into()]);
        assert_eq!(e.code(), Some("VM_BAD_POWER_STATE"));
        assert_eq!(task_failure(Vec::new()).code(), Some(""));
    }
}
