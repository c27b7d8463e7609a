//! Small helpers: fresh references, UUIDs and MAC addresses, lower-case
//! names, errors as `error_info`, the time.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_uuids_and_macs_have_xapis_shape() {
        let u = new_uuid();
        assert_eq!(u.len(), 36);
        assert!(u.split('-').map(str::len).eq([8, 4, 4, 4, 12]), "{u}");
        assert!(u.chars().all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c)), "{u}");
        assert_ne!(new_uuid(), u);
        let m = new_mac();
        assert!(m.starts_with("02:") && m.len() == 17, "{m}");
        assert!(m.split(':').all(|b| b.len() == 2 && b.chars().all(|c| c.is_ascii_hexdigit())), "{m}");
        let r = new_ref();
        assert_eq!(r.strip_prefix("OpaqueRef:").map(str::len), Some(36), "{r}");
    }

    #[test]
    fn error_info_is_the_code_then_the_parameters() {
        let e =
            ApiError::VmBadPowerState { vm: "OpaqueRef:a".into(), expected: "halted".into(), actual: "running".into() };
        assert_eq!(error_info(&e), ["VM_BAD_POWER_STATE", "OpaqueRef:a", "halted", "running"]);
        assert_eq!(error_info(&e), e.to_description());
        assert_eq!(error_info(&ApiError::HaNotEnabled), ["HA_NOT_ENABLED"]);
    }

    #[test]
    fn ascii_lower_leaves_other_characters_alone() {
        assert_eq!(ascii_lower("VM_guest_metrics"), "vm_guest_metrics");
        assert_eq!(ascii_lower("SR \u{c9}"), "sr \u{c9}");
        assert_eq!(ascii_lower(""), "");
    }
}
