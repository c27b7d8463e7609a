//! pool_update: updates introduced from a VDI, prechecked and applied
//! host by host or on the whole pool.

use xenapi::{
    ApiError, HostPatchRecord, HostRecord, HostRef, LivepatchStatus, PoolPatchRecord, PoolRecord, PoolUpdateRecord,
    PoolUpdateRef, PoolUpdateServer, VbdMode, VbdRecord, VbdRef, VbdType, VdiRecord, VdiRef, VdiType, VmRecord,
};
use xenapi_rt::types::Str;

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
    let patches: Vec<_> =
        tx.db().all::<PoolPatchRecord>().into_iter().filter(|(_, p)| p.pool_update.as_str() == r).collect();
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

/// The update's disk, or CANNOT_FIND_UPDATE when it has none any more.
fn update_vdi(tx: &Tx<'_>, r: &str) -> Result<VdiRef, ApiError> {
    let vdi = tx.get::<PoolUpdateRecord>(r)?.vdi.clone();
    if vdi.is_null() || tx.get::<VdiRecord>(vdi.as_str()).is_err() {
        return Err(ApiError::CannotFindUpdate);
    }
    Ok(vdi)
}

/// The control domain's VBDs of the update's disk.
fn dom0_vbds(tx: &Tx<'_>, vdi: &VdiRef) -> Vec<VbdRef> {
    tx.db()
        .all::<VbdRecord>()
        .into_iter()
        .filter(|(_, b)| &b.vdi == vdi && tx.get::<VmRecord>(b.vm.as_str()).is_ok_and(|vm| vm.is_control_domain))
        .map(|(r, _)| r)
        .collect()
}

/// pool_update.attach: the update's disk goes into the coordinator's
/// control domain (once, however often it is attached: the simulator does
/// not count attaches) and the answer is a yum configuration that points
/// at it over HTTP, as xapi writes it.
fn attach(tx: &mut Tx<'_>, r: &str, use_localhost_proxy: bool) -> Result<Str, ApiError> {
    let vdi = update_vdi(tx, r)?;
    let pool = tx
        .db()
        .all::<PoolRecord>()
        .into_iter()
        .next()
        .map(|(_, p)| p)
        .ok_or_else(|| ApiError::InternalError { message: "there is no pool".into() })?;
    let master = tx.get::<HostRecord>(pool.master.as_str())?.clone();
    if dom0_vbds(tx, &vdi).is_empty() {
        tx.create(VbdRecord {
            vm: master.control_domain.clone(),
            vdi: vdi.clone(),
            userdevice: "autodetect".into(),
            mode: VbdMode::Ro,
            r#type: VbdType::Disk,
            unpluggable: true,
            currently_attached: true,
            ..Default::default()
        })?;
    }
    let u = tx.get::<PoolUpdateRecord>(r)?;
    let ip = if use_localhost_proxy { "127.0.0.1" } else { master.address.as_str() };
    let url = format!("http://{ip}/update/{}/{}/vdi", master.uuid, u.uuid);
    let signed = u8::from(!u.key.is_empty());
    let mut lines = vec![
        "[main]".to_string(),
        "keepcache=0".into(),
        "reposdir=/dev/null".into(),
        format!("gpgcheck={signed}"),
        format!("repo_gpgcheck={signed}"),
        "installonlypkgs=".into(),
        "group_command=compat".into(),
        String::new(),
        format!("[{}]", u.name_label),
        format!("name={}", u.name_label),
        format!("baseurl={url}"),
    ];
    lines.push(if u.key.is_empty() { String::new() } else { format!("gpgkey=file:///etc/pki/rpm-gpg/{}", u.key) });
    lines.push(String::new());
    Ok(lines.join("\n").into())
}

impl PoolUpdateServer for Sim {
    async fn attach(&self, _ctx: &Ctx, self_: PoolUpdateRef, use_localhost_proxy: bool) -> Result<Str, ApiError> {
        self.sim_store().write(|tx| attach(tx, self_.as_str(), use_localhost_proxy))
    }

    /// Takes the update's disk out of the control domain.
    async fn detach(&self, _ctx: &Ctx, self_: PoolUpdateRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            let vdi = update_vdi(tx, self_.as_str())?;
            for vbd in dom0_vbds(tx, &vdi) {
                tx.destroy::<VbdRecord>(vbd.as_str())?;
            }
            Ok(())
        })
    }

    /// Brings the host's list of updates in line with the updates that
    /// list it (the simulator has no record on the host to read).
    async fn resync_host(&self, _ctx: &Ctx, host: HostRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            tx.get::<HostRecord>(host.as_str())?;
            let applied: Vec<PoolUpdateRef> = tx
                .db()
                .all::<PoolUpdateRecord>()
                .into_iter()
                .filter(|(_, u)| u.hosts.contains(&host))
                .map(|(r, _)| r)
                .collect();
            if tx.get::<HostRecord>(host.as_str())?.updates != applied {
                tx.update::<HostRecord, _>(host.as_str(), |h| {
                    h.updates = applied;
                    Ok(())
                })?;
            }
            Ok(())
        })
    }

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
