//! VBD: plugging and unplugging disks of running VMs, CD insert and
//! eject, the mode of a halted VM's disk, and `allowed_operations` as
//! xapi works them out (the first reason found forbids an operation).

use xenapi::{
    ApiError, VbdMode, VbdOperations as Op, VbdRecord, VbdRef, VbdServer, VbdType, VdiRecord, VdiRef,
    VmPowerState as Power, VmRecord,
};
use xenapi_rt::types::containers::format_compact;
use xenapi_rt::types::{Ref, Str};

use super::{assert_power, bad_power, set_allowed};
use crate::sim::{Ctx, Sim};
use crate::store::{Db, Tx};

const ALL: [Op; 8] = [Op::Attach, Op::Eject, Op::Unplug, Op::UnplugForce, Op::Insert, Op::Plug, Op::Pause, Op::Unpause];

/// Whether the VM runs as an HVM guest (older records say so through
/// their boot policy).
#[allow(deprecated)]
fn is_hvm(vm: &VmRecord) -> bool {
    match &vm.domain_type {
        xenapi::DomainType::Hvm => true,
        xenapi::DomainType::Unspecified => !vm.hvm_boot_policy.is_empty(),
        _ => false,
    }
}

/// Why `op` may not run on the VBD now, if it may not.
fn error(db: &Db, r: &str, b: &VbdRecord, op: &Op) -> Option<ApiError> {
    let vm_ref = b.vm.as_str();
    let vm = db.get::<VmRecord>(vm_ref).ok()?;
    let plug_ops = [Op::Plug, Op::Unplug, Op::UnplugForce];
    if !b.unpluggable && matches!(op, Op::Unplug | Op::UnplugForce) {
        return Some(ApiError::VbdNotUnpluggable { vbd: r.to_string() });
    }
    if b.r#type != VbdType::Cd && matches!(op, Op::Insert | Op::Eject) {
        return Some(ApiError::VbdNotRemovableMedia { vbd: r.to_string() });
    }
    if b.empty && *op == Op::Eject {
        return Some(ApiError::VbdIsEmpty { vbd: r.to_string() });
    }
    if !b.empty && *op == Op::Insert {
        return Some(ApiError::VbdNotEmpty { vbd: r.to_string() });
    }
    match (&vm.power_state, b.currently_attached) {
        (Power::Running, true) if *op == Op::Plug => {
            return Some(ApiError::DeviceAlreadyAttached { device: r.to_string() });
        }
        (Power::Running, false) if matches!(op, Op::Unplug | Op::UnplugForce) => {
            return Some(ApiError::DeviceAlreadyDetached { device: r.to_string() });
        }
        (Power::Running, _) => {}
        (state, _) => {
            let paused_ok = *state == Power::Paused && matches!(op, Op::Pause | Op::Unpause);
            if plug_ops.contains(op) || (matches!(op, Op::Pause | Op::Unpause) && !paused_ok) {
                return Some(bad_power(vm_ref, &[Power::Running], state));
            }
        }
    }
    if vm.power_state == Power::Running && is_hvm(vm) && b.r#type == VbdType::Cd && plug_ops.contains(op) {
        return Some(ApiError::OperationNotAllowed {
            reason: "HVM CDROMs cannot be hotplugged/unplugged, only inserted or ejected".into(),
        });
    }
    if b.r#type == VbdType::Cd && vm.power_state == Power::Suspended {
        return Some(bad_power(vm_ref, &[Power::Halted, Power::Running], &Power::Suspended));
    }
    if matches!(op, Op::Attach | Op::Insert | Op::Plug) && !b.empty && !b.currently_attached {
        if let Ok(vdi) = db.get::<VdiRecord>(b.vdi.as_str()) {
            if let Some(e) = sharing_error(db, r, b, vdi, op) {
                return Some(e);
            }
        }
    }
    None
}

/// VDI_IN_USE when another running VM has the disk attached read-write
/// (or this VBD wants write access while others use it), and the disk is
/// not sharable; VDI_READONLY for write access to a read-only disk.
fn sharing_error(db: &Db, r: &str, b: &VbdRecord, vdi: &VdiRecord, op: &Op) -> Option<ApiError> {
    let others: Vec<&VbdRecord> = vdi
        .vbds
        .iter()
        .filter(|v| v.as_str() != r)
        .filter_map(|v| db.get::<VbdRecord>(v.as_str()).ok())
        .filter(|o| o.currently_attached || !o.current_operations.is_empty())
        .filter(|o| {
            db.get::<VmRecord>(o.vm.as_str())
                .is_ok_and(|vm| vm.power_state != Power::Suspended && !vm.is_control_domain)
        })
        .collect();
    let someone_writes = others.iter().any(|o| o.mode == VbdMode::Rw);
    let need_write = b.mode == VbdMode::Rw;
    if !vdi.sharable && (someone_writes || (need_write && !others.is_empty())) {
        return Some(ApiError::VdiInUse { vdi: b.vdi.to_string(), operation: op.as_str().to_string() });
    }
    if need_write && vdi.read_only {
        return Some(ApiError::VdiReadonly { vdi: b.vdi.to_string() });
    }
    None
}

/// Fails with xapi's reason when `op` may not run on the VBD.
pub(crate) fn check(tx: &Tx<'_>, r: &str, op: Op) -> Result<VbdRecord, ApiError> {
    let b = tx.get::<VbdRecord>(r)?.clone();
    match error(tx.db(), r, &b, &op) {
        Some(e) => Err(e),
        None => Ok(b),
    }
}

/// Recomputes the VBD's `allowed_operations`.
pub(crate) fn refresh(tx: &mut Tx<'_>, r: &str) -> Result<(), ApiError> {
    let b = tx.get::<VbdRecord>(r)?;
    let ops: Vec<Op> = ALL.iter().filter(|op| error(tx.db(), r, b, op).is_none()).cloned().collect();
    set_allowed!(tx, VbdRecord, r, ops)
}

/// The device name a plugged disk gets in the guest (`xvda` for
/// userdevice 0).
fn device_name(userdevice: &str) -> Str {
    match userdevice.parse::<u8>() {
        Ok(n) if n < 26 => format_compact!("xvd{}", (b'a' + n) as char),
        _ => userdevice.into(),
    }
}

fn attach(tx: &mut Tx<'_>, r: &str, on: bool) -> Result<(), ApiError> {
    tx.update::<VbdRecord, _>(r, |b| {
        b.currently_attached = on;
        if on && b.device.is_empty() {
            b.device = device_name(&b.userdevice);
        }
        Ok(())
    })
}

fn unplug(sim: &Sim, r: &VbdRef, op: Op) -> Result<(), ApiError> {
    sim.sim_store().write(|tx| {
        check(tx, r.as_str(), op)?;
        attach(tx, r.as_str(), false)
    })
}

impl VbdServer for Sim {
    async fn plug(&self, _ctx: &Ctx, self_: VbdRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            let b = check(tx, self_.as_str(), Op::Plug)?;
            let vm = tx.get::<VmRecord>(b.vm.as_str())?;
            if is_hvm(vm) && b.r#type != VbdType::Cd && b.mode == VbdMode::Ro {
                return Err(ApiError::DiskVbdMustBeReadwriteForHvm { vbd: self_.to_string() });
            }
            attach(tx, self_.as_str(), true)
        })
    }

    async fn unplug(&self, _ctx: &Ctx, self_: VbdRef) -> Result<(), ApiError> {
        unplug(self, &self_, Op::Unplug)
    }

    async fn unplug_force(&self, _ctx: &Ctx, self_: VbdRef) -> Result<(), ApiError> {
        unplug(self, &self_, Op::UnplugForce)
    }

    async fn insert(&self, _ctx: &Ctx, vbd: VbdRef, vdi: VdiRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            tx.get::<VdiRecord>(vdi.as_str())?;
            let b = check(tx, vbd.as_str(), Op::Insert)?;
            let running = tx.get::<VmRecord>(b.vm.as_str())?.power_state == Power::Running;
            tx.update::<VbdRecord, _>(vbd.as_str(), |b| {
                b.vdi = vdi.clone();
                b.empty = false;
                b.currently_attached = running;
                Ok(())
            })
        })
    }

    async fn eject(&self, _ctx: &Ctx, vbd: VbdRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            check(tx, vbd.as_str(), Op::Eject)?;
            tx.update::<VbdRecord, _>(vbd.as_str(), |b| {
                b.vdi = Ref::null();
                b.empty = true;
                Ok(())
            })
        })
    }

    async fn set_mode(&self, _ctx: &Ctx, self_: VbdRef, value: VbdMode) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            let vm = tx.get::<VbdRecord>(self_.as_str())?.vm.clone();
            assert_power(tx, vm.as_str(), &[Power::Halted])?;
            tx.update::<VbdRecord, _>(self_.as_str(), |b| {
                b.mode = value;
                Ok(())
            })
        })
    }
}
