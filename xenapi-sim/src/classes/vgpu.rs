//! VGPU: virtual GPUs of halted VMs.

use xenapi::{
    ApiError, GpuGroupRecord, GpuGroupRef, VgpuRecord, VgpuRef, VgpuServer, VgpuTypeRecord, VgpuTypeRef,
    VmPowerState as Power, VmRecord, VmRef,
};
use xenapi_rt::types::containers::format_compact;
use xenapi_rt::types::{Map, Str};

use super::assert_power;
use crate::sim::{Ctx, Sim};

/// The device numbers a VM's vGPUs may take ("0" asks for the first free
/// one).
const DEVICES: std::ops::RangeInclusive<u32> = 0..=15;

impl VgpuServer for Sim {
    async fn create(
        &self,
        _ctx: &Ctx,
        vm: VmRef,
        gpu_group: GpuGroupRef,
        device: Str,
        other_config: Map<Str, Str>,
        r#type: VgpuTypeRef,
    ) -> Result<VgpuRef, ApiError> {
        self.sim_store().write(|tx| {
            let v = tx.get::<VmRecord>(vm.as_str())?.clone();
            tx.get::<GpuGroupRecord>(gpu_group.as_str())?;
            if !r#type.is_null() {
                tx.get::<VgpuTypeRecord>(r#type.as_str())?;
            }
            if !v.is_a_snapshot {
                assert_power(tx, vm.as_str(), &[Power::Halted])?;
            }
            let used: Vec<u32> = v
                .vgpus
                .iter()
                .filter_map(|g| tx.get::<VgpuRecord>(g.as_str()).ok())
                .filter_map(|g| g.device.parse().ok())
                .collect();
            let d: u32 = device.parse().map_err(|_| ApiError::InvalidDevice { device: device.to_string() })?;
            let device = if d == 0 {
                match DEVICES.clone().find(|n| !used.contains(n)) {
                    Some(n) => format_compact!("{n}"),
                    None => return Err(ApiError::VmPciBusFull { vm: vm.to_string() }),
                }
            } else if used.contains(&d) {
                return Err(ApiError::DeviceAlreadyExists { device: device.into() });
            } else if DEVICES.contains(&d) {
                device
            } else {
                return Err(ApiError::InvalidDevice { device: device.into() });
            };
            tx.create(VgpuRecord {
                vm: vm.clone(),
                gpu_group: gpu_group.clone(),
                device,
                other_config,
                r#type,
                ..Default::default()
            })
        })
    }

    async fn destroy(&self, _ctx: &Ctx, self_: VgpuRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            let vm = tx.get::<VgpuRecord>(self_.as_str())?.vm.clone();
            if tx.get::<VmRecord>(vm.as_str()).is_ok_and(|v| v.power_state == Power::Running) {
                return Err(ApiError::OperationNotAllowed { reason: "vGPU currently attached to a running VM".into() });
            }
            tx.destroy::<VgpuRecord>(self_.as_str())
        })
    }
}
