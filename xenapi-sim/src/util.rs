//! Small helpers: fresh references and UUIDs, the time.

use std::time::{SystemTime, UNIX_EPOCH};

use xenapi::ApiError;
use xenapi_rt::types::containers::format_compact;
use xenapi_rt::types::Str;

/// `copy_fields!(to, from; a, b, c)` sets `to.a = from.a.clone()` and so
/// on: the settings that move from one record to another of its class.
macro_rules! copy_fields {
    ($to:expr, $from:expr; $($field:ident),+ $(,)?) => {
        $($to.$field = ::std::clone::Clone::clone(&$from.$field);)+
    };
}
pub(crate) use copy_fields;

/// A random (version 4) UUID, lower case with hyphens as xapi writes it.
pub fn new_uuid() -> Str {
    let mut buf = uuid::Uuid::encode_buffer();
    Str::from(&*uuid::Uuid::new_v4().hyphenated().encode_lower(&mut buf))
}

/// A locally administered MAC address made from a fresh UUID.
pub fn new_mac() -> Str {
    let u = new_uuid().replace('-', "");
    format_compact!("02:{}:{}:{}:{}:{}", &u[0..2], &u[2..4], &u[4..6], &u[6..8], &u[8..10])
}

/// A fresh object reference, `OpaqueRef:` and a UUID, as xapi makes them.
pub fn new_ref() -> String {
    format!("OpaqueRef:{}", new_uuid())
}

/// `s` in ASCII lower case.
pub fn ascii_lower(s: &str) -> Str {
    let mut out = Str::from(s);
    out.make_ascii_lowercase();
    out
}

/// An error as a task's or record's `error_info`: the code, then its
/// parameters.
pub fn error_info(e: &ApiError) -> Vec<Str> {
    std::iter::once(e.code()).chain(e.params()).map(Str::from).collect()
}

/// Seconds since the epoch.
pub fn now_secs() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// The current time as the API's datetime.
pub fn now() -> xenapi_rt::types::DateTime {
    xenapi_rt::types::DateTime::now()
}
