//! Every name the backends write, decided in one place. Backends never
//! invent names: they ask here.

use heck::ToUpperCamelCase;

/// Identifier rules for generated Rust.
pub mod rust {
    use super::*;
    use crate::model::{Class, Message, Roles};
    use heck::ToShoutySnakeCase;

    /// Words Rust reserves (strict, reserved and 2024-edition ones).
    const KEYWORDS: &[&str] = &[
        "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate", "do", "dyn",
        "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro",
        "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return", "self", "Self", "static", "struct",
        "super", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use", "virtual", "where", "while",
        "yield",
    ];
    /// Keywords that cannot be raw identifiers.
    const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

    /// `VM_guest_metrics` -> `VmGuestMetrics`: the marker type of a class,
    /// and the stem of its record, ref and client types.
    pub fn type_name(api: &str) -> String {
        api.to_upper_camel_case()
    }

    /// `VM_guest_metrics` -> `vm_guest_metrics`: the module of a class.
    pub fn module(class: &str) -> String {
        ident(class)
    }

    /// A field, param or method: the API name lowercased (`VCPUs_max` ->
    /// `vcpus_max`), anything else than letters, digits and `_` turned into
    /// `_`, and keywords escaped (`type` -> `r#type`, `self` -> `self_`).
    pub fn ident(api: &str) -> String {
        let mut s: String =
            api.trim().chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
        if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
            s.insert(0, '_');
        }
        if NOT_RAW.contains(&s.as_str()) {
            format!("{s}_")
        } else if KEYWORDS.contains(&s.as_str()) {
            format!("r#{s}")
        } else {
            s
        }
    }

    /// An identifier without the `r#` prefix, for building other names.
    pub fn bare(ident: &str) -> &str {
        ident.strip_prefix("r#").unwrap_or(ident)
    }

    /// An enum value or error code as a variant: `balance-slb` ->
    /// `BalanceSlb`, `VM_BAD_POWER_STATE` -> `VmBadPowerState`.
    pub fn variant(api: &str) -> String {
        let words: String = api.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
        let v = if api.chars().any(|c| c.is_ascii_lowercase()) {
            words.to_upper_camel_case()
        } else {
            words.to_ascii_lowercase().to_upper_camel_case()
        };
        let v = if v.starts_with(|c: char| c.is_ascii_digit()) || v.is_empty() { format!("V{v}") } else { v };
        // `Unknown` is the variant that keeps values newer than the schema.
        if v == "Unknown" || v == "Self" {
            format!("{v}Value")
        } else {
            v
        }
    }

    pub fn ref_type(class: &str) -> String {
        format!("{}Ref", type_name(class))
    }

    pub fn record_type(class: &str) -> String {
        format!("{}Record", type_name(class))
    }

    pub fn client_type(class: &str) -> String {
        format!("{}Client", type_name(class))
    }

    pub fn server_trait(class: &str) -> String {
        format!("{}Server", type_name(class))
    }

    /// The part of the crate's `Server` trait a class adds: its server
    /// trait when the class's cargo feature is on, nothing when off.
    pub fn server_part_trait(class: &str) -> String {
        format!("{}ServerPart", type_name(class))
    }

    /// The hidden macro that passes its input through when the class's
    /// cargo feature is on and drops it when off (`__xenapi_if_vm`).
    pub fn class_gate_macro(class: &str) -> String {
        format!("__xenapi_if_{}", bare(&module(class)))
    }

    /// The cargo feature of the generated crate that turns a class on:
    /// the class name as the API spells it (`VM`, `host`).
    pub fn class_feature(class: &str) -> &str {
        class
    }

    pub fn enum_type(name: &str) -> String {
        type_name(name)
    }

    /// The method for the `Async.` form of a message.
    pub fn async_method(message: &str) -> String {
        format!("async_{}", bare(&ident(message)))
    }

    /// The `Connection` method for a message that takes no session (the
    /// login family): `session_login_with_password`.
    pub fn connection_method(class: &str, message: &str) -> String {
        format!("{}_{}", bare(&module(class)), bare(&ident(message)))
    }

    /// How a program calls a message through the generated client, with
    /// the parameter names as arguments:
    /// `session.vm().start(vm, start_paused)`, or
    /// `Connection::session_login_with_password(uname, pwd, ...)` for the
    /// login family.
    pub fn call(class: &Class, m: &Message) -> String {
        let args: Vec<String> = m.call_params().iter().map(|p| bare(&ident(&p.name)).to_string()).collect();
        if m.takes_session() {
            format!("session.{}().{}({})", bare(&module(&class.name)), ident(&m.name), args.join(", "))
        } else {
            format!("Connection::{}({})", connection_method(&class.name, &m.name), args.join(", "))
        }
    }

    /// Names the dispatchers use for their own locals; a parameter with
    /// one of these names gets a trailing `_` there.
    const DISPATCH_LOCALS: &[&str] = &["s", "call", "ctx", "message", "is_async", "srv", "owner", "task_ctx"];

    /// A parameter as a local of a generated dispatcher.
    pub fn dispatch_local(param: &str) -> String {
        let id = ident(param);
        if DISPATCH_LOCALS.contains(&id.as_str()) {
            format!("{id}_")
        } else {
            id
        }
    }

    /// The constant in `crate::roles` for a message's roles, given the
    /// API's roles most privileged first. The first roles of the API are
    /// named after the least privileged of them (`VM_ADMIN_AND_ABOVE`);
    /// roles beyond such a run are appended with `_OR_`
    /// (`POOL_OPERATOR_AND_ABOVE_OR_CLIENT_CERT`); no role at all is
    /// [`Roles::NONE_LABEL`] as a constant, `LOCAL_ROOT_ONLY`.
    pub fn roles_const(roles: Roles, all: &[String]) -> String {
        if roles.is_empty() {
            return Roles::NONE_LABEL.to_shouty_snake_case();
        }
        let names: Vec<&str> = roles.names(all).collect();
        let run = roles.iter().zip(0u8..).take_while(|(r, i)| r.0 == *i).count();
        // A role name may hold anything the schema allows; the constant
        // keeps ASCII letters, digits and `_`, and never starts with a digit.
        let shout = |r: &str| -> String {
            r.to_shouty_snake_case().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect()
        };
        let mut parts = Vec::new();
        match run {
            0 => {}
            1 => parts.push(shout(names[0])),
            n => parts.push(format!("{}_AND_ABOVE", shout(names[n - 1]))),
        }
        parts.extend(names[run..].iter().map(|r| shout(r)));
        let name = parts.join("_OR_");
        if name.starts_with(|c: char| !(c.is_ascii_alphabetic() || c == '_')) {
            format!("ROLE_{name}")
        } else {
            name
        }
    }
}

/// Identifier rules for the generated Python package. Attribute, method,
/// field and parameter names keep the API's spelling (as the `XenAPI`
/// module users know them: `session.VM.get_VCPUs_max`), escaped where
/// Python reserves them; types get PEP 8 class names.
pub mod python {
    use super::*;
    use crate::model::{Class, Message};
    use heck::ToShoutySnakeCase;

    const KEYWORDS: &[&str] = &[
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
        "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
        "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
    ];
    /// Names a generated method or record may not take because the
    /// generated code uses them itself.
    const RESERVED: &[&str] = &["self", "cls", "mro"];

    /// A field, parameter or method name: the API's spelling made a valid
    /// identifier (`class` -> `class_`, `self` -> `self_`).
    pub fn ident(api: &str) -> String {
        let mut s: String = api.trim().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
        if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
            s.insert(0, '_');
        }
        if KEYWORDS.contains(&s.as_str()) || RESERVED.contains(&s.as_str()) {
            s.push('_');
        }
        s
    }

    /// A type name: `VM_guest_metrics` -> `VmGuestMetrics`.
    pub fn type_name(api: &str) -> String {
        api.to_upper_camel_case()
    }

    pub fn ref_type(class: &str) -> String {
        format!("{}Ref", type_name(class))
    }

    pub fn record_type(class: &str) -> String {
        format!("{}Record", type_name(class))
    }

    /// The class holding a class's calls: `VM` -> `VMApi`... kept close
    /// to the API name so that `session.VM` reads as before.
    pub fn api_class(class: &str) -> String {
        format!("{}Api", type_name(class))
    }

    pub fn enum_type(name: &str) -> String {
        type_name(name)
    }

    /// An enum member: `balance-slb` -> `BALANCE_SLB`, `restartHVM` ->
    /// `RESTART_HVM`.
    pub fn enum_member(value: &str) -> String {
        let words: String = value.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
        let m = words.to_shouty_snake_case();
        if m.is_empty() || m.starts_with(|c: char| c.is_ascii_digit()) {
            format!("V_{m}")
        } else {
            m
        }
    }

    /// The exception class of an error code: `VM_BAD_POWER_STATE` ->
    /// `VmBadPowerStateError`.
    pub fn error_class(code: &str) -> String {
        let words: String = code.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
        format!("{}Error", words.to_ascii_lowercase().to_upper_camel_case())
    }

    /// `VM` -> `AsyncVmApi`: the asyncio client's class in the Python
    /// package, and the class of the `Async.` (task) forms in the stubs of
    /// the `XenAPI` module.
    pub fn async_api_class(class: &str) -> String {
        format!("Async{}", api_class(class))
    }

    /// The dict type a `create` call takes in the typed stubs of the
    /// `XenAPI` module: `VM` -> `VmCreateArgs`.
    pub fn create_args_type(class: &str) -> String {
        format!("{}CreateArgs", type_name(class))
    }

    /// An API name as an attribute or key spelt verbatim in Python (the
    /// `XenAPI` module sends attribute names as they are written), or
    /// `None` where Python's grammar cannot spell it (`VM.import`).
    pub fn verbatim(api: &str) -> Option<&str> {
        let ok = api.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && api.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !KEYWORDS.contains(&api);
        ok.then_some(api)
    }

    /// The name the PyPI `XenAPI` module calls a message by at the top of
    /// `session.xenapi` when Python cannot write the message's name as an
    /// attribute: its second wire name (`event_from` for `event.from`,
    /// which the module sends as it is). `None` for a message reached as
    /// `session.xenapi.<class>.<message>`, for one called without a
    /// session (the module logs in itself), and where the second name is
    /// no attribute either.
    pub fn module_alias(class: &Class, m: &Message) -> Option<String> {
        if !m.takes_session() || verbatim(&m.name).is_some() || verbatim(&class.name).is_none() {
            return None;
        }
        let alias = m.alias_wire_name(class);
        verbatim(&alias).is_some().then_some(alias)
    }

    /// How a program calls a message through the `XenAPI` module under
    /// [`module_alias`]: `session.xenapi.event_from(classes, token,
    /// timeout)`.
    pub fn module_alias_call(class: &Class, m: &Message) -> Option<String> {
        let args: Vec<String> = m.call_params().iter().map(|p| ident(&p.name)).collect();
        module_alias(class, m).map(|alias| format!("session.xenapi.{alias}({})", args.join(", ")))
    }

    /// The method for the `Async.` form of a message.
    pub fn async_method(message: &str) -> String {
        format!("async_{}", ident(message))
    }

    /// The attribute of a session through which a class is called:
    /// `session.VM`.
    pub fn class_attr(class: &str) -> String {
        ident(class)
    }

    /// How a program calls a message through the generated client, with
    /// the parameter names as arguments: `session.VM.start(vm,
    /// start_paused)`, or `session.login_with_password(uname, pwd, ...)`
    /// for the login family, which the session object offers itself.
    pub fn call(class: &Class, m: &Message) -> String {
        let args: Vec<String> = m.call_params().iter().map(|p| ident(&p.name)).collect();
        if m.takes_session() {
            format!("session.{}.{}({})", class_attr(&class.name), ident(&m.name), args.join(", "))
        } else {
            format!("session.{}({})", ident(&m.name), args.join(", "))
        }
    }
}

/// Identifier rules for the generated C SDK. They follow the conventions of
/// the official XenServer C SDK (libxenserver) name for name, so that
/// programs written against it compile unchanged: everything is the API
/// name lowercased and prefixed with `xen_`, enum values and error codes are
/// upper-cased, and set and map shapes are named after their parts.
pub mod c {
    use crate::model::{Api, Class, ClassKind, DerivedKind, Message, MessageOrigin, Type};

    /// Words C (C99 and later) reserves, plus the macros of `<stdbool.h>`.
    /// `class` and `public` have the spellings the official SDK gives them.
    const KEYWORDS: &[&str] = &[
        "auto",
        "break",
        "case",
        "char",
        "const",
        "continue",
        "default",
        "do",
        "double",
        "else",
        "enum",
        "extern",
        "float",
        "for",
        "goto",
        "if",
        "inline",
        "int",
        "long",
        "register",
        "restrict",
        "return",
        "short",
        "signed",
        "sizeof",
        "static",
        "struct",
        "switch",
        "typedef",
        "union",
        "unsigned",
        "void",
        "volatile",
        "while",
        "bool",
        "true",
        "false",
        "alignas",
        "alignof",
        "noreturn",
        "static_assert",
        "thread_local",
    ];

    /// The API name lowercased, anything but letters, digits and `_`
    /// turned into `_`: `VCPUs_max` -> `vcpus_max`, `balance-slb` ->
    /// `balance_slb`.
    pub fn lower(api: &str) -> String {
        let s: String =
            api.trim().chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
        if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
            format!("_{s}")
        } else {
            s
        }
    }

    /// The same, upper-cased: `restartHVM` -> `RESTARTHVM`.
    pub fn upper(api: &str) -> String {
        lower(api).to_ascii_uppercase()
    }

    /// A record field or a parameter: `VCPUs_max` -> `vcpus_max`. The
    /// official SDK spells `class` as the macro `XEN_CLAZZ` (`class` in C,
    /// `clazz` in C++) and `public` as `pubblic`; other C keywords get a
    /// trailing `_`.
    pub fn ident(api: &str) -> String {
        let s = lower(api);
        match s.as_str() {
            "class" => "XEN_CLAZZ".into(),
            "public" => "pubblic".into(),
            _ if KEYWORDS.contains(&s.as_str()) => format!("{s}_"),
            _ => s,
        }
    }

    /// A parameter of a generated function. `session`, `result` and
    /// `args` are taken by the function itself; the `self` of a session
    /// message is `self_session`, as in the official SDK.
    pub fn param(class: &str, api: &str) -> String {
        let s = ident(api);
        match s.as_str() {
            "session" | "result" | "args" => format!("{s}_"),
            "self" if ClassKind::of(class) == ClassKind::Session => "self_session".into(),
            _ => s,
        }
    }

    /// `VM` -> `xen_vm`: the handle type of a class, and the stem of all
    /// its other names.
    pub fn type_name(class: &str) -> String {
        format!("xen_{}", lower(class))
    }

    pub fn record(class: &str) -> String {
        format!("{}_record", type_name(class))
    }

    pub fn record_opt(class: &str) -> String {
        format!("{}_record_opt", type_name(class))
    }

    /// What a record holds for a set of refs: `xen_vm_record_opt_set`.
    pub fn record_opt_set(class: &str) -> String {
        format!("{}_set", record_opt(class))
    }

    /// `enum vm_power_state` -> `xen_vm_power_state`.
    pub fn enum_type(name: &str) -> String {
        type_name(name)
    }

    /// `XEN_VM_POWER_STATE_HALTED`.
    pub fn enum_value(enum_name: &str, value: &str) -> String {
        format!("XEN_{}_{}", upper(enum_name), upper(value))
    }

    /// `XEN_API_FAILURE_VM_BAD_POWER_STATE`.
    pub fn failure(code: &str) -> String {
        format!("XEN_API_FAILURE_{}", upper(code))
    }

    /// `xen_vm_clone`.
    pub fn function(class: &str, message: &str) -> String {
        format!("xen_{}_{}", lower(class), lower(message))
    }

    /// `xen_vm_clone_async`.
    pub fn async_function(class: &str, message: &str) -> String {
        format!("{}_async", function(class, message))
    }

    /// Whether the SDK has an [`async_function`] for a message: none if
    /// the API has no task class (an `_async` function returns a task);
    /// otherwise every explicit call taking a session (the official SDK
    /// has them on sessions and tasks too), and create and destroy on
    /// classes with asynchronous calls.
    pub fn has_async_function(api: &Api, class: &Class, m: &Message) -> bool {
        if api.class_of_kind(ClassKind::Task).is_none() {
            return false;
        }
        if m.has_async {
            return true;
        }
        match &m.origin {
            MessageOrigin::Explicit => m.takes_session(),
            MessageOrigin::Derived { kind, .. } => {
                matches!(kind, DerivedKind::Create | DerivedKind::Destroy) && class.props.async_messages
            }
        }
    }

    /// The word a type contributes to the name of a set or map shape:
    /// `string`, `int`, `vm_power_state`, `vm` (a ref), `xen_vm_record`,
    /// `string_set`, `string_string_map`.
    pub fn shape(ty: &Type) -> String {
        match ty {
            Type::String => "string".into(),
            Type::Int => "int".into(),
            Type::Float => "float".into(),
            Type::Bool => "bool".into(),
            Type::DateTime => "datetime".into(),
            Type::Enum(e) => lower(e),
            Type::Ref(c) => lower(c),
            Type::Record(c) => record(c),
            Type::Set(t) => format!("{}_set", shape(t)),
            Type::Map(k, v) => format!("{}_{}_map", shape(k), shape(v)),
            Type::Option(t) => shape(t),
            Type::Void => "void".into(),
            Type::AnyRecord => "record".into(),
            Type::EventBatch => "event_batch".into(),
        }
    }

    /// The set type of elements of type `elem`: `xen_vm_set`,
    /// `xen_string_set`, `xen_vm_power_state_set`, `xen_vm_record_set`,
    /// `xen_string_set_set`.
    pub fn set(elem: &Type) -> String {
        match elem {
            Type::Record(c) => format!("{}_set", record(c)),
            other => format!("xen_{}_set", shape(other)),
        }
    }

    /// The map type: `xen_string_string_map`, `xen_vm_xen_vm_record_map`,
    /// `xen_vm_operations_string_map`, `xen_string_string_string_map_map`.
    pub fn map(key: &Type, value: &Type) -> String {
        format!("xen_{}_{}_map", shape(key), shape(value))
    }

    /// The header that declares a type name: `xen_vm` -> `xen/api/xen_vm.h`.
    pub fn header(type_name: &str) -> String {
        format!("xen/api/{type_name}.h")
    }

    /// The header guard of a header named after `type_name`.
    pub fn guard(type_name: &str) -> String {
        format!("{}_H", type_name.to_ascii_uppercase())
    }
}

#[cfg(test)]
mod tests {
    use super::rust::*;

    #[test]
    fn rust_names() {
        assert_eq!(type_name("VM_guest_metrics"), "VmGuestMetrics");
        assert_eq!(type_name("PVS_cache_storage"), "PvsCacheStorage");
        assert_eq!(ident("VCPUs_max"), "vcpus_max");
        assert_eq!(ident("type"), "r#type");
        assert_eq!(ident("self"), "self_");
        assert_eq!(ident("required_version "), "required_version");
        assert_eq!(ident("connected PIF"), "connected_pif");
        assert_eq!(variant("balance-slb"), "BalanceSlb");
        assert_eq!(variant("restartHVM"), "RestartHvm");
        assert_eq!(variant("VM_BAD_POWER_STATE"), "VmBadPowerState");
        assert_eq!(variant("Halted"), "Halted");
        assert_eq!(variant("unknown"), "UnknownValue");
        assert_eq!(async_method("clone"), "async_clone");
    }

    #[test]
    fn role_constants_from_typed_role_sets() {
        use crate::model::{RoleId, Roles};
        let all: Vec<String> =
            ["pool-admin", "pool-operator", "vm-admin", "read-only", "client-cert"].map(String::from).to_vec();
        let set = |ids: &[u8]| ids.iter().map(|i| RoleId(*i)).collect::<Roles>();
        assert_eq!(roles_const(Roles::NONE, &all), "LOCAL_ROOT_ONLY");
        assert_eq!(roles_const(Roles::first(1), &all), "POOL_ADMIN");
        assert_eq!(roles_const(Roles::first(3), &all), "VM_ADMIN_AND_ABOVE");
        assert_eq!(roles_const(set(&[4, 0, 1]), &all), "POOL_OPERATOR_AND_ABOVE_OR_CLIENT_CERT");
        assert_eq!(roles_const(set(&[2]), &all), "VM_ADMIN");
    }

    #[test]
    fn role_constants_are_identifiers_whatever_the_role_names() {
        use crate::model::{RoleId, Roles};
        let all: Vec<String> = ["3hk mtcs", "ops.team", "día"].map(String::from).to_vec();
        assert_eq!(roles_const(Roles::first(1), &all), "ROLE_3HK_MTCS");
        assert_eq!(roles_const(std::iter::once(RoleId(1)).collect(), &all), "OPS_TEAM");
        assert_eq!(roles_const(std::iter::once(RoleId(2)).collect(), &all), "D_A");
        for set in [Roles::first(1), Roles::first(2), Roles::first(3)] {
            let name = roles_const(set, &all);
            assert!(syn::parse_str::<syn::Ident>(&name).is_ok(), "{name}");
        }
    }

    #[test]
    fn c_names() {
        use super::c;
        use crate::model::Type;
        assert_eq!(c::type_name("VM_guest_metrics"), "xen_vm_guest_metrics");
        assert_eq!(c::record("VM"), "xen_vm_record");
        assert_eq!(c::ident("VCPUs_max"), "vcpus_max");
        assert_eq!(c::ident("class"), "XEN_CLAZZ");
        assert_eq!(c::ident("public"), "pubblic");
        assert_eq!(c::ident("default"), "default_");
        assert_eq!(c::param("session", "self"), "self_session");
        assert_eq!(c::param("VM", "self"), "self");
        assert_eq!(c::enum_value("vm_power_state", "Halted"), "XEN_VM_POWER_STATE_HALTED");
        assert_eq!(c::enum_value("bond_mode", "balance-slb"), "XEN_BOND_MODE_BALANCE_SLB");
        assert_eq!(c::enum_value("after_apply_guidance", "restartHVM"), "XEN_AFTER_APPLY_GUIDANCE_RESTARTHVM");
        assert_eq!(c::failure("VM_BAD_POWER_STATE"), "XEN_API_FAILURE_VM_BAD_POWER_STATE");
        assert_eq!(c::function("VM", "get_VCPUs_max"), "xen_vm_get_vcpus_max");
        assert_eq!(c::async_function("VM", "clone"), "xen_vm_clone_async");
        let t = |s: &str| Type::parse(s).unwrap();
        assert_eq!(c::map(&Type::String, &Type::String), "xen_string_string_map");
        assert_eq!(c::map(&t("VM ref"), &t("VM record")), "xen_vm_xen_vm_record_map");
        assert_eq!(c::map(&t("enum vm_operations"), &Type::String), "xen_vm_operations_string_map");
        assert_eq!(c::map(&t("host ref"), &t("string set")), "xen_host_string_set_map");
        assert_eq!(c::map(&Type::String, &t("(string -> string) map")), "xen_string_string_string_map_map");
        assert_eq!(c::set(&t("VM ref")), "xen_vm_set");
        assert_eq!(c::set(&t("string set")), "xen_string_set_set");
        assert_eq!(c::set(&t("data_source record")), "xen_data_source_record_set");
        assert_eq!(c::set(&t("enum vm_operations")), "xen_vm_operations_set");
    }
}
