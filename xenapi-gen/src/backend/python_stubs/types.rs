//! API types as annotations in the stubs, as the `XenAPI` module really
//! moves them over XML-RPC: what a call returns (decoded by
//! `xmlrpc.client`) and what a caller may pass (what `xmlrpc.client`
//! encodes into something the server reads as that type).
//!
//! Checked against the simulator by `tests/stubs/`: an int arrives as a
//! decimal string (xapi sends 64-bit ints as strings) and may be sent as a
//! Python int or a string; a datetime arrives as `xmlrpc.client.DateTime`;
//! a void result is `""`; sets are lists, maps are dicts whose keys are
//! strings on the wire whatever their API type.

use crate::model::Type;
use crate::names::python as names;

/// What a call returns, or a record field holds.
pub fn result(t: &Type) -> String {
    match t {
        Type::String | Type::Int | Type::Void => "str".into(),
        Type::Float => "float".into(),
        Type::Bool => "bool".into(),
        Type::DateTime => "DateTime".into(),
        Type::Enum(e) => names::enum_type(e),
        Type::Ref(c) => names::ref_type(c),
        Type::Record(c) => names::record_type(c),
        Type::Set(t) => format!("list[{}]", result(t)),
        Type::Map(k, v) => format!("dict[{}, {}]", result(k), result(v)),
        Type::Option(t) => format!("{} | None", result(t)),
        Type::AnyRecord => "dict[str, Any]".into(),
        Type::EventBatch => "EventBatch".into(),
    }
}

/// What a caller may pass for a parameter or a field of a `create` record.
pub fn param(t: &Type) -> String {
    match t {
        // Python ints beyond 32 bits do not fit XML-RPC's <int>; a string
        // always does.
        Type::Int => "int | str".into(),
        Type::DateTime => "DateTime | datetime".into(),
        Type::Record(c) => names::create_args_type(c),
        // Not `Sequence`: a plain string would pass for a set of strings.
        Type::Set(t) => {
            let item = param(t);
            format!("list[{item}] | tuple[{item}, ...]")
        }
        // Keys travel as strings (`xmlrpc.client` refuses other keys).
        Type::Map(k, v) => format!("Mapping[{}, {}]", map_key(k), param(v)),
        Type::Option(t) => format!("{} | None", param(t)),
        Type::AnyRecord => "Mapping[str, Any]".into(),
        _ => result(t),
    }
}

fn map_key(t: &Type) -> String {
    match t {
        Type::Int => "str".into(),
        _ => result(t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(s: &str) -> Type {
        Type::parse(s).unwrap()
    }

    #[test]
    fn results_are_what_xmlrpc_client_decodes() {
        assert_eq!(result(&ty("int")), "str");
        assert_eq!(result(&ty("void")), "str");
        assert_eq!(result(&ty("datetime")), "DateTime");
        assert_eq!(result(&ty("(int -> float) map")), "dict[str, float]");
        assert_eq!(result(&ty("VM ref set")), "list[VmRef]");
        assert_eq!(result(&ty("enum vm_power_state")), "VmPowerState");
    }

    #[test]
    fn params_take_what_xmlrpc_client_encodes() {
        assert_eq!(param(&ty("int")), "int | str");
        assert_eq!(param(&ty("string set")), "list[str] | tuple[str, ...]");
        assert_eq!(param(&ty("(int -> string) map")), "Mapping[str, str]");
        assert_eq!(param(&ty("VDI record")), "VdiCreateArgs");
        assert_eq!(param(&ty("datetime")), "DateTime | datetime");
    }
}
