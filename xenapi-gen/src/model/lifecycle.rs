//! Lifecycles: when an item was published, changed, deprecated or removed,
//! as data (each transition with its release), and the standard phrases
//! every backend words them with, so that the Rust docs, the Python
//! warnings, the C comments and the Markdown pages say the same thing.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransitionKind {
    Prototyped,
    Published,
    Extended,
    Changed,
    Deprecated,
    Removed,
}

impl TransitionKind {
    pub const ALL: [&'static str; 6] = ["prototyped", "published", "extended", "changed", "deprecated", "removed"];

    pub fn parse(s: &str) -> Option<TransitionKind> {
        Some(match s {
            "prototyped" => TransitionKind::Prototyped,
            "published" => TransitionKind::Published,
            "extended" => TransitionKind::Extended,
            "changed" => TransitionKind::Changed,
            "deprecated" => TransitionKind::Deprecated,
            "removed" => TransitionKind::Removed,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        TransitionKind::ALL[self as usize]
    }
}

/// One step of a lifecycle: a kind of change and the release it came in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Transition {
    pub kind: TransitionKind,
    /// Release code (`rio`).
    pub release: String,
    /// The release's label (`XenServer 4.0`).
    pub label: String,
    /// Position of the release in [`crate::model::Api::releases`].
    pub release_index: usize,
}

impl Transition {
    /// The release as people read it: `XenServer 5.6 (midnight-ride)`;
    /// just the label when it already holds the code (`XAPI 24.3.0`).
    pub fn release_name(&self) -> String {
        if self.label.is_empty() {
            self.release.clone()
        } else if self.label.contains(&self.release) {
            self.label.clone()
        } else {
            format!("{} ({})", self.label, self.release)
        }
    }

    /// `deprecated in XenServer 6.0 (boston)`.
    pub fn phrase(&self) -> String {
        format!("{} in {}", self.kind.as_str(), self.release_name())
    }

    /// `added in XAPI 25.2.0`: an error code a later release added to a
    /// message that was already there.
    pub fn added_phrase(&self) -> String {
        format!("added in {}", self.release_name())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Lifecycle {
    pub transitions: Vec<Transition>,
}

/// Where an item stands now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LifecycleState {
    Prototyped,
    Published,
    Deprecated,
    Removed,
}

impl LifecycleState {
    /// `published`, `deprecated`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            LifecycleState::Prototyped => "prototyped",
            LifecycleState::Published => "published",
            LifecycleState::Deprecated => "deprecated",
            LifecycleState::Removed => "removed",
        }
    }

    /// The name xapi's model export uses.
    pub fn export_name(self) -> &'static str {
        match self {
            LifecycleState::Prototyped => "Prototyped_s",
            LifecycleState::Published => "Published_s",
            LifecycleState::Deprecated => "Deprecated_s",
            LifecycleState::Removed => "Removed_s",
        }
    }
}

impl Lifecycle {
    fn has(&self, kind: TransitionKind) -> bool {
        self.transitions.iter().any(|t| t.kind == kind)
    }

    /// The state as of the newest release. An item without a lifecycle
    /// (enum values, parameters and error codes may have none) is
    /// published.
    pub fn state(&self) -> LifecycleState {
        if self.transitions.is_empty() {
            LifecycleState::Published
        } else if self.has(TransitionKind::Removed) {
            LifecycleState::Removed
        } else if self.has(TransitionKind::Deprecated) {
            LifecycleState::Deprecated
        } else if self.has(TransitionKind::Published) {
            LifecycleState::Published
        } else {
            LifecycleState::Prototyped
        }
    }

    /// The release a transition of `kind` happened in, if any.
    pub fn release_of(&self, kind: TransitionKind) -> Option<&Transition> {
        self.transitions.iter().find(|t| t.kind == kind)
    }

    /// The first release the item existed in (prototyped or published).
    pub fn introduced(&self) -> Option<&Transition> {
        self.transitions
            .iter()
            .filter(|t| matches!(t.kind, TransitionKind::Prototyped | TransitionKind::Published))
            .min_by_key(|t| t.release_index)
    }

    /// Whether the item is deprecated or removed by now.
    pub fn is_deprecated(&self) -> bool {
        matches!(self.state(), LifecycleState::Deprecated | LifecycleState::Removed)
    }

    /// The release the item was deprecated in, if it was.
    pub fn deprecated_since(&self) -> Option<&Transition> {
        self.release_of(TransitionKind::Deprecated)
    }

    /// The release the item was removed in, if it was.
    pub fn removed_in(&self) -> Option<&Transition> {
        self.release_of(TransitionKind::Removed)
    }

    /// Every transition, oldest first in schema order:
    /// `published in XenServer 4.0 (rio); deprecated in XenServer 6.0
    /// (boston)`. `None` for an item without a lifecycle.
    pub fn history(&self) -> Option<String> {
        let parts: Vec<String> = self.transitions.iter().map(Transition::phrase).collect();
        (!parts.is_empty()).then(|| parts.join("; "))
    }

    /// A description followed by the history as a sentence, for items
    /// whose lifecycle is optional (parameters, enum values, error codes):
    /// `Saved to disk. Published in XAPI 25.2.0.`; the description alone
    /// when there is no history.
    pub fn described(&self, description: &str) -> String {
        match self.history() {
            Some(h) if description.is_empty() => sentence(&h),
            Some(h) => format!("{} {}", description.trim_end(), sentence(&h)),
            None => description.to_string(),
        }
    }

    /// Where a retired item stands: `removed in R` once removed, else
    /// `deprecated since R`; `None` for an item in use.
    pub fn retirement(&self) -> Option<String> {
        if let Some(t) = self.removed_in() {
            Some(format!("removed in {}", t.release_name()))
        } else {
            self.deprecated_since().map(|t| format!("deprecated since {}", t.release_name()))
        }
    }
}

/// A phrase as a sentence of its own: first letter upper-cased, a full
/// stop at the end.
pub fn sentence(phrase: &str) -> String {
    let mut s = phrase.to_string();
    if let Some(first) = s.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    s.push('.');
    s
}

impl fmt::Display for Transition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind.as_str(), self.release)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(kind: TransitionKind, release: &str, label: &str, release_index: usize) -> Transition {
        Transition { kind, release: release.into(), label: label.into(), release_index }
    }

    #[test]
    fn one_wording_for_history_and_retirement() {
        let l = Lifecycle {
            transitions: vec![
                t(TransitionKind::Published, "rio", "XenServer 4.0", 0),
                t(TransitionKind::Deprecated, "boston", "XenServer 6.0", 8),
            ],
        };
        assert_eq!(l.history().unwrap(), "published in XenServer 4.0 (rio); deprecated in XenServer 6.0 (boston)");
        assert_eq!(l.retirement().unwrap(), "deprecated since XenServer 6.0 (boston)");
        assert_eq!(sentence(&l.retirement().unwrap()), "Deprecated since XenServer 6.0 (boston).");
        let mut gone = l.clone();
        gone.transitions.push(t(TransitionKind::Removed, "24.3.0", "XAPI 24.3.0", 60));
        assert_eq!(gone.retirement().unwrap(), "removed in XAPI 24.3.0");
        assert_eq!(gone.removed_in().map(|t| t.release_index), Some(60));
        assert_eq!(Lifecycle::default().history(), None);
        assert_eq!(Lifecycle::default().retirement(), None);
    }
}
