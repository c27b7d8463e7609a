//! Bond: joining PIFs of one host into a bond (a new master PIF on the
//! network that takes over the members' IP configuration) and undoing it.

use xenapi::{
    ApiError, BondMode, BondRecord, BondRef, BondServer, HostRef, IpConfigurationMode, NetworkRecord, NetworkRef,
    PifRecord, PifRef,
};
use xenapi_rt::types::containers::format_compact;
use xenapi_rt::types::{Map, Str};

use super::pif::{assert_no_other_local_pifs, set_attached};
use crate::sim::{Ctx, Sim};
use crate::store::Tx;
use crate::util::copy_fields;

/// The first free `bondN` device name on the host.
fn device_name(tx: &Tx<'_>, host: &HostRef) -> Str {
    let used: Vec<Str> =
        tx.db().all::<PifRecord>().into_iter().filter(|(_, p)| p.host == *host).map(|(_, p)| p.device).collect();
    (0..).map(|n| format_compact!("bond{n}")).find(|d| !used.contains(d)).unwrap_or_default()
}

/// The IP settings that move between a bond's members and its master.
fn take_ip(from: &PifRecord, to: &mut PifRecord) {
    copy_fields!(to, from;
        ip_configuration_mode, ip, netmask, gateway, dns,
        ipv6_configuration_mode, ipv6, ipv6_gateway, primary_address_type, management);
}

fn clear_ip(p: &mut PifRecord) {
    take_ip(&PifRecord::default(), p);
    p.ip_configuration_mode = IpConfigurationMode::None;
}

fn create(
    tx: &mut Tx<'_>,
    network: &NetworkRef,
    members: &[PifRef],
    mac: &str,
    mode: BondMode,
    properties: Map<Str, Str>,
) -> Result<BondRef, ApiError> {
    let mtu = tx.get::<NetworkRecord>(network.as_str())?.mtu;
    let mut recs = Vec::new();
    for m in members {
        recs.push(tx.get::<PifRecord>(m.as_str())?.clone());
    }
    let Some(first) = recs.first().cloned() else {
        return Err(ApiError::PifBondNeedsMoreMembers);
    };
    for (r, p) in members.iter().zip(&recs) {
        if !p.bond_slave_of.is_null() {
            return Err(ApiError::PifAlreadyBonded { pif: r.to_string() });
        }
        if !p.vlan_master_of.is_null() {
            return Err(ApiError::PifIsVlan { pif: r.to_string() });
        }
        if !p.tunnel_access_pif_of.is_empty() {
            return Err(ApiError::IsTunnelAccessPif { pif: r.to_string() });
        }
    }
    if recs.iter().any(|p| p.host != first.host) {
        return Err(ApiError::PifCannotBondCrossHost);
    }
    assert_no_other_local_pifs(tx, &first.host, network.as_str())?;
    let with_ip: Vec<&PifRecord> =
        recs.iter().filter(|p| p.ip_configuration_mode != IpConfigurationMode::None).collect();
    if with_ip.len() > 1 {
        return Err(ApiError::PifBondMoreThanOneIp);
    }
    // The primary member is the one with the IP configuration (the
    // management interface), else the first.
    let primary = members
        .iter()
        .zip(&recs)
        .find(|(_, p)| p.management)
        .or_else(|| members.iter().zip(&recs).find(|(_, p)| p.ip_configuration_mode != IpConfigurationMode::None));
    let (primary_ref, primary_rec) = primary.unwrap_or((&members[0], &first));
    let mut master = PifRecord {
        device: device_name(tx, &first.host),
        network: network.clone(),
        host: first.host.clone(),
        mac: if mac.is_empty() { primary_rec.mac.clone() } else { mac.into() },
        mtu: if mtu > 0 { mtu } else { primary_rec.mtu },
        vlan: -1,
        physical: false,
        managed: true,
        disallow_unplug: primary_rec.disallow_unplug,
        ..Default::default()
    };
    take_ip(primary_rec, &mut master);
    let master = tx.create(master)?;
    let bond = tx.create(BondRecord {
        master: master.clone(),
        primary_slave: primary_ref.clone(),
        mode,
        properties,
        links_up: members.len() as i64,
        auto_update_mac: mac.is_empty(),
        ..Default::default()
    })?;
    for m in members {
        tx.update::<PifRecord, _>(m.as_str(), |p| {
            p.bond_slave_of = bond.clone();
            clear_ip(p);
            p.currently_attached = false;
            Ok(())
        })?;
    }
    set_attached(tx, master.as_str(), true)?;
    Ok(bond)
}

fn destroy(tx: &mut Tx<'_>, r: &str) -> Result<(), ApiError> {
    let b = tx.get::<BondRecord>(r)?.clone();
    let master = tx.get::<PifRecord>(b.master.as_str())?.clone();
    if !master.vlan_slave_of.is_empty() {
        return Err(ApiError::PifVlanStillExists { pif: b.master.to_string() });
    }
    if !master.tunnel_transport_pif_of.is_empty() {
        return Err(ApiError::PifTunnelStillExists { pif: b.master.to_string() });
    }
    for s in &b.slaves {
        let primary = *s == b.primary_slave;
        tx.update::<PifRecord, _>(s.as_str(), |p| {
            p.bond_slave_of = xenapi_rt::types::Ref::null();
            if primary {
                take_ip(&master, p);
            }
            p.currently_attached = true;
            Ok(())
        })?;
    }
    tx.destroy::<BondRecord>(r)?;
    tx.destroy::<PifRecord>(b.master.as_str())
}

impl BondServer for Sim {
    async fn create(
        &self,
        _ctx: &Ctx,
        network: NetworkRef,
        members: Vec<PifRef>,
        mac: Str,
        mode: BondMode,
        properties: Map<Str, Str>,
    ) -> Result<BondRef, ApiError> {
        self.sim_store().write(|tx| create(tx, &network, &members, &mac, mode, properties))
    }

    async fn destroy(&self, _ctx: &Ctx, self_: BondRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| destroy(tx, self_.as_str()))
    }
}
