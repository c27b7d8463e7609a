//! Behaviour of the classes that have some, one module per class (VM,
//! host and pool with helpers of their own: placement, migrate,
//! provision, vm_config, vm_copy; those keep deprecated fields such as
//! `memory_target` that xapi still fills). Each module implements its
//! class's server trait for [`Sim`]; the storage, network and device ones
//! keep the class's `allowed_operations` in step with the objects they
//! depend on ([`after_write`] is called by the store on every
//! create and update).
//!
//! [`Sim`]: crate::sim::Sim

use std::any::TypeId;
use std::net::{Ipv4Addr, Ipv6Addr};

use xenapi::server::Record;
use xenapi::{ApiError, PbdRecord, SrRecord, VbdRecord, VdiRecord, VifRecord, VmPowerState as Power, VmRecord};

use crate::behaviour::power_word;
use crate::store::Tx;

pub mod blob;
pub mod bond;
#[allow(deprecated)]
pub mod host;
pub mod message;
#[allow(deprecated)]
pub mod migrate;
pub mod network;
pub mod pbd;
#[allow(deprecated)]
pub mod pci;
pub mod pif;
#[allow(deprecated)]
pub mod placement;
#[allow(deprecated)]
pub mod pool;
pub mod pool_patch;
pub mod pool_update;
pub mod provision;
pub mod pusb;
pub mod repository;
pub mod sdn_controller;
pub mod secureboot;
pub mod sr;
pub mod ssh;
pub mod tunnel;
pub mod vbd;
pub mod vdi;
pub mod vgpu;
pub mod vif;
pub mod vlan;
#[allow(deprecated)]
pub mod vm;
#[allow(deprecated)]
pub mod vm_config;
#[allow(deprecated)]
pub mod vm_copy;
pub mod vm_group;
pub mod vtpm;
pub mod vusb;

/// Recomputes the `allowed_operations` that depend on the object just
/// written: its own, and those of the devices of a VM.
pub(crate) fn after_write<R: Record>(tx: &mut Tx<'_>, r: &str) -> Result<(), ApiError> {
    let t = TypeId::of::<R>();
    if t == TypeId::of::<VmRecord>() {
        let vm = tx.get::<VmRecord>(r)?;
        let (vbds, vifs) = (vm.vbds.clone(), vm.vifs.clone());
        for b in &vbds {
            vbd::refresh(tx, b.as_str())?;
        }
        for f in &vifs {
            vif::refresh(tx, f.as_str())?;
        }
    } else if t == TypeId::of::<VbdRecord>() {
        vbd::refresh(tx, r)?;
        let vdi = tx.get::<VbdRecord>(r)?.vdi.clone();
        if !vdi.is_null() && tx.get::<VdiRecord>(vdi.as_str()).is_ok() {
            vdi::refresh(tx, vdi.as_str())?;
        }
    } else if t == TypeId::of::<VdiRecord>() {
        vdi::refresh(tx, r)?;
    } else if t == TypeId::of::<VifRecord>() {
        vif::refresh(tx, r)?;
    } else if t == TypeId::of::<SrRecord>() {
        sr::refresh(tx, r)?;
    } else if t == TypeId::of::<PbdRecord>() {
        let sr = tx.get::<PbdRecord>(r)?.sr.clone();
        if !sr.is_null() && tx.get::<SrRecord>(sr.as_str()).is_ok() {
            sr::refresh(tx, sr.as_str())?;
        }
    }
    Ok(())
}

/// LICENCE_RESTRICTION (naming the feature) when the pool's licence
/// restricts it: `(restriction key, feature name)`, as xapi pairs them.
pub(crate) fn assert_feature(tx: &Tx<'_>, (key, feature): (&str, &str)) -> Result<(), ApiError> {
    let restricted =
        tx.db().all::<xenapi::PoolRecord>().iter().any(|(_, p)| p.restrictions.get(key).is_some_and(|v| v == "true"));
    if restricted {
        return Err(ApiError::LicenceRestriction { feature: feature.to_string() });
    }
    Ok(())
}

/// VM_BAD_POWER_STATE unless the VM is in one of `expected`.
pub(crate) fn assert_power(tx: &Tx<'_>, vm: &str, expected: &[Power]) -> Result<(), ApiError> {
    let actual = tx.get::<VmRecord>(vm)?.power_state.clone();
    if expected.contains(&actual) {
        return Ok(());
    }
    Err(bad_power(vm, expected, &actual))
}

/// The VM_BAD_POWER_STATE error, with the expected states as xapi lists
/// them (lower case, comma-separated).
pub(crate) fn bad_power(vm: &str, expected: &[Power], actual: &Power) -> ApiError {
    let expected: Vec<String> = expected.iter().map(power_word).collect();
    ApiError::VmBadPowerState { vm: vm.to_string(), expected: expected.join(", "), actual: power_word(actual) }
}

/// Which address family a check is about.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    V4,
    V6,
}

fn valid_ip(family: Family, s: &str) -> bool {
    match family {
        Family::V4 => s.parse::<Ipv4Addr>().is_ok(),
        Family::V6 => s.parse::<Ipv6Addr>().is_ok(),
    }
}

/// INVALID_IP_ADDRESS_SPECIFIED (naming the parameter) unless `s` is an
/// address of the family.
pub(crate) fn assert_ip(family: Family, param: &str, s: &str) -> Result<(), ApiError> {
    if valid_ip(family, s) {
        Ok(())
    } else {
        Err(ApiError::InvalidIpAddressSpecified { parameter: param.to_string() })
    }
}

/// INVALID_CIDR_ADDRESS_SPECIFIED unless `s` is `address/prefix` of the
/// family.
pub(crate) fn assert_cidr(family: Family, param: &str, s: &str) -> Result<(), ApiError> {
    let max = if family == Family::V4 { 32 } else { 128 };
    let ok = s
        .split_once('/')
        .is_some_and(|(a, p)| valid_ip(family, a) && p.parse::<u8>().is_ok_and(|n| n <= max) && !p.starts_with('+'));
    if ok {
        Ok(())
    } else {
        Err(ApiError::InvalidCidrAddressSpecified { parameter: param.to_string() })
    }
}

/// Sets a record's `allowed_operations` when they differ, so that an
/// unchanged object records no event (and costs no copy).
macro_rules! set_allowed {
    ($tx:expr, $rec:ty, $r:expr, $ops:expr) => {{
        let ops = $ops;
        if $tx.get::<$rec>($r)?.allowed_operations != ops {
            $tx.modify::<$rec, _>($r, |x| {
                x.allowed_operations = ops;
                Ok(())
            })?;
        }
        Ok(())
    }};
}
pub(crate) use set_allowed;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_by_family() {
        assert!(assert_ip(Family::V4, "IP", "10.0.0.1").is_ok());
        assert!(assert_ip(Family::V4, "IP", "10.0.0").is_err());
        assert!(assert_ip(Family::V6, "gw", "fe80::1").is_ok());
        assert!(assert_cidr(Family::V4, "address", "10.0.0.2/24").is_ok());
        assert!(assert_cidr(Family::V4, "address", "10.0.0.2/33").is_err());
        assert!(assert_cidr(Family::V4, "address", "10.0.0.2").is_err());
        assert!(assert_cidr(Family::V6, "address", "fd00::2/64").is_ok());
    }
}
