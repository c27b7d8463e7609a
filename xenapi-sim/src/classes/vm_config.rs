//! A VM's settings with rules of their own: memory limits, VCPU counts,
//! boot policy and domain type, BIOS strings, data sources, and the
//! device numbers still free.

use xenapi::{
    ApiError, DomainType, HostRecord, PoolRecord, VdiRecord, VdiRef, VdiType, VmOperations as Op,
    VmPowerState as Power, VmRecord,
};
use xenapi_rt::types::containers::format_compact;
use xenapi_rt::types::{Map, Str};

use crate::behaviour::check_vm_op;
use crate::store::Tx;

/// The four memory limits, in bytes.
#[derive(Clone, Copy)]
pub struct Limits {
    pub static_min: i64,
    pub dynamic_min: i64,
    pub dynamic_max: i64,
    pub static_max: i64,
}

impl Limits {
    fn of(vm: &VmRecord) -> Limits {
        Limits {
            static_min: vm.memory_static_min,
            dynamic_min: vm.memory_dynamic_min,
            dynamic_max: vm.memory_dynamic_max,
            static_max: vm.memory_static_max,
        }
    }

    /// static_min <= dynamic_min <= dynamic_max <= static_max, as xapi
    /// checks (MEMORY_CONSTRAINT_VIOLATION_ORDER otherwise).
    fn check(&self) -> Result<(), ApiError> {
        let ok = 0 <= self.static_min
            && self.static_min <= self.dynamic_min
            && self.dynamic_min <= self.dynamic_max
            && self.dynamic_max <= self.static_max;
        if ok {
            Ok(())
        } else {
            Err(ApiError::MemoryConstraintViolationOrder)
        }
    }

    fn apply(&self, v: &mut VmRecord) {
        v.memory_static_min = self.static_min;
        v.memory_dynamic_min = self.dynamic_min;
        v.memory_dynamic_max = self.dynamic_max;
        v.memory_static_max = self.static_max;
    }
}

/// `VM.set_memory_limits` (and `set_memory`): a halted VM only.
pub fn set_memory_limits(tx: &mut Tx<'_>, vm: &str, limits: Limits) -> Result<(), ApiError> {
    let rec = tx.get::<VmRecord>(vm)?;
    check_vm_op(vm, rec, &Op::ChangingMemoryLimits)?;
    limits.check()?;
    tx.update::<VmRecord, _>(vm, |v| {
        limits.apply(v);
        Ok(())
    })
}

/// `VM.set_memory_static_max` and friends: a halted VM only.
pub fn set_memory_static_range(tx: &mut Tx<'_>, vm: &str, min: Option<i64>, max: Option<i64>) -> Result<(), ApiError> {
    let rec = tx.get::<VmRecord>(vm)?;
    check_vm_op(vm, rec, &Op::ChangingStaticRange)?;
    let mut l = Limits::of(rec);
    l.static_min = min.unwrap_or(l.static_min);
    l.static_max = max.unwrap_or(l.static_max);
    l.check()?;
    tx.update::<VmRecord, _>(vm, |v| {
        l.apply(v);
        Ok(())
    })
}

/// `VM.set_memory_dynamic_range`: halted or running; a running VM's
/// balloon target follows the new maximum.
pub fn set_memory_dynamic_range(tx: &mut Tx<'_>, vm: &str, min: i64, max: i64) -> Result<(), ApiError> {
    let rec = tx.get::<VmRecord>(vm)?;
    check_vm_op(vm, rec, &Op::ChangingDynamicRange)?;
    let mut l = Limits::of(rec);
    l.dynamic_min = min;
    l.dynamic_max = max;
    l.check()?;
    let running = rec.power_state == Power::Running;
    let host = rec.resident_on.to_string();
    tx.update::<VmRecord, _>(vm, |v| {
        l.apply(v);
        if running {
            v.memory_target = max;
        }
        Ok(())
    })?;
    super::placement::refresh_memory(tx, &host)
}

fn vcpu_rule(value: i64) -> ApiError {
    ApiError::InvalidValue {
        field: "VCPU values must satisfy: 0 < VCPUs_at_startup ≤ VCPUs_max".into(),
        value: value.to_string(),
    }
}

/// `VM.set_VCPUs_max`: a halted VM, at least 1 and at least
/// `VCPUs_at_startup`.
pub fn set_vcpus_max(tx: &mut Tx<'_>, vm: &str, value: i64) -> Result<(), ApiError> {
    let rec = tx.get::<VmRecord>(vm)?;
    check_vm_op(vm, rec, &Op::ChangingVcpUs)?;
    if value < 1 || value < rec.vcpus_at_startup {
        return Err(vcpu_rule(value));
    }
    tx.update::<VmRecord, _>(vm, |v| {
        v.vcpus_max = value;
        Ok(())
    })
}

/// `VM.set_VCPUs_at_startup`: between 1 and `VCPUs_max`.
pub fn set_vcpus_at_startup(tx: &mut Tx<'_>, vm: &str, value: i64) -> Result<(), ApiError> {
    let rec = tx.get::<VmRecord>(vm)?;
    if rec.is_control_domain {
        return Err(ApiError::OperationNotAllowed { reason: "set_VCPUs_at_startup is not allowed on dom0".into() });
    }
    check_vm_op(vm, rec, &Op::ChangingVcpUs)?;
    if value < 1 || value > rec.vcpus_max {
        return Err(vcpu_rule(value));
    }
    tx.update::<VmRecord, _>(vm, |v| {
        v.vcpus_at_startup = value;
        Ok(())
    })
}

/// `VM.set_VCPUs_number_live`: a running VM, between 1 and `VCPUs_max`;
/// its metrics show the new count.
pub fn set_vcpus_number_live(tx: &mut Tx<'_>, vm: &str, n: i64) -> Result<(), ApiError> {
    let rec = tx.get::<VmRecord>(vm)?.clone();
    check_vm_op(vm, &rec, &Op::ChangingVcpUsLive)?;
    if n < 1 || n > rec.vcpus_max {
        return Err(vcpu_rule(n));
    }
    tx.update::<VmRecord, _>(vm, |v| {
        v.vcpus_at_startup = n;
        Ok(())
    })?;
    if tx.get::<xenapi::VmMetricsRecord>(rec.metrics.as_str()).is_ok() {
        tx.modify::<xenapi::VmMetricsRecord, _>(rec.metrics.as_str(), |m| {
            m.vcpus_number = n;
            Ok(())
        })?;
    }
    Ok(())
}

/// `VM.set_HVM_boot_policy`: "" (PV) or "BIOS order" (HVM); the domain
/// type follows, as in xapi.
pub fn set_hvm_boot_policy(tx: &mut Tx<'_>, vm: &str, value: Str) -> Result<(), ApiError> {
    let domain_type = match value.as_str() {
        "" => DomainType::Pv,
        "BIOS order" => DomainType::Hvm,
        _ => return Err(ApiError::InvalidValue { field: "HVM-boot-policy".into(), value: value.into() }),
    };
    tx.update::<VmRecord, _>(vm, |v| {
        if v.domain_type != DomainType::PvInPvh && v.domain_type != DomainType::Pvh || domain_type == DomainType::Hvm {
            v.domain_type = domain_type;
        }
        v.hvm_boot_policy = value;
        Ok(())
    })
}

/// `VM.set_domain_type`: the boot policy follows (HVM boots in BIOS
/// order, the others have none).
pub fn set_domain_type(tx: &mut Tx<'_>, vm: &str, value: DomainType) -> Result<(), ApiError> {
    if matches!(value, DomainType::Unspecified | DomainType::Unknown(_)) {
        return Err(ApiError::InvalidValue { field: "domain_type".into(), value: value.to_string() });
    }
    tx.update::<VmRecord, _>(vm, |v| {
        v.hvm_boot_policy = if value == DomainType::Hvm { "BIOS order".into() } else { Str::default() };
        v.domain_type = value;
        Ok(())
    })
}

/// The BIOS string keys a VM may be given, as xapi lists them.
const BIOS_KEYS: &[&str] = &[
    "bios-vendor",
    "bios-version",
    "system-manufacturer",
    "system-product-name",
    "system-version",
    "system-serial-number",
    "baseboard-manufacturer",
    "baseboard-product-name",
    "baseboard-version",
    "baseboard-serial-number",
    "baseboard-asset-tag",
    "baseboard-location-in-chassis",
    "enclosure-asset-tag",
    "hp-rombios",
    "oem-1",
    "oem-2",
];

/// `VM.set_bios_strings`: known keys only, values of printable ASCII up
/// to 512 characters; refused once a VM has BIOS strings.
pub fn set_bios_strings(tx: &mut Tx<'_>, vm: &str, value: Map<Str, Str>) -> Result<(), ApiError> {
    if !tx.get::<VmRecord>(vm)?.bios_strings.is_empty() {
        return Err(ApiError::VmBiosStringsAlreadySet);
    }
    for (k, v) in &value {
        if !BIOS_KEYS.contains(&k.as_str()) {
            return Err(ApiError::InvalidValue { field: k.to_string(), value: "Unknown key".into() });
        }
        if v.len() > 512 || v.chars().any(|c| !(' '..='~').contains(&c)) {
            return Err(ApiError::InvalidValue { field: k.to_string(), value: v.to_string() });
        }
    }
    tx.update::<VmRecord, _>(vm, |v| {
        v.bios_strings = value;
        Ok(())
    })
}

/// `VM.copy_bios_strings`: a halted VM takes a host's BIOS strings.
pub fn copy_bios_strings(tx: &mut Tx<'_>, vm: &str, host: &str) -> Result<(), ApiError> {
    let strings = tx.get::<HostRecord>(host)?.bios_strings.clone();
    let rec = tx.get::<VmRecord>(vm)?;
    if rec.power_state != Power::Halted {
        return Err(super::bad_power(vm, &[Power::Halted], &rec.power_state));
    }
    if !rec.bios_strings.is_empty() {
        return Err(ApiError::VmBiosStringsAlreadySet);
    }
    tx.update::<VmRecord, _>(vm, |v| {
        v.bios_strings = strings;
        Ok(())
    })
}

/// The data sources a simulated VM has.
pub fn data_sources(vm: &VmRecord) -> Vec<String> {
    let mut out = vec!["memory".to_string(), "memory_target".into(), "memory_internal_free".into()];
    out.extend((0..vm.vcpus_max.clamp(0, 64)).map(|i| format!("cpu{i}")));
    out
}

/// `VM.record_data_source` and `VM.forget_data_source_archives`: a data
/// source the VM has (INVALID_VALUE otherwise); recording needs the VM
/// running.
pub fn data_source(tx: &mut Tx<'_>, vm: &str, name: &str, record: bool) -> Result<(), ApiError> {
    let rec = tx.get::<VmRecord>(vm)?;
    if record && rec.power_state != Power::Running {
        return Err(super::bad_power(vm, &[Power::Running], &rec.power_state));
    }
    if !data_sources(rec).iter().any(|d| d == name) {
        return Err(ApiError::InvalidValue { field: "data_source".into(), value: name.to_string() });
    }
    Ok(())
}

/// `VM.restart_device_models`: a running or paused HVM guest.
pub fn restart_device_models(tx: &mut Tx<'_>, vm: &str) -> Result<(), ApiError> {
    let rec = tx.get::<VmRecord>(vm)?;
    if rec.is_a_template {
        return Err(ApiError::VmIsTemplate { vm: vm.to_string() });
    }
    if !matches!(rec.power_state, Power::Running | Power::Paused) {
        return Err(super::bad_power(vm, &[Power::Running, Power::Paused], &rec.power_state));
    }
    if rec.domain_type != DomainType::Hvm {
        return Err(ApiError::VmHvmRequired { vm: vm.to_string() });
    }
    Ok(())
}

/// A disk for a suspended VM's memory, on the pool's suspend image SR
/// (else its default SR).
pub fn suspend_image(tx: &mut Tx<'_>, vm: &VmRecord) -> Result<VdiRef, ApiError> {
    let pool = tx.db().all::<PoolRecord>().into_iter().next().map(|(_, p)| p);
    let sr = match (!vm.suspend_sr.is_null()).then(|| vm.suspend_sr.clone()) {
        Some(s) => Some(s),
        None => pool.map(|p| if p.suspend_image_sr.is_null() { p.default_sr } else { p.suspend_image_sr }),
    };
    let sr = sr.filter(|s| !s.is_null()).ok_or_else(|| ApiError::VmNoSuspendSr { vm: vm.uuid.to_string() })?;
    tx.create(VdiRecord {
        name_label: format_compact!("Suspend image of {}", vm.name_label),
        sr,
        virtual_size: vm.memory_static_max.max(0),
        r#type: VdiType::Suspend,
        ..Default::default()
    })
}

/// The disk numbers xapi allows (0 to 254; 0 to 255 for a control
/// domain) that no VBD of the VM uses, by userdevice or device name.
pub fn allowed_vbd_devices(vm: &VmRecord, used: &[(Str, Str)]) -> Vec<Str> {
    let last = if vm.is_control_domain { 255 } else { 254 };
    let taken: Vec<u32> = used.iter().flat_map(|(u, d)| [disk_number(u), disk_number(d)]).flatten().collect();
    (0..=last).filter(|n| !taken.contains(n)).map(|n| format_compact!("{n}")).collect()
}

/// The disk number a userdevice ("3") or device name ("xvdd", "hda",
/// "sdb1") stands for.
fn disk_number(s: &str) -> Option<u32> {
    if let Ok(n) = s.parse::<u32>() {
        return Some(n);
    }
    let letters = ["xvd", "hd", "sd"].iter().find_map(|p| s.strip_prefix(p))?;
    let letters: String = letters.chars().take_while(char::is_ascii_lowercase).collect();
    if letters.is_empty() {
        return None;
    }
    // a..z, then aa.. as in Linux device names.
    let mut n: u32 = 0;
    for c in letters.chars() {
        n = n.checked_mul(26)?.checked_add(c as u32 - 'a' as u32 + 1)?;
    }
    Some(n - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_names_map_to_disk_numbers() {
        assert_eq!(disk_number("3"), Some(3));
        assert_eq!(disk_number("xvda"), Some(0));
        assert_eq!(disk_number("xvdd"), Some(3));
        assert_eq!(disk_number("hdb"), Some(1));
        assert_eq!(disk_number("xvdaa"), Some(26));
        assert_eq!(disk_number("floppy"), None);
        let vm = VmRecord::default();
        let free = allowed_vbd_devices(&vm, &[("0".into(), "xvda".into()), ("3".into(), Str::default())]);
        assert_eq!(free[..3], ["1", "2", "4"]);
        assert_eq!(free.len(), 253);
    }
}
