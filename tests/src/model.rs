//! Reads the reference model (`../shared/reference/xenapi-model.json`
//! from the project root), and the schema for what xapi added after it, to build, for any class, the JSON form of a
//! record with every field set to a non-default value, and the JSON form
//! of the record a client must decode from an empty struct (each field's
//! schema default, else its type's empty value).

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::{json, Map, Value};

/// Where the reference model lives.
pub fn model_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference/xenapi-model.json")
}

/// An API type, parsed from the model's type language.
#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    Str,
    Int,
    Float,
    Bool,
    DateTime,
    Enum(String),
    Ref(String),
    Record(String),
    AnyRecord,
    Set(Box<Ty>),
    Map(Box<Ty>, Box<Ty>),
    Option(Box<Ty>),
}

/// Parses `string`, `VM ref`, `(string -> enum x) map`, `T set`, ...
pub fn parse_type(t: &str) -> Ty {
    let t = t.trim();
    if let Some(inner) = t.strip_suffix(" set") {
        return Ty::Set(Box::new(parse_type(inner)));
    }
    if let Some(inner) = t.strip_suffix(" option") {
        return Ty::Option(Box::new(parse_type(inner)));
    }
    if let Some(inner) = t.strip_prefix('(').and_then(|s| s.strip_suffix(") map")) {
        let mut depth = 0i32;
        for (i, c) in inner.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                ' ' if depth == 0 && inner[i..].starts_with(" -> ") => {
                    return Ty::Map(Box::new(parse_type(&inner[..i])), Box::new(parse_type(&inner[i + 4..])));
                }
                _ => {}
            }
        }
        panic!("map type without ' -> ': {t}");
    }
    if t == "<class> record" {
        return Ty::AnyRecord;
    }
    if let Some(c) = t.strip_suffix(" ref") {
        return Ty::Ref(c.to_string());
    }
    if let Some(c) = t.strip_suffix(" record") {
        return Ty::Record(c.to_string());
    }
    if let Some(e) = t.strip_prefix("enum ") {
        return Ty::Enum(e.to_string());
    }
    match t {
        "string" => Ty::Str,
        "int" => Ty::Int,
        "float" => Ty::Float,
        "bool" => Ty::Bool,
        "datetime" => Ty::DateTime,
        other => panic!("unknown type {other:?}"),
    }
}

/// A field of a class.
#[derive(Clone, Debug)]
pub struct Field {
    pub name: String,
    pub ty: Ty,
    pub default: Option<String>,
}

/// What the tests need from the model.
#[derive(Debug)]
pub struct Model {
    /// Fields of each class, by class name, in schema order.
    pub fields: HashMap<String, Vec<Field>>,
    /// Values of each enum, by enum name.
    pub enums: HashMap<String, Vec<String>>,
}

/// The model, read once.
pub fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        let path = model_path();
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let raw: Value = serde_json::from_str(&text).expect("model JSON");
        // What xapi added after the reference's release comes from the
        // schema (which `upstream-check` holds to xapi's sources): whole
        // classes, fields and enum values the reference lacks, and defaults
        // xapi changed.
        let schema = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema");
        let api = xenapi_gen::load_schema(&schema).unwrap_or_else(|d| panic!("schema: {d}"));
        let newer = xenapi_gen::export::model_json(&api);
        let mut fields: HashMap<String, Vec<Field>> = HashMap::new();
        let mut enums: HashMap<String, Vec<String>> = HashMap::new();
        for c in raw["classes"].as_array().expect("classes").iter().chain(newer["classes"].as_array().expect("classes"))
        {
            let name = c["name"].as_str().expect("class name").to_string();
            for e in c["enums"].as_array().into_iter().flatten() {
                let values = e["values"].as_array().expect("values").iter();
                let values = values.map(|v| v["name"].as_str().or(v.as_str()).expect("value").to_string());
                let known = enums.entry(e["name"].as_str().expect("enum name").to_string()).or_default();
                for v in values {
                    if !known.contains(&v) {
                        known.push(v);
                    }
                }
            }
            let fs = c["fields"].as_array().into_iter().flatten().map(|f| Field {
                name: f["name"].as_str().expect("field name").to_string(),
                ty: parse_type(f["type"].as_str().expect("field type")),
                default: f.get("default").and_then(Value::as_str).map(str::to_string),
            });
            let known = fields.entry(name).or_default();
            for f in fs {
                match known.iter_mut().find(|k| k.name == f.name) {
                    // A default xapi changed since (VM.has_vendor_device, in 24.14.0).
                    Some(k) => k.default = f.default,
                    None => known.push(f),
                }
            }
        }
        Model { fields, enums }
    })
}

impl Model {
    /// Fields of a class (panics for an unknown class).
    pub fn class(&self, name: &str) -> &[Field] {
        self.fields.get(name).unwrap_or_else(|| panic!("no class {name}"))
    }

    fn enum_values(&self, name: &str) -> &[String] {
        self.enums.get(name).unwrap_or_else(|| panic!("no enum {name}"))
    }

    /// A JSON record of `class` with every field set, and set to
    /// something other than its default.
    pub fn populated(&self, class: &str) -> Value {
        let mut m = Map::new();
        for (i, f) in self.class(class).iter().enumerate() {
            m.insert(f.name.clone(), self.sample(&f.ty, &f.name, i as i64, f.default.as_deref()));
        }
        Value::Object(m)
    }

    /// A non-default value of `ty` (`seed` varies it between fields).
    pub fn sample(&self, ty: &Ty, field: &str, seed: i64, default: Option<&str>) -> Value {
        match ty {
            Ty::Str => json!(format!("{field} <&> \u{e9}\u{2603} {seed}")),
            Ty::Int => json!(5_000_000_000i64 + seed),
            Ty::Float => json!(0.25 + seed as f64),
            Ty::Bool => json!(default != Some("true")),
            Ty::DateTime => json!(format!("2024013{}T10:{:02}:00Z", seed % 2, seed % 60)),
            Ty::Enum(e) => {
                let values = self.enum_values(e);
                let pick = values.iter().rev().find(|v| Some(v.as_str()) != default).unwrap_or(&values[0]);
                json!(pick)
            }
            Ty::Ref(c) => json!(format!("OpaqueRef:{c}-{field}-{seed}")),
            Ty::Record(c) => self.populated(c),
            Ty::AnyRecord => json!({"uuid": format!("uuid-{seed}"), "name_label": field}),
            Ty::Set(inner) => match &**inner {
                // Two distinct members where the type has two values.
                Ty::Enum(e) if self.enum_values(e).len() > 1 => {
                    let v = self.enum_values(e);
                    json!([v[1], v[0]])
                }
                Ty::Bool => json!([true]),
                inner => json!([self.sample(inner, field, seed, None), self.sample(inner, field, seed + 1, None)]),
            },
            Ty::Map(k, v) => {
                let key = match self.sample(k, field, seed + 7, None) {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                let mut m = Map::new();
                m.insert(key, self.sample(v, field, seed + 3, None));
                Value::Object(m)
            }
            Ty::Option(inner) => self.sample(inner, field, seed, default),
        }
    }

    /// The JSON record a client must decode from an empty struct. Option
    /// fields without a default are `None`, which records leave out.
    pub fn defaults(&self, class: &str) -> Value {
        let mut m = Map::new();
        for f in self.class(class) {
            let v = match &f.default {
                Some(d) => self.literal(&f.ty, d),
                None if matches!(f.ty, Ty::Option(_)) => continue,
                None => self.empty(&f.ty),
            };
            m.insert(f.name.clone(), v);
        }
        Value::Object(m)
    }

    /// A type's empty value.
    pub fn empty(&self, ty: &Ty) -> Value {
        match ty {
            Ty::Str => json!(""),
            Ty::Int => json!(0i64),
            Ty::Float => json!(0.0f64),
            Ty::Bool => json!(false),
            Ty::DateTime => json!("19700101T00:00:00Z"),
            // Without a schema default an enum takes its first value.
            Ty::Enum(e) => json!(self.enum_values(e)[0]),
            Ty::Ref(_) => json!("OpaqueRef:NULL"),
            Ty::Record(c) => self.defaults(c),
            Ty::AnyRecord | Ty::Option(_) => Value::Null,
            Ty::Set(_) => json!([]),
            Ty::Map(..) => json!({}),
        }
    }

    /// A schema default literal as JSON.
    pub fn literal(&self, ty: &Ty, lit: &str) -> Value {
        let lit = lit.trim();
        let unquote = |s: &str| s.trim().trim_matches('"').to_string();
        match ty {
            Ty::Str => json!(unquote(lit)),
            Ty::Int => json!(lit.parse::<i64>().expect("int default")),
            Ty::Float => {
                // OCaml style: `1.` means 1.0.
                let text = if lit.ends_with('.') { format!("{lit}0") } else { lit.to_string() };
                json!(text.parse::<f64>().expect("float default"))
            }
            Ty::Bool => json!(lit == "true"),
            Ty::DateTime | Ty::Enum(_) => json!(lit),
            Ty::Ref(_) if lit == "Null" || lit.is_empty() => json!("OpaqueRef:NULL"),
            Ty::Ref(_) => json!(lit),
            Ty::Option(inner) => self.literal(inner, lit),
            Ty::Set(inner) => {
                let body = lit.trim_start_matches('{').trim_end_matches('}').trim();
                let items = body.split(',').map(str::trim).filter(|s| !s.is_empty());
                Value::Array(items.map(|i| self.literal(inner, i)).collect())
            }
            Ty::Map(k, v) => {
                let body = lit.trim_start_matches('{').trim_end_matches('}').trim();
                let mut m = Map::new();
                for pair in body.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    let (a, b) = pair.split_once("->").expect("map default pair");
                    let key = match self.literal(k, a) {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    m.insert(key, self.literal(v, b));
                }
                Value::Object(m)
            }
            Ty::Record(_) | Ty::AnyRecord => panic!("no literal defaults for records"),
        }
    }
}
