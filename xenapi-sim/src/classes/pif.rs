//! PIF: plug, unplug, IP reconfiguration, forget, scan (which finds
//! forgotten physical interfaces again) and `disallow_unplug`.

use std::collections::HashMap;
use std::sync::Mutex;

use xenapi::{
    ApiError, HostRecord, HostRef, IpConfigurationMode as V4, Ipv6ConfigurationMode as V6, PifMetricsRecord, PifRecord,
    PifRef, PifServer, PrimaryAddressType, TunnelRecord,
};
use xenapi_rt::types::{Ref, Str};

use super::{assert_cidr, assert_ip, Family};
use crate::sim::{Ctx, Sim};
use crate::store::Tx;

/// Physical interfaces forgotten with PIF.forget, by host reference:
/// the hardware is still there, so PIF.scan finds them again.
static FORGOTTEN: Mutex<Vec<(String, PifRecord)>> = Mutex::new(Vec::new());
/// At most this many forgotten interfaces are remembered.
const MAX_FORGOTTEN: usize = 1024;

/// PIF_UNMANAGED unless xapi manages the interface.
fn assert_managed(r: &str, p: &PifRecord) -> Result<(), ApiError> {
    if p.managed {
        Ok(())
    } else {
        Err(ApiError::PifUnmanaged { pif: r.to_string() })
    }
}

fn assert_not_management(r: &str, p: &PifRecord) -> Result<(), ApiError> {
    if p.management {
        Err(ApiError::PifIsManagementInterface { pif: r.to_string() })
    } else {
        Ok(())
    }
}

/// PIF_ALREADY_BONDED for a bond member or a bond's master.
pub(crate) fn assert_not_in_bond(r: &str, p: &PifRecord) -> Result<(), ApiError> {
    if !p.bond_slave_of.is_null() || !p.bond_master_of.is_empty() {
        Err(ApiError::PifAlreadyBonded { pif: r.to_string() })
    } else {
        Ok(())
    }
}

/// NETWORK_ALREADY_CONNECTED when the host has a PIF on the network.
pub(crate) fn assert_no_other_local_pifs(tx: &Tx<'_>, host: &HostRef, network: &str) -> Result<(), ApiError> {
    let net = tx.get::<xenapi::NetworkRecord>(network)?;
    for p in &net.pifs {
        if tx.get::<PifRecord>(p.as_str()).is_ok_and(|x| x.host == *host) {
            return Err(ApiError::NetworkAlreadyConnected { network: host.to_string(), connected_pif: p.to_string() });
        }
    }
    Ok(())
}

pub(crate) fn set_attached(tx: &mut Tx<'_>, r: &str, on: bool) -> Result<(), ApiError> {
    if tx.get::<PifRecord>(r)?.currently_attached == on {
        return Ok(());
    }
    tx.update::<PifRecord, _>(r, |p| {
        p.currently_attached = on;
        Ok(())
    })
}

/// Brings an interface up, with the transport of a tunnel.
pub(crate) fn plug(tx: &mut Tx<'_>, r: &str) -> Result<(), ApiError> {
    let p = tx.get::<PifRecord>(r)?.clone();
    assert_managed(r, &p)?;
    for t in &p.tunnel_access_pif_of {
        let transport = tx.get::<TunnelRecord>(t.as_str())?.transport_pif.clone();
        if tx.get::<PifRecord>(transport.as_str())?.ip_configuration_mode == V4::None {
            return Err(ApiError::TransportPifNotConfigured { pif: transport.to_string() });
        }
        plug(tx, transport.as_str())?;
    }
    if !p.bond_slave_of.is_null() {
        return Err(ApiError::CannotPlugBondSlave { pif: r.to_string() });
    }
    set_attached(tx, r, true)
}

/// Takes an interface down, with the tunnels that run over it.
pub(crate) fn unplug(tx: &mut Tx<'_>, r: &str) -> Result<(), ApiError> {
    let p = tx.get::<PifRecord>(r)?.clone();
    assert_managed(r, &p)?;
    assert_not_management(r, &p)?;
    if p.disallow_unplug {
        return Err(ApiError::PifDoesNotAllowUnplug { pif: r.to_string() });
    }
    for t in &p.tunnel_transport_pif_of {
        let access = tx.get::<TunnelRecord>(t.as_str())?.access_pif.clone();
        unplug(tx, access.as_str())?;
    }
    if p.bond_slave_of.is_null() {
        set_attached(tx, r, false)?;
    }
    Ok(())
}

/// Keeps the DNS servers of the other address family and puts these
/// first.
fn merge_dns(new: &str, old: &str, family: Family) -> Str {
    let is_v6 = |s: &str| s.contains(':');
    let keep = |s: &&str, fam: Family| !s.is_empty() && (is_v6(s) == (fam == Family::V6));
    let other = if family == Family::V4 { Family::V6 } else { Family::V4 };
    let mine = new.split(',').map(str::trim).filter(|s| keep(s, family));
    let theirs = old.split(',').map(str::trim).filter(|s| keep(s, other));
    mine.chain(theirs).collect::<Vec<_>>().join(",").into()
}

impl PifServer for Sim {
    async fn plug(&self, _ctx: &Ctx, self_: PifRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| plug(tx, self_.as_str()))
    }

    async fn unplug(&self, _ctx: &Ctx, self_: PifRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| unplug(tx, self_.as_str()))
    }

    async fn reconfigure_ip(
        &self,
        _ctx: &Ctx,
        self_: PifRef,
        mode: V4,
        ip: Str,
        netmask: Str,
        gateway: Str,
        dns: Str,
    ) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            let p = tx.get::<PifRecord>(self_.as_str())?.clone();
            assert_managed(self_.as_str(), &p)?;
            if mode == V4::Static {
                assert_ip(Family::V4, "IP", &ip)?;
                assert_ip(Family::V4, "netmask", &netmask)?;
            }
            for (param, value) in [("IP", &ip), ("netmask", &netmask), ("gateway", &gateway)] {
                if !value.is_empty() {
                    assert_ip(Family::V4, param, value)?;
                }
            }
            if p.management && mode == V4::None && p.primary_address_type == PrimaryAddressType::IPv4 {
                return Err(ApiError::PifIsManagementInterface { pif: self_.to_string() });
            }
            let dns = merge_dns(&dns, &p.dns, Family::V4);
            tx.update::<PifRecord, _>(self_.as_str(), |x| {
                x.ip_configuration_mode = mode;
                x.ip = ip;
                x.netmask = netmask;
                x.gateway = gateway;
                x.dns = dns;
                Ok(())
            })
        })
    }

    async fn reconfigure_ipv6(
        &self,
        _ctx: &Ctx,
        self_: PifRef,
        mode: V6,
        ipv6: Str,
        gateway: Str,
        dns: Str,
    ) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            let p = tx.get::<PifRecord>(self_.as_str())?.clone();
            assert_managed(self_.as_str(), &p)?;
            if !gateway.is_empty() {
                assert_ip(Family::V6, "gateway", &gateway)?;
            }
            if !ipv6.is_empty() {
                assert_cidr(Family::V6, "IPv6", &ipv6)?;
            }
            if p.management && mode == V6::None && p.primary_address_type == PrimaryAddressType::IPv6 {
                return Err(ApiError::PifIsManagementInterface { pif: self_.to_string() });
            }
            let dns = merge_dns(&dns, &p.dns, Family::V6);
            tx.update::<PifRecord, _>(self_.as_str(), |x| {
                x.ipv6_configuration_mode = mode;
                x.ipv6_gateway = gateway;
                x.ipv6 = vec![ipv6];
                x.dns = dns;
                Ok(())
            })
        })
    }

    async fn forget(&self, _ctx: &Ctx, self_: PifRef) -> Result<(), ApiError> {
        let forgotten = self.sim_store().write(|tx| {
            let r = self_.as_str();
            let p = tx.get::<PifRecord>(r)?.clone();
            assert_not_management(r, &p)?;
            assert_not_in_bond(r, &p)?;
            if !p.vlan_slave_of.is_empty() {
                return Err(ApiError::PifVlanStillExists { pif: r.to_string() });
            }
            if !p.tunnel_access_pif_of.is_empty() || !p.tunnel_transport_pif_of.is_empty() {
                return Err(ApiError::PifTunnelStillExists { pif: r.to_string() });
            }
            let shared = tx.db().all::<PifRecord>().iter().any(|(o, x)| o.as_str() != r && x.metrics == p.metrics);
            if !p.metrics.is_null() && !shared && tx.get::<PifMetricsRecord>(p.metrics.as_str()).is_ok() {
                tx.destroy::<PifMetricsRecord>(p.metrics.as_str())?;
            }
            tx.destroy::<PifRecord>(r)?;
            Ok(p)
        })?;
        if forgotten.physical {
            let mut f = FORGOTTEN.lock().unwrap_or_else(|e| e.into_inner());
            if f.len() >= MAX_FORGOTTEN {
                f.remove(0);
            }
            f.push((forgotten.host.to_string(), forgotten));
        }
        Ok(())
    }

    async fn scan(&self, _ctx: &Ctx, host: HostRef) -> Result<(), ApiError> {
        let mut found: Vec<PifRecord> = Vec::new();
        {
            let mut f = FORGOTTEN.lock().unwrap_or_else(|e| e.into_inner());
            f.retain(|(h, p)| {
                if h == host.as_str() {
                    found.push(p.clone());
                    false
                } else {
                    true
                }
            });
        }
        let result = self.sim_store().write(|tx| {
            tx.get::<HostRecord>(host.as_str())?;
            let mut present: HashMap<Str, ()> = HashMap::new();
            for (_, p) in tx.db().all::<PifRecord>() {
                if p.host == host && p.physical {
                    present.insert(p.device.clone(), ());
                }
            }
            for p in &found {
                if present.contains_key(&p.device) || tx.get::<xenapi::NetworkRecord>(p.network.as_str()).is_err() {
                    continue;
                }
                // Found again as xapi introduces an interface: unplugged,
                // with no IP configuration.
                let metrics = tx.create(PifMetricsRecord::default())?;
                tx.create(PifRecord {
                    uuid: Str::default(),
                    metrics,
                    currently_attached: false,
                    management: false,
                    ip_configuration_mode: V4::None,
                    ip: Str::default(),
                    netmask: Str::default(),
                    gateway: Str::default(),
                    bond_slave_of: Ref::null(),
                    bond_master_of: Vec::new(),
                    vlan_master_of: Ref::null(),
                    vlan_slave_of: Vec::new(),
                    tunnel_access_pif_of: Vec::new(),
                    tunnel_transport_pif_of: Vec::new(),
                    sriov_physical_pif_of: Vec::new(),
                    sriov_logical_pif_of: Vec::new(),
                    ..p.clone()
                })?;
            }
            Ok(())
        });
        if result.is_err() {
            // Nothing was introduced: remember them for the next scan.
            let mut f = FORGOTTEN.lock().unwrap_or_else(|e| e.into_inner());
            f.extend(found.into_iter().map(|p| (host.to_string(), p)));
        }
        result
    }

    async fn set_disallow_unplug(&self, _ctx: &Ctx, self_: PifRef, value: bool) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            if tx.get::<PifRecord>(self_.as_str())?.disallow_unplug == value {
                return Ok(());
            }
            tx.update::<PifRecord, _>(self_.as_str(), |p| {
                p.disallow_unplug = value;
                Ok(())
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_of_the_other_family_is_kept() {
        assert_eq!(merge_dns("8.8.8.8, 1.1.1.1", "9.9.9.9,2001:db8::1", Family::V4), "8.8.8.8,1.1.1.1,2001:db8::1");
        assert_eq!(merge_dns("2001:db8::2", "9.9.9.9,2001:db8::1", Family::V6), "2001:db8::2,9.9.9.9");
        assert_eq!(merge_dns("", "", Family::V4), "");
    }
}
