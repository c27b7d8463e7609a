//! One module per class: its marker and ref type, enums, record, client
//! methods, server trait and dispatcher.

use super::docs::{deprecated, doc, message_doc};
use super::features::Gates;
use super::types::{borrowed, ident, owned, result, serde_with, wire_param};
use super::Parts;
use crate::model::{Class, DerivedKind, EnumDef, Literal, Message, MessageOrigin, RelationNames, Type};
use crate::names::rust as names;
use proc_macro2::{Literal as Lit, TokenStream};
use quote::quote;

/// The whole module of one class, with the enums whose home it is (an
/// enum listed by two classes is defined once); `parts` says which sides
/// (client, server) to write. The marker and ref type are always there;
/// `gates` says when the rest is compiled.
pub fn module(
    class: &Class,
    relations: &[RelationNames<'_>],
    roles: &[String],
    parts: Parts,
    gates: &Gates<'_>,
) -> TokenStream {
    let module_doc = format!(" {}", class.description.trim());
    let marker = marker(class);
    let enums = class.enums.iter().filter(|e| e.home).map(|e| enum_def(e, &gates.enum_def(&e.name)));
    let record = if class.fields.is_empty() {
        quote!()
    } else {
        record(class, relations, parts.server, &gates.record(&class.name), &gates.server_record(&class.name))
    };
    let gate = gates.class(&class.name);
    let server_gate = gates.server_class(&class.name);
    // Classes without messages (plain record types) get no client or router.
    let has_calls = !class.messages.is_empty();
    let client = if has_calls && parts.client { client(class, &gate) } else { quote!() };
    let (server, dispatch) = if parts.server {
        let server = server(class, &server_gate);
        let part = gates.server_part(&class.name);
        (quote!(#server #part), if has_calls { dispatch(class, roles, &server_gate) } else { quote!() })
    } else {
        (quote!(), quote!())
    };
    let imports = if has_calls && parts.server { quote!(#server_gate use std::future::Future;) } else { quote!() };
    quote! {
        #![doc = #module_doc]
        #imports
        #marker
        #(#enums)*
        #record
        #client
        #server
        #dispatch
    }
}

fn marker(class: &Class) -> TokenStream {
    let name = &class.name;
    let marker = ident(&names::type_name(name));
    let r = ident(&names::ref_type(name));
    let docs = doc(&class.description, Some(&class.lifecycle));
    let dep = deprecated(&class.lifecycle);
    let ref_doc = format!(" A reference to a {name} object.");
    quote! {
        #docs
        #dep
        #[derive(Debug)]
        pub enum #marker {}

        impl xenapi_rt::types::Class for #marker {
            const NAME: &'static str = #name;
        }

        #[doc = #ref_doc]
        pub type #r = xenapi_rt::types::Ref<#marker>;
    }
}

/// An enum and its implementations, each item under `gate`.
fn enum_def(e: &EnumDef, gate: &TokenStream) -> TokenStream {
    let ty = ident(&names::enum_type(&e.name));
    let docs = doc(&e.description, None);
    let variants: Vec<_> = e.values.iter().map(|v| ident(&names::variant(&v.name))).collect();
    let wire: Vec<_> = e.values.iter().map(|v| v.name.as_str()).collect();
    let vdocs: Vec<_> = e.values.iter().map(|v| doc(&v.description, Some(&v.lifecycle))).collect();
    let first = &variants[0];
    let first_doc = &vdocs[0];
    let rest = &variants[1..];
    let vdocs = &vdocs[1..];
    let wire_name = &e.name;
    quote! {
        #docs
        #gate
        #[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #ty {
            #first_doc
            #[default]
            #first,
            #( #vdocs #rest, )*
            /// A value this version of the bindings does not know, kept as sent.
            Unknown(String),
        }

        #gate
        impl #ty {
            /// Every value this version knows, in schema order.
            pub const ALL: &'static [#ty] = &[#(#ty::#variants),*];

            /// The value as it travels on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #( #ty::#variants => #wire, )*
                    #ty::Unknown(s) => s,
                }
            }

            /// The value for a wire string; unknown strings are kept.
            pub fn from_wire(s: &str) -> #ty {
                match s {
                    #( #wire => #ty::#variants, )*
                    other => #ty::Unknown(other.to_string()),
                }
            }
        }

        #gate
        impl std::fmt::Display for #ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        #gate
        impl serde::Serialize for #ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        #gate
        impl<'de> serde::Deserialize<'de> for #ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                xenapi_rt::types::deserialize_enum(deserializer, #wire_name, #ty::from_wire)
            }
        }
    }
}

/// A default value as a Rust expression of the field's type.
fn default_expr(ty: &Type, lit: Option<&Literal>) -> TokenStream {
    let Some(lit) = lit.filter(|l| !is_type_default(l)) else { return quote!(Default::default()) };
    match (ty, lit) {
        (Type::Option(inner), l) => {
            let v = default_expr(inner, Some(l));
            quote!(Some(#v))
        }
        (_, Literal::String(s)) if s.is_empty() => quote!(xenapi_rt::types::Str::default()),
        (_, Literal::String(s)) => quote!(xenapi_rt::types::Str::from(#s)),
        (_, Literal::Int(i)) => {
            let l = Lit::i64_unsuffixed(*i);
            quote!(#l)
        }
        (Type::Float, Literal::Float(f)) => {
            let l = Lit::f64_unsuffixed(*f);
            quote!(#l)
        }
        (_, Literal::Float(f)) => {
            let l = Lit::f64_unsuffixed(*f);
            quote!(xenapi_rt::types::Float(#l))
        }
        (_, Literal::Bool(b)) => quote!(#b),
        (_, Literal::DateTime(s)) => quote!(xenapi_rt::types::DateTime::parse(#s).unwrap_or_default()),
        (Type::Enum(e), Literal::Enum(v)) => {
            let t = ident(&names::enum_type(e));
            let v = ident(&names::variant(v));
            quote!(crate::#t::#v)
        }
        (_, Literal::Ref(r)) if lit.is_null_ref() || r.is_empty() => quote!(xenapi_rt::types::Ref::null()),
        (_, Literal::Ref(r)) => quote!(xenapi_rt::types::Ref::new(#r)),
        (Type::Set(t), Literal::Set(items)) => {
            let items = items.iter().map(|i| default_expr(t, Some(i)));
            quote!(vec![#(#items),*])
        }
        (Type::Map(k, v), Literal::Map(pairs)) => {
            let pairs = pairs.iter().map(|(a, b)| {
                let (a, b) = (default_expr(k, Some(a)), default_expr(v, Some(b)));
                quote!((#a, #b))
            });
            quote!([#(#pairs),*].into_iter().collect())
        }
        _ => quote!(Default::default()),
    }
}

/// Whether a schema default is what `Default::default()` gives anyway.
fn is_type_default(l: &Literal) -> bool {
    match l {
        Literal::String(s) => s.is_empty(),
        Literal::Int(i) => *i == 0,
        Literal::Float(f) => *f == 0.0,
        Literal::Bool(b) => !b,
        Literal::Set(v) => v.is_empty(),
        Literal::Map(v) => v.is_empty(),
        Literal::Ref(_) => l.is_null_ref(),
        Literal::DateTime(d) => d == "19700101T00:00:00Z",
        Literal::Enum(_) => false,
    }
}

/// A class's record type and its implementations, each item under `gate`;
/// what only the server side uses under `server_gate`.
fn record(
    class: &Class,
    relations: &[RelationNames<'_>],
    server: bool,
    gate: &TokenStream,
    server_gate: &TokenStream,
) -> TokenStream {
    let name = &class.name;
    let rec = ident(&names::record_type(name));
    let marker = ident(&names::type_name(name));
    let docs = format!(" Every field of a {name} object, as `{name}.get_record` returns it.");
    let mut fields = Vec::new();
    let mut defaults = Vec::new();
    let mut default_fns = Vec::new();
    for f in &class.fields {
        let id = ident(&names::ident(&f.name));
        let ty = owned(&f.ty, false);
        let fdoc = doc(&f.description, Some(&f.lifecycle));
        let dep = deprecated(&f.lifecycle);
        let rename = if names::bare(&names::ident(&f.name)) != f.name {
            let n = &f.name;
            quote!(#[serde(rename = #n)])
        } else {
            quote!()
        };
        let with = serde_with(&f.ty).unwrap_or_default();
        // Each field carries its own default, so decoding builds only the
        // defaults of fields that are missing, not a whole default record.
        let plain = f.default.as_ref().is_none_or(is_type_default);
        let field_default = if plain {
            defaults.push(quote!(#id: Default::default()));
            quote!(#[serde(default)])
        } else {
            let d = default_expr(&f.ty, f.default.as_ref());
            let fname = ident(&format!("default_{}", names::bare(&names::ident(&f.name))));
            let path = format!("{}::{fname}", names::record_type(name));
            default_fns.push(quote!(fn #fname() -> #ty { #d }));
            defaults.push(quote!(#id: Self::#fname()));
            quote!(#[serde(default = #path)])
        };
        fields.push(quote!(#fdoc #dep #rename #field_default #with pub #id: #ty));
    }
    let all_plain = class.fields.iter().all(|f| f.default.as_ref().is_none_or(is_type_default));
    let derives = if all_plain {
        quote!(#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)])
    } else {
        quote!(#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)])
    };
    let default_impl = if all_plain {
        quote!()
    } else {
        quote! {
            #gate
            #[allow(deprecated)]
            impl Default for #rec {
                fn default() -> Self {
                    #rec { #(#defaults,)* }
                }
            }

            /// The schema defaults that differ from the type's own.
            #gate
            #[allow(deprecated)]
            impl #rec {
                #(#default_fns)*
            }
        }
    };
    let has_uuid = class.fields.iter().any(|f| f.name == "uuid" && f.ty == Type::String);
    let uuid = if has_uuid { quote!(Some(&self.uuid)) } else { quote!(None) };
    let has_label = class.fields.iter().any(|f| f.name == "name_label" && f.ty == Type::String);
    let label = if has_label { quote!(Some(&self.name_label)) } else { quote!(None) };
    let set_uuid = if has_uuid { quote!(self.uuid = uuid.into();) } else { quote!(let _ = uuid;) };
    let relation_fns = relation_fns(class, relations);
    let operation_fns = operation_fns(class);
    let server_impls = if server {
        quote! {
            #server_gate
            impl crate::server::Record for #rec {
                type Class = #marker;
                fn uuid(&self) -> Option<&str> {
                    #uuid
                }
                fn set_uuid(&mut self, uuid: &str) {
                    #set_uuid
                }
                fn name_label(&self) -> Option<&str> {
                    #label
                }
                #relation_fns
                #operation_fns
            }

            #server_gate
            impl crate::server::HasRecord for #marker {
                type Record = #rec;
            }
        }
    } else {
        quote!()
    };
    quote! {
        #[doc = #docs]
        ///
        /// Fields missing from a server's reply take their schema defaults;
        /// fields this version does not know are ignored.
        #gate
        #derives
        #[allow(deprecated)]
        pub struct #rec {
            #(#fields,)*
        }

        #default_impl

        #server_impls
    }
}

/// `begin_operation` and `end_operation` of a record: its
/// `current_operations` map, for classes that have one.
fn operation_fns(class: &Class) -> TokenStream {
    let ops = class.fields.iter().find_map(|f| match &f.ty {
        Type::Map(k, v) if f.name == "current_operations" && **k == Type::String => match &**v {
            Type::Enum(e) => Some(ident(&names::enum_type(e))),
            _ => None,
        },
        _ => None,
    });
    // Classes without the field keep the trait's defaults.
    let Some(e) = ops else { return quote!() };
    quote! {
        fn begin_operation(&mut self, task: &str, operation: &str) -> bool {
            match crate::#e::from_wire(operation) {
                crate::#e::Unknown(_) => false,
                op => {
                    self.current_operations.insert(task.into(), op);
                    true
                }
            }
        }
        fn end_operation(&mut self, task: &str) -> bool {
            self.current_operations.remove(task).is_some()
        }
    }
}

/// `related`, `link` and `unlink` of a record: its side of each relation.
/// A class on neither side of any relation keeps the trait's defaults.
fn relation_fns(class: &Class, relations: &[RelationNames<'_>]) -> TokenStream {
    let mut pushes = Vec::new();
    for (i, r) in relations.iter().enumerate().filter(|(_, r)| r.class == class.name) {
        let f = ident(&names::ident(r.field));
        pushes.push(quote! {
            if !self.#f.is_null() {
                out.push((&crate::RELATIONS[#i], self.#f.as_str()));
            }
        });
    }
    let related = if pushes.is_empty() {
        quote!()
    } else {
        quote! {
            fn related(&self) -> Vec<(&'static crate::server::Relation, &str)> {
                let mut out = Vec::new();
                #(#pushes)*
                out
            }
        }
    };
    let inverses: Vec<&str> = relations.iter().filter(|r| r.target == class.name).map(|r| r.inverse).collect();
    if inverses.is_empty() {
        return related;
    }
    let ids: Vec<_> = inverses.iter().map(|g| ident(&names::ident(g))).collect();
    quote! {
        #related
        fn link(&mut self, inverse: &str, r: &str) -> bool {
            match inverse {
                #( #inverses => {
                    if !self.#ids.iter().any(|x| x.as_str() == r) {
                        self.#ids.push(xenapi_rt::types::Ref::new(r));
                    }
                    true
                } )*
                _ => false,
            }
        }
        fn unlink(&mut self, inverse: &str, r: &str) -> bool {
            match inverse {
                #( #inverses => {
                    self.#ids.retain(|x| x.as_str() != r);
                    true
                } )*
                _ => false,
            }
        }
    }
}

fn client(class: &Class, gate: &TokenStream) -> TokenStream {
    let name = &class.name;
    let client = ident(&names::client_type(name));
    let cdoc = format!(" Calls on the {name} class; get one with `Session::{}`.", names::bare(&names::module(name)));
    let mut methods = Vec::new();
    for m in class.messages.iter().filter(|m| m.takes_session()) {
        methods.push(client_method(class, m, false));
        if m.has_async {
            methods.push(client_method(class, m, true));
        }
    }
    quote! {
        #[doc = #cdoc]
        #gate
        #[derive(Debug, Clone, Copy)]
        pub struct #client<'s, T> {
            pub(crate) session: &'s crate::Session<T>,
        }

        #gate
        impl<'s, T: xenapi_rt::Transport> #client<'s, T> {
            #(#methods)*
        }
    }
}

fn client_method(class: &Class, m: &Message, is_async: bool) -> TokenStream {
    let wire = if is_async { m.async_wire_name(class) } else { m.wire_name(class) };
    let method = if is_async { ident(&names::async_method(&m.name)) } else { ident(&names::ident(&m.name)) };
    let params = m.call_params();
    let pnames: Vec<_> = params.iter().map(|p| ident(&names::ident(&p.name))).collect();
    let ptypes: Vec<_> = params.iter().map(|p| borrowed(&p.ty)).collect();
    // What each parameter is written as (floats through `Float`, so that
    // NaN and the infinities survive JSON).
    let pwire: Vec<_> = params.iter().zip(&pnames).map(|(p, n)| wire_param(&p.ty, n)).collect();
    let mut docs = message_doc(m);
    if is_async {
        docs = quote!(#docs #[doc = ""] #[doc = " Runs as a server task: await `Task::wait` for the result."]);
    }
    let dep = deprecated(&m.lifecycle);
    let res = result(&m.result);
    let call = match (is_async, &m.result) {
        (true, _) => quote!(start),
        (false, Type::Void) => quote!(call_void),
        (false, Type::Float) => quote!(call_float),
        (false, _) => quote!(call),
    };
    let ret = if is_async { quote!(crate::Task<'s, T, #res>) } else { res };
    quote! {
        #docs
        #dep
        pub async fn #method(&self, #(#pnames: #ptypes),*) -> Result<#ret, crate::Error> {
            self.session.#call(#wire, |c| c #(.param(&#pwire))*).await
        }
    }
}

fn server(class: &Class, gate: &TokenStream) -> TokenStream {
    let name = &class.name;
    let tr = ident(&names::server_trait(name));
    let tdoc = format!(
        " The {name} class on the server side: one method per message. Explicit messages answer \
         NOT_IMPLEMENTED until implemented; derived ones work on the backend's store."
    );
    let methods = class.messages.iter().map(|m| server_method(class, m));
    quote! {
        #[doc = #tdoc]
        #gate
        #[allow(unused_variables, deprecated)]
        pub trait #tr: crate::server::Backend<Store: crate::server::Store<Schema = crate::Schema>> {
            #(#methods)*
        }
    }
}

fn server_method(class: &Class, m: &Message) -> TokenStream {
    let method = ident(&names::ident(&m.name));
    let params = m.call_params();
    let pnames: Vec<_> = params.iter().map(|p| ident(&names::ident(&p.name))).collect();
    let ptypes: Vec<_> = params.iter().map(|p| owned(&p.ty, false)).collect();
    let res = result(&m.result);
    let docs = message_doc(m);
    let ctx = if m.takes_session() { quote!(ctx: &Self::Ctx,) } else { quote!() };
    let body = match &m.origin {
        MessageOrigin::Explicit => {
            let w = m.wire_name(class);
            quote!(crate::server::not_implemented(#w))
        }
        MessageOrigin::Derived { kind, field } => {
            let body = derived_body(class, *kind, field.as_deref());
            quote!(async move { #body })
        }
    };
    quote! {
        #docs
        fn #method(&self, #ctx #(#pnames: #ptypes),*) -> impl Future<Output = Result<#res, crate::ApiError>> + Send {
            #body
        }
    }
}

/// The default body of a derived message, over `Backend::store`.
fn derived_body(class: &Class, kind: DerivedKind, field: Option<&str>) -> TokenStream {
    let rec = ident(&names::record_type(&class.name));
    let store = quote!(crate::server::Backend::store(self));
    let f = field.map(|f| ident(&names::ident(f)));
    let fname = field.unwrap_or_default();
    let cname = &class.name;
    match kind {
        DerivedKind::GetField => quote!(crate::server::Store::get::<#rec>(#store, &self_).map(|r| r.#f)),
        DerivedKind::SetField => quote!(crate::server::Store::update::<#rec, _, _>(#store, &self_, move |r| {
            r.#f = value;
            Ok(())
        })),
        DerivedKind::AddToMap => quote!(crate::server::Store::update::<#rec, _, _>(#store, &self_, move |r| {
            if r.#f.contains_key(&key) {
                return Err(crate::ApiError::MapDuplicateKey {
                    r#type: #cname.to_string(),
                    param_name: #fname.to_string(),
                    uuid: crate::server::Record::uuid(r).unwrap_or_default().to_string(),
                    key: key.to_string(),
                });
            }
            r.#f.insert(key, value);
            Ok(())
        })),
        DerivedKind::RemoveFromMap => quote!(crate::server::Store::update::<#rec, _, _>(#store, &self_, move |r| {
            r.#f.remove(&key);
            Ok(())
        })),
        DerivedKind::AddToSet => quote!(crate::server::Store::update::<#rec, _, _>(#store, &self_, move |r| {
            if !r.#f.contains(&value) {
                r.#f.push(value);
            }
            Ok(())
        })),
        DerivedKind::RemoveFromSet => quote!(crate::server::Store::update::<#rec, _, _>(#store, &self_, move |r| {
            r.#f.retain(|v| *v != value);
            Ok(())
        })),
        DerivedKind::GetRecord => quote!(crate::server::Store::get::<#rec>(#store, &self_)),
        DerivedKind::GetByUuid => quote!(crate::server::Store::by_uuid::<#rec>(#store, &uuid)),
        DerivedKind::GetAll => {
            quote!(Ok(crate::server::Store::all::<#rec>(#store).into_iter().map(|(r, _)| r).collect()))
        }
        DerivedKind::GetAllRecords => quote!(Ok(crate::server::Store::all::<#rec>(#store).into_iter().collect())),
        // The store evaluates xapi's filter language, or answers
        // NOT_IMPLEMENTED when it cannot.
        DerivedKind::GetAllWhere => {
            let w = format!("{cname}.get_all_where");
            quote!(crate::server::Store::all_where::<#rec>(#store, #w, &expr).map(|v| v.into_iter().map(|(r, _)| r).collect()))
        }
        DerivedKind::GetAllRecordsWhere => {
            let w = format!("{cname}.get_all_records_where");
            quote!(crate::server::Store::all_where::<#rec>(#store, #w, &expr).map(|v| v.into_iter().collect()))
        }
        DerivedKind::GetByNameLabel => quote!(Ok(crate::server::Store::all::<#rec>(#store)
            .into_iter()
            .filter(|(_, r)| crate::server::Record::name_label(r) == Some(label.as_str()))
            .map(|(r, _)| r)
            .collect())),
        DerivedKind::Create => {
            // Only the writable and constructor fields come from the
            // caller; everything else starts at its default.
            let given: Vec<_> =
                class.fields.iter().filter(|f| f.in_constructor()).map(|f| ident(&names::ident(&f.name))).collect();
            if given.is_empty() {
                quote! {
                    let _ = args;
                    crate::server::Store::create::<#rec>(#store, #rec::default())
                }
            } else {
                quote! {
                    let record = #rec { #(#given: args.#given,)* ..#rec::default() };
                    crate::server::Store::create::<#rec>(#store, record)
                }
            }
        }
        DerivedKind::Destroy => quote!(crate::server::Store::destroy::<#rec>(#store, &self_)),
    }
}

/// `dispatch`: decode, check and route one call of this class.
fn dispatch(class: &Class, roles: &[String], gate: &TokenStream) -> TokenStream {
    let tr = ident(&names::server_trait(&class.name));
    let mut arms = Vec::new();
    let mut async_arms = Vec::new();
    for m in &class.messages {
        arms.push(dispatch_arm(class, m, &tr, roles, false));
        if m.has_async {
            async_arms.push(dispatch_arm(class, m, &tr, roles, true));
        }
    }
    let async_block = if async_arms.is_empty() {
        quote!(if is_async {
            return Err(srv::unknown(call));
        })
    } else {
        quote!(if is_async {
            return match message {
                #(#async_arms)*
                _ => Err(srv::unknown(call)),
            };
        })
    };
    quote! {
        /// Routes a call of this class (`message` is the part after the
        /// class name). `Err` holds an early answer: an unknown message,
        /// a wrong parameter count, a bad session or parameter, a missing
        /// role.
        #gate
        #[allow(deprecated)]
        pub(crate) async fn dispatch<S: crate::Server>(
            s: &std::sync::Arc<S>,
            message: &str,
            is_async: bool,
            call: &xenapi_rt::server::IncomingCall<'_>,
        ) -> Result<xenapi_rt::server::Reply, xenapi_rt::server::Reply> {
            use crate::roles;
            use xenapi_rt::server::glue as srv;
            #async_block
            match message {
                #(#arms)*
                _ => Err(srv::unknown(call)),
            }
        }
    }
}

fn dispatch_arm(class: &Class, m: &Message, tr: &proc_macro2::Ident, roles: &[String], is_async: bool) -> TokenStream {
    let key = &m.name;
    let wire = if is_async { m.async_wire_name(class) } else { m.wire_name(class) };
    let all = Lit::usize_unsuffixed(m.params.len());
    let required = Lit::usize_unsuffixed(m.required_params());
    let method = ident(&names::ident(&m.name));
    let params = m.call_params();
    let offset = m.params.len() - params.len();
    let locals: Vec<_> = params.iter().map(|p| ident(&names::dispatch_local(&p.name))).collect();
    let decodes = params.iter().zip(&locals).enumerate().map(|(i, (p, id))| {
        let idx = Lit::usize_unsuffixed(i + offset);
        let pname = &p.name;
        // The type comes from the trait method's signature, except where
        // the wire form differs (`float`).
        // A trailing parameter the call may leave out gets its default.
        match (&p.ty, &p.default) {
            (Type::Float, None) => quote!(let #id = srv::param::<xenapi_rt::types::Float>(call, #idx, #pname)?.0;),
            (Type::Float, Some(d)) => {
                let d = default_expr(&p.ty, Some(d));
                quote!(let #id = srv::param_or(call, #idx, #pname, xenapi_rt::types::Float(#d))?.0;)
            }
            (_, None) => quote!(let #id = srv::param(call, #idx, #pname)?;),
            (ty, Some(d)) => {
                let d = default_expr(ty, Some(d));
                quote!(let #id = srv::param_or(call, #idx, #pname, #d)?;)
            }
        }
    });
    let begin = if m.takes_session() {
        let r = ident(&names::roles_const(m.roles, roles));
        quote!(let ctx = srv::begin(s, call, #wire, (#required, #all), roles::#r).await?;)
    } else {
        quote!(srv::arity(call, #wire, #required, #all, false)?;)
    };
    let conv = match m.result {
        Type::Void => quote!(.map(srv::void)),
        Type::Float => quote!(.map(xenapi_rt::types::Float)),
        _ => quote!(),
    };
    // The object an `Async.` call acts on: its first parameter, when that
    // is a reference to the message's own class (`self`, `vm`, `host`...).
    let target = params.iter().zip(&locals).take(1).find(|(p, _)| p.ty == Type::Ref(class.name.clone())).map_or(
        quote!(None),
        |(_, id)| {
            let r = ident(&names::ref_type(&class.name));
            quote!(Some(crate::#r::as_str(&#id).to_string()))
        },
    );
    let run = match (is_async, m.takes_session()) {
        (true, _) => quote! {
            srv::spawn(s, &ctx, #wire, #target, move |s, ctx| async move { #tr::#method(&*s, &ctx, #(#locals),*).await #conv }).await
        },
        (false, true) => quote!(srv::done(#tr::#method(&**s, &ctx, #(#locals),*).await #conv)),
        (false, false) => quote!(srv::done(#tr::#method(&**s, #(#locals),*).await #conv)),
    };
    quote! {
        #key => {
            #begin
            #(#decodes)*
            #run
        }
    }
}
