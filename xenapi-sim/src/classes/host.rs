//! Host behaviour: enable/disable, evacuation (with xapi's plan and its
//! per-VM errors), shutdown/reboot/power-on, removal, management
//! interface, plugins, certificates, scheduler granularity, updates.

use xenapi::server::Store;
use xenapi::{
    ApiError, CertificateRecord, CertificateType, HostAllowedOperations as HostOp, HostCpuRecord, HostMetricsRecord,
    HostRecord, HostRef, HostSchedGran, HostServer, NetworkRef, PbdRecord, PifRecord, PifRef, PoolRecord, VmOperations,
    VmPowerState as Power, VmRecord, VmRef,
};
use xenapi_rt::types::containers::format_compact;
use xenapi_rt::types::{DateTime, Map, Str};

use super::placement::{check_host, free_memory, is_live, needed};
use crate::behaviour::check_vm_op;
use crate::sim::{Ctx, Sim};
use crate::store::Tx;
use crate::util::{error_info, now};

/// What a host allows, from whether it is up and enabled.
pub fn allowed_operations(h: &HostRecord, live: bool) -> Vec<HostOp> {
    if !live {
        return vec![HostOp::PowerOn];
    }
    let mut ops = vec![HostOp::Evacuate, HostOp::Shutdown, HostOp::Reboot, HostOp::ApplyUpdates];
    if h.enabled {
        ops.extend([HostOp::Provision, HostOp::VmStart, HostOp::VmResume, HostOp::VmMigrate]);
    } else {
        ops.push(HostOp::Enable);
    }
    ops
}

/// Sets `allowed_operations` of a host after a change of state.
pub fn refresh_ops(tx: &mut Tx<'_>, host: &str) -> Result<(), ApiError> {
    let live = is_live(tx, host);
    tx.modify::<HostRecord, _>(host, |h| {
        h.allowed_operations = allowed_operations(h, live);
        Ok(())
    })
}

/// The guests (not control domains) running or paused on a host.
fn guests_on(tx: &Tx<'_>, host: &str) -> Result<Vec<(VmRef, VmRecord)>, ApiError> {
    let h = tx.get::<HostRecord>(host)?;
    Ok(h.resident_vms
        .iter()
        .filter_map(|r| tx.get::<VmRecord>(r.as_str()).ok().map(|v| (r.clone(), v.clone())))
        .filter(|(_, v)| !v.is_control_domain)
        .collect())
}

/// Each VM of a host with where it would go, or why it cannot.
pub type EvacuationPlan = Vec<(VmRef, Result<HostRef, ApiError>)>;

/// Where each VM of a host would go if it were evacuated: a host, or the
/// error (code and parameters) that keeps the VM there. Follows xapi:
/// other enabled hosts only, every target must be able to run the VM,
/// then a memory bin-packing (largest VM first, to the emptiest host).
pub fn evacuation_plan(tx: &Tx<'_>, host: &str) -> Result<EvacuationPlan, ApiError> {
    let vms = guests_on(tx, host)?;
    let targets: Vec<HostRef> = tx
        .db()
        .all::<HostRecord>()
        .into_iter()
        .filter(|(r, h)| r.as_str() != host && h.enabled && is_live(tx, r.as_str()))
        .map(|(r, _)| r)
        .collect();
    let mut plan: EvacuationPlan = Vec::new();
    let mut movable = Vec::new();
    for (r, v) in vms {
        if targets.is_empty() {
            plan.push((
                r.clone(),
                Err(ApiError::Unknown { code: "NO_HOSTS_AVAILABLE".into(), params: vec![r.to_string()] }),
            ));
            continue;
        }
        let blocked = check_vm_op(r.as_str(), &v, &VmOperations::PoolMigrate)
            .and_then(|()| targets.iter().try_for_each(|t| check_host(tx, r.as_str(), &v, t.as_str(), false)));
        match blocked {
            Err(e) => plan.push((r, Err(e))),
            Ok(()) => movable.push((r, v)),
        }
    }
    movable.sort_by_key(|(_, v)| std::cmp::Reverse(needed(v)));
    let mut free: Vec<(HostRef, i64)> =
        targets.iter().map(|t| free_memory(tx, t.as_str(), None).map(|f| (t.clone(), f))).collect::<Result<_, _>>()?;
    for (r, v) in movable {
        free.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        match free.first_mut() {
            Some((t, f)) if *f >= needed(&v) => {
                *f -= needed(&v);
                plan.push((r, Ok(t.clone())));
            }
            _ => {
                let e = ApiError::Unknown { code: "HOST_NOT_ENOUGH_FREE_MEMORY".into(), params: vec![r.to_string()] };
                plan.push((r, Err(e)));
            }
        }
    }
    Ok(plan)
}

/// xapi's shutdown/reboot precheck: the host is disabled and runs no
/// guest.
fn assert_bacon_mode(tx: &Tx<'_>, host: &str) -> Result<(), ApiError> {
    if tx.get::<HostRecord>(host)?.enabled {
        return Err(ApiError::HostNotDisabled);
    }
    if let Some((vm, _)) = guests_on(tx, host)?.into_iter().find(|(_, v)| v.power_state == Power::Running) {
        return Err(ApiError::HostInUse { host: host.to_string(), r#type: "vm".into(), r#ref: vm.to_string() });
    }
    Ok(())
}

/// Marks a host up or down in its metrics (and its control domain).
fn set_live(tx: &mut Tx<'_>, host: &str, live: bool) -> Result<(), ApiError> {
    let h = tx.get::<HostRecord>(host)?.clone();
    if tx.get::<HostMetricsRecord>(h.metrics.as_str()).is_ok() {
        tx.modify::<HostMetricsRecord, _>(h.metrics.as_str(), |m| {
            m.live = live;
            m.last_updated = now();
            Ok(())
        })?;
    }
    if !h.control_domain.is_null() && tx.get::<VmRecord>(h.control_domain.as_str()).is_ok() {
        tx.update::<VmRecord, _>(h.control_domain.as_str(), |v| {
            v.power_state = if live { Power::Running } else { Power::Halted };
            Ok(())
        })?;
    }
    refresh_ops(tx, host)
}

fn set_enabled(tx: &mut Tx<'_>, host: &str, enabled: bool) -> Result<(), ApiError> {
    tx.update::<HostRecord, _>(host, |h| {
        h.enabled = enabled;
        Ok(())
    })?;
    refresh_ops(tx, host)
}

/// `host.destroy`: a host that is down and runs nothing goes, with the
/// objects that only exist on it.
pub fn destroy_host(tx: &mut Tx<'_>, host: &str) -> Result<(), ApiError> {
    let h = tx.get::<HostRecord>(host)?.clone();
    let pool = tx.db().all::<PoolRecord>().into_iter().next().map(|(_, p)| p).unwrap_or_default();
    if is_live(tx, host) || pool.master.as_str() == host {
        return Err(ApiError::HostIsLive { host: host.to_string() });
    }
    if pool.ha_enabled {
        return Err(ApiError::HaIsEnabled);
    }
    if !guests_on(tx, host)?.is_empty() {
        return Err(ApiError::HostHasResidentVms { host: host.to_string() });
    }
    remove_host(tx, host, &h)
}

/// Removes a host and what belongs to it: PBDs, PIFs, CPUs, metrics, its
/// control domain, certificates, and SRs only it had plugged.
pub fn remove_host(tx: &mut Tx<'_>, host: &str, h: &HostRecord) -> Result<(), ApiError> {
    for pbd in &h.pbds {
        let sr = tx.get::<PbdRecord>(pbd.as_str())?.sr.clone();
        tx.destroy::<PbdRecord>(pbd.as_str())?;
        let orphan = tx.get::<xenapi::SrRecord>(sr.as_str()).is_ok_and(|s| s.pbds.is_empty() && !s.shared);
        if orphan {
            let vdis = tx.get::<xenapi::SrRecord>(sr.as_str())?.vdis.clone();
            for vdi in vdis {
                let vbds = tx.get::<xenapi::VdiRecord>(vdi.as_str())?.vbds.clone();
                for vbd in vbds {
                    tx.destroy::<xenapi::VbdRecord>(vbd.as_str())?;
                }
                tx.destroy::<xenapi::VdiRecord>(vdi.as_str())?;
            }
            tx.destroy::<xenapi::SrRecord>(sr.as_str())?;
        }
    }
    for pif in &h.pifs {
        tx.destroy::<PifRecord>(pif.as_str())?;
    }
    for cpu in &h.host_cpus {
        tx.destroy::<HostCpuRecord>(cpu.as_str())?;
    }
    for cert in &h.certificates {
        let _ = tx.destroy::<CertificateRecord>(cert.as_str());
    }
    let dom0s: Vec<VmRef> = h
        .resident_vms
        .iter()
        .filter(|v| tx.get::<VmRecord>(v.as_str()).is_ok_and(|v| v.is_control_domain))
        .cloned()
        .chain((!h.control_domain.is_null()).then(|| h.control_domain.clone()))
        .collect();
    tx.destroy::<HostRecord>(host)?;
    for vm in dom0s {
        if tx.get::<VmRecord>(vm.as_str()).is_ok() {
            let m = tx.get::<VmRecord>(vm.as_str())?.metrics.clone();
            tx.destroy::<VmRecord>(vm.as_str())?;
            let _ = tx.destroy::<xenapi::VmMetricsRecord>(m.as_str());
        }
    }
    if tx.get::<HostMetricsRecord>(h.metrics.as_str()).is_ok() {
        tx.destroy::<HostMetricsRecord>(h.metrics.as_str())?;
    }
    Ok(())
}

/// Makes `pif` the management interface of its host: it needs an IP
/// configuration; the host's address follows.
pub fn management_reconfigure(tx: &mut Tx<'_>, pif: &str) -> Result<(), ApiError> {
    let p = tx.get::<PifRecord>(pif)?.clone();
    if p.ip.is_empty() && p.ipv6.is_empty() {
        return Err(ApiError::PifHasNoNetworkConfiguration { pif: pif.to_string() });
    }
    let others: Vec<PifRef> = tx.get::<HostRecord>(p.host.as_str())?.pifs.clone();
    for other in others {
        if other.as_str() != pif && tx.get::<PifRecord>(other.as_str())?.management {
            tx.update::<PifRecord, _>(other.as_str(), |o| {
                o.management = false;
                Ok(())
            })?;
        }
    }
    tx.update::<PifRecord, _>(pif, |o| {
        o.management = true;
        o.currently_attached = true;
        Ok(())
    })?;
    let address = if p.ip.is_empty() { p.ipv6.first().cloned().unwrap_or_default() } else { p.ip.clone() };
    tx.update::<HostRecord, _>(p.host.as_str(), |h| {
        h.address = address;
        Ok(())
    })
}

/// A certificate in PEM form, as far as the simulator checks: the
/// markers around base64 text.
fn pem_ok(text: &str, kind: &str) -> bool {
    let begin = format!("-----BEGIN {kind}-----");
    let end = format!("-----END {kind}-----");
    match (text.find(&begin), text.find(&end)) {
        (Some(b), Some(e)) if b < e => {
            let body = &text[b + begin.len()..e];
            !body.trim().is_empty() && body.chars().all(|c| c.is_ascii_alphanumeric() || "+/=\r\n ".contains(c))
        }
        _ => false,
    }
}

/// The PEM text of installed server certificates, by certificate
/// fingerprint (certificate records carry no body).
fn cert_bodies() -> &'static std::sync::Mutex<Map<Str, Str>> {
    static BODIES: std::sync::OnceLock<std::sync::Mutex<Map<Str, Str>>> = std::sync::OnceLock::new();
    BODIES.get_or_init(Default::default)
}

/// A stable fingerprint for simulated certificates: hex of a 64-bit FNV-1a
/// hash, repeated to SHA-256 length.
pub fn fingerprint(text: &str) -> Str {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in text.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x100000001b3);
    }
    let hex = format!("{h:016X}");
    let all = hex.repeat(4);
    all.as_bytes().chunks(2).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(":").into()
}

/// The scheduler granularity a host boots with, kept in its
/// `other_config` (xapi keeps it on Xen's command line).
const SCHED_GRAN_KEY: &str = "xen-cmdline:sched-gran";

/// Plugins the simulated hosts have: plugin, its functions.
const PLUGINS: &[(&str, &[&str])] =
    &[("echo", &["main"]), ("updater.py", &["check_update"]), ("power-on-host", &["main"])];

fn call_plugin(plugin: &str, f: &str, args: &Map<Str, Str>) -> Result<Str, ApiError> {
    let Some((_, fns)) = PLUGINS.iter().find(|(p, _)| *p == plugin) else {
        return Err(ApiError::XenapiMissingPlugin { name: plugin.to_string() });
    };
    if !fns.contains(&f) {
        return Err(ApiError::XenapiPluginFailure {
            status: "Unknown method".into(),
            stdout: String::new(),
            stderr: format!("plugin {plugin} has no function {f}"),
        });
    }
    Ok(match plugin {
        "echo" => {
            let mut pairs: Vec<_> = args.iter().collect();
            pairs.sort();
            pairs.into_iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("\n").into()
        }
        "updater.py" => "[]".into(),
        _ => "True".into(),
    })
}

impl HostServer for Sim {
    async fn disable(&self, _ctx: &Ctx, host: HostRef, _auto_enable: bool) -> Result<(), ApiError> {
        self.sim_store().write(|tx| set_enabled(tx, host.as_str(), false))
    }

    async fn enable(&self, _ctx: &Ctx, host: HostRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            if !is_live(tx, host.as_str()) {
                return Err(ApiError::HostNotLive);
            }
            set_enabled(tx, host.as_str(), true)
        })
    }

    async fn get_vms_which_prevent_evacuation(
        &self,
        _ctx: &Ctx,
        self_: HostRef,
    ) -> Result<Map<VmRef, Vec<Str>>, ApiError> {
        self.sim_store().write(|tx| {
            let plan = evacuation_plan(tx, self_.as_str())?;
            Ok(plan.into_iter().filter_map(|(vm, p)| p.err().map(|e| (vm, error_info(&e)))).collect())
        })
    }

    async fn assert_can_evacuate(&self, _ctx: &Ctx, host: HostRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            let errors: Vec<String> = evacuation_plan(tx, host.as_str())?
                .into_iter()
                .filter_map(|(_, p)| p.err().map(|e| e.to_description().join(",")))
                .collect();
            if errors.is_empty() {
                Ok(())
            } else {
                Err(ApiError::CannotEvacuateHost { errors: errors.join("|") })
            }
        })
    }

    async fn evacuate(
        &self,
        _ctx: &Ctx,
        host: HostRef,
        network: NetworkRef,
        _evacuate_batch_size: i64,
    ) -> Result<(), ApiError> {
        if !network.is_null() {
            self.sim_store().get::<xenapi::NetworkRecord>(&network)?;
        }
        self.sim_store().write(|tx| {
            let plan = evacuation_plan(tx, host.as_str())?;
            let mut moves = Vec::new();
            for (vm, p) in plan {
                match p {
                    Ok(to) => moves.push((vm, to)),
                    Err(e) => return Err(e),
                }
            }
            for (vm, to) in moves {
                super::migrate::pool_migrate(tx, vm.as_str(), to.as_str(), 0)?;
            }
            Ok(())
        })
    }

    async fn shutdown(&self, _ctx: &Ctx, host: HostRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            assert_bacon_mode(tx, host.as_str())?;
            set_live(tx, host.as_str(), false)
        })
    }

    async fn reboot(&self, _ctx: &Ctx, host: HostRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| assert_bacon_mode(tx, host.as_str()))?;
        // Down, then up again and enabled, as a host that boots re-enables
        // itself.
        self.sim_store().write(|tx| set_live(tx, host.as_str(), false))?;
        self.sim_store().write(|tx| {
            set_live(tx, host.as_str(), true)?;
            super::pci::apply_at_boot(tx, host.as_str())?;
            set_enabled(tx, host.as_str(), true)
        })
    }

    async fn enable_ssh(&self, _ctx: &Ctx, self_: HostRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| super::ssh::enable(tx, self_.as_str()))
    }

    async fn disable_ssh(&self, _ctx: &Ctx, self_: HostRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| super::ssh::disable(tx, self_.as_str()))
    }

    async fn power_on(&self, _ctx: &Ctx, host: HostRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            let h = tx.get::<HostRecord>(host.as_str())?;
            if h.power_on_mode.is_empty() {
                return Err(ApiError::HostPowerOnModeDisabled);
            }
            if is_live(tx, host.as_str()) {
                return Ok(());
            }
            set_live(tx, host.as_str(), true)?;
            set_enabled(tx, host.as_str(), true)
        })
    }

    async fn destroy(&self, _ctx: &Ctx, self_: HostRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| destroy_host(tx, self_.as_str()))
    }

    async fn restart_agent(&self, _ctx: &Ctx, host: HostRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            if !is_live(tx, host.as_str()) {
                return Err(ApiError::HostNotLive);
            }
            tx.touch_object("host", host.as_str())
        })
    }

    async fn syslog_reconfigure(&self, _ctx: &Ctx, host: HostRef) -> Result<(), ApiError> {
        let h = self.sim_store().get::<HostRecord>(&host)?;
        match h.logging.get("syslog_destination") {
            Some(d) if d.trim().is_empty() || d.chars().any(char::is_whitespace) => {
                Err(ApiError::InvalidValue { field: "syslog_destination".into(), value: d.to_string() })
            }
            _ => Ok(()),
        }
    }

    async fn get_servertime(&self, _ctx: &Ctx, host: HostRef) -> Result<DateTime, ApiError> {
        self.sim_store().get::<HostRecord>(&host)?;
        Ok(now())
    }

    async fn call_plugin(
        &self,
        _ctx: &Ctx,
        host: HostRef,
        plugin: Str,
        r#fn: Str,
        args: Map<Str, Str>,
    ) -> Result<Str, ApiError> {
        self.sim_store().get::<HostRecord>(&host)?;
        call_plugin(&plugin, &r#fn, &args)
    }

    async fn get_sched_gran(&self, _ctx: &Ctx, self_: HostRef) -> Result<HostSchedGran, ApiError> {
        let h = self.sim_store().get::<HostRecord>(&self_)?;
        Ok(h.other_config
            .get(SCHED_GRAN_KEY)
            .and_then(|g| HostSchedGran::ALL.iter().find(|x| x.to_string() == *g).cloned())
            .unwrap_or(HostSchedGran::Cpu))
    }

    async fn set_sched_gran(&self, _ctx: &Ctx, self_: HostRef, value: HostSchedGran) -> Result<(), ApiError> {
        if matches!(value, HostSchedGran::Unknown(_)) {
            return Err(ApiError::InvalidValue { field: "sched_gran".into(), value: value.to_string() });
        }
        self.sim_store().write(|tx| {
            tx.update::<HostRecord, _>(self_.as_str(), |h| {
                h.other_config.insert(SCHED_GRAN_KEY.into(), value.to_string().into());
                Ok(())
            })
        })
    }

    async fn management_reconfigure(&self, _ctx: &Ctx, pif: PifRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            if tx.db().all::<PoolRecord>().first().is_some_and(|(_, p)| p.ha_enabled) {
                return Err(ApiError::HaIsEnabled);
            }
            management_reconfigure(tx, pif.as_str())
        })
    }

    async fn migrate_receive(
        &self,
        ctx: &Ctx,
        host: HostRef,
        network: NetworkRef,
        _options: Map<Str, Str>,
    ) -> Result<Map<Str, Str>, ApiError> {
        let db = self.sim_store().read();
        let h = db.get::<HostRecord>(host.as_str())?;
        let _ = db.get::<xenapi::NetworkRecord>(network.as_str())?;
        let address = &h.address;
        Ok(Map::from([
            ("host".into(), host.as_str().into()),
            ("session_id".into(), ctx.session.r.as_str().into()),
            ("master".into(), format_compact!("http://{address}/")),
            ("xenops".into(), format_compact!("http://{address}/services/xenops?session_id={}", ctx.session.r)),
            ("SM".into(), format_compact!("http://{address}/services/SM?session_id={}", ctx.session.r)),
        ]))
    }

    async fn get_server_certificate(&self, _ctx: &Ctx, host: HostRef) -> Result<Str, ApiError> {
        let db = self.sim_store().read();
        let h = db.get::<HostRecord>(host.as_str())?;
        let installed = h
            .certificates
            .iter()
            .filter_map(|c| db.get::<CertificateRecord>(c.as_str()).ok())
            .find(|c| c.r#type == CertificateType::Host)
            .and_then(|c| cert_bodies().lock().unwrap_or_else(|e| e.into_inner()).get(&c.fingerprint).cloned());
        Ok(installed.unwrap_or_else(|| {
            let body: String = h.uuid.bytes().map(|b| format!("{b:02x}")).collect();
            format_compact!("-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n")
        }))
    }

    async fn install_server_certificate(
        &self,
        _ctx: &Ctx,
        host: HostRef,
        certificate: Str,
        private_key: Str,
        certificate_chain: Str,
    ) -> Result<(), ApiError> {
        self.sim_store().get::<HostRecord>(&host)?;
        if !(pem_ok(&private_key, "PRIVATE KEY") || pem_ok(&private_key, "RSA PRIVATE KEY")) {
            return Err(ApiError::ServerCertificateKeyInvalid);
        }
        if !pem_ok(&certificate, "CERTIFICATE") {
            return Err(ApiError::ServerCertificateInvalid);
        }
        if !certificate_chain.trim().is_empty() && !pem_ok(&certificate_chain, "CERTIFICATE") {
            return Err(ApiError::ServerCertificateChainInvalid);
        }
        let fp = fingerprint(&certificate);
        cert_bodies().lock().unwrap_or_else(|e| e.into_inner()).insert(fp.clone(), certificate);
        self.sim_store().write(|tx| {
            let old: Vec<_> = tx.get::<HostRecord>(host.as_str())?.certificates.clone();
            for c in old {
                if tx.get::<CertificateRecord>(c.as_str()).is_ok_and(|c| c.r#type == CertificateType::Host) {
                    tx.destroy::<CertificateRecord>(c.as_str())?;
                }
            }
            let start = now();
            let year = DateTime::from_unix_nanos(crate::util::now_secs() + 365 * 86400, 0);
            tx.create(CertificateRecord {
                name: Str::default(),
                r#type: CertificateType::Host,
                host: host.clone(),
                not_before: start,
                not_after: year,
                fingerprint: fp,
                ..Default::default()
            })?;
            Ok(())
        })
    }

    async fn apply_updates(&self, _ctx: &Ctx, self_: HostRef, hash: Str) -> Result<Vec<Vec<Str>>, ApiError> {
        self.sim_store().write(|tx| super::pool::apply_updates(tx, self_.as_str(), &hash))
    }
}
