//! pool: only `create_VLAN_from_PIF` here, until the pool's own
//! behaviour lands; that implementation calls [`super::vlan::create_from_pif`].

use xenapi::{ApiError, NetworkRef, PifRef, PoolServer};

use crate::sim::{Ctx, Sim};

impl PoolServer for Sim {
    async fn create_vlan_from_pif(&self, _ctx: &Ctx, pif: PifRef, network: NetworkRef, vlan: i64) -> Result<Vec<PifRef>, ApiError> {
        self.sim_store().write(|tx| super::vlan::create_from_pif(tx, &pif, &network, vlan))
    }
}
