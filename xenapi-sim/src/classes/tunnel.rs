//! tunnel: an access PIF on a network, carried over a transport PIF.

use xenapi::{
    ApiError, IpConfigurationMode, NetworkRecord, NetworkRef, PifRecord, PifRef, TunnelProtocol, TunnelRecord,
    TunnelRef, TunnelServer,
};
use xenapi_rt::types::containers::format_compact;
use xenapi_rt::types::Map;

use super::pif::{assert_no_other_local_pifs, plug, unplug};
use crate::sim::{Ctx, Sim};
use crate::store::Tx;
use crate::util::new_mac;

fn create(
    tx: &mut Tx<'_>,
    transport: &PifRef,
    network: &NetworkRef,
    protocol: TunnelProtocol,
) -> Result<TunnelRef, ApiError> {
    let net = tx.get::<NetworkRecord>(network.as_str())?;
    if !net.managed {
        return Err(ApiError::NetworkUnmanaged { network: network.to_string() });
    }
    let t = tx.get::<PifRecord>(transport.as_str())?.clone();
    assert_no_other_local_pifs(tx, &t.host, network.as_str())?;
    if !t.bond_slave_of.is_null() {
        return Err(ApiError::CannotAddTunnelToBondSlave { pif: transport.to_string() });
    }
    if !t.tunnel_access_pif_of.is_empty() {
        return Err(ApiError::IsTunnelAccessPif { pif: transport.to_string() });
    }
    if t.ip_configuration_mode == IpConfigurationMode::None {
        return Err(ApiError::TransportPifNotConfigured { pif: transport.to_string() });
    }
    let n =
        tx.db().all::<PifRecord>().iter().filter(|(_, p)| p.host == t.host && p.device.starts_with("tunnel")).count();
    let access = tx.create(PifRecord {
        device: format_compact!("tunnel{n}"),
        network: network.clone(),
        host: t.host.clone(),
        mac: new_mac(),
        mtu: t.mtu,
        vlan: -1,
        physical: false,
        managed: true,
        ip_configuration_mode: IpConfigurationMode::None,
        ..Default::default()
    })?;
    let status = Map::from([("active".into(), "false".into())]);
    let tunnel = tx.create(TunnelRecord {
        access_pif: access.clone(),
        transport_pif: transport.clone(),
        status,
        protocol,
        ..Default::default()
    })?;
    plug(tx, access.as_str())?;
    tx.update::<TunnelRecord, _>(tunnel.as_str(), |t| {
        t.status.insert("active".into(), "true".into());
        Ok(())
    })?;
    Ok(tunnel)
}

fn destroy(tx: &mut Tx<'_>, r: &str) -> Result<(), ApiError> {
    let access = tx.get::<TunnelRecord>(r)?.access_pif.clone();
    if tx.get::<PifRecord>(access.as_str()).is_ok() {
        unplug(tx, access.as_str())?;
        tx.destroy::<TunnelRecord>(r)?;
        tx.destroy::<PifRecord>(access.as_str())
    } else {
        tx.destroy::<TunnelRecord>(r)
    }
}

impl TunnelServer for Sim {
    async fn create(
        &self,
        _ctx: &Ctx,
        transport_pif: PifRef,
        network: NetworkRef,
        protocol: TunnelProtocol,
    ) -> Result<TunnelRef, ApiError> {
        self.sim_store().write(|tx| create(tx, &transport_pif, &network, protocol))
    }

    async fn destroy(&self, _ctx: &Ctx, self_: TunnelRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| destroy(tx, self_.as_str()))
    }
}
