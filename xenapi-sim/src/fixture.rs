//! Fixtures: the objects the simulator starts with. See
//! `xenapi-sim/fixtures/README.md` for the format.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;
use xenapi::server::{ClassVisitor, Record};
use xenapi::ApiError;
use xenapi_rt::types::Class;

use crate::store::{SimStore, Tx};
use crate::util::new_ref;

/// The built-in fixture.
pub const DEFAULT: &str = include_str!("../fixtures/default.yaml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    include: Vec<String>,
    #[serde(default)]
    objects: Vec<Object>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Object {
    class: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    count: Option<u64>,
    #[serde(default, rename = "ref")]
    reference: Option<String>,
    #[serde(default)]
    fields: serde_yaml::Mapping,
}

/// One object to create: class, reference, fields with `@id`s resolved.
struct Planned {
    class: String,
    r: String,
    fields: Value,
    origin: String,
}

/// A parsed fixture, includes expanded.
pub struct Fixture {
    objects: Vec<(String, Object)>,
}

impl Fixture {
    /// The built-in default fixture.
    pub fn default_fixture() -> Result<Fixture, String> {
        let mut f = Fixture { objects: Vec::new() };
        f.add_text(DEFAULT, "the default fixture", None, 0)?;
        Ok(f)
    }

    /// A fixture file (YAML or JSON).
    pub fn from_file(path: &Path) -> Result<Fixture, String> {
        let mut f = Fixture { objects: Vec::new() };
        f.add_file(path, 0)?;
        Ok(f)
    }

    /// A fixture from text.
    pub fn from_text(text: &str) -> Result<Fixture, String> {
        let mut f = Fixture { objects: Vec::new() };
        f.add_text(text, "the fixture", None, 0)?;
        Ok(f)
    }

    fn add_file(&mut self, path: &Path, depth: usize) -> Result<(), String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read fixture {}: {e}", path.display()))?;
        let origin = path.display().to_string();
        self.add_text(&text, &origin, path.parent().map(Path::to_path_buf), depth)
    }

    fn add_text(&mut self, text: &str, origin: &str, dir: Option<PathBuf>, depth: usize) -> Result<(), String> {
        if depth > 8 {
            return Err(format!("{origin}: includes nest too deeply"));
        }
        let file: File = serde_yaml::from_str(text).map_err(|e| format!("{origin}: {e}"))?;
        for inc in &file.include {
            if inc == "default" {
                self.add_text(DEFAULT, "the default fixture", None, depth + 1)?;
            } else {
                let p = dir.as_deref().unwrap_or(Path::new(".")).join(inc);
                self.add_file(&p, depth + 1)?;
            }
        }
        for o in file.objects {
            self.objects.push((origin.to_string(), o));
        }
        Ok(())
    }

    /// Creates every object in one transaction.
    pub fn load(&self, store: &SimStore) -> Result<(), String> {
        let planned = self.plan()?;
        store
            .write(|tx| {
                let mut known = HashMap::new();
                for p in planned {
                    create_erased(tx, &p.class, &p.r, p.fields, &mut known).map_err(|e| match e {
                        Err(why) => {
                            ApiError::InternalError { message: format!("{}: {} {}: {why}", p.origin, p.class, p.r) }
                        }
                        Ok(api) => ApiError::InternalError {
                            message: format!("{}: {} {}: {}", p.origin, p.class, p.r, api.to_description().join(" ")),
                        },
                    })?;
                }
                // What hosts have free and allow follows from what runs
                // on them.
                for (host, _) in tx.db().all::<xenapi::HostRecord>() {
                    crate::classes::placement::refresh_memory(tx, host.as_str())?;
                    crate::classes::host::refresh_ops(tx, host.as_str())?;
                }
                Ok(())
            })
            .map_err(|e| match e {
                ApiError::InternalError { message } => message,
                other => other.to_description().join(" "),
            })
    }

    /// Expands counts, gives every object a reference, resolves `@id`s.
    fn plan(&self) -> Result<Vec<Planned>, String> {
        let mut expanded = Vec::new();
        let mut ids: HashMap<String, String> = HashMap::new();
        for (origin, o) in &self.objects {
            let fields = yaml_to_json(&serde_yaml::Value::Mapping(o.fields.clone()))
                .map_err(|e| format!("{origin}: {} object: {e}", o.class))?;
            let n = o.count.unwrap_or(1);
            if n > 10_000_000 {
                return Err(format!("{origin}: count {n} is too large"));
            }
            for i in 0..n {
                let sub = |s: &str| if o.count.is_some() { s.replace("{i}", &i.to_string()) } else { s.to_string() };
                let r = o.reference.as_deref().map(&sub).unwrap_or_else(new_ref);
                if let Some(id) = &o.id {
                    let id = sub(id);
                    if ids.insert(id.clone(), r.clone()).is_some() {
                        return Err(format!("{origin}: id `{id}` is used twice"));
                    }
                }
                let f = if o.count.is_some() {
                    map_strings(&fields, &mut |s| s.replace("{i}", &i.to_string()))
                } else {
                    fields.clone()
                };
                expanded.push((origin.clone(), o.class.clone(), r, f));
            }
        }
        let mut out = Vec::with_capacity(expanded.len());
        for (origin, class, r, f) in expanded {
            let mut missing = None;
            let fields = map_strings(&f, &mut |s| match s.strip_prefix('@') {
                Some(rest) if rest.starts_with('@') => rest.to_string(),
                Some(id) => match ids.get(id) {
                    Some(r) => r.clone(),
                    None => {
                        missing.get_or_insert_with(|| id.to_string());
                        s.to_string()
                    }
                },
                None => s.to_string(),
            });
            if let Some(id) = missing {
                return Err(format!("{origin}: {class} object refers to `@{id}`, which no object has as its id"));
            }
            out.push(Planned { class, r, fields, origin });
        }
        Ok(out)
    }
}

/// Applies `f` to every string (and map key) in a value.
fn map_strings(v: &Value, f: &mut dyn FnMut(&str) -> String) -> Value {
    match v {
        Value::String(s) => Value::String(f(s)),
        Value::Array(a) => Value::Array(a.iter().map(|x| map_strings(x, f)).collect()),
        Value::Object(m) => {
            let mut out = serde_json::Map::new();
            for (k, x) in m {
                let k = f(k);
                out.insert(k, map_strings(x, f));
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// YAML to JSON, with map keys as strings (`{0: 1}` becomes `{"0": 1}`).
fn yaml_to_json(v: &serde_yaml::Value) -> Result<Value, String> {
    use serde_yaml::Value as Y;
    Ok(match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(*b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                serde_json::Number::from_f64(n.as_f64().unwrap_or(0.0)).map(Value::Number).unwrap_or(Value::Null)
            }
        }
        Y::String(s) => Value::String(s.clone()),
        Y::Sequence(s) => Value::Array(s.iter().map(yaml_to_json).collect::<Result<_, _>>()?),
        Y::Mapping(m) => {
            let mut out = serde_json::Map::new();
            for (k, x) in m {
                let key = match k {
                    Y::String(s) => s.clone(),
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    other => return Err(format!("map key {other:?} is not a string or number")),
                };
                out.insert(key, yaml_to_json(x)?);
            }
            Value::Object(out)
        }
        Y::Tagged(t) => yaml_to_json(&t.value)?,
    })
}

/// Creates an object of a class named at run time. `Err(Err(_))`: the
/// class or fields are wrong; `Err(Ok(_))`: the store refused it.
fn create_erased(
    tx: &mut Tx<'_>,
    class: &str,
    r: &str,
    fields: Value,
    known: &mut HashMap<&'static str, Vec<String>>,
) -> Result<(), Result<ApiError, String>> {
    struct Create<'a, 'b> {
        tx: &'a mut Tx<'b>,
        class: &'a str,
        r: &'a str,
        fields: Option<Value>,
        known: &'a mut HashMap<&'static str, Vec<String>>,
        out: Option<Result<(), Result<ApiError, String>>>,
    }
    impl ClassVisitor for Create<'_, '_> {
        fn visit<R: Record>(&mut self) {
            if self.out.is_some() || !<R::Class as Class>::NAME.eq_ignore_ascii_case(self.class) {
                return;
            }
            let fields = self.fields.take().unwrap_or(Value::Null);
            // Records ignore fields they do not know; a fixture should not.
            let known = self.known.entry(<R::Class as Class>::NAME).or_insert_with(|| {
                match serde_json::to_value(R::default()) {
                    Ok(Value::Object(m)) => m.keys().cloned().collect(),
                    _ => Vec::new(),
                }
            });
            if let Value::Object(given) = &fields {
                if let Some(k) = given.keys().find(|k| !known.contains(*k)) {
                    self.out = Some(Err(Err(format!("{} has no field `{k}`", <R::Class as Class>::NAME))));
                    return;
                }
            }
            self.out = Some(match serde_json::from_value::<R>(fields) {
                Ok(rec) => self.tx.create_as::<R>(self.r, rec).map_err(Ok),
                Err(e) => Err(Err(format!("bad fields: {e}"))),
            });
        }
    }
    let mut c = Create { tx, class, r, fields: Some(fields), known, out: None };
    xenapi::visit_records(&mut c);
    c.out.unwrap_or_else(|| Err(Err(format!("no class is called `{class}`"))))
}
