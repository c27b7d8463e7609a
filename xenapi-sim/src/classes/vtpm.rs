//! VTPM: one virtual TPM per halted VM.

use xenapi::{ApiError, PoolRecord, VmPowerState as Power, VmRecord, VmRef, VtpmOperations as Op, VtpmRecord, VtpmRef, VtpmServer};

use super::assert_power;
use crate::sim::{Ctx, Sim};

impl VtpmServer for Sim {
    async fn create(&self, _ctx: &Ctx, vm: VmRef, is_unique: bool) -> Result<VtpmRef, ApiError> {
        self.sim_store().write(|tx| {
            // A pool whose licence restricts vTPMs says so; the simulator's
            // pools are unrestricted unless told otherwise.
            let restricted = tx.db().all::<PoolRecord>().iter().any(|(_, p)| p.restrictions.get("restrict_vtpm").is_some_and(|v| v == "true"));
            if restricted {
                return Err(ApiError::FeatureRestricted);
            }
            let n = tx.get::<VmRecord>(vm.as_str())?.vtpms.len();
            if n > 0 {
                return Err(ApiError::VtpmMaxAmountReached { amount: n.to_string() });
            }
            assert_power(tx, vm.as_str(), &[Power::Halted])?;
            tx.create(VtpmRecord { vm: vm.clone(), backend: xenapi_rt::types::Ref::null(), is_unique, allowed_operations: vec![Op::Destroy], ..Default::default() })
        })
    }

    async fn destroy(&self, _ctx: &Ctx, self_: VtpmRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            let vm = tx.get::<VtpmRecord>(self_.as_str())?.vm.clone();
            assert_power(tx, vm.as_str(), &[Power::Halted, Power::Suspended])?;
            tx.destroy::<VtpmRecord>(self_.as_str())
        })
    }
}
