//! The direct JSON-RPC reply reader against serde_json: on records of
//! every shape, on mutated replies and on hostile ones, `decode_response`
//! (the direct reader, falling back to serde_json for what it turns down)
//! and `decode_response_serde_json` (serde_json alone) give the same
//! answer, and bad input is a typed error, never a panic.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use proptest::prelude::*;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::value::RawValue;
use xenapi_rt::jsonrpc::{self, Version};
use xenapi_rt::types::{DateTime, Float};
use xenapi_rt::{CallError, Limits, WireError};

/// Both decoders' answers, as text (Debug shows NaN as NaN, so records
/// holding one compare equal).
fn both<T: DeserializeOwned + std::fmt::Debug>(body: &[u8]) -> (String, String) {
    let direct = jsonrpc::decode_response::<T>(body);
    let thorough = jsonrpc::decode_response_serde_json::<T>(body, &Limits::default());
    (format!("{direct:?}"), format!("{thorough:?}"))
}

fn agree<T: DeserializeOwned + std::fmt::Debug>(body: &[u8]) -> Result<(), TestCaseError> {
    let (direct, thorough) = both::<T>(body);
    prop_assert_eq!(direct, thorough, "on {}", String::from_utf8_lossy(body));
    Ok(())
}

fn power_state() -> impl Strategy<Value = PowerState> {
    prop::sample::select(vec![
        PowerState::Halted,
        PowerState::Paused,
        PowerState::Running,
        PowerState::Suspended,
        PowerState::Unknown,
    ])
}

/// Text with escapes of every kind: quotes, backslashes, controls,
/// non-ASCII and astral characters (surrogate pairs once escaped).
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9:_ -]{0,24}",
        "\\PC{0,16}",
        prop::collection::vec(any::<char>(), 0..12).prop_map(|v| v.into_iter().collect()),
        Just("OpaqueRef:NULL".to_string()),
        Just("NaN".to_string()),
    ]
}

fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(-0.0),
        Just(5e-324),
        Just(f64::MAX),
        (any::<i32>(), -30i32..30).prop_map(|(m, e)| f64::from(m) * 10f64.powi(e)),
    ]
}

fn vm() -> impl Strategy<Value = VmRecord> {
    let dates = prop::sample::select(vec!["20240420T12:00:00Z", "19700101T00:00:00Z", "20991231T23:59:59Z"]);
    (
        (text(), text(), power_state(), any::<i64>(), float(), any::<bool>(), dates),
        (
            prop::collection::vec(text(), 0..4),
            prop::collection::btree_set(power_state(), 0..3),
            prop::collection::btree_map(text(), text(), 0..4),
            prop::collection::btree_map(any::<i64>(), float().prop_map(Float), 0..4),
            prop::collection::btree_map(power_state(), any::<i64>(), 0..3),
            prop::collection::btree_map(text(), prop::collection::btree_map(text(), text(), 0..3), 0..3),
            text(),
            prop::option::of(text()),
        ),
    )
        .prop_map(|((uuid, name_label, power_state, vcpus_max, memory_ratio, is_a_template, date), rest)| {
            let (tags, allowed, other_config, utilisation, power_counts, nested, affinity, suspend_sr) = rest;
            VmRecord {
                uuid,
                name_label,
                power_state,
                vcpus_max,
                memory_ratio,
                is_a_template,
                last_booted: DateTime::parse(date).expect("sample date"),
                tags,
                allowed_operations: allowed,
                other_config,
                vcpus_utilisation: utilisation,
                power_counts,
                nested,
                affinity: Ref(affinity),
                suspend_sr: suspend_sr.map(Ref),
            }
        })
}

type Records = BTreeMap<String, VmRecord>;

/// A reply carrying `value`, written compactly or spread out with
/// whitespace, in either version.
fn reply<T: serde::Serialize>(value: &T, version: Version, pretty: bool) -> Vec<u8> {
    let id = RawValue::from_string("7".into()).unwrap();
    let compact = jsonrpc::encode_success(version, &id, value).unwrap();
    if !pretty {
        return compact;
    }
    let tree: serde_json::Value = serde_json::from_slice(&compact).unwrap();
    let mut text = serde_json::to_vec_pretty(&tree).unwrap();
    // Whitespace the pretty printer never writes: tabs and CRs.
    text.splice(0..0, *b"\r\n\t ");
    text.extend_from_slice(b" \t\r\n");
    text
}

/// `body` with each quoted non-finite word written bare, as Python's
/// `json` module does.
fn python_floats(body: &[u8]) -> Vec<u8> {
    let text = String::from_utf8(body.to_vec()).unwrap();
    text.replace(r#""NaN""#, "NaN")
        .replace(r#""-Infinity""#, "-Infinity")
        .replace(r#""Infinity""#, "Infinity")
        .into_bytes()
}

/// A small JSON-oriented mutation: set, delete or insert bytes, or cut.
fn mutate(mut doc: Vec<u8>, (op, at, what): (u8, usize, Vec<u8>)) -> Vec<u8> {
    if doc.is_empty() {
        return what;
    }
    let at = at % doc.len();
    match op % 4 {
        0 => doc[at] = what.first().copied().unwrap_or(b'x'),
        1 => {
            let end = (at + what.len()).min(doc.len());
            doc.drain(at..end);
        }
        2 => {
            doc.splice(at..at, what);
        }
        _ => doc.truncate(at),
    }
    doc
}

fn mutation() -> impl Strategy<Value = (u8, usize, Vec<u8>)> {
    let pieces = prop::sample::select(vec![
        &b"\""[..],
        b"\\",
        b"\\u",
        b"\\ud800",
        b"\\udc00",
        b"\\u00e9",
        b"{",
        b"}",
        b"[",
        b"]",
        b":",
        b",",
        b"-",
        b"0",
        b"1e400",
        b"99999999999999999999999",
        b".",
        b"e",
        b"null",
        b"true",
        b"NaN",
        b"-Infinity",
        b"\x01",
        b"\xff",
        b"\xc3",
        b" ",
        b"\"result\":",
        b"\"error\":[\"X\"]",
        b"[[[[[[[[",
    ]);
    (any::<u8>(), any::<usize>(), prop::collection::vec(pieces, 1..3).prop_map(|v| v.concat()))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn records_decode_as_serde_json_decodes_them(
        records in prop::collection::btree_map("[a-zA-Z0-9:]{0,20}", vm(), 0..4),
        v2 in any::<bool>(),
        pretty in any::<bool>(),
    ) {
        let version = if v2 { Version::V2 } else { Version::V1 };
        let body = reply(&records, version, pretty);
        let direct: Records = jsonrpc::decode_response(&body).unwrap();
        let thorough: Records = jsonrpc::decode_response_serde_json(&body, &Limits::default()).unwrap();
        prop_assert_eq!(format!("{direct:?}"), format!("{thorough:?}"));
        // And both give back what was sent.
        prop_assert_eq!(direct.len(), records.len());
        for (k, vm) in &records {
            prop_assert_eq!(format!("{:?}", direct[k]), format!("{vm:?}"));
        }
        // Python-style bare non-finite floats read the same way.
        let python = python_floats(&body);
        let direct: Records = jsonrpc::decode_response(&python).unwrap();
        prop_assert_eq!(format!("{direct:?}"), format!("{thorough:?}"));
    }

    #[test]
    fn mutated_replies_get_the_same_answer(
        records in prop::collection::btree_map("[a-z]{0,4}", vm(), 0..2),
        pretty in any::<bool>(),
        muts in prop::collection::vec(mutation(), 1..4),
    ) {
        let mut body = reply(&records, Version::V2, pretty);
        for m in muts {
            body = mutate(body, m);
        }
        agree::<Records>(&body)?;
        agree::<serde_json::Value>(&body)?;
        agree::<IgnoredAny>(&body)?;
        agree::<Option<Vec<(i64, f64, String)>>>(&body)?;
    }

    #[test]
    fn numbers_decode_as_serde_json_decodes_them(
        text in prop_oneof![
            any::<f64>().prop_map(|f| format!("{f:e}")),
            any::<f64>().prop_map(|f| format!("{f}")),
            any::<i64>().prop_map(|n| n.to_string()),
            any::<u64>().prop_map(|n| n.to_string()),
            "-?(0|[1-9][0-9]{0,30})(\\.[0-9]{1,30})?([eE][+-]?[0-9]{1,3})?",
        ],
    ) {
        let body = format!(r#"{{"result":[{text}],"error":null,"id":1}}"#);
        agree::<Vec<f64>>(body.as_bytes())?;
        agree::<Vec<i64>>(body.as_bytes())?;
        agree::<Vec<u64>>(body.as_bytes())?;
        agree::<Vec<Float>>(body.as_bytes())?;
        agree::<serde_json::Value>(body.as_bytes())?;
        // The same number as a map key (serde_json reads quoted keys as
        // numbers for integer and float key types).
        let body = format!(r#"{{"result":{{"{text}":true}},"error":null,"id":1}}"#);
        agree::<BTreeMap<i64, bool>>(body.as_bytes())?;
        agree::<BTreeMap<u8, bool>>(body.as_bytes())?;
        agree::<BTreeMap<String, bool>>(body.as_bytes())?;
    }

    #[test]
    fn random_text_gets_the_same_answer(body in "[\\[\\]{}\":,0-9a-z\\\\ .eE+-]{0,60}") {
        let body = format!(r#"{{"result":{body},"error":null,"id":1}}"#);
        agree::<serde_json::Value>(body.as_bytes())?;
        agree::<Vec<String>>(body.as_bytes())?;
        agree::<BTreeSet<String>>(body.as_bytes())?;
    }
}

/// Replies no decoder should accept; each must come back as a decode
/// error (not a panic, not a failure).
#[test]
fn hostile_replies_are_typed_errors() {
    let deep = format!(r#"{{"result":{}1{},"id":1}}"#, "[".repeat(100_000), "]".repeat(100_000));
    let deep_unclosed = format!(r#"{{"result":{}"#, "[{\"a\":".repeat(50_000));
    let long_int = format!(r#"{{"result":{},"id":1}}"#, "9".repeat(400));
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("deep nesting", deep.into_bytes()),
        ("deep, unclosed", deep_unclosed.into_bytes()),
        ("huge exponent", br#"{"result":1e400,"id":1}"#.to_vec()),
        ("huge negative", br#"{"result":-1e400,"id":1}"#.to_vec()),
        ("400 digits", long_int.into_bytes()),
        ("int beyond i64", br#"{"result":-9223372036854775809,"id":1}"#.to_vec()),
        ("invalid escape", br#"{"result":"a\x","id":1}"#.to_vec()),
        ("short \\u", br#"{"result":"\u12","id":1}"#.to_vec()),
        ("non-hex \\u", br#"{"result":"\uZZZZ","id":1}"#.to_vec()),
        ("lone high surrogate", br#"{"result":"\ud800","id":1}"#.to_vec()),
        ("high surrogate, no low", br#"{"result":"\ud800\u0041","id":1}"#.to_vec()),
        ("lone low surrogate", br#"{"result":"\udc00x","id":1}"#.to_vec()),
        ("raw control character", b"{\"result\":\"a\x01b\",\"id\":1}".to_vec()),
        ("invalid UTF-8", b"{\"result\":\"\xff\",\"id\":1}".to_vec()),
        ("unterminated string", br#"{"result":"abc"#.to_vec()),
        ("trailing comma", br#"{"result":["a",],"id":1}"#.to_vec()),
        ("leading zero", br#"{"result":01,"id":1}"#.to_vec()),
        ("bare minus", br#"{"result":-,"id":1}"#.to_vec()),
        ("fraction without digits", br#"{"result":1.,"id":1}"#.to_vec()),
        ("trailing text", br#"{"result":"a","id":1} x"#.to_vec()),
        ("NaN-ish word", br#"{"result":Nan,"id":1}"#.to_vec()),
    ];
    for (what, body) in &cases {
        let direct = jsonrpc::decode_response::<String>(body);
        assert!(matches!(direct, Err(CallError::Decode(_))), "{what}: {direct:?}");
        let (direct, thorough) = both::<String>(body);
        assert_eq!(direct, thorough, "{what}");
    }
    // Every prefix of a real reply is an error too.
    let full = reply(&BTreeMap::from([("OpaqueRef:a".to_string(), common::sample_vm())]), Version::V2, false);
    for cut in 0..full.len() {
        let direct = jsonrpc::decode_response::<Records>(&full[..cut]);
        assert!(matches!(direct, Err(CallError::Decode(_))), "cut at {cut}: {direct:?}");
    }
}

/// Limits hold on the direct path as on the serde_json one: the depth
/// allowance (`max_depth` plus two levels for the envelope, as
/// requests have an object and a params array) admits four arrays in a
/// reply's result at `max_depth` 3, and refuses five.
#[test]
fn the_depth_limit_holds() {
    let limits = Limits { max_depth: 3, ..Limits::default() };
    let ok = br#"{"result":[[[[1]]]],"id":1}"#;
    let too_deep = br#"{"result":[[[[[1]]]]],"id":1}"#;
    let v: Vec<Vec<Vec<Vec<i64>>>> = jsonrpc::decode_response_with_limits(ok, &limits).unwrap();
    assert_eq!(v, vec![vec![vec![vec![1]]]]);
    let e = jsonrpc::decode_response_with_limits::<serde_json::Value>(too_deep, &limits).unwrap_err();
    assert!(matches!(e, CallError::Decode(WireError::TooDeep(3))), "{e:?}");
    let e = jsonrpc::decode_response_serde_json::<serde_json::Value>(too_deep, &limits).unwrap_err();
    assert!(matches!(e, CallError::Decode(WireError::TooDeep(3))), "{e:?}");
}
