//! Load + validate + derive for the whole committed schema.
//! Run: `cargo bench -p xenapi-gen --bench load`

use criterion::{criterion_group, criterion_main, Criterion};
use std::path::Path;

fn load(c: &mut Criterion) {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema");
    c.bench_function("load_validate_derive_whole_schema", |b| {
        b.iter(|| {
            let api = xenapi_gen::load_schema(&schema).expect("schema loads");
            assert!(!api.classes.is_empty(), "the schema has classes");
            api
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = load
}
criterion_main!(benches);
