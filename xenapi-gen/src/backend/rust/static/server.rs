//! The server side: hooks a backend provides (sessions, roles, tasks, a
//! store), the generic store that derived messages work on, and the glue
//! the generated dispatchers use.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;
use xenapi_rt::server::{HttpReply, HttpRequest, IncomingCall, Reply};
use xenapi_rt::types::Ref;

use crate::{ApiError, SessionRef, TaskRef};

/// A record type of a class, as the store keeps it.
pub trait Record: Clone + Default + Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The class marker (`crate::Vm` for `VmRecord`).
    type Class: xenapi_rt::types::Class;
    /// The `uuid` field, for classes that have one.
    fn uuid(&self) -> Option<&str>;
    /// Sets the `uuid` field (a no-op for classes without one).
    fn set_uuid(&mut self, uuid: &str);
    /// The `name_label` field, for classes that have one.
    fn name_label(&self) -> Option<&str>;
    // The defaults below are for classes without the fields involved;
    // the generator overrides them where a class has them.

    /// The objects this one points at through the ref field of a
    /// relation (see [`RELATIONS`]), with that relation; null refs are
    /// left out.
    fn related(&self) -> Vec<(&'static Relation, &str)> {
        Vec::new()
    }
    /// Adds `r` to the set field named `inverse` (the listing side of a
    /// relation) unless it is there already; false when the class has no
    /// such field.
    fn link(&mut self, inverse: &str, r: &str) -> bool {
        let _ = (inverse, r);
        false
    }
    /// Removes `r` from the set field named `inverse`; false when the
    /// class has no such field.
    fn unlink(&mut self, inverse: &str, r: &str) -> bool {
        let _ = (inverse, r);
        false
    }
    /// Lists `operation` (a value of the class's operations enum, as
    /// spelt on the wire) under `task` in `current_operations`, for a
    /// running task that acts on this object; false when the class has no
    /// such field or the enum no such value.
    fn begin_operation(&mut self, task: &str, operation: &str) -> bool {
        let _ = (task, operation);
        false
    }
    /// Takes `task` out of `current_operations`; false when it was not
    /// listed.
    fn end_operation(&mut self, task: &str) -> bool {
        let _ = task;
        false
    }
}

/// A relation: objects of `class` point at an object of `target` through
/// the ref field `field`, and `target` lists them in its set field
/// `inverse` (`VBD.VM` and `VM.VBDs`). A store that keeps both sides
/// consistent links an object into its targets when it is created or its
/// ref field changes, and unlinks it when it is destroyed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Relation {
    /// The class holding the ref field.
    pub class: &'static str,
    /// The ref field, as spelt on the wire.
    pub field: &'static str,
    /// The class the ref points at.
    pub target: &'static str,
    /// The set field of `target`, as spelt on the wire.
    pub inverse: &'static str,
}

pub use crate::{visit_records, RELATIONS};

/// Something done once per record type; see [`visit_records`].
pub trait ClassVisitor {
    /// Called with the record type of one class.
    fn visit<R: Record>(&mut self);
}

/// Links a class marker to its record type.
pub trait HasRecord {
    type Record: Record;
}

/// Storage of objects by class, which every derived message (getters,
/// setters, map and set updates, records, lookups, create, destroy) uses
/// unless the backend overrides that message.
pub trait Store: Send + Sync {
    /// The record of an object, or HANDLE_INVALID.
    fn get<R: Record>(&self, r: &Ref<R::Class>) -> Result<R, ApiError>;
    /// Changes an object's record in place; an error leaves it unchanged.
    fn update<R: Record, T, F>(&self, r: &Ref<R::Class>, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut R) -> Result<T, ApiError>;
    /// Every object of a class.
    fn all<R: Record>(&self) -> Vec<(Ref<R::Class>, R)>;
    /// The object with this UUID, or UUID_INVALID.
    fn by_uuid<R: Record>(&self, uuid: &str) -> Result<Ref<R::Class>, ApiError>;
    /// Adds an object and returns its new reference.
    fn create<R: Record>(&self, record: R) -> Result<Ref<R::Class>, ApiError>;
    /// Removes an object, or HANDLE_INVALID.
    fn destroy<R: Record>(&self, r: &Ref<R::Class>) -> Result<(), ApiError>;
}

/// A boxed future that can be spawned.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// What a server implementation provides besides its messages.
pub trait Backend: Send + Sync + 'static {
    /// Who is calling: what `authenticate` learns from a session.
    type Ctx: Clone + Send + Sync + 'static;
    /// The store derived messages use.
    type Store: Store;

    /// The store.
    fn store(&self) -> &Self::Store;

    /// Checks the session of a call; SESSION_INVALID when it is unknown.
    fn authenticate(&self, method: &'static str, session: &SessionRef) -> impl Future<Output = Result<Self::Ctx, ApiError>> + Send;

    /// Checks that the caller holds one of `roles` (the roles of the
    /// message in the schema); RBAC_PERMISSION_DENIED otherwise. Messages
    /// with no roles in the schema are not checked. Allows everything by
    /// default.
    fn authorize(&self, ctx: &Self::Ctx, method: &'static str, roles: &'static [&'static str]) -> Result<(), ApiError> {
        let _ = (ctx, method, roles);
        Ok(())
    }

    /// Runs an `Async.` call: starts `work` in the background and returns
    /// the task that reports it. `work` yields the XML-RPC encoding of the
    /// result, as the task's `result` field holds it. `target` is the
    /// reference of the object the message acts on (its first parameter,
    /// when that is a reference to the message's class), for backends
    /// that list running tasks in the object's `current_operations`;
    /// `None` for messages without one.
    fn spawn_task(
        &self,
        ctx: &Self::Ctx,
        method: &'static str,
        target: Option<String>,
        work: BoxFuture<Result<String, ApiError>>,
    ) -> impl Future<Output = Result<TaskRef, ApiError>> + Send {
        let _ = (ctx, target, work);
        async move { Err(ApiError::NotImplemented { function: format!("Async.{method}") }) }
    }

    /// Answers an HTTP request that is not an RPC call, such as xapi's
    /// `PUT /blob?ref=...&session_id=...`; see
    /// [`Handler::http`](xenapi_rt::server::Handler::http). `None` (the
    /// default) leaves the answer to the server: 404 or 405.
    fn http(&self, request: HttpRequest<'_>) -> impl Future<Output = Option<HttpReply>> + Send {
        let _ = request;
        std::future::ready(None)
    }
}

/// Routes every call of the API to a backend implementing all classes.
#[derive(Debug)]
pub struct Dispatcher<S>(pub Arc<S>);

impl<S: crate::Server> xenapi_rt::server::Handler for Dispatcher<S> {
    fn call(&self, call: IncomingCall<'_>) -> impl Future<Output = Reply> + Send {
        let s = Arc::clone(&self.0);
        async move { crate::routing::route(&s, &call).await }
    }

    fn accepts(&self, protocol: xenapi_rt::Protocol) -> bool {
        crate::speaks(protocol)
    }

    fn http(&self, request: HttpRequest<'_>) -> impl Future<Output = Option<HttpReply>> + Send {
        Backend::http(&*self.0, request)
    }

    fn methods(&self) -> &'static [&'static str] {
        crate::routing::METHODS
    }
}

// The glue below keeps each generated dispatcher arm to a few lines. An
// arm returns `Err(reply)` to answer early (wrong parameter count, bad
// session, missing role, a parameter of the wrong type) and `Ok(reply)`
// with the answer of the backend.

/// Checks the parameter count; MESSAGE_PARAMETER_COUNT_MISMATCH otherwise.
pub(crate) fn arity(call: &IncomingCall<'_>, method: &str, expected: usize) -> Result<(), Reply> {
    if call.param_count() == expected {
        Ok(())
    } else {
        Err(failure(ApiError::MessageParameterCountMismatch {
            method: method.to_string(),
            expected: expected.to_string(),
            received: call.param_count().to_string(),
        }))
    }
}

/// The first steps of a call that takes a session: the parameter count,
/// the session (SESSION_INVALID) and the caller's roles
/// (RBAC_PERMISSION_DENIED, through [`Backend::authorize`]).
pub(crate) async fn begin<S: Backend>(
    s: &Arc<S>,
    call: &IncomingCall<'_>,
    method: &'static str,
    expected: usize,
    roles: &'static [&'static str],
) -> Result<S::Ctx, Reply> {
    arity(call, method, expected)?;
    let session: SessionRef =
        call.param(0).map_err(|_| failure(ApiError::SessionInvalid { handle: String::new() }))?;
    let ctx = s.authenticate(method, &session).await.map_err(failure)?;
    s.authorize(&ctx, method, roles).map_err(failure)?;
    Ok(ctx)
}

/// Decodes parameter `index`; FIELD_TYPE_ERROR naming it when it has the
/// wrong type.
pub(crate) fn param<T: DeserializeOwned>(call: &IncomingCall<'_>, index: usize, name: &str) -> Result<T, Reply> {
    call.param(index).map_err(|_| failure(ApiError::FieldTypeError { field: name.to_string() }))
}

/// The answer to a call that ran.
pub(crate) fn done<T: Serialize + Send + 'static>(r: Result<T, ApiError>) -> Result<Reply, Reply> {
    Ok(reply(r))
}

/// What an explicit message answers until the backend implements it.
pub fn not_implemented<T>(method: &str) -> std::future::Ready<Result<T, ApiError>> {
    std::future::ready(Err(ApiError::NotImplemented { function: method.to_string() }))
}

/// `()` as the wire's void.
pub(crate) fn void(_: ()) -> xenapi_rt::types::Void {
    xenapi_rt::types::Void
}

/// Runs an `Async.` call through [`Backend::spawn_task`] and answers with
/// the task; `work` gets its own handles on the backend and the caller.
pub(crate) async fn spawn<S, T, W, F>(
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
    F: Future<Output = Result<T, ApiError>> + Send + 'static,
{
    let work = work(Arc::clone(s), ctx.clone());
    let work = async move { work.await.map(|v| task_result(&v)) };
    Ok(reply(s.spawn_task(ctx, method, target, Box::pin(work)).await))
}

/// MESSAGE_METHOD_UNKNOWN for the method of `call`.
pub(crate) fn unknown(call: &IncomingCall<'_>) -> Reply {
    failure(ApiError::MessageMethodUnknown { method: call.method().to_string() })
}

pub(crate) fn reply<T: Serialize + Send + 'static>(r: Result<T, ApiError>) -> Reply {
    match r {
        Ok(v) => Reply::success(v),
        Err(e) => failure(e),
    }
}

/// The answer carrying an API error.
pub(crate) fn failure(e: ApiError) -> Reply {
    Reply::failure(e.to_description())
}

/// The XML-RPC encoding of a result, as a task's `result` field holds it.
/// A string (a ref, most often) is written as a bare `<value>` the way
/// xapi writes it, so that clients that cut the tags off get the string.
pub(crate) fn task_result<T: Serialize>(value: &T) -> String {
    let text = match xenapi_rt::xmlrpc::to_vec(value) {
        Ok(bytes) => String::from_utf8(bytes).unwrap_or_default(),
        Err(_) => String::new(),
    };
    match text.strip_prefix("<value><string>").and_then(|t| t.strip_suffix("</string></value>")) {
        Some(inner) if !inner.contains('<') => format!("<value>{inner}</value>"),
        _ => text,
    }
}

