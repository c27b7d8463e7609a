//! Logging in and calling with a session: [`Connection`] before login,
//! [`Session`] after, which logs in again by itself when the server has
//! forgotten the session and the password is known.

use std::fmt;
use std::marker::PhantomData;
use std::sync::RwLock;

use serde::de::DeserializeOwned;

use super::{Call, Client, Task};
use crate::schema::{Schema, SessionRef, TaskRef};
use crate::transport::Transport;
use crate::types::{Float, Void};
use crate::{CallError, Protocol};

/// The error code a server answers when it does not know the session.
const SESSION_INVALID: &str = "SESSION_INVALID";

/// A connection to a server of the API `A`, before login.
#[derive(Debug)]
pub struct Connection<A, T> {
    rt: Client<T>,
    schema: PhantomData<fn() -> A>,
}

impl<A: Schema, T: Transport> Connection<A, T> {
    /// A connection speaking `protocol` over `transport`.
    pub fn new(transport: T, protocol: Protocol) -> Self {
        Connection { rt: Client::new(transport, protocol), schema: PhantomData }
    }

    /// The call builder underneath, for calls that take no session.
    pub fn client(&self) -> &Client<T> {
        &self.rt
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
    ) -> Result<Session<A, T>, A::Error> {
        let creds = Credentials {
            uname: uname.to_string(),
            pwd: pwd.to_string(),
            version: version.to_string(),
            originator: originator.to_string(),
        };
        let session = creds.login::<A, T>(&self.rt).await?;
        Ok(Session { conn: self, session: RwLock::new(session), creds: Some(creds) })
    }

    /// Uses a session obtained elsewhere; it cannot log in again by itself.
    pub fn with_session(self, session: SessionRef<A>) -> Session<A, T> {
        Session { conn: self, session: RwLock::new(session), creds: None }
    }
}

/// What a session needs to log in again. The password is kept out of
/// `Debug` output.
#[derive(Clone)]
struct Credentials {
    uname: String,
    pwd: String,
    version: String,
    originator: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("uname", &self.uname)
            .field("version", &self.version)
            .field("originator", &self.originator)
            .finish_non_exhaustive()
    }
}

impl Credentials {
    async fn login<A: Schema, T: Transport>(&self, rt: &Client<T>) -> Result<SessionRef<A>, CallError> {
        let call = rt.call("session.login_with_password");
        call.param(&self.uname).param(&self.pwd).param(&self.version).param(&self.originator).send().await
    }
}

/// A logged-in session of the API `A`. Generated bindings wrap it and hang
/// their class calls off it (`session.vm().get_all()`).
#[derive(Debug)]
pub struct Session<A: Schema, T> {
    conn: Connection<A, T>,
    session: RwLock<SessionRef<A>>,
    creds: Option<Credentials>,
}

impl<A: Schema, T: Transport> Session<A, T> {
    /// The session reference in use.
    pub fn session_ref(&self) -> SessionRef<A> {
        self.session.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The protocol in use.
    pub fn protocol(&self) -> Protocol {
        self.conn.rt.protocol()
    }

    /// Makes a call with the session as first parameter; `params` adds the
    /// others. If the server answers SESSION_INVALID and the password is
    /// known, logs in again and retries once.
    pub async fn call<R: DeserializeOwned>(
        &self,
        method: &str,
        params: impl for<'c> Fn(Call<'c, T>) -> Call<'c, T>,
    ) -> Result<R, A::Error> {
        let first = self.session_ref();
        let result: Result<R, CallError> = params(self.conn.rt.call(method).param(&first)).send().await;
        let creds = match (&result, &self.creds) {
            (Err(e), Some(creds)) if e.code() == Some(SESSION_INVALID) => creds,
            _ => return result.map_err(A::Error::from),
        };
        let fresh = creds.login::<A, T>(&self.conn.rt).await?;
        *self.session.write().unwrap_or_else(|e| e.into_inner()) = fresh.clone();
        Ok(params(self.conn.rt.call(method).param(&fresh)).send().await?)
    }

    /// [`Session::call`] for messages that return nothing.
    pub async fn call_void(
        &self,
        method: &str,
        params: impl for<'c> Fn(Call<'c, T>) -> Call<'c, T>,
    ) -> Result<(), A::Error> {
        self.call::<Void>(method, params).await.map(|_| ())
    }

    /// [`Session::call`] for messages that return a float (which travels
    /// as [`Float`], so that NaN and the infinities survive JSON).
    pub async fn call_float(
        &self,
        method: &str,
        params: impl for<'c> Fn(Call<'c, T>) -> Call<'c, T>,
    ) -> Result<f64, A::Error> {
        self.call::<Float>(method, params).await.map(|f| f.0)
    }

    /// Makes an `Async.` call and returns the task that runs it, typed
    /// with the result `R` of the message.
    pub async fn start<R: DeserializeOwned>(
        &self,
        method: &str,
        params: impl for<'c> Fn(Call<'c, T>) -> Call<'c, T>,
    ) -> Result<Task<'_, A, T, R>, A::Error> {
        let task: TaskRef<A> = self.call(method, params).await?;
        Ok(Task::new(self, task))
    }

    /// Ends the session on the server.
    pub async fn logout(self) -> Result<(), A::Error> {
        self.call_void("session.logout", |c| c).await
    }
}
