//! Identifier collisions in the target languages. Two API items that are
//! different names in the schema may become one identifier in generated
//! code (`VCPUs_max` and `vcpus_max` are both `vcpus_max` in Rust and C).
//! Every such pair is a diagnostic at the later item, saying what it
//! collides with, in which languages, and how to fix it; all are found in
//! one run. Each check covers one scope of a language: the names that
//! must differ there (the type names at the crate root, a class's fields,
//! a message's parameters, ...), with the names `crate::names` gives.

use super::{Api, Class, Message, Type};
use crate::diag::Diagnostics;
use crate::load::raw::Src;
use crate::names::{c, python as py, rust as rs};
use std::collections::HashMap;

/// The generated languages, in the order diagnostics name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Lang {
    Rust,
    C,
    Python,
}

impl Lang {
    fn name(self) -> &'static str {
        match self {
            Lang::Rust => "Rust",
            Lang::C => "C",
            Lang::Python => "Python",
        }
    }
}

/// An API item as a diagnostic names it, and where it was written.
#[derive(Clone)]
struct Item<'a> {
    what: String,
    /// The name in the schema; items with the same name are the same item
    /// (or a duplicate, which the resolver reports on its own).
    name: &'a str,
    src: &'a Src,
    /// A message derived from a field or a class setting: two derived
    /// messages only collide when what they come from does, which is
    /// reported there.
    derived: bool,
}

/// One collision: `item` becomes `ident` in `lang`, as `first` did.
struct Clash<'a> {
    lang: Lang,
    ident: String,
    item: Item<'a>,
    first: Item<'a>,
}

#[derive(Default)]
struct Checker<'a> {
    clashes: Vec<Clash<'a>>,
}

impl<'a> Checker<'a> {
    /// Checks one scope: every `(identifier, item)` pair must have its own
    /// identifier.
    fn scope(&mut self, lang: Lang, names: impl IntoIterator<Item = (String, Item<'a>)>) {
        let mut seen: HashMap<String, Item<'a>> = HashMap::new();
        for (ident, item) in names {
            if item.name.trim().is_empty() {
                continue;
            }
            match seen.get(&ident) {
                Some(first) if first.name != item.name && !(first.derived && item.derived) => {
                    self.clashes.push(Clash { lang, ident, item, first: first.clone() });
                }
                Some(_) => {}
                None => {
                    seen.insert(ident, item);
                }
            }
        }
    }

    /// Checks one scope in each language, with that language's rule for
    /// turning an API name into an identifier.
    fn each_lang(
        &mut self,
        items: &[Item<'a>],
        rust: impl Fn(&str) -> String,
        c: impl Fn(&str) -> String,
        python: impl Fn(&str) -> String,
    ) {
        self.scope(Lang::Rust, items.iter().map(|i| (rust(i.name), i.clone())));
        self.scope(Lang::C, items.iter().map(|i| (c(i.name), i.clone())));
        self.scope(Lang::Python, items.iter().map(|i| (python(i.name), i.clone())));
    }
}

fn class_item(class: &Class) -> Item<'_> {
    Item { what: format!("class `{}`", class.name), name: &class.name, src: &class.src, derived: false }
}

fn message_item<'a>(class: &Class, m: &'a Message, async_form: bool) -> Item<'a> {
    let what = if async_form {
        format!("the async form of message `{}` of class `{}`", m.name, class.name)
    } else {
        format!("message `{}` of class `{}`", m.name, class.name)
    };
    Item { what, name: &m.name, src: &m.src, derived: m.is_derived() }
}

/// Every collision of the API's identifiers in Rust, C and Python.
pub(crate) fn collisions(api: &Api) -> Diagnostics {
    let mut k = Checker::default();
    // Type names: the Rust crate root, C's global names, Python's modules.
    let mut rust_root = Vec::new();
    let mut c_types = Vec::new();
    let mut py_types = Vec::new();
    for class in &api.classes {
        let item = class_item(class);
        for n in [
            rs::type_name(&class.name),
            rs::ref_type(&class.name),
            rs::record_type(&class.name),
            rs::client_type(&class.name),
            rs::server_trait(&class.name),
        ] {
            rust_root.push((n, item.clone()));
        }
        for n in [c::type_name(&class.name), c::record(&class.name), c::record_opt(&class.name)] {
            c_types.push((n, item.clone()));
        }
        for n in [py::ref_type(&class.name), py::record_type(&class.name), py::api_class(&class.name)] {
            py_types.push((n, item.clone()));
        }
    }
    for (_, e) in api.unique_enums() {
        let item = Item { what: format!("enum `{}`", e.name), name: &e.name, src: &e.src, derived: false };
        rust_root.push((rs::enum_type(&e.name), item.clone()));
        c_types.push((c::enum_type(&e.name), item.clone()));
        py_types.push((py::enum_type(&e.name), item));
        let values: Vec<Item<'_>> = e
            .values
            .iter()
            .map(|v| Item {
                what: format!("value `{}` of enum `{}`", v.name, e.name),
                name: &v.name,
                src: &v.src,
                derived: false,
            })
            .collect();
        k.each_lang(&values, rs::variant, |v| c::enum_value(&e.name, v), py::enum_member);
    }
    k.scope(Lang::Rust, rust_root);
    k.scope(Lang::C, c_types);
    k.scope(Lang::Python, py_types);
    k.scope(Lang::Rust, api.classes.iter().map(|class| (rs::module(&class.name), class_item(class))));
    k.scope(Lang::Python, api.classes.iter().map(|class| (py::ident(&class.name), class_item(class))));

    for class in &api.classes {
        let fields: Vec<Item<'_>> = class
            .fields
            .iter()
            .map(|f| Item {
                what: format!("field `{}` of class `{}`", f.name, class.name),
                name: &f.name,
                src: &f.src,
                derived: false,
            })
            .collect();
        k.each_lang(&fields, rs::ident, c::ident, py::ident);

        // Methods, with the `Async.` forms beside them.
        let mut rust = Vec::new();
        let mut cf = Vec::new();
        let mut python = Vec::new();
        for m in &class.messages {
            rust.push((rs::ident(&m.name), message_item(class, m, false)));
            cf.push((c::function(&class.name, &m.name), message_item(class, m, false)));
            python.push((py::ident(&m.name), message_item(class, m, false)));
            if m.has_async {
                rust.push((rs::async_method(&m.name), message_item(class, m, true)));
                python.push((py::async_method(&m.name), message_item(class, m, true)));
            }
            if c::has_async_function(api, class, m) {
                cf.push((c::async_function(&class.name, &m.name), message_item(class, m, true)));
            }
            let params: Vec<Item<'_>> = m
                .params
                .iter()
                .map(|p| Item {
                    what: format!("param `{}` of message `{}` of class `{}`", p.name, m.name, class.name),
                    name: &p.name,
                    src: &p.src,
                    derived: m.is_derived(),
                })
                .collect();
            k.each_lang(&params, rs::ident, |p| c::param(&class.name, p), py::ident);
        }
        k.scope(Lang::Rust, rust);
        k.scope(Lang::C, cf);
        k.scope(Lang::Python, python);
    }

    k.scope(Lang::C, c_globals(api));

    let errors: Vec<Item<'_>> = api
        .errors
        .iter()
        .map(|e| Item { what: format!("error code `{}`", e.code), name: &e.code, src: &e.src, derived: false })
        .collect();
    k.each_lang(&errors, rs::variant, c::failure, py::error_class);
    report(api, k.clashes)
}

/// C has one namespace for the whole SDK: the types of every class and
/// enum and the functions of every message share it, so a function of one
/// class may meet a type of another (message `bar` of class `foo` and
/// class `foo_bar` are both `xen_foo_bar`). Listed class by class (its
/// types, then its functions), then the enums, so that a pair the
/// narrower scopes above also find is the same pair here.
fn c_globals(api: &Api) -> Vec<(String, Item<'_>)> {
    let mut out = Vec::new();
    for class in &api.classes {
        let item = class_item(class);
        let t = c::type_name(&class.name);
        let record = c::record(&class.name);
        let types = [
            c::set(&Type::Ref(class.name.clone())),
            c::set(&Type::Record(class.name.clone())),
            c::record_opt_set(&class.name),
            c::record_opt(&class.name),
            format!("{t}_free"),
            format!("{record}_free"),
            format!("{record}_alloc"),
            t,
            record,
        ];
        out.extend(types.into_iter().map(|n| (n, item.clone())));
        for m in &class.messages {
            out.push((c::function(&class.name, &m.name), message_item(class, m, false)));
            if c::has_async_function(api, class, m) {
                out.push((c::async_function(&class.name, &m.name), message_item(class, m, true)));
            }
        }
    }
    for (_, e) in api.unique_enums() {
        let item = Item { what: format!("enum `{}`", e.name), name: &e.name, src: &e.src, derived: false };
        let t = c::enum_type(&e.name);
        let names = [c::set(&Type::Enum(e.name.clone())), format!("{t}_to_string"), format!("{t}_from_string"), t];
        out.extend(names.into_iter().map(|n| (n, item.clone())));
    }
    out
}

/// A colliding pair: the later item and where it is, the earlier item
/// and where it is.
type PairKey<'a> = (String, &'a Src, String, &'a Src);

/// One diagnostic per colliding pair, naming every language it collides
/// in (with the first identifier found in each).
fn report(api: &Api, clashes: Vec<Clash<'_>>) -> Diagnostics {
    let mut pairs: Vec<(PairKey<'_>, Vec<(Lang, String)>)> = Vec::new();
    let mut index: HashMap<PairKey<'_>, usize> = HashMap::new();
    for cl in clashes {
        let key = (cl.item.what, cl.item.src, cl.first.what, cl.first.src);
        match index.get(&key) {
            Some(&i) => {
                let langs = &mut pairs[i].1;
                if !langs.iter().any(|(l, _)| *l == cl.lang) {
                    langs.push((cl.lang, cl.ident));
                }
            }
            None => {
                index.insert(key.clone(), pairs.len());
                pairs.push((key, vec![(cl.lang, cl.ident)]));
            }
        }
    }
    let mut out = Diagnostics::default();
    for ((item, src, first, first_src), mut langs) in pairs {
        let first = format!("{first}{}", where_is(api, src, first_src));
        langs.sort();
        // `vcpus_max` in Rust and C, `VcpusMax` in Python
        let mut by_ident: Vec<(&str, Vec<&str>)> = Vec::new();
        for (lang, ident) in &langs {
            match by_ident.iter_mut().find(|(i, _)| i == ident) {
                Some((_, ls)) => ls.push(lang.name()),
                None => by_ident.push((ident, vec![lang.name()])),
            }
        }
        let becomes: Vec<String> = by_ident.iter().map(|(i, ls)| format!("`{i}` in {}", and_list(ls))).collect();
        let becomes: Vec<&str> = becomes.iter().map(String::as_str).collect();
        let lang_names: Vec<&str> = langs.iter().map(|(l, _)| l.name()).collect();
        let message = format!("{item} and {first} both become {}", and_list(&becomes));
        let help = format!("rename one of the two so that they stay apart in {}", and_list(&lang_names));
        out.push(api.sources.diagnostic(src, message).with_help(help));
    }
    out
}

/// ` (line 12)` for a place in the same file, ` (in `host.yaml`, line 12)`
/// for one in another file.
fn where_is(api: &Api, here: &Src, there: &Src) -> String {
    let span = api.sources.span(there);
    if span.line == 0 {
        return String::new();
    }
    if here.file == there.file {
        format!(" (line {})", span.line)
    } else {
        let file = span.file.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
        format!(" (in `{file}`, line {})", span.line)
    }
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
