//! pool_update: updates introduced from a VDI, prechecked and applied
//! host by host or on the whole pool.

use xenapi::{
    ApiError, HostPatchRecord, HostRecord, HostRef, LivepatchStatus, PoolPatchRecord, PoolUpdateRecord, PoolUpdateRef,
    PoolUpdateServer, VdiRecord, VdiRef, VdiType,
};

use crate::sim::{Ctx, Sim};
use crate::store::Tx;
use crate::util::now;

/// UPDATE_ALREADY_APPLIED when the host has the update.
fn precheck(tx: &Tx<'_>, r: &str, host: &HostRef) -> Result<LivepatchStatus, ApiError> {
    tx.get::<HostRecord>(host.as_str())?;
    if tx.get::<PoolUpdateRecord>(r)?.hosts.contains(host) {
        return Err(ApiError::UpdateAlreadyApplied { update: r.to_string() });
    }
    Ok(LivepatchStatus::Ok)
}

/// Applies the update on one host: the host lists it, and the legacy
/// patch that stands for it gets a host_patch there.
pub(crate) fn apply(tx: &mut Tx<'_>, r: &str, host: &HostRef) -> Result<(), ApiError> {
    precheck(tx, r, host)?;
    tx.update::<PoolUpdateRecord, _>(r, |u| {
        u.hosts.push(host.clone());
        Ok(())
    })?;
    // Both ends: the store does not keep this many-to-many relation.
    tx.update::<HostRecord, _>(host.as_str(), |h| {
        h.updates.push(PoolUpdateRef::new(r));
        Ok(())
    })?;
    let u = tx.get::<PoolUpdateRecord>(r)?.clone();
    let patches: Vec<_> = tx.db().all::<PoolPatchRecord>().into_iter().filter(|(_, p)| p.pool_update.as_str() == r).collect();
    for (patch, p) in patches {
        tx.create(HostPatchRecord {
            name_label: u.name_label.clone(),
            name_description: u.name_description.clone(),
            version: u.version.clone(),
            host: host.clone(),
            applied: true,
            timestamp_applied: now(),
            size: p.size,
            pool_patch: patch,
            ..Default::default()
        })?;
    }
    Ok(())
}

/// The hosts that do not have the update yet.
pub(crate) fn unapplied(tx: &Tx<'_>, r: &str) -> Result<Vec<HostRef>, ApiError> {
    let have = tx.get::<PoolUpdateRecord>(r)?.hosts.clone();
    Ok(tx.db().all::<HostRecord>().into_iter().map(|(h, _)| h).filter(|h| !have.contains(h)).collect())
}

impl PoolUpdateServer for Sim {
    async fn introduce(&self, _ctx: &Ctx, vdi: VdiRef) -> Result<PoolUpdateRef, ApiError> {
        self.sim_store().write(|tx| {
            let v = tx.get::<VdiRecord>(vdi.as_str())?.clone();
            if v.r#type == VdiType::CbtMetadata {
                return Err(ApiError::VdiIncompatibleType { vdi: vdi.to_string(), r#type: "cbt_metadata".into() });
            }
            if let Some((r, _)) = tx.db().all::<PoolUpdateRecord>().into_iter().find(|(_, u)| u.vdi == vdi) {
                return Ok(r);
            }
            // The update's metadata comes from the disk's record (the
            // simulator does not read ISO images).
            tx.create(PoolUpdateRecord {
                name_label: v.name_label.clone(),
                name_description: v.name_description.clone(),
                version: v.other_config.get("version").cloned().unwrap_or_default(),
                installation_size: v.virtual_size,
                key: v.other_config.get("key").cloned().unwrap_or_default(),
                vdi: vdi.clone(),
                ..Default::default()
            })
        })
    }

    async fn precheck(&self, _ctx: &Ctx, self_: PoolUpdateRef, host: HostRef) -> Result<LivepatchStatus, ApiError> {
        let db = self.sim_store().read();
        db.get::<PoolUpdateRecord>(self_.as_str())?;
        db.get::<HostRecord>(host.as_str())?;
        if db.get::<PoolUpdateRecord>(self_.as_str())?.hosts.contains(&host) {
            return Err(ApiError::UpdateAlreadyApplied { update: self_.to_string() });
        }
        Ok(LivepatchStatus::Ok)
    }

    async fn apply(&self, _ctx: &Ctx, self_: PoolUpdateRef, host: HostRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| apply(tx, self_.as_str(), &host))
    }

    async fn pool_apply(&self, _ctx: &Ctx, self_: PoolUpdateRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            let hosts = unapplied(tx, self_.as_str())?;
            if hosts.is_empty() {
                return Err(ApiError::UpdateAlreadyAppliedInPool { update: self_.to_string() });
            }
            for h in &hosts {
                apply(tx, self_.as_str(), h)?;
            }
            Ok(())
        })
    }
}
