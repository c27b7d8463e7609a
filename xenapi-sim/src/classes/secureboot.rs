//! UEFI Secure Boot: the readiness of the pool's key files and of a VM's
//! variable store, and resetting a VM's store to setup or user mode.
//!
//! The simulator has no varstored. It keeps a VM's store where xapi keeps
//! it, under `EFI-variables` in the VM's `NVRAM`, but as the base64 of the
//! names of the variables it holds, separated by spaces (`PK KEK db dbx`);
//! a store it cannot read that way is taken to hold no keys. The pool's key
//! files are there when `uefi_certificates` or `custom_uefi_certificates`
//! is set; `dbx` is left out when the pool's `other_config` has
//! `uefi_dbx: "false"`.

use xenapi::{
    ApiError, PoolGuestSecurebootReadiness as PoolReady, PoolRecord, VmRecord, VmSecurebootReadiness as VmReady,
    VmUefiMode,
};
use xenapi_rt::types::containers::format_compact;
use xenapi_rt::types::Str;

use crate::base64;
use crate::store::Tx;

/// The NVRAM key of a VM's UEFI variable store.
pub const STORE_KEY: &str = "EFI-variables";

/// Whether the VM boots with UEFI firmware.
pub fn is_uefi(vm: &VmRecord) -> bool {
    vm.hvm_boot_params.get("firmware").is_some_and(|f| f == "uefi")
}

/// The key files the pool holds: none, or PK, KEK, db and (unless turned
/// off) dbx.
fn pool_keys(tx: &Tx<'_>) -> Vec<&'static str> {
    let pools = tx.db().all::<PoolRecord>();
    let Some((_, pool)) = pools.first() else { return Vec::new() };
    if pool.uefi_certificates.is_empty() && pool.custom_uefi_certificates.is_empty() {
        return Vec::new();
    }
    if pool.other_config.get("uefi_dbx").is_some_and(|v| v == "false") {
        vec!["PK", "KEK", "db"]
    } else {
        vec!["PK", "KEK", "db", "dbx"]
    }
}

/// pool.get_guest_secureboot_readiness: xapi's answer from the key files.
pub fn pool_readiness(tx: &Tx<'_>) -> PoolReady {
    let keys = pool_keys(tx);
    let has = |k: &str| keys.contains(&k);
    match (has("PK") && has("KEK") && has("db"), has("dbx")) {
        (true, true) => PoolReady::Ready,
        (true, false) => PoolReady::ReadyNoDbx,
        _ => PoolReady::NotReady,
    }
}

/// The variables in a VM's store, as the simulator keeps them.
fn store_keys(store: &str) -> Vec<String> {
    base64::decode(store)
        .and_then(|b| String::from_utf8(b).ok())
        .map(|s| s.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

/// VM.get_secureboot_readiness, with xapi's order of checks: firmware,
/// the `secureboot` platform flag, a store at all, then its keys.
pub fn vm_readiness(vm: &VmRecord) -> VmReady {
    if !is_uefi(vm) {
        return VmReady::NotSupported;
    }
    let on =
        vm.platform.get("secureboot").is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "1" | "on"));
    if !on {
        return VmReady::Disabled;
    }
    let Some(store) = vm.nvram.get(STORE_KEY) else { return VmReady::FirstBoot };
    let keys = store_keys(store);
    let has = |k: &str| keys.iter().any(|x| x == k);
    match (has("PK"), has("KEK"), has("db"), has("dbx")) {
        (true, true, true, true) => VmReady::Ready,
        (true, true, true, false) => VmReady::ReadyNoDbx,
        (false, _, _, _) => VmReady::SetupMode,
        _ => VmReady::CertsIncomplete,
    }
}

/// VM.set_uefi_mode: `setup` empties the store of keys, `user` loads the
/// pool's. xapi runs a tool for this, whose failures (a BIOS VM, a pool
/// without keys) come back as INTERNAL_ERROR; so do they here. Returns
/// the tool's report.
pub fn set_mode(tx: &mut Tx<'_>, vm: &str, mode: &VmUefiMode) -> Result<Str, ApiError> {
    let rec = tx.get::<VmRecord>(vm)?;
    if !is_uefi(rec) {
        return Err(ApiError::InternalError {
            message: format!("VM {} does not boot with UEFI firmware, so it has no UEFI variable store", rec.uuid),
        });
    }
    let keys: Vec<&str> = match mode {
        VmUefiMode::Setup => Vec::new(),
        VmUefiMode::User => {
            let keys = pool_keys(tx);
            if keys.is_empty() {
                return Err(ApiError::InternalError {
                    message: "the pool holds no UEFI key files to load into the VM".into(),
                });
            }
            keys
        }
        VmUefiMode::Unknown(m) => return Err(ApiError::InvalidValue { field: "mode".into(), value: m.clone() }),
    };
    let stored = base64::encode(keys.join(" ").as_bytes());
    tx.modify::<VmRecord, _>(vm, |v| {
        v.nvram.insert(STORE_KEY.into(), stored.into());
        Ok(())
    })?;
    Ok(match mode {
        VmUefiMode::Setup => "Secure Boot keys removed: the VM starts in setup mode".into(),
        _ => format_compact!("Secure Boot keys loaded ({}): the VM starts in user mode", keys.join(", ")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uefi_vm(secureboot: &str, store: Option<&str>) -> VmRecord {
        let mut vm = VmRecord::default();
        vm.hvm_boot_params.insert("firmware".into(), "uefi".into());
        vm.platform.insert("secureboot".into(), secureboot.into());
        if let Some(keys) = store {
            vm.nvram.insert(STORE_KEY.into(), base64::encode(keys.as_bytes()).into());
        }
        vm
    }

    #[test]
    fn readiness_follows_xapis_order_of_checks() {
        assert_eq!(vm_readiness(&VmRecord::default()), VmReady::NotSupported);
        assert_eq!(vm_readiness(&uefi_vm("false", Some("PK KEK db dbx"))), VmReady::Disabled);
        assert_eq!(vm_readiness(&uefi_vm("true", None)), VmReady::FirstBoot);
        assert_eq!(vm_readiness(&uefi_vm("true", Some("PK KEK db dbx"))), VmReady::Ready);
        assert_eq!(vm_readiness(&uefi_vm("true", Some("PK KEK db"))), VmReady::ReadyNoDbx);
        assert_eq!(vm_readiness(&uefi_vm("true", Some(""))), VmReady::SetupMode);
        assert_eq!(vm_readiness(&uefi_vm("true", Some("PK db"))), VmReady::CertsIncomplete);
    }

    #[test]
    fn an_unreadable_store_holds_no_keys() {
        let mut vm = uefi_vm("true", None);
        vm.nvram.insert(STORE_KEY.into(), "not base64!".into());
        assert_eq!(vm_readiness(&vm), VmReady::SetupMode);
    }
}
