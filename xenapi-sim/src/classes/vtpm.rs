//! VTPM: one virtual TPM per halted VM, and its stored state.
//!
//! xapi keeps a vTPM's state in a secret that the VTPM record points at
//! through a field the API does not show. The simulator keeps it in a
//! secret too, found by `xenapi-sim:vtpm` in the secret's `other_config`.

use xenapi::{
    ApiError, PoolRecord, SecretRecord, SecretRef, VmPowerState as Power, VmRecord, VmRef, VtpmOperations as Op,
    VtpmRecord, VtpmRef, VtpmServer,
};
use xenapi_rt::types::{Map, Str};

use super::assert_power;
use crate::sim::{Ctx, Sim};
use crate::store::Tx;

/// The `other_config` key of a secret that holds a vTPM's state.
pub const OWNER: &str = "xenapi-sim:vtpm";

/// The secret holding the vTPM's state, if it has one.
fn secret(tx: &Tx<'_>, vtpm: &str) -> Option<SecretRef> {
    tx.db()
        .all::<SecretRecord>()
        .into_iter()
        .find(|(_, s)| s.other_config.get(OWNER).is_some_and(|v| v == vtpm))
        .map(|(r, _)| r)
}

impl VtpmServer for Sim {
    async fn create(&self, _ctx: &Ctx, vm: VmRef, is_unique: bool) -> Result<VtpmRef, ApiError> {
        self.sim_store().write(|tx| {
            // A pool whose licence restricts vTPMs says so; the simulator's
            // pools are unrestricted unless told otherwise.
            let restricted = tx
                .db()
                .all::<PoolRecord>()
                .iter()
                .any(|(_, p)| p.restrictions.get("restrict_vtpm").is_some_and(|v| v == "true"));
            if restricted {
                return Err(ApiError::FeatureRestricted);
            }
            let n = tx.get::<VmRecord>(vm.as_str())?.vtpms.len();
            if n > 0 {
                return Err(ApiError::VtpmMaxAmountReached { amount: n.to_string() });
            }
            assert_power(tx, vm.as_str(), &[Power::Halted])?;
            tx.create(VtpmRecord {
                vm: vm.clone(),
                backend: xenapi_rt::types::Ref::null(),
                is_unique,
                allowed_operations: vec![Op::Destroy],
                ..Default::default()
            })
        })
    }

    async fn destroy(&self, _ctx: &Ctx, self_: VtpmRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            let vm = tx.get::<VtpmRecord>(self_.as_str())?.vm.clone();
            assert_power(tx, vm.as_str(), &[Power::Halted, Power::Suspended])?;
            if let Some(s) = secret(tx, self_.as_str()) {
                tx.destroy::<SecretRecord>(s.as_str())?;
            }
            tx.destroy::<VtpmRecord>(self_.as_str())
        })
    }

    /// The stored state, base64; empty for a vTPM that never had any.
    async fn get_contents(&self, _ctx: &Ctx, self_: VtpmRef) -> Result<Str, ApiError> {
        self.sim_store().write(|tx| {
            tx.get::<VtpmRecord>(self_.as_str())?;
            Ok(secret(tx, self_.as_str())
                .map(|s| tx.get::<SecretRecord>(s.as_str()).map(|s| s.value.clone()))
                .transpose()?
                .unwrap_or_default())
        })
    }

    /// Replaces the state with new base64 contents; xapi refuses anything
    /// else with INTERNAL_ERROR, and keeps the old state then.
    async fn set_contents(&self, _ctx: &Ctx, self_: VtpmRef, contents: Str) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            tx.get::<VtpmRecord>(self_.as_str())?;
            if crate::base64::decode(&contents).is_none() {
                return Err(ApiError::InternalError { message: "the vTPM contents are not valid base64".into() });
            }
            let old = secret(tx, self_.as_str());
            let mut other_config = Map::new();
            other_config.insert(OWNER.into(), self_.as_str().into());
            tx.create(SecretRecord { value: contents, other_config, ..Default::default() })?;
            if let Some(s) = old {
                tx.destroy::<SecretRecord>(s.as_str())?;
            }
            Ok(())
        })
    }
}
