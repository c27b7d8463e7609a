//! A small YAML writer for schema files: block style for structure, flow
//! style for short lists, and quoting only where YAML needs it.

use crate::model::Literal;

/// A scalar as YAML: plain where that reads back as the same string,
/// double-quoted (JSON escaping, which YAML accepts) otherwise.
pub fn scalar(s: &str) -> String {
    if is_plain_safe(s) {
        s.to_string()
    } else {
        serde_json::to_string(s).expect("strings always serialize")
    }
}

fn is_plain_safe(s: &str) -> bool {
    const WORDS: &[&str] = &["true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"];
    let Some(first) = s.chars().next() else { return false };
    if !(first.is_ascii_alphabetic() || first == '_') || s.ends_with(' ') || s.ends_with(':') {
        return false;
    }
    if WORDS.contains(&s.to_ascii_lowercase().as_str()) || s.parse::<f64>().is_ok() {
        return false;
    }
    s.chars().all(|c| c.is_ascii_alphanumeric() || " _-./()'`=<>+*?!;".contains(c))
        && !s.contains(": ")
        && !s.contains(" #")
}

/// `[a, b, c]`
pub fn flow_list<S: AsRef<str>>(items: &[S]) -> String {
    format!("[{}]", items.iter().map(|i| scalar(i.as_ref())).collect::<Vec<_>>().join(", "))
}

/// A default value as YAML.
pub fn literal(l: &Literal) -> String {
    match l {
        Literal::String(s) | Literal::DateTime(s) | Literal::Enum(s) | Literal::Ref(s) => scalar(s),
        Literal::Int(i) => i.to_string(),
        Literal::Float(f) if f.fract() == 0.0 && f.is_finite() => format!("{f:.1}"),
        Literal::Float(f) => f.to_string(),
        Literal::Bool(b) => b.to_string(),
        Literal::Set(items) => format!("[{}]", items.iter().map(literal).collect::<Vec<_>>().join(", ")),
        Literal::Map(pairs) => format!(
            "{{{}}}",
            pairs.iter().map(|(k, v)| format!("{}: {}", literal(k), literal(v))).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// A YAML value in flow style, on one line (a parameter default as the
/// schema spells it).
pub fn flow_value(v: &serde_yaml::Value) -> String {
    use serde_yaml::Value;
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => scalar(s),
        Value::Sequence(items) => format!("[{}]", items.iter().map(flow_value).collect::<Vec<_>>().join(", ")),
        Value::Mapping(m) => {
            format!(
                "{{{}}}",
                m.iter().map(|(k, v)| format!("{}: {}", flow_value(k), flow_value(v))).collect::<Vec<_>>().join(", ")
            )
        }
        Value::Tagged(t) => flow_value(&t.value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_what_yaml_would_misread() {
        for s in
            ["true", "Null", "1.0", "(string -> string) map", "<class> record", "a: b", "", "OpaqueRef:NULL", "x #y"]
        {
            let y = scalar(s);
            let back: String = serde_yaml::from_str(&y).unwrap();
            assert_eq!(back, s, "{y}");
        }
        assert_eq!(scalar("VM ref"), "VM ref");
        assert_eq!(scalar("published rio"), "published rio");
    }
}
