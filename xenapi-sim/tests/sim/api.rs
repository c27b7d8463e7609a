//! The simulator through the generated Rust client, in both protocols:
//! derived messages over the store, relations, sessions and roles, the
//! install flow, VM lifecycle, tasks and events.

#![allow(deprecated)]

use crate::common;

use std::time::{Duration, Instant};

use common::*;
use xenapi::{
    ApiError, EventOperation, Protocol, TaskStatusType, VbdMode, VbdRecord, VbdType, VdiOperations, VdiRecord, VdiType,
    VmOperations, VmPowerState, VmRecord, VmRef,
};
use xenapi_rt::jsonrpc::Version;

type S = xenapi::Session<xenapi_rt::transport::HttpTransport>;

async fn vm_named(s: &S, name: &str) -> VmRef {
    s.vm().get_by_name_label(name).await.unwrap().into_iter().next().unwrap_or_else(|| panic!("no VM {name}"))
}

async fn state(s: &S, vm: &VmRef) -> VmRecord {
    s.vm().get_record(vm).await.unwrap()
}

async fn template(s: &S) -> VmRef {
    vm_named(s, "Debian Bookworm 12").await
}

/// A halted, installed VM made from a template.
async fn installed(s: &S, name: &str) -> VmRef {
    let vm = s.vm().clone(&template(s).await, name).await.unwrap();
    s.vm().provision(&vm).await.unwrap();
    s.vm().set_is_a_template(&vm, false).await.unwrap();
    vm
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn derived_messages_work_on_the_store_in_every_protocol() {
    let sim = start(quick()).await;
    for p in PROTOCOLS {
        let s = root(&sim.url, p).await;
        let all = s.vm().get_all_records().await.unwrap();
        assert_eq!(all.len(), 16, "{p:?}");
        assert_eq!(all.values().filter(|v| v.is_a_template).count(), 10);
        let web = vm_named(&s, "web-01").await;
        let rec = s.vm().get_record(&web).await.unwrap();
        assert_eq!(rec.power_state, VmPowerState::Running);
        assert_eq!(s.vm().get_by_uuid(&rec.uuid).await.unwrap(), web);
        assert_eq!(s.vm().get_memory_static_max(&web).await.unwrap(), 2147483648);

        // Setters, set and map updates.
        s.vm().set_name_description(&web, "changed").await.unwrap();
        assert_eq!(s.vm().get_name_description(&web).await.unwrap(), "changed");
        s.vm().add_tags(&web, "new").await.unwrap();
        s.vm().add_tags(&web, "new").await.unwrap();
        assert_eq!(s.vm().get_tags(&web).await.unwrap().iter().filter(|t| *t == "new").count(), 1);
        s.vm().remove_tags(&web, "new").await.unwrap();
        assert!(!s.vm().get_tags(&web).await.unwrap().contains(&"new".into()));
        s.vm().add_to_other_config(&web, "k", "v").await.unwrap();
        assert_eq!(
            desc(s.vm().add_to_other_config(&web, "k", "w").await),
            ["MAP_DUPLICATE_KEY", "VM", "other_config", rec.uuid.as_str(), "k"]
        );
        assert_eq!(s.vm().get_other_config(&web).await.unwrap()["k"], "v");
        s.vm().remove_from_other_config(&web, "k").await.unwrap();
        assert!(!s.vm().get_other_config(&web).await.unwrap().contains_key("k"));

        // Lookups that miss.
        let bogus = VmRef::new("OpaqueRef:00000000-0000-0000-0000-000000000000");
        assert_eq!(desc(s.vm().get_record(&bogus).await), ["HANDLE_INVALID", "VM", bogus.as_str()]);
        assert_eq!(desc(s.vm().set_name_label(&bogus, "x").await), ["HANDLE_INVALID", "VM", bogus.as_str()]);
        assert_eq!(desc(s.sr().get_by_uuid("not-a-uuid").await), ["UUID_INVALID", "SR", "not-a-uuid"]);
        assert!(s.vm().get_by_name_label("no such VM").await.unwrap().is_empty());

        // Explicit messages without behaviour.
        let host = s.host().get_all().await.unwrap().remove(0);
        assert_eq!(desc(s.host().dmesg(&host).await), ["NOT_IMPLEMENTED", "host.dmesg"]);

        // What the typed client cannot send.
        let r = raw(&sim.url, p);
        let session = s.session_ref();
        let e = raw_desc(r.call("VM.get_name_label").param(&session).param(&[1, 2]).send::<String>().await);
        assert_eq!(e, ["FIELD_TYPE_ERROR", "self"]);
        let e = raw_desc(r.call("VM.get_name_label").param(&session).send::<String>().await);
        assert_eq!(e, ["MESSAGE_PARAMETER_COUNT_MISMATCH", "VM.get_name_label", "1", "0"]);
        let e = raw_desc(r.call("VM.no_such_thing").param(&session).send::<String>().await);
        assert_eq!(e, ["MESSAGE_METHOD_UNKNOWN", "VM.no_such_thing"]);
        // xapi's second names: `CLASS_message` is `CLASS.message`, the
        // task form has none.
        let by_alias: String = r.call("VM_get_name_label").param(&session).param(&web).send().await.unwrap();
        assert_eq!(by_alias, s.vm().get_name_label(&web).await.unwrap());
        let batch: xenapi::EventBatch =
            r.call("event_from").param(&session).param(&["vm"]).param(&"").param(&0.0).send().await.unwrap();
        assert!(!batch.token.is_empty() && batch.events.iter().all(|e| e.class == "vm"));
        let e = raw_desc(r.call("Async_VM_get_name_label").param(&session).param(&web).send::<String>().await);
        assert_eq!(e, ["MESSAGE_METHOD_UNKNOWN", "Async_VM_get_name_label"]);
        let e = raw_desc(r.call("VM_no_such_thing").param(&session).send::<String>().await);
        assert_eq!(e, ["MESSAGE_METHOD_UNKNOWN", "VM_no_such_thing"]);
        s.logout().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_sides_of_relations_stay_consistent() {
    let sim = start(quick()).await;
    let s = root(&sim.url, Protocol::XmlRpc).await;
    let db = vm_named(&s, "db-01").await;
    let sr = s.sr().get_by_name_label("NFS storage").await.unwrap().remove(0);
    let before = s.sr().get_record(&sr).await.unwrap();

    let vdi = s
        .vdi()
        .create(&VdiRecord {
            name_label: "extra".into(),
            sr: sr.clone(),
            virtual_size: 1 << 30,
            r#type: VdiType::User,
            // Not the caller's to set: the server keeps these.
            vbds: vec![xenapi::VbdRef::new("OpaqueRef:made-up")],
            physical_utilisation: 12345,
            ..Default::default()
        })
        .await
        .unwrap();
    let v = s.vdi().get_record(&vdi).await.unwrap();
    assert!(v.vbds.is_empty());
    assert_eq!(v.physical_utilisation, 1 << 30);
    let after = s.sr().get_record(&sr).await.unwrap();
    assert!(after.vdis.contains(&vdi));
    assert_eq!(after.physical_utilisation, before.physical_utilisation + (1 << 30));
    assert_eq!(after.virtual_allocation, before.virtual_allocation + (1 << 30));

    let vbd = s
        .vbd()
        .create(&VbdRecord {
            vm: db.clone(),
            vdi: vdi.clone(),
            userdevice: "1".into(),
            mode: VbdMode::Rw,
            r#type: VbdType::Disk,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(s.vm().get_vbds(&db).await.unwrap().contains(&vbd));
    assert!(s.vdi().get_vbds(&vdi).await.unwrap().contains(&vbd));
    assert_eq!(s.vbd().get_vm(&vbd).await.unwrap(), db);

    s.vbd().destroy(&vbd).await.unwrap();
    assert!(!s.vm().get_vbds(&db).await.unwrap().contains(&vbd));
    assert!(!s.vdi().get_vbds(&vdi).await.unwrap().contains(&vbd));
    assert_eq!(desc(s.vbd().get_record(&vbd).await)[0], "HANDLE_INVALID");

    // A ref to nothing is refused, and nothing is left behind.
    let count = s.vbd().get_all().await.unwrap().len();
    let ghost = VmRef::new("OpaqueRef:ghost");
    let e = desc(s.vbd().create(&VbdRecord { vm: ghost, vdi: vdi.clone(), ..Default::default() }).await);
    assert_eq!(e, ["HANDLE_INVALID", "VM", "OpaqueRef:ghost"]);
    assert_eq!(s.vbd().get_all().await.unwrap().len(), count);

    s.vdi().destroy(&vdi).await.unwrap();
    let last = s.sr().get_record(&sr).await.unwrap();
    assert!(!last.vdis.contains(&vdi));
    assert_eq!(last.physical_utilisation, before.physical_utilisation);

    // A disk that does not fit: SR_FULL, and the SR is as it was.
    let free = last.physical_size - last.physical_utilisation;
    let e = desc(
        s.vdi()
            .create(&VdiRecord {
                name_label: "huge".into(),
                sr: sr.clone(),
                virtual_size: free + 1,
                ..Default::default()
            })
            .await,
    );
    assert_eq!(e, ["SR_FULL", &(free + 1).to_string(), &free.to_string()]);
    assert_eq!(s.sr().get_record(&sr).await.unwrap().vdis.len(), last.vdis.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn install_flow_from_a_template() {
    let sim = start(quick()).await;
    let s = root(&sim.url, Protocol::JsonRpc(Version::V2)).await;
    let sr = s.pool().get_default_sr(&s.pool().get_all().await.unwrap()[0]).await.unwrap();
    let used = s.sr().get_physical_utilisation(&sr).await.unwrap();

    let vm = s.vm().clone(&template(&s).await, "new-vm").await.unwrap();
    let rec = s.vm().get_record(&vm).await.unwrap();
    assert!(rec.is_a_template && !rec.is_default_template);
    assert!(rec.other_config.contains_key("disks"));
    assert_eq!(desc(s.vm().start(&vm, false, false).await), ["VM_IS_TEMPLATE", vm.as_str()]);

    s.vm().provision(&vm).await.unwrap();
    let rec = s.vm().get_record(&vm).await.unwrap();
    assert!(!rec.other_config.contains_key("disks"));
    assert_eq!(rec.vbds.len(), 1);
    let vbd = s.vbd().get_record(&rec.vbds[0]).await.unwrap();
    assert!(vbd.bootable && vbd.userdevice == "0");
    let vdi = s.vdi().get_record(&vbd.vdi).await.unwrap();
    assert_eq!((vdi.sr.clone(), vdi.virtual_size), (sr.clone(), 10 << 30));
    assert_eq!(s.sr().get_physical_utilisation(&sr).await.unwrap(), used + (10 << 30));

    s.vm().set_is_a_template(&vm, false).await.unwrap();
    let ops = s.vm().get_allowed_operations(&vm).await.unwrap();
    assert!(ops.contains(&VmOperations::Start) && !ops.contains(&VmOperations::CleanShutdown));
    s.vm().start(&vm, false, false).await.unwrap();
    let rec = s.vm().get_record(&vm).await.unwrap();
    assert_eq!(rec.power_state, VmPowerState::Running);
    assert!(s.vbd().get_currently_attached(&rec.vbds[0]).await.unwrap());
    let metrics = s.vm_metrics().get_record(&rec.metrics).await.unwrap();
    assert_eq!(metrics.vcpus_number, rec.vcpus_at_startup);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vm_lifecycle_checks_power_states() {
    let sim = start(quick()).await;
    let s = root(&sim.url, Protocol::XmlRpc).await;
    let vm = installed(&s, "life").await;
    let host = s.host().get_all().await.unwrap().remove(0);

    let bad = |e: Vec<String>, expected: &str, actual: &str| {
        assert_eq!(e, ["VM_BAD_POWER_STATE", vm.as_str(), expected, actual]);
    };
    bad(desc(s.vm().clean_shutdown(&vm).await), "running", "halted");
    bad(desc(s.vm().resume(&vm, false, false).await), "suspended", "halted");
    bad(desc(s.vm().unpause(&vm).await), "paused", "halted");

    s.vm().start_on(&vm, &host, false, false).await.unwrap();
    let r = state(&s, &vm).await;
    assert_eq!((r.power_state.clone(), r.resident_on.clone()), (VmPowerState::Running, host.clone()));
    assert!(r.domid > 0);
    assert!(s.host().get_resident_vms(&host).await.unwrap().contains(&vm));
    assert!(r.allowed_operations.contains(&VmOperations::CleanShutdown));
    assert!(!r.allowed_operations.contains(&VmOperations::Start));
    bad(desc(s.vm().start(&vm, false, false).await), "halted", "running");
    bad(desc(s.vm().destroy(&vm).await), "halted, suspended", "running");

    s.vm().pause(&vm).await.unwrap();
    assert_eq!(state(&s, &vm).await.power_state, VmPowerState::Paused);
    s.vm().unpause(&vm).await.unwrap();
    s.vm().clean_reboot(&vm).await.unwrap();
    s.vm().hard_reboot(&vm).await.unwrap();
    assert_eq!(state(&s, &vm).await.power_state, VmPowerState::Running);

    s.vm().suspend(&vm).await.unwrap();
    let r = state(&s, &vm).await;
    assert_eq!(r.power_state, VmPowerState::Suspended);
    assert!(r.resident_on.is_null());
    assert!(!s.host().get_resident_vms(&host).await.unwrap().contains(&vm));
    s.vm().resume(&vm, true, false).await.unwrap();
    assert_eq!(state(&s, &vm).await.power_state, VmPowerState::Paused);
    s.vm().hard_shutdown(&vm).await.unwrap();
    assert_eq!(state(&s, &vm).await.power_state, VmPowerState::Halted);
    s.vm().start(&vm, false, false).await.unwrap();

    // Blocked operations: refused, and gone from allowed_operations.
    s.vm().add_to_blocked_operations(&vm, &VmOperations::CleanShutdown, "maintenance").await.unwrap();
    assert!(!s.vm().get_allowed_operations(&vm).await.unwrap().contains(&VmOperations::CleanShutdown));
    assert_eq!(desc(s.vm().clean_shutdown(&vm).await), ["OPERATION_BLOCKED", vm.as_str(), "maintenance"]);
    s.vm().remove_from_blocked_operations(&vm, &VmOperations::CleanShutdown).await.unwrap();
    assert!(s.vm().get_allowed_operations(&vm).await.unwrap().contains(&VmOperations::CleanShutdown));

    // Snapshot of a running VM, then clone and copy.
    let snap = s.vm().snapshot(&vm, "snap", &[]).await.unwrap();
    let sr = state(&s, &snap).await;
    assert!(sr.is_a_snapshot && sr.is_a_template);
    assert_eq!(sr.snapshot_of, vm);
    assert!(s.vm().get_snapshots(&vm).await.unwrap().contains(&snap));
    let snap_disk = s.vbd().get_vdi(&sr.vbds[0]).await.unwrap();
    assert!(s.vdi().get_is_a_snapshot(&snap_disk).await.unwrap());
    assert_eq!(desc(s.vm().clone(&vm, "while running").await)[0], "VM_BAD_POWER_STATE");
    s.vm().clean_shutdown(&vm).await.unwrap();
    let clone = s.vm().clone(&vm, "clone").await.unwrap();
    let local = s.sr().get_by_name_label("Local storage").await.unwrap().remove(0);
    let copy = s.vm().copy(&vm, "copy", &local).await.unwrap();
    let copy_disk = s.vbd().get_vdi(&state(&s, &copy).await.vbds[0]).await.unwrap();
    assert_eq!(s.vdi().get_sr(&copy_disk).await.unwrap(), local);
    let c = state(&s, &clone).await;
    assert_eq!((c.vbds.len(), c.vifs.len()), (1, 0));
    assert_ne!(
        s.vbd().get_vdi(&c.vbds[0]).await.unwrap(),
        s.vbd().get_vdi(&state(&s, &vm).await.vbds[0]).await.unwrap()
    );

    // Destroy takes the devices with it but leaves the disks.
    let vbds = state(&s, &clone).await.vbds;
    let disk = s.vbd().get_vdi(&vbds[0]).await.unwrap();
    s.vm().destroy(&clone).await.unwrap();
    assert_eq!(desc(s.vm().get_record(&clone).await)[0], "HANDLE_INVALID");
    assert_eq!(desc(s.vbd().get_record(&vbds[0]).await)[0], "HANDLE_INVALID");
    assert!(s.vdi().get_vbds(&disk).await.unwrap().is_empty());

    // The control domain cannot be shut down.
    let dom0 = s.vm().get_all_records().await.unwrap().into_iter().find(|(_, v)| v.is_control_domain).unwrap().0;
    assert_eq!(desc(s.vm().clean_shutdown(&dom0).await)[0], "OPERATION_NOT_ALLOWED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_calls_run_as_tasks() {
    let sim =
        start(xenapi_sim::Config { task_delay: Duration::from_millis(600), ..xenapi_sim::Config::default() }).await;
    for p in [Protocol::XmlRpc, Protocol::JsonRpc(Version::V1)] {
        let s = root(&sim.url, p).await;
        let vm = installed(&s, "tasked").await;
        let task = s.vm().async_start(&vm, false, false).await.unwrap();
        let rec = s.task().get_record(task.task_ref()).await.unwrap();
        assert_eq!((rec.status, rec.name_label.as_str()), (TaskStatusType::Pending, "Async.VM.start"));
        // The VM lists the running operation under the task's reference.
        let busy = s.vm().get_current_operations(&vm).await.unwrap();
        assert_eq!(busy.get(task.task_ref().as_str()), Some(&VmOperations::Start), "{busy:?}");
        task.wait().await.unwrap();
        assert!(s.vm().get_current_operations(&vm).await.unwrap().is_empty());
        let rec = s.task().get_record(task.task_ref()).await.unwrap();
        assert_eq!((rec.status, rec.progress), (TaskStatusType::Success, 1.0));

        // So does an object of any class with `current_operations`, even
        // while a message the simulator leaves unimplemented runs.
        let disk = s.vbd().get_vdi(&state(&s, &vm).await.vbds[0]).await.unwrap();
        let updating = s.vdi().async_update(&disk).await.unwrap();
        let busy = s.vdi().get_current_operations(&disk).await.unwrap();
        assert_eq!(busy.get(updating.task_ref().as_str()), Some(&VdiOperations::Update), "{busy:?}");
        let e = updating.wait().await.unwrap_err();
        assert!(matches!(e.api(), Some(ApiError::NotImplemented { .. })), "{e}");
        assert!(s.vdi().get_current_operations(&disk).await.unwrap().is_empty());
        assert_eq!(s.vm().get_power_state(&vm).await.unwrap(), VmPowerState::Running);

        // A result: the new VM's ref, as xapi writes it.
        let clone_task = s.vm().async_snapshot(&vm, "snap", &[]).await.unwrap();
        let snap = clone_task.wait().await.unwrap();
        let text = s.task().get_result(clone_task.task_ref()).await.unwrap();
        assert_eq!(text, format!("<value>{snap}</value>"));

        // A failure: error_info holds the error.
        let failing = s.vm().async_start(&vm, false, false).await.unwrap();
        let e = failing.wait().await.unwrap_err();
        assert!(matches!(e.api(), Some(ApiError::VmBadPowerState { .. })), "{e}");
        let info = s.task().get_error_info(failing.task_ref()).await.unwrap();
        assert_eq!(info, ["VM_BAD_POWER_STATE", vm.as_str(), "halted", "running"]);

        // Cancelled before it ran: the VM is untouched.
        let slow = s.vm().async_clean_shutdown(&vm).await.unwrap();
        s.task().cancel(slow.task_ref()).await.unwrap();
        let e = slow.wait().await.unwrap_err();
        assert!(matches!(e.api(), Some(ApiError::TaskCancelled { .. })), "{e}");
        assert_eq!(s.task().get_status(slow.task_ref()).await.unwrap(), TaskStatusType::Cancelled);
        assert_eq!(s.vm().get_power_state(&vm).await.unwrap(), VmPowerState::Running);
        assert_eq!(desc(s.task().cancel(slow.task_ref()).await)[0], "OPERATION_NOT_ALLOWED");

        // Tasks made by clients.
        let t = s.task().create("mine", "a task of my own").await.unwrap();
        s.task().set_progress(&t, 0.25).await.unwrap();
        assert_eq!(s.task().get_progress(&t).await.unwrap(), 0.25);
        s.task().set_status(&t, &TaskStatusType::Success).await.unwrap();
        s.task().destroy(&t).await.unwrap();
        assert_eq!(desc(s.task().get_record(&t).await)[0], "HANDLE_INVALID");
    }
}

/// How long a test waits for an `event.from` that should already have
/// returned before calling it stuck. A guard against a hang, not a speed
/// check: a correct poll here returns within a second (at its short
/// timeout, or when woken by a change), a broken one only after an hour.
const POLL_GUARD: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_from_tokens_filters_and_long_polls() {
    let sim = start(quick()).await;
    let s = root(&sim.url, Protocol::XmlRpc).await;
    let vms = [Str::from("vm")];

    // The empty token: every VM, as `add`, and the counts.
    let first = s.event().from(&vms, "", 1.0).await.unwrap();
    assert_eq!(first.events.len(), 16);
    assert!(first.events.iter().all(|e| e.class == "vm" && e.operation == EventOperation::Add));
    assert_eq!(first.valid_ref_counts["vm"], 16);
    let web: VmRecord =
        first.events.iter().find(|e| e.snapshot["name_label"] == "web-01").unwrap().snapshot_as().unwrap();
    assert_eq!(web.power_state, VmPowerState::Running);

    // Nothing happens: the call waits for its timeout, then returns. That
    // it waited is checked; how soon it returned is not (a busy machine
    // may be slow): [`POLL_GUARD`] only fails a poll that ignores its
    // timeout and would run to the simulator's one-hour cap.
    let t0 = Instant::now();
    let idle = tokio::time::timeout(POLL_GUARD, s.event().from(&vms, &first.token, 0.5))
        .await
        .expect("a poll with a 0.5 s timeout was still waiting: the timeout is not honoured")
        .unwrap();
    assert!(idle.events.is_empty());
    assert!(t0.elapsed() >= Duration::from_millis(450), "{:?}", t0.elapsed());

    // A change during a long poll wakes it at once.
    let db = vm_named(&s, "db-01").await;
    let url = sim.url.clone();
    let db2 = db.clone();
    let changer = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let s = root(&url, Protocol::JsonRpc(Version::V2)).await;
        s.vm().set_name_description(&db2, "woken").await.unwrap();
        s.sr().set_name_description(&xenapi::SrRef::new("OpaqueRef:no-such-sr"), "refused").await.unwrap_err();
    });
    // The poll asks for the longest wait there is (an hour), so it can end
    // within the guard only by being woken, never by its own timeout.
    let woke = tokio::time::timeout(POLL_GUARD, s.event().from(&vms, &idle.token, 3600.0))
        .await
        .expect("the change did not wake the long poll")
        .unwrap();
    changer.await.unwrap();
    assert_eq!(woke.events.len(), 1, "{:?}", woke.events);
    let ev = &woke.events[0];
    assert_eq!((ev.class.as_str(), ev.operation.clone(), ev.r#ref.as_str()), ("vm", EventOperation::Mod, db.as_str()));
    assert_eq!(ev.snapshot["name_description"], "woken");

    // Other classes do not show; `*` shows everything; one object can be
    // watched alone.
    let host = s.host().get_all().await.unwrap().remove(0);
    s.host().set_name_description(&host, "changed").await.unwrap();
    let vm_only = s.event().from(&vms, &woke.token, 0.1).await.unwrap();
    assert!(vm_only.events.is_empty());
    let star = s.event().from(&["*".into()], &woke.token, 0.1).await.unwrap();
    assert_eq!(star.events.iter().map(|e| e.class.as_str()).collect::<Vec<_>>(), ["host"]);
    let one = [format_compact!("vm/{db}")];
    s.vm().set_name_description(&vm_named(&s, "web-01").await, "other").await.unwrap();
    s.vm().set_name_description(&db, "mine").await.unwrap();
    let watched = s.event().from(&one, &star.token, 1.0).await.unwrap();
    assert_eq!(watched.events.len(), 1);
    assert_eq!(watched.events[0].r#ref, db.as_str());

    // Creation and deletion; several changes to one object come as one.
    let vm = s.vm().clone(&template(&s).await, "short-lived").await.unwrap();
    s.vm().set_name_description(&vm, "1").await.unwrap();
    s.vm().set_name_description(&vm, "2").await.unwrap();
    let created = s.event().from(&vms, &watched.token, 1.0).await.unwrap();
    let mine: Vec<_> = created.events.iter().filter(|e| e.r#ref == vm.as_str()).collect();
    assert_eq!(mine.len(), 1);
    assert_eq!(
        (mine[0].operation.clone(), mine[0].snapshot["name_description"].as_str()),
        (EventOperation::Add, Some("2"))
    );
    s.vm().destroy(&vm).await.unwrap();
    let gone = s.event().from(&vms, &created.token, 1.0).await.unwrap();
    assert_eq!(gone.events.len(), 1);
    assert_eq!((gone.events[0].operation.clone(), gone.events[0].r#ref.as_str()), (EventOperation::Del, vm.as_str()));

    assert_eq!(desc(s.event().from(&vms, "garbage", 0.1).await), ["EVENT_FROM_TOKEN_PARSE_FAILURE", "garbage"]);
    let id = s.event().get_current_id().await.unwrap();
    assert!(id > 0);
    let token = s.event().inject("VM", db.as_str()).await.unwrap();
    let injected = s.event().from(&vms, &gone.token, 1.0).await.unwrap();
    assert_eq!(injected.events.len(), 1);
    assert_eq!(injected.token, token);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_register_and_next() {
    let sim = start(quick()).await;
    let s = root(&sim.url, Protocol::JsonRpc(Version::V2)).await;
    assert_eq!(desc(s.event().next().await)[0], "SESSION_NOT_REGISTERED");
    s.event().register(&["VM".into()]).await.unwrap();
    let db = vm_named(&s, "db-01").await;
    s.vm().set_name_description(&db, "seen by next").await.unwrap();
    let events = s.event().next().await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].snapshot["name_description"], "seen by next");
    // next blocks until the next change.
    let url = sim.url.clone();
    let db2 = db.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        root(&url, Protocol::XmlRpc).await.vm().set_name_description(&db2, "later").await.unwrap();
    });
    let events = s.event().next().await.unwrap();
    assert_eq!(events[0].snapshot["name_description"], "later");
    s.event().unregister(&["vm".into()]).await.unwrap();
    assert_eq!(desc(s.event().next().await)[0], "SESSION_NOT_REGISTERED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_roles_and_expiry() {
    let sim = start(xenapi_sim::Config { session_idle: Duration::from_millis(700), ..quick() }).await;
    let e = login(&sim.url, Protocol::XmlRpc, "root", "wrong").await.unwrap_err();
    assert_eq!(e.api(), Some(&ApiError::SessionAuthenticationFailed));
    let e = login(&sim.url, Protocol::XmlRpc, "nobody", "x").await.unwrap_err();
    assert_eq!(e.api(), Some(&ApiError::SessionAuthenticationFailed));

    // A read-only user reads but may not act.
    let viewer = login(&sim.url, Protocol::XmlRpc, "viewer", "secret").await.unwrap();
    let db = vm_named(&viewer, "db-01").await;
    viewer.vm().get_record(&db).await.unwrap();
    assert_eq!(
        desc(viewer.vm().start(&db, false, false).await),
        ["RBAC_PERMISSION_DENIED", "vm.start", "No permission in user session"]
    );
    assert_eq!(desc(viewer.vm().set_name_label(&db, "x").await)[0], "RBAC_PERMISSION_DENIED");
    assert_eq!(desc(viewer.vm().async_start(&db, false, false).await)[1], "vm.start");
    // A vm-operator may start VMs but not clone them.
    let op = login(&sim.url, Protocol::XmlRpc, "operator", "op").await.unwrap();
    op.vm().start(&db, false, false).await.unwrap();
    assert_eq!(desc(op.vm().clone(&db, "no").await)[0], "RBAC_PERMISSION_DENIED");

    // A session from one protocol works in the other.
    let s = root(&sim.url, Protocol::XmlRpc).await;
    let conn = xenapi::Connection::new(
        xenapi_rt::transport::HttpTransport::new(&sim.url).unwrap(),
        Protocol::JsonRpc(Version::V2),
    );
    let other = conn.with_session(s.session_ref());
    other.vm().get_all().await.unwrap();
    let rec = other.session().get_record(&s.session_ref()).await.unwrap();
    assert_eq!(rec.auth_user_name, "root");

    // Logged out: SESSION_INVALID to a session that cannot log in again,
    // a new session for one that can.
    s.session().logout().await.unwrap();
    assert_eq!(desc(other.vm().get_all().await), ["SESSION_INVALID", s.session_ref().as_str()]);
    let before = s.session_ref();
    s.vm().get_all().await.unwrap();
    assert_ne!(s.session_ref(), before);

    // Idle sessions end.
    let idle = root(&sim.url, Protocol::XmlRpc).await;
    let kept = idle.session_ref();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let stale = xenapi::Connection::new(xenapi_rt::transport::HttpTransport::new(&sim.url).unwrap(), Protocol::XmlRpc)
        .with_session(kept.clone());
    assert_eq!(desc(stale.vm().get_all().await)[0], "SESSION_INVALID");
    assert_eq!(desc(s.session().get_record(&kept).await)[0], "HANDLE_INVALID");
}

#[test]
fn users_are_parsed() {
    use xenapi_sim::User;
    let u = User::parse("alice:pw").unwrap();
    assert_eq!((u.name.as_str(), u.password.as_str(), u.role.as_str()), ("alice", "pw", "pool-admin"));
    let u = User::parse("bob:a:b:read-only").unwrap();
    assert_eq!((u.password.as_str(), u.role.as_str()), ("a:b", "read-only"));
    assert!(User::parse("carol").is_err());
    assert!(User::parse("dave:pw:superuser").is_err());
}

#[test]
fn fixtures_are_checked() {
    use xenapi_sim::fixture::Fixture;
    use xenapi_sim::store::SimStore;
    let load = |text: &str| {
        let store = SimStore::new();
        Fixture::from_text(text).and_then(|f| f.load(&store)).map(|()| store)
    };
    let store = load(
        "include: [default]\nobjects:\n  - class: VM\n    id: 'bulk-{i}'\n    count: 5\n    fields: {name_label: 'bulk {i}', tags: ['{i}']}\n  - class: VBD\n    fields: {VM: '@bulk-3', userdevice: '0', empty: true, type: CD}\n",
    )
    .unwrap();
    let db = store.read();
    let vms = db.all::<VmRecord>();
    assert_eq!(vms.len(), 21);
    let b3 = vms.iter().find(|(_, v)| v.name_label == "bulk 3").unwrap();
    assert_eq!(b3.1.tags, ["3"]);
    assert_eq!(b3.1.vbds.len(), 1);
    assert!(b3.1.allowed_operations.contains(&VmOperations::Start));
    drop(db);
    for (text, why) in [
        ("objects:\n  - class: VBD\n    fields: {VM: '@nothing'}\n", "@nothing"),
        ("objects:\n  - class: VM\n    fields: {name_lable: x}\n", "name_lable"),
        ("objects:\n  - class: Frobnicator\n", "Frobnicator"),
        ("objects:\n  - class: VM\n    fields: {memory_static_max: lots}\n", "bad fields"),
        ("objects: 3\n", "objects"),
    ] {
        let e = load(text).err().unwrap_or_else(|| panic!("{text} loaded"));
        assert!(e.contains(why), "{e}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_end_with_the_session_that_made_them() {
    let sim =
        start(xenapi_sim::Config { task_delay: Duration::from_millis(400), ..xenapi_sim::Config::default() }).await;
    let keeper = root(&sim.url, Protocol::XmlRpc).await;
    let kept = keeper.task().create("kept", "its session stays").await.unwrap();

    let s = root(&sim.url, Protocol::JsonRpc(Version::V2)).await;
    let vm = installed(&s, "short-lived").await;
    let mine = s.task().create("mine", "made by hand").await.unwrap();
    let done = s.vm().async_snapshot(&vm, "snap", &[]).await.unwrap();
    done.wait().await.unwrap();
    let done = done.task_ref().clone();
    let running = s.vm().async_start(&vm, false, false).await.unwrap();
    let running = running.task_ref().clone();
    s.logout().await.unwrap();

    // Finished tasks go with the session; the running one goes when it
    // finishes, and its work still happens.
    let tasks = keeper.task().get_all().await.unwrap();
    assert!(!tasks.contains(&mine) && !tasks.contains(&done), "{tasks:?}");
    assert!(tasks.contains(&running), "a running task stays until it finishes");
    let deadline = Instant::now() + Duration::from_secs(10);
    while keeper.task().get_all().await.unwrap().contains(&running) {
        assert!(Instant::now() < deadline, "the orphaned task was never destroyed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(keeper.vm().get_power_state(&vm).await.unwrap(), VmPowerState::Running);
    // Another session's task is untouched.
    assert_eq!(keeper.task().get_name_label(&kept).await.unwrap(), "kept");
}
