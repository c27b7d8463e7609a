//! The codec benchmarks, shared by the `codec` bench (system allocator)
//! and `codec_mimalloc` (mimalloc as the global allocator).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, Throughput};

/// The codec benchmarks; group names start with `prefix`.
///
/// Decoding and freeing the decoded records are timed apart (`decode`
/// and `free`): freeing 1,000 records takes about as long in Rust as in
/// Python (some 6 ms each), so timing them together would measure the
/// allocator's `free` as much as the decoder. The driver times Python the
/// same two ways and also prints the sums.
pub fn run(c: &mut Criterion, prefix: &str) {
    let data = super::build(super::VM_COUNT);
    println!(
        "data: {} VMs, XML-RPC reply {} bytes, JSON-RPC reply {} bytes",
        super::VM_COUNT,
        data.xml.len(),
        data.json.len()
    );
    if let Some(dir) = super::data_dir() {
        super::write_files(&data, &dir).expect("write the benchmark data");
    }
    if let Ok(count) = std::env::var("XENAPI_BENCH_ROUNDS") {
        let count: usize = count.parse().expect("XENAPI_BENCH_ROUNDS is a number of runs");
        rounds(count, &data);
        std::process::exit(0);
    }
    let records = super::decode_xml(&data.xml);
    if let Ok(op) = std::env::var("XENAPI_BENCH_ONCE") {
        println!("{op}: {}", black_box(once(&op, &data, &records)));
        std::process::exit(0);
    }
    let ids = serde_json::value::RawValue::from_string("1".into()).expect("raw id");

    let mut g = c.benchmark_group(format!("{prefix}xmlrpc"));
    g.throughput(Throughput::Bytes(data.xml.len() as u64));
    // One decode per timed iteration; its result is freed untimed.
    g.bench_function("decode", |b| {
        b.iter_batched(|| (), |()| super::decode_xml(black_box(&data.xml)), BatchSize::PerIteration)
    });
    g.bench_function("encode", |b| {
        b.iter(|| black_box(xenapi_rt::xmlrpc::encode_success(black_box(&records)).expect("encodes")))
    });
    g.finish();

    let mut g = c.benchmark_group(format!("{prefix}jsonrpc"));
    g.throughput(Throughput::Bytes(data.json.len() as u64));
    g.bench_function("decode", |b| {
        b.iter_batched(|| (), |()| super::decode_json(black_box(&data.json)), BatchSize::PerIteration)
    });
    // The same bytes read by serde_json alone, as replies were before the
    // direct reader: the before/after of that change in one run.
    g.bench_function("decode_serde_json", |b| {
        b.iter_batched(|| (), |()| super::decode_json_serde_json(black_box(&data.json)), BatchSize::PerIteration)
    });
    // The reader alone, with no record to build: the same bytes skimmed
    // into `IgnoredAny`, by the direct reader and by serde_json.
    g.bench_function("skim", |b| {
        b.iter(|| xenapi_rt::jsonrpc::decode_response::<serde::de::IgnoredAny>(black_box(&data.json)).expect("skims"))
    });
    g.bench_function("skim_serde_json", |b| {
        b.iter(|| {
            xenapi_rt::jsonrpc::decode_response_serde_json::<serde::de::IgnoredAny>(
                black_box(&data.json),
                &xenapi_rt::Limits::default(),
            )
            .expect("skims")
        })
    });
    g.bench_function("encode", |b| {
        b.iter(|| {
            black_box(
                xenapi_rt::jsonrpc::encode_success(xenapi_rt::jsonrpc::Version::V2, &ids, black_box(&records))
                    .expect("encodes"),
            )
        })
    });
    g.finish();

    // Freeing what one decode returned; the decode itself is untimed, so
    // each sample costs far more time than it measures.
    let mut g = c.benchmark_group(format!("{prefix}free"));
    g.measurement_time(Duration::from_secs(2));
    g.bench_function("xmlrpc", |b| b.iter_batched(|| super::decode_xml(&data.xml), drop, BatchSize::PerIteration));
    g.bench_function("jsonrpc", |b| b.iter_batched(|| super::decode_json(&data.json), drop, BatchSize::PerIteration));
    g.finish();
}

/// Runs one operation once, for instruction counting under
/// `valgrind --tool=callgrind --toggle-collect='*codec*once*'`
/// (`XENAPI_BENCH_ONCE=xmlrpc/decode` and so on); load-independent numbers
/// for before/after comparisons.
#[inline(never)]
pub fn once(op: &str, data: &super::Data, records: &super::AllRecords) -> usize {
    let ids = serde_json::value::RawValue::from_string("1".into()).expect("raw id");
    match op {
        "xmlrpc/decode" => super::decode_xml(&data.xml).len(),
        "jsonrpc/decode" => super::decode_json(&data.json).len(),
        "jsonrpc/decode_serde_json" => super::decode_json_serde_json(&data.json).len(),
        "xmlrpc/encode" => xenapi_rt::xmlrpc::encode_success(records).expect("encodes").len(),
        "jsonrpc/encode" => {
            xenapi_rt::jsonrpc::encode_success(xenapi_rt::jsonrpc::Version::V2, &ids, records).expect("encodes").len()
        }
        other => panic!("unknown operation {other}"),
    }
}

/// A reply decoder of the benchmark.
type Decoder = fn(&[u8]) -> super::AllRecords;

/// For `XENAPI_BENCH_ROUNDS=n`: decodes each protocol's reply `n` times
/// (after one untimed run), timing the decode and the free of its result
/// apart, and prints the median seconds of each as
/// `ROUND <protocol> decode=<s> free=<s>`. The driver alternates these
/// short runs with Python's on the same bytes, so that both sides of each
/// ratio are timed in the same minute of a shared machine.
fn rounds(count: usize, data: &super::Data) {
    let protocols: [(&str, &[u8], Decoder); 2] =
        [("xmlrpc", &data.xml, super::decode_xml), ("jsonrpc", &data.json, super::decode_json)];
    // `XENAPI_BENCH_PROTOCOL=jsonrpc` (or `xmlrpc`) times one protocol
    // only, for profiling one decoder under `perf record`.
    let only = std::env::var("XENAPI_BENCH_PROTOCOL").ok();
    if let Some(name) = &only {
        assert!(
            protocols.iter().any(|(protocol, ..)| protocol == name),
            "XENAPI_BENCH_PROTOCOL is xmlrpc or jsonrpc, not {name:?}"
        );
    }
    for (protocol, body, decode) in protocols {
        if only.as_deref().is_some_and(|p| p != protocol) {
            continue;
        }
        drop(black_box(decode(body)));
        let mut decodes = Vec::with_capacity(count);
        let mut frees = Vec::with_capacity(count);
        for _ in 0..count {
            let started = Instant::now();
            let records = black_box(decode(black_box(body)));
            let decoded = Instant::now();
            drop(records);
            frees.push(decoded.elapsed().as_secs_f64());
            decodes.push((decoded - started).as_secs_f64());
        }
        println!("ROUND {protocol} decode={:.9} free={:.9}", median(&mut decodes), median(&mut frees));
    }
}

/// The median of `values` (the mean of the middle two for an even count).
fn median(values: &mut [f64]) -> f64 {
    assert!(!values.is_empty(), "at least one run");
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

/// Criterion settings for the codec benches.
pub fn config() -> Criterion {
    Criterion::default().sample_size(20).warm_up_time(Duration::from_secs(2)).measurement_time(Duration::from_secs(8))
}
