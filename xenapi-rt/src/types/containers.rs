//! The string and map types generated code uses for API values it owns:
//! record fields, message results and the parameters a server receives.
//! Client methods keep taking `&str` and borrowed maps.
//!
//! Decoding a record is mostly allocating: a VM record holds some forty
//! strings, and most are short (enum-like words, numbers, UUIDs, names).
//! [`Str`] keeps up to 24 bytes inline (the size of a `String`), so those
//! need no heap block to build or to free; longer ones take one block,
//! as a `String` would. It derefs to `&str`, compares with `&str` and
//! `String`, displays, converts from `&str` and `String`, and (de)serializes
//! as a plain string. Use `.into()` or [`Str::from`] where a `String` used
//! to go, and `format_compact!` (re-exported here) to format straight
//! into one.
//!
//! [`Map`] is a hash map. The map types measured before choosing it, on
//! maps shaped like a VM's `platform` and `other_config` (9, 5 and 1
//! short entries, 1,000 records, JSON, decode and free), with `Str` keys
//! and values:
//!
//! | map type | allocations per map | time |
//! |---|---|---|
//! | `HashMap<Str, Str>` | 2.7 | 1.81 ms |
//! | `BTreeMap<Str, Str>` | 1.7 | 1.64 ms |
//! | sorted vector (`litemap`) | 3.3 | 1.43 ms |
//! | insertion-ordered vector (`vecmap-rs`) | 2.7 | 1.21 ms |
//! | `HashMap<String, String>` (before) | 12.0 | 3.37 ms |
//!
//! Almost all of that gain is in the strings. The vector maps are a
//! little faster but no cheaper in allocations (they grow while filled as
//! a hash table does, and the sorted one sorts through a second buffer),
//! and the insertion-ordered one checks each new key against every
//! earlier one, so a hostile request with a million keys would take
//! quadratic time. A hash map keeps the API every caller already uses
//! (`entry`, `get`, `insert`, iteration), so [`Map`] is one: a thin
//! wrapper around `HashMap` that hashes with foldhash instead of SipHash
//! and, when decoded, allocates its table once at the size read instead
//! of growing it (see [`Map`] and [`exact`](super::exact), which does the
//! same for sets). That brings the blocks allocated while decoding the
//! benchmark's 1,000 VMs from JSON down from 51.9 to 46.6 per VM, exactly
//! the blocks the records keep (`tests/tests/record_allocs.rs` holds it
//! there).

/// A string that keeps up to 24 bytes inline; see the module docs.
pub type Str = compact_str::CompactString;

pub use super::map::{Map, MapState};

pub use compact_str::{format_compact, ToCompactString};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn str_reads_as_a_string() {
        let s: Str = "Running".into();
        assert_eq!(s, "Running");
        assert_eq!(&*s, "Running");
        assert_eq!(s.len(), 7);
        assert_eq!(format!("<{s}>"), "<Running>");
        assert_eq!(Str::from(String::from("x")), "x");
        assert!(!s.is_heap_allocated());
        let long = Str::from("a name that does not fit in twenty-four bytes");
        assert!(long.is_heap_allocated());
        assert!(!Str::default().is_heap_allocated());
    }

    #[test]
    fn str_round_trips_through_serde_as_a_plain_string() {
        let s: Str = serde_json::from_str("\"vm-0001\"").expect("decodes");
        assert_eq!(s, "vm-0001");
        assert_eq!(serde_json::to_string(&s).expect("encodes"), "\"vm-0001\"");
        let m: Map<Str, Str> = serde_json::from_str(r#"{"viridian":"true"}"#).expect("decodes");
        assert_eq!(m.get("viridian").map(Str::as_str), Some("true"));
    }
}
