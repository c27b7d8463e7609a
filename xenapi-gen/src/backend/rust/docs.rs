//! Doc comments and deprecation attributes from descriptions and lifecycles.

use crate::model::lifecycle::sentence;
use crate::model::Lifecycle;
use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc = ...]` lines: the description, then the item's history.
pub fn doc(description: &str, lifecycle: Option<&Lifecycle>) -> TokenStream {
    let mut lines = vec![format!(" {}", description.trim())];
    if let Some(h) = lifecycle.and_then(Lifecycle::history) {
        lines.push(String::new());
        lines.push(format!(" {}", sentence(&h)));
    }
    quote!(#(#[doc = #lines])*)
}

/// `#[deprecated]` for deprecated or removed items, with the model's
/// wording of when.
pub fn deprecated(l: &Lifecycle) -> TokenStream {
    match l.retirement() {
        Some(n) => quote!(#[deprecated(note = #n)]),
        None => quote!(),
    }
}
