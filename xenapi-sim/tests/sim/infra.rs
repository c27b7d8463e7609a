//! Storage, network and device behaviour of the simulator through the
//! generated Rust client, over XML-RPC and JSON-RPC: every explicit
//! message of those classes that real clients call, the records it
//! leaves and the errors xapi gives (with their parameters), and the
//! `Async.` form of the ones clients call asynchronously.
//!
//! Each test starts one simulator per protocol and builds what it needs
//! through the API, finding fixture objects by query (a host, an SR with
//! a plugged PBD, the management PIF), so it does not depend on the
//! fixture's exact shape.

#![allow(deprecated)]

use crate::common;

use common::*;
use xenapi::{
    BondMode, Cls, DomainType, HostRef, IpConfigurationMode, Ipv6ConfigurationMode, NetworkPurpose, NetworkRecord,
    NetworkRef, PifRecord, PifRef, Protocol, SdnControllerProtocol, SrRef, StorageOperations, TunnelProtocol, VbdMode,
    VbdOperations, VbdRecord, VbdRef, VbdType, VdiOperations, VdiRecord, VdiRef, VdiType, VifIpv4ConfigurationMode,
    VifIpv6ConfigurationMode, VifRecord, VifRef, VmPowerState, VmRecord, VmRef,
};
use xenapi_rt::jsonrpc::Version;
use xenapi_rt::types::Ref;

type S = xenapi::Session<xenapi_rt::transport::HttpTransport>;

const BOTH: [Protocol; 2] = [Protocol::XmlRpc, Protocol::JsonRpc(Version::V2)];

const GIB: i64 = 1 << 30;

fn no_map() -> Map<Str, Str> {
    Map::new()
}

/// A simulator for one protocol and a root session on it.
async fn open(p: Protocol) -> (Running, S) {
    let sim = start(quick()).await;
    let s = root(&sim.url, p).await;
    (sim, s)
}

/// The pool master.
async fn master(s: &S) -> HostRef {
    let pool = s.pool().get_all().await.unwrap().remove(0);
    s.pool().get_master(&pool).await.unwrap()
}

/// An SR for user disks that is plugged on the master.
async fn disk_sr(s: &S) -> SrRef {
    let host = master(s).await;
    for (r, sr) in s.sr().get_all_records().await.unwrap() {
        if sr.content_type == "iso" || sr.r#type == "iso" {
            continue;
        }
        for p in &sr.pbds {
            let pbd = s.pbd().get_record(p).await.unwrap();
            if pbd.host == host && pbd.currently_attached {
                return r;
            }
        }
    }
    panic!("no plugged SR for disks");
}

/// A CD image.
async fn iso(s: &S) -> VdiRef {
    for (r, sr) in s.sr().get_all_records().await.unwrap() {
        if sr.content_type == "iso" {
            if let Some(v) = sr.vdis.first() {
                return v.clone();
            }
            // An ISO SR with no images yet: add one.
            return new_disk(s, &r, "cd.iso", GIB).await;
        }
    }
    panic!("no ISO SR");
}

async fn new_disk(s: &S, sr: &SrRef, name: &str, size: i64) -> VdiRef {
    let rec = VdiRecord {
        name_label: name.into(),
        sr: sr.clone(),
        virtual_size: size,
        r#type: VdiType::User,
        ..Default::default()
    };
    s.vdi().create(&rec).await.unwrap()
}

/// The physical PIFs of a host on attached networks, management first.
async fn host_pifs(s: &S, host: &HostRef) -> Vec<(PifRef, PifRecord)> {
    let mut pifs: Vec<_> =
        s.pif().get_all_records().await.unwrap().into_iter().filter(|(_, p)| p.host == *host && p.physical).collect();
    pifs.sort_by_key(|(_, p)| (!p.management, p.device.clone()));
    pifs
}

async fn new_network(s: &S, name: &str) -> NetworkRef {
    let rec = NetworkRecord {
        name_label: name.into(),
        mtu: 1500,
        managed: true,
        bridge: format_compact!("xapi-{name}"),
        ..Default::default()
    };
    s.network().create(&rec).await.unwrap()
}

/// A halted PV VM made through the API with a system disk (VBD 0), an
/// empty CD drive (VBD 3) and one VIF on `net`.
struct Guest {
    vm: VmRef,
    disk: VdiRef,
    disk_vbd: VbdRef,
    cd_vbd: VbdRef,
    vif: VifRef,
}

async fn guest(s: &S, name: &str, net: &NetworkRef) -> Guest {
    let rec = VmRecord {
        name_label: name.into(),
        power_state: VmPowerState::Halted,
        memory_static_max: GIB,
        memory_dynamic_max: GIB,
        memory_dynamic_min: GIB,
        memory_static_min: GIB,
        vcpus_max: 1,
        vcpus_at_startup: 1,
        domain_type: DomainType::Pv,
        pv_bootloader: "pygrub".into(),
        ..Default::default()
    };
    let vm = s.vm().create(&rec).await.unwrap();
    let sr = disk_sr(s).await;
    let disk = new_disk(s, &sr, &format!("{name} disk"), 4 * GIB).await;
    let vbd = |vdi: VdiRef, dev: &str, ty: VbdType, mode: VbdMode| VbdRecord {
        vm: vm.clone(),
        empty: vdi.is_null(),
        vdi,
        userdevice: dev.into(),
        r#type: ty,
        mode,
        unpluggable: true,
        bootable: dev == "0",
        ..Default::default()
    };
    let disk_vbd = s.vbd().create(&vbd(disk.clone(), "0", VbdType::Disk, VbdMode::Rw)).await.unwrap();
    let cd_vbd = s.vbd().create(&vbd(Ref::null(), "3", VbdType::Cd, VbdMode::Ro)).await.unwrap();
    let vif = VifRecord {
        vm: vm.clone(),
        network: net.clone(),
        device: "0".into(),
        mac: "02:00:00:00:00:01".into(),
        mtu: 1500,
        ..Default::default()
    };
    let vif = s.vif().create(&vif).await.unwrap();
    Guest { vm, disk, disk_vbd, cd_vbd, vif }
}

/// A network any guest may use: that of the master's management PIF.
async fn guest_network(s: &S) -> NetworkRef {
    let host = master(s).await;
    host_pifs(s, &host).await.remove(0).1.network
}

fn sorted<T: Ord + Clone>(v: &[T]) -> Vec<T> {
    let mut v = v.to_vec();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vbd_plug_unplug_cd_and_mode() {
    for p in BOTH {
        let (_sim, s) = open(p).await;
        let net = guest_network(&s).await;
        let g = guest(&s, "vbd-guest", &net).await;
        let (vm, vbd, cd) = (g.vm.as_str(), g.disk_vbd.as_str(), g.cd_vbd.as_str());

        // Halted: no plugging; the mode may change; CDs may change.
        assert_eq!(desc(s.vbd().plug(&g.disk_vbd).await), ["VM_BAD_POWER_STATE", vm, "running", "halted"], "{p:?}");
        assert_eq!(desc(s.vbd().unplug_force(&g.disk_vbd).await), ["VM_BAD_POWER_STATE", vm, "running", "halted"]);
        assert_eq!(s.vbd().get_allowed_operations(&g.disk_vbd).await.unwrap(), [VbdOperations::Attach]);
        assert_eq!(
            sorted(&s.vbd().get_allowed_operations(&g.cd_vbd).await.unwrap()),
            [VbdOperations::Attach, VbdOperations::Insert]
        );
        s.vbd().set_mode(&g.disk_vbd, &VbdMode::Ro).await.unwrap();
        assert_eq!(s.vbd().get_mode(&g.disk_vbd).await.unwrap(), VbdMode::Ro);
        s.vbd().async_set_mode(&g.disk_vbd, &VbdMode::Rw).await.unwrap().wait().await.unwrap();
        assert_eq!(s.vbd().get_mode(&g.disk_vbd).await.unwrap(), VbdMode::Rw);

        let image = iso(&s).await;
        assert_eq!(desc(s.vbd().insert(&g.disk_vbd, &image).await), ["VBD_NOT_REMOVABLE_MEDIA", vbd]);
        assert_eq!(desc(s.vbd().eject(&g.cd_vbd).await), ["VBD_IS_EMPTY", cd]);
        let bogus = VdiRef::new("OpaqueRef:nothing");
        assert_eq!(desc(s.vbd().insert(&g.cd_vbd, &bogus).await), ["HANDLE_INVALID", "VDI", "OpaqueRef:nothing"]);
        s.vbd().async_insert(&g.cd_vbd, &image).await.unwrap().wait().await.unwrap();
        let rec = s.vbd().get_record(&g.cd_vbd).await.unwrap();
        assert_eq!((rec.vdi.clone(), rec.empty, rec.currently_attached), (image.clone(), false, false));
        assert!(s.vdi().get_vbds(&image).await.unwrap().contains(&g.cd_vbd), "both ends of VBD.VDI");
        assert_eq!(desc(s.vbd().insert(&g.cd_vbd, &image).await), ["VBD_NOT_EMPTY", cd]);
        assert!(s.vbd().get_allowed_operations(&g.cd_vbd).await.unwrap().contains(&VbdOperations::Eject));
        s.vbd().async_eject(&g.cd_vbd).await.unwrap().wait().await.unwrap();
        let rec = s.vbd().get_record(&g.cd_vbd).await.unwrap();
        assert!(rec.empty && rec.vdi.is_null());
        assert!(!s.vdi().get_vbds(&image).await.unwrap().contains(&g.cd_vbd));

        // Running: plug and unplug, and the checks on each.
        s.vm().start(&g.vm, false, false).await.unwrap();
        assert!(s.vbd().get_currently_attached(&g.disk_vbd).await.unwrap());
        assert_eq!(
            desc(s.vbd().set_mode(&g.disk_vbd, &VbdMode::Ro).await),
            ["VM_BAD_POWER_STATE", vm, "halted", "running"]
        );
        assert_eq!(desc(s.vbd().plug(&g.disk_vbd).await), ["DEVICE_ALREADY_ATTACHED", vbd]);
        let ops = s.vbd().get_allowed_operations(&g.disk_vbd).await.unwrap();
        assert!(ops.contains(&VbdOperations::Unplug) && !ops.contains(&VbdOperations::Plug), "{ops:?}");
        s.vbd().unplug(&g.disk_vbd).await.unwrap();
        assert!(!s.vbd().get_currently_attached(&g.disk_vbd).await.unwrap());
        assert_eq!(desc(s.vbd().unplug(&g.disk_vbd).await), ["DEVICE_ALREADY_DETACHED", vbd]);
        assert_eq!(desc(s.vbd().unplug_force(&g.disk_vbd).await), ["DEVICE_ALREADY_DETACHED", vbd]);
        let ops = s.vbd().get_allowed_operations(&g.disk_vbd).await.unwrap();
        assert!(ops.contains(&VbdOperations::Plug) && !ops.contains(&VbdOperations::Unplug), "{ops:?}");
        s.vbd().async_plug(&g.disk_vbd).await.unwrap().wait().await.unwrap();
        let rec = s.vbd().get_record(&g.disk_vbd).await.unwrap();
        assert!(rec.currently_attached);
        assert_eq!(rec.device, "xvda");
        s.vbd().unplug_force(&g.disk_vbd).await.unwrap();
        assert!(!s.vbd().get_currently_attached(&g.disk_vbd).await.unwrap());

        // A CD inserted into a running VM is attached at once.
        s.vbd().insert(&g.cd_vbd, &image).await.unwrap();
        assert!(s.vbd().get_currently_attached(&g.cd_vbd).await.unwrap());
        s.vbd().eject(&g.cd_vbd).await.unwrap();

        // A disk that is not unpluggable.
        s.vbd().set_unpluggable(&g.disk_vbd, false).await.unwrap();
        s.vbd().plug(&g.disk_vbd).await.unwrap();
        assert_eq!(desc(s.vbd().unplug(&g.disk_vbd).await), ["VBD_NOT_UNPLUGGABLE", vbd]);

        // Another running VM may not write to a disk in use.
        let other = guest(&s, "other", &net).await;
        let shared = VbdRecord {
            vm: other.vm.clone(),
            vdi: g.disk.clone(),
            userdevice: "1".into(),
            r#type: VbdType::Disk,
            mode: VbdMode::Rw,
            unpluggable: true,
            ..Default::default()
        };
        let second = s.vbd().create(&shared).await.unwrap();
        s.vm().start(&other.vm, false, false).await.unwrap();
        s.vbd().unplug(&second).await.unwrap_or(());
        assert_eq!(desc(s.vbd().plug(&second).await), ["VDI_IN_USE", g.disk.as_str(), "plug"]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vdi_copies_sizes_cbt_and_migration() {
    for p in BOTH {
        let (_sim, s) = open(p).await;
        let sr = disk_sr(&s).await;
        let before = s.sr().get_record(&sr).await.unwrap();
        let disk = new_disk(&s, &sr, "data", 2 * GIB).await;
        assert_eq!(s.sr().get_physical_utilisation(&sr).await.unwrap(), before.physical_utilisation + 2 * GIB, "{p:?}");

        s.vdi().set_name_label(&disk, "renamed").await.unwrap();
        s.vdi().set_name_description(&disk, "described").await.unwrap();
        let rec = s.vdi().get_record(&disk).await.unwrap();
        assert_eq!((rec.name_label.as_str(), rec.name_description.as_str()), ("renamed", "described"));
        let ops = rec.allowed_operations;
        assert!(ops.contains(&VdiOperations::Destroy) && ops.contains(&VdiOperations::Resize), "{ops:?}");
        assert!(!ops.contains(&VdiOperations::DataDestroy), "only CBT snapshots lose their data: {ops:?}");

        // Clone and snapshot.
        let clone = s.vdi().async_clone(&disk, &no_map()).await.unwrap().wait().await.unwrap();
        let c = s.vdi().get_record(&clone).await.unwrap();
        assert_eq!(
            (c.sr.clone(), c.virtual_size, c.is_a_snapshot, c.name_label.as_str()),
            (sr.clone(), 2 * GIB, false, "renamed")
        );
        assert_ne!(c.uuid, rec.uuid);
        let snap = s.vdi().async_snapshot(&disk, &no_map()).await.unwrap().wait().await.unwrap();
        let sn = s.vdi().get_record(&snap).await.unwrap();
        assert!(sn.is_a_snapshot);
        assert_eq!(sn.snapshot_of, disk);
        assert_eq!(s.vdi().get_snapshots(&disk).await.unwrap(), vec![snap.clone()]);
        assert_eq!(s.sr().get_physical_utilisation(&sr).await.unwrap(), before.physical_utilisation + 6 * GIB);

        // Copy to a new disk on another SR, and into an existing disk.
        let other_sr = s
            .sr()
            .create(
                &master(&s).await,
                &str_map(&[("path", "/tmp")]),
                100 * GIB,
                "second",
                "",
                "ext",
                "user",
                false,
                &no_map(),
            )
            .await
            .unwrap();
        let copy =
            s.vdi().async_copy(&disk, &other_sr, &VdiRef::null(), &VdiRef::null()).await.unwrap().wait().await.unwrap();
        assert_eq!(s.vdi().get_sr(&copy).await.unwrap(), other_sr);
        assert_eq!(s.sr().get_vdis(&other_sr).await.unwrap(), vec![copy.clone()]);
        let small = new_disk(&s, &sr, "small", GIB).await;
        assert_eq!(
            desc(s.vdi().copy(&disk, &SrRef::null(), &VdiRef::null(), &small).await),
            ["VDI_TOO_SMALL", small.as_str(), &(2 * GIB).to_string()]
        );
        assert_eq!(s.vdi().copy(&disk, &SrRef::null(), &VdiRef::null(), &clone).await.unwrap(), clone);

        // Resize: growth is accounted on the SR; shrinking is refused.
        let used = s.sr().get_physical_utilisation(&sr).await.unwrap();
        s.vdi().async_resize(&disk, 3 * GIB).await.unwrap().wait().await.unwrap();
        assert_eq!(s.vdi().get_virtual_size(&disk).await.unwrap(), 3 * GIB);
        assert_eq!(s.sr().get_physical_utilisation(&sr).await.unwrap(), used + GIB);
        assert_eq!(desc(s.vdi().resize(&disk, GIB).await), ["VDI_TOO_SMALL", disk.as_str(), &(3 * GIB).to_string()]);
        let huge = i64::MAX / 2;
        assert_eq!(desc(s.vdi().resize(&disk, huge).await)[0], "SR_FULL");

        // Disks of ISO libraries are read-only.
        let image = iso(&s).await;
        let iso_sr = s.vdi().get_sr(&image).await.unwrap();
        assert_eq!(desc(s.vdi().clone(&image, &no_map()).await), ["SR_OPERATION_NOT_SUPPORTED", iso_sr.as_str()]);

        // Changed block tracking.
        s.vdi().async_enable_cbt(&disk).await.unwrap().wait().await.unwrap();
        assert!(s.vdi().get_cbt_enabled(&disk).await.unwrap());
        assert_eq!(
            desc(s.vdi().enable_cbt(&snap).await),
            ["OPERATION_NOT_ALLOWED", &format!("VDI is a snapshot: {snap}")]
        );
        assert_eq!(desc(s.vdi().list_changed_blocks(&snap, &disk).await), ["VDI_NO_CBT_METADATA", snap.as_str()]);
        let base = s.vdi().snapshot(&disk, &no_map()).await.unwrap();
        assert!(s.vdi().get_cbt_enabled(&base).await.unwrap());
        let bitmap = s.vdi().async_list_changed_blocks(&base, &disk).await.unwrap().wait().await.unwrap();
        // One bit per 64 KiB of a 3 GiB disk: 6144 bytes of base64.
        assert_eq!(bitmap.len(), 8192);
        assert!(bitmap.chars().all(|c| c == 'A'));
        assert_eq!(
            desc(s.vdi().data_destroy(&disk).await),
            ["OPERATION_NOT_ALLOWED", &format!("VDI is not a snapshot: {disk}")]
        );
        assert_eq!(desc(s.vdi().data_destroy(&snap).await), ["VDI_NO_CBT_METADATA", snap.as_str()]);
        s.vdi().async_data_destroy(&base).await.unwrap().wait().await.unwrap();
        let b = s.vdi().get_record(&base).await.unwrap();
        assert_eq!((b.r#type, b.physical_utilisation), (VdiType::CbtMetadata, 0));
        assert_eq!(
            desc(s.vdi().clone(&base, &no_map()).await),
            ["VDI_INCOMPATIBLE_TYPE", base.as_str(), "cbt_metadata"]
        );
        assert_eq!(desc(s.vdi().get_nbd_info(&base).await), ["VDI_INCOMPATIBLE_TYPE", base.as_str(), "cbt_metadata"]);
        assert_eq!(
            desc(s.vdi().pool_migrate(&disk, &other_sr, &no_map()).await),
            ["VDI_NEEDS_VM_FOR_MIGRATE", disk.as_str()]
        );
        s.vdi().async_disable_cbt(&disk).await.unwrap().wait().await.unwrap();
        assert!(!s.vdi().get_cbt_enabled(&disk).await.unwrap());

        // In use by a running VM: no destroy or resize; live migration to
        // another SR gives a new disk that the VM's VBD now points at.
        let net = guest_network(&s).await;
        let g = guest(&s, "vdi-guest", &net).await;
        s.vm().start(&g.vm, false, false).await.unwrap();
        let d = g.disk.as_str();
        assert_eq!(desc(s.vdi().destroy(&g.disk).await), ["VDI_IN_USE", d, "destroy"]);
        assert_eq!(desc(s.vdi().resize(&g.disk, 8 * GIB).await), ["VDI_IN_USE", d, "resize"]);
        let ops = s.vdi().get_allowed_operations(&g.disk).await.unwrap();
        assert!(!ops.contains(&VdiOperations::Destroy) && ops.contains(&VdiOperations::Snapshot), "{ops:?}");
        let target = if s.vdi().get_sr(&g.disk).await.unwrap() == other_sr { sr.clone() } else { other_sr.clone() };
        let moved = s.vdi().async_pool_migrate(&g.disk, &target, &no_map()).await.unwrap().wait().await.unwrap();
        assert_ne!(moved, g.disk);
        assert_eq!(s.vdi().get_sr(&moved).await.unwrap(), target);
        assert_eq!(s.vbd().get_vdi(&g.disk_vbd).await.unwrap(), moved);
        assert_eq!(desc(s.vdi().get_record(&g.disk).await), ["HANDLE_INVALID", "VDI", d]);

        // NBD: the disk is served on the IPs of PIFs whose network has an
        // NBD purpose, on hosts where its SR is plugged.
        let pifs = host_pifs(&s, &master(&s).await).await;
        let (_, mgmt) = pifs.iter().find(|(_, p)| !p.ip.is_empty()).expect("a PIF with an IP");
        assert!(s.vdi().get_nbd_info(&moved).await.unwrap().is_empty());
        s.network().add_purpose(&mgmt.network, &NetworkPurpose::Nbd).await.unwrap();
        let info = s.vdi().get_nbd_info(&moved).await.unwrap();
        let uuid = s.vdi().get_uuid(&moved).await.unwrap();
        // One entry per host that has the SR plugged (each host here has
        // one PIF with an IP on the NBD network), the master's among them.
        let mut plugged = 0;
        for pbd in s.sr().get_pbds(&target).await.unwrap() {
            if s.pbd().get_currently_attached(&pbd).await.unwrap() {
                plugged += 1;
            }
        }
        assert_eq!(info.len(), plugged, "{info:?}");
        assert!(info.iter().any(|i| (i.address.as_str(), i.port) == (mgmt.ip.as_str(), 10809)), "{info:?}");
        for i in &info {
            assert_eq!(i.exportname, format!("/{uuid}?session_id={}", s.session_ref()));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sr_and_pbd_lifecycle() {
    for p in BOTH {
        let (_sim, s) = open(p).await;
        let host = master(&s).await;
        let hosts = s.host().get_all().await.unwrap();
        // Made first, so that its own disk is on an older SR.
        let net = guest_network(&s).await;
        let g = guest(&s, "sr-guest", &net).await;
        let types = s.sr().get_supported_types().await.unwrap();
        assert!(types.contains(&"nfs".into()) && types.contains(&"iso".into()), "{types:?}");
        assert_eq!(
            desc(s.sr().create(&host, &no_map(), 0, "x", "", "nosuchdriver", "user", false, &no_map()).await),
            ["SR_UNKNOWN_DRIVER", "nosuchdriver"]
        );

        let config = str_map(&[("server", "filer"), ("serverpath", "/new")]);
        let sr = s
            .sr()
            .async_create(&host, &config, 50 * GIB, "new nfs", "made here", "nfs", "user", true, &no_map())
            .await
            .unwrap()
            .wait()
            .await
            .unwrap();
        let rec = s.sr().get_record(&sr).await.unwrap();
        assert_eq!(
            (rec.name_label.as_str(), rec.r#type.as_str(), rec.shared, rec.physical_size),
            ("new nfs", "nfs", true, 50 * GIB),
            "{p:?}"
        );
        assert_eq!(rec.pbds.len(), hosts.len());
        for pbd in &rec.pbds {
            let r = s.pbd().get_record(pbd).await.unwrap();
            assert!(r.currently_attached && r.sr == sr && r.device_config == config);
        }
        assert!(!rec.allowed_operations.contains(&StorageOperations::Destroy));
        assert!(rec.allowed_operations.contains(&StorageOperations::VdiCreate));
        s.sr().set_name_label(&sr, "renamed").await.unwrap();
        s.sr().set_name_description(&sr, "described").await.unwrap();
        assert_eq!(s.sr().get_name_label(&sr).await.unwrap(), "renamed");
        assert_eq!(s.sr().get_name_description(&sr).await.unwrap(), "described");

        // probe finds it by its device configuration.
        let found = s.sr().probe(&host, &config, "nfs", &no_map()).await.unwrap();
        assert!(found.contains(&format!("<UUID>{}</UUID>", rec.uuid)), "{found}");
        let elsewhere = str_map(&[("server", "other")]);
        assert!(!s.sr().probe(&host, &elsewhere, "nfs", &no_map()).await.unwrap().contains("<UUID>"));

        // A disk in use on the host keeps the PBD plugged.
        let disk = new_disk(&s, &sr, "on new sr", GIB).await;
        let on_sr = VbdRecord {
            vm: g.vm.clone(),
            vdi: disk.clone(),
            userdevice: "1".into(),
            r#type: VbdType::Disk,
            mode: VbdMode::Rw,
            unpluggable: true,
            ..Default::default()
        };
        let on_sr = s.vbd().create(&on_sr).await.unwrap();
        s.vm().start_on(&g.vm, &host, false, false).await.unwrap();
        let mut local = None;
        for pbd in &rec.pbds {
            if s.pbd().get_host(pbd).await.unwrap() == host {
                local = Some(pbd.clone());
            }
        }
        let local = local.expect("a PBD on the master");
        // xapi names every disk in use (one here), without an operation.
        assert_eq!(desc(s.pbd().unplug(&local).await)[..2], ["VDI_IN_USE", disk.as_str()]);
        s.vm().hard_shutdown(&g.vm).await.unwrap();

        s.sr().async_scan(&sr).await.unwrap().wait().await.unwrap();
        assert_eq!(s.sr().get_physical_utilisation(&sr).await.unwrap(), GIB);
        assert_eq!(desc(s.sr().destroy(&sr).await), ["SR_HAS_PBD", sr.as_str()]);
        assert_eq!(desc(s.sr().forget(&sr).await), ["SR_HAS_PBD", sr.as_str()]);
        for pbd in &rec.pbds {
            s.pbd().async_unplug(pbd).await.unwrap().wait().await.unwrap();
            assert!(!s.pbd().get_currently_attached(pbd).await.unwrap());
        }
        assert_eq!(desc(s.sr().scan(&sr).await), ["SR_HAS_NO_PBDS", sr.as_str()]);
        s.pbd().async_plug(&local).await.unwrap().wait().await.unwrap();
        assert!(s.pbd().get_currently_attached(&local).await.unwrap());
        s.pbd().plug(&local).await.unwrap();
        s.pbd().unplug(&local).await.unwrap();
        s.pbd().unplug(&local).await.unwrap();
        assert!(s.sr().get_allowed_operations(&sr).await.unwrap().contains(&StorageOperations::Forget));
        assert_eq!(desc(s.sr().destroy(&sr).await), ["SR_NOT_EMPTY"]);
        s.vbd().destroy(&on_sr).await.unwrap();
        s.vdi().destroy(&disk).await.unwrap();
        s.sr().async_destroy(&sr).await.unwrap().wait().await.unwrap();
        assert_eq!(desc(s.sr().get_record(&sr).await), ["HANDLE_INVALID", "SR", sr.as_str()]);
        assert_eq!(desc(s.pbd().get_record(&local).await)[0], "HANDLE_INVALID");

        // introduce and forget: records only.
        let uuid = "7d2b2a8e-4c5d-4d7e-9f6a-1b2c3d4e5f60";
        let intro = s
            .sr()
            .async_introduce(uuid, "found", "", "nfs", "user", true, &no_map())
            .await
            .unwrap()
            .wait()
            .await
            .unwrap();
        let r = s.sr().get_record(&intro).await.unwrap();
        assert_eq!((r.uuid.as_str(), r.pbds.len(), r.physical_size), (uuid, 0, -1));
        assert_eq!(
            desc(s.sr().introduce(uuid, "again", "", "nfs", "user", true, &no_map()).await),
            ["SR_UUID_EXISTS", uuid]
        );
        assert_eq!(desc(s.sr().destroy(&intro).await), ["SR_HAS_NO_PBDS", intro.as_str()]);
        let kept = new_disk(&s, &intro, "left behind", GIB).await;
        s.sr().async_forget(&intro).await.unwrap().wait().await.unwrap();
        assert_eq!(desc(s.sr().get_by_uuid(uuid).await), ["UUID_INVALID", "SR", uuid]);
        assert_eq!(desc(s.vdi().get_record(&kept).await)[0], "HANDLE_INVALID");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vif_plug_move_and_ip_configuration() {
    for p in BOTH {
        let (_sim, s) = open(p).await;
        let net = guest_network(&s).await;
        let g = guest(&s, "vif-guest", &net).await;
        let (vm, vif) = (g.vm.as_str(), g.vif.as_str());
        assert_eq!(desc(s.vif().plug(&g.vif).await), ["VM_BAD_POWER_STATE", vm, "running", "halted"], "{p:?}");
        assert_eq!(desc(s.vif().unplug(&g.vif).await), ["VM_BAD_POWER_STATE", vm, "running", "halted"]);
        assert_eq!(s.vif().get_allowed_operations(&g.vif).await.unwrap(), [xenapi::VifOperations::Attach]);
        s.vm().start(&g.vm, false, false).await.unwrap();
        assert_eq!(desc(s.vif().plug(&g.vif).await), ["DEVICE_ALREADY_ATTACHED", vif]);
        s.vif().unplug(&g.vif).await.unwrap();
        assert!(!s.vif().get_currently_attached(&g.vif).await.unwrap());
        assert_eq!(desc(s.vif().unplug(&g.vif).await), ["DEVICE_ALREADY_DETACHED", vif]);
        s.vif().async_plug(&g.vif).await.unwrap().wait().await.unwrap();
        assert!(s.vif().get_currently_attached(&g.vif).await.unwrap());
        s.vif().async_unplug_force(&g.vif).await.unwrap().wait().await.unwrap();
        assert!(!s.vif().get_currently_attached(&g.vif).await.unwrap());
        s.vif().plug(&g.vif).await.unwrap();

        let other = new_network(&s, "vif-moved").await;
        s.vif().async_move(&g.vif, &other).await.unwrap().wait().await.unwrap();
        assert_eq!(s.vif().get_network(&g.vif).await.unwrap(), other);
        assert_eq!(s.network().get_vifs(&other).await.unwrap(), vec![g.vif.clone()]);
        assert!(!s.network().get_vifs(&net).await.unwrap().contains(&g.vif));
        let bogus = NetworkRef::new("OpaqueRef:none");
        assert_eq!(desc(s.vif().r#move(&g.vif, &bogus).await), ["HANDLE_INVALID", "network", "OpaqueRef:none"]);

        assert_eq!(
            desc(s.vif().configure_ipv4(&g.vif, &VifIpv4ConfigurationMode::Static, "10.0.0.5", "").await),
            ["INVALID_CIDR_ADDRESS_SPECIFIED", "address"]
        );
        assert_eq!(
            desc(s.vif().configure_ipv4(&g.vif, &VifIpv4ConfigurationMode::Static, "10.0.0.5/24", "10.0.0").await),
            ["INVALID_IP_ADDRESS_SPECIFIED", "gateway"]
        );
        s.vif().configure_ipv4(&g.vif, &VifIpv4ConfigurationMode::Static, "10.0.0.5/24", "10.0.0.1").await.unwrap();
        let r = s.vif().get_record(&g.vif).await.unwrap();
        assert_eq!(
            (r.ipv4_configuration_mode, r.ipv4_addresses, r.ipv4_gateway.as_str()),
            (VifIpv4ConfigurationMode::Static, vec![Str::from("10.0.0.5/24")], "10.0.0.1")
        );
        s.vif().configure_ipv6(&g.vif, &VifIpv6ConfigurationMode::Static, "fd00::5/64", "fd00::1").await.unwrap();
        assert_eq!(
            desc(s.vif().configure_ipv6(&g.vif, &VifIpv6ConfigurationMode::Static, "fd00::5", "").await),
            ["INVALID_CIDR_ADDRESS_SPECIFIED", "address"]
        );
        let r = s.vif().get_record(&g.vif).await.unwrap();
        assert_eq!((r.ipv6_addresses, r.ipv6_gateway.as_str()), (vec![Str::from("fd00::5/64")], "fd00::1"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pif_configuration_plugging_and_rediscovery() {
    for p in BOTH {
        let (_sim, s) = open(p).await;
        let host = master(&s).await;
        let pifs = host_pifs(&s, &host).await;
        let (mgmt, _) = pifs.iter().find(|(_, p)| p.management).cloned().expect("a management PIF");
        let (spare, srec) = pifs.iter().find(|(_, p)| !p.management).cloned().expect("a second PIF");
        let (m, sp) = (mgmt.as_str(), spare.as_str());

        assert_eq!(desc(s.pif().unplug(&mgmt).await), ["PIF_IS_MANAGEMENT_INTERFACE", m], "{p:?}");
        assert_eq!(desc(s.pif().forget(&mgmt).await), ["PIF_IS_MANAGEMENT_INTERFACE", m]);
        assert_eq!(
            desc(s.pif().reconfigure_ip(&mgmt, &IpConfigurationMode::None, "", "", "", "").await),
            ["PIF_IS_MANAGEMENT_INTERFACE", m]
        );
        assert_eq!(
            desc(
                s.pif()
                    .reconfigure_ip(&spare, &IpConfigurationMode::Static, "10.1.1.300", "255.255.255.0", "", "")
                    .await
            ),
            ["INVALID_IP_ADDRESS_SPECIFIED", "IP"]
        );
        s.pif()
            .reconfigure_ip(
                &spare,
                &IpConfigurationMode::Static,
                "10.1.1.3",
                "255.255.255.0",
                "10.1.1.1",
                "10.1.1.53,fd00::53",
            )
            .await
            .unwrap();
        let r = s.pif().get_record(&spare).await.unwrap();
        assert_eq!(
            (r.ip_configuration_mode, r.ip.as_str(), r.netmask.as_str(), r.gateway.as_str(), r.dns.as_str()),
            (IpConfigurationMode::Static, "10.1.1.3", "255.255.255.0", "10.1.1.1", "10.1.1.53")
        );
        assert_eq!(
            desc(s.pif().reconfigure_ipv6(&spare, &Ipv6ConfigurationMode::Static, "fd00::3", "", "").await),
            ["INVALID_CIDR_ADDRESS_SPECIFIED", "IPv6"]
        );
        s.pif()
            .reconfigure_ipv6(&spare, &Ipv6ConfigurationMode::Static, "fd00::3/64", "fd00::1", "fd00::53")
            .await
            .unwrap();
        let r = s.pif().get_record(&spare).await.unwrap();
        assert_eq!(
            (r.ipv6, r.ipv6_gateway.as_str(), r.dns.as_str()),
            (vec![Str::from("fd00::3/64")], "fd00::1", "fd00::53,10.1.1.53")
        );

        s.pif().set_disallow_unplug(&spare, true).await.unwrap();
        assert!(s.pif().get_disallow_unplug(&spare).await.unwrap());
        assert_eq!(desc(s.pif().unplug(&spare).await), ["PIF_DOES_NOT_ALLOW_UNPLUG", sp]);
        s.pif().set_disallow_unplug(&spare, false).await.unwrap();
        s.pif().async_unplug(&spare).await.unwrap().wait().await.unwrap();
        assert!(!s.pif().get_currently_attached(&spare).await.unwrap());
        s.pif().async_plug(&spare).await.unwrap().wait().await.unwrap();
        assert!(s.pif().get_currently_attached(&spare).await.unwrap());

        // Forgotten, then found again by a scan of the host.
        s.pif().async_forget(&spare).await.unwrap().wait().await.unwrap();
        assert_eq!(desc(s.pif().get_record(&spare).await), ["HANDLE_INVALID", "PIF", sp]);
        assert!(!s.host().get_pifs(&host).await.unwrap().contains(&spare));
        s.pif().async_scan(&host).await.unwrap().wait().await.unwrap();
        let again = host_pifs(&s, &host).await;
        let (_, found) = again.iter().find(|(_, p)| p.device == srec.device).expect("the PIF is found again");
        assert_eq!(
            (found.mac.as_str(), found.network.clone(), found.currently_attached),
            (srec.mac.as_str(), srec.network.clone(), false)
        );
        s.pif().scan(&host).await.unwrap();
        assert_eq!(host_pifs(&s, &host).await.len(), pifs.len());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vlans_bonds_tunnels_and_purposes() {
    for p in BOTH {
        let (_sim, s) = open(p).await;
        let host = master(&s).await;
        let pifs = host_pifs(&s, &host).await;
        let (mgmt, _) = pifs.iter().find(|(_, p)| p.management).cloned().unwrap();
        let (spare, srec) = pifs.iter().find(|(_, p)| !p.management).cloned().unwrap();

        // pool.create_VLAN_from_PIF: one VLAN per host on the PIF's network.
        let vnet = new_network(&s, "vlan42").await;
        let made = s.pool().create_vlan_from_pif(&spare, &vnet, 42).await.unwrap();
        assert_eq!(made.len(), s.network().get_pifs(&srec.network).await.unwrap().len(), "{p:?}");
        for u in &made {
            let r = s.pif().get_record(u).await.unwrap();
            assert_eq!(
                (r.vlan, r.network.clone(), r.physical, r.currently_attached, r.mac.as_str()),
                (42, vnet.clone(), false, true, "fe:ff:ff:ff:ff:ff")
            );
            let vlan = s.vlan().get_record(&r.vlan_master_of).await.unwrap();
            assert_eq!((vlan.untagged_pif.clone(), vlan.tag), (u.clone(), 42));
            assert!(s.pif().get_vlan_slave_of(&vlan.tagged_pif).await.unwrap().contains(&r.vlan_master_of));
        }
        let mut mine = None;
        for u in &made {
            if s.pif().get_host(u).await.unwrap() == host {
                mine = Some(u.clone());
            }
        }
        let mine = mine.expect("a VLAN PIF on the master");
        assert_eq!(desc(s.pool().create_vlan_from_pif(&spare, &vnet, 42).await)[0], "NETWORK_ALREADY_CONNECTED");
        let n2 = new_network(&s, "vlan-bad").await;
        assert_eq!(desc(s.vlan().create(&spare, 5000, &n2).await), ["VLAN_TAG_INVALID", "5000"]);
        assert_eq!(desc(s.vlan().create(&spare, 42, &n2).await), ["PIF_VLAN_EXISTS", srec.device.as_str()]);
        assert_eq!(desc(s.vlan().create(&mine, 7, &n2).await), ["PIF_IS_VLAN", mine.as_str()]);
        assert_eq!(desc(s.pif().forget(&spare).await), ["PIF_VLAN_STILL_EXISTS", spare.as_str()]);
        let vlan = s.pif().get_vlan_master_of(&mine).await.unwrap();
        s.vlan().async_destroy(&vlan).await.unwrap().wait().await.unwrap();
        assert_eq!(desc(s.vlan().get_record(&vlan).await)[0], "HANDLE_INVALID");
        assert_eq!(desc(s.pif().get_record(&mine).await)[0], "HANDLE_INVALID");
        assert!(!s.network().get_pifs(&vnet).await.unwrap().contains(&mine));

        // Bonds: the master takes over the management configuration.
        let bnet = new_network(&s, "bond").await;
        assert_eq!(
            desc(s.bond().create(&bnet, &[], "", &BondMode::ActiveBackup, &no_map()).await),
            ["PIF_BOND_NEEDS_MORE_MEMBERS"]
        );
        let bond = s
            .bond()
            .create(&bnet, &[mgmt.clone(), spare.clone()], "", &BondMode::ActiveBackup, &no_map())
            .await
            .unwrap();
        let b = s.bond().get_record(&bond).await.unwrap();
        assert_eq!(
            (sorted(&b.slaves), b.primary_slave.clone(), b.mode.clone()),
            (sorted(&[mgmt.clone(), spare.clone()]), mgmt.clone(), BondMode::ActiveBackup)
        );
        let master_pif = s.pif().get_record(&b.master).await.unwrap();
        assert!(master_pif.management && master_pif.currently_attached && master_pif.device.starts_with("bond"));
        assert_eq!(master_pif.network, bnet);
        assert!(!s.pif().get_management(&mgmt).await.unwrap());
        assert_eq!(s.pif().get_bond_slave_of(&spare).await.unwrap(), bond);
        assert_eq!(desc(s.pif().plug(&spare).await), ["CANNOT_PLUG_BOND_SLAVE", spare.as_str()]);
        assert_eq!(
            desc(
                s.bond()
                    .create(&new_network(&s, "b2").await, std::slice::from_ref(&spare), "", &BondMode::Lacp, &no_map())
                    .await
            ),
            ["PIF_ALREADY_BONDED", spare.as_str()]
        );
        s.bond().destroy(&bond).await.unwrap();
        assert!(s.pif().get_management(&mgmt).await.unwrap());
        assert!(s.pif().get_bond_slave_of(&spare).await.unwrap().is_null());
        assert_eq!(desc(s.pif().get_record(&b.master).await)[0], "HANDLE_INVALID");

        // Tunnels need a transport with an IP configuration.
        let tnet = new_network(&s, "tunnel").await;
        assert_eq!(
            desc(s.tunnel().create(&spare, &tnet, &TunnelProtocol::Gre).await),
            ["TRANSPORT_PIF_NOT_CONFIGURED", spare.as_str()]
        );
        let tunnel = s.tunnel().create(&mgmt, &tnet, &TunnelProtocol::Vxlan).await.unwrap();
        let t = s.tunnel().get_record(&tunnel).await.unwrap();
        assert_eq!(
            (t.transport_pif.clone(), t.protocol.clone(), t.status.get("active").map(Str::as_str)),
            (mgmt.clone(), TunnelProtocol::Vxlan, Some("true"))
        );
        let access = s.pif().get_record(&t.access_pif).await.unwrap();
        assert!(access.currently_attached && access.network == tnet);
        assert_eq!(s.pif().get_tunnel_transport_pif_of(&mgmt).await.unwrap(), vec![tunnel.clone()]);
        s.tunnel().async_destroy(&tunnel).await.unwrap().wait().await.unwrap();
        assert_eq!(desc(s.pif().get_record(&t.access_pif).await)[0], "HANDLE_INVALID");
        assert!(s.pif().get_tunnel_transport_pif_of(&mgmt).await.unwrap().is_empty());

        // Network purposes: NBD and insecure NBD exclude each other.
        s.network().add_purpose(&bnet, &NetworkPurpose::Nbd).await.unwrap();
        s.network().add_purpose(&bnet, &NetworkPurpose::Nbd).await.unwrap();
        assert_eq!(s.network().get_purpose(&bnet).await.unwrap(), [NetworkPurpose::Nbd]);
        assert_eq!(
            desc(s.network().add_purpose(&tnet, &NetworkPurpose::InsecureNbd).await),
            ["NETWORK_INCOMPATIBLE_PURPOSES", "insecure_nbd", "nbd"]
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devices_of_vms() {
    for p in BOTH {
        let (sim, s) = open(p).await;
        let host = master(&s).await;
        let net = guest_network(&s).await;
        let g = guest(&s, "device-guest", &net).await;
        let vm = g.vm.as_str();

        // USB: the hardware comes with the host (seeded in the store).
        let (group, pusb) = sim
            .sim
            .sim_store()
            .write(|tx| {
                let group = tx.create(xenapi::UsbGroupRecord { name_label: "usb".into(), ..Default::default() })?;
                let pusb = tx.create(xenapi::PusbRecord {
                    usb_group: group.clone(),
                    host: host.clone(),
                    path: "1-1".into(),
                    ..Default::default()
                })?;
                Ok((group, pusb))
            })
            .unwrap();
        s.pusb().scan(&host).await.unwrap();
        assert_eq!(
            desc(s.pusb().scan(&HostRef::new("OpaqueRef:x")).await),
            ["HANDLE_INVALID", "host", "OpaqueRef:x"],
            "{p:?}"
        );
        s.pusb().set_passthrough_enabled(&pusb, true).await.unwrap();
        assert!(s.pusb().get_passthrough_enabled(&pusb).await.unwrap());
        let vusb = s.vusb().create(&g.vm, &group, &no_map()).await.unwrap();
        let r = s.vusb().get_record(&vusb).await.unwrap();
        assert_eq!((r.vm.clone(), r.usb_group.clone(), r.currently_attached), (g.vm.clone(), group.clone(), false));
        assert_eq!(s.vm().get_vusbs(&g.vm).await.unwrap(), vec![vusb.clone()]);
        assert_eq!(desc(s.vusb().create(&g.vm, &group, &no_map()).await), ["USB_GROUP_CONFLICT", group.as_str()]);
        assert_eq!(desc(s.vusb().unplug(&vusb).await), ["VM_BAD_POWER_STATE", vm, "running", "halted"]);
        s.vm().start(&g.vm, false, false).await.unwrap();
        assert_eq!(desc(s.vusb().unplug(&vusb).await), ["DEVICE_ALREADY_DETACHED", vusb.as_str()]);
        sim.sim
            .sim_store()
            .write(|tx| {
                tx.update::<xenapi::VusbRecord, _>(vusb.as_str(), |u| {
                    u.currently_attached = true;
                    Ok(())
                })
            })
            .unwrap();
        assert_eq!(
            desc(s.pusb().set_passthrough_enabled(&pusb, false).await),
            ["USB_ALREADY_ATTACHED", pusb.as_str(), vm]
        );
        let uuid = s.vusb().get_uuid(&vusb).await.unwrap();
        let vm_uuid = s.vm().get_uuid(&g.vm).await.unwrap();
        assert_eq!(
            desc(s.vusb().destroy(&vusb).await),
            ["OPERATION_NOT_ALLOWED", &format!("VUSB '{uuid}' still attached to '{vm_uuid}'")]
        );
        s.vusb().unplug(&vusb).await.unwrap();
        assert!(!s.vusb().get_currently_attached(&vusb).await.unwrap());
        s.vusb().destroy(&vusb).await.unwrap();
        assert!(s.vm().get_vusbs(&g.vm).await.unwrap().is_empty());

        // vGPUs and vTPMs belong to halted VMs.
        let (gpu_group, vgpu_type) = sim
            .sim
            .sim_store()
            .write(|tx| {
                Ok((
                    tx.create(xenapi::GpuGroupRecord { name_label: "gpus".into(), ..Default::default() })?,
                    tx.create(xenapi::VgpuTypeRecord { model_name: "passthrough".into(), ..Default::default() })?,
                ))
            })
            .unwrap();
        assert_eq!(
            desc(s.vgpu().create(&g.vm, &gpu_group, "0", &no_map(), &vgpu_type).await),
            ["VM_BAD_POWER_STATE", vm, "halted", "running"]
        );
        assert_eq!(desc(s.vtpm().create(&g.vm, true).await), ["VM_BAD_POWER_STATE", vm, "halted", "running"]);
        s.vm().hard_shutdown(&g.vm).await.unwrap();
        let vgpu = s.vgpu().create(&g.vm, &gpu_group, "0", &no_map(), &vgpu_type).await.unwrap();
        let r = s.vgpu().get_record(&vgpu).await.unwrap();
        assert_eq!(
            (r.device.as_str(), r.gpu_group.clone(), r.r#type.clone()),
            ("0", gpu_group.clone(), vgpu_type.clone())
        );
        let second = s.vgpu().create(&g.vm, &gpu_group, "0", &no_map(), &vgpu_type).await.unwrap();
        assert_eq!(s.vgpu().get_device(&second).await.unwrap(), "1");
        assert_eq!(
            desc(s.vgpu().create(&g.vm, &gpu_group, "1", &no_map(), &vgpu_type).await),
            ["DEVICE_ALREADY_EXISTS", "1"]
        );
        assert_eq!(desc(s.vgpu().create(&g.vm, &gpu_group, "x", &no_map(), &vgpu_type).await), ["INVALID_DEVICE", "x"]);
        s.vgpu().destroy(&second).await.unwrap();
        assert_eq!(s.vm().get_vgpus(&g.vm).await.unwrap(), vec![vgpu.clone()]);

        let vtpm = s.vtpm().create(&g.vm, true).await.unwrap();
        assert_eq!(
            (s.vtpm().get_vm(&vtpm).await.unwrap(), s.vtpm().get_is_unique(&vtpm).await.unwrap()),
            (g.vm.clone(), true)
        );
        assert_eq!(desc(s.vtpm().create(&g.vm, false).await), ["VTPM_MAX_AMOUNT_REACHED", "1"]);
        s.vm().start(&g.vm, false, false).await.unwrap();
        assert_eq!(
            desc(s.vgpu().destroy(&vgpu).await),
            ["OPERATION_NOT_ALLOWED", "vGPU currently attached to a running VM"]
        );
        assert_eq!(desc(s.vtpm().destroy(&vtpm).await), ["VM_BAD_POWER_STATE", vm, "halted, suspended", "running"]);
        s.vm().hard_shutdown(&g.vm).await.unwrap();
        s.vgpu().destroy(&vgpu).await.unwrap();
        s.vtpm().destroy(&vtpm).await.unwrap();
        assert!(s.vm().get_vtpms(&g.vm).await.unwrap().is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_blobs_updates_repositories_and_sdn() {
    for p in BOTH {
        let (sim, s) = open(p).await;
        let host = master(&s).await;
        let hosts = s.host().get_all().await.unwrap();
        let host_uuid = s.host().get_uuid(&host).await.unwrap();

        let m = s.message().create("HOST_TEST", 3, &Cls::Host, &host_uuid, "hello").await.unwrap();
        let all = s.message().get_all_records().await.unwrap();
        let r = &all[&m];
        assert_eq!(
            (r.name.as_str(), r.priority, r.cls.clone(), r.obj_uuid.as_str(), r.body.as_str()),
            ("HOST_TEST", 3, Cls::Host, host_uuid.as_str(), "hello"),
            "{p:?}"
        );
        assert_eq!(
            desc(s.message().create("X", 1, &Cls::Vm, &host_uuid, "").await),
            ["UUID_INVALID", "VM", host_uuid.as_str()]
        );
        s.message().destroy(&m).await.unwrap();
        assert!(!s.message().get_all_records().await.unwrap().contains_key(&m));

        let blob = s.blob().create("text/plain", true).await.unwrap();
        let b = s.blob().get_record(&blob).await.unwrap();
        assert_eq!((b.mime_type.as_str(), b.public, b.size), ("text/plain", true, 0));

        // An update introduced from its disk, applied host by host.
        let sr = disk_sr(&s).await;
        let vdi = new_disk(&s, &sr, "update-1.iso", GIB).await;
        let update = s.pool_update().introduce(&vdi).await.unwrap();
        assert_eq!(s.pool_update().introduce(&vdi).await.unwrap(), update);
        let u = s.pool_update().get_record(&update).await.unwrap();
        assert_eq!((u.vdi.clone(), u.name_label.as_str(), u.installation_size), (vdi.clone(), "update-1.iso", GIB));
        assert_eq!(s.pool_update().precheck(&update, &host).await.unwrap(), xenapi::LivepatchStatus::Ok);
        s.pool_update().apply(&update, &host).await.unwrap();
        assert_eq!(s.pool_update().get_hosts(&update).await.unwrap(), vec![host.clone()]);
        assert!(s.host().get_updates(&host).await.unwrap().contains(&update));
        assert_eq!(desc(s.pool_update().precheck(&update, &host).await), ["UPDATE_ALREADY_APPLIED", update.as_str()]);
        assert_eq!(desc(s.pool_update().apply(&update, &host).await), ["UPDATE_ALREADY_APPLIED", update.as_str()]);
        if hosts.len() > 1 {
            s.pool_update().async_pool_apply(&update).await.unwrap().wait().await.unwrap();
            assert_eq!(s.pool_update().get_hosts(&update).await.unwrap().len(), hosts.len());
        }
        assert_eq!(
            desc(s.pool_update().async_pool_apply(&update).await.unwrap().wait().await),
            ["UPDATE_ALREADY_APPLIED_IN_POOL", update.as_str()]
        );

        // The legacy patch of a second update applies it everywhere.
        let vdi2 = new_disk(&s, &sr, "update-2.iso", GIB).await;
        let update2 = s.pool_update().introduce(&vdi2).await.unwrap();
        let patch = sim
            .sim
            .sim_store()
            .write(|tx| {
                tx.create(xenapi::PoolPatchRecord {
                    name_label: "update-2".into(),
                    pool_update: update2.clone(),
                    ..Default::default()
                })
            })
            .unwrap();
        s.pool_patch().pool_apply(&patch).await.unwrap();
        let pp = s.pool_patch().get_record(&patch).await.unwrap();
        assert!(pp.pool_applied);
        assert_eq!(pp.host_patches.len(), hosts.len());
        assert_eq!(s.pool_update().get_hosts(&update2).await.unwrap().len(), hosts.len());
        assert_eq!(desc(s.pool_patch().pool_apply(&patch).await), ["UPDATE_ALREADY_APPLIED", update2.as_str()]);

        let url = "https://updates.example.com/repo";
        let repo = s
            .repository()
            .introduce("base", "the base repository", url, "https://updates.example.com/src", true, "")
            .await
            .unwrap();
        let r = s.repository().get_record(&repo).await.unwrap();
        assert_eq!((r.name_label.as_str(), r.binary_url.as_str(), r.update), ("base", url, true));
        assert_eq!(
            desc(
                s.repository()
                    .introduce("base", "", "https://other.example.com/", "https://other.example.com/", false, "")
                    .await
            ),
            ["REPOSITORY_ALREADY_EXISTS", repo.as_str()]
        );
        assert_eq!(
            desc(s.repository().introduce("b2", "", "ftp://x/", "https://x/", false, "").await),
            ["INVALID_BASE_URL", "ftp://x/"]
        );
        assert_eq!(
            desc(s.repository().introduce("b2", "", "https://x/", "https://x/", false, "../key").await),
            ["INVALID_GPGKEY_PATH", "../key"]
        );

        assert_eq!(
            desc(s.sdn_controller().introduce(&SdnControllerProtocol::Pssl, "10.0.0.9", 0).await),
            ["INVALID_VALUE", "address", "10.0.0.9"]
        );
        assert_eq!(
            desc(s.sdn_controller().introduce(&SdnControllerProtocol::Ssl, "", 0).await),
            ["INVALID_VALUE", "address", ""]
        );
        let sdn = s.sdn_controller().introduce(&SdnControllerProtocol::Ssl, "10.0.0.9", 0).await.unwrap();
        let c = s.sdn_controller().get_record(&sdn).await.unwrap();
        assert_eq!((c.protocol, c.address.as_str(), c.port), (SdnControllerProtocol::Ssl, "10.0.0.9", 6632));
        assert_eq!(
            desc(s.sdn_controller().introduce(&SdnControllerProtocol::Pssl, "", 0).await),
            ["OPERATION_NOT_ALLOWED", "SDN controller has been configured. Please forget it first."]
        );
        s.sdn_controller().forget(&sdn).await.unwrap();
        assert!(s.sdn_controller().get_all().await.unwrap().is_empty());
    }
}

/// One HTTP/1.1 request on a fresh connection: the status and the body.
async fn http(url: &str, method: &str, target: &str, body: &[u8]) -> (u16, Vec<u8>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = url.trim_start_matches("http://");
    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    conn.write_all(head.as_bytes()).await.unwrap();
    conn.write_all(body).await.unwrap();
    let mut reply = Vec::new();
    conn.read_to_end(&mut reply).await.unwrap();
    let split = reply.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete reply");
    let status_line = String::from_utf8_lossy(&reply[..split]).lines().next().unwrap_or_default().to_string();
    let status = status_line.split(' ').nth(1).and_then(|c| c.parse().ok()).expect("a status code");
    let headers = String::from_utf8_lossy(&reply[..split]).to_ascii_lowercase();
    let mut rest = reply[split + 4..].to_vec();
    if headers.contains("transfer-encoding: chunked") {
        let mut out = Vec::new();
        while let Some(nl) = rest.windows(2).position(|w| w == b"\r\n") {
            let n = usize::from_str_radix(String::from_utf8_lossy(&rest[..nl]).trim(), 16).unwrap_or(0);
            if n == 0 {
                break;
            }
            out.extend_from_slice(&rest[nl + 2..nl + 2 + n]);
            rest = rest[nl + 2 + n + 2..].to_vec();
        }
        rest = out;
    }
    (status, rest)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blob_data_over_http() {
    for p in BOTH {
        let (sim, s) = open(p).await;
        let url = sim.url.as_str();
        let session = s.session_ref();
        let blob = s.blob().create("text/plain", false).await.unwrap();
        let at = |extra: &str| format!("/blob?ref={blob}{extra}");

        // Unauthenticated, unknown, unnamed.
        assert_eq!(http(url, "PUT", &at(""), b"x").await.0, 401, "{p:?}");
        assert_eq!(http(url, "GET", &at("&session_id=OpaqueRef:forged"), b"").await.0, 401);
        assert_eq!(http(url, "GET", &format!("/blob?ref=OpaqueRef:none&session_id={session}"), b"").await.0, 404);
        assert_eq!(http(url, "GET", &format!("/blob?session_id={session}"), b"").await.0, 400);

        // Written, then read back; the record follows.
        let before = s.blob().get_last_updated(&blob).await.unwrap();
        let (status, _) = http(url, "PUT", &at(&format!("&session_id={session}")), b"hello, blob").await;
        assert_eq!(status, 200);
        let rec = s.blob().get_record(&blob).await.unwrap();
        assert_eq!(rec.size, 11);
        assert!(rec.last_updated >= before);
        assert_eq!(http(url, "GET", &at(&format!("&session_id={session}")), b"").await, (200, b"hello, blob".to_vec()));
        let uuid = s.blob().get_uuid(&blob).await.unwrap();
        assert_eq!(http(url, "GET", &format!("/blob?uuid={uuid}&session_id={session}"), b"").await.1, b"hello, blob");
        // Private: a session is needed to read.
        assert_eq!(http(url, "GET", &at(""), b"").await.0, 401);

        // A read-only user may read but not write; a public blob needs no
        // session to read.
        let viewer = login(&sim.url, p, "viewer", "secret").await.unwrap();
        let vs = viewer.session_ref();
        assert_eq!(http(url, "GET", &at(&format!("&session_id={vs}")), b"").await.0, 200);
        assert_eq!(http(url, "PUT", &at(&format!("&session_id={vs}")), b"no").await.0, 403);
        let public = s.blob().create("application/json", true).await.unwrap();
        http(url, "PUT", &format!("/blob?ref={public}&session_id={session}"), b"{}").await;
        assert_eq!(http(url, "GET", &format!("/blob?ref={public}"), b"").await, (200, b"{}".to_vec()));
        assert_eq!(http(url, "DELETE", &at(&format!("&session_id={session}")), b"").await.0, 405);

        // Bounded: one blob may not pass the cap.
        let big = vec![b'x'; xenapi_sim::classes::blob::MAX_BLOB + 1];
        let (status, _) = http(url, "PUT", &at(&format!("&session_id={session}")), &big).await;
        assert!(status == 413, "{status}");
        assert_eq!(s.blob().get_size(&blob).await.unwrap(), 11);
    }
}
