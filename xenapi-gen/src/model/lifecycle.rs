//! Lifecycles: when an item was published, changed, deprecated or removed.

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
    /// Release code.
    pub release: String,
    /// Position of the release in [`crate::model::Api::releases`].
    pub release_index: usize,
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

    /// The state as of the newest release.
    pub fn state(&self) -> LifecycleState {
        if self.has(TransitionKind::Removed) {
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

    pub fn is_deprecated(&self) -> bool {
        matches!(self.state(), LifecycleState::Deprecated | LifecycleState::Removed)
    }
}

impl fmt::Display for Transition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind.as_str(), self.release)
    }
}
