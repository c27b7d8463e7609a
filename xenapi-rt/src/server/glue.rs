//! The steps generated dispatchers are made of, so that each dispatcher
//! arm stays a few lines: check the parameter count, the session and the
//! caller's roles, decode each parameter, run the message (or start it as
//! a task) and word the answer.
//!
//! A step returns `Err(reply)` to answer early (wrong parameter count, bad
//! session, missing role, a parameter of the wrong type) and `Ok(..)` to
//! go on. The errors these steps raise themselves have fixed wire forms,
//! which are written here; errors from the backend are the schema's typed
//! errors, worded by [`ApiFailure::to_description`].

use std::future::Future;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::backend::{Backend, BackendError, SchemaOf};
use super::{IncomingCall, Reply};
use crate::schema::{ApiFailure, SessionRef};
use crate::types::Void;

/// Checks the parameter count as xapi does; MESSAGE_PARAMETER_COUNT_MISMATCH
/// otherwise. A message whose last `all - required` parameters have
/// defaults takes at least `required` parameters (the defaults fill the
/// rest, and any beyond `all` are ignored); any other takes exactly `all`.
/// Like xapi, the error counts the parameters without the session
/// (`session` says whether the message takes one), and names as expected
/// the parameters that have no default.
pub fn arity(call: &IncomingCall<'_>, method: &str, required: usize, all: usize, session: bool) -> Result<(), Reply> {
    let got = call.param_count();
    if got == all || (required < all && got >= required) {
        return Ok(());
    }
    // With the session counted out, a call of no parameters at all
    // received -1, as xapi says.
    let received = i64::try_from(got).unwrap_or(i64::MAX) - i64::from(session);
    let expected = required.saturating_sub(usize::from(session));
    Err(Reply::failure([
        "MESSAGE_PARAMETER_COUNT_MISMATCH".to_string(),
        method.to_string(),
        expected.to_string(),
        received.to_string(),
    ]))
}

/// The first steps of a call that takes a session: the parameter count,
/// the session (SESSION_INVALID) and the caller's roles
/// (RBAC_PERMISSION_DENIED, through [`Backend::authorize`]).
pub async fn begin<S: Backend>(
    s: &Arc<S>,
    call: &IncomingCall<'_>,
    method: &'static str,
    (required, all): (usize, usize),
    roles: &'static [&'static str],
) -> Result<S::Ctx, Reply> {
    arity(call, method, required, all, true)?;
    let session: SessionRef<SchemaOf<S>> = call.param(0).map_err(|_| Reply::failure(["SESSION_INVALID", ""]))?;
    let ctx = s.authenticate(method, &session).await.map_err(failure)?;
    s.authorize(&ctx, method, roles).map_err(failure)?;
    Ok(ctx)
}

/// Decodes parameter `index`; FIELD_TYPE_ERROR naming it when it has the
/// wrong type.
pub fn param<T: DeserializeOwned>(call: &IncomingCall<'_>, index: usize, name: &str) -> Result<T, Reply> {
    call.param(index).map_err(|_| Reply::failure(["FIELD_TYPE_ERROR", name]))
}

/// Decodes parameter `index`, or gives `default` (the schema's) when the
/// call left that trailing parameter out.
pub fn param_or<T: DeserializeOwned>(
    call: &IncomingCall<'_>,
    index: usize,
    name: &str,
    default: T,
) -> Result<T, Reply> {
    if index < call.param_count() {
        param(call, index, name)
    } else {
        Ok(default)
    }
}

/// The answer to a call that ran.
pub fn done<T: Serialize + Send + 'static, E: ApiFailure>(r: Result<T, E>) -> Result<Reply, Reply> {
    Ok(reply(r))
}

/// NOT_IMPLEMENTED for `method`, as a typed error.
pub(crate) fn not_implemented_error<E: ApiFailure>(method: &str) -> E {
    E::from_description(&["NOT_IMPLEMENTED".to_string(), method.to_string()])
}

/// What an explicit message answers until the backend implements it:
/// NOT_IMPLEMENTED.
pub fn not_implemented<T, E: ApiFailure>(method: &str) -> std::future::Ready<Result<T, E>> {
    std::future::ready(Err(not_implemented_error(method)))
}

/// `()` as the wire's void.
pub fn void(_: ()) -> Void {
    Void
}

/// Runs an `Async.` call through [`Backend::spawn_task`] and answers with
/// the task; `work` gets its own handles on the backend and the caller.
pub async fn spawn<S, T, W, F>(
    s: &Arc<S>,
    ctx: &S::Ctx,
    method: &'static str,
    target: Option<String>,
    work: W,
) -> Result<Reply, Reply>
where
    S: Backend,
    T: Serialize,
    W: FnOnce(Arc<S>, S::Ctx) -> F,
    F: Future<Output = Result<T, BackendError<S>>> + Send + 'static,
{
    let work = work(Arc::clone(s), ctx.clone());
    let work = async move { work.await.map(|v| task_result(&v)) };
    Ok(reply(s.spawn_task(ctx, method, target, Box::pin(work)).await))
}

/// MESSAGE_METHOD_UNKNOWN for the method of `call`.
pub fn unknown(call: &IncomingCall<'_>) -> Reply {
    Reply::failure(["MESSAGE_METHOD_UNKNOWN", call.method()])
}

/// The answer to a result: the value, or the error's description.
pub fn reply<T: Serialize + Send + 'static, E: ApiFailure>(r: Result<T, E>) -> Reply {
    match r {
        Ok(v) => Reply::success(v),
        Err(e) => failure(e),
    }
}

/// The answer carrying an API error.
pub fn failure<E: ApiFailure>(e: E) -> Reply {
    Reply::failure(e.to_description())
}

/// The XML-RPC encoding of a result, as a task's `result` field holds it.
/// A string (a ref, most often) is written as a bare `<value>` the way
/// xapi writes it, so that clients that cut the tags off get the string.
pub fn task_result<T: Serialize>(value: &T) -> String {
    let text = match crate::xmlrpc::to_vec(value) {
        Ok(bytes) => String::from_utf8(bytes).unwrap_or_default(),
        Err(_) => String::new(),
    };
    match text.strip_prefix("<value><string>").and_then(|t| t.strip_suffix("</string></value>")) {
        Some(inner) if !inner.contains('<') => format!("<value>{inner}</value>"),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_bare_values_in_task_results() {
        assert_eq!(task_result(&"OpaqueRef:1"), "<value>OpaqueRef:1</value>");
        assert_eq!(task_result(&"a<b"), "<value>a&lt;b</value>");
        assert_eq!(task_result(&true), "<value><boolean>1</boolean></value>");
    }
}
