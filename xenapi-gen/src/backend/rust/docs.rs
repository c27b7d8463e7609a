//! Doc comments and deprecation attributes from descriptions and lifecycles.

use crate::model::lifecycle::sentence;
use crate::model::{Lifecycle, Message};
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

/// The doc lines of a message: [`doc`], then the model's note for an
/// internal message.
pub fn message_doc(m: &Message) -> TokenStream {
    let d = doc(&m.description, Some(&m.lifecycle));
    if !m.internal {
        return d;
    }
    let note = format!(" {}", Message::INTERNAL_NOTE);
    quote!(#d #[doc = ""] #[doc = #note])
}

/// `#[deprecated]` for deprecated or removed items, with the model's
/// wording of when.
pub fn deprecated(l: &Lifecycle) -> TokenStream {
    match l.retirement() {
        Some(n) => quote!(#[deprecated(note = #n)]),
        None => quote!(),
    }
}
