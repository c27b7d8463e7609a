//! VDI: clone, snapshot, copy, resize (accounted on the SR), migration
//! to another SR, changed block tracking, and `allowed_operations` with
//! xapi's reasons (VDI_IN_USE while attached, ...).

use xenapi::{
    ApiError, HostRecord, HostRef, NetworkPurpose, NetworkRecord, OnBoot, PbdRecord, PifRecord, SrRecord, SrRef,
    VbdRecord, VdiNbdServerInfoRecord, VdiOperations as Op, VdiRecord, VdiRef, VdiServer, VdiType,
    VmPowerState as Power, VmRecord,
};
use xenapi_rt::types::containers::format_compact;
use xenapi_rt::types::{Map, Ref, Str};

use super::set_allowed;
use crate::sim::{Ctx, Sim};
use crate::store::{Db, Tx};
use crate::util::now;

const ALL: [Op; 16] = [
    Op::Clone,
    Op::Copy,
    Op::Resize,
    Op::ResizeOnline,
    Op::Snapshot,
    Op::Mirror,
    Op::Destroy,
    Op::Forget,
    Op::Update,
    Op::ForceUnlock,
    Op::GenerateConfig,
    Op::EnableCbt,
    Op::DisableCbt,
    Op::DataDestroy,
    Op::ListChangedBlocks,
    Op::SetOnBoot,
];

/// SR types whose disks are read from elsewhere and cannot be changed
/// by the storage layer.
fn read_only_sr(sr: &SrRecord) -> bool {
    matches!(sr.r#type.as_str(), "iso" | "udev")
}

/// Why `op` may not run on the VDI now, if it may not (xapi's order of
/// checks).
fn error(db: &Db, r: &str, v: &VdiRecord, op: &Op) -> Option<ApiError> {
    let sr = db.get::<SrRecord>(v.sr.as_str()).ok();
    if *op == Op::Resize {
        if let Some(s) = sr {
            let attached = s.pbds.iter().any(|p| db.get::<PbdRecord>(p.as_str()).is_ok_and(|p| p.currently_attached));
            if !attached {
                return Some(ApiError::SrHasNoPbds { sr: v.sr.to_string() });
            }
        }
    }
    let active: Vec<&VbdRecord> =
        v.vbds.iter().filter_map(|b| db.get::<VbdRecord>(b.as_str()).ok()).filter(|b| b.currently_attached).collect();
    let live = matches!(
        op,
        Op::Snapshot
            | Op::ResizeOnline
            | Op::Blocked
            | Op::Clone
            | Op::Mirror
            | Op::EnableCbt
            | Op::DisableCbt
            | Op::DataDestroy
    );
    let blocked = if live {
        false
    } else if *op == Op::Copy {
        active.iter().any(|b| b.mode == xenapi::VbdMode::Rw)
    } else if *op == Op::ListChangedBlocks {
        !active.iter().all(|b| db.get::<VmRecord>(b.vm.as_str()).is_ok_and(|vm| vm.is_a_snapshot))
    } else {
        !active.is_empty()
    };
    if blocked {
        return Some(ApiError::VdiInUse { vdi: r.to_string(), operation: op.as_str().to_string() });
    }
    let changes_data = matches!(
        op,
        Op::Clone
            | Op::Snapshot
            | Op::Resize
            | Op::ResizeOnline
            | Op::Mirror
            | Op::EnableCbt
            | Op::DisableCbt
            | Op::DataDestroy
            | Op::ListChangedBlocks
    );
    if changes_data && sr.is_some_and(read_only_sr) {
        return Some(ApiError::SrOperationNotSupported { sr: v.sr.to_string() });
    }
    let for_cbt_metadata = matches!(
        op,
        Op::Blocked
            | Op::DataDestroy
            | Op::Destroy
            | Op::ListChangedBlocks
            | Op::ForceUnlock
            | Op::Forget
            | Op::GenerateConfig
            | Op::Update
    );
    if !for_cbt_metadata && v.r#type == VdiType::CbtMetadata {
        return Some(ApiError::VdiIncompatibleType { vdi: r.to_string(), r#type: "cbt_metadata".into() });
    }
    if matches!(op, Op::Mirror | Op::SetOnBoot) && v.cbt_enabled {
        return Some(ApiError::VdiCbtEnabled { vdi: r.to_string() });
    }
    let reset_on_boot = v.on_boot == OnBoot::Reset;
    let destroy_error = || {
        if sr.is_some_and(|s| s.r#type == "udev") {
            Some(ApiError::VdiIsAPhysicalDevice { vdi: r.to_string() })
        } else if sr.is_some_and(|s| s.is_tools_sr) {
            Some(ApiError::SrOperationNotSupported { sr: v.sr.to_string() })
        } else if v.r#type == VdiType::Rrd {
            Some(ApiError::VdiHasRrds { vdi: r.to_string() })
        } else {
            None
        }
    };
    match op {
        Op::Forget if v.r#type == VdiType::Rrd => Some(ApiError::VdiHasRrds { vdi: r.to_string() }),
        Op::Destroy => destroy_error(),
        Op::DataDestroy if !v.is_a_snapshot => {
            Some(ApiError::OperationNotAllowed { reason: format!("VDI is not a snapshot: {r}") })
        }
        Op::DataDestroy if !v.cbt_enabled => Some(ApiError::VdiNoCbtMetadata { vdi: r.to_string() }),
        Op::DataDestroy => destroy_error(),
        Op::Snapshot | Op::Copy if reset_on_boot => Some(ApiError::VdiOnBootModeIncompatibleWithOperation),
        Op::EnableCbt | Op::DisableCbt if v.is_a_snapshot => {
            Some(ApiError::OperationNotAllowed { reason: format!("VDI is a snapshot: {r}") })
        }
        Op::EnableCbt | Op::DisableCbt if !matches!(v.r#type, VdiType::User | VdiType::System) => {
            Some(ApiError::VdiIncompatibleType { vdi: r.to_string(), r#type: v.r#type.as_str().to_string() })
        }
        Op::EnableCbt | Op::DisableCbt if reset_on_boot => Some(ApiError::VdiOnBootModeIncompatibleWithOperation),
        _ => None,
    }
}

/// Fails with xapi's reason when `op` may not run on the VDI.
pub(crate) fn check(tx: &Tx<'_>, r: &str, op: Op) -> Result<VdiRecord, ApiError> {
    let v = tx.get::<VdiRecord>(r)?.clone();
    match error(tx.db(), r, &v, &op) {
        Some(e) => Err(e),
        None => Ok(v),
    }
}

/// Recomputes the VDI's `allowed_operations`.
pub(crate) fn refresh(tx: &mut Tx<'_>, r: &str) -> Result<(), ApiError> {
    let v = tx.get::<VdiRecord>(r)?;
    let ops: Vec<Op> = ALL.iter().filter(|op| error(tx.db(), r, v, op).is_none()).cloned().collect();
    set_allowed!(tx, VdiRecord, r, ops)
}

/// A new disk with the contents of `src` (its SR accounting and uuid are
/// the store's business).
#[allow(deprecated)]
pub(crate) fn duplicate(src: &VdiRecord, sr: SrRef) -> VdiRecord {
    VdiRecord {
        uuid: Str::default(),
        sr,
        vbds: Vec::new(),
        crash_dumps: Vec::new(),
        snapshots: Vec::new(),
        location: Str::default(),
        current_operations: Map::new(),
        allowed_operations: Vec::new(),
        is_a_snapshot: false,
        snapshot_of: Ref::null(),
        snapshot_time: Default::default(),
        parent: Ref::null(),
        cbt_enabled: false,
        is_tools_iso: false,
        ..src.clone()
    }
}

/// Changes a disk's size, keeping its SR's usage in step (SR_FULL when
/// the growth does not fit).
fn set_size(tx: &mut Tx<'_>, r: &str, size: i64) -> Result<(), ApiError> {
    let v = tx.get::<VdiRecord>(r)?.clone();
    let delta = size - v.virtual_size;
    if !v.sr.is_null() && tx.get::<SrRecord>(v.sr.as_str()).is_ok() {
        tx.modify::<SrRecord, _>(v.sr.as_str(), |s| {
            let free = s.physical_size - s.physical_utilisation;
            if s.physical_size > 0 && delta > free {
                return Err(ApiError::SrFull { requested: delta.to_string(), maximum: free.max(0).to_string() });
            }
            s.physical_utilisation = (s.physical_utilisation + delta).max(0);
            s.virtual_allocation = (s.virtual_allocation + delta).max(0);
            Ok(())
        })?;
    }
    tx.update::<VdiRecord, _>(r, |d| {
        d.virtual_size = size;
        d.physical_utilisation = size;
        Ok(())
    })
}

/// The largest changed-block bitmap returned, in bytes (a 16 TiB disk).
const MAX_BITMAP: i64 = 32 << 20;

/// The base64 text of an all-clear bitmap with one bit per 64 KiB block.
fn empty_bitmap(virtual_size: i64) -> Str {
    let blocks = (virtual_size.max(0) + 65535) / 65536;
    let bytes = ((blocks + 7) / 8).min(MAX_BITMAP) as usize;
    let mut s = "A".repeat(bytes / 3 * 4);
    match bytes % 3 {
        1 => s.push_str("AA=="),
        2 => s.push_str("AAA="),
        _ => {}
    }
    s.into()
}

/// VDI.generate_config: the SR must be plugged on the host and the disk
/// managed. The storage backend's answer is the configuration it would
/// attach the disk with; the simulator's is that as JSON.
fn generate_config(tx: &Tx<'_>, host: &str, vdi: &str) -> Result<Str, ApiError> {
    let h = tx.get::<HostRecord>(host)?;
    let v = check(tx, vdi, Op::GenerateConfig)?;
    let sr = tx.get::<SrRecord>(v.sr.as_str())?;
    let pbd = sr
        .pbds
        .iter()
        .filter_map(|p| tx.get::<PbdRecord>(p.as_str()).ok())
        .find(|p| p.host.as_str() == host && p.currently_attached);
    let Some(pbd) = pbd else { return Err(ApiError::SrHasNoPbds { sr: v.sr.to_string() }) };
    if !v.managed {
        return Err(ApiError::VdiNotManaged { vdi: vdi.to_string() });
    }
    let config = serde_json::json!({
        "host": h.uuid,
        "sr_uuid": sr.uuid,
        "sr_type": sr.r#type,
        "vdi_uuid": v.uuid,
        "vdi_location": v.location,
        "device_config": pbd.device_config,
    });
    Ok(config.to_string().into())
}

impl VdiServer for Sim {
    async fn generate_config(&self, _ctx: &Ctx, host: HostRef, vdi: VdiRef) -> Result<Str, ApiError> {
        self.sim_store().write(|tx| generate_config(tx, host.as_str(), vdi.as_str()))
    }

    async fn set_name_label(&self, _ctx: &Ctx, self_: VdiRef, value: Str) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            tx.update::<VdiRecord, _>(self_.as_str(), |v| {
                v.name_label = value;
                Ok(())
            })
        })
    }

    async fn set_name_description(&self, _ctx: &Ctx, self_: VdiRef, value: Str) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            tx.update::<VdiRecord, _>(self_.as_str(), |v| {
                v.name_description = value;
                Ok(())
            })
        })
    }

    async fn clone(&self, _ctx: &Ctx, vdi: VdiRef, _driver_params: Map<Str, Str>) -> Result<VdiRef, ApiError> {
        self.sim_store().write(|tx| {
            let v = check(tx, vdi.as_str(), Op::Clone)?;
            tx.create(duplicate(&v, v.sr.clone()))
        })
    }

    async fn snapshot(&self, _ctx: &Ctx, vdi: VdiRef, _driver_params: Map<Str, Str>) -> Result<VdiRef, ApiError> {
        self.sim_store().write(|tx| {
            let v = check(tx, vdi.as_str(), Op::Snapshot)?;
            tx.create(VdiRecord {
                is_a_snapshot: true,
                snapshot_of: vdi.clone(),
                snapshot_time: now(),
                cbt_enabled: v.cbt_enabled,
                ..duplicate(&v, v.sr.clone())
            })
        })
    }

    async fn copy(
        &self,
        _ctx: &Ctx,
        vdi: VdiRef,
        sr: SrRef,
        base_vdi: VdiRef,
        into_vdi: VdiRef,
    ) -> Result<VdiRef, ApiError> {
        self.sim_store().write(|tx| {
            let v = check(tx, vdi.as_str(), Op::Copy)?;
            if !base_vdi.is_null() {
                tx.get::<VdiRecord>(base_vdi.as_str())?;
            }
            if !into_vdi.is_null() {
                let dst = tx.get::<VdiRecord>(into_vdi.as_str())?;
                if dst.read_only {
                    return Err(ApiError::VdiReadonly { vdi: into_vdi.to_string() });
                }
                if dst.virtual_size < v.virtual_size {
                    return Err(ApiError::VdiTooSmall {
                        vdi: into_vdi.to_string(),
                        minimum_size: v.virtual_size.to_string(),
                    });
                }
                // The data lands in the existing disk.
                tx.touch_object("VDI", into_vdi.as_str())?;
                return Ok(into_vdi.clone());
            }
            let s = tx.get::<SrRecord>(sr.as_str())?;
            if read_only_sr(s) {
                return Err(ApiError::SrOperationNotSupported { sr: sr.to_string() });
            }
            tx.create(VdiRecord { read_only: false, ..duplicate(&v, sr.clone()) })
        })
    }

    async fn resize(&self, _ctx: &Ctx, vdi: VdiRef, size: i64) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            let v = check(tx, vdi.as_str(), Op::Resize)?;
            if size < v.virtual_size {
                return Err(ApiError::VdiTooSmall { vdi: vdi.to_string(), minimum_size: v.virtual_size.to_string() });
            }
            set_size(tx, vdi.as_str(), size)
        })
    }

    async fn pool_migrate(
        &self,
        _ctx: &Ctx,
        vdi: VdiRef,
        sr: SrRef,
        _options: Map<Str, Str>,
    ) -> Result<VdiRef, ApiError> {
        self.sim_store().write(|tx| {
            let v = tx.get::<VdiRecord>(vdi.as_str())?.clone();
            tx.get::<SrRecord>(sr.as_str())?;
            // The disk must be in use by a running VM, which carries it
            // over.
            let running = v.vbds.iter().any(|b| {
                tx.get::<VbdRecord>(b.as_str()).is_ok_and(|b| {
                    b.currently_attached
                        && tx.get::<VmRecord>(b.vm.as_str()).is_ok_and(|vm| vm.power_state == Power::Running)
                })
            });
            if !running {
                return Err(ApiError::VdiNeedsVmForMigrate { vdi: vdi.to_string() });
            }
            if v.r#type == VdiType::CbtMetadata {
                return Err(ApiError::VdiIncompatibleType { vdi: vdi.to_string(), r#type: "cbt_metadata".into() });
            }
            if v.cbt_enabled {
                return Err(ApiError::VdiCbtEnabled { vdi: vdi.to_string() });
            }
            if v.sr == sr {
                return Ok(vdi.clone());
            }
            // As in xapi, the moved disk is a new object on the new SR.
            let moved = tx.create(duplicate(&v, sr.clone()))?;
            for b in &v.vbds {
                tx.update::<VbdRecord, _>(b.as_str(), |b| {
                    b.vdi = moved.clone();
                    Ok(())
                })?;
            }
            tx.destroy::<VdiRecord>(vdi.as_str())?;
            Ok(moved)
        })
    }

    async fn enable_cbt(&self, _ctx: &Ctx, self_: VdiRef) -> Result<(), ApiError> {
        set_cbt(self, &self_, true)
    }

    async fn disable_cbt(&self, _ctx: &Ctx, self_: VdiRef) -> Result<(), ApiError> {
        set_cbt(self, &self_, false)
    }

    async fn list_changed_blocks(&self, _ctx: &Ctx, vdi_from: VdiRef, vdi_to: VdiRef) -> Result<Str, ApiError> {
        self.sim_store().write(|tx| {
            let from = check(tx, vdi_from.as_str(), Op::ListChangedBlocks)?;
            let to = check(tx, vdi_to.as_str(), Op::ListChangedBlocks)?;
            for (r, v) in [(&vdi_from, &from), (&vdi_to, &to)] {
                if !v.cbt_enabled {
                    return Err(ApiError::VdiNoCbtMetadata { vdi: r.to_string() });
                }
            }
            // Nothing writes to simulated disks: no block has changed.
            Ok(empty_bitmap(to.virtual_size))
        })
    }

    async fn data_destroy(&self, _ctx: &Ctx, self_: VdiRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            let v = check(tx, self_.as_str(), Op::DataDestroy)?;
            for b in &v.vbds {
                tx.destroy::<VbdRecord>(b.as_str())?;
            }
            let used = v.physical_utilisation.max(0);
            if !v.sr.is_null() && tx.get::<SrRecord>(v.sr.as_str()).is_ok() {
                tx.modify::<SrRecord, _>(v.sr.as_str(), |s| {
                    s.physical_utilisation = (s.physical_utilisation - used).max(0);
                    Ok(())
                })?;
            }
            tx.update::<VdiRecord, _>(self_.as_str(), |d| {
                d.r#type = VdiType::CbtMetadata;
                d.physical_utilisation = 0;
                Ok(())
            })
        })
    }

    async fn get_nbd_info(&self, ctx: &Ctx, self_: VdiRef) -> Result<Vec<VdiNbdServerInfoRecord>, ApiError> {
        let db = self.sim_store().read();
        let v = db.get::<VdiRecord>(self_.as_str())?;
        if v.r#type == VdiType::CbtMetadata {
            return Err(ApiError::VdiIncompatibleType { vdi: self_.to_string(), r#type: "cbt_metadata".into() });
        }
        let mut out = Vec::new();
        let Ok(sr) = db.get::<SrRecord>(v.sr.as_str()) else { return Ok(out) };
        let hosts: Vec<_> = sr
            .pbds
            .iter()
            .filter_map(|p| db.get::<PbdRecord>(p.as_str()).ok())
            .filter(|p| p.currently_attached)
            .map(|p| p.host.clone())
            .collect();
        for host in hosts {
            let Ok(h) = db.get::<xenapi::HostRecord>(host.as_str()) else { continue };
            for p in &h.pifs {
                let Ok(pif) = db.get::<PifRecord>(p.as_str()) else { continue };
                if !pif.currently_attached {
                    continue;
                }
                let Ok(net) = db.get::<NetworkRecord>(pif.network.as_str()) else { continue };
                if !net.purpose.iter().any(|p| matches!(p, NetworkPurpose::Nbd | NetworkPurpose::InsecureNbd)) {
                    continue;
                }
                let ips = std::iter::once(pif.ip.clone()).chain(pif.ipv6.iter().cloned()).filter(|ip| !ip.is_empty());
                for ip in ips {
                    out.push(VdiNbdServerInfoRecord {
                        exportname: format_compact!("/{}?session_id={}", v.uuid, ctx.session.r),
                        address: ip.split('/').next().unwrap_or_default().into(),
                        port: 10809,
                        // The simulator's hosts hold no TLS certificate.
                        cert: Str::default(),
                        subject: h.hostname.clone(),
                    });
                }
            }
        }
        Ok(out)
    }
}

fn set_cbt(sim: &Sim, r: &VdiRef, on: bool) -> Result<(), ApiError> {
    sim.sim_store().write(|tx| {
        let v = check(tx, r.as_str(), if on { Op::EnableCbt } else { Op::DisableCbt })?;
        if v.cbt_enabled == on {
            return Ok(());
        }
        tx.update::<VdiRecord, _>(r.as_str(), |d| {
            d.cbt_enabled = on;
            Ok(())
        })
    })
}
