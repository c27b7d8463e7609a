//! A small XenAPI server for VMs: the server stubs come from a build
//! script (`Builder::client(false)`, XML-RPC only), the derived messages (getters,
//! setters, records, create, destroy, lookups) work on [`Memory`], and
//! only logging in and out is written by hand. Explicit messages such as
//! `VM.start` answer NOT_IMPLEMENTED until implemented.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! xenapi_example_server::serve(listener, "secret", std::future::pending()).await
//! # }
//! ```

include!(concat!(env!("OUT_DIR"), "/xenapi.rs"));

mod memory;

pub use memory::Memory;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use xenapi_rt::types::Str;

/// The backend: a store and the sessions logged in.
#[derive(Debug)]
pub struct Tiny {
    store: Memory,
    password: String,
    sessions: Mutex<HashSet<String>>,
}

impl Tiny {
    /// A server that accepts any user name with `password`.
    pub fn new(password: &str) -> Self {
        Tiny { store: Memory::default(), password: password.to_string(), sessions: Mutex::default() }
    }

    fn sessions(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl server::Backend for Tiny {
    type Ctx = SessionRef;
    type Store = Memory;

    fn store(&self) -> &Memory {
        &self.store
    }

    async fn authenticate(&self, _method: &'static str, session: &SessionRef) -> Result<SessionRef, ApiError> {
        if self.sessions().contains(session.as_str()) {
            Ok(session.clone())
        } else {
            Err(ApiError::SessionInvalid { handle: session.as_str().to_string() })
        }
    }
}

impl SessionServer for Tiny {
    async fn login_with_password(
        &self,
        _uname: Str,
        pwd: Str,
        _version: Str,
        _originator: Str,
    ) -> Result<SessionRef, ApiError> {
        if pwd != self.password {
            return Err(ApiError::SessionAuthenticationFailed);
        }
        let session = self.store.fresh_ref::<Session>();
        self.sessions().insert(session.as_str().to_string());
        Ok(session)
    }

    async fn logout(&self, ctx: &SessionRef) -> Result<(), ApiError> {
        self.sessions().remove(ctx.as_str());
        Ok(())
    }
}

impl VmServer for Tiny {}
impl TaskServer for Tiny {}
impl EventServer for Tiny {}

/// Serves a fresh [`Tiny`] on `listener` (XML-RPC on `/`, JSON-RPC on
/// `/jsonrpc`) until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    password: &str,
    shutdown: impl std::future::Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let server = xenapi_rt::server::Server::new(server::Dispatcher(Arc::new(Tiny::new(password))));
    server.serve(listener, shutdown).await
}
