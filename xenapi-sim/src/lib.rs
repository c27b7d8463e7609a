//! An in-memory XenAPI server built on the generated server stubs, for
//! testing XenAPI clients without a real host.
//!
//! * [`store`]: the generic object store behind every derived message
//!   (getters, setters, map and set updates, records, lookups, create,
//!   destroy), keeping relations consistent and recording changes for
//!   events;
//! * [`base64`]: base64 as VTPM contents and UEFI stores use it;
//! * [`behaviour`]: rules the store applies to VMs, VDIs and SRs;
//! * [`api`]: the explicit messages with behaviour (sessions, tasks,
//!   events, VM lifecycle and install); every other explicit message
//!   answers NOT_IMPLEMENTED;
//! * [`sim`]: users, sessions, roles and tasks ([`xenapi::server::Backend`]);
//! * [`limits`]: xapi's caps on sessions and tasks;
//! * [`fixture`] and [`persist`]: the starting objects and the state file;
//! * [`loopback`]: a simulator on a free loopback port, for client tests.

pub mod api;
pub mod base64;
pub mod behaviour;
pub mod classes;
pub mod events;
pub mod filter;
pub mod fixture;
pub mod limits;
pub mod loopback;
pub mod persist;
pub mod sim;
pub mod store;
pub mod util;

pub use loopback::Loopback;
pub use sim::{Config, Ctx, Sim, User};
