//! One cargo feature per class in the generated crate, and `server`.
//!
//! A class's feature turns on its record and its client; with `server`
//! also on, its server side (trait, dispatcher, routes, the store's record
//! implementations). Cheap items stay on whatever the features:
//! every class's marker and ref type, the errors, the roles, the relations,
//! and what the runtime's `Schema` needs (the event record and the task
//! status enum, with the enums those use). An enum is compiled when any
//! class whose code names it is on. A class whose fields or messages name
//! another class's record turns that class's feature on in `Cargo.toml`;
//! a reference to another class pulls nothing in.
//!
//! Everything here is computed once per generated crate, and every part of
//! the crate that lists classes asks it for its `#[cfg]`. Output meant to
//! be included into another crate (`single_file`) has no features of its
//! own: [`Gates::none`] writes no `#[cfg]` at all.

use super::types::ident;
use crate::model::{Api, Class, ClassKind, Type};
use crate::names::rust as names;
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::{BTreeMap, BTreeSet};

/// The feature that turns the server side on (traits, dispatchers,
/// routes, roles, relations, the store's record implementations).
pub const SERVER: &str = "server";

/// The enum `xenapi_rt::Schema` takes task states from.
pub const TASK_STATUS: &str = "task_status_type";

/// The `#[cfg]` of every gated item of the generated crate.
pub struct Gates<'a> {
    api: &'a Api,
    /// Whether the crate has class features at all.
    on: bool,
    /// Records and enums compiled whatever the features.
    always_records: BTreeSet<&'a str>,
    always_enums: BTreeSet<&'a str>,
    /// Per enum, the classes whose code names it, in API order.
    enum_users: BTreeMap<&'a str, Vec<&'a str>>,
}

/// The records and enums named by a list of types.
fn types_named<'a>(types: impl Iterator<Item = &'a Type>) -> (BTreeSet<&'a str>, BTreeSet<&'a str>) {
    let mut records = BTreeSet::new();
    let mut enums = BTreeSet::new();
    for ty in types {
        ty.visit(&mut |t| match t {
            Type::Record(c) => {
                records.insert(c.as_str());
            }
            Type::Enum(e) => {
                enums.insert(e.as_str());
            }
            _ => {}
        });
    }
    (records, enums)
}

/// The records and enums one class's code names: its fields, and the
/// parameters and results of its messages.
fn named_types(class: &Class) -> (BTreeSet<&str>, BTreeSet<&str>) {
    let params = class.messages.iter().flat_map(|m| m.params.iter().map(|p| &p.ty).chain([&m.result]));
    types_named(class.fields.iter().map(|f| &f.ty).chain(params))
}

/// The records and enums the fields of a class's record name.
fn field_types(class: &Class) -> (BTreeSet<&str>, BTreeSet<&str>) {
    types_named(class.fields.iter().map(|f| &f.ty))
}

impl<'a> Gates<'a> {
    /// The gates of a crate with one feature per class.
    pub fn per_class(api: &'a Api) -> Gates<'a> {
        let mut enum_users: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for c in &api.classes {
            for e in named_types(c).1 {
                enum_users.entry(e).or_default().push(&c.name);
            }
        }
        // The runtime's `Schema` names the event record and the task
        // status enum; they and whatever their fields name stay on.
        let mut always_records = BTreeSet::new();
        let mut always_enums = BTreeSet::from([TASK_STATUS]);
        let mut todo: Vec<&str> = ClassKind::Event.class_name().into_iter().collect();
        while let Some(name) = todo.pop() {
            let Some(class) = api.class(name) else { continue };
            if !always_records.insert(class.name.as_str()) {
                continue;
            }
            let (records, enums) = field_types(class);
            always_enums.extend(enums);
            todo.extend(records);
        }
        Gates { api, on: true, always_records, always_enums, enum_users }
    }

    /// No gates: every item is always compiled.
    pub fn none(api: &'a Api) -> Gates<'a> {
        Gates {
            api,
            on: false,
            always_records: BTreeSet::new(),
            always_enums: BTreeSet::new(),
            enum_users: BTreeMap::new(),
        }
    }

    /// `#[cfg(feature = "CLASS")]`: the class's client and server side.
    pub fn class(&self, class: &str) -> TokenStream {
        self.any(&[class])
    }

    /// `#[cfg(any(feature = "A", ...))]`, or nothing without features.
    /// No class at all means never.
    pub fn any(&self, classes: &[&str]) -> TokenStream {
        match self.predicate(classes) {
            Some(p) => quote!(#[cfg(#p)]),
            None => quote!(),
        }
    }

    /// `#[cfg_attr(not(any(feature = "A", ...)), ATTR)]`: `attr` when none
    /// of `classes` is on; nothing without features.
    pub fn unless_any(&self, classes: &[&str], attr: TokenStream) -> TokenStream {
        match self.predicate(classes) {
            Some(p) => quote!(#[cfg_attr(not(#p), #attr)]),
            None => quote!(),
        }
    }

    /// The `cfg` predicate "any of these classes is on".
    fn predicate(&self, classes: &[&str]) -> Option<TokenStream> {
        if !self.on {
            return None;
        }
        Some(match classes {
            [one] => {
                let f = names::class_feature(one);
                quote!(feature = #f)
            }
            many => {
                let fs = many.iter().map(|c| names::class_feature(c));
                quote!(any(#(feature = #fs),*))
            }
        })
    }

    /// `#[cfg(feature = "server")]`: the server side of the crate.
    pub fn server(&self) -> TokenStream {
        self.all_server(None)
    }

    /// The server side of a class: its feature and `server` both on.
    pub fn server_class(&self, class: &str) -> TokenStream {
        self.all_server(self.predicate(&[class]))
    }

    /// What the server side adds to a class's record: `server` on, and
    /// the record there.
    pub fn server_record(&self, class: &str) -> TokenStream {
        if self.always_records.contains(class) {
            self.server()
        } else {
            self.server_class(class)
        }
    }

    /// `#[cfg(all(feature = "server", P))]`, or `server` alone.
    fn all_server(&self, p: Option<TokenStream>) -> TokenStream {
        if !self.on {
            return quote!();
        }
        match p {
            Some(p) => quote!(#[cfg(all(feature = #SERVER, #p))]),
            None => quote!(#[cfg(feature = #SERVER)]),
        }
    }

    /// The `#[cfg]` of a class's record type and its implementations.
    pub fn record(&self, class: &str) -> TokenStream {
        if self.always_records.contains(class) {
            quote!()
        } else {
            self.class(class)
        }
    }

    /// The `#[cfg]` of an enum: on when any class naming it is on. An enum
    /// no class names follows the class that defines it.
    pub fn enum_def(&self, name: &str) -> TokenStream {
        if self.always_enums.contains(name) {
            return quote!();
        }
        match self.enum_users.get(name) {
            Some(users) => self.any(users),
            None => {
                let home = self.api.enum_home(name).map(|id| self.api.class_at(id).name.as_str());
                self.any(&home.into_iter().collect::<Vec<_>>())
            }
        }
    }

    /// The other classes whose feature a class's feature turns on: those
    /// whose records its code names (records always on left out).
    pub fn requires(&self, class: &'a Class) -> Vec<&'a str> {
        let (records, _) = named_types(class);
        let wanted: BTreeSet<&str> =
            records.into_iter().filter(|r| *r != class.name && !self.always_records.contains(r)).collect();
        // In API order, like the features themselves.
        self.api.classes.iter().map(|c| c.name.as_str()).filter(|c| wanted.contains(c)).collect()
    }

    /// The `[features]` table of the crate's `Cargo.toml`: `server` and
    /// every class on by default, each class with the classes it requires.
    pub fn cargo_features(&self) -> String {
        let quoted =
            |names: &[&str]| names.iter().map(|n| format!("\"{}\"", names::class_feature(n))).collect::<Vec<_>>();
        let all: Vec<&str> = self.api.classes.iter().map(|c| c.name.as_str()).collect();
        let mut out = format!(
            "\n[features]\n# The server side and every class. Turn the defaults off and name the\n# classes you use to build only those (a class brings the classes whose\n# records it needs), and `{SERVER}` for their server side.\ndefault = [\n    \"{SERVER}\",\n"
        );
        for f in quoted(&all) {
            out.push_str(&format!("    {f},\n"));
        }
        out.push_str(&format!("]\n{SERVER} = []\n"));
        for c in &self.api.classes {
            out.push_str(&format!("{} = [{}]\n", names::class_feature(&c.name), quoted(&self.requires(c)).join(", ")));
        }
        out
    }

    /// Wraps tokens that must exist only when a class is on into a call of
    /// that class's gate macro, for macros that expand in other crates
    /// (where `#[cfg(feature)]` would ask about that crate's features).
    pub fn in_macro(&self, class: &str, tokens: TokenStream) -> TokenStream {
        if !self.on {
            return tokens;
        }
        let m = ident(&names::class_gate_macro(class));
        quote!($crate::#m! { #tokens })
    }

    /// The gate macros [`Gates::in_macro`] calls: per class, one that
    /// passes its input through when the class is on and one that drops
    /// it when off.
    pub fn gate_macros(&self) -> TokenStream {
        if !self.on {
            return quote!();
        }
        let macros = self.api.classes.iter().map(|c| {
            let m = ident(&names::class_gate_macro(&c.name));
            let f = names::class_feature(&c.name);
            quote! {
                #[cfg(feature = #f)]
                #[doc(hidden)]
                #[macro_export]
                macro_rules! #m {
                    ($($t:tt)*) => { $($t)* };
                }
                #[cfg(not(feature = #f))]
                #[doc(hidden)]
                #[macro_export]
                macro_rules! #m {
                    ($($t:tt)*) => {};
                }
            }
        });
        quote!(#(#macros)*)
    }

    /// The part of the `Server` trait a class adds, defined in the class's
    /// module: its server trait when the class is on, nothing when off.
    pub fn server_part(&self, class: &str) -> TokenStream {
        let part = ident(&names::server_part_trait(class));
        let tr = ident(&names::server_trait(class));
        let on_doc = format!(" A backend of the {class} class: the part of [`crate::Server`] this class adds.");
        let gate = self.server_class(class);
        let on = quote! {
            #[doc = #on_doc]
            #[doc(hidden)]
            #gate
            pub trait #part: #tr {}
            #gate
            impl<S: #tr> #part for S {}
        };
        if !self.on {
            return on;
        }
        let f = names::class_feature(class);
        let off_doc = format!(" Every type: the {class} class is off (its feature `{f}`).");
        quote! {
            #on
            #[doc = #off_doc]
            #[doc(hidden)]
            #[cfg(all(feature = #SERVER, not(feature = #f)))]
            pub trait #part {}
            #[cfg(all(feature = #SERVER, not(feature = #f)))]
            impl<S> #part for S {}
        }
    }
}
