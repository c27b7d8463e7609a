//! Reading xapi's own data model (the OCaml sources of `xapi-project/xen-api`)
//! and comparing it with a schema, so that the schema can follow upstream.
//!
//! [`facts`] holds what is read: the same shape as the reference export
//! (`doc/data/xenapi.json`), plus what that export leaves out (parameter
//! defaults and releases, class properties, where each item is defined).
//! [`read()`] runs xapi's data model files through a small OCaml
//! interpreter ([`ocaml`]) and turns the values they define into facts:
//! classes ([`datamodel`]), error codes ([`errors`]) and releases
//! ([`releases`]), reading the interpreter's values through [`shape`].
//! [`schema_facts`] sees a schema's model as such facts, [`settle`] puts
//! upstream's ways of saying things in the schema's terms, [`compare`]
//! lists the differences between the two, and [`check`] words them for
//! the `upstream-check` command.

pub mod check;
pub mod compare;
pub mod datamodel;
pub mod errors;
pub mod facts;
pub mod ocaml;
pub mod read;
pub mod releases;
pub mod schema_facts;
pub mod settle;
pub mod shape;

pub use read::{read, Read, ReadError, Unread};
