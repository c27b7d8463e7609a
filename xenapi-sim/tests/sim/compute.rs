//! VM, host and pool behaviour through the generated Rust client, over
//! XML-RPC and JSON-RPC: every explicit message of these classes that
//! real clients call (client-messages.json), the objects it changes
//! (re-read afterwards), the errors xapi gives with their parameters, and
//! the `Async.` forms clients use.

#![allow(deprecated)]

use crate::common;

use std::time::Duration;
use xenapi_rt::types::Map;

use common::*;
use xenapi::{
    DomainType, HostAllowedOperations, HostRecord, HostRef, HostSchedGran, NetworkRef, PifRef, PoolRef, Protocol,
    RepositoryRecord, SrRef, VmOperations, VmPowerState as Power, VmRecord, VmRef,
};
use xenapi_rt::jsonrpc::Version;

type S = xenapi::Session<xenapi_rt::transport::HttpTransport>;

const BOTH: [Protocol; 2] = [Protocol::XmlRpc, Protocol::JsonRpc(Version::V2)];

fn config() -> xenapi_sim::Config {
    xenapi_sim::Config { task_delay: Duration::from_millis(10), ..xenapi_sim::Config::default() }
}

async fn vm(s: &S, name: &str) -> VmRef {
    s.vm().get_by_name_label(name).await.unwrap().into_iter().next().unwrap_or_else(|| panic!("no VM {name}"))
}

async fn rec(s: &S, vm: &VmRef) -> VmRecord {
    s.vm().get_record(vm).await.unwrap()
}

async fn host(s: &S, name: &str) -> HostRef {
    s.host().get_by_name_label(name).await.unwrap().remove(0)
}

async fn hrec(s: &S, h: &HostRef) -> HostRecord {
    s.host().get_record(h).await.unwrap()
}

async fn sr(s: &S, name: &str) -> SrRef {
    s.sr().get_by_name_label(name).await.unwrap().remove(0)
}

async fn pool(s: &S) -> PoolRef {
    s.pool().get_all().await.unwrap().remove(0)
}

async fn free(s: &S, h: &HostRef) -> i64 {
    let m = hrec(s, h).await.metrics;
    s.host_metrics().get_memory_free(&m).await.unwrap()
}

/// The local SR of a host (the one of its PBDs that is not shared).
async fn local_sr(s: &S, h: &HostRef) -> SrRef {
    for pbd in hrec(s, h).await.pbds {
        let sr = s.pbd().get_sr(&pbd).await.unwrap();
        if !s.sr().get_shared(&sr).await.unwrap() {
            return sr;
        }
    }
    panic!("host has no local SR")
}

/// Clone, provision: a halted VM ready to start.
async fn install(s: &S, name: &str) -> VmRef {
    let t = vm(s, "Debian Bookworm 12").await;
    let v = s.vm().clone(&t, name).await.unwrap();
    assert!(rec(s, &v).await.is_a_template, "a clone of a template is a template");
    s.vm().provision(&v).await.unwrap();
    v
}

fn none<K, V>() -> Map<K, V> {
    Map::new()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vm_power_cycle_places_vms_on_hosts() {
    for p in BOTH {
        let sim = start(config()).await;
        let s = root(&sim.url, p).await;
        let (h1, h2) = (host(&s, "sim-host-1").await, host(&s, "sim-host-2").await);
        let v = install(&s, "cycle").await;
        let r = rec(&s, &v).await;
        assert!(!r.is_a_template && r.vbds.len() == 1, "provision made the disk and cleared is_a_template");
        assert_eq!(s.vm().get_allowed_vbd_devices(&v).await.unwrap()[0], "1");

        // start picks the host with the most free memory.
        let (f1, f2) = (free(&s, &h1).await, free(&s, &h2).await);
        s.vm().start(&v, false, false).await.unwrap();
        let r = rec(&s, &v).await;
        let on = if f1 >= f2 { h1.clone() } else { h2.clone() };
        assert_eq!((r.power_state.clone(), r.resident_on.clone()), (Power::Running, on.clone()));
        assert!(r.domid > 0);
        assert!(hrec(&s, &on).await.resident_vms.contains(&v));
        assert_eq!(free(&s, &on).await, f1.max(f2) - r.memory_dynamic_max);
        let m = s.vm_metrics().get_record(&r.metrics).await.unwrap();
        assert_eq!((m.memory_actual, m.vcpus_number), (r.memory_dynamic_max, r.vcpus_at_startup));
        s.vm().assert_can_boot_here(&v, &on).await.unwrap();
        s.vm().restart_device_models(&v).await.unwrap();

        let domid = r.domid;
        s.vm().clean_reboot(&v).await.unwrap();
        s.vm().hard_reboot(&v).await.unwrap();
        let r = rec(&s, &v).await;
        assert!(r.domid > domid && r.resident_on == on && r.power_state == Power::Running);
        s.vm().pause(&v).await.unwrap();
        assert_eq!(rec(&s, &v).await.power_state, Power::Paused);
        assert_eq!(desc(s.vm().pause(&v).await), ["VM_BAD_POWER_STATE", v.as_str(), "running", "paused"]);
        s.vm().unpause(&v).await.unwrap();
        s.vm().suspend(&v).await.unwrap();
        let r = rec(&s, &v).await;
        assert_eq!(r.power_state, Power::Suspended);
        assert!(r.resident_on.is_null() && !r.suspend_vdi.is_null());
        assert!(!hrec(&s, &on).await.resident_vms.contains(&v));
        s.vm().resume_on(&v, &h2, false, false).await.unwrap();
        let r = rec(&s, &v).await;
        assert_eq!((r.power_state.clone(), r.resident_on.clone()), (Power::Running, h2.clone()));
        assert!(r.suspend_vdi.is_null());
        s.vm().suspend(&v).await.unwrap();
        s.vm().resume(&v, true, false).await.unwrap();
        assert_eq!(rec(&s, &v).await.power_state, Power::Paused);
        s.vm().hard_shutdown(&v).await.unwrap();
        assert_eq!(
            desc(s.vm().restart_device_models(&v).await),
            ["VM_BAD_POWER_STATE", v.as_str(), "running, paused", "halted"]
        );
        s.vm().start_on(&v, &h1, false, false).await.unwrap();
        assert_eq!(rec(&s, &v).await.resident_on, h1);
        s.vm().clean_shutdown(&v).await.unwrap();
        let r = rec(&s, &v).await;
        assert!(r.power_state == Power::Halted && r.resident_on.is_null() && r.domid == -1);
        assert_eq!(desc(s.vm().clean_shutdown(&v).await), ["VM_BAD_POWER_STATE", v.as_str(), "running", "halted"]);
        let t = vm(&s, "Debian Bookworm 12").await;
        assert_eq!(desc(s.vm().start(&t, false, false).await), ["VM_IS_TEMPLATE", t.as_str()]);

        // Placement refuses what does not fit or cannot be reached.
        s.host().disable(&h2, true).await.unwrap();
        assert_eq!(desc(s.vm().assert_can_boot_here(&v, &h2).await), ["HOST_DISABLED", h2.as_str()]);
        assert_eq!(desc(s.vm().start_on(&v, &h2, false, false).await), ["HOST_DISABLED", h2.as_str()]);
        s.host().enable(&h2).await.unwrap();
        let big: i64 = 60 << 30;
        s.vm().set_memory_limits(&v, 1 << 30, big, big, big).await.unwrap();
        let avail = free(&s, &h1).await;
        assert_eq!(
            desc(s.vm().assert_can_boot_here(&v, &h1).await),
            ["HOST_NOT_ENOUGH_FREE_MEMORY", &big.to_string(), &avail.to_string()]
        );
        assert_eq!(desc(s.vm().start(&v, false, false).await), ["NO_HOSTS_AVAILABLE"]);
        let web = vm(&s, "web-01").await;
        let local1 = local_sr(&s, &h1).await;
        assert_eq!(
            desc(s.vm().assert_can_boot_here(&web, &h2).await),
            ["VM_REQUIRES_SR", web.as_str(), local1.as_str()]
        );
        s.vm().set_memory_limits(&v, 1 << 30, 2 << 30, 2 << 30, 2 << 30).await.unwrap();

        // The Async forms run as tasks with the same outcome.
        s.vm().async_start(&v, false, false).await.unwrap().wait().await.unwrap();
        s.vm().async_clean_reboot(&v).await.unwrap().wait().await.unwrap();
        s.vm().async_hard_reboot(&v).await.unwrap().wait().await.unwrap();
        s.vm().async_pause(&v).await.unwrap().wait().await.unwrap();
        s.vm().async_unpause(&v).await.unwrap().wait().await.unwrap();
        s.vm().async_restart_device_models(&v).await.unwrap().wait().await.unwrap();
        let here = rec(&s, &v).await.resident_on;
        s.vm().async_assert_can_boot_here(&v, &here).await.unwrap().wait().await.unwrap();
        s.vm().async_suspend(&v).await.unwrap().wait().await.unwrap();
        s.vm().async_resume(&v, false, false).await.unwrap().wait().await.unwrap();
        s.vm().async_suspend(&v).await.unwrap().wait().await.unwrap();
        s.vm().async_resume_on(&v, &h1, false, false).await.unwrap().wait().await.unwrap();
        assert_eq!(rec(&s, &v).await.resident_on, h1);
        s.vm().async_clean_shutdown(&v).await.unwrap().wait().await.unwrap();
        s.vm().async_start_on(&v, &h2, false, false).await.unwrap().wait().await.unwrap();
        assert_eq!(rec(&s, &v).await.resident_on, h2);
        s.vm().async_hard_shutdown(&v).await.unwrap().wait().await.unwrap();
        let e = s.vm().async_hard_shutdown(&v).await.unwrap().wait().await.unwrap_err();
        assert_eq!(
            e.api().unwrap().to_description(),
            ["VM_BAD_POWER_STATE", v.as_str(), "paused, running, suspended", "halted"]
        );
        let c = s.vm().async_clone(&t, "async clone").await.unwrap().wait().await.unwrap();
        s.vm().async_provision(&c).await.unwrap().wait().await.unwrap();
        assert_eq!(rec(&s, &c).await.vbds.len(), 1);
    }
}

/// `VM.provision` reads the template's `other_config:disks` as XML:
/// entities in attribute values are decoded; malformed XML and XML of
/// another shape fail as in xapi (an internal error), changing nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vm_provision_reads_the_disks_xml() {
    for p in BOTH {
        let sim = start(config()).await;
        let s = root(&sim.url, p).await;
        let t = vm(&s, "Debian Bookworm 12").await;
        let h1 = host(&s, "sim-host-1").await;
        let local = local_sr(&s, &h1).await;
        // The SR's UUID with its hyphens written as character references.
        let uuid = s.sr().get_uuid(&local).await.unwrap().replace('-', "&#45;");
        let spec = format!(
            r#"<provision><disk device="&quot;7&quot;&amp;" size="2048" sr="{uuid}" bootable="false" type="user"/></provision>"#
        );
        let v = s.vm().clone(&t, "entities").await.unwrap();
        s.vm().remove_from_other_config(&v, "disks").await.unwrap();
        s.vm().add_to_other_config(&v, "disks", &spec).await.unwrap();
        s.vm().provision(&v).await.unwrap();
        let r = rec(&s, &v).await;
        assert!(!r.is_a_template && !r.other_config.contains_key("disks"));
        assert_eq!(r.vbds.len(), 1);
        let vbd = s.vbd().get_record(&r.vbds[0]).await.unwrap();
        assert_eq!((vbd.userdevice.as_str(), vbd.bootable, vbd.unpluggable), ("\"7\"&", false, true));
        let vdi = s.vdi().get_record(&vbd.vdi).await.unwrap();
        assert_eq!((vdi.sr, vdi.virtual_size, vdi.r#type), (local.clone(), 2048, xenapi::VdiType::User));

        for (xml, want) in [
            (r#"<provision><disk device="0" size="1" sr="" bootable="true"></provision>"#, None),
            ("<provision>\n<disk device='0' size='1' sr='' bootable='true' type='&bogus;'/>\n</provision>", None),
            (r#"<provision><disk device="0" size="1"/></provision>"#, Some("Xapi_templates.Parse_failure")),
            (
                r#"<disks><disk device="0" size="1" sr="" bootable="true"/></disks>"#,
                Some("Xapi_templates.Parse_failure"),
            ),
        ] {
            let v = s.vm().clone(&t, "bad spec").await.unwrap();
            s.vm().remove_from_other_config(&v, "disks").await.unwrap();
            s.vm().add_to_other_config(&v, "disks", xml).await.unwrap();
            let d = desc(s.vm().provision(&v).await);
            assert_eq!(d[0], "INTERNAL_ERROR", "{xml}");
            match want {
                Some(w) => assert_eq!(d[1], w),
                None => assert!(d[1].starts_with("XML Error: ") && d[1].contains(" line "), "{xml}: {d:?}"),
            }
            let r = rec(&s, &v).await;
            assert!(r.is_a_template && r.vbds.is_empty() && r.other_config["disks"] == xml, "nothing changed");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vm_copies_snapshots_checkpoints_and_reverts() {
    for p in BOTH {
        let sim = start(config()).await;
        let s = root(&sim.url, p).await;
        let t = vm(&s, "Rocky Linux 9").await;
        let c = s.vm().copy(&t, "tcopy", &SrRef::null()).await.unwrap();
        let r = rec(&s, &c).await;
        assert!(r.is_a_template && !r.is_default_template, "a copy of a template is a template");
        let iso = sr(&s, "ISO library").await;
        let app = vm(&s, "app-01").await;
        s.vm().hard_shutdown(&app).await.unwrap();
        assert_eq!(
            desc(s.vm().copy(&app, "x", &iso).await),
            ["OPERATION_NOT_ALLOWED", "Cannot copy a VM's disks to an ISO SR"]
        );
        let h1 = host(&s, "sim-host-1").await;
        let local = local_sr(&s, &h1).await;
        let copy = s.vm().copy(&app, "app copy", &local).await.unwrap();
        let cr = rec(&s, &copy).await;
        let disks: Vec<_> = cr.vbds.clone();
        let mut srs = Vec::new();
        for b in &disks {
            let vbd = s.vbd().get_record(b).await.unwrap();
            srs.push((vbd.r#type.clone(), s.vdi().get_sr(&vbd.vdi).await.unwrap()));
        }
        assert!(srs.contains(&(xenapi::VbdType::Disk, local.clone())), "{srs:?}");
        assert!(srs.contains(&(xenapi::VbdType::Cd, iso.clone())), "the CD keeps its disc: {srs:?}");
        let cl = s.vm().clone(&app, "app clone").await.unwrap();
        assert!(!rec(&s, &cl).await.is_a_template);
        s.vm().async_copy(&app, "async copy", &SrRef::null()).await.unwrap().wait().await.unwrap();

        // Checkpoint a running VM, change it, revert.
        s.vm().start(&app, false, false).await.unwrap();
        let cp = s.vm().checkpoint(&app, "cp").await.unwrap();
        let cpr = rec(&s, &cp).await;
        assert!(
            cpr.is_a_snapshot
                && cpr.snapshot_of == app
                && cpr.power_state == Power::Suspended
                && !cpr.suspend_vdi.is_null()
        );
        assert!(rec(&s, &app).await.snapshots.contains(&cp));
        assert_eq!(rec(&s, &app).await.power_state, Power::Running, "the VM runs on after a checkpoint");
        let snap = s.vm().snapshot(&app, "snap", &[]).await.unwrap();
        s.vm().hard_shutdown(&app).await.unwrap();
        s.vm().set_vcpus_at_startup(&app, 1).await.unwrap();
        s.vm().revert(&cp).await.unwrap();
        let r = rec(&s, &app).await;
        assert_eq!((r.power_state.clone(), r.vcpus_at_startup, r.parent.clone()), (Power::Suspended, 2, cp.clone()));
        s.vm().resume(&app, false, false).await.unwrap();
        s.vm().revert(&snap).await.unwrap();
        assert_eq!(rec(&s, &app).await.power_state, Power::Halted);
        assert_eq!(desc(s.vm().revert(&app).await), ["REVERT_ONLY_ALLOWED_ON_SNAPSHOT"]);
        assert_eq!(
            desc(s.vm().checkpoint(&app, "no").await),
            ["VM_BAD_POWER_STATE", app.as_str(), "running", "halted"]
        );
        s.vm().start(&app, false, false).await.unwrap();
        let cp2 = s.vm().async_checkpoint(&app, "cp2").await.unwrap().wait().await.unwrap();
        s.vm().async_revert(&cp2).await.unwrap().wait().await.unwrap();
        assert_eq!(rec(&s, &app).await.power_state, Power::Suspended);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vm_migration_moves_vms_disks_and_interfaces() {
    for p in BOTH {
        let sim = start(config()).await;
        let s = root(&sim.url, p).await;
        let (h1, h2) = (host(&s, "sim-host-1").await, host(&s, "sim-host-2").await);
        let (app, web, db) = (vm(&s, "app-01").await, vm(&s, "web-01").await, vm(&s, "db-01").await);
        s.vm().pool_migrate(&app, &h1, &none()).await.unwrap();
        assert_eq!(rec(&s, &app).await.resident_on, h1);
        assert!(hrec(&s, &h1).await.resident_vms.contains(&app) && !hrec(&s, &h2).await.resident_vms.contains(&app));
        s.vm().async_pool_migrate(&app, &h2, &none()).await.unwrap().wait().await.unwrap();
        assert_eq!(rec(&s, &app).await.resident_on, h2);
        let local1 = local_sr(&s, &h1).await;
        assert_eq!(
            desc(s.vm().pool_migrate(&web, &h2, &none()).await),
            ["VM_REQUIRES_SR", web.as_str(), local1.as_str()]
        );
        assert_eq!(
            desc(s.vm().pool_migrate(&db, &h2, &none()).await),
            ["VM_BAD_POWER_STATE", db.as_str(), "running", "halted"]
        );

        // Storage migration of web-01 off its local disk.
        let net0 = s.network().get_by_name_label("Pool-wide network associated with eth0").await.unwrap().remove(0);
        let net1 = s.network().get_by_name_label("Pool-wide network associated with eth1").await.unwrap().remove(0);
        let dest = s.host().migrate_receive(&h2, &net0, &none()).await.unwrap();
        assert_eq!(dest["host"], h2.as_str());
        let nfs = sr(&s, "NFS storage").await;
        let w = rec(&s, &web).await;
        let disk_vbd = s.vbd().get_record(&w.vbds[0]).await.unwrap();
        let disk_vbd = if disk_vbd.r#type == xenapi::VbdType::Disk { w.vbds[0].clone() } else { w.vbds[1].clone() };
        let old_disk = s.vbd().get_vdi(&disk_vbd).await.unwrap();
        let vdi_map = Map::from([(old_disk.clone(), nfs.clone())]);
        let vif_map = Map::from([(w.vifs[0].clone(), net1.clone())]);
        assert_eq!(
            desc(s.vm().assert_can_migrate(&web, &dest, true, &none(), &none(), &none(), &none()).await),
            ["VM_REQUIRES_SR", web.as_str(), local1.as_str()]
        );
        s.vm().assert_can_migrate(&web, &dest, true, &vdi_map, &vif_map, &none(), &none()).await.unwrap();
        s.vm()
            .async_assert_can_migrate(&web, &dest, true, &vdi_map, &vif_map, &none(), &none())
            .await
            .unwrap()
            .wait()
            .await
            .unwrap();
        assert_eq!(rec(&s, &web).await.resident_on, h1, "assert_can_migrate changes nothing");
        let moved =
            s.vm().migrate_send(&web, &dest, true, &vdi_map, &vif_map, &none(), &none(), &none()).await.unwrap();
        assert_eq!(moved, web);
        let w = rec(&s, &web).await;
        assert_eq!(w.resident_on, h2);
        let new_disk = s.vbd().get_vdi(&disk_vbd).await.unwrap();
        assert_ne!(new_disk, old_disk);
        assert_eq!(s.vdi().get_sr(&new_disk).await.unwrap(), nfs);
        assert_eq!(desc(s.vdi().get_record(&old_disk).await)[0], "HANDLE_INVALID");
        assert_eq!(s.vif().get_network(&w.vifs[0]).await.unwrap(), net1);
        let back = s.host().migrate_receive(&h1, &net0, &none()).await.unwrap();
        s.vm()
            .async_migrate_send(&web, &back, true, &none(), &none(), &none(), &none(), &none())
            .await
            .unwrap()
            .wait()
            .await
            .unwrap();
        assert_eq!(rec(&s, &web).await.resident_on, h1);
        let elsewhere = str_map(&[("host", "OpaqueRef:elsewhere")]);
        assert_eq!(
            desc(s.vm().migrate_send(&web, &elsewhere, true, &none(), &none(), &none(), &none(), &none()).await)[0],
            "VM_MIGRATE_FAILED"
        );
        let e = desc(s.vm().import("http://127.0.0.1:1/vm.xva", &nfs, false, false).await);
        assert_eq!(e[0], "IMPORT_ERROR");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vm_settings_follow_xapi_rules() {
    for p in BOTH {
        let sim = start(config()).await;
        let s = root(&sim.url, p).await;
        let db = vm(&s, "db-01").await;
        let app = vm(&s, "app-01").await;
        let g: i64 = 1 << 30;
        assert_eq!(desc(s.vm().set_memory_limits(&db, 2 * g, g, g, g).await), ["MEMORY_CONSTRAINT_VIOLATION_ORDER"]);
        assert_eq!(
            desc(s.vm().set_memory_limits(&app, g, g, g, g).await),
            ["VM_BAD_POWER_STATE", app.as_str(), "halted", "running"]
        );
        s.vm().set_memory_limits(&db, g, 8 * g, 2 * g, 4 * g).await.unwrap();
        let r = rec(&s, &db).await;
        assert_eq!(
            (r.memory_static_min, r.memory_dynamic_min, r.memory_dynamic_max, r.memory_static_max),
            (g, 2 * g, 4 * g, 8 * g)
        );
        s.vm().set_memory(&db, 3 * g).await.unwrap();
        let r = rec(&s, &db).await;
        assert_eq!((r.memory_dynamic_min, r.memory_dynamic_max, r.memory_static_max), (3 * g, 3 * g, 3 * g));
        s.vm().set_memory_static_max(&db, 6 * g).await.unwrap();
        assert_eq!(desc(s.vm().set_memory_static_max(&db, g / 2).await), ["MEMORY_CONSTRAINT_VIOLATION_ORDER"]);
        s.vm().set_memory_dynamic_min(&db, 2 * g).await.unwrap();
        assert_eq!(rec(&s, &db).await.memory_dynamic_min, 2 * g);
        s.vm().set_memory_dynamic_range(&app, g, 2 * g).await.unwrap();
        let r = rec(&s, &app).await;
        assert_eq!((r.memory_dynamic_min, r.memory_dynamic_max, r.memory_target), (g, 2 * g, 2 * g));
        assert_eq!(
            desc(s.vm().set_memory_dynamic_range(&app, 3 * g, 2 * g).await),
            ["MEMORY_CONSTRAINT_VIOLATION_ORDER"]
        );

        let rule = "VCPU values must satisfy: 0 < VCPUs_at_startup ≤ VCPUs_max";
        assert_eq!(desc(s.vm().set_vcpus_max(&db, 2).await), ["INVALID_VALUE", rule, "2"]);
        s.vm().set_vcpus_max(&db, 8).await.unwrap();
        s.vm().set_vcpus_at_startup(&db, 6).await.unwrap();
        assert_eq!(desc(s.vm().set_vcpus_at_startup(&db, 9).await), ["INVALID_VALUE", rule, "9"]);
        assert_eq!((rec(&s, &db).await.vcpus_max, rec(&s, &db).await.vcpus_at_startup), (8, 6));
        assert_eq!(
            desc(s.vm().set_vcpus_max(&app, 4).await),
            ["VM_BAD_POWER_STATE", app.as_str(), "halted", "running"]
        );
        s.vm().set_vcpus_number_live(&app, 1).await.unwrap();
        let m = rec(&s, &app).await.metrics;
        assert_eq!(s.vm_metrics().get_vcpus_number(&m).await.unwrap(), 1);
        assert_eq!(desc(s.vm().set_vcpus_number_live(&app, 3).await), ["INVALID_VALUE", rule, "3"]);
        assert_eq!(
            desc(s.vm().set_vcpus_number_live(&db, 1).await),
            ["VM_BAD_POWER_STATE", db.as_str(), "running", "halted"]
        );

        s.vm().set_hvm_boot_policy(&db, "").await.unwrap();
        assert_eq!(rec(&s, &db).await.domain_type, DomainType::Pv);
        assert_eq!(
            desc(s.vm().set_hvm_boot_policy(&db, "floppy").await),
            ["INVALID_VALUE", "HVM-boot-policy", "floppy"]
        );
        s.vm().set_domain_type(&db, &DomainType::Hvm).await.unwrap();
        assert_eq!(rec(&s, &db).await.hvm_boot_policy, "BIOS order");
        s.vm().set_ha_always_run(&app, true).await.unwrap();
        let r = rec(&s, &app).await;
        assert!(r.ha_always_run && r.ha_restart_priority == "restart");

        let bios = str_map(&[("bios-vendor", "Sim")]);
        s.vm().set_bios_strings(&db, &bios).await.unwrap();
        assert_eq!(rec(&s, &db).await.bios_strings, bios);
        assert_eq!(desc(s.vm().set_bios_strings(&db, &bios).await), ["VM_BIOS_STRINGS_ALREADY_SET"]);
        let fresh = install(&s, "bios").await;
        let bad = str_map(&[("colour", "x")]);
        assert_eq!(desc(s.vm().set_bios_strings(&fresh, &bad).await), ["INVALID_VALUE", "colour", "Unknown key"]);
        let h1 = host(&s, "sim-host-1").await;
        s.vm().copy_bios_strings(&fresh, &h1).await.unwrap();
        assert_eq!(rec(&s, &fresh).await.bios_strings, hrec(&s, &h1).await.bios_strings);

        // db-01 has a disk at 0 and a CD at 3 (xvdd), a VIF at 0.
        let vbd = s.vm().get_allowed_vbd_devices(&db).await.unwrap();
        assert!(
            !vbd.contains(&"0".into()) && !vbd.contains(&"3".into()) && vbd.contains(&"1".into()) && vbd.len() == 253
        );
        let vif = s.vm().get_allowed_vif_devices(&db).await.unwrap();
        assert_eq!(vif.len(), 15);
        assert!(!vif.contains(&"0".into()));

        s.vm().assert_operation_valid(&db, &VmOperations::Start).await.unwrap();
        assert_eq!(
            desc(s.vm().assert_operation_valid(&db, &VmOperations::CleanShutdown).await),
            ["VM_BAD_POWER_STATE", db.as_str(), "running", "halted"]
        );
        s.vm().update_allowed_operations(&db).await.unwrap();
        assert!(rec(&s, &db).await.allowed_operations.contains(&VmOperations::Start));
        s.vm().record_data_source(&app, "cpu0").await.unwrap();
        s.vm().forget_data_source_archives(&app, "memory").await.unwrap();
        assert_eq!(desc(s.vm().record_data_source(&app, "nope").await), ["INVALID_VALUE", "data_source", "nope"]);

        let blob = s.vm().create_new_blob(&db, "notes", "text/plain", false).await.unwrap();
        assert_eq!(rec(&s, &db).await.blobs["notes"], blob);
        let b = s.blob().get_record(&blob).await.unwrap();
        assert_eq!((b.name_label.as_str(), b.mime_type.as_str(), b.public), ("notes", "text/plain", false));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hosts_disable_evacuate_reboot_and_go() {
    for p in BOTH {
        let sim = start(config()).await;
        let s = root(&sim.url, p).await;
        let (h1, h2) = (host(&s, "sim-host-1").await, host(&s, "sim-host-2").await);
        let (web, app) = (vm(&s, "web-01").await, vm(&s, "app-01").await);
        assert!(hrec(&s, &h1).await.allowed_operations.contains(&HostAllowedOperations::VmStart));
        s.host().disable(&h1, true).await.unwrap();
        let r = hrec(&s, &h1).await;
        assert!(!r.enabled && r.allowed_operations.contains(&HostAllowedOperations::Enable));
        s.host().async_enable(&h1).await.unwrap().wait().await.unwrap();
        assert!(hrec(&s, &h1).await.enabled);

        let local1 = local_sr(&s, &h1).await;
        let blocking = s.host().get_vms_which_prevent_evacuation(&h1).await.unwrap();
        assert_eq!(blocking.len(), 1);
        assert_eq!(blocking[&web], ["VM_REQUIRES_SR", web.as_str(), local1.as_str()]);
        assert_eq!(
            desc(s.host().assert_can_evacuate(&h1).await),
            ["CANNOT_EVACUATE_HOST", &format!("VM_REQUIRES_SR,{web},{local1}")]
        );
        assert_eq!(
            desc(s.host().evacuate(&h1, &NetworkRef::null(), 0).await),
            ["VM_REQUIRES_SR", web.as_str(), local1.as_str()]
        );
        assert!(s.host().get_vms_which_prevent_evacuation(&h2).await.unwrap().is_empty());
        s.host().assert_can_evacuate(&h2).await.unwrap();
        s.host().disable(&h2, true).await.unwrap();
        s.host().evacuate(&h2, &NetworkRef::null(), 0).await.unwrap();
        assert_eq!(rec(&s, &app).await.resident_on, h1);
        assert_eq!(hrec(&s, &h2).await.resident_vms, [hrec(&s, &h2).await.control_domain], "only dom0 is left");

        // Reboot and shutdown need a disabled host that runs no guest.
        s.host().enable(&h2).await.unwrap();
        assert_eq!(desc(s.host().reboot(&h2).await), ["HOST_NOT_DISABLED"]);
        s.host().disable(&h2, true).await.unwrap();
        s.host().reboot(&h2).await.unwrap();
        assert!(hrec(&s, &h2).await.enabled, "a host that boots enables itself");
        s.host().disable(&h1, true).await.unwrap();
        assert_eq!(desc(s.host().shutdown(&h1).await), ["HOST_IN_USE", h1.as_str(), "vm", web.as_str()]);
        s.host().enable(&h1).await.unwrap();
        s.host().async_disable(&h2, true).await.unwrap().wait().await.unwrap();
        s.host().async_reboot(&h2).await.unwrap().wait().await.unwrap();
        s.host().async_disable(&h2, true).await.unwrap().wait().await.unwrap();
        s.host().async_evacuate(&h2, &NetworkRef::null(), 0).await.unwrap().wait().await.unwrap();
        s.host().async_shutdown(&h2).await.unwrap().wait().await.unwrap();
        let m = hrec(&s, &h2).await.metrics;
        assert!(!s.host_metrics().get_live(&m).await.unwrap());
        assert_eq!(hrec(&s, &h2).await.allowed_operations, [HostAllowedOperations::PowerOn]);
        assert_eq!(desc(s.host().enable(&h2).await), ["HOST_NOT_LIVE"]);
        s.host().power_on(&h2).await.unwrap();
        assert!(s.host_metrics().get_live(&m).await.unwrap() && hrec(&s, &h2).await.enabled);
        s.host().disable(&h2, true).await.unwrap();
        s.host().shutdown(&h2).await.unwrap();
        s.host().async_power_on(&h2).await.unwrap().wait().await.unwrap();
        assert_eq!(desc(s.host().destroy(&h2).await), ["HOST_IS_LIVE", h2.as_str()]);
        s.host().disable(&h2, true).await.unwrap();
        s.host().shutdown(&h2).await.unwrap();
        let h2rec = hrec(&s, &h2).await;
        let local2 = local_sr(&s, &h2).await;
        s.host().async_destroy(&h2).await.unwrap().wait().await.unwrap();
        assert_eq!(desc(s.host().get_record(&h2).await)[0], "HANDLE_INVALID");
        assert_eq!(desc(s.pif().get_record(&h2rec.pifs[0]).await)[0], "HANDLE_INVALID");
        assert_eq!(desc(s.sr().get_record(&local2).await)[0], "HANDLE_INVALID");
        assert_eq!(s.sr().get_pbds(&sr(&s, "NFS storage").await).await.unwrap().len(), 1);
        assert_eq!(desc(s.host().destroy(&h1).await), ["HOST_IS_LIVE", h1.as_str()]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn host_services_plugins_certificates_and_management() {
    for p in BOTH {
        let sim = start(config()).await;
        let s = root(&sim.url, p).await;
        let h1 = host(&s, "sim-host-1").await;
        let t = s.host().get_servertime(&h1).await.unwrap();
        assert!((t.to_civil().0) >= 2024);
        let args = str_map(&[("b", "2"), ("a", "1")]);
        assert_eq!(s.host().call_plugin(&h1, "echo", "main", &args).await.unwrap(), "a=1\nb=2");
        let task = s.host().async_call_plugin(&h1, "echo", "main", &args).await.unwrap();
        assert_eq!(task.wait().await.unwrap(), "a=1\nb=2");
        assert_eq!(desc(s.host().call_plugin(&h1, "nope", "main", &args).await), ["XENAPI_MISSING_PLUGIN", "nope"]);
        assert_eq!(desc(s.host().call_plugin(&h1, "echo", "other", &args).await)[0], "XENAPI_PLUGIN_FAILURE");
        assert_eq!(s.host().get_sched_gran(&h1).await.unwrap(), HostSchedGran::Cpu);
        s.host().set_sched_gran(&h1, &HostSchedGran::Core).await.unwrap();
        assert_eq!(s.host().get_sched_gran(&h1).await.unwrap(), HostSchedGran::Core);
        s.host().restart_agent(&h1).await.unwrap();
        s.host().syslog_reconfigure(&h1).await.unwrap();

        // The management interface moves to a PIF with an IP only.
        let pifs: Vec<(PifRef, xenapi::PifRecord)> = {
            let mut v = Vec::new();
            for pif in hrec(&s, &h1).await.pifs {
                v.push((pif.clone(), s.pif().get_record(&pif).await.unwrap()));
            }
            v
        };
        let eth0 = pifs.iter().find(|(_, r)| r.device == "eth0").unwrap().0.clone();
        let eth1 = pifs.iter().find(|(_, r)| r.device == "eth1").unwrap().0.clone();
        assert_eq!(
            desc(s.host().management_reconfigure(&eth1).await),
            ["PIF_HAS_NO_NETWORK_CONFIGURATION", eth1.as_str()]
        );
        s.pif()
            .reconfigure_ip(&eth1, &xenapi::IpConfigurationMode::Static, "10.0.0.5", "255.0.0.0", "", "")
            .await
            .unwrap();
        s.host().management_reconfigure(&eth1).await.unwrap();
        assert!(s.pif().get_management(&eth1).await.unwrap() && !s.pif().get_management(&eth0).await.unwrap());
        assert_eq!(hrec(&s, &h1).await.address, "10.0.0.5");
        s.host().async_management_reconfigure(&eth0).await.unwrap().wait().await.unwrap();
        assert!(s.pif().get_management(&eth0).await.unwrap());

        // Certificates.
        let pem = "-----BEGIN CERTIFICATE-----\nTUlJQw==\n-----END CERTIFICATE-----\n";
        let key = "-----BEGIN PRIVATE KEY-----\nTUlJRQ==\n-----END PRIVATE KEY-----\n";
        assert!(s.host().get_server_certificate(&h1).await.unwrap().starts_with("-----BEGIN CERTIFICATE-----"));
        assert_eq!(
            desc(s.host().install_server_certificate(&h1, pem, "not a key", "").await),
            ["SERVER_CERTIFICATE_KEY_INVALID"]
        );
        assert_eq!(
            desc(s.host().install_server_certificate(&h1, "junk", key, "").await),
            ["SERVER_CERTIFICATE_INVALID"]
        );
        s.host().install_server_certificate(&h1, pem, key, "").await.unwrap();
        assert_eq!(s.host().get_server_certificate(&h1).await.unwrap(), pem);
        let certs = hrec(&s, &h1).await.certificates;
        assert_eq!(certs.len(), 1);
        assert_eq!(s.certificate().get_type(&certs[0]).await.unwrap(), xenapi::CertificateType::Host);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pool_membership_ha_certificates_and_updates() {
    for p in BOTH {
        let sim = start(config()).await;
        let s = root(&sim.url, p).await;
        let pl = pool(&s).await;
        let (h1, h2) = (host(&s, "sim-host-1").await, host(&s, "sim-host-2").await);
        assert_eq!(s.pool().get_master(&pl).await.unwrap(), h1);
        s.pool().designate_new_master(&h2).await.unwrap();
        assert_eq!(s.pool().get_master(&pl).await.unwrap(), h2);
        s.pool().designate_new_master(&h1).await.unwrap();

        let net1 = s.network().get_by_name_label("Pool-wide network associated with eth1").await.unwrap().remove(0);
        let net0 = s.network().get_by_name_label("Pool-wide network associated with eth0").await.unwrap().remove(0);
        let e = desc(s.pool().management_reconfigure(&net1).await);
        assert_eq!(e[0], "PIF_HAS_NO_NETWORK_CONFIGURATION");
        s.pool().management_reconfigure(&net0).await.unwrap();
        s.pool().async_management_reconfigure(&net0).await.unwrap().wait().await.unwrap();
        let internal = s.network().get_by_name_label("Host internal management network").await.unwrap().remove(0);
        assert_eq!(desc(s.pool().management_reconfigure(&internal).await)[0], "PIF_NOT_PRESENT");

        // High availability.
        let local = local_sr(&s, &h1).await;
        let nfs = sr(&s, "NFS storage").await;
        assert_eq!(
            desc(s.pool().enable_ha(std::slice::from_ref(&local), &none()).await),
            ["HA_CONSTRAINT_VIOLATION_SR_NOT_SHARED", local.as_str()]
        );
        s.pool().enable_ha(std::slice::from_ref(&nfs), &str_map(&[("timeout", "60")])).await.unwrap();
        let pr = s.pool().get_record(&pl).await.unwrap();
        assert!(pr.ha_enabled && pr.ha_statefiles.len() == 1 && pr.ha_configuration["timeout"] == "60");
        assert_eq!(hrec(&s, &h2).await.ha_statefiles, pr.ha_statefiles);
        assert_eq!(desc(s.pool().designate_new_master(&h2).await), ["HA_IS_ENABLED"]);
        assert_eq!(desc(s.pool().enable_ha(std::slice::from_ref(&nfs), &none()).await), ["HA_IS_ENABLED"]);
        s.pool().disable_ha().await.unwrap();
        let pr = s.pool().get_record(&pl).await.unwrap();
        assert!(!pr.ha_enabled && pr.ha_statefiles.is_empty());
        assert_eq!(desc(s.pool().disable_ha().await), ["HA_NOT_ENABLED"]);

        // CA certificates.
        let pem = "-----BEGIN CERTIFICATE-----\nTUlJQw==\n-----END CERTIFICATE-----\n";
        assert_eq!(desc(s.pool().certificate_install("../evil", pem).await), ["CERTIFICATE_NAME_INVALID", "../evil"]);
        s.pool().certificate_install("corp-ca.pem", pem).await.unwrap();
        assert_eq!(s.pool().certificate_list().await.unwrap(), ["corp-ca.pem"]);
        assert_eq!(
            desc(s.pool().certificate_install("corp-ca.pem", pem).await),
            ["CERTIFICATE_ALREADY_EXISTS", "corp-ca.pem"]
        );
        s.pool().certificate_sync().await.unwrap();
        s.pool().certificate_uninstall("corp-ca.pem").await.unwrap();
        assert!(s.pool().certificate_list().await.unwrap().is_empty());
        assert_eq!(
            desc(s.pool().certificate_uninstall("corp-ca.pem").await),
            ["CERTIFICATE_DOES_NOT_EXIST", "corp-ca.pem"]
        );

        // License.
        let lic = s.pool().get_license_state(&pl).await.unwrap();
        assert_eq!((lic["edition"].as_str(), lic["expiry"].as_str()), ("xcp-ng", "20380119T03:14:07Z"));

        // Update repositories: made in the store, as `Repository.introduce`
        // belongs to another part of the simulator.
        assert_eq!(desc(s.pool().sync_updates(&pl, false, "", "", "", "").await), ["NO_REPOSITORY_ENABLED"]);
        assert_eq!(desc(s.host().apply_updates(&h1, "x").await), ["NO_REPOSITORY_ENABLED"]);
        let repo = sim
            .sim
            .sim_store()
            .write(|tx| {
                tx.create(RepositoryRecord {
                    name_label: "base".into(),
                    binary_url: "https://repo.example/base".into(),
                    update: true,
                    ..Default::default()
                })
            })
            .unwrap();
        s.pool().add_repository(&pl, &repo).await.unwrap();
        assert_eq!(s.pool().get_repositories(&pl).await.unwrap(), std::slice::from_ref(&repo));
        let hash = s.pool().sync_updates(&pl, false, "", "", "", "").await.unwrap();
        assert_eq!(s.pool().async_sync_updates(&pl, true, "", "", "", "").await.unwrap().wait().await.unwrap(), hash);
        assert_eq!(desc(s.host().apply_updates(&h1, "wrong").await), ["INVALID_VALUE", "hash", "wrong"]);
        assert!(s.host().apply_updates(&h1, &hash).await.unwrap().is_empty());
        assert_eq!(hrec(&s, &h1).await.last_update_hash, hash);
        assert!(s.host().async_apply_updates(&h2, &hash).await.unwrap().wait().await.unwrap().is_empty());
        s.pool().remove_repository(&pl, &repo).await.unwrap();
        assert!(s.pool().get_repositories(&pl).await.unwrap().is_empty());

        // Membership.
        assert_eq!(desc(s.pool().join("192.168.1.11", "root", "x").await)[0], "OPERATION_NOT_ALLOWED");
        assert_eq!(
            desc(s.pool().join("10.9.9.9", "root", "x").await),
            ["JOINING_HOST_CANNOT_BE_MASTER_OF_OTHER_HOSTS"]
        );
        assert_eq!(desc(s.pool().eject(&h1).await), ["OPERATION_NOT_ALLOWED", "the pool master cannot be ejected"]);
        assert_eq!(desc(s.pool().eject(&h2).await), ["OPERATION_NOT_ALLOWED", "VM resident on host"]);
        let app = vm(&s, "app-01").await;
        s.vm().pool_migrate(&app, &h1, &none()).await.unwrap();
        let e = s.pool().async_eject(&h2).await.unwrap().wait().await;
        e.unwrap();
        assert_eq!(s.host().get_all().await.unwrap(), std::slice::from_ref(&h1));
        assert_eq!(desc(s.pool().join("10.9.9.9", "root", "x").await), ["JOINING_HOST_CANNOT_CONTAIN_SHARED_SRS"]);
        let e = s.pool().async_join("10.9.9.9", "root", "x").await.unwrap().wait().await.unwrap_err();
        assert_eq!(e.api().unwrap().to_description(), ["JOINING_HOST_CANNOT_CONTAIN_SHARED_SRS"]);
        assert_eq!(desc(s.pool().join_force("10.9.9.9", "root", "x").await), ["JOINING_HOST_CONNECTION_FAILED"]);
    }
}
