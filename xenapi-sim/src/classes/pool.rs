//! Pool behaviour: membership (join, eject, a new master), the management
//! network, high availability, CA certificates, update repositories and
//! the license state.

use xenapi::{
    ApiError, CertificateRecord, CertificateType, HostRecord, HostRef, LatestSyncedUpdatesAppliedState, NetworkRef,
    PifRecord, PifRef, PoolGuestSecurebootReadiness, PoolRecord, PoolRef, PoolServer, RepositoryRecord, RepositoryRef,
    SrRecord, SrRef, VdiRecord, VdiType, VmPowerState as Power, VmRecord,
};
use xenapi_rt::types::{DateTime, Map, Str};

use super::host::{fingerprint, management_reconfigure, remove_host};
use super::placement::is_live;
use crate::sim::{Ctx, Sim};
use crate::store::Tx;
use crate::util::now;

/// The pool object and its record.
fn the_pool(tx: &Tx<'_>) -> Result<(PoolRef, PoolRecord), ApiError> {
    tx.db()
        .all::<PoolRecord>()
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::InternalError { message: "there is no pool object".into() })
}

fn no_ha(pool: &PoolRecord) -> Result<(), ApiError> {
    if pool.ha_enabled {
        Err(ApiError::HaIsEnabled)
    } else {
        Ok(())
    }
}

/// `pool.eject`: a member that runs nothing leaves the pool; its record
/// and what only it had go. The master cannot be ejected.
fn eject(tx: &mut Tx<'_>, host: &str) -> Result<(), ApiError> {
    let h = tx.get::<HostRecord>(host)?.clone();
    let (_, pool) = the_pool(tx)?;
    no_ha(&pool)?;
    if pool.master.as_str() == host {
        return Err(ApiError::OperationNotAllowed { reason: "the pool master cannot be ejected".into() });
    }
    for vm in &h.resident_vms {
        let v = tx.get::<VmRecord>(vm.as_str())?;
        if !v.is_control_domain && v.power_state != Power::Halted {
            return Err(ApiError::OperationNotAllowed { reason: "VM resident on host".into() });
        }
    }
    remove_host(tx, host, &h)
}

/// `pool.join` (and `join_force`), called on this pool's master: xapi's
/// prechecks for a joining host, whose first ones a pool of several hosts
/// or with shared storage fails; past them, the simulated host cannot
/// reach another pool's master.
fn join(tx: &Tx<'_>, master_address: &str, force: bool) -> Result<(), ApiError> {
    let hosts = tx.db().all::<HostRecord>();
    if hosts.iter().any(|(_, h)| h.address == master_address) {
        return Err(ApiError::OperationNotAllowed { reason: "a host cannot join the pool it is already in".into() });
    }
    if hosts.len() > 1 {
        return Err(ApiError::JoiningHostCannotBeMasterOfOtherHosts);
    }
    if !force
        && tx.db().all::<SrRecord>().iter().any(|(_, s)| s.shared && s.content_type != "iso" && !s.pbds.is_empty())
    {
        return Err(ApiError::JoiningHostCannotContainSharedSrs);
    }
    Err(ApiError::JoiningHostConnectionFailed)
}

/// `pool.designate_new_master`: a live member becomes the master.
fn designate_new_master(tx: &mut Tx<'_>, host: &str) -> Result<(), ApiError> {
    tx.get::<HostRecord>(host)?;
    let (pool, rec) = the_pool(tx)?;
    no_ha(&rec)?;
    if !is_live(tx, host) {
        return Err(ApiError::HostNotLive);
    }
    tx.update::<PoolRecord, _>(pool.as_str(), |p| {
        p.master = HostRef::new(host);
        Ok(())
    })
}

/// `pool.management_reconfigure`: every host moves its management
/// interface to its PIF on `network`.
fn pool_management_reconfigure(tx: &mut Tx<'_>, network: &str) -> Result<(), ApiError> {
    let net = tx.get::<xenapi::NetworkRecord>(network)?.clone();
    no_ha(&the_pool(tx)?.1)?;
    let mut chosen = Vec::new();
    for (host, _) in tx.db().all::<HostRecord>() {
        let pif = net.pifs.iter().find(|p| tx.get::<PifRecord>(p.as_str()).is_ok_and(|p| p.host == host));
        match pif {
            Some(p) => chosen.push(p.clone()),
            None => return Err(ApiError::PifNotPresent { host: host.to_string(), network: network.to_string() }),
        }
    }
    for pif in chosen {
        management_reconfigure(tx, pif.as_str())?;
    }
    Ok(())
}

/// `pool.enable_ha`: heartbeat SRs must be shared; each gets a state-file
/// VDI, which the pool and every host list.
fn enable_ha(tx: &mut Tx<'_>, srs: &[SrRef], configuration: Map<Str, Str>) -> Result<(), ApiError> {
    let (pool, rec) = the_pool(tx)?;
    no_ha(&rec)?;
    if srs.is_empty() {
        return Err(ApiError::InvalidValue { field: "heartbeat_srs".into(), value: String::new() });
    }
    let mut statefiles = Vec::new();
    for sr in srs {
        if !tx.get::<SrRecord>(sr.as_str())?.shared {
            return Err(ApiError::HaConstraintViolationSrNotShared { sr: sr.to_string() });
        }
    }
    for sr in srs {
        let vdi = tx.create(VdiRecord {
            name_label: "Statefile for HA".into(),
            sr: sr.clone(),
            virtual_size: 4 << 20,
            r#type: VdiType::HaStatefile,
            ..Default::default()
        })?;
        statefiles.push(Str::from(vdi.as_str()));
    }
    tx.update::<PoolRecord, _>(pool.as_str(), |p| {
        p.ha_enabled = true;
        p.ha_configuration = configuration;
        p.ha_statefiles = statefiles.clone();
        p.ha_host_failures_to_tolerate = 1;
        p.ha_cluster_stack = "xhad".into();
        Ok(())
    })?;
    for (host, _) in tx.db().all::<HostRecord>() {
        tx.update::<HostRecord, _>(host.as_str(), |h| {
            h.ha_statefiles = statefiles.clone();
            Ok(())
        })?;
    }
    Ok(())
}

/// `pool.disable_ha`: undoes `enable_ha`, state-file VDIs included.
fn disable_ha(tx: &mut Tx<'_>) -> Result<(), ApiError> {
    let (pool, rec) = the_pool(tx)?;
    if !rec.ha_enabled {
        return Err(ApiError::HaNotEnabled);
    }
    for vdi in &rec.ha_statefiles {
        if tx.get::<VdiRecord>(vdi).is_ok() {
            tx.destroy::<VdiRecord>(vdi)?;
        }
    }
    tx.update::<PoolRecord, _>(pool.as_str(), |p| {
        p.ha_enabled = false;
        p.ha_configuration.clear();
        p.ha_statefiles.clear();
        p.ha_host_failures_to_tolerate = 0;
        p.ha_plan_exists_for = 0;
        Ok(())
    })?;
    for (host, _) in tx.db().all::<HostRecord>() {
        tx.update::<HostRecord, _>(host.as_str(), |h| {
            h.ha_statefiles.clear();
            Ok(())
        })?;
    }
    Ok(())
}

/// A CA certificate name as xapi accepts it: a file name ending `.pem`.
fn cert_name_ok(name: &str) -> bool {
    name.len() > 4
        && name.ends_with(".pem")
        && !name.starts_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
}

/// The CA certificates installed in the pool: name to record ref.
fn ca_certificates(tx: &Tx<'_>) -> Vec<(Str, String)> {
    tx.db()
        .all::<CertificateRecord>()
        .into_iter()
        .filter(|(_, c)| c.r#type == CertificateType::Ca)
        .map(|(r, c)| (c.name, r.to_string()))
        .collect()
}

fn certificate_install(tx: &mut Tx<'_>, name: &str, cert: &str) -> Result<(), ApiError> {
    if !cert_name_ok(name) {
        return Err(ApiError::CertificateNameInvalid { name: name.to_string() });
    }
    if ca_certificates(tx).iter().any(|(n, _)| n == name) {
        return Err(ApiError::CertificateAlreadyExists { name: name.to_string() });
    }
    if !cert.contains("-----BEGIN CERTIFICATE-----") || !cert.contains("-----END CERTIFICATE-----") {
        return Err(ApiError::CertificateCorrupt { name: name.to_string() });
    }
    tx.create(CertificateRecord {
        name: name.into(),
        r#type: CertificateType::Ca,
        not_before: now(),
        not_after: DateTime::from_unix_nanos(crate::util::now_secs() + 10 * 365 * 86400, 0),
        fingerprint: fingerprint(cert),
        ..Default::default()
    })?;
    Ok(())
}

fn certificate_uninstall(tx: &mut Tx<'_>, name: &str) -> Result<(), ApiError> {
    match ca_certificates(tx).into_iter().find(|(n, _)| n == name) {
        Some((_, r)) => tx.destroy::<CertificateRecord>(&r),
        None => Err(ApiError::CertificateDoesNotExist { name: name.to_string() }),
    }
}

/// The repositories enabled on the pool, or NO_REPOSITORY_ENABLED.
fn enabled_repositories(pool: &PoolRecord) -> Result<Vec<RepositoryRef>, ApiError> {
    if pool.repositories.is_empty() {
        return Err(ApiError::NoRepositoryEnabled);
    }
    Ok(pool.repositories.clone())
}

/// `pool.sync_updates`: marks the repositories synchronised and returns
/// the checksum of the available updates (none, in the simulator).
fn sync_updates(tx: &mut Tx<'_>, pool: &str) -> Result<Str, ApiError> {
    let rec = tx.get::<PoolRecord>(pool)?.clone();
    let repos = enabled_repositories(&rec)?;
    let hash: Str = fingerprint(&repos.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(","))
        .replace(':', "")
        .to_lowercase()
        .into();
    for r in &repos {
        tx.update::<RepositoryRecord, _>(r.as_str(), |x| {
            x.hash = hash.clone();
            x.up_to_date = true;
            Ok(())
        })?;
    }
    tx.update::<PoolRecord, _>(pool, |p| {
        p.last_update_sync = now();
        Ok(())
    })?;
    Ok(hash)
}

/// `host.apply_updates`: the hash must be the one the last
/// `pool.sync_updates` returned; the host is then up to date. Returns the
/// warnings (none).
pub fn apply_updates(tx: &mut Tx<'_>, host: &str, hash: &str) -> Result<Vec<Vec<Str>>, ApiError> {
    tx.get::<HostRecord>(host)?;
    let (_, pool) = the_pool(tx)?;
    let repos = enabled_repositories(&pool)?;
    let synced = repos
        .iter()
        .filter_map(|r| tx.get::<RepositoryRecord>(r.as_str()).ok())
        .any(|r| r.hash == hash && !hash.is_empty());
    if !synced {
        return Err(ApiError::InvalidValue { field: "hash".into(), value: hash.to_string() });
    }
    tx.update::<HostRecord, _>(host, |h| {
        h.last_software_update = now();
        h.last_update_hash = hash.into();
        h.latest_synced_updates_applied = LatestSyncedUpdatesAppliedState::Yes;
        Ok(())
    })?;
    Ok(Vec::new())
}

impl PoolServer for Sim {
    async fn get_guest_secureboot_readiness(
        &self,
        _ctx: &Ctx,
        self_: PoolRef,
    ) -> Result<PoolGuestSecurebootReadiness, ApiError> {
        self.sim_store().write(|tx| {
            tx.get::<PoolRecord>(self_.as_str())?;
            Ok(super::secureboot::pool_readiness(tx))
        })
    }

    async fn enable_ssh(&self, _ctx: &Ctx, self_: PoolRef) -> Result<(), ApiError> {
        self.ssh_on_every_host(self_, super::ssh::enable, |hosts| ApiError::EnableSshPartiallyFailed { hosts })
    }

    async fn disable_ssh(&self, _ctx: &Ctx, self_: PoolRef) -> Result<(), ApiError> {
        self.ssh_on_every_host(self_, super::ssh::disable, |hosts| ApiError::DisableSshPartiallyFailed { hosts })
    }

    async fn create_vlan_from_pif(
        &self,
        _ctx: &Ctx,
        pif: PifRef,
        network: NetworkRef,
        vlan: i64,
    ) -> Result<Vec<PifRef>, ApiError> {
        self.sim_store().write(|tx| super::vlan::create_from_pif(tx, &pif, &network, vlan))
    }

    async fn eject(&self, _ctx: &Ctx, host: HostRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| eject(tx, host.as_str()))
    }

    async fn join(&self, _ctx: &Ctx, master_address: Str, _u: Str, _p: Str) -> Result<(), ApiError> {
        self.sim_store().write(|tx| join(tx, &master_address, false))
    }

    async fn join_force(&self, _ctx: &Ctx, master_address: Str, _u: Str, _p: Str) -> Result<(), ApiError> {
        self.sim_store().write(|tx| join(tx, &master_address, true))
    }

    async fn designate_new_master(&self, _ctx: &Ctx, host: HostRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| designate_new_master(tx, host.as_str()))
    }

    async fn management_reconfigure(&self, _ctx: &Ctx, network: NetworkRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| pool_management_reconfigure(tx, network.as_str()))
    }

    async fn enable_ha(
        &self,
        _ctx: &Ctx,
        heartbeat_srs: Vec<SrRef>,
        configuration: Map<Str, Str>,
    ) -> Result<(), ApiError> {
        self.sim_store().write(|tx| enable_ha(tx, &heartbeat_srs, configuration))
    }

    async fn disable_ha(&self, _ctx: &Ctx) -> Result<(), ApiError> {
        self.sim_store().write(disable_ha)
    }

    async fn certificate_install(&self, _ctx: &Ctx, name: Str, cert: Str) -> Result<(), ApiError> {
        self.sim_store().write(|tx| certificate_install(tx, &name, &cert))
    }

    async fn certificate_uninstall(&self, _ctx: &Ctx, name: Str) -> Result<(), ApiError> {
        self.sim_store().write(|tx| certificate_uninstall(tx, &name))
    }

    async fn certificate_list(&self, _ctx: &Ctx) -> Result<Vec<Str>, ApiError> {
        self.sim_store().write(|tx| {
            let mut names: Vec<Str> = ca_certificates(tx).into_iter().map(|(n, _)| n).collect();
            names.sort();
            Ok(names)
        })
    }

    async fn certificate_sync(&self, _ctx: &Ctx) -> Result<(), ApiError> {
        // Every host shares the one store, so the certificates are in
        // step already; the call still needs every host up.
        self.sim_store().write(|tx| {
            for (h, _) in tx.db().all::<HostRecord>() {
                if !is_live(tx, h.as_str()) {
                    return Err(ApiError::HostOffline { host: h.to_string() });
                }
            }
            Ok(())
        })
    }

    async fn get_license_state(&self, _ctx: &Ctx, self_: PoolRef) -> Result<Map<Str, Str>, ApiError> {
        let db = self.sim_store().read();
        db.get::<PoolRecord>(self_.as_str())?;
        let hosts = db.all::<HostRecord>();
        let edition = hosts.iter().map(|(_, h)| h.edition.clone()).min().unwrap_or_default();
        let expiry = hosts
            .iter()
            .filter_map(|(_, h)| h.license_params.get("expiry").cloned())
            .min()
            .unwrap_or_else(|| "never".into());
        Ok(Map::from([("edition".into(), edition), ("expiry".into(), expiry)]))
    }

    async fn add_repository(&self, _ctx: &Ctx, self_: PoolRef, value: RepositoryRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            tx.get::<RepositoryRecord>(value.as_str())?;
            let rec = tx.get::<PoolRecord>(self_.as_str())?;
            if rec.repositories.contains(&value) {
                return Ok(());
            }
            tx.update::<RepositoryRecord, _>(value.as_str(), |r| {
                r.hash.clear();
                Ok(())
            })?;
            tx.update::<PoolRecord, _>(self_.as_str(), |p| {
                p.repositories.push(value.clone());
                p.last_update_sync = DateTime::default();
                Ok(())
            })
        })
    }

    async fn remove_repository(&self, _ctx: &Ctx, self_: PoolRef, value: RepositoryRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            tx.get::<RepositoryRecord>(value.as_str())?;
            tx.update::<PoolRecord, _>(self_.as_str(), |p| {
                p.repositories.retain(|r| r != &value);
                if p.repositories.is_empty() {
                    p.last_update_sync = DateTime::default();
                }
                Ok(())
            })
        })
    }

    async fn sync_updates(
        &self,
        _ctx: &Ctx,
        self_: PoolRef,
        _force: bool,
        _token: Str,
        _token_id: Str,
        _username: Str,
        _password: Str,
    ) -> Result<Str, ApiError> {
        self.sim_store().write(|tx| sync_updates(tx, self_.as_str()))
    }
}

impl Sim {
    /// Runs an SSH change on every host of the pool; the hosts where it
    /// failed are named, joined, in the pool-wide error `partial` makes.
    fn ssh_on_every_host(
        &self,
        pool: PoolRef,
        change: fn(&mut crate::store::Tx<'_>, &str) -> Result<(), ApiError>,
        partial: fn(String) -> ApiError,
    ) -> Result<(), ApiError> {
        let failed = self.sim_store().write(|tx| {
            tx.get::<PoolRecord>(pool.as_str())?;
            super::ssh::on_every_host(tx, change)
        })?;
        if failed.is_empty() {
            Ok(())
        } else {
            Err(partial(failed.join(", ")))
        }
    }
}
