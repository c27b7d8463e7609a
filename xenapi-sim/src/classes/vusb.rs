//! VUSB: a USB device of a USB group passed through to a VM.

use xenapi::{
    ApiError, UsbGroupRecord, UsbGroupRef, VmPowerState as Power, VmRecord, VmRef, VusbOperations as Op, VusbRecord,
    VusbRef, VusbServer,
};
use xenapi_rt::types::{Map, Str};

use super::bad_power;
use crate::sim::{Ctx, Sim};

/// A VM takes at most this many USB devices.
const MAX_PER_VM: usize = 6;

impl VusbServer for Sim {
    async fn create(
        &self,
        _ctx: &Ctx,
        vm: VmRef,
        usb_group: UsbGroupRef,
        other_config: Map<Str, Str>,
    ) -> Result<VusbRef, ApiError> {
        self.sim_store().write(|tx| {
            let v = tx.get::<VmRecord>(vm.as_str())?;
            if v.vusbs.len() >= MAX_PER_VM {
                return Err(ApiError::TooManyVusbs { number: MAX_PER_VM.to_string() });
            }
            if !tx.get::<UsbGroupRecord>(usb_group.as_str())?.vusbs.is_empty() {
                return Err(ApiError::UsbGroupConflict { usb_group: usb_group.to_string() });
            }
            if v.ha_restart_priority == "restart" {
                return Err(ApiError::OperationNotAllowed {
                    reason: format!(
                        "VM {vm} ha_restart_priority has been set to 'restart', cannot create VUSB for it. "
                    ),
                });
            }
            let running = v.power_state == Power::Running;
            tx.create(VusbRecord {
                vm: vm.clone(),
                usb_group: usb_group.clone(),
                other_config,
                allowed_operations: if running { vec![Op::Plug] } else { Vec::new() },
                ..Default::default()
            })
        })
    }

    async fn unplug(&self, _ctx: &Ctx, self_: VusbRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            let u = tx.get::<VusbRecord>(self_.as_str())?.clone();
            let state = tx.get::<VmRecord>(u.vm.as_str())?.power_state.clone();
            if state != Power::Running {
                return Err(bad_power(u.vm.as_str(), &[Power::Running], &state));
            }
            if !u.currently_attached {
                return Err(ApiError::DeviceAlreadyDetached { device: self_.to_string() });
            }
            tx.update::<VusbRecord, _>(self_.as_str(), |x| {
                x.currently_attached = false;
                x.allowed_operations = vec![Op::Plug];
                Ok(())
            })
        })
    }

    async fn destroy(&self, _ctx: &Ctx, self_: VusbRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            let u = tx.get::<VusbRecord>(self_.as_str())?.clone();
            if u.currently_attached {
                let vm_uuid = tx.get::<VmRecord>(u.vm.as_str()).map(|v| v.uuid.clone()).unwrap_or_default();
                return Err(ApiError::OperationNotAllowed {
                    reason: format!("VUSB '{}' still attached to '{}'", u.uuid, vm_uuid),
                });
            }
            tx.destroy::<VusbRecord>(self_.as_str())
        })
    }
}
