//! The messages with behaviour of their own. Everything else is either
//! derived (the generated defaults over the store) or NOT_IMPLEMENTED
//! (the generated defaults for explicit messages).

use std::collections::HashMap;
use std::time::Duration;

use xenapi::server::Store;
use xenapi::{
    ApiError, EventBatch, EventRecord, EventServer, HostRecord, HostRef, PoolRecord, SessionRef, SessionServer, SrRecord,
    SrRef, TaskRecord, TaskRef, TaskServer, TaskStatusType, VbdMode, VbdRecord, VbdType, VdiRecord, VdiRef, VdiType,
    VifRecord, VmMetricsRecord, VmOperations as Op, VmPowerState as Power, VmRecord, VmRef, VmServer,
};
use xenapi_rt::types::{DateTime, Ref};

use crate::behaviour::check_vm_op;
use crate::events::{collect, counts, parse_token, token, Filter};
use crate::sim::{Ctx, Sim, Subscription};
use crate::store::Tx;
use crate::util::{new_uuid, now};

// Every class without behaviour of its own gets the generated defaults.
macro_rules! derived_only {
    (VmServer) => {};
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
    (PoolServer) => {};
    ($t:ident) => {
        impl xenapi::$t for Sim {}
    };
}
xenapi::for_each_server_trait!(derived_only);

// ---------------------------------------------------------------- session

impl SessionServer for Sim {
    async fn login_with_password(
        &self,
        uname: String,
        pwd: String,
        _version: String,
        originator: String,
    ) -> Result<SessionRef, ApiError> {
        let user = self.users().read().unwrap_or_else(|e| e.into_inner()).get(&uname).cloned();
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

    async fn change_password(&self, ctx: &Ctx, old_pwd: String, new_pwd: String) -> Result<(), ApiError> {
        let mut users = self.users().write().unwrap_or_else(|e| e.into_inner());
        match users.get_mut(&ctx.session.user) {
            Some(u) if u.password == old_pwd => {
                u.password = new_pwd;
                Ok(())
            }
            _ => Err(ApiError::ChangePasswordRejected { msg: "the old password is not correct".into() }),
        }
    }

    async fn get_all_subject_identifiers(&self, _ctx: &Ctx) -> Result<Vec<String>, ApiError> {
        Ok(Vec::new())
    }
}

// ---------------------------------------------------------------- task

impl TaskServer for Sim {
    async fn create(&self, ctx: &Ctx, label: String, description: String) -> Result<TaskRef, ApiError> {
        let rec = TaskRecord {
            name_label: label,
            name_description: description,
            status: TaskStatusType::Pending,
            created: now(),
            resident_on: self.master(),
            allowed_operations: vec![xenapi::TaskAllowedOperations::Cancel],
            ..Default::default()
        };
        let task = self.sim_store().create(rec)?;
        self.own_task(ctx, &task);
        Ok(task)
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
            return Err(ApiError::OperationNotAllowed { reason: format!("task {} is {}, not pending", task, t.status) });
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
                t.error_info = ApiError::TaskCancelled { task: task.to_string() }.to_description();
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

    async fn set_result(&self, _ctx: &Ctx, self_: TaskRef, value: String) -> Result<(), ApiError> {
        self.sim_store().update::<TaskRecord, _, _>(&self_, |t| {
            t.result = value;
            Ok(())
        })
    }

    async fn set_error_info(&self, _ctx: &Ctx, self_: TaskRef, value: Vec<String>) -> Result<(), ApiError> {
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
    async fn register(&self, ctx: &Ctx, classes: Vec<String>) -> Result<(), ApiError> {
        let gen = self.sim_store().read().gen;
        let mut sub = ctx.session.subscription.lock().unwrap_or_else(|e| e.into_inner());
        let s = sub.get_or_insert_with(|| Subscription { classes: Vec::new(), cursor: gen });
        for c in classes {
            if !s.classes.iter().any(|x| x.eq_ignore_ascii_case(&c)) {
                s.classes.push(c);
            }
        }
        Ok(())
    }

    async fn unregister(&self, ctx: &Ctx, classes: Vec<String>) -> Result<(), ApiError> {
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
                let filter = Filter::parse(&db, &sub.classes);
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

    async fn from(&self, _ctx: &Ctx, classes: Vec<String>, token_in: String, timeout: f64) -> Result<EventBatch, ApiError> {
        let since = parse_token(&token_in)?;
        let wait = if timeout.is_finite() && timeout > 0.0 { timeout.min(MAX_WAIT) } else { 0.0 };
        let deadline = tokio::time::Instant::now() + Duration::from_secs_f64(wait);
        let mut changed = self.sim_store().subscribe();
        loop {
            changed.borrow_and_update();
            let (events, gen, valid_ref_counts) = {
                let db = self.sim_store().read();
                let filter = Filter::parse(&db, &classes);
                let (events, gen) = collect(&db, &filter, since)?;
                (events, gen, counts(&db, &filter))
            };
            if !events.is_empty() || since.is_none() || tokio::time::Instant::now() >= deadline {
                return Ok(EventBatch { events, valid_ref_counts, token: token(gen) });
            }
            if tokio::time::timeout_at(deadline, changed.changed()).await.is_err() {
                // One last look, then return whatever there is.
                let db = self.sim_store().read();
                let filter = Filter::parse(&db, &classes);
                let (events, gen) = collect(&db, &filter, since)?;
                return Ok(EventBatch { events, valid_ref_counts: counts(&db, &filter), token: token(gen) });
            }
        }
    }

    async fn get_current_id(&self, _ctx: &Ctx) -> Result<i64, ApiError> {
        Ok(self.sim_store().read().gen as i64)
    }

    async fn inject(&self, _ctx: &Ctx, class: String, r#ref: String) -> Result<String, ApiError> {
        self.sim_store().write(|tx| tx.touch_object(&class, &r#ref))?;
        Ok(token(self.sim_store().read().gen))
    }
}

// ---------------------------------------------------------------- VM

/// Changes a VM's power state after checking that `op` is allowed, and
/// keeps its devices, host and metrics in step.
fn power(tx: &mut Tx<'_>, vm: &str, op: Op, to: Power, host: Option<HostRef>, domid: i64) -> Result<(), ApiError> {
    let rec = tx.get::<VmRecord>(vm)?.clone();
    check_vm_op(vm, &rec, &op)?;
    let live = matches!(to, Power::Running | Power::Paused);
    tx.update::<VmRecord, _>(vm, |v| {
        v.power_state = to.clone();
        if live {
            if let Some(h) = host {
                v.resident_on = h;
            }
            if domid > 0 {
                v.domid = domid;
            }
        } else {
            v.resident_on = Ref::null();
            v.domid = -1;
        }
        Ok(())
    })?;
    for vbd in &rec.vbds {
        tx.update::<VbdRecord, _>(vbd.as_str(), |b| {
            b.currently_attached = live && !b.empty;
            Ok(())
        })?;
    }
    for vif in &rec.vifs {
        tx.update::<VifRecord, _>(vif.as_str(), |f| {
            f.currently_attached = live;
            Ok(())
        })?;
    }
    if !rec.metrics.is_null() && tx.get::<VmMetricsRecord>(rec.metrics.as_str()).is_ok() {
        let fresh_start = domid > 0;
        tx.update::<VmMetricsRecord, _>(rec.metrics.as_str(), |m| {
            m.last_updated = now();
            if live {
                m.memory_actual = rec.memory_dynamic_max;
                m.vcpus_number = rec.vcpus_at_startup;
                if fresh_start {
                    m.start_time = now();
                }
            } else {
                m.memory_actual = 0;
                m.vcpus_number = 0;
            }
            m.state = if to == Power::Paused { vec!["paused".into()] } else { Vec::new() };
            Ok(())
        })?;
    }
    Ok(())
}

/// A locally administered MAC address.
fn new_mac() -> String {
    let u = new_uuid().replace('-', "");
    format!("02:{}:{}:{}:{}:{}", &u[0..2], &u[2..4], &u[4..6], &u[6..8], &u[8..10])
}

/// What a copy of a VM becomes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CopyKind {
    Clone,
    Copy,
    Snapshot,
}

/// Clones, copies or snapshots a VM with its disks and network
/// interfaces, in one transaction.
fn copy_vm(
    tx: &mut Tx<'_>,
    vm: &str,
    new_name: String,
    kind: CopyKind,
    sr: Option<&str>,
    ignore: &[VdiRef],
) -> Result<VmRef, ApiError> {
    let src = tx.get::<VmRecord>(vm)?.clone();
    let op = match kind {
        CopyKind::Clone => Op::Clone,
        CopyKind::Copy => Op::Copy,
        CopyKind::Snapshot => Op::Snapshot,
    };
    check_vm_op(vm, &src, &op)?;
    if let Some(sr) = sr {
        tx.get::<SrRecord>(sr)?;
    }
    let snapshot = kind == CopyKind::Snapshot;
    let mut rec = VmRecord {
        uuid: String::new(),
        name_label: new_name,
        power_state: Power::Halted,
        resident_on: Ref::null(),
        scheduled_to_be_resident_on: Ref::null(),
        domid: -1,
        metrics: Ref::null(),
        guest_metrics: Ref::null(),
        vbds: Vec::new(),
        vifs: Vec::new(),
        consoles: Vec::new(),
        crash_dumps: Vec::new(),
        vtpms: Vec::new(),
        vusbs: Vec::new(),
        vgpus: Vec::new(),
        attached_pcis: Vec::new(),
        snapshots: Vec::new(),
        children: Vec::new(),
        current_operations: HashMap::new(),
        is_default_template: false,
        is_a_snapshot: snapshot,
        snapshot_of: if snapshot { VmRef::new(vm) } else { Ref::null() },
        snapshot_time: if snapshot { now() } else { DateTime::default() },
        parent: if snapshot { src.parent.clone() } else { Ref::null() },
        is_a_template: src.is_a_template || snapshot,
        ..src.clone()
    };
    rec.other_config.remove("default_template");
    let new_vm = tx.create(rec)?;
    if snapshot {
        // The VM's next snapshot descends from this one.
        tx.update::<VmRecord, _>(vm, |v| {
            v.parent = new_vm.clone();
            Ok(())
        })?;
    }
    for vbd in &src.vbds {
        let b = tx.get::<VbdRecord>(vbd.as_str())?.clone();
        let mut new_vdi = Ref::null();
        if !b.vdi.is_null() {
            if ignore.contains(&b.vdi) {
                continue;
            }
            let d = tx.get::<VdiRecord>(b.vdi.as_str())?.clone();
            let copy = VdiRecord {
                uuid: String::new(),
                sr: sr.map(SrRef::new).unwrap_or_else(|| d.sr.clone()),
                vbds: Vec::new(),
                crash_dumps: Vec::new(),
                snapshots: Vec::new(),
                location: String::new(),
                current_operations: HashMap::new(),
                is_a_snapshot: snapshot,
                snapshot_of: if snapshot { b.vdi.clone() } else { Ref::null() },
                snapshot_time: if snapshot { now() } else { DateTime::default() },
                ..d
            };
            new_vdi = tx.create(copy)?;
        }
        let copy = VbdRecord {
            uuid: String::new(),
            vm: new_vm.clone(),
            vdi: new_vdi,
            currently_attached: false,
            current_operations: HashMap::new(),
            ..b
        };
        tx.create(copy)?;
    }
    for vif in &src.vifs {
        let f = tx.get::<VifRecord>(vif.as_str())?.clone();
        let copy = VifRecord {
            uuid: String::new(),
            vm: new_vm.clone(),
            mac: new_mac(),
            mac_autogenerated: true,
            currently_attached: false,
            current_operations: HashMap::new(),
            ..f
        };
        tx.create(copy)?;
    }
    Ok(new_vm)
}

/// One `<disk .../>` of a template's `disks` provisioning XML.
#[derive(Debug, Default)]
struct DiskSpec {
    device: String,
    size: i64,
    sr: String,
    bootable: bool,
    kind: String,
}

/// Reads `<provision><disk device="0" size="…" sr="" bootable="true"
/// type="system"/></provision>`.
fn parse_disks(xml: &str) -> Result<Vec<DiskSpec>, ApiError> {
    let bad = |why: &str| ApiError::InvalidValue { field: "other_config:disks".into(), value: format!("{why}: {xml}") };
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find("<disk") {
        let after = &rest[start + 5..];
        let end = after.find('>').ok_or_else(|| bad("unterminated <disk>"))?;
        let attrs = after[..end].trim_end_matches('/');
        let mut d = DiskSpec::default();
        let mut a = attrs.trim();
        while !a.is_empty() {
            let eq = a.find('=').ok_or_else(|| bad("attribute without a value"))?;
            let name = a[..eq].trim();
            let v = a[eq + 1..].trim_start();
            let q = v.chars().next().filter(|c| *c == '"' || *c == '\'').ok_or_else(|| bad("unquoted attribute"))?;
            let close = v[1..].find(q).ok_or_else(|| bad("unterminated attribute"))?;
            let value = &v[1..1 + close];
            match name {
                "device" => d.device = value.to_string(),
                "size" => d.size = value.parse().map_err(|_| bad("size is not a number"))?,
                "sr" => d.sr = value.to_string(),
                "bootable" => d.bootable = value == "true",
                "type" => d.kind = value.to_string(),
                _ => {}
            }
            a = v[1 + close + 1..].trim_start();
        }
        out.push(d);
        rest = &after[end..];
    }
    Ok(out)
}

fn provision(tx: &mut Tx<'_>, vm: &str) -> Result<(), ApiError> {
    let rec = tx.get::<VmRecord>(vm)?.clone();
    check_vm_op(vm, &rec, &Op::Provision)?;
    let Some(xml) = rec.other_config.get("disks").cloned() else { return Ok(()) };
    let default_sr = tx.db().all::<PoolRecord>().into_iter().map(|(_, p)| p.default_sr).find(|s| !s.is_null());
    for disk in parse_disks(&xml)? {
        let sr = if disk.sr.is_empty() {
            None
        } else {
            tx.db().table::<SrRecord>().by_uuid(&disk.sr).cloned()
        };
        let sr = match (sr, &default_sr) {
            (Some(s), _) => s,
            (None, Some(d)) => d.to_string(),
            (None, None) => return Err(ApiError::DefaultSrNotFound { sr: disk.sr.clone() }),
        };
        let vdi = tx.create(VdiRecord {
            name_label: format!("{} {}", rec.name_label, disk.device),
            sr: SrRef::new(sr),
            virtual_size: disk.size,
            r#type: if disk.kind == "system" { VdiType::System } else { VdiType::User },
            ..Default::default()
        })?;
        tx.create(VbdRecord {
            vm: VmRef::new(vm),
            vdi,
            userdevice: disk.device.clone(),
            bootable: disk.bootable,
            mode: VbdMode::Rw,
            r#type: VbdType::Disk,
            unpluggable: true,
            ..Default::default()
        })?;
    }
    tx.update::<VmRecord, _>(vm, |v| {
        v.other_config.remove("disks");
        Ok(())
    })
}

fn destroy_vm(tx: &mut Tx<'_>, vm: &str) -> Result<(), ApiError> {
    let rec = tx.get::<VmRecord>(vm)?.clone();
    check_vm_op(vm, &rec, &Op::Destroy)?;
    for vbd in &rec.vbds {
        tx.destroy::<VbdRecord>(vbd.as_str())?;
    }
    for vif in &rec.vifs {
        tx.destroy::<VifRecord>(vif.as_str())?;
    }
    for c in &rec.consoles {
        let _ = tx.destroy::<xenapi::ConsoleRecord>(c.as_str());
    }
    if !rec.metrics.is_null() && tx.get::<VmMetricsRecord>(rec.metrics.as_str()).is_ok() {
        tx.destroy::<VmMetricsRecord>(rec.metrics.as_str())?;
    }
    if !rec.guest_metrics.is_null() && tx.get::<xenapi::VmGuestMetricsRecord>(rec.guest_metrics.as_str()).is_ok() {
        tx.destroy::<xenapi::VmGuestMetricsRecord>(rec.guest_metrics.as_str())?;
    }
    tx.destroy::<VmRecord>(vm)
}

impl Sim {
    fn next_domid(&self) -> i64 {
        self.0.domid.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }

    fn power_op(&self, vm: &VmRef, op: Op, to: Power, host: Option<HostRef>) -> Result<(), ApiError> {
        let live = matches!(to, Power::Running | Power::Paused);
        let fresh = live && !matches!(op, Op::Unpause | Op::Pause);
        let domid = if fresh { self.next_domid() } else { 0 };
        let host = if live { Some(host.unwrap_or_else(|| self.master())) } else { None };
        self.sim_store().write(|tx| power(tx, vm.as_str(), op, to, host, domid))
    }
}

impl VmServer for Sim {
    async fn start(&self, _ctx: &Ctx, vm: VmRef, start_paused: bool, _force: bool) -> Result<(), ApiError> {
        let to = if start_paused { Power::Paused } else { Power::Running };
        self.power_op(&vm, Op::Start, to, None)
    }

    async fn start_on(&self, _ctx: &Ctx, vm: VmRef, host: HostRef, start_paused: bool, _force: bool) -> Result<(), ApiError> {
        self.sim_store().get::<HostRecord>(&host)?;
        let to = if start_paused { Power::Paused } else { Power::Running };
        self.power_op(&vm, Op::StartOn, to, Some(host))
    }

    async fn clean_shutdown(&self, _ctx: &Ctx, vm: VmRef) -> Result<(), ApiError> {
        self.power_op(&vm, Op::CleanShutdown, Power::Halted, None)
    }

    async fn hard_shutdown(&self, _ctx: &Ctx, vm: VmRef) -> Result<(), ApiError> {
        self.power_op(&vm, Op::HardShutdown, Power::Halted, None)
    }

    async fn shutdown(&self, _ctx: &Ctx, vm: VmRef) -> Result<(), ApiError> {
        self.power_op(&vm, Op::Shutdown, Power::Halted, None)
    }

    async fn clean_reboot(&self, _ctx: &Ctx, vm: VmRef) -> Result<(), ApiError> {
        let host = self.sim_store().get::<VmRecord>(&vm)?.resident_on;
        self.power_op(&vm, Op::CleanReboot, Power::Running, Some(host).filter(|h| !h.is_null()))
    }

    async fn hard_reboot(&self, _ctx: &Ctx, vm: VmRef) -> Result<(), ApiError> {
        let host = self.sim_store().get::<VmRecord>(&vm)?.resident_on;
        self.power_op(&vm, Op::HardReboot, Power::Running, Some(host).filter(|h| !h.is_null()))
    }

    async fn suspend(&self, _ctx: &Ctx, vm: VmRef) -> Result<(), ApiError> {
        self.power_op(&vm, Op::Suspend, Power::Suspended, None)
    }

    async fn resume(&self, _ctx: &Ctx, vm: VmRef, start_paused: bool, _force: bool) -> Result<(), ApiError> {
        let to = if start_paused { Power::Paused } else { Power::Running };
        self.power_op(&vm, Op::Resume, to, None)
    }

    async fn pause(&self, _ctx: &Ctx, vm: VmRef) -> Result<(), ApiError> {
        let host = self.sim_store().get::<VmRecord>(&vm)?.resident_on;
        self.power_op(&vm, Op::Pause, Power::Paused, Some(host).filter(|h| !h.is_null()))
    }

    async fn unpause(&self, _ctx: &Ctx, vm: VmRef) -> Result<(), ApiError> {
        let host = self.sim_store().get::<VmRecord>(&vm)?.resident_on;
        self.power_op(&vm, Op::Unpause, Power::Running, Some(host).filter(|h| !h.is_null()))
    }

    async fn power_state_reset(&self, _ctx: &Ctx, vm: VmRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            let rec = tx.get::<VmRecord>(vm.as_str())?;
            if rec.is_control_domain {
                return Err(ApiError::CannotResetControlDomain { vm: vm.to_string() });
            }
            power(tx, vm.as_str(), Op::PowerStateReset, Power::Halted, None, 0)
        })
    }

    async fn clone(&self, _ctx: &Ctx, vm: VmRef, new_name: String) -> Result<VmRef, ApiError> {
        self.sim_store().write(|tx| copy_vm(tx, vm.as_str(), new_name, CopyKind::Clone, None, &[]))
    }

    async fn copy(&self, _ctx: &Ctx, vm: VmRef, new_name: String, sr: SrRef) -> Result<VmRef, ApiError> {
        let sr = (!sr.is_null()).then(|| sr.to_string());
        self.sim_store().write(|tx| copy_vm(tx, vm.as_str(), new_name, CopyKind::Copy, sr.as_deref(), &[]))
    }

    async fn snapshot(&self, _ctx: &Ctx, vm: VmRef, new_name: String, ignore_vdis: Vec<VdiRef>) -> Result<VmRef, ApiError> {
        self.sim_store().write(|tx| copy_vm(tx, vm.as_str(), new_name, CopyKind::Snapshot, None, &ignore_vdis))
    }

    async fn provision(&self, _ctx: &Ctx, vm: VmRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| provision(tx, vm.as_str()))
    }

    async fn destroy(&self, _ctx: &Ctx, self_: VmRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| destroy_vm(tx, self_.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provisioning_xml_is_read() {
        let d = parse_disks(
            r#"<provision><disk device="0" size="8589934592" sr="" bootable="true" type="system"/><disk device='1' size="1" sr="abc" bootable="false" type="user" /></provision>"#,
        )
        .unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!((d[0].device.as_str(), d[0].size, d[0].bootable, d[0].kind.as_str()), ("0", 8589934592, true, "system"));
        assert_eq!((d[1].device.as_str(), d[1].sr.as_str(), d[1].bootable), ("1", "abc", false));
        assert!(parse_disks("<provision><disk size=1/></provision>").is_err());
    }
}
