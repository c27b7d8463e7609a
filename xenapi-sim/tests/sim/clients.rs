//! Messages of today's xapi that real clients call (Xen Orchestra's
//! secure-boot and PCI pages, xapi's own update scripts, the Terraform
//! provider's VM groups, the PowerShell samples), over XML-RPC and
//! JSON-RPC: the answers, the records they leave, and xapi's errors with
//! their parameters. Fixture objects used: `win-01` (a halted UEFI VM with
//! Secure Boot on, a vTPM and a VM group), the hosts' PCI devices, the
//! pool's UEFI keys and the hosts' SSH settings.

#![allow(deprecated)]

use crate::common;

use common::*;
use xenapi::{
    PciDom0Access, PciRef, PlacementPolicy, PoolGuestSecurebootReadiness, Protocol, VmGroupRecord, VmRef,
    VmSecurebootReadiness, VmUefiMode,
};
use xenapi_rt::jsonrpc::Version;

type S = xenapi::Session<xenapi_rt::transport::HttpTransport>;

const BOTH: [Protocol; 2] = [Protocol::XmlRpc, Protocol::JsonRpc(Version::V2)];

async fn vm_named(s: &S, name: &str) -> VmRef {
    s.vm().get_by_name_label(name).await.unwrap().into_iter().next().unwrap_or_else(|| panic!("no VM {name}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secure_boot_readiness_and_uefi_mode() {
    for p in BOTH {
        let sim = start(quick()).await;
        let s = root(&sim.url, p).await;
        let pool = s.pool().get_all().await.unwrap().remove(0);
        assert_eq!(
            s.pool().get_guest_secureboot_readiness(&pool).await.unwrap(),
            PoolGuestSecurebootReadiness::Ready,
            "{p:?}"
        );

        // Not booted yet: no variable store.
        let win = vm_named(&s, "win-01").await;
        assert_eq!(s.vm().get_secureboot_readiness(&win).await.unwrap(), VmSecurebootReadiness::FirstBoot);
        // Setup mode: a store without keys.
        let out = s.vm().set_uefi_mode(&win, &VmUefiMode::Setup).await.unwrap();
        assert!(out.contains("setup"), "{out}");
        assert!(s.vm().get_nvram(&win).await.unwrap().contains_key("EFI-variables"));
        assert_eq!(s.vm().get_secureboot_readiness(&win).await.unwrap(), VmSecurebootReadiness::SetupMode);
        // User mode: the pool's keys, dbx included.
        s.vm().set_uefi_mode(&win, &VmUefiMode::User).await.unwrap();
        assert_eq!(s.vm().get_secureboot_readiness(&win).await.unwrap(), VmSecurebootReadiness::Ready);
        // Secure Boot off in the platform settings.
        s.vm().remove_from_platform(&win, "secureboot").await.unwrap();
        assert_eq!(s.vm().get_secureboot_readiness(&win).await.unwrap(), VmSecurebootReadiness::Disabled);

        // A BIOS VM has no store: readiness says so, and the tool xapi runs
        // to set the mode fails (INTERNAL_ERROR).
        let db = vm_named(&s, "db-01").await;
        assert_eq!(s.vm().get_secureboot_readiness(&db).await.unwrap(), VmSecurebootReadiness::NotSupported);
        let e = desc(s.vm().set_uefi_mode(&db, &VmUefiMode::User).await);
        assert_eq!(e[0], "INTERNAL_ERROR");
        assert!(e[1].contains("UEFI"), "{e:?}");
        assert!(!s.vm().get_nvram(&db).await.unwrap().contains_key("EFI-variables"));
        // An unknown VM.
        assert_eq!(desc(s.vm().get_secureboot_readiness(&VmRef::new("OpaqueRef:nope")).await)[0], "HANDLE_INVALID");
        s.logout().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vtpm_contents_are_local_root_only_and_base64() {
    let sim = start(xenapi_sim::Config {
        users: vec![xenapi_sim::User::parse("root:xenroot").unwrap(), xenapi_sim::User::parse("admin:adm").unwrap()],
        ..quick()
    })
    .await;
    for p in BOTH {
        let s = root(&sim.url, p).await;
        let admin = login(&sim.url, p, "admin", "adm").await.unwrap();
        let win = vm_named(&s, "win-01").await;
        let vtpm = s.vm().get_vtpms(&win).await.unwrap().remove(0);
        // Whatever an earlier protocol's round left; then a new state.
        let before = s.vtpm().get_contents(&vtpm).await.unwrap();
        assert!(before.is_empty() || before == "c3RhdGUgMQ==", "{before}");
        s.vtpm().set_contents(&vtpm, "c3RhdGUgMQ==").await.unwrap();
        assert_eq!(s.vtpm().get_contents(&vtpm).await.unwrap(), "c3RhdGUgMQ==");
        // Not base64: refused, the old state kept.
        assert_eq!(desc(s.vtpm().set_contents(&vtpm, "not base64!").await)[0], "INTERNAL_ERROR");
        assert_eq!(s.vtpm().get_contents(&vtpm).await.unwrap(), "c3RhdGUgMQ==");
        // No role grants these: a pool admin is refused.
        assert_eq!(
            desc(admin.vtpm().get_contents(&vtpm).await),
            ["RBAC_PERMISSION_DENIED", "vtpm.get_contents", "No permission in user session"]
        );
        assert_eq!(desc(admin.vtpm().set_contents(&vtpm, "AAAA").await)[0], "RBAC_PERMISSION_DENIED");
        // One state: a replaced one leaves no secret behind.
        let holding: Vec<_> = s
            .secret()
            .get_all_records()
            .await
            .unwrap()
            .into_values()
            .filter(|x| x.other_config.get("xenapi-sim:vtpm").is_some_and(|v| v == vtpm.as_str()))
            .collect();
        assert_eq!(holding.len(), 1);
        admin.logout().await.unwrap();
        s.logout().await.unwrap();
    }
}

/// The GPU and the boot controller of the master.
async fn master_devices(s: &S) -> (PciRef, PciRef) {
    let pool = s.pool().get_all().await.unwrap().remove(0);
    let master = s.pool().get_master(&pool).await.unwrap();
    let mut gpu = None;
    let mut boot = None;
    for (r, pci) in s.pci().get_all_records().await.unwrap() {
        if pci.host != master {
            continue;
        }
        match pci.class_id.as_str() {
            "0302" => gpu = Some(r),
            "0108" => boot = Some(r),
            _ => {}
        }
    }
    (gpu.expect("a GPU on the master"), boot.expect("a boot controller on the master"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pci_dom0_access_round_trip() {
    for p in BOTH {
        let sim = start(quick()).await;
        let s = root(&sim.url, p).await;
        let (gpu, boot) = master_devices(&s).await;
        let rec = s.pci().get_record(&gpu).await.unwrap();
        assert_eq!(
            (rec.vendor_id.as_str(), rec.device_id.as_str(), rec.driver_name.as_str()),
            ("10de", "1eb8", "nvidia")
        );
        assert_eq!(s.pci().get_dom0_access_status(&gpu).await.unwrap(), PciDom0Access::Enabled, "{p:?}");
        assert_eq!(s.pci().disable_dom0_access(&gpu).await.unwrap(), PciDom0Access::DisableOnReboot);
        assert_eq!(s.pci().get_dom0_access_status(&gpu).await.unwrap(), PciDom0Access::DisableOnReboot);
        // Changed back before a reboot: as it was.
        assert_eq!(s.pci().enable_dom0_access(&gpu).await.unwrap(), PciDom0Access::Enabled);
        // Hidden, then the host reboots: hidden now.
        s.pci().disable_dom0_access(&gpu).await.unwrap();
        let host = s.pci().get_host(&gpu).await.unwrap();
        s.vm().hard_shutdown(&vm_named(&s, "web-01").await).await.unwrap();
        s.host().disable(&host, false).await.unwrap();
        s.host().reboot(&host).await.unwrap();
        assert_eq!(s.pci().get_dom0_access_status(&gpu).await.unwrap(), PciDom0Access::Disabled);
        assert_eq!(s.pci().enable_dom0_access(&gpu).await.unwrap(), PciDom0Access::EnableOnReboot);
        // The device the host boots from stays with dom0.
        assert_eq!(
            desc(s.pci().disable_dom0_access(&boot).await),
            ["BOOT_DEVICE_PASSTHROUGH_DISALLOWED", "/dev/nvme0n1p1"]
        );
        assert_eq!(s.pci().get_dom0_access_status(&boot).await.unwrap(), PciDom0Access::Enabled);
        assert_eq!(desc(s.pci().get_dom0_access_status(&PciRef::new("OpaqueRef:nope")).await)[0], "HANDLE_INVALID");
        s.logout().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vm_groups_as_terraform_uses_them() {
    for p in BOTH {
        let sim = start(quick()).await;
        let s = root(&sim.url, p).await;
        let spread = s.vm_group().get_by_name_label("spread").await.unwrap().remove(0);
        let win = vm_named(&s, "win-01").await;
        assert_eq!(s.vm_group().get_vms(&spread).await.unwrap(), vec![win.clone()], "{p:?}");

        let args = VmGroupRecord {
            name_label: "db tier".into(),
            name_description: "kept together".into(),
            placement: PlacementPolicy::Normal,
            ..Default::default()
        };
        let g = s.vm_group().create(&args).await.unwrap();
        let uuid = s.vm_group().get_uuid(&g).await.unwrap();
        assert_eq!(s.vm_group().get_by_uuid(&uuid).await.unwrap(), g);
        let db = vm_named(&s, "db-01").await;
        s.vm().set_groups(&db, std::slice::from_ref(&g)).await.unwrap();
        let rec = s.vm_group().get_record(&g).await.unwrap();
        assert_eq!(
            (rec.name_label.as_str(), rec.placement.clone(), rec.vms.clone()),
            ("db tier", PlacementPolicy::Normal, vec![db.clone()])
        );
        assert_eq!(s.vm().get_groups(&db).await.unwrap(), vec![g.clone()]);

        // xapi's refusals: two groups, a template, a control domain.
        assert_eq!(desc(s.vm().set_groups(&db, &[g.clone(), spread.clone()]).await), ["TOO_MANY_GROUPS"]);
        assert_eq!(s.vm().get_groups(&db).await.unwrap(), vec![g.clone()]);
        let template = s.vm().get_by_name_label("Windows 11").await.unwrap().remove(0);
        let e = desc(s.vm().set_groups(&template, std::slice::from_ref(&g)).await);
        assert_eq!(e[0], "OPERATION_NOT_ALLOWED");
        let dom0 = s.vm().get_all_records().await.unwrap().into_iter().find(|(_, v)| v.is_control_domain).unwrap().0;
        assert_eq!(desc(s.vm().set_groups(&dom0, &[]).await)[0], "OPERATION_NOT_ALLOWED");

        // Leaving; a destroyed VM leaves too; destroying a group that
        // still has a VM.
        s.vm().set_groups(&db, &[]).await.unwrap();
        assert!(s.vm_group().get_vms(&g).await.unwrap().is_empty());
        let copy = s.vm().clone(&db, "db copy").await.unwrap();
        s.vm().set_groups(&copy, std::slice::from_ref(&g)).await.unwrap();
        assert_eq!(s.vm_group().get_vms(&g).await.unwrap(), vec![copy.clone()]);
        s.vm().destroy(&copy).await.unwrap();
        assert!(s.vm_group().get_vms(&g).await.unwrap().is_empty());
        s.vm_group().destroy(&spread).await.unwrap();
        assert!(s.vm().get_groups(&win).await.unwrap().is_empty());
        assert_eq!(desc(s.vm_group().get_record(&spread).await)[0], "HANDLE_INVALID");
        s.vm_group().destroy(&g).await.unwrap();
        s.logout().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ssh_on_hosts_and_the_pool() {
    for p in BOTH {
        let sim = start(quick()).await;
        let s = root(&sim.url, p).await;
        let hosts = s.host().get_all_records().await.unwrap();
        let (h1, _) = hosts.iter().find(|(_, h)| h.name_label == "sim-host-1").unwrap();
        let (h2, r2) = hosts.iter().find(|(_, h)| h.name_label == "sim-host-2").unwrap();
        assert!(!r2.ssh_enabled);

        s.host().disable_ssh(h1).await.unwrap();
        let r1 = s.host().get_record(h1).await.unwrap();
        assert!(!r1.ssh_enabled, "{p:?}");
        assert!(r1.ssh_expiry.unix_seconds() > 0);
        // With no timeout, no expiry; with one, an expiry that far off.
        s.host().enable_ssh(h1).await.unwrap();
        let r1 = s.host().get_record(h1).await.unwrap();
        assert!(r1.ssh_enabled && !r1.ssh_auto_mode);
        assert_eq!(r1.ssh_expiry.unix_seconds(), 0);
        s.host().enable_ssh(h2).await.unwrap();
        let now = xenapi_rt::types::DateTime::now().unix_seconds();
        let expiry = s.host().get_ssh_expiry(h2).await.unwrap().unix_seconds();
        assert!((now + 3590..=now + 3610).contains(&expiry), "{expiry} vs {now}");

        let pool = s.pool().get_all().await.unwrap().remove(0);
        s.pool().disable_ssh(&pool).await.unwrap();
        assert!(s.host().get_all_records().await.unwrap().values().all(|h| !h.ssh_enabled));
        // A host that is down cannot be reached: the pool call names it.
        s.vm().hard_shutdown(&vm_named(&s, "app-01").await).await.unwrap();
        s.host().disable(h2, false).await.unwrap();
        s.host().shutdown(h2).await.unwrap();
        assert_eq!(desc(s.pool().enable_ssh(&pool).await), ["ENABLE_SSH_PARTIALLY_FAILED", h2.as_str()]);
        assert!(s.host().get_ssh_enabled(h1).await.unwrap());
        s.logout().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_scripts_and_bundles() {
    for p in BOTH {
        let sim = start(quick()).await;
        let s = root(&sim.url, p).await;
        let spare = s.vdi().get_by_name_label("spare disk").await.unwrap().remove(0);
        s.vdi().add_to_other_config(&spare, "version", "1.0").await.unwrap();
        let update = s.pool_update().introduce(&spare).await.unwrap();
        let uuid = s.pool_update().get_uuid(&update).await.unwrap();
        let pool = s.pool().get_all().await.unwrap().remove(0);
        let master = s.pool().get_master(&pool).await.unwrap();
        let m = s.host().get_record(&master).await.unwrap();

        // attach: the disk in the coordinator's dom0, a yum configuration.
        let conf = s.pool_update().attach(&update, false).await.unwrap();
        assert!(conf.starts_with("[main]\n"), "{p:?}: {conf}");
        assert!(conf.contains("gpgcheck=0\n"), "{conf}");
        assert!(conf.contains(&format!("baseurl=http://{}/update/{}/{uuid}/vdi\n", m.address, m.uuid)), "{conf}");
        let local = s.pool_update().attach(&update, true).await.unwrap();
        assert!(local.contains("baseurl=http://127.0.0.1/update/"), "{local}");
        let vbds = s.vdi().get_vbds(&spare).await.unwrap();
        assert_eq!(vbds.len(), 1);
        assert_eq!(s.vbd().get_vm(&vbds[0]).await.unwrap(), m.control_domain);
        s.pool_update().detach(&update).await.unwrap();
        assert!(s.vdi().get_vbds(&spare).await.unwrap().is_empty());

        // resync_host: the host lists the updates applied on it.
        s.pool_update().apply(&update, &master).await.unwrap();
        s.pool_update().resync_host(&master).await.unwrap();
        assert_eq!(s.host().get_updates(&master).await.unwrap(), vec![update.clone()]);
        assert_eq!(
            desc(s.pool_update().resync_host(&xenapi::HostRef::new("OpaqueRef:nope")).await)[0],
            "HANDLE_INVALID"
        );

        // VDI.generate_config: the SR must be plugged on the host.
        let conf = s.vdi().generate_config(&master, &spare).await.unwrap();
        let v: serde_json::Value = serde_json::from_str(&conf).unwrap();
        assert_eq!(v["vdi_uuid"], s.vdi().get_uuid(&spare).await.unwrap().as_str());
        assert_eq!(v["device_config"]["server"], "nfs.example.com");
        let sr = s.vdi().get_sr(&spare).await.unwrap();
        let pbd = s
            .pbd()
            .get_all_records()
            .await
            .unwrap()
            .into_iter()
            .find(|(_, b)| b.sr == sr && b.host == master)
            .unwrap()
            .0;
        s.pbd().unplug(&pbd).await.unwrap();
        assert_eq!(desc(s.vdi().generate_config(&master, &spare).await), ["SR_HAS_NO_PBDS", sr.as_str()]);

        // An update whose disk is gone cannot be attached.
        s.pbd().plug(&pbd).await.unwrap();
        s.vdi().destroy(&spare).await.unwrap();
        assert_eq!(desc(s.pool_update().attach(&update, false).await), ["CANNOT_FIND_UPDATE"]);
        assert_eq!(desc(s.pool_update().detach(&update).await), ["CANNOT_FIND_UPDATE"]);

        // Repository.introduce_bundle: one bundle repository, a free name.
        let bundle = s.repository().introduce_bundle("bundle", "from an uploaded bundle").await.unwrap();
        let rec = s.repository().get_record(&bundle).await.unwrap();
        assert_eq!((rec.origin, rec.update, rec.binary_url.as_str()), (xenapi::Origin::Bundle, true, ""));
        assert_eq!(
            desc(s.repository().introduce_bundle("bundle", "").await),
            ["REPOSITORY_ALREADY_EXISTS", bundle.as_str()]
        );
        assert_eq!(
            desc(s.repository().introduce_bundle("another", "").await),
            ["BUNDLE_REPOSITORY_ALREADY_EXISTS", bundle.as_str()]
        );
        s.logout().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vm_groups_need_the_licence_feature() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = dir.path().join("restricted.yaml");
    std::fs::write(
        &fixture,
        "objects:\n  - class: host\n    id: h\n    fields: {name_label: h, enabled: true}\n  - class: pool\n    fields: {master: '@h', restrictions: {restrict_vm_groups: 'true'}}\n  - class: VM\n    fields: {name_label: v, power_state: Halted}\n",
    )
    .unwrap();
    let sim = start(xenapi_sim::Config { fixture: Some(fixture), ..quick() }).await;
    for p in BOTH {
        let s = root(&sim.url, p).await;
        let args = VmGroupRecord { name_label: "g".into(), ..Default::default() };
        assert_eq!(desc(s.vm_group().create(&args).await), ["LICENCE_RESTRICTION", "VM_groups"], "{p:?}");
        let v = vm_named(&s, "v").await;
        assert_eq!(desc(s.vm().set_groups(&v, &[]).await), ["LICENCE_RESTRICTION", "VM_groups"]);
        assert!(s.vm_group().get_all().await.unwrap().is_empty());
        s.logout().await.unwrap();
    }
}
