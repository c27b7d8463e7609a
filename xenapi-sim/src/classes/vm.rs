//! VM behaviour: the power cycle with placement, copies and snapshots,
//! migration, devices, memory and VCPU settings. The work is done by the
//! helpers in the sibling modules; this file maps messages onto them.

use xenapi::server::Store;
use xenapi::{
    ApiError, BlobRecord, BlobRef, DomainType, GpuGroupRef, HostRecord, HostRef, NetworkRef, SrRef, VbdRecord,
    VdiRecord, VdiRef, VgpuRef, VifRecord, VifRef, VmGroupRef, VmMetricsRecord, VmOperations as Op,
    VmPowerState as Power, VmRecord, VmRef, VmSecurebootReadiness, VmServer, VmUefiMode,
};
use xenapi_rt::types::containers::format_compact;
use xenapi_rt::types::{Map, Ref, Str};

use super::placement::{assert_can_boot_here, choose_host, refresh_memory};
use super::vm_copy::{copy_vm, revert, CopyKind};
use super::{migrate, provision, vm_config as config};
use crate::behaviour::check_vm_op;
use crate::sim::{Ctx, Sim};
use crate::store::Tx;
use crate::util::now;

/// Where a VM that goes live runs.
pub enum Place {
    /// The host it is on now (reboot, pause, unpause).
    Stay,
    /// A host the simulator picks (start, resume).
    Choose,
    /// The host the caller names (start_on, resume_on).
    On(HostRef),
}

/// Changes a VM's power state after checking that `op` is allowed and,
/// when it goes live on a new host, that it can boot there. Keeps its
/// devices, host, memory and metrics in step.
pub fn power(tx: &mut Tx<'_>, vm: &str, op: Op, to: Power, place: Place, domid: i64) -> Result<(), ApiError> {
    let rec = tx.get::<VmRecord>(vm)?.clone();
    check_vm_op(vm, &rec, &op)?;
    let live = matches!(to, Power::Running | Power::Paused);
    let old_host = rec.resident_on.to_string();
    let host: Option<String> = match (live, place) {
        (false, _) => None,
        (true, Place::Stay) => Some(old_host.clone()),
        (true, Place::Choose) => Some(choose_host(tx, vm, &rec)?.to_string()),
        (true, Place::On(h)) => {
            assert_can_boot_here(tx, vm, &rec, h.as_str())?;
            Some(h.to_string())
        }
    };
    // A suspended VM's memory image goes when it resumes or is shut down;
    // a VM that suspends gets one.
    if rec.power_state == Power::Suspended
        && !rec.suspend_vdi.is_null()
        && tx.get::<VdiRecord>(rec.suspend_vdi.as_str()).is_ok()
    {
        tx.destroy::<VdiRecord>(rec.suspend_vdi.as_str())?;
    }
    let suspend_vdi = if to == Power::Suspended { config::suspend_image(tx, &rec)? } else { Ref::null() };
    tx.update::<VmRecord, _>(vm, |v| {
        v.power_state = to.clone();
        v.suspend_vdi = suspend_vdi;
        match &host {
            Some(h) => {
                v.resident_on = HostRef::new(h.clone());
                if domid > 0 {
                    v.domid = domid;
                }
                v.memory_target = v.memory_dynamic_max;
            }
            None => {
                v.resident_on = Ref::null();
                v.domid = -1;
                v.memory_target = 0;
            }
        }
        v.scheduled_to_be_resident_on = Ref::null();
        Ok(())
    })?;
    for vbd in &rec.vbds {
        tx.update::<VbdRecord, _>(vbd.as_str(), |b| {
            b.currently_attached = live && !b.empty;
            Ok(())
        })?;
    }
    for vif in &rec.vifs {
        tx.update::<VifRecord, _>(vif.as_str(), |f| {
            f.currently_attached = live;
            Ok(())
        })?;
    }
    if !rec.metrics.is_null() && tx.get::<VmMetricsRecord>(rec.metrics.as_str()).is_ok() {
        let fresh_start = domid > 0;
        tx.update::<VmMetricsRecord, _>(rec.metrics.as_str(), |m| {
            m.last_updated = now();
            if live {
                m.memory_actual = rec.memory_dynamic_max;
                m.vcpus_number = rec.vcpus_at_startup;
                if fresh_start {
                    m.start_time = now();
                }
            } else {
                m.memory_actual = 0;
                m.vcpus_number = 0;
            }
            m.state = if to == Power::Paused { vec!["paused".into()] } else { Vec::new() };
            Ok(())
        })?;
    }
    refresh_memory(tx, &old_host)?;
    if let Some(h) = &host {
        if *h != old_host {
            refresh_memory(tx, h)?;
        }
    }
    Ok(())
}

/// `VM.destroy`: the VM with its devices and metrics; its disks stay.
fn destroy_vm(tx: &mut Tx<'_>, vm: &str) -> Result<(), ApiError> {
    let rec = tx.get::<VmRecord>(vm)?.clone();
    check_vm_op(vm, &rec, &Op::Destroy)?;
    for vbd in &rec.vbds {
        tx.destroy::<VbdRecord>(vbd.as_str())?;
    }
    for vif in &rec.vifs {
        tx.destroy::<VifRecord>(vif.as_str())?;
    }
    for c in &rec.consoles {
        let _ = tx.destroy::<xenapi::ConsoleRecord>(c.as_str());
    }
    if !rec.metrics.is_null() && tx.get::<VmMetricsRecord>(rec.metrics.as_str()).is_ok() {
        tx.destroy::<VmMetricsRecord>(rec.metrics.as_str())?;
    }
    if !rec.guest_metrics.is_null() && tx.get::<xenapi::VmGuestMetricsRecord>(rec.guest_metrics.as_str()).is_ok() {
        tx.destroy::<xenapi::VmGuestMetricsRecord>(rec.guest_metrics.as_str())?;
    }
    if !rec.suspend_vdi.is_null() && tx.get::<VdiRecord>(rec.suspend_vdi.as_str()).is_ok() {
        tx.destroy::<VdiRecord>(rec.suspend_vdi.as_str())?;
    }
    super::vm_group::leave_groups(tx, vm, &rec.groups)?;
    tx.destroy::<VmRecord>(vm)
}

impl Sim {
    fn next_domid(&self) -> i64 {
        self.0.domid.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }

    /// A power operation in one transaction; a VM that (re)starts gets a
    /// new domain id.
    pub(crate) fn power_op(&self, vm: &VmRef, op: Op, to: Power, place: Place) -> Result<(), ApiError> {
        let live = matches!(to, Power::Running | Power::Paused);
        let fresh = live && !matches!(op, Op::Unpause | Op::Pause);
        let domid = if fresh { self.next_domid() } else { 0 };
        self.sim_store().write(|tx| power(tx, vm.as_str(), op, to, place, domid))
    }

    /// Runs `f` on the VM in one transaction.
    fn vm_write<T>(&self, vm: &VmRef, f: impl FnOnce(&mut Tx<'_>, &str) -> Result<T, ApiError>) -> Result<T, ApiError> {
        self.sim_store().write(|tx| f(tx, vm.as_str()))
    }
}

fn paused(start_paused: bool) -> Power {
    if start_paused {
        Power::Paused
    } else {
        Power::Running
    }
}

impl VmServer for Sim {
    async fn set_uefi_mode(&self, _ctx: &Ctx, self_: VmRef, mode: VmUefiMode) -> Result<Str, ApiError> {
        self.sim_store().write(|tx| super::secureboot::set_mode(tx, self_.as_str(), &mode))
    }

    async fn get_secureboot_readiness(&self, _ctx: &Ctx, self_: VmRef) -> Result<VmSecurebootReadiness, ApiError> {
        Ok(super::secureboot::vm_readiness(&self.sim_store().get::<VmRecord>(&self_)?))
    }

    async fn set_groups(&self, _ctx: &Ctx, self_: VmRef, value: Vec<VmGroupRef>) -> Result<(), ApiError> {
        self.sim_store().write(|tx| super::vm_group::set_groups(tx, self_.as_str(), value))
    }

    async fn start(&self, _ctx: &Ctx, vm: VmRef, start_paused: bool, _force: bool) -> Result<(), ApiError> {
        self.power_op(&vm, Op::Start, paused(start_paused), Place::Choose)
    }

    async fn start_on(
        &self,
        _ctx: &Ctx,
        vm: VmRef,
        host: HostRef,
        start_paused: bool,
        _force: bool,
    ) -> Result<(), ApiError> {
        self.sim_store().get::<HostRecord>(&host)?;
        self.power_op(&vm, Op::StartOn, paused(start_paused), Place::On(host))
    }

    async fn clean_shutdown(&self, _ctx: &Ctx, vm: VmRef) -> Result<(), ApiError> {
        self.power_op(&vm, Op::CleanShutdown, Power::Halted, Place::Stay)
    }

    async fn hard_shutdown(&self, _ctx: &Ctx, vm: VmRef) -> Result<(), ApiError> {
        self.power_op(&vm, Op::HardShutdown, Power::Halted, Place::Stay)
    }

    async fn shutdown(&self, _ctx: &Ctx, vm: VmRef) -> Result<(), ApiError> {
        self.power_op(&vm, Op::Shutdown, Power::Halted, Place::Stay)
    }

    async fn clean_reboot(&self, _ctx: &Ctx, vm: VmRef) -> Result<(), ApiError> {
        self.power_op(&vm, Op::CleanReboot, Power::Running, Place::Stay)
    }

    async fn hard_reboot(&self, _ctx: &Ctx, vm: VmRef) -> Result<(), ApiError> {
        self.power_op(&vm, Op::HardReboot, Power::Running, Place::Stay)
    }

    async fn suspend(&self, _ctx: &Ctx, vm: VmRef) -> Result<(), ApiError> {
        self.power_op(&vm, Op::Suspend, Power::Suspended, Place::Stay)
    }

    async fn resume(&self, _ctx: &Ctx, vm: VmRef, start_paused: bool, _force: bool) -> Result<(), ApiError> {
        self.power_op(&vm, Op::Resume, paused(start_paused), Place::Choose)
    }

    async fn resume_on(
        &self,
        _ctx: &Ctx,
        vm: VmRef,
        host: HostRef,
        start_paused: bool,
        _force: bool,
    ) -> Result<(), ApiError> {
        self.sim_store().get::<HostRecord>(&host)?;
        self.power_op(&vm, Op::ResumeOn, paused(start_paused), Place::On(host))
    }

    async fn pause(&self, _ctx: &Ctx, vm: VmRef) -> Result<(), ApiError> {
        self.power_op(&vm, Op::Pause, Power::Paused, Place::Stay)
    }

    async fn unpause(&self, _ctx: &Ctx, vm: VmRef) -> Result<(), ApiError> {
        self.power_op(&vm, Op::Unpause, Power::Running, Place::Stay)
    }

    async fn power_state_reset(&self, _ctx: &Ctx, vm: VmRef) -> Result<(), ApiError> {
        self.vm_write(&vm, |tx, vm| {
            if tx.get::<VmRecord>(vm)?.is_control_domain {
                return Err(ApiError::CannotResetControlDomain { vm: vm.to_string() });
            }
            power(tx, vm, Op::PowerStateReset, Power::Halted, Place::Stay, 0)
        })
    }

    async fn restart_device_models(&self, _ctx: &Ctx, self_: VmRef) -> Result<(), ApiError> {
        self.vm_write(&self_, config::restart_device_models)
    }

    async fn clone(&self, _ctx: &Ctx, vm: VmRef, new_name: Str) -> Result<VmRef, ApiError> {
        self.vm_write(&vm, |tx, vm| copy_vm(tx, vm, new_name, CopyKind::Clone, None, &[]))
    }

    async fn copy(&self, _ctx: &Ctx, vm: VmRef, new_name: Str, sr: SrRef) -> Result<VmRef, ApiError> {
        let sr = (!sr.is_null()).then(|| sr.to_string());
        self.vm_write(&vm, |tx, vm| copy_vm(tx, vm, new_name, CopyKind::Copy, sr.as_deref(), &[]))
    }

    async fn snapshot(
        &self,
        _ctx: &Ctx,
        vm: VmRef,
        new_name: Str,
        ignore_vdis: Vec<VdiRef>,
    ) -> Result<VmRef, ApiError> {
        self.vm_write(&vm, |tx, vm| copy_vm(tx, vm, new_name, CopyKind::Snapshot, None, &ignore_vdis))
    }

    async fn checkpoint(&self, _ctx: &Ctx, vm: VmRef, new_name: Str) -> Result<VmRef, ApiError> {
        self.vm_write(&vm, |tx, vm| copy_vm(tx, vm, new_name, CopyKind::Checkpoint, None, &[]))
    }

    async fn revert(&self, _ctx: &Ctx, snapshot: VmRef) -> Result<(), ApiError> {
        self.vm_write(&snapshot, revert)
    }

    async fn provision(&self, _ctx: &Ctx, vm: VmRef) -> Result<(), ApiError> {
        self.vm_write(&vm, provision::provision)
    }

    async fn destroy(&self, _ctx: &Ctx, self_: VmRef) -> Result<(), ApiError> {
        self.vm_write(&self_, destroy_vm)
    }

    async fn assert_can_boot_here(&self, _ctx: &Ctx, self_: VmRef, host: HostRef) -> Result<(), ApiError> {
        let db = self.sim_store().read();
        let _ = db.get::<HostRecord>(host.as_str())?;
        let rec = db.get::<VmRecord>(self_.as_str())?.clone();
        drop(db);
        self.sim_store()
            .write(|tx| assert_can_boot_here(tx, self_.as_str(), &rec, host.as_str()).map(|()| None::<()>))?;
        Ok(())
    }

    async fn assert_operation_valid(&self, _ctx: &Ctx, self_: VmRef, op: Op) -> Result<(), ApiError> {
        let rec = self.sim_store().get::<VmRecord>(&self_)?;
        check_vm_op(self_.as_str(), &rec, &op)
    }

    async fn update_allowed_operations(&self, _ctx: &Ctx, self_: VmRef) -> Result<(), ApiError> {
        // The store recomputes allowed_operations on every write.
        self.vm_write(&self_, |tx, vm| tx.update::<VmRecord, _>(vm, |_| Ok(())))
    }

    async fn get_allowed_vbd_devices(&self, _ctx: &Ctx, vm: VmRef) -> Result<Vec<Str>, ApiError> {
        let db = self.sim_store().read();
        let rec = db.get::<VmRecord>(vm.as_str())?;
        let used: Vec<(Str, Str)> = rec
            .vbds
            .iter()
            .filter_map(|b| db.get::<VbdRecord>(b.as_str()).ok())
            .map(|b| (b.userdevice.clone(), b.device.clone()))
            .collect();
        Ok(config::allowed_vbd_devices(rec, &used))
    }

    async fn get_allowed_vif_devices(&self, _ctx: &Ctx, vm: VmRef) -> Result<Vec<Str>, ApiError> {
        let db = self.sim_store().read();
        let rec = db.get::<VmRecord>(vm.as_str())?;
        let used: Vec<Str> =
            rec.vifs.iter().filter_map(|f| db.get::<VifRecord>(f.as_str()).ok()).map(|f| f.device.clone()).collect();
        Ok((0..=15).map(|n| format_compact!("{n}")).filter(|d| !used.contains(d)).collect())
    }

    async fn pool_migrate(
        &self,
        _ctx: &Ctx,
        vm: VmRef,
        host: HostRef,
        _options: Map<Str, Str>,
    ) -> Result<(), ApiError> {
        let domid = self.next_domid();
        self.vm_write(&vm, |tx, vm| migrate::pool_migrate(tx, vm, host.as_str(), domid))
    }

    async fn assert_can_migrate(
        &self,
        _ctx: &Ctx,
        vm: VmRef,
        dest: Map<Str, Str>,
        live: bool,
        vdi_map: Map<VdiRef, SrRef>,
        vif_map: Map<VifRef, NetworkRef>,
        _options: Map<Str, Str>,
        _vgpu_map: Map<VgpuRef, GpuGroupRef>,
    ) -> Result<(), ApiError> {
        let plan = migrate::Plan { dest, live, vdi_map, vif_map };
        // Checked in a transaction that is then thrown away.
        let checked = self.vm_write(&vm, |tx, vm| {
            migrate::migrate_send(tx, vm, &plan, 0)?;
            Err::<(), _>(ApiError::Unknown { code: String::new(), params: Vec::new() })
        });
        match checked {
            Err(ApiError::Unknown { code, .. }) if code.is_empty() => Ok(()),
            other => other,
        }
    }

    async fn migrate_send(
        &self,
        _ctx: &Ctx,
        vm: VmRef,
        dest: Map<Str, Str>,
        live: bool,
        vdi_map: Map<VdiRef, SrRef>,
        vif_map: Map<VifRef, NetworkRef>,
        _options: Map<Str, Str>,
        _vgpu_map: Map<VgpuRef, GpuGroupRef>,
        _vdi_format_map: Map<VdiRef, Str>,
    ) -> Result<VmRef, ApiError> {
        let plan = migrate::Plan { dest, live, vdi_map, vif_map };
        let domid = self.next_domid();
        self.vm_write(&vm, |tx, vm| migrate::migrate_send(tx, vm, &plan, domid))?;
        Ok(vm)
    }

    async fn set_vcpus_max(&self, _ctx: &Ctx, self_: VmRef, value: i64) -> Result<(), ApiError> {
        self.vm_write(&self_, |tx, vm| config::set_vcpus_max(tx, vm, value))
    }

    async fn set_vcpus_at_startup(&self, _ctx: &Ctx, self_: VmRef, value: i64) -> Result<(), ApiError> {
        self.vm_write(&self_, |tx, vm| config::set_vcpus_at_startup(tx, vm, value))
    }

    async fn set_vcpus_number_live(&self, _ctx: &Ctx, self_: VmRef, nvcpu: i64) -> Result<(), ApiError> {
        self.vm_write(&self_, |tx, vm| config::set_vcpus_number_live(tx, vm, nvcpu))
    }

    async fn set_memory_limits(
        &self,
        _ctx: &Ctx,
        self_: VmRef,
        static_min: i64,
        static_max: i64,
        dynamic_min: i64,
        dynamic_max: i64,
    ) -> Result<(), ApiError> {
        let limits = config::Limits { static_min, dynamic_min, dynamic_max, static_max };
        self.vm_write(&self_, |tx, vm| config::set_memory_limits(tx, vm, limits))
    }

    async fn set_memory(&self, _ctx: &Ctx, self_: VmRef, value: i64) -> Result<(), ApiError> {
        self.vm_write(&self_, |tx, vm| {
            let static_min = tx.get::<VmRecord>(vm)?.memory_static_min;
            config::set_memory_limits(
                tx,
                vm,
                config::Limits { static_min, dynamic_min: value, dynamic_max: value, static_max: value },
            )
        })
    }

    async fn set_memory_static_max(&self, _ctx: &Ctx, self_: VmRef, value: i64) -> Result<(), ApiError> {
        self.vm_write(&self_, |tx, vm| config::set_memory_static_range(tx, vm, None, Some(value)))
    }

    async fn set_memory_dynamic_min(&self, _ctx: &Ctx, self_: VmRef, value: i64) -> Result<(), ApiError> {
        self.vm_write(&self_, |tx, vm| {
            let max = tx.get::<VmRecord>(vm)?.memory_dynamic_max;
            config::set_memory_dynamic_range(tx, vm, value, max)
        })
    }

    async fn set_memory_dynamic_range(&self, _ctx: &Ctx, self_: VmRef, min: i64, max: i64) -> Result<(), ApiError> {
        self.vm_write(&self_, |tx, vm| config::set_memory_dynamic_range(tx, vm, min, max))
    }

    async fn set_hvm_boot_policy(&self, _ctx: &Ctx, self_: VmRef, value: Str) -> Result<(), ApiError> {
        self.vm_write(&self_, |tx, vm| config::set_hvm_boot_policy(tx, vm, value))
    }

    async fn set_domain_type(&self, _ctx: &Ctx, self_: VmRef, value: DomainType) -> Result<(), ApiError> {
        self.vm_write(&self_, |tx, vm| config::set_domain_type(tx, vm, value))
    }

    async fn set_ha_always_run(&self, _ctx: &Ctx, self_: VmRef, value: bool) -> Result<(), ApiError> {
        self.vm_write(&self_, |tx, vm| {
            tx.update::<VmRecord, _>(vm, |v| {
                v.ha_restart_priority = if value { "restart".into() } else { Str::default() };
                if v.power_state == Power::Running {
                    v.ha_always_run = value;
                }
                Ok(())
            })
        })
    }

    async fn set_bios_strings(&self, _ctx: &Ctx, self_: VmRef, value: Map<Str, Str>) -> Result<(), ApiError> {
        self.vm_write(&self_, |tx, vm| config::set_bios_strings(tx, vm, value))
    }

    async fn copy_bios_strings(&self, _ctx: &Ctx, vm: VmRef, host: HostRef) -> Result<(), ApiError> {
        self.vm_write(&vm, |tx, vm| config::copy_bios_strings(tx, vm, host.as_str()))
    }

    async fn record_data_source(&self, _ctx: &Ctx, self_: VmRef, data_source: Str) -> Result<(), ApiError> {
        self.vm_write(&self_, |tx, vm| config::data_source(tx, vm, &data_source, true))
    }

    async fn forget_data_source_archives(&self, _ctx: &Ctx, self_: VmRef, data_source: Str) -> Result<(), ApiError> {
        self.vm_write(&self_, |tx, vm| config::data_source(tx, vm, &data_source, false))
    }

    async fn create_new_blob(
        &self,
        _ctx: &Ctx,
        vm: VmRef,
        name: Str,
        mime_type: Str,
        public: bool,
    ) -> Result<BlobRef, ApiError> {
        self.vm_write(&vm, |tx, vm| {
            tx.get::<VmRecord>(vm)?;
            let blob = tx.create(BlobRecord {
                name_label: name.clone(),
                mime_type,
                public,
                last_updated: now(),
                ..Default::default()
            })?;
            tx.update::<VmRecord, _>(vm, |v| {
                v.blobs.insert(name, blob.clone());
                Ok(())
            })?;
            Ok(blob)
        })
    }

    async fn import(
        &self,
        _ctx: &Ctx,
        url: Str,
        sr: SrRef,
        _full_restore: bool,
        _force: bool,
    ) -> Result<Vec<VmRef>, ApiError> {
        migrate::import(self.sim_store(), &url, &sr).await
    }
}
