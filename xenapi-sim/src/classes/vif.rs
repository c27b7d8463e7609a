//! VIF: plug and unplug on running VMs, moving to another network, and
//! the guest IP configuration.

use xenapi::{
    ApiError, NetworkRecord, NetworkRef, VifIpv4ConfigurationMode as V4, VifIpv6ConfigurationMode as V6,
    VifOperations as Op, VifRecord, VifRef, VifServer, VmPowerState as Power, VmRecord,
};
use xenapi_rt::types::Str;

use super::{assert_cidr, assert_ip, bad_power, set_allowed, Family};
use crate::sim::{Ctx, Sim};
use crate::store::{Db, Tx};

const ALL: [Op; 3] = [Op::Attach, Op::Plug, Op::Unplug];

/// Why `op` may not run on the VIF now, if it may not.
fn error(db: &Db, r: &str, f: &VifRecord, op: &Op) -> Option<ApiError> {
    let vm = db.get::<VmRecord>(f.vm.as_str()).ok()?;
    match (&vm.power_state, f.currently_attached) {
        (Power::Running, true) if *op == Op::Plug => Some(ApiError::DeviceAlreadyAttached { device: r.to_string() }),
        (Power::Running, false) if *op == Op::Unplug => Some(ApiError::DeviceAlreadyDetached { device: r.to_string() }),
        (Power::Running, _) => None,
        (state, _) if matches!(op, Op::Plug | Op::Unplug) => Some(bad_power(f.vm.as_str(), &[Power::Running], state)),
        _ => None,
    }
}

fn check(tx: &Tx<'_>, r: &str, op: Op) -> Result<(), ApiError> {
    let f = tx.get::<VifRecord>(r)?;
    error(tx.db(), r, f, &op).map_or(Ok(()), Err)
}

/// Recomputes the VIF's `allowed_operations`.
pub(crate) fn refresh(tx: &mut Tx<'_>, r: &str) -> Result<(), ApiError> {
    let f = tx.get::<VifRecord>(r)?;
    let ops: Vec<Op> = ALL.iter().filter(|op| error(tx.db(), r, f, op).is_none()).cloned().collect();
    set_allowed!(tx, VifRecord, r, ops)
}

fn attach(sim: &Sim, r: &VifRef, op: Op, on: bool) -> Result<(), ApiError> {
    sim.sim_store().write(|tx| {
        check(tx, r.as_str(), op)?;
        tx.update::<VifRecord, _>(r.as_str(), |f| {
            f.currently_attached = on;
            Ok(())
        })
    })
}

impl VifServer for Sim {
    async fn plug(&self, _ctx: &Ctx, self_: VifRef) -> Result<(), ApiError> {
        attach(self, &self_, Op::Plug, true)
    }

    async fn unplug(&self, _ctx: &Ctx, self_: VifRef) -> Result<(), ApiError> {
        attach(self, &self_, Op::Unplug, false)
    }

    async fn unplug_force(&self, _ctx: &Ctx, self_: VifRef) -> Result<(), ApiError> {
        attach(self, &self_, Op::Unplug, false)
    }

    async fn r#move(&self, _ctx: &Ctx, self_: VifRef, network: NetworkRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            tx.get::<NetworkRecord>(network.as_str())?;
            tx.update::<VifRecord, _>(self_.as_str(), |f| {
                f.network = network.clone();
                Ok(())
            })
        })
    }

    async fn configure_ipv4(
        &self,
        _ctx: &Ctx,
        self_: VifRef,
        mode: V4,
        address: Str,
        gateway: Str,
    ) -> Result<(), ApiError> {
        if mode == V4::Static {
            assert_cidr(Family::V4, "address", &address)?;
            if !gateway.is_empty() {
                assert_ip(Family::V4, "gateway", &gateway)?;
            }
        }
        self.sim_store().write(|tx| {
            tx.update::<VifRecord, _>(self_.as_str(), |f| {
                f.ipv4_configuration_mode = mode;
                f.ipv4_addresses = vec![address];
                f.ipv4_gateway = gateway;
                Ok(())
            })
        })
    }

    async fn configure_ipv6(
        &self,
        _ctx: &Ctx,
        self_: VifRef,
        mode: V6,
        address: Str,
        gateway: Str,
    ) -> Result<(), ApiError> {
        if mode == V6::Static {
            assert_cidr(Family::V6, "address", &address)?;
            if !gateway.is_empty() {
                assert_ip(Family::V6, "gateway", &gateway)?;
            }
        }
        self.sim_store().write(|tx| {
            tx.update::<VifRecord, _>(self_.as_str(), |f| {
                f.ipv6_configuration_mode = mode;
                f.ipv6_addresses = vec![address];
                f.ipv6_gateway = gateway;
                Ok(())
            })
        })
    }
}
