//! The codec benchmarks of `codec` with mimalloc as the global allocator:
//! decoding one VM record makes about 125 allocations (strings, map tables,
//! arrays) and freeing it returns them, so the allocator an application
//! picks shows in the figures, in `free` most of all. Groups are named
//! `mimalloc-xmlrpc`, `mimalloc-jsonrpc` and `mimalloc-free`.

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
