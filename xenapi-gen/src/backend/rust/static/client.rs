//! The client: a connection, a logged-in session that logs in again when
//! the server forgets it, tasks for `Async.` calls, and event polling.

use std::sync::RwLock;
use std::time::Duration;

use serde::de::DeserializeOwned;
use xenapi_rt::{Call, Client, Protocol, Transport};

use crate::{ApiError, Error, SessionRef, TaskRef};

/// A connection to a server, before login.
#[derive(Debug)]
pub struct Connection<T> {
    pub(crate) rt: Client<T>,
}

impl<T: Transport> Connection<T> {
    /// A connection speaking `protocol` over `transport`.
    pub fn new(transport: T, protocol: Protocol) -> Self {
        Connection { rt: Client::new(transport, protocol) }
    }

    /// Logs in with a user name and password and keeps them, so that the
    /// session logs in again by itself if the server forgets it (as the
    /// Python `XenAPI` module does).
    pub async fn login_with_password(
        self,
        uname: &str,
        pwd: &str,
        version: &str,
        originator: &str,
    ) -> Result<Session<T>, Error> {
        let creds = Credentials {
            uname: uname.to_string(),
            pwd: pwd.to_string(),
            version: version.to_string(),
            originator: originator.to_string(),
        };
        let session = creds.login(&self.rt).await?;
        Ok(Session { conn: self, session: RwLock::new(session), creds: Some(creds) })
    }

    /// Uses a session obtained elsewhere; it cannot log in again by itself.
    pub fn with_session(self, session: SessionRef) -> Session<T> {
        Session { conn: self, session: RwLock::new(session), creds: None }
    }
}

#[derive(Debug, Clone)]
struct Credentials {
    uname: String,
    pwd: String,
    version: String,
    originator: String,
}

impl Credentials {
    async fn login<T: Transport>(&self, rt: &Client<T>) -> Result<SessionRef, Error> {
        let call = rt.call("session.login_with_password");
        let call = call.param(&self.uname).param(&self.pwd).param(&self.version).param(&self.originator);
        Ok(call.send().await?)
    }
}

/// A logged-in session. Class calls hang off it: `session.vm().get_all()`.
#[derive(Debug)]
pub struct Session<T> {
    conn: Connection<T>,
    session: RwLock<SessionRef>,
    creds: Option<Credentials>,
}

impl<T: Transport> Session<T> {
    /// The session reference in use.
    pub fn session_ref(&self) -> SessionRef {
        self.session.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The protocol in use.
    pub fn protocol(&self) -> Protocol {
        self.conn.rt.protocol()
    }

    /// Makes a call with the session as first parameter. If the server
    /// answers SESSION_INVALID and the password is known, logs in again
    /// and retries once.
    pub(crate) async fn call<R: DeserializeOwned>(
        &self,
        method: &str,
        params: impl for<'c> Fn(Call<'c, T>) -> Call<'c, T>,
    ) -> Result<R, Error> {
        let first = self.session_ref();
        let result: Result<R, Error> = params(self.conn.rt.call(method).param(&first)).send().await.map_err(Error::from);
        match (&result, &self.creds) {
            (Err(Error::Api(ApiError::SessionInvalid { .. })), Some(creds)) => {
                let fresh = creds.login(&self.conn.rt).await?;
                *self.session.write().unwrap_or_else(|e| e.into_inner()) = fresh.clone();
                params(self.conn.rt.call(method).param(&fresh)).send().await.map_err(Error::from)
            }
            _ => result,
        }
    }

    /// [`Session::call`] for messages that return nothing.
    pub(crate) async fn call_void(
        &self,
        method: &str,
        params: impl for<'c> Fn(Call<'c, T>) -> Call<'c, T>,
    ) -> Result<(), Error> {
        self.call::<xenapi_rt::types::Void>(method, params).await.map(|_| ())
    }

    /// [`Session::call`] for messages that return a float (which travels
    /// as [`xenapi_rt::types::Float`], so that NaN and the infinities
    /// survive JSON).
    pub(crate) async fn call_float(
        &self,
        method: &str,
        params: impl for<'c> Fn(Call<'c, T>) -> Call<'c, T>,
    ) -> Result<f64, Error> {
        self.call::<xenapi_rt::types::Float>(method, params).await.map(|f| f.0)
    }

    /// Makes an `Async.` call and returns the task that runs it.
    pub(crate) async fn start<R: DeserializeOwned>(
        &self,
        method: &str,
        params: impl for<'c> Fn(Call<'c, T>) -> Call<'c, T>,
    ) -> Result<Task<'_, T, R>, Error> {
        let task: TaskRef = self.call(method, params).await?;
        Ok(Task::new(self, task))
    }

    /// Ends the session on the server.
    pub async fn logout(self) -> Result<(), Error> {
        self.session().logout().await
    }
}

/// A server task started by an `Async.` call, with the result type of the
/// message it runs.
#[derive(Debug)]
pub struct Task<'s, T, R> {
    session: &'s Session<T>,
    task: TaskRef,
    result: std::marker::PhantomData<fn() -> R>,
}

impl<'s, T: Transport, R: DeserializeOwned> Task<'s, T, R> {
    pub(crate) fn new(session: &'s Session<T>, task: TaskRef) -> Self {
        Task { session, task, result: std::marker::PhantomData }
    }

    /// The task's reference, to watch it with events or cancel it.
    pub fn task_ref(&self) -> &TaskRef {
        &self.task
    }

    /// Waits until the task ends, polling its status, and returns the
    /// result of the message (or the error the task ended with).
    pub async fn wait(&self) -> Result<R, Error> {
        let tasks = self.session.task();
        let mut delay = Duration::from_millis(20);
        loop {
            match tasks.get_status(&self.task).await? {
                // A cancel was asked for but the task has not stopped yet:
                // it may still end in success or failure, so keep waiting.
                crate::TaskStatusType::Pending | crate::TaskStatusType::Cancelling => {}
                crate::TaskStatusType::Success => {
                    let text = tasks.get_result(&self.task).await?;
                    return decode_task_result(&text);
                }
                crate::TaskStatusType::Cancelled => {
                    return Err(Error::Api(ApiError::TaskCancelled { task: self.task.to_string() }));
                }
                crate::TaskStatusType::Failure | crate::TaskStatusType::Unknown(_) => {
                    let info = tasks.get_error_info(&self.task).await?;
                    return Err(Error::Api(ApiError::from_description(&info)));
                }
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_millis(500));
        }
    }
}

/// A task's result is the XML-RPC encoding of the message's result (empty
/// for `void`).
fn decode_task_result<R: DeserializeOwned>(text: &str) -> Result<R, Error> {
    let text = text.trim();
    if text.is_empty() {
        return xenapi_rt::xmlrpc::decode_value(b"<value></value>").map_err(|e| Error::Call(xenapi_rt::CallError::from(e)));
    }
    xenapi_rt::xmlrpc::decode_value(text.as_bytes()).map_err(|e| Error::Call(xenapi_rt::CallError::from(e)))
}

/// Follows changes with `event.from`: each call to [`Events::next`] waits
/// for changes since the previous one and returns them.
#[derive(Debug)]
pub struct Events<'s, T> {
    session: &'s Session<T>,
    classes: Vec<String>,
    token: String,
    timeout: f64,
}

impl<'s, T: Transport> Events<'s, T> {
    /// Watches the named classes (`"*"` for all); the first batch holds
    /// every current object of those classes.
    pub fn new(session: &'s Session<T>, classes: &[&str], timeout: Duration) -> Self {
        Events {
            session,
            classes: classes.iter().map(|c| c.to_string()).collect(),
            token: String::new(),
            timeout: timeout.as_secs_f64(),
        }
    }

    /// The next batch of events (empty when the timeout passed first).
    pub async fn next(&mut self) -> Result<Vec<crate::EventRecord>, Error> {
        let batch = self.session.event().from(&self.classes, &self.token, self.timeout).await?;
        self.token = batch.token;
        Ok(batch.events)
    }
}
