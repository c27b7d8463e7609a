//! Protocol-neutral value types and serde helpers for generated code.
//!
//! Generated records derive `Serialize`/`Deserialize` once and are used with
//! both protocols, so anything whose wire form differs between XML-RPC and
//! JSON-RPC, or that real servers send in more than one shape, goes through
//! a helper defined here:
//!
//! * [`DateTime`]: every date-time form servers are known to send;
//! * [`float`] / [`Float`]: floats that may arrive as numbers, numeric
//!   strings or the strings `NaN` / `Infinity` / `+Infinity` / `-Infinity`;
//! * [`int`]: 64-bit ints that may arrive as numbers or decimal strings;
//! * [`Void`]: the result of messages that return nothing;
//! * [`snapshot`]: typed records from snapshots held as JSON values;
//! * [`EventBatch`]: what `event.from` returns, over the API's event record;
//! * [`Str`] and [`Map`]: the string and map types of records, results
//!   and server parameters (chosen in one place, [`containers`]);
//! * [`exact`]: record maps and sets decoded at their final size.
//!
//! The error type clients see, [`CallError`], is re-exported here as well.

pub mod containers;
mod datetime;
mod enums;
mod event_batch;
pub mod exact;
pub mod float;
pub mod int;
mod map;
mod reference;
pub mod snapshot;
mod void;

pub use crate::error::CallError;
pub use containers::{Map, MapState, Str};
pub use datetime::{DateTime, DateTimeError};
pub use enums::deserialize_enum;
pub use event_batch::EventBatch;
pub use float::{de_float, ser_float, Float};
pub use int::de_int;
pub use reference::{Class, Ref, NULL_REF};
pub use void::Void;

/// Newtype-struct name that asks the XML-RPC serializer to wrap the inner
/// string in `<dateTime.iso8601>`; other serializers see a plain string.
pub(crate) const DATETIME_MARKER: &str = "$xenapi_rt::DateTime";
/// Newtype-struct name that asks the XML-RPC serializer to wrap the inner
/// string in `<double>`; used for NaN and infinities.
pub(crate) const DOUBLE_MARKER: &str = "$xenapi_rt::Double";
