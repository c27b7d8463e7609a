//! Sessions, tasks and events, and the list of classes without behaviour
//! of their own: those get the generated defaults (derived messages over
//! the store, NOT_IMPLEMENTED for explicit ones). The classes with
//! behaviour live in [`crate::classes`].

use std::time::Duration;

use xenapi::server::Store;
use xenapi::{
    ApiError, EventBatch, EventRecord, EventServer, HostRef, SessionRecord, SessionRef, SessionServer, TaskRecord,
    TaskRef, TaskServer, TaskStatusType,
};
use xenapi_rt::types::{DateTime, Map, Str};

use crate::events::{collect, counts, parse_token, token, Filter};
use crate::sim::{Ctx, Sim, Subscription};
use crate::util::{error_info, now};

// Every class without behaviour of its own gets the generated defaults.
macro_rules! derived_only {
    (VmServer) => {};
    (HostServer) => {};
    (PoolServer) => {};
    (SessionServer) => {};
    (TaskServer) => {};
    (EventServer) => {};
    // Storage, network and device classes: crate::classes.
    (VdiServer) => {};
    (SrServer) => {};
    (PbdServer) => {};
    (VbdServer) => {};
    (VifServer) => {};
    (PifServer) => {};
    (BondServer) => {};
    (VlanServer) => {};
    (TunnelServer) => {};
    (NetworkServer) => {};
    (VusbServer) => {};
    (PusbServer) => {};
    (VgpuServer) => {};
    (VtpmServer) => {};
    (SdnControllerServer) => {};
    (MessageServer) => {};
    (BlobServer) => {};
    (PoolUpdateServer) => {};
    (PoolPatchServer) => {};
    (RepositoryServer) => {};
    (VmGroupServer) => {};
    (PciServer) => {};
    ($t:ident) => {
        impl xenapi::$t for Sim {}
    };
}
xenapi::for_each_server_trait!(derived_only);

// ---------------------------------------------------------------- session

/// Field getters of the session class that answer for the caller's own
/// session only.
macro_rules! own_session_fields {
    ($($method:ident => $field:ident: $ty:ty),* $(,)?) => {$(
        async fn $method(&self, ctx: &Ctx, self_: SessionRef) -> Result<$ty, ApiError> {
            self.own_session(ctx, &self_).map(|r| r.$field)
        }
    )*};
}

impl SessionServer for Sim {
    async fn login_with_password(
        &self,
        uname: Str,
        pwd: Str,
        _version: Str,
        originator: Str,
    ) -> Result<SessionRef, ApiError> {
        let user = self.users().read().unwrap_or_else(|e| e.into_inner()).get(uname.as_str()).cloned();
        match user {
            Some(u) if u.password == pwd => self.open_session(&u, &originator),
            _ => Err(ApiError::SessionAuthenticationFailed),
        }
    }

    async fn logout(&self, ctx: &Ctx) -> Result<(), ApiError> {
        self.close_session(&ctx.session.r);
        Ok(())
    }

    async fn local_logout(&self, ctx: &Ctx) -> Result<(), ApiError> {
        self.close_session(&ctx.session.r);
        Ok(())
    }

    async fn change_password(&self, ctx: &Ctx, old_pwd: Str, new_pwd: Str) -> Result<(), ApiError> {
        let mut users = self.users().write().unwrap_or_else(|e| e.into_inner());
        match users.get_mut(&ctx.session.user) {
            Some(u) if u.password == old_pwd => {
                u.password = new_pwd.into();
                Ok(())
            }
            _ => Err(ApiError::ChangePasswordRejected { msg: "the old password is not correct".into() }),
        }
    }

    async fn get_all_subject_identifiers(&self, _ctx: &Ctx) -> Result<Vec<Str>, ApiError> {
        Ok(Vec::new())
    }

    // A session reference is a bearer token: every read and write of the
    // session class reaches the caller's own session only; any other
    // session is answered as if it did not exist.

    async fn get_record(&self, ctx: &Ctx, self_: SessionRef) -> Result<SessionRecord, ApiError> {
        self.own_session(ctx, &self_)
    }

    async fn get_by_uuid(&self, ctx: &Ctx, uuid: Str) -> Result<SessionRef, ApiError> {
        let own = SessionRef::new(ctx.session.r.clone());
        match self.own_session(ctx, &own) {
            Ok(rec) if rec.uuid == uuid => Ok(own),
            _ => Err(ApiError::UuidInvalid { r#type: "session".into(), uuid: uuid.into() }),
        }
    }

    own_session_fields! {
        get_uuid => uuid: Str,
        get_this_host => this_host: HostRef,
        get_this_user => this_user: xenapi::UserRef,
        get_last_active => last_active: DateTime,
        get_pool => pool: bool,
        get_other_config => other_config: Map<Str, Str>,
        get_is_local_superuser => is_local_superuser: bool,
        get_subject => subject: xenapi::SubjectRef,
        get_validation_time => validation_time: DateTime,
        get_auth_user_sid => auth_user_sid: Str,
        get_auth_user_name => auth_user_name: Str,
        get_rbac_permissions => rbac_permissions: Vec<Str>,
        get_tasks => tasks: Vec<TaskRef>,
        get_parent => parent: SessionRef,
        get_originator => originator: Str,
        get_client_certificate => client_certificate: bool,
    }

    async fn set_other_config(&self, ctx: &Ctx, self_: SessionRef, value: Map<Str, Str>) -> Result<(), ApiError> {
        self.own_session(ctx, &self_)?;
        self.sim_store().update::<SessionRecord, _, _>(&self_, |r| {
            r.other_config = value;
            Ok(())
        })
    }

    async fn add_to_other_config(&self, ctx: &Ctx, self_: SessionRef, key: Str, value: Str) -> Result<(), ApiError> {
        self.own_session(ctx, &self_)?;
        self.sim_store().update::<SessionRecord, _, _>(&self_, |r| {
            if r.other_config.contains_key(&key) {
                return Err(ApiError::MapDuplicateKey {
                    r#type: "session".into(),
                    param_name: "other_config".into(),
                    uuid: r.uuid.to_string(),
                    key: key.into(),
                });
            }
            r.other_config.insert(key, value);
            Ok(())
        })
    }

    async fn remove_from_other_config(&self, ctx: &Ctx, self_: SessionRef, key: Str) -> Result<(), ApiError> {
        self.own_session(ctx, &self_)?;
        self.sim_store().update::<SessionRecord, _, _>(&self_, |r| {
            r.other_config.remove(&key);
            Ok(())
        })
    }
}

impl Sim {
    /// The record of `r` when it is the caller's own session; any other
    /// session is HANDLE_INVALID, as if it did not exist.
    fn own_session(&self, ctx: &Ctx, r: &SessionRef) -> Result<SessionRecord, ApiError> {
        if r.as_str() != ctx.session.r {
            return Err(ApiError::HandleInvalid { class: "session".into(), handle: r.to_string() });
        }
        self.sim_store().get::<SessionRecord>(r)
    }
}

// ---------------------------------------------------------------- task

impl TaskServer for Sim {
    async fn create(&self, ctx: &Ctx, label: Str, description: Str) -> Result<TaskRef, ApiError> {
        let rec = TaskRecord {
            name_label: label,
            name_description: description,
            status: TaskStatusType::Pending,
            created: now(),
            resident_on: self.master(),
            allowed_operations: vec![xenapi::TaskAllowedOperations::Cancel],
            ..Default::default()
        };
        self.new_task(ctx, rec)
    }

    async fn destroy(&self, ctx: &Ctx, self_: TaskRef) -> Result<(), ApiError> {
        ctx.session.tasks.lock().unwrap_or_else(|e| e.into_inner()).retain(|t| t != self_.as_str());
        if let Some(cancel) = self.0.tasks.lock().unwrap_or_else(|e| e.into_inner()).remove(self_.as_str()) {
            let _ = cancel.send(true);
        }
        self.sim_store().destroy::<TaskRecord>(&self_)
    }

    async fn cancel(&self, _ctx: &Ctx, task: TaskRef) -> Result<(), ApiError> {
        let t = self.sim_store().get::<TaskRecord>(&task)?;
        if t.status != TaskStatusType::Pending {
            return Err(ApiError::OperationNotAllowed {
                reason: format!("task {} is {}, not pending", task, t.status),
            });
        }
        self.sim_store().update::<TaskRecord, _, _>(&task, |t| {
            t.status = TaskStatusType::Cancelling;
            Ok(())
        })?;
        let signal = self.0.tasks.lock().unwrap_or_else(|e| e.into_inner()).get(task.as_str()).cloned();
        match signal {
            Some(s) => {
                let _ = s.send(true);
            }
            // A task made with task.create: nobody runs it, so it is
            // cancelled at once.
            None => self.sim_store().update::<TaskRecord, _, _>(&task, |t| {
                t.status = TaskStatusType::Cancelled;
                t.finished = now();
                t.allowed_operations.clear();
                t.error_info = error_info(&ApiError::TaskCancelled { task: task.to_string() });
                Ok(())
            })?,
        }
        Ok(())
    }

    async fn set_status(&self, _ctx: &Ctx, self_: TaskRef, value: TaskStatusType) -> Result<(), ApiError> {
        self.sim_store().update::<TaskRecord, _, _>(&self_, |t| {
            if value != TaskStatusType::Pending && value != TaskStatusType::Cancelling {
                t.finished = now();
                t.allowed_operations.clear();
            }
            t.status = value;
            Ok(())
        })
    }

    async fn set_progress(&self, _ctx: &Ctx, self_: TaskRef, value: f64) -> Result<(), ApiError> {
        if !(0.0..=1.0).contains(&value) {
            return Err(ApiError::InvalidValue { field: "progress".into(), value: value.to_string() });
        }
        self.sim_store().update::<TaskRecord, _, _>(&self_, |t| {
            t.progress = value;
            Ok(())
        })
    }

    async fn set_result(&self, _ctx: &Ctx, self_: TaskRef, value: Str) -> Result<(), ApiError> {
        self.sim_store().update::<TaskRecord, _, _>(&self_, |t| {
            t.result = value;
            Ok(())
        })
    }

    async fn set_error_info(&self, _ctx: &Ctx, self_: TaskRef, value: Vec<Str>) -> Result<(), ApiError> {
        self.sim_store().update::<TaskRecord, _, _>(&self_, |t| {
            t.error_info = value;
            Ok(())
        })
    }
}

// ---------------------------------------------------------------- event

/// The longest `event.from` wait honoured, in seconds.
const MAX_WAIT: f64 = 3600.0;

impl EventServer for Sim {
    async fn register(&self, ctx: &Ctx, classes: Vec<Str>) -> Result<(), ApiError> {
        let gen = self.sim_store().read().gen;
        let mut sub = ctx.session.subscription.lock().unwrap_or_else(|e| e.into_inner());
        let s = sub.get_or_insert_with(|| Subscription { classes: Vec::new(), cursor: gen });
        for c in classes {
            if !s.classes.iter().any(|x| x.eq_ignore_ascii_case(&c)) {
                if s.classes.len() >= crate::limits::MAX_SUBSCRIBED_NAMES {
                    return Err(ApiError::InvalidValue {
                        field: "classes".into(),
                        value: format!("more than {} names subscribed", crate::limits::MAX_SUBSCRIBED_NAMES),
                    });
                }
                s.classes.push(c);
            }
        }
        Ok(())
    }

    async fn unregister(&self, ctx: &Ctx, classes: Vec<Str>) -> Result<(), ApiError> {
        let mut sub = ctx.session.subscription.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = sub.as_mut() {
            s.classes.retain(|x| !classes.iter().any(|c| c.eq_ignore_ascii_case(x)));
            if s.classes.is_empty() {
                *sub = None;
            }
        }
        Ok(())
    }

    async fn next(&self, ctx: &Ctx) -> Result<Vec<EventRecord>, ApiError> {
        let mut changed = self.sim_store().subscribe();
        loop {
            changed.borrow_and_update();
            let Some(sub) = ctx.session.subscription.lock().unwrap_or_else(|e| e.into_inner()).clone() else {
                return Err(ApiError::SessionNotRegistered { handle: ctx.session.r.clone() });
            };
            let (events, gen) = {
                let db = self.sim_store().read();
                let filter = Filter::parse(&db, &sub.classes, &ctx.session.r);
                collect(&db, &filter, Some(sub.cursor))?
            };
            if !events.is_empty() {
                if let Some(s) = ctx.session.subscription.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
                    s.cursor = gen;
                }
                return Ok(events);
            }
            // Wake up now and then to notice a logout.
            let _ = tokio::time::timeout(Duration::from_secs(5), changed.changed()).await;
            if !self.0.sessions.read().unwrap_or_else(|e| e.into_inner()).contains_key(&ctx.session.r) {
                return Err(ApiError::SessionInvalid { handle: ctx.session.r.clone() });
            }
        }
    }

    async fn from(&self, ctx: &Ctx, classes: Vec<Str>, token_in: Str, timeout: f64) -> Result<EventBatch, ApiError> {
        let since = parse_token(&token_in)?;
        let wait = if timeout.is_finite() && timeout > 0.0 { timeout.min(MAX_WAIT) } else { 0.0 };
        let deadline = tokio::time::Instant::now() + Duration::from_secs_f64(wait);
        let mut changed = self.sim_store().subscribe();
        loop {
            changed.borrow_and_update();
            let (events, gen, valid_ref_counts) = {
                let db = self.sim_store().read();
                let filter = Filter::parse(&db, &classes, &ctx.session.r);
                let (events, gen) = collect(&db, &filter, since)?;
                (events, gen, counts(&db, &filter))
            };
            if !events.is_empty() || since.is_none() || tokio::time::Instant::now() >= deadline {
                return Ok(EventBatch { events, valid_ref_counts, token: token(gen) });
            }
            if tokio::time::timeout_at(deadline, changed.changed()).await.is_err() {
                // One last look, then return whatever there is.
                let db = self.sim_store().read();
                let filter = Filter::parse(&db, &classes, &ctx.session.r);
                let (events, gen) = collect(&db, &filter, since)?;
                return Ok(EventBatch { events, valid_ref_counts: counts(&db, &filter), token: token(gen) });
            }
        }
    }

    async fn get_current_id(&self, _ctx: &Ctx) -> Result<i64, ApiError> {
        Ok(self.sim_store().read().gen as i64)
    }

    async fn inject(&self, _ctx: &Ctx, class: Str, r#ref: Str) -> Result<Str, ApiError> {
        self.sim_store().write(|tx| tx.touch_object(&class, &r#ref))?;
        Ok(token(self.sim_store().read().gen).into())
    }
}
