//! The simulator's integration tests, one module per area, built as one
//! test binary: the generated client code they share is compiled and
//! linked once instead of once per area. Run one area with
//! `cargo test -p xenapi-sim --test sim -- api::` (or `compute::`, ...).

mod common;

mod api;
mod clients;
mod compute;
mod defaults;
mod durability;
mod filter;
mod hostile;
mod infra;
mod limits;
mod load;
mod secrecy;
