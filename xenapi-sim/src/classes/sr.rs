//! SR: create (with a plugged PBD per host for a shared SR), introduce,
//! forget, destroy, scan, probe, the supported types, and
//! `allowed_operations` with xapi's reasons.

use xenapi::{
    ApiError, HostRecord, HostRef, PbdRecord, SmRecord, SrRecord, SrRef, SrServer, StorageOperations as Op, VdiRecord,
    VdiType,
};
use xenapi_rt::types::{Map, Str};

use super::set_allowed;
use crate::sim::{Ctx, Sim};
use crate::store::{Db, Tx};
use crate::util::ascii_lower;

const ALL: [Op; 20] = [
    Op::Scan,
    Op::Destroy,
    Op::Forget,
    Op::Plug,
    Op::Unplug,
    Op::Update,
    Op::VdiCreate,
    Op::VdiIntroduce,
    Op::VdiDestroy,
    Op::VdiResize,
    Op::VdiClone,
    Op::VdiSnapshot,
    Op::VdiMirror,
    Op::VdiEnableCbt,
    Op::VdiDisableCbt,
    Op::VdiDataDestroy,
    Op::VdiListChangedBlocks,
    Op::VdiSetOnBoot,
    Op::PbdCreate,
    Op::PbdDestroy,
];

/// The storage drivers the simulator knows besides those of the SM
/// objects in the store.
const DRIVERS: &[&str] = &["ext", "file", "iso", "lvm", "lvmohba", "lvmoiscsi", "nfs", "smb", "udev", "dummy"];

/// What a driver of a read-only kind (CD images, physical devices) cannot
/// do to its disks.
const READ_ONLY_DRIVER_CANNOT: &[Op] = &[
    Op::VdiResize,
    Op::VdiClone,
    Op::VdiSnapshot,
    Op::VdiMirror,
    Op::VdiEnableCbt,
    Op::VdiDisableCbt,
    Op::VdiDataDestroy,
    Op::VdiListChangedBlocks,
    Op::VdiSetOnBoot,
];

/// Why `op` may not run on the SR now, if it may not.
fn error(db: &Db, r: &str, s: &SrRecord, op: &Op) -> Option<ApiError> {
    let backend_cannot = (matches!(s.r#type.as_str(), "iso" | "udev") && READ_ONLY_DRIVER_CANNOT.contains(op))
        || (s.is_tools_sr && matches!(op, Op::VdiCreate | Op::VdiDestroy));
    if backend_cannot {
        return Some(ApiError::SrOperationNotSupported { sr: r.to_string() });
    }
    let attached = s.pbds.iter().any(|p| db.get::<PbdRecord>(p.as_str()).is_ok_and(|p| p.currently_attached));
    if attached && matches!(op, Op::Destroy | Op::Forget) {
        return Some(ApiError::SrHasPbd { sr: r.to_string() });
    }
    if s.pbds.is_empty() && *op == Op::Destroy {
        return Some(ApiError::SrHasNoPbds { sr: r.to_string() });
    }
    if *op == Op::Destroy
        && s.vdis.iter().any(|v| db.get::<VdiRecord>(v.as_str()).is_ok_and(|v| v.managed && v.r#type != VdiType::Rrd))
    {
        return Some(ApiError::SrNotEmpty);
    }
    None
}

fn check(tx: &Tx<'_>, r: &str, op: Op) -> Result<SrRecord, ApiError> {
    let s = tx.get::<SrRecord>(r)?.clone();
    error(tx.db(), r, &s, &op).map_or(Ok(s), Err)
}

/// Recomputes the SR's `allowed_operations`.
pub(crate) fn refresh(tx: &mut Tx<'_>, r: &str) -> Result<(), ApiError> {
    let s = tx.get::<SrRecord>(r)?;
    let ops: Vec<Op> = ALL.iter().filter(|op| error(tx.db(), r, s, op).is_none()).cloned().collect();
    set_allowed!(tx, SrRecord, r, ops)
}

/// The driver names the pool supports.
fn supported(db: &Db) -> Vec<Str> {
    let mut types: Vec<Str> = DRIVERS.iter().map(|&s| Str::from(s)).collect();
    for (_, sm) in db.all::<SmRecord>() {
        if !types.contains(&sm.r#type) {
            types.push(sm.r#type);
        }
    }
    types
}

/// SR_UNKNOWN_DRIVER unless the pool has a driver of that type.
fn assert_driver(db: &Db, ty: &str) -> Result<(), ApiError> {
    if supported(db).iter().any(|t| t == ty) {
        Ok(())
    } else {
        Err(ApiError::SrUnknownDriver { driver: ty.to_string() })
    }
}

/// Removes the SR's record with its PBDs and disks (the data is left
/// alone, as after SR.forget).
fn really_forget(tx: &mut Tx<'_>, r: &str) -> Result<(), ApiError> {
    let s = tx.get::<SrRecord>(r)?.clone();
    for p in &s.pbds {
        tx.destroy::<PbdRecord>(p.as_str())?;
    }
    for v in &s.vdis {
        tx.destroy::<VdiRecord>(v.as_str())?;
    }
    tx.destroy::<SrRecord>(r)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

impl SrServer for Sim {
    #[allow(clippy::too_many_arguments)]
    async fn create(
        &self,
        _ctx: &Ctx,
        host: HostRef,
        device_config: Map<Str, Str>,
        physical_size: i64,
        name_label: Str,
        name_description: Str,
        r#type: Str,
        content_type: Str,
        shared: bool,
        sm_config: Map<Str, Str>,
    ) -> Result<SrRef, ApiError> {
        let master = self.master();
        self.sim_store().write(|tx| {
            tx.get::<HostRecord>(host.as_str())?;
            let ty = ascii_lower(&r#type);
            assert_driver(tx.db(), &ty)?;
            let sr = tx.create(SrRecord {
                name_label,
                name_description,
                r#type: ty,
                content_type,
                shared,
                sm_config,
                physical_size: physical_size.max(0),
                ..Default::default()
            })?;
            let hosts: Vec<HostRef> = if shared {
                let mut all: Vec<HostRef> = tx.db().all::<HostRecord>().into_iter().map(|(h, _)| h).collect();
                all.sort_by_key(|h| *h != master);
                all
            } else {
                vec![host.clone()]
            };
            for h in hosts {
                tx.create(PbdRecord {
                    host: h,
                    sr: sr.clone(),
                    device_config: device_config.clone(),
                    currently_attached: true,
                    ..Default::default()
                })?;
            }
            refresh(tx, sr.as_str())?;
            Ok(sr)
        })
    }

    async fn introduce(
        &self,
        _ctx: &Ctx,
        uuid: Str,
        name_label: Str,
        name_description: Str,
        r#type: Str,
        content_type: Str,
        shared: bool,
        sm_config: Map<Str, Str>,
    ) -> Result<SrRef, ApiError> {
        self.sim_store().write(|tx| {
            if !uuid.is_empty() && tx.db().table::<SrRecord>().by_uuid(&uuid).is_some() {
                return Err(ApiError::SrUuidExists { uuid: uuid.to_string() });
            }
            let sr = tx.create(SrRecord {
                uuid,
                name_label,
                name_description,
                r#type: ascii_lower(&r#type),
                content_type,
                shared,
                sm_config,
                physical_size: -1,
                physical_utilisation: -1,
                ..Default::default()
            })?;
            refresh(tx, sr.as_str())?;
            Ok(sr)
        })
    }

    async fn forget(&self, _ctx: &Ctx, sr: SrRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            check(tx, sr.as_str(), Op::Forget)?;
            really_forget(tx, sr.as_str())
        })
    }

    async fn destroy(&self, _ctx: &Ctx, sr: SrRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            check(tx, sr.as_str(), Op::Destroy)?;
            really_forget(tx, sr.as_str())
        })
    }

    async fn set_name_label(&self, _ctx: &Ctx, sr: SrRef, value: Str) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            tx.update::<SrRecord, _>(sr.as_str(), |s| {
                s.name_label = value;
                Ok(())
            })
        })
    }

    async fn set_name_description(&self, _ctx: &Ctx, sr: SrRef, value: Str) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            tx.update::<SrRecord, _>(sr.as_str(), |s| {
                s.name_description = value;
                Ok(())
            })
        })
    }

    async fn get_supported_types(&self, _ctx: &Ctx) -> Result<Vec<Str>, ApiError> {
        Ok(supported(&self.sim_store().read()))
    }

    async fn scan(&self, _ctx: &Ctx, sr: SrRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            let s = check(tx, sr.as_str(), Op::Scan)?;
            if !s.pbds.iter().any(|p| tx.get::<PbdRecord>(p.as_str()).is_ok_and(|p| p.currently_attached)) {
                return Err(ApiError::SrHasNoPbds { sr: sr.to_string() });
            }
            // What the storage holds is what the records say: bring the
            // SR's usage back in line with its disks.
            let (mut used, mut allocated) = (0i64, 0i64);
            for v in &s.vdis {
                if let Ok(d) = tx.get::<VdiRecord>(v.as_str()) {
                    used = used.saturating_add(d.physical_utilisation.max(0));
                    allocated = allocated.saturating_add(d.virtual_size.max(0));
                }
            }
            if s.physical_utilisation == used && s.virtual_allocation == allocated {
                return tx.touch_object("SR", sr.as_str());
            }
            tx.modify::<SrRecord, _>(sr.as_str(), |x| {
                x.physical_utilisation = used;
                x.virtual_allocation = allocated;
                Ok(())
            })
        })
    }

    async fn probe(
        &self,
        _ctx: &Ctx,
        host: HostRef,
        device_config: Map<Str, Str>,
        r#type: Str,
        _sm_config: Map<Str, Str>,
    ) -> Result<Str, ApiError> {
        let db = self.sim_store().read();
        db.get::<HostRecord>(host.as_str())?;
        let ty = r#type.to_ascii_lowercase();
        assert_driver(&db, &ty)?;
        // The SRs of that type whose PBDs were made with this device
        // configuration.
        let mut out = String::from("<?xml version=\"1.0\" ?>\n<SRlist>\n");
        for (_, s) in db.all::<SrRecord>() {
            let matches = s.r#type == ty
                && s.pbds.iter().any(|p| {
                    db.get::<PbdRecord>(p.as_str())
                        .is_ok_and(|p| device_config.iter().all(|(k, v)| p.device_config.get(k) == Some(v)))
                });
            if matches {
                out.push_str(&format!(
                    "\t<SR>\n\t\t<size>{}</size>\n\t\t<name_label>{}</name_label>\n\t\t<name_description>{}</name_description>\n\t\t<UUID>{}</UUID>\n\t</SR>\n",
                    s.physical_size.max(0),
                    escape(&s.name_label),
                    escape(&s.name_description),
                    s.uuid
                ));
            }
        }
        out.push_str("</SRlist>\n");
        Ok(out.into())
    }
}
