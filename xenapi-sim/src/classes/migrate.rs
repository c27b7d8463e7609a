//! Moving a VM: `VM.pool_migrate` (to another host of the pool, disks
//! stay), `VM.migrate_send` / `VM.assert_can_migrate` (to the host a
//! `host.migrate_receive` answer names, with disks moved as `vdi_map`
//! says and interfaces as `vif_map` says), and `VM.import`.

use xenapi::{
    ApiError, HostRecord, NetworkRecord, NetworkRef, SrRecord, SrRef, VbdRecord, VbdType, VdiRecord, VdiRef, VifRecord,
    VifRef, VmOperations as Op, VmPowerState as Power, VmRecord, VmRef,
};
use xenapi_rt::types::{Map, Str};

use super::placement::{assert_can_boot_here, host_sees_sr, refresh_memory};
use crate::behaviour::check_vm_op;
use crate::store::{SimStore, Tx};

/// Moves a live VM's domain to `host`, with a new domain id.
fn move_domain(tx: &mut Tx<'_>, vm: &str, host: &str, domid: i64) -> Result<(), ApiError> {
    let old = tx.get::<VmRecord>(vm)?.resident_on.to_string();
    tx.update::<VmRecord, _>(vm, |v| {
        v.resident_on = xenapi::HostRef::new(host);
        if domid > 0 {
            v.domid = domid;
        }
        Ok(())
    })?;
    refresh_memory(tx, &old)?;
    refresh_memory(tx, host)
}

/// `VM.pool_migrate`: a running VM moves to another host of the pool,
/// which must be able to run it (its SRs and networks there, memory).
pub fn pool_migrate(tx: &mut Tx<'_>, vm: &str, host: &str, domid: i64) -> Result<(), ApiError> {
    tx.get::<HostRecord>(host)?;
    let rec = tx.get::<VmRecord>(vm)?.clone();
    check_vm_op(vm, &rec, &Op::PoolMigrate)?;
    assert_can_boot_here(tx, vm, &rec, host)?;
    move_domain(tx, vm, host, domid)
}

/// What `migrate_send` is asked to do.
pub struct Plan {
    pub dest: Map<Str, Str>,
    pub live: bool,
    pub vdi_map: Map<VdiRef, SrRef>,
    pub vif_map: Map<VifRef, NetworkRef>,
}

/// `VM.migrate_send`: disks named in `vdi_map` move to their new SR (a
/// fresh VDI there, the old one destroyed), interfaces named in `vif_map`
/// to their new network, and a running VM to the host of `dest`. A
/// halted VM only moves its disks. With `domid` 0 only the checks are
/// made (the caller rolls back).
pub fn migrate_send(tx: &mut Tx<'_>, vm: &str, plan: &Plan, domid: i64) -> Result<(), ApiError> {
    let rec = tx.get::<VmRecord>(vm)?.clone();
    check_vm_op(vm, &rec, &Op::MigrateSend)?;
    let host = plan.dest.get("host").cloned().unwrap_or_default();
    if tx.get::<HostRecord>(&host).is_err() {
        // Another pool: there is nothing here to talk to.
        return Err(ApiError::VmMigrateFailed {
            vm: vm.to_string(),
            source: rec.resident_on.to_string(),
            destination: host.to_string(),
            msg: "the destination is not a host of this pool".into(),
        });
    }
    let running = matches!(rec.power_state, Power::Running | Power::Paused);
    if plan.live && !running {
        return Err(super::bad_power(vm, &[Power::Running], &rec.power_state));
    }
    for (vdi, sr) in &plan.vdi_map {
        tx.get::<VdiRecord>(vdi.as_str())?;
        tx.get::<SrRecord>(sr.as_str())?;
        if !host_sees_sr(tx, &host, sr.as_str()) {
            return Err(ApiError::VmRequiresSr { vm: vm.to_string(), sr: sr.to_string() });
        }
    }
    for (vif, net) in &plan.vif_map {
        tx.get::<VifRecord>(vif.as_str())?;
        tx.get::<NetworkRecord>(net.as_str())?;
    }
    // Move disks and interfaces first, so that the host checks see where
    // they will be.
    for vbd in &rec.vbds {
        let b = tx.get::<VbdRecord>(vbd.as_str())?.clone();
        let Some(sr) = plan.vdi_map.get(&b.vdi) else { continue };
        if b.r#type == VbdType::Cd {
            continue;
        }
        let d = tx.get::<VdiRecord>(b.vdi.as_str())?.clone();
        if d.sr == *sr {
            continue;
        }
        let moved = tx.create(super::vdi::duplicate(&d, sr.clone()))?;
        tx.update::<VbdRecord, _>(vbd.as_str(), |v| {
            v.vdi = moved;
            Ok(())
        })?;
        tx.destroy::<VdiRecord>(b.vdi.as_str())?;
    }
    for vif in &rec.vifs {
        if let Some(net) = plan.vif_map.get(vif) {
            tx.update::<VifRecord, _>(vif.as_str(), |f| {
                f.network = net.clone();
                Ok(())
            })?;
        }
    }
    if running {
        let now = tx.get::<VmRecord>(vm)?.clone();
        assert_can_boot_here(tx, vm, &now, &host)?;
        move_domain(tx, vm, &host, domid)?;
    }
    Ok(())
}

/// `VM.import` from a URL: the simulator reaches no other server, so the
/// export cannot be read; the SR is checked first, as xapi does.
pub async fn import(store: &SimStore, url: &str, sr: &SrRef) -> Result<Vec<VmRef>, ApiError> {
    if !sr.is_null() {
        let _ = store.read().get::<SrRecord>(sr.as_str())?;
    }
    Err(ApiError::ImportError { msg: format!("cannot download {url}: this simulated host has no network access") })
}
