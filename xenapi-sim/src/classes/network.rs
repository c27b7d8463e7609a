//! network: purposes (NBD serving), which are exclusive across the pool.

use xenapi::{ApiError, NetworkPurpose, NetworkRecord, NetworkRef, NetworkServer};

use crate::sim::{Ctx, Sim};

/// The purpose no network may hold while another holds `p`.
fn conflicting(p: &NetworkPurpose) -> Option<NetworkPurpose> {
    match p {
        NetworkPurpose::Nbd => Some(NetworkPurpose::InsecureNbd),
        NetworkPurpose::InsecureNbd => Some(NetworkPurpose::Nbd),
        NetworkPurpose::Unknown(_) => None,
    }
}

impl NetworkServer for Sim {
    async fn add_purpose(&self, _ctx: &Ctx, self_: NetworkRef, value: NetworkPurpose) -> Result<(), ApiError> {
        self.sim_store().write(|tx| {
            tx.get::<NetworkRecord>(self_.as_str())?;
            if let Some(bad) = conflicting(&value) {
                if tx.db().all::<NetworkRecord>().iter().any(|(_, n)| n.purpose.contains(&bad)) {
                    return Err(ApiError::NetworkIncompatiblePurposes {
                        new_purpose: value.as_str().to_string(),
                        conflicting_purpose: bad.as_str().to_string(),
                    });
                }
            }
            if tx.get::<NetworkRecord>(self_.as_str())?.purpose.contains(&value) {
                return Ok(());
            }
            tx.update::<NetworkRecord, _>(self_.as_str(), |n| {
                n.purpose.push(value);
                Ok(())
            })
        })
    }
}
