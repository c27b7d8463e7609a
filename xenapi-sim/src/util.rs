//! Small helpers: fresh references and UUIDs, the time.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// 64 random-looking bits: a per-process random key hashed with a counter.
fn random_u64() -> u64 {
    thread_local! {
        static STATE: RandomState = RandomState::new();
    }
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    STATE.with(|s| {
        let mut h = s.build_hasher();
        h.write_u64(n);
        h.write_u128(SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0));
        h.finish()
    })
}

/// A random (version 4) UUID.
pub fn new_uuid() -> String {
    let (a, b) = (random_u64(), random_u64());
    let bytes: Vec<u8> = a.to_be_bytes().into_iter().chain(b.to_be_bytes()).collect();
    let mut b16 = [0u8; 16];
    b16.copy_from_slice(&bytes);
    b16[6] = (b16[6] & 0x0f) | 0x40;
    b16[8] = (b16[8] & 0x3f) | 0x80;
    let hex: String = b16.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

/// A fresh object reference, `OpaqueRef:` and a UUID, as xapi makes them.
pub fn new_ref() -> String {
    format!("OpaqueRef:{}", new_uuid())
}

/// Seconds since the epoch.
pub fn now_secs() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// The current time as the API's datetime.
pub fn now() -> xenapi_rt::types::DateTime {
    xenapi_rt::types::DateTime::now()
}
