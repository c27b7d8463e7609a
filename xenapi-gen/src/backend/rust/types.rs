//! API types as Rust types.

use crate::model::Type;
use crate::names::rust as names;
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

/// A Rust identifier from a name that is already valid (raw or not).
pub fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

/// The owned Rust type for an API type. `nested` is true inside
/// containers, where floats use the lenient `Float` wrapper.
pub fn owned(t: &Type, nested: bool) -> TokenStream {
    match t {
        Type::String => quote!(xenapi_rt::types::Str),
        Type::Int => quote!(i64),
        Type::Float if nested => quote!(xenapi_rt::types::Float),
        Type::Float => quote!(f64),
        Type::Bool => quote!(bool),
        Type::DateTime => quote!(xenapi_rt::types::DateTime),
        Type::Void => quote!(()),
        Type::Enum(e) => {
            let i = ident(&names::enum_type(e));
            quote!(crate::#i)
        }
        Type::Ref(c) => {
            let i = ident(&names::ref_type(c));
            quote!(crate::#i)
        }
        Type::Record(c) => {
            let i = ident(&names::record_type(c));
            quote!(crate::#i)
        }
        Type::Set(t) => {
            let t = owned(t, true);
            quote!(Vec<#t>)
        }
        Type::Map(k, v) => {
            let (k, v) = (owned(k, true), owned(v, true));
            quote!(xenapi_rt::types::Map<#k, #v>)
        }
        Type::Option(t) => {
            let t = owned(t, true);
            quote!(Option<#t>)
        }
        Type::AnyRecord => quote!(crate::Snapshot),
        Type::EventBatch => quote!(crate::EventBatch),
    }
}

/// The type a client method takes for a parameter: borrowed where that
/// saves a copy.
pub fn borrowed(t: &Type) -> TokenStream {
    match t {
        Type::String => quote!(&str),
        Type::Int | Type::Float | Type::Bool | Type::DateTime => owned(t, false),
        Type::Set(inner) => {
            let i = owned(inner, true);
            quote!(&[#i])
        }
        _ => {
            let o = owned(t, false);
            quote!(&#o)
        }
    }
}

/// The serde attribute a record field of this type needs, if any.
///
/// Option fields that are `None` are left out of the record (the way
/// XenAPI servers send them), and a missing field decodes as `None`: an
/// XML-RPC value cannot be null, so writing `None` as anything would
/// come back as `Some`. Sets are decoded at their final length
/// (`xenapi_rt::types::exact`) rather than grown element by element;
/// maps do that by themselves.
pub fn serde_with(t: &Type) -> Option<TokenStream> {
    match t {
        Type::Set(_) => Some(quote!(#[serde(deserialize_with = "xenapi_rt::types::exact::set")])),
        Type::Float => Some(quote!(#[serde(with = "xenapi_rt::types::float")])),
        Type::Option(inner) if **inner == Type::Float => Some(quote!(
            #[serde(with = "xenapi_rt::types::float::option", skip_serializing_if = "Option::is_none")]
        )),
        Type::Option(_) => Some(quote!(#[serde(skip_serializing_if = "Option::is_none")])),
        _ => None,
    }
}

/// A client parameter as written on the wire: floats go through the
/// `Float` wrapper so NaN and the infinities travel as words (plain
/// `f64` would turn them into JSON `null`).
pub fn wire_param(t: &Type, name: &Ident) -> TokenStream {
    match t {
        Type::Float => quote!(xenapi_rt::types::Float(#name)),
        _ => quote!(#name),
    }
}

/// The result type of a message as returned to callers.
pub fn result(t: &Type) -> TokenStream {
    owned(t, false)
}
