//! VLAN: tagging a PIF (a new untagged PIF on the network, plugged),
//! `pool.create_VLAN_from_PIF` (one VLAN per live host), and destroy.

use xenapi::{
    ApiError, HostMetricsRecord, HostRecord, IpConfigurationMode, Ipv6ConfigurationMode, NetworkRecord, NetworkRef,
    PifIgmpStatus, PifRecord, PifRef, VlanRecord, VlanRef, VlanServer,
};
use xenapi_rt::types::{Ref, Str};

use super::pif::{assert_no_other_local_pifs, assert_not_in_bond, plug, unplug};
use crate::sim::{Ctx, Sim};
use crate::store::Tx;

/// The MAC address every VLAN interface carries in xapi.
const VLAN_MAC: &str = "fe:ff:ff:ff:ff:ff";

/// Tags `tagged` with `tag` on `network`: checks as xapi does, makes the
/// VLAN and its untagged PIF and brings that up.
pub fn create(tx: &mut Tx<'_>, tagged: &str, tag: i64, network: &NetworkRef) -> Result<VlanRef, ApiError> {
    let net = tx.get::<NetworkRecord>(network.as_str())?;
    if !net.managed {
        return Err(ApiError::NetworkUnmanaged { network: network.to_string() });
    }
    let p = tx.get::<PifRecord>(tagged)?.clone();
    assert_no_other_local_pifs(tx, &p.host, network.as_str())?;
    if !p.managed {
        return Err(ApiError::PifUnmanaged { pif: tagged.to_string() });
    }
    if !p.vlan_master_of.is_null() {
        return Err(ApiError::PifIsVlan { pif: tagged.to_string() });
    }
    if !p.bond_slave_of.is_null() {
        return Err(ApiError::CannotAddVlanToBondSlave { pif: tagged.to_string() });
    }
    if !p.tunnel_access_pif_of.is_empty() {
        return Err(ApiError::IsTunnelAccessPif { pif: tagged.to_string() });
    }
    if !(0..=4094).contains(&tag) {
        return Err(ApiError::VlanTagInvalid { vlan: tag.to_string() });
    }
    let exists = p.vlan_slave_of.iter().any(|v| tx.get::<VlanRecord>(v.as_str()).is_ok_and(|v| v.tag == tag));
    if exists {
        return Err(ApiError::PifVlanExists { pif: p.device.to_string() });
    }
    let untagged = tx.create(PifRecord {
        device: p.device.clone(),
        network: network.clone(),
        host: p.host.clone(),
        mac: VLAN_MAC.into(),
        mtu: p.mtu,
        vlan: tag,
        metrics: p.metrics.clone(),
        physical: false,
        currently_attached: false,
        igmp_snooping_status: PifIgmpStatus::UnknownValue,
        ip_configuration_mode: IpConfigurationMode::None,
        ipv6_configuration_mode: Ipv6ConfigurationMode::None,
        ipv6: vec![Str::default()],
        primary_address_type: p.primary_address_type.clone(),
        managed: true,
        ..Default::default()
    })?;
    let vlan = tx.create(VlanRecord {
        tagged_pif: PifRef::new(tagged),
        untagged_pif: untagged.clone(),
        tag,
        ..Default::default()
    })?;
    // The store keeps only the tagged end; the untagged PIF names its
    // VLAN here.
    tx.update::<PifRecord, _>(untagged.as_str(), |x| {
        x.vlan_master_of = vlan.clone();
        Ok(())
    })?;
    plug(tx, untagged.as_str())?;
    Ok(vlan)
}

/// `pool.create_VLAN_from_PIF`: a VLAN with this tag on every live host's
/// PIF on the network of `pif`; the new untagged PIFs.
pub fn create_from_pif(tx: &mut Tx<'_>, pif: &PifRef, network: &NetworkRef, tag: i64) -> Result<Vec<PifRef>, ApiError> {
    let base = tx.get::<PifRecord>(pif.as_str())?.network.clone();
    let pifs = tx.get::<NetworkRecord>(base.as_str())?.pifs.clone();
    let mut out = Vec::new();
    for p in pifs {
        let host = tx.get::<PifRecord>(p.as_str())?.host.clone();
        let live = tx
            .get::<HostRecord>(host.as_str())
            .ok()
            .and_then(|h| tx.get::<HostMetricsRecord>(h.metrics.as_str()).ok())
            .is_none_or(|m| m.live);
        if !live {
            continue;
        }
        // One transaction: a failure on any host undoes them all.
        let vlan = create(tx, p.as_str(), tag, network)?;
        out.push(tx.get::<VlanRecord>(vlan.as_str())?.untagged_pif.clone());
    }
    Ok(out)
}

/// Removes a VLAN and its untagged PIF.
pub fn destroy(tx: &mut Tx<'_>, r: &str) -> Result<(), ApiError> {
    let untagged = tx.get::<VlanRecord>(r)?.untagged_pif.clone();
    let Ok(p) = tx.get::<PifRecord>(untagged.as_str()).cloned() else {
        // An orphaned record.
        return tx.destroy::<VlanRecord>(r);
    };
    assert_not_in_bond(untagged.as_str(), &p)?;
    if p.management {
        return Err(ApiError::PifIsManagementInterface { pif: untagged.to_string() });
    }
    if p.vlan < 0 {
        return Err(ApiError::PifIsPhysical { pif: untagged.to_string() });
    }
    unplug(tx, untagged.as_str())?;
    tx.destroy::<VlanRecord>(r)?;
    tx.update::<PifRecord, _>(untagged.as_str(), |x| {
        x.metrics = Ref::null();
        Ok(())
    })?;
    tx.destroy::<PifRecord>(untagged.as_str())
}

impl VlanServer for Sim {
    async fn create(&self, _ctx: &Ctx, tagged_pif: PifRef, tag: i64, network: NetworkRef) -> Result<VlanRef, ApiError> {
        self.sim_store().write(|tx| create(tx, tagged_pif.as_str(), tag, &network))
    }

    async fn destroy(&self, _ctx: &Ctx, self_: VlanRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| destroy(tx, self_.as_str()))
    }
}
