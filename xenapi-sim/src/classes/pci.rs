//! PCI: whether the control domain may use a device, now and from the
//! host's next boot.
//!
//! xapi reads that from the host's boot command line (devices hidden from
//! dom0 are listed there) and from the one the next boot will use. The
//! simulator keeps both in the device's `other_config`: `xenapi-sim:hidden`
//! (`true`: hidden from the next boot on) and `xenapi-sim:hidden-now`
//! (`true`: hidden in the running boot). The device the host boots from
//! carries `xenapi-sim:boot-device` with the path of its root partition.

use xenapi::{ApiError, HostRecord, PciDom0Access as Access, PciRecord, PciRef, PciServer, PgpuRecord};

use crate::sim::{Ctx, Sim};
use crate::store::Tx;

/// Hidden from dom0 from the next boot on.
pub const HIDDEN: &str = "xenapi-sim:hidden";
/// Hidden from dom0 in the running boot.
pub const HIDDEN_NOW: &str = "xenapi-sim:hidden-now";
/// On the device the host boots from: the path of its root partition.
pub const BOOT_DEVICE: &str = "xenapi-sim:boot-device";

fn flag(pci: &PciRecord, key: &str) -> bool {
    pci.other_config.get(key).is_some_and(|v| v == "true")
}

/// Sets (`"true"`) or clears one of the simulator's flags on a device.
fn set_flag(pci: &mut PciRecord, key: &str, on: bool) {
    if on {
        pci.other_config.insert(key.into(), "true".into());
    } else {
        pci.other_config.remove(key);
    }
}

/// The device's record, after checking that its host exists (xapi runs
/// these calls on the device's host).
fn device<'a>(tx: &'a Tx<'_>, r: &str) -> Result<&'a PciRecord, ApiError> {
    let pci = tx.get::<PciRecord>(r)?;
    tx.get::<HostRecord>(pci.host.as_str())?;
    Ok(pci)
}

/// The status from the running boot and the next one, as xapi pairs them.
pub fn status(pci: &PciRecord) -> Access {
    match (flag(pci, HIDDEN_NOW), flag(pci, HIDDEN)) {
        (true, true) => Access::Disabled,
        (false, true) => Access::DisableOnReboot,
        (false, false) => Access::Enabled,
        (true, false) => Access::EnableOnReboot,
    }
}

/// Hides or shows the device from the next boot on; the deprecated
/// `dom0_access` of a PGPU on the device follows.
fn set_hidden(tx: &mut Tx<'_>, r: &str, hidden: bool) -> Result<Access, ApiError> {
    device(tx, r)?;
    tx.update::<PciRecord, _>(r, |p| {
        set_flag(p, HIDDEN, hidden);
        Ok(())
    })?;
    sync_pgpus(tx, r)
}

/// Sets the deprecated `dom0_access` of PGPUs on the device to its status,
/// and returns that.
fn sync_pgpus(tx: &mut Tx<'_>, r: &str) -> Result<Access, ApiError> {
    let access = status(tx.get::<PciRecord>(r)?);
    let pgpus: Vec<_> =
        tx.db().all::<PgpuRecord>().into_iter().filter(|(_, g)| g.pci.as_str() == r).map(|(g, _)| g).collect();
    for g in pgpus {
        tx.modify::<PgpuRecord, _>(g.as_str(), |g| {
            g.dom0_access = access.clone();
            Ok(())
        })?;
    }
    Ok(access)
}

/// What a host reboot does to its devices: the next boot's choice becomes
/// the running one.
pub fn apply_at_boot(tx: &mut Tx<'_>, host: &str) -> Result<(), ApiError> {
    let devices: Vec<_> = tx
        .db()
        .all::<PciRecord>()
        .into_iter()
        .filter(|(_, p)| p.host.as_str() == host && flag(p, HIDDEN) != flag(p, HIDDEN_NOW))
        .collect();
    for (r, p) in devices {
        let hidden = flag(&p, HIDDEN);
        tx.update::<PciRecord, _>(r.as_str(), |p| {
            set_flag(p, HIDDEN_NOW, hidden);
            Ok(())
        })?;
        sync_pgpus(tx, r.as_str())?;
    }
    Ok(())
}

impl PciServer for Sim {
    async fn get_dom0_access_status(&self, _ctx: &Ctx, self_: PciRef) -> Result<Access, ApiError> {
        self.sim_store().write(|tx| Ok(status(device(tx, self_.as_str())?)))
    }

    async fn enable_dom0_access(&self, _ctx: &Ctx, self_: PciRef) -> Result<Access, ApiError> {
        self.sim_store().write(|tx| set_hidden(tx, self_.as_str(), false))
    }

    async fn disable_dom0_access(&self, _ctx: &Ctx, self_: PciRef) -> Result<Access, ApiError> {
        self.sim_store().write(|tx| {
            if let Some(path) = device(tx, self_.as_str())?.other_config.get(BOOT_DEVICE) {
                return Err(ApiError::BootDevicePassthroughDisallowed { device: path.to_string() });
            }
            set_hidden(tx, self_.as_str(), true)
        })
    }
}
