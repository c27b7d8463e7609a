//! Doc comments and deprecation attributes from descriptions and lifecycles.

use crate::model::{Lifecycle, LifecycleState, TransitionKind};
use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc = ...]` lines: the description, then where the item stands.
pub fn doc(description: &str, lifecycle: Option<&Lifecycle>) -> TokenStream {
    let mut lines = vec![format!(" {}", description.trim())];
    if let Some(l) = lifecycle.and_then(history) {
        lines.push(String::new());
        lines.push(format!(" {l}"));
    }
    quote!(#(#[doc = #lines])*)
}

/// "Published in rio; deprecated in boston." or None when there is nothing to say.
pub fn history(l: &Lifecycle) -> Option<String> {
    if l.transitions.is_empty() {
        return None;
    }
    let parts: Vec<String> = l.transitions.iter().map(|t| format!("{} in {}", t.kind.as_str(), t.release)).collect();
    let mut s = parts.join("; ");
    if let Some(first) = s.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    s.push('.');
    Some(s)
}

/// `#[deprecated]` for deprecated or removed items.
pub fn deprecated(l: &Lifecycle) -> TokenStream {
    let note = match l.state() {
        LifecycleState::Deprecated => l.release_of(TransitionKind::Deprecated).map(|t| format!("deprecated in {}", t.release)),
        LifecycleState::Removed => l.release_of(TransitionKind::Removed).map(|t| format!("removed in {}", t.release)),
        _ => None,
    };
    match note {
        Some(n) => quote!(#[deprecated(note = #n)]),
        None => quote!(),
    }
}
