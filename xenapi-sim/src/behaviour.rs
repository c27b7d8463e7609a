//! Rules the store applies to particular record types on every write,
//! whoever makes it (a derived setter, an explicit message, a fixture):
//!
//! * a VM's `allowed_operations` always follow its power state, template
//!   flags and `blocked_operations`;
//! * a new VM gets a `VM_metrics` object;
//! * a VDI's size is accounted on its SR (`virtual_allocation`,
//!   `physical_utilisation`), SR_FULL when it does not fit, and given back
//!   when the VDI is destroyed.

use std::any::{Any, TypeId};

use xenapi::server::Record;
use xenapi::{
    ApiError, SrRecord, VbdRecord, VdiRecord, VmMetricsRecord, VmOperations as Op, VmPowerState as Power, VmRecord,
};
use xenapi_rt::types::Ref;

use crate::store::Tx;

/// Fixes up derived fields of a record before it is stored.
pub fn normalise<R: Record>(rec: &mut R) {
    if let Some(vm) = (rec as &mut dyn Any).downcast_mut::<VmRecord>() {
        vm.allowed_operations = allowed_operations(vm);
    }
}

/// Side effects of creating an object.
pub fn created<R: Record>(tx: &mut Tx<'_>, r: &str) -> Result<(), ApiError> {
    if TypeId::of::<R>() == TypeId::of::<VdiRecord>() {
        let vdi = tx.get::<VdiRecord>(r)?;
        let (sr, size) = (vdi.sr.clone(), vdi.virtual_size.max(0));
        tx.modify::<VdiRecord, _>(r, |v| {
            v.physical_utilisation = size;
            if v.location.is_empty() {
                v.location = v.uuid.clone();
            }
            v.managed = true;
            Ok(())
        })?;
        if !sr.is_null() {
            tx.modify::<SrRecord, _>(sr.as_str(), |s| {
                let free = s.physical_size - s.physical_utilisation;
                if s.physical_size > 0 && size > free {
                    return Err(ApiError::SrFull { requested: size.to_string(), maximum: free.max(0).to_string() });
                }
                s.physical_utilisation += size;
                s.virtual_allocation += size;
                Ok(())
            })?;
        }
    } else if TypeId::of::<R>() == TypeId::of::<VmRecord>() {
        let vm = tx.get::<VmRecord>(r)?;
        if vm.metrics.is_null() {
            let metrics = VmMetricsRecord {
                memory_actual: if vm.power_state == Power::Halted { 0 } else { vm.memory_dynamic_max },
                vcpus_number: if vm.power_state == Power::Halted { 0 } else { vm.vcpus_at_startup },
                install_time: crate::util::now(),
                last_updated: crate::util::now(),
                ..Default::default()
            };
            let m = tx.create(metrics)?;
            tx.modify::<VmRecord, _>(r, |v| {
                v.metrics = m;
                Ok(())
            })?;
        }
    }
    Ok(())
}

/// Checks and side effects of destroying an object (`rec` is its record).
pub fn destroying<R: Record>(tx: &mut Tx<'_>, r: &str, rec: &R) -> Result<(), ApiError> {
    if let Some(vdi) = (rec as &dyn Any).downcast_ref::<VdiRecord>() {
        for vbd in &vdi.vbds {
            if tx.get::<VbdRecord>(vbd.as_str()).is_ok_and(|b| b.currently_attached) {
                return Err(ApiError::VdiInUse { vdi: r.to_string(), operation: "destroy".into() });
            }
        }
        let size = vdi.physical_utilisation.max(0);
        if !vdi.sr.is_null() && tx.get::<SrRecord>(vdi.sr.as_str()).is_ok() {
            tx.modify::<SrRecord, _>(vdi.sr.as_str(), |s| {
                s.physical_utilisation = (s.physical_utilisation - size).max(0);
                s.virtual_allocation = (s.virtual_allocation - vdi.virtual_size.max(0)).max(0);
                Ok(())
            })?;
        }
    }
    Ok(())
}

/// The operations a VM in this power state allows, before blocked ones
/// are taken out.
fn ops_in(state: &Power) -> &'static [Op] {
    match state {
        Power::Halted => &[
            Op::Start,
            Op::StartOn,
            Op::Clone,
            Op::Copy,
            Op::Snapshot,
            Op::Provision,
            Op::Destroy,
            Op::Export,
            Op::MakeIntoTemplate,
            Op::ChangingMemoryLimits,
            Op::ChangingStaticRange,
            Op::ChangingDynamicRange,
            Op::ChangingVcpUs,
            Op::ChangingShadowMemory,
            Op::MigrateSend,
            Op::PowerStateReset,
        ],
        Power::Running => &[
            Op::CleanShutdown,
            Op::HardShutdown,
            Op::Shutdown,
            Op::CleanReboot,
            Op::HardReboot,
            Op::Suspend,
            Op::Pause,
            Op::Snapshot,
            Op::Checkpoint,
            Op::PoolMigrate,
            Op::MigrateSend,
            Op::ChangingDynamicRange,
            Op::ChangingVcpUsLive,
            Op::PowerStateReset,
        ],
        Power::Paused => {
            &[Op::Unpause, Op::HardShutdown, Op::Shutdown, Op::HardReboot, Op::Snapshot, Op::PowerStateReset]
        }
        Power::Suspended => &[
            Op::Resume,
            Op::ResumeOn,
            Op::HardShutdown,
            Op::Snapshot,
            Op::Clone,
            Op::Copy,
            Op::Destroy,
            Op::Export,
            Op::MigrateSend,
            Op::PowerStateReset,
        ],
        Power::Unknown(_) => &[Op::PowerStateReset],
    }
}

/// What templates and snapshots allow (they never run).
const TEMPLATE_OPS: &[Op] = &[Op::Clone, Op::Copy, Op::Provision, Op::Destroy, Op::Export];
const SNAPSHOT_OPS: &[Op] = &[Op::Clone, Op::Copy, Op::Revert, Op::CreateTemplate, Op::Destroy, Op::Export];

/// The VM's `allowed_operations`.
pub fn allowed_operations(vm: &VmRecord) -> Vec<Op> {
    let base: &[Op] = if vm.is_control_domain {
        &[]
    } else if vm.is_a_snapshot {
        SNAPSHOT_OPS
    } else if vm.is_a_template {
        TEMPLATE_OPS
    } else {
        ops_in(&vm.power_state)
    };
    base.iter().filter(|o| !vm.blocked_operations.contains_key(o)).cloned().collect()
}

/// The power state as error parameters spell it.
pub fn power_word(p: &Power) -> String {
    p.as_str().to_ascii_lowercase()
}

/// Checks that `op` may run on the VM now: OPERATION_BLOCKED,
/// VM_IS_TEMPLATE, OPERATION_NOT_ALLOWED or VM_BAD_POWER_STATE (with the
/// power states that would allow it) otherwise.
pub fn check_vm_op(r: &str, vm: &VmRecord, op: &Op) -> Result<(), ApiError> {
    if let Some(code) = vm.blocked_operations.get(op) {
        return Err(ApiError::OperationBlocked { r#ref: r.to_string(), code: code.to_string() });
    }
    if vm.is_control_domain {
        return Err(ApiError::OperationNotAllowed { reason: format!("{op} is not allowed on the control domain") });
    }
    if vm.is_a_template || vm.is_a_snapshot {
        let ok = if vm.is_a_snapshot { SNAPSHOT_OPS } else { TEMPLATE_OPS };
        if ok.contains(op) {
            return Ok(());
        }
        return Err(ApiError::VmIsTemplate { vm: r.to_string() });
    }
    if ops_in(&vm.power_state).contains(op) {
        return Ok(());
    }
    let expected: Vec<Power> = Power::ALL.iter().filter(|p| ops_in(p).contains(op)).cloned().collect();
    Err(crate::classes::bad_power(r, &expected, &vm.power_state))
}

/// A null reference of any class.
pub fn null<C>() -> Ref<C> {
    Ref::null()
}
