//! SSH access to hosts, one host at a time or the whole pool.

use xenapi::{ApiError, HostRecord};
use xenapi_rt::types::DateTime;

use crate::store::Tx;
use crate::util::{now, now_secs};

/// host.enable_ssh: turns SSH on and the automatic mode off; with a
/// timeout set, SSH is due to go off that many seconds from now (the
/// expiry), else it has no expiry (the epoch).
pub fn enable(tx: &mut Tx<'_>, host: &str) -> Result<(), ApiError> {
    let timeout = tx.get::<HostRecord>(host)?.ssh_enabled_timeout;
    let expiry = if timeout == 0 { DateTime::EPOCH } else { DateTime::from_unix(now_secs().saturating_add(timeout)) };
    tx.update::<HostRecord, _>(host, |h| {
        h.ssh_auto_mode = false;
        h.ssh_expiry = expiry;
        h.ssh_enabled = true;
        Ok(())
    })
}

/// host.disable_ssh: SSH off, expired now.
pub fn disable(tx: &mut Tx<'_>, host: &str) -> Result<(), ApiError> {
    tx.update::<HostRecord, _>(host, |h| {
        h.ssh_enabled = false;
        h.ssh_expiry = now();
        Ok(())
    })
}

/// pool.enable_ssh / disable_ssh: the host call on every host, keeping
/// what worked. Returns the hosts where it failed (one that is not live
/// cannot be reached), which xapi names in its error.
pub fn on_every_host(
    tx: &mut Tx<'_>,
    call: fn(&mut Tx<'_>, &str) -> Result<(), ApiError>,
) -> Result<Vec<String>, ApiError> {
    let hosts = tx.db().all::<HostRecord>();
    let mut failed = Vec::new();
    for (h, _) in hosts {
        if !super::placement::is_live(tx, h.as_str()) || call(tx, h.as_str()).is_err() {
            failed.push(h.to_string());
        }
    }
    Ok(failed)
}
