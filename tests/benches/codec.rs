//! Typed codec throughput on a `VM.get_all_records` reply of 1,000 fully
//! populated VMs (about 12 MB of XML-RPC):
//!
//! * `xmlrpc/decode`: reply bytes -> `HashMap<VmRef, VmRecord>`;
//! * `xmlrpc/encode`: the typed records -> a complete reply body;
//! * `jsonrpc/decode`, `jsonrpc/encode`: the same for the JSON-RPC form;
//!   `jsonrpc/decode_serde_json` decodes with serde_json alone (as before
//!   the direct reader), and `jsonrpc/skim`, `jsonrpc/skim_serde_json`
//!   read the reply into `IgnoredAny`, timing the readers without the
//!   records.
//!
//! Run with `cargo bench -p xenapi-tests --bench codec`; the driver
//! `tests/bench/run.py` also runs it and compares with Python. When
//! `XENAPI_BENCH_DATA` names a directory the documents are written there
//! first (so Python can time the very same bytes).

mod common;

use criterion::{criterion_group, criterion_main, Criterion};

fn codec(c: &mut Criterion) {
    common::codec::run(c, "");
}

criterion_group! {
    name = benches;
    config = common::codec::config();
    targets = codec
}
criterion_main!(benches);
