//! Typed codec throughput on a `VM.get_all_records` reply of 1,000 fully
//! populated VMs (about 12 MB of XML-RPC):
//!
//! * `xmlrpc/decode`: reply bytes -> `HashMap<VmRef, VmRecord>`;
//! * `xmlrpc/encode`: the typed records -> a complete reply body;
//! * `jsonrpc/decode`, `jsonrpc/encode`: the same for the JSON-RPC form.
//!
//! Run with `cargo bench -p xenapi-tests --bench codec`; the driver
//! `tests/bench/run.py` also runs it and compares with Python. When
//! `XENAPI_BENCH_DATA` names a directory the documents are written there
//! first (so Python can time the very same bytes).

mod common;

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn codec(c: &mut Criterion) {
    let data = common::build(common::VM_COUNT);
    println!(
        "data: {} VMs, XML-RPC reply {} bytes, JSON-RPC reply {} bytes",
        common::VM_COUNT,
        data.xml.len(),
        data.json.len()
    );
    if let Some(dir) = common::data_dir() {
        common::write_files(&data, &dir).expect("write the benchmark data");
    }
    let records = common::decode_xml(&data.xml);
    if let Ok(op) = std::env::var("XENAPI_BENCH_ONCE") {
        println!("{op}: {}", black_box(once(&op, &data, &records)));
        std::process::exit(0);
    }
    let ids = serde_json::value::RawValue::from_string("1".into()).expect("raw id");

    let mut g = c.benchmark_group("xmlrpc");
    g.throughput(Throughput::Bytes(data.xml.len() as u64));
    g.bench_function("decode", |b| {
        b.iter(|| black_box(common::decode_xml(black_box(&data.xml))))
    });
    g.bench_function("encode", |b| {
        b.iter(|| {
            black_box(xenapi_rt::xmlrpc::encode_success(black_box(&records)).expect("encodes"))
        })
    });
    g.finish();

    let mut g = c.benchmark_group("jsonrpc");
    g.throughput(Throughput::Bytes(data.json.len() as u64));
    g.bench_function("decode", |b| {
        b.iter(|| black_box(common::decode_json(black_box(&data.json))))
    });
    g.bench_function("encode", |b| {
        b.iter(|| {
            black_box(
                xenapi_rt::jsonrpc::encode_success(
                    xenapi_rt::jsonrpc::Version::V2,
                    &ids,
                    black_box(&records),
                )
                .expect("encodes"),
            )
        })
    });
    g.finish();
}

/// Runs one operation once, for instruction counting under
/// `valgrind --tool=callgrind --toggle-collect='*codec*once*'`
/// (`XENAPI_BENCH_ONCE=xmlrpc/decode` and so on); load-independent numbers
/// for before/after comparisons.
#[inline(never)]
fn once(op: &str, data: &common::Data, records: &common::AllRecords) -> usize {
    let ids = serde_json::value::RawValue::from_string("1".into()).expect("raw id");
    match op {
        "xmlrpc/decode" => common::decode_xml(&data.xml).len(),
        "jsonrpc/decode" => common::decode_json(&data.json).len(),
        "xmlrpc/encode" => xenapi_rt::xmlrpc::encode_success(records).expect("encodes").len(),
        "jsonrpc/encode" => {
            xenapi_rt::jsonrpc::encode_success(xenapi_rt::jsonrpc::Version::V2, &ids, records)
                .expect("encodes")
                .len()
        }
        other => panic!("unknown operation {other}"),
    }
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(8))
}

criterion_group! {
    name = benches;
    config = config();
    targets = codec
}
criterion_main!(benches);
