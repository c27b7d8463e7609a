//! PBD: plugging and unplugging an SR on a host. Unplugging refuses
//! while a VM running on that host uses one of the SR's disks.

use xenapi::{ApiError, PbdRecord, PbdRef, PbdServer, VbdRecord, VdiRecord, VdiType, VmRecord};

use crate::sim::{Ctx, Sim};
use crate::store::Tx;

/// The SR's disks that VMs running on the PBD's host have attached.
fn active_vdis(tx: &Tx<'_>, pbd: &PbdRecord) -> Vec<String> {
    let db = tx.db();
    let mut out = Vec::new();
    for (_, vm) in db.all::<VmRecord>() {
        if vm.resident_on != pbd.host {
            continue;
        }
        for b in &vm.vbds {
            let Ok(b) = db.get::<VbdRecord>(b.as_str()) else { continue };
            if !b.currently_attached || b.empty {
                continue;
            }
            let in_sr =
                db.get::<VdiRecord>(b.vdi.as_str()).is_ok_and(|v| v.sr == pbd.sr && v.r#type != VdiType::Metadata);
            if in_sr && !out.contains(&b.vdi.to_string()) {
                out.push(b.vdi.to_string());
            }
        }
    }
    out
}

fn set_attached(tx: &mut Tx<'_>, r: &str, on: bool) -> Result<(), ApiError> {
    tx.update::<PbdRecord, _>(r, |p| {
        p.currently_attached = on;
        Ok(())
    })
}

impl PbdServer for Sim {
    async fn plug(&self, _ctx: &Ctx, self_: PbdRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            if tx.get::<PbdRecord>(self_.as_str())?.currently_attached {
                return Ok(());
            }
            set_attached(tx, self_.as_str(), true)
        })
    }

    async fn unplug(&self, _ctx: &Ctx, self_: PbdRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            let p = tx.get::<PbdRecord>(self_.as_str())?.clone();
            if !p.currently_attached {
                return Ok(());
            }
            let busy = active_vdis(tx, &p);
            if !busy.is_empty() {
                // xapi lists every disk in use as the error's parameters.
                return Err(ApiError::Unknown { code: "VDI_IN_USE".into(), params: busy });
            }
            set_attached(tx, self_.as_str(), false)
        })
    }
}
