//! Where a VM may run: the checks xapi makes before a VM starts on, resumes
//! on or moves to a host (`VM.assert_can_boot_here` and friends), the
//! memory a host has left, and the choice of a host for `VM.start`.

use xenapi::{
    ApiError, HostMetricsRecord, HostRecord, HostRef, NetworkRecord, PbdRecord, PifRecord, SrRecord, SrRef, VbdRecord,
    VdiRecord, VifRecord, VmPowerState as Power, VmRecord,
};

use crate::store::Tx;

/// The memory a running VM holds on its host: what it was given
/// (`memory_target`, else its dynamic maximum) plus its overhead.
pub fn footprint(vm: &VmRecord) -> i64 {
    let given = if vm.memory_target > 0 { vm.memory_target } else { vm.memory_dynamic_max };
    given.max(0) + vm.memory_overhead.max(0)
}

/// The memory a VM needs to start: its dynamic maximum plus overhead.
pub fn needed(vm: &VmRecord) -> i64 {
    vm.memory_dynamic_max.max(0) + vm.memory_overhead.max(0)
}

/// What a host has free: its total less its own overhead and the
/// footprint of every VM resident on it (`except` left out, for a VM that
/// is moving within the host).
pub fn free_memory(tx: &Tx<'_>, host: &str, except: Option<&str>) -> Result<i64, ApiError> {
    let h = tx.get::<HostRecord>(host)?;
    let total = tx.get::<HostMetricsRecord>(h.metrics.as_str()).map(|m| m.memory_total).unwrap_or(0);
    let mut used = h.memory_overhead.max(0);
    for vm in &h.resident_vms {
        if Some(vm.as_str()) == except {
            continue;
        }
        if let Ok(v) = tx.get::<VmRecord>(vm.as_str()) {
            if matches!(v.power_state, Power::Running | Power::Paused) {
                used += footprint(v);
            }
        }
    }
    Ok((total - used).max(0))
}

/// Recomputes `host_metrics.memory_free` of a host after VMs came or went.
pub fn refresh_memory(tx: &mut Tx<'_>, host: &str) -> Result<(), ApiError> {
    if host.is_empty() || tx.get::<HostRecord>(host).is_err() {
        return Ok(());
    }
    let free = free_memory(tx, host, None)?;
    let metrics = tx.get::<HostRecord>(host)?.metrics.clone();
    if tx.get::<HostMetricsRecord>(metrics.as_str()).is_ok() {
        tx.modify::<HostMetricsRecord, _>(metrics.as_str(), |m| {
            m.memory_free = free;
            m.last_updated = crate::util::now();
            Ok(())
        })?;
    }
    Ok(())
}

/// Whether a host is up (its metrics say `live`).
pub fn is_live(tx: &Tx<'_>, host: &str) -> bool {
    tx.get::<HostRecord>(host)
        .ok()
        .and_then(|h| tx.get::<HostMetricsRecord>(h.metrics.as_str()).ok())
        .is_some_and(|m| m.live)
}

/// Whether `host` has `sr` plugged (a PBD of the SR on it, attached).
pub fn host_sees_sr(tx: &Tx<'_>, host: &str, sr: &str) -> bool {
    tx.get::<SrRecord>(sr).is_ok_and(|s| {
        s.pbds
            .iter()
            .any(|p| tx.get::<PbdRecord>(p.as_str()).is_ok_and(|p| p.host.as_str() == host && p.currently_attached))
    })
}

/// Whether `host` can reach `network`: a PIF of the network on the host,
/// or a network with no PIF at all (internal to every host).
pub fn host_sees_network(tx: &Tx<'_>, host: &str, network: &str) -> bool {
    tx.get::<NetworkRecord>(network).is_ok_and(|n| {
        n.pifs.is_empty()
            || n.pifs.iter().any(|p| tx.get::<PifRecord>(p.as_str()).is_ok_and(|p| p.host.as_str() == host))
    })
}

/// The SRs a VM's disks are on (CD drives and empty drives left out when
/// `with_cds` is false), each once.
pub fn vm_srs(tx: &Tx<'_>, vm: &VmRecord, with_cds: bool) -> Vec<SrRef> {
    let mut out: Vec<SrRef> = Vec::new();
    for vbd in &vm.vbds {
        let Ok(b) = tx.get::<VbdRecord>(vbd.as_str()) else { continue };
        if b.empty || b.vdi.is_null() || (!with_cds && b.r#type == xenapi::VbdType::Cd) {
            continue;
        }
        if let Ok(d) = tx.get::<VdiRecord>(b.vdi.as_str()) {
            if !out.contains(&d.sr) {
                out.push(d.sr.clone());
            }
        }
    }
    out
}

/// The checks `VM.assert_can_boot_here` makes, in xapi's order: the host
/// is up and enabled, has CPUs enough, reaches every SR and network the VM
/// uses and has the memory the VM needs (a VM already on the host counts
/// once).
pub fn assert_can_boot_here(tx: &Tx<'_>, vm_ref: &str, vm: &VmRecord, host: &str) -> Result<(), ApiError> {
    check_host(tx, vm_ref, vm, host, true)
}

/// [`assert_can_boot_here`], with or without the memory check (an
/// evacuation plan packs memory itself).
pub fn check_host(tx: &Tx<'_>, vm_ref: &str, vm: &VmRecord, host: &str, memory: bool) -> Result<(), ApiError> {
    let h = tx.get::<HostRecord>(host)?;
    if vm.is_a_template || vm.is_a_snapshot {
        return Err(ApiError::VmIsTemplate { vm: vm_ref.to_string() });
    }
    if !is_live(tx, host) {
        return Err(ApiError::HostNotLive);
    }
    if !h.enabled {
        return Err(ApiError::HostDisabled { host: host.to_string() });
    }
    let pcpus = h.host_cpus.len() as i64;
    if pcpus > 0 && vm.vcpus_max > pcpus {
        return Err(ApiError::HostNotEnoughPcpus { vcpus: vm.vcpus_max.to_string(), pcpus: pcpus.to_string() });
    }
    for sr in vm_srs(tx, vm, true) {
        if !host_sees_sr(tx, host, sr.as_str()) {
            return Err(ApiError::VmRequiresSr { vm: vm_ref.to_string(), sr: sr.to_string() });
        }
    }
    for vif in &vm.vifs {
        let Ok(f) = tx.get::<VifRecord>(vif.as_str()) else { continue };
        if !host_sees_network(tx, host, f.network.as_str()) {
            return Err(ApiError::VmRequiresNetwork { vm: vm_ref.to_string(), network: f.network.to_string() });
        }
    }
    if !memory {
        return Ok(());
    }
    let here = vm.resident_on.as_str() == host && matches!(vm.power_state, Power::Running | Power::Paused);
    let free = free_memory(tx, host, here.then_some(vm_ref))?;
    if needed(vm) > free {
        return Err(ApiError::HostNotEnoughFreeMemory { needed: needed(vm).to_string(), available: free.to_string() });
    }
    Ok(())
}

/// Picks a host for a VM to start on: its `affinity` host when the VM
/// can boot there, else the one with the most free memory among those it
/// can boot on. With no such host, the reason the only host refused it,
/// or NO_HOSTS_AVAILABLE.
pub fn choose_host(tx: &Tx<'_>, vm_ref: &str, vm: &VmRecord) -> Result<HostRef, ApiError> {
    if !vm.affinity.is_null() && assert_can_boot_here(tx, vm_ref, vm, vm.affinity.as_str()).is_ok() {
        return Ok(vm.affinity.clone());
    }
    let hosts = tx.db().all::<HostRecord>();
    let mut best: Option<(i64, HostRef)> = None;
    let mut last_err = None;
    for (r, _) in &hosts {
        match assert_can_boot_here(tx, vm_ref, vm, r.as_str()) {
            Ok(()) => {
                let free = free_memory(tx, r.as_str(), None)?;
                if best.as_ref().is_none_or(|(f, b)| free > *f || (free == *f && r < b)) {
                    best = Some((free, r.clone()));
                }
            }
            Err(e) => last_err = Some(e),
        }
    }
    match (best, last_err) {
        (Some((_, h)), _) => Ok(h),
        (None, Some(e)) if hosts.len() == 1 => Err(e),
        _ => Err(ApiError::NoHostsAvailable),
    }
}
