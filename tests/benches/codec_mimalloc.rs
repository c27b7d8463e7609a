//! The codec benchmarks of `codec` with mimalloc as the global allocator:
//! decoding builds and frees about 280 allocations per VM record, so the
//! allocator an application picks shows in the figures. Groups are named
//! `mimalloc-xmlrpc` and `mimalloc-jsonrpc`.

mod common;

use criterion::{criterion_group, criterion_main, Criterion};

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn codec(c: &mut Criterion) {
    common::codec::run(c, "mimalloc-");
}

criterion_group! {
    name = benches;
    config = common::codec::config();
    targets = codec
}
criterion_main!(benches);
