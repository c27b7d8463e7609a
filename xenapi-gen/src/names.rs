//! Every name the backends write, decided in one place. Backends never
//! invent names: they ask here.

use heck::ToUpperCamelCase;

/// Identifier rules for generated Rust.
pub mod rust {
    use super::*;

    /// Words Rust reserves (strict, reserved and 2024-edition ones).
    const KEYWORDS: &[&str] = &[
        "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate", "do", "dyn",
        "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro",
        "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return", "self", "Self", "static",
        "struct", "super", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use", "virtual", "where",
        "while", "yield",
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
        let mut s: String = api
            .trim()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
            .collect();
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

    pub fn enum_type(name: &str) -> String {
        type_name(name)
    }

    /// The method for the `Async.` form of a message.
    pub fn async_method(message: &str) -> String {
        format!("async_{}", bare(&ident(message)))
    }
}

/// Identifier rules for the generated Python package. Attribute, method,
/// field and parameter names keep the API's spelling (as the `XenAPI`
/// module users know them: `session.VM.get_VCPUs_max`), escaped where
/// Python reserves them; types get PEP 8 class names.
pub mod python {
    use super::*;
    use heck::ToShoutySnakeCase;

    const KEYWORDS: &[&str] = &[
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def",
        "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda",
        "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
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

    /// The method for the `Async.` form of a message.
    pub fn async_method(message: &str) -> String {
        format!("async_{}", ident(message))
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
}
