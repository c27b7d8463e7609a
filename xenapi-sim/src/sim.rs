//! The simulator as a [`xenapi::server::Backend`]: users and sessions,
//! role checks from the schema's roles, tasks for `Async.` calls, and the
//! store. The messages themselves are in [`crate::api`].

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use xenapi::server::{BoxFuture, Store};
use xenapi::{ApiError, HostRef, SessionRef, TaskAllowedOperations, TaskRecord, TaskRef, TaskStatusType};
use xenapi_rt::types::Str;

use crate::store::SimStore;
use crate::util::{error_info, now};

/// A user who may log in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub password: String,
    /// One of [`xenapi::ROLES`].
    pub role: String,
}

impl User {
    /// Reads `NAME:PASSWORD[:ROLE]` (the role defaults to `pool-admin`; a
    /// password may contain colons when a role is given).
    pub fn parse(spec: &str) -> Result<User, String> {
        let (name, rest) = spec.split_once(':').ok_or_else(|| format!("`{spec}`: expected NAME:PASSWORD[:ROLE]"))?;
        if name.is_empty() {
            return Err(format!("`{spec}`: the user name is empty"));
        }
        let (password, role) = match rest.rsplit_once(':') {
            Some((p, r)) if xenapi::ROLES.contains(&r) => (p, r),
            Some((_, r)) if !r.is_empty() && r.chars().all(|c| c.is_ascii_lowercase() || c == '-') => {
                return Err(format!("`{spec}`: unknown role `{r}` (roles: {})", xenapi::ROLES.join(", ")));
            }
            _ => (rest, "pool-admin"),
        };
        if name == ROOT && role != "pool-admin" {
            return Err(format!(
                "`{spec}`: {ROOT} is the local superuser and holds every role; give a role to other users"
            ));
        }
        Ok(User { name: name.to_string(), password: password.to_string(), role: role.to_string() })
    }

    /// Whether this is the pool's root account, whose sessions are local
    /// superusers: they pass every role check, including the messages
    /// that no role grants (local root only).
    pub fn is_local_superuser(&self) -> bool {
        self.name == ROOT
    }
}

/// The pool's root account.
pub const ROOT: &str = "root";

/// How the simulator is set up.
#[derive(Debug, Clone)]
pub struct Config {
    /// Who may log in. Empty: `root` / `xenroot` as pool-admin.
    pub users: Vec<User>,
    /// Objects to start with when there is no saved state (`None`: the
    /// built-in default fixture).
    pub fixture: Option<PathBuf>,
    /// Where to keep state across restarts.
    pub state: Option<PathBuf>,
    /// Sessions idle for longer than this end.
    pub session_idle: Duration,
    /// How long each `Async.` task takes before it does its work.
    pub task_delay: Duration,
    /// The largest request body accepted.
    pub max_body: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            users: Vec::new(),
            fixture: None,
            state: None,
            session_idle: Duration::from_secs(24 * 3600),
            task_delay: Duration::from_millis(100),
            max_body: xenapi_rt::Limits::default().max_body,
        }
    }
}

/// The default user when none is configured.
pub fn default_user() -> User {
    User { name: "root".into(), password: "xenroot".into(), role: "pool-admin".into() }
}

/// A logged-in session.
#[derive(Debug)]
pub struct SessionState {
    pub r: String,
    pub user: String,
    pub role: String,
    /// A session of the root account (passes every role check).
    pub local_superuser: bool,
    /// The group whose cap it counts against.
    pub(crate) group: crate::limits::Group,
    /// Order of logins.
    serial: u64,
    /// Milliseconds since the simulator started.
    last_active: AtomicU64,
    /// `event.register` classes and how far `event.next` has read.
    pub(crate) subscription: Mutex<Option<Subscription>>,
    /// Tasks this session created (`Async.` calls and `task.create`);
    /// they are destroyed when the session ends.
    pub(crate) tasks: Mutex<Vec<String>>,
}

#[derive(Debug, Clone)]
pub(crate) struct Subscription {
    pub classes: Vec<Str>,
    pub cursor: u64,
}

/// Who is calling.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub session: Arc<SessionState>,
}

pub(crate) struct Inner {
    pub store: SimStore,
    pub config: Config,
    pub users: RwLock<HashMap<String, User>>,
    pub sessions: RwLock<HashMap<String, Arc<SessionState>>>,
    /// Running `Async.` tasks and the signal that cancels each.
    pub tasks: Mutex<HashMap<String, tokio::sync::watch::Sender<bool>>>,
    /// Running tasks whose session has ended: destroyed when they finish.
    /// Locked only while `tasks` is held.
    pub orphans: Mutex<HashSet<String>>,
    pub domid: AtomicI64,
    /// Logins so far.
    logins: AtomicU64,
    /// The data of blobs (`PUT /blob`).
    pub blobs: crate::classes::blob::BlobData,
    started: Instant,
}

/// The simulator. Cheap to clone; clones share everything.
pub struct Sim(pub(crate) Arc<Inner>);

impl Sim {
    /// Sets up the store from saved state, or else from the fixture, and
    /// starts writing the state file if there is one.
    pub fn new(config: Config) -> Result<Sim, String> {
        let store = SimStore::new();
        let mut restored = false;
        let mut torn = None;
        if let Some(path) = &config.state {
            if let Some(loaded) = crate::persist::load(path)? {
                store.with_db_mut(|db| -> Result<(), String> {
                    for (line, g, ops) in loaded.lines {
                        for op in ops {
                            db.apply_raw(&op.class, &op.r, op.v, g).map_err(|e| {
                                format!("state file {} is not readable (line {line}): {e}", path.display())
                            })?;
                        }
                    }
                    db.reindex(loaded.gen);
                    Ok(())
                })?;
                torn = loaded.torn_tail;
                restored = true;
            }
        }
        if !restored {
            let fixture = match &config.fixture {
                Some(p) => crate::fixture::Fixture::from_file(p)?,
                None => crate::fixture::Fixture::default_fixture()?,
            };
            fixture.load(&store)?;
        }
        if let Some(path) = &config.state {
            if let Some(tail) = torn {
                // Kept aside before the file is rewritten without it.
                let aside = crate::persist::keep_torn(path, &tail)
                    .map_err(|e| format!("cannot keep the cut-short last line of {} aside: {e}", path.display()))?;
                eprintln!(
                    "xenapi-sim: {}: skipped a last transaction that was cut short (kept in {})",
                    path.display(),
                    aside.display()
                );
            }
            store
                .attach_log(crate::persist::Log::new(path))
                .map_err(|e| format!("cannot write state file {}: {e}", path.display()))?;
        }
        let users = if config.users.is_empty() { vec![default_user()] } else { config.users.clone() };
        let users = users.into_iter().map(|u| (u.name.clone(), u)).collect();
        Ok(Sim(Arc::new(Inner {
            store,
            config,
            users: RwLock::new(users),
            sessions: RwLock::new(HashMap::new()),
            tasks: Mutex::new(HashMap::new()),
            orphans: Mutex::new(HashSet::new()),
            domid: AtomicI64::new(1),
            logins: AtomicU64::new(0),
            blobs: Default::default(),
            started: Instant::now(),
        })))
    }

    /// Another handle on the same simulator.
    pub fn handle(&self) -> Sim {
        Sim(Arc::clone(&self.0))
    }

    /// The store.
    pub fn sim_store(&self) -> &SimStore {
        &self.0.store
    }

    /// Serves both protocols on `listener` until `shutdown` completes.
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send,
    ) -> std::io::Result<()> {
        self.serve_with_unix(listener, None, shutdown).await
    }

    /// [`Sim::serve`], and the same API on a Unix domain socket too when
    /// `unix` is given (as xapi answers on its local socket).
    pub async fn serve_with_unix(
        self,
        listener: tokio::net::TcpListener,
        unix: Option<tokio::net::UnixListener>,
        shutdown: impl std::future::Future<Output = ()> + Send,
    ) -> std::io::Result<()> {
        let sweeper = tokio::spawn(sweep_sessions(self.handle()));
        let mut config = xenapi_rt::server::ServerConfig::default();
        config.limits.max_body = self.0.config.max_body;
        config.header_read_timeout = Duration::from_secs(10);
        config.body_read_timeout = Duration::from_secs(10);
        config.shutdown_timeout = Duration::from_secs(5);
        let server = xenapi_rt::server::Server::with_config(xenapi::server::Dispatcher(Arc::new(self)), config);
        let out = match unix {
            None => server.serve(listener, shutdown).await,
            Some(unix) => {
                let (stop, stopped) = tokio::sync::watch::channel(false);
                let wait = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
                    let _ = rx.wait_for(|stop| *stop).await;
                };
                let both = async {
                    tokio::try_join!(
                        server.serve(listener, wait(stopped.clone())),
                        server.serve_unix(unix, wait(stopped.clone()))
                    )
                };
                // Tells both listeners to stop, then waits for them (a
                // listener that fails ends the wait at once).
                let forward = async {
                    shutdown.await;
                    let _ = stop.send(true);
                    std::future::pending::<()>().await
                };
                tokio::select! {
                    r = both => r.map(|_| ()),
                    () = forward => Ok(()),
                }
            }
        };
        sweeper.abort();
        out
    }

    fn now_ms(&self) -> u64 {
        self.0.started.elapsed().as_millis() as u64
    }

    fn expired(&self, s: &SessionState) -> bool {
        let idle = self.now_ms().saturating_sub(s.last_active.load(Ordering::Relaxed));
        idle > self.0.config.session_idle.as_millis() as u64
    }

    /// The pool master (or any host).
    pub(crate) fn master(&self) -> HostRef {
        let db = self.0.store.read();
        let pools = db.all::<xenapi::PoolRecord>();
        if let Some((_, p)) = pools.first() {
            if !p.master.is_null() {
                return p.master.clone();
            }
        }
        db.all::<xenapi::HostRecord>().into_iter().map(|(r, _)| r).min().unwrap_or_default()
    }

    /// Starts a session for a user.
    pub(crate) fn open_session(&self, user: &User, originator: &str) -> Result<SessionRef, ApiError> {
        let host = self.master();
        let rec = xenapi::SessionRecord {
            this_host: host,
            last_active: now(),
            validation_time: now(),
            is_local_superuser: user.is_local_superuser(),
            auth_user_name: user.name.as_str().into(),
            originator: originator.into(),
            ..Default::default()
        };
        let r = self.0.store.create(rec)?;
        let state = Arc::new(SessionState {
            r: r.to_string(),
            user: user.name.clone(),
            role: user.role.clone(),
            local_superuser: user.is_local_superuser(),
            group: crate::limits::Group::of(&user.name, originator),
            serial: self.0.logins.fetch_add(1, Ordering::Relaxed),
            last_active: AtomicU64::new(self.now_ms()),
            subscription: Mutex::new(None),
            tasks: Mutex::new(Vec::new()),
        });
        self.0.sessions.write().unwrap_or_else(|e| e.into_inner()).insert(r.to_string(), state);
        for old in self.sessions_over_caps(r.as_str()) {
            self.close_session(&old);
        }
        Ok(r)
    }

    /// The sessions to end so that every cap of [`crate::limits`] holds
    /// after `newest` logged in.
    fn sessions_over_caps(&self, newest: &str) -> Vec<String> {
        let sessions = self.0.sessions.read().unwrap_or_else(|e| e.into_inner());
        let running = self.0.tasks.lock().unwrap_or_else(|e| e.into_inner());
        let db = self.0.store.read();
        let tasks = db.table::<TaskRecord>();
        let pending = |t: &String| {
            running.contains_key(t)
                || tasks
                    .get(t)
                    .is_some_and(|t| matches!(t.status, TaskStatusType::Pending | TaskStatusType::Cancelling))
        };
        let candidates: Vec<crate::limits::Candidate> = sessions
            .values()
            .map(|s| crate::limits::Candidate {
                r: s.r.clone(),
                group: s.group.clone(),
                age: (s.last_active.load(Ordering::Relaxed), s.serial),
                busy: s.tasks.lock().unwrap_or_else(|e| e.into_inner()).iter().any(pending),
            })
            .collect();
        crate::limits::sessions_to_end(&candidates, newest)
    }

    /// Creates a task owned by the caller's session, after checking the
    /// cap on pending tasks; then destroys the completed tasks past the
    /// cap on kept tasks.
    pub(crate) fn new_task(&self, ctx: &Ctx, rec: TaskRecord) -> Result<TaskRef, ApiError> {
        let pending = |t: &TaskRecord| matches!(t.status, TaskStatusType::Pending | TaskStatusType::Cancelling);
        let busy = self.0.store.read().table::<TaskRecord>().iter().filter(|(_, t)| pending(t)).count();
        if busy >= crate::limits::MAX_PENDING_TASKS {
            return Err(ApiError::TooManyPendingTasks);
        }
        let task = self.0.store.create(rec)?;
        self.own_task(ctx, &task);
        let surplus = {
            let db = self.0.store.read();
            let infos: Vec<crate::limits::TaskInfo> = db
                .table::<TaskRecord>()
                .rows()
                .map(|(r, row)| crate::limits::TaskInfo {
                    r: r.clone(),
                    completed: !pending(&row.rec),
                    finished: (row.rec.finished, row.modified),
                })
                .collect();
            crate::limits::tasks_to_destroy(&infos)
        };
        for t in surplus {
            let _ = self.0.store.destroy::<TaskRecord>(&TaskRef::new(t));
        }
        Ok(task)
    }

    /// Ends a session (logout or expiry) and the tasks it created: a
    /// finished task goes at once, a running one when it finishes (its
    /// work is not cancelled), so that tasks do not pile up.
    pub(crate) fn close_session(&self, r: &str) {
        let removed = self.0.sessions.write().unwrap_or_else(|e| e.into_inner()).remove(r);
        let Some(session) = removed else { return };
        let _ = self.0.store.destroy::<xenapi::SessionRecord>(&SessionRef::new(r));
        let owned = std::mem::take(&mut *session.tasks.lock().unwrap_or_else(|e| e.into_inner()));
        for task in owned {
            let running = self.0.tasks.lock().unwrap_or_else(|e| e.into_inner());
            if running.contains_key(&task) {
                self.0.orphans.lock().unwrap_or_else(|e| e.into_inner()).insert(task);
            } else {
                drop(running);
                let _ = self.0.store.destroy::<TaskRecord>(&TaskRef::new(task));
            }
        }
    }

    /// Records that the caller's session owns `task`, forgetting the
    /// tasks it owned that are gone (so that the list stays as short as
    /// the task table).
    // Locks the store before the session's task list, in the same order
    // as `sessions_over_caps` (the other order could deadlock against it
    // while a writer waits for the store).
    fn own_task(&self, ctx: &Ctx, task: &TaskRef) {
        let db = self.0.store.read();
        let tasks = db.table::<TaskRecord>();
        let mut owned = ctx.session.tasks.lock().unwrap_or_else(|e| e.into_inner());
        owned.retain(|t| tasks.get(t).is_some());
        owned.push(task.to_string());
    }

    /// The user table.
    pub(crate) fn blobs(&self) -> &crate::classes::blob::BlobData {
        &self.0.blobs
    }

    pub(crate) fn users(&self) -> &RwLock<HashMap<String, User>> {
        &self.0.users
    }
}

/// Ends idle sessions now and then, so that they do not pile up.
async fn sweep_sessions(sim: Sim) {
    let period = (sim.0.config.session_idle / 4).clamp(Duration::from_millis(200), Duration::from_secs(60));
    loop {
        tokio::time::sleep(period).await;
        let expired: Vec<String> = {
            let sessions = sim.0.sessions.read().unwrap_or_else(|e| e.into_inner());
            sessions.values().filter(|s| sim.expired(s)).map(|s| s.r.clone()).collect()
        };
        for r in expired {
            sim.close_session(&r);
        }
    }
}

impl xenapi::server::Backend for Sim {
    type Ctx = Ctx;
    type Store = SimStore;

    fn store(&self) -> &SimStore {
        &self.0.store
    }

    async fn http(&self, request: xenapi_rt::server::HttpRequest<'_>) -> Option<xenapi_rt::server::HttpReply> {
        crate::classes::blob::http(self, request).await
    }

    async fn authenticate(&self, _method: &'static str, session: &SessionRef) -> Result<Ctx, ApiError> {
        let found = self.0.sessions.read().unwrap_or_else(|e| e.into_inner()).get(session.as_str()).cloned();
        let invalid = || ApiError::SessionInvalid { handle: session.to_string() };
        let s = found.ok_or_else(invalid)?;
        if self.expired(&s) {
            self.close_session(session.as_str());
            return Err(invalid());
        }
        s.last_active.store(self.now_ms(), Ordering::Relaxed);
        Ok(Ctx { session: s })
    }

    fn authorize(&self, ctx: &Ctx, method: &'static str, roles: &'static [&'static str]) -> Result<(), ApiError> {
        // An empty list is local root only: no role grants it.
        if ctx.session.local_superuser || roles.contains(&ctx.session.role.as_str()) {
            return Ok(());
        }
        let permission = method.strip_prefix("Async.").unwrap_or(method).to_ascii_lowercase();
        Err(ApiError::RbacPermissionDenied { permission, message: "No permission in user session".into() })
    }

    async fn spawn_task(
        &self,
        ctx: &Ctx,
        method: &'static str,
        target: Option<String>,
        work: BoxFuture<Result<String, ApiError>>,
    ) -> Result<TaskRef, ApiError> {
        let rec = TaskRecord {
            name_label: method.into(),
            name_description: Str::default(),
            status: TaskStatusType::Pending,
            created: now(),
            resident_on: self.master(),
            allowed_operations: vec![TaskAllowedOperations::Cancel],
            ..Default::default()
        };
        let task = self.new_task(ctx, rec)?;
        let (cancel_tx, cancel_rx) = tokio::sync::watch::channel(false);
        self.0.tasks.lock().unwrap_or_else(|e| e.into_inner()).insert(task.to_string(), cancel_tx);
        // The object the call acts on lists the operation in its
        // `current_operations` while the task runs, when its class has
        // that field and the operation is one of its values.
        let busy = target.zip(method_class_and_name(method)).and_then(|(target, (class, op))| {
            let listed = self.0.store.write(|tx| tx.task_operation(class, &target, task.as_str(), Some(op)));
            listed.is_ok().then_some((class, target))
        });
        tokio::spawn(run_task(self.handle(), task.clone(), busy, work, cancel_rx));
        Ok(task)
    }
}

/// The class and message of an `Async.CLASS.message` method.
fn method_class_and_name(method: &'static str) -> Option<(&'static str, &'static str)> {
    method.strip_prefix("Async.")?.split_once('.')
}

async fn run_task(
    sim: Sim,
    task: TaskRef,
    busy: Option<(&'static str, String)>,
    work: BoxFuture<Result<String, ApiError>>,
    mut cancel: tokio::sync::watch::Receiver<bool>,
) {
    let delay = sim.0.config.task_delay;
    let store = &sim.0.store;
    let job = async {
        if !delay.is_zero() {
            tokio::time::sleep(delay / 2).await;
            let _ = store.update::<TaskRecord, _, _>(&task, |t| {
                t.progress = 0.5;
                Ok(())
            });
            tokio::time::sleep(delay / 2).await;
        }
        work.await
    };
    let outcome = tokio::select! {
        r = job => Some(r),
        _ = cancel.wait_for(|c| *c) => None,
    };
    let _ = store.update::<TaskRecord, _, _>(&task, |t| {
        t.finished = now();
        t.allowed_operations.clear();
        match outcome {
            Some(Ok(result)) => {
                t.status = TaskStatusType::Success;
                t.progress = 1.0;
                t.result = result.into();
            }
            Some(Err(e)) => {
                t.status = TaskStatusType::Failure;
                t.progress = 1.0;
                t.error_info = error_info(&e);
            }
            None => {
                t.status = TaskStatusType::Cancelled;
                t.error_info = error_info(&ApiError::TaskCancelled { task: task.to_string() });
            }
        }
        Ok(())
    });
    if let Some((class, target)) = busy {
        let _ = store.write(|tx| tx.task_operation(class, &target, task.as_str(), None));
    }
    let orphan = {
        let mut running = sim.0.tasks.lock().unwrap_or_else(|e| e.into_inner());
        running.remove(task.as_str());
        sim.0.orphans.lock().unwrap_or_else(|e| e.into_inner()).remove(task.as_str())
    };
    if orphan {
        let _ = store.destroy::<TaskRecord>(&task);
    }
}
