//! Shared helpers for the cross-language tests and benchmarks.

pub mod mem;
pub mod model;
