//! Shared helpers for the cross-language tests and benchmarks.
