//! Reading xapi's own data model (the OCaml sources of `xapi-project/xen-api`)
//! and comparing it with a schema, so that the schema can follow upstream.
//!
//! [`facts`] holds what is read: the same shape as the reference export
//! (`doc/data/xenapi.json`), plus what that export leaves out (parameter
//! defaults and releases, class properties, where each item is defined).
//! [`schema_facts`] sees a schema's model as such facts, [`compare`] lists
//! the differences between two of them, and [`check`] words them for the
//! `upstream-check` command.

pub mod check;
pub mod compare;
pub mod facts;
pub mod schema_facts;
pub mod settle;
