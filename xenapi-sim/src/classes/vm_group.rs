//! VM_group: VMs kept together or apart by placement. Groups need the
//! VM groups feature of the pool's licence; a VM belongs to at most one.

use xenapi::{ApiError, PlacementPolicy, VmGroupRecord, VmGroupRef, VmGroupServer, VmRecord, VmRef};

use super::assert_feature;
use crate::sim::{Ctx, Sim};
use crate::store::Tx;

/// The licence feature behind groups, as xapi names it.
const FEATURE: (&str, &str) = ("restrict_vm_groups", "VM_groups");

/// VM.set_groups: xapi's checks, then both ends (the store keeps no
/// many-to-many relation): the VM's groups and the groups' VMs.
pub fn set_groups(tx: &mut Tx<'_>, vm: &str, groups: Vec<VmGroupRef>) -> Result<(), ApiError> {
    assert_feature(tx, FEATURE)?;
    let v = tx.get::<VmRecord>(vm)?;
    if v.is_control_domain || v.is_a_template || v.is_a_snapshot {
        return Err(ApiError::OperationNotAllowed {
            reason: "Control domains, templates and snapshots cannot join VM groups.".into(),
        });
    }
    if groups.len() > 1 {
        return Err(ApiError::TooManyGroups);
    }
    for g in &groups {
        tx.get::<VmGroupRecord>(g.as_str())?;
    }
    let old = tx.update::<VmRecord, _>(vm, |v| Ok(std::mem::replace(&mut v.groups, groups.clone())))?;
    let gone: Vec<VmGroupRef> = old.iter().filter(|g| !groups.contains(g)).cloned().collect();
    leave_groups(tx, vm, &gone)?;
    let me = VmRef::new(vm);
    for g in groups.iter().filter(|g| !old.contains(g)) {
        tx.update::<VmGroupRecord, _>(g.as_str(), |g| {
            g.vms.push(me.clone());
            Ok(())
        })?;
    }
    Ok(())
}

/// Takes the VM off the lists of VMs of `groups` (those that still exist).
pub fn leave_groups(tx: &mut Tx<'_>, vm: &str, groups: &[VmGroupRef]) -> Result<(), ApiError> {
    for g in groups {
        if tx.get::<VmGroupRecord>(g.as_str()).is_ok() {
            tx.update::<VmGroupRecord, _>(g.as_str(), |g| {
                g.vms.retain(|v| v.as_str() != vm);
                Ok(())
            })?;
        }
    }
    Ok(())
}

impl VmGroupServer for Sim {
    async fn create(&self, _ctx: &Ctx, args: VmGroupRecord) -> Result<VmGroupRef, ApiError> {
        self.sim_store().write(|tx| {
            assert_feature(tx, FEATURE)?;
            if let PlacementPolicy::Unknown(p) = &args.placement {
                return Err(ApiError::InvalidValue { field: "placement".into(), value: p.clone() });
            }
            tx.create(VmGroupRecord {
                name_label: args.name_label,
                name_description: args.name_description,
                placement: args.placement,
                ..Default::default()
            })
        })
    }

    async fn destroy(&self, _ctx: &Ctx, self_: VmGroupRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            let vms: Vec<VmRef> = tx.get::<VmGroupRecord>(self_.as_str())?.vms.clone();
            for vm in vms {
                tx.update::<VmRecord, _>(vm.as_str(), |v| {
                    v.groups.retain(|g| g != &self_);
                    Ok(())
                })?;
            }
            tx.destroy::<VmGroupRecord>(self_.as_str())
        })
    }
}
