//! pool_patch: the legacy face of pool_update; applying a patch applies
//! its update on every host.

use xenapi::{ApiError, HostRecord, PoolPatchRecord, PoolPatchRef, PoolPatchServer, PoolUpdateRecord};

use super::pool_update::apply;
use crate::sim::{Ctx, Sim};

impl PoolPatchServer for Sim {
    async fn pool_apply(&self, _ctx: &Ctx, self_: PoolPatchRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            let update = tx.get::<PoolPatchRecord>(self_.as_str())?.pool_update.clone();
            tx.get::<PoolUpdateRecord>(update.as_str())?;
            let hosts: Vec<_> = tx.db().all::<HostRecord>().into_iter().map(|(h, _)| h).collect();
            for h in &hosts {
                apply(tx, update.as_str(), h)?;
            }
            tx.update::<PoolPatchRecord, _>(self_.as_str(), |p| {
                p.pool_applied = true;
                Ok(())
            })
        })
    }
}
