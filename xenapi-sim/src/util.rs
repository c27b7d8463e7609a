//! Small helpers: fresh references and UUIDs, the time.

use std::time::{SystemTime, UNIX_EPOCH};

/// `copy_fields!(to, from; a, b, c)` sets `to.a = from.a.clone()` and so
/// on: the settings that move from one record to another of its class.
macro_rules! copy_fields {
    ($to:expr, $from:expr; $($field:ident),+ $(,)?) => {
        $($to.$field = ::std::clone::Clone::clone(&$from.$field);)+
    };
}
pub(crate) use copy_fields;

/// A random (version 4) UUID, lower case with hyphens as xapi writes it.
pub fn new_uuid() -> String {
    uuid::Uuid::new_v4().to_string()
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
