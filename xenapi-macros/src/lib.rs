//! `xenapi!`: the Rust bindings `xenapi-gen` writes, expanded at compile
//! time from a schema directory.
//!
//! ```text
//! // At the crate root (generated paths start at `crate::`):
//! xenapi_macros::xenapi! {
//!     schema: "../schema",          // relative to the crate's Cargo.toml
//!     classes: ["VM", "host"],      // optional; session, task and event are always in
//!     release: "stockholm",         // optional; default: the newest
//!     client: true,                 // optional; default true
//!     server: false,                // optional; default true
//!     xml_rpc: true,                // optional; default true (needs xenapi-rt's `xml-rpc` feature)
//!     json_rpc: false,              // optional; default true (needs xenapi-rt's `json-rpc` feature)
//! }
//! ```
//!
//! A schema error becomes a compile error that names the schema file, line
//! and column. The schema files are tracked, so editing one re-expands
//! the macro.

use proc_macro::TokenStream;
use proc_macro2::Span;
use quote::quote;
use std::path::PathBuf;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{bracketed, Ident, LitStr, Token};

enum Value {
    One(LitStr),
    Many(Vec<LitStr>),
    Flag(syn::LitBool),
}

struct Setting {
    key: Ident,
    value: Value,
}

impl Parse for Setting {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let key: Ident = input.parse()?;
        input.parse::<Token![:]>()?;
        let value = if input.peek(syn::token::Bracket) {
            let content;
            bracketed!(content in input);
            let items = Punctuated::<LitStr, Token![,]>::parse_terminated(&content)?;
            Value::Many(items.into_iter().collect())
        } else if input.peek(syn::LitBool) {
            Value::Flag(input.parse()?)
        } else {
            Value::One(input.parse()?)
        };
        Ok(Setting { key, value })
    }
}

struct Settings(Punctuated<Setting, Token![,]>);

impl Parse for Settings {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        Punctuated::parse_terminated(input).map(Settings)
    }
}

/// Expands to the generated bindings; see the crate docs.
#[proc_macro]
pub fn xenapi(input: TokenStream) -> TokenStream {
    match expand(syn::parse_macro_input!(input as Settings)) {
        Ok(t) => t.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

fn expand(settings: Settings) -> syn::Result<proc_macro2::TokenStream> {
    let base = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into()));
    let mut builder = xenapi_gen::Builder::new().schema(base.join("schema"));
    for s in settings.0 {
        match (s.key.to_string().as_str(), s.value) {
            ("schema", Value::One(dir)) => builder = builder.schema(base.join(dir.value())),
            ("classes", Value::Many(list)) => builder = builder.classes(list.iter().map(LitStr::value)),
            ("release", Value::One(r)) => builder = builder.release(r.value()),
            ("client", Value::Flag(b)) => builder = builder.client(b.value),
            ("server", Value::Flag(b)) => builder = builder.server(b.value),
            ("xml_rpc", Value::Flag(b)) => builder = builder.xml_rpc(b.value),
            ("json_rpc", Value::Flag(b)) => builder = builder.json_rpc(b.value),
            (key @ ("schema" | "release"), _) => {
                return Err(syn::Error::new(s.key.span(), format!("`{key}` takes a string")))
            }
            ("classes", _) => return Err(syn::Error::new(s.key.span(), "`classes` takes a list: [\"VM\", \"host\"]")),
            (key @ ("client" | "server" | "xml_rpc" | "json_rpc"), _) => {
                return Err(syn::Error::new(s.key.span(), format!("`{key}` takes true or false")))
            }
            (other, _) => {
                return Err(syn::Error::new(
                    s.key.span(),
                    format!(
                        "unknown setting `{other}`; use schema, classes, release, client, server, xml_rpc or json_rpc"
                    ),
                ))
            }
        }
    }
    // Track every schema file so that editing one expands the macro again.
    let tracked: Vec<String> = builder.schema_files().iter().map(|p| p.display().to_string()).collect();
    let track = quote!(const _: () = { #(let _ = include_bytes!(#tracked);)* };);
    match builder.tokens() {
        Ok(code) => Ok(quote!(#track #code)),
        Err(xenapi_gen::Error::Schema(diags)) => {
            let errors = diags.iter().map(|d| {
                let msg = d.to_string();
                quote!(compile_error!(#msg);)
            });
            Ok(quote!(#track #(#errors)*))
        }
        Err(e) => Err(syn::Error::new(Span::call_site(), e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::{expand, Settings};

    /// Expands `settings` (the macro's input) for the VM class of the
    /// project's schema, as text without spaces.
    fn run(settings: &str) -> Result<String, String> {
        let input = format!(r#"schema: "../schema", classes: ["VM"], {settings}"#);
        let parsed: Settings = syn::parse_str(&input).map_err(|e| e.to_string())?;
        expand(parsed).map(|t| t.to_string().split_whitespace().collect()).map_err(|e| e.to_string())
    }

    #[test]
    fn protocol_settings_reach_the_generator() {
        let json = run("xml_rpc: false").unwrap();
        assert!(json.contains("pubfnjson_rpc(transport:T)"), "JSON-RPC constructor missing");
        assert!(!json.contains("pubfnxml_rpc(transport:T)"), "XML-RPC constructor present");
        assert!(json.contains("usexenapi_rt::jsonrpc::CallWriteras_;"));
        let xml = run("json_rpc: false, xml_rpc: true").unwrap();
        assert!(xml.contains("pubfnxml_rpc(transport:T)") && !xml.contains("pubfnjson_rpc(transport:T)"));
    }

    #[test]
    fn bad_settings_are_errors_that_say_what_to_write() {
        let none = run("xml_rpc: false, json_rpc: false").unwrap_err();
        assert!(none.contains("no wire protocol"), "{none}");
        let word = run(r#"json_rpc: "no""#).unwrap_err();
        assert!(word.contains("`json_rpc` takes true or false"), "{word}");
        let unknown = run("grpc: true").unwrap_err();
        assert!(unknown.contains("unknown setting `grpc`") && unknown.contains("json_rpc"), "{unknown}");
    }
}
