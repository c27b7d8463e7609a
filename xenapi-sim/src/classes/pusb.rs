//! PUSB: a host's USB devices, and whether each may be passed through.

use xenapi::{
    ApiError, HostRecord, HostRef, PusbRecord, PusbRef, PusbServer, VmPowerState as Power, VmRecord, VusbRecord,
};

use crate::sim::{Ctx, Sim};

impl PusbServer for Sim {
    async fn scan(&self, _ctx: &Ctx, host: HostRef) -> Result<(), ApiError> {
        // The simulated hardware never changes: the host's PUSB objects
        // are what a scan finds. The host is touched so that watchers
        // see the scan happen.
        self.sim_store().write(|tx| {
            tx.get::<HostRecord>(host.as_str())?;
            tx.touch_object("host", host.as_str())
        })
    }

    async fn set_passthrough_enabled(&self, _ctx: &Ctx, self_: PusbRef, value: bool) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            let p = tx.get::<PusbRecord>(self_.as_str())?.clone();
            if p.passthrough_enabled == value {
                return Ok(());
            }
            if !value {
                // A device passed through to a running VM stays available.
                if let Ok(g) = tx.get::<xenapi::UsbGroupRecord>(p.usb_group.as_str()) {
                    for u in &g.vusbs {
                        let Ok(u) = tx.get::<VusbRecord>(u.as_str()) else { continue };
                        if u.currently_attached
                            && tx.get::<VmRecord>(u.vm.as_str()).is_ok_and(|v| v.power_state == Power::Running)
                        {
                            return Err(ApiError::UsbAlreadyAttached { pusb: self_.to_string(), vm: u.vm.to_string() });
                        }
                    }
                }
            }
            tx.update::<PusbRecord, _>(self_.as_str(), |x| {
                x.passthrough_enabled = value;
                Ok(())
            })
        })
    }
}
