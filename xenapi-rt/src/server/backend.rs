//! What a server implementation of a generated API provides besides its
//! messages ([`Backend`]), and the [`Dispatcher`] that serves it.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use super::glue::not_implemented_error;
use super::store::{ApiErrorOf, Store};
use super::{Handler, HttpReply, HttpRequest, IncomingCall, Reply};
use crate::schema::{Schema, SessionRef, TaskRef};
use crate::Protocol;

/// A boxed future that can be spawned.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// The schema a backend serves: that of its store.
pub type SchemaOf<B> = <<B as Backend>::Store as Store>::Schema;
/// The typed API error of the schema a backend serves.
pub type BackendError<B> = ApiErrorOf<<B as Backend>::Store>;

/// What a server implementation provides besides its messages: sessions,
/// roles, tasks and a store. The schema it serves is its store's.
pub trait Backend: Send + Sync + Sized + 'static {
    /// Who is calling: what `authenticate` learns from a session.
    type Ctx: Clone + Send + Sync + 'static;
    /// The store derived messages use.
    type Store: Store;

    /// The store.
    fn store(&self) -> &Self::Store;

    /// Checks the session of a call; SESSION_INVALID when it is unknown.
    fn authenticate(
        &self,
        method: &'static str,
        session: &SessionRef<SchemaOf<Self>>,
    ) -> impl Future<Output = Result<Self::Ctx, BackendError<Self>>> + Send;

    /// Checks that the caller holds one of `roles` (the roles of the
    /// message in the schema); RBAC_PERMISSION_DENIED otherwise. An empty
    /// list (`roles::LOCAL_ROOT_ONLY`) is granted by no role: as in xapi,
    /// only a local superuser session may call such a message, and a local
    /// superuser passes every check. Allows everything by default.
    fn authorize(
        &self,
        ctx: &Self::Ctx,
        method: &'static str,
        roles: &'static [&'static str],
    ) -> Result<(), BackendError<Self>> {
        let _ = (ctx, method, roles);
        Ok(())
    }

    /// Runs an `Async.` call: starts `work` in the background and returns
    /// the task that reports it. `work` yields the XML-RPC encoding of the
    /// result, as the task's `result` field holds it. `target` is the
    /// reference of the object the message acts on (its first parameter,
    /// when that is a reference to the message's class), for backends
    /// that list running tasks in the object's `current_operations`;
    /// `None` for messages without one. `method` is the wire name of the
    /// call (`Async.VM.start`), as xapi names the task. By default every
    /// `Async.` call answers NOT_IMPLEMENTED with that name.
    fn spawn_task(
        &self,
        ctx: &Self::Ctx,
        method: &'static str,
        target: Option<String>,
        work: BoxFuture<Result<String, BackendError<Self>>>,
    ) -> impl Future<Output = Result<TaskRef<SchemaOf<Self>>, BackendError<Self>>> + Send {
        let _ = (ctx, target, work);
        std::future::ready(Err(not_implemented_error(method)))
    }

    /// Answers an HTTP request that is not an RPC call, such as xapi's
    /// `PUT /blob?ref=...&session_id=...`; see [`Handler::http`]. `None`
    /// (the default) leaves the answer to the server: 404 or 405.
    fn http(&self, request: HttpRequest<'_>) -> impl Future<Output = Option<HttpReply>> + Send {
        let _ = request;
        std::future::ready(None)
    }
}

/// How a generated API routes calls to a backend `S` implementing all its
/// classes; implemented by the API's [`Schema`] marker.
pub trait Routes<S: Backend>: Schema {
    /// Every wire name [`Routes::route`] dispatches, as
    /// `system.listMethods` lists them.
    const METHODS: &'static [&'static str];

    /// Every second name [`Routes::route`] takes, with the wire name it
    /// stands for: `("event_from", "event.from")`; sorted by second name
    /// (byte order), as they are looked up by binary search.
    const ALIASES: &'static [(&'static str, &'static str)];

    /// Whether the bindings speak `protocol` (they may have been generated
    /// for one protocol only).
    fn speaks(protocol: Protocol) -> bool;

    /// Answers one call; unknown methods get MESSAGE_METHOD_UNKNOWN.
    fn route(s: &Arc<S>, call: &IncomingCall<'_>) -> impl Future<Output = Reply> + Send;
}

/// Serves every call of an API with a backend implementing all its
/// classes: give it to [`Server`](super::Server).
#[derive(Debug)]
pub struct Dispatcher<S>(pub Arc<S>);

impl<S: Backend> Handler for Dispatcher<S>
where
    SchemaOf<S>: Routes<S>,
{
    fn call(&self, call: IncomingCall<'_>) -> impl Future<Output = Reply> + Send {
        let s = Arc::clone(&self.0);
        async move { <SchemaOf<S> as Routes<S>>::route(&s, &call).await }
    }

    fn accepts(&self, protocol: Protocol) -> bool {
        <SchemaOf<S> as Routes<S>>::speaks(protocol)
    }

    fn http(&self, request: HttpRequest<'_>) -> impl Future<Output = Option<HttpReply>> + Send {
        Backend::http(&*self.0, request)
    }

    fn methods(&self) -> &'static [&'static str] {
        <SchemaOf<S> as Routes<S>>::METHODS
    }

    fn aliases(&self) -> &'static [(&'static str, &'static str)] {
        <SchemaOf<S> as Routes<S>>::ALIASES
    }
}
