//! The classes with behaviour of their own, one module each (with
//! helpers they share). Some fields these modules keep up to date are
//! deprecated in the API (`memory_target`, `HVM_boot_policy`, ...) but
//! xapi still fills them and clients still read them.

#[allow(deprecated)]
pub mod host;
#[allow(deprecated)]
pub mod migrate;
#[allow(deprecated)]
pub mod placement;
#[allow(deprecated)]
pub mod pool;
pub mod provision;
#[allow(deprecated)]
pub mod vm;
#[allow(deprecated)]
pub mod vm_config;
#[allow(deprecated)]
pub mod vm_copy;
