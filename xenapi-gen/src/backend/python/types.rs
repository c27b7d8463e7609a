//! API types as Python annotations and as converter functions from wire
//! values.

use crate::model::Type;
use crate::names::python as names;
use std::collections::BTreeMap;

/// The annotation of a type.
pub fn annotation(t: &Type) -> String {
    match t {
        Type::String => "str".into(),
        Type::Int => "int".into(),
        Type::Float => "float".into(),
        Type::Bool => "bool".into(),
        Type::DateTime => "datetime.datetime".into(),
        Type::Void => "None".into(),
        Type::Enum(e) => names::enum_type(e),
        Type::Ref(c) => names::ref_type(c),
        Type::Record(c) => names::record_type(c),
        Type::Set(t) => format!("List[{}]", annotation(t)),
        Type::Map(k, v) => format!("Dict[{}, {}]", annotation(k), annotation(v)),
        Type::Option(t) => format!("Optional[{}]", annotation(t)),
        Type::AnyRecord => "Dict[str, Any]".into(),
        Type::EventBatch => "EventBatch".into(),
    }
}

/// The name of the converter function for a type.
pub fn converter(t: &Type) -> String {
    format!("conv_{}", mangle(t))
}

fn mangle(t: &Type) -> String {
    match t {
        Type::String => "str".into(),
        Type::Int => "int".into(),
        Type::Float => "float".into(),
        Type::Bool => "bool".into(),
        Type::DateTime => "datetime".into(),
        Type::Void => "void".into(),
        Type::Enum(e) => names::enum_type(e),
        Type::Ref(c) => names::ref_type(c),
        Type::Record(c) => names::record_type(c),
        Type::Set(t) => format!("list_{}", mangle(t)),
        Type::Map(k, v) => format!("dict_{}_{}", mangle(k), mangle(v)),
        Type::Option(t) => format!("opt_{}", mangle(t)),
        Type::AnyRecord => "snapshot".into(),
        Type::EventBatch => "EventBatch".into(),
    }
}

/// Converter definitions for a set of types, each after the ones it uses:
/// (name, Python definition line).
pub fn converter_defs(types: &[Type]) -> Vec<(String, String)> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    let mut order = Vec::new();
    for t in types {
        define(t, &mut out, &mut order);
    }
    order
        .into_iter()
        .map(|n| {
            let d = out[&n].clone();
            (n, d)
        })
        .collect()
}

fn define(t: &Type, out: &mut BTreeMap<String, String>, order: &mut Vec<String>) {
    let name = converter(t);
    if out.contains_key(&name) {
        return;
    }
    let ann = annotation(t);
    let cast = |f: &str| format!("{name} = cast(Callable[[object], {ann}], {f})");
    let def = match t {
        Type::String => "conv_str = to_str".to_string(),
        Type::Int => "conv_int = to_int".to_string(),
        Type::Float => "conv_float = to_float".to_string(),
        Type::Bool => "conv_bool = to_bool".to_string(),
        Type::DateTime => "conv_datetime = to_datetime".to_string(),
        Type::Void => "conv_void = to_void".to_string(),
        Type::AnyRecord => "conv_snapshot = to_any_dict".to_string(),
        Type::Enum(_) => format!("def {name}(v: object) -> {ann}:\n    return {ann}(to_str(v))"),
        Type::Ref(_) => cast("to_str"),
        // Record converters are functions defined with the records.
        Type::Record(_) | Type::EventBatch => return,
        Type::Set(inner) if matches!(**inner, Type::String | Type::Ref(_)) => cast("to_strs"),
        Type::Map(k, v) if matches!(**k, Type::String) && matches!(**v, Type::String) => cast("to_str_map"),
        Type::Set(inner) => {
            define(inner, out, order);
            format!("{name} = list_of({})", converter(inner))
        }
        Type::Map(k, v) => {
            define(k, out, order);
            define(v, out, order);
            format!("{name} = dict_of({}, {})", converter(k), converter(v))
        }
        Type::Option(inner) => {
            define(inner, out, order);
            format!("{name} = optional({})", converter(inner))
        }
    };
    out.insert(name.clone(), def);
    order.push(name);
}
