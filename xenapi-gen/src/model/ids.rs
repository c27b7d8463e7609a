//! Typed references between parts of the model: a class, a role or an
//! error code is named by its position in the [`Api`](super::Api) lists
//! rather than by a string, so a consumer cannot name one that does not
//! exist, and the name is spelled in one place.

use std::fmt;

/// A class, by its position in [`Api::classes`](super::Api::classes).
/// Positions change when classes are left out ([`Api::at_release`],
/// [`Api::subset`]), so an id is only good for the `Api` that gave it.
///
/// [`Api::at_release`]: super::Api::at_release
/// [`Api::subset`]: super::Api::subset
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClassId(pub u32);

/// An error code, by its position in [`Api::errors`](super::Api::errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ErrorId(pub u32);

/// A role, by its position in [`Api::roles`](super::Api::roles): 0 is
/// the most privileged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RoleId(pub u8);

/// A set of roles. Iteration goes in the API's order, most privileged
/// first, whatever the order the schema listed them in.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Roles(u64);

impl Roles {
    /// The most roles an API may have.
    pub const MAX: usize = 64;

    /// No role: only a local superuser passes.
    pub const NONE: Roles = Roles(0);

    /// How every output names an empty role list ([`Roles::NONE`]).
    pub const NONE_LABEL: &'static str = "local root only";

    /// What an empty role list means, worded once for every output: a
    /// clause to follow [`Roles::NONE_LABEL`].
    pub const NONE_MEANING: &'static str = "no role grants the call, so only a local superuser session may make it";

    /// The label and its meaning as one sentence, where a documentation
    /// comment explains an empty role list.
    pub fn none_sentence() -> String {
        super::lifecycle::sentence(&format!("{}: {}", Self::NONE_LABEL, Self::NONE_MEANING))
    }

    /// The first `n` roles of the API: a role and every more privileged one.
    pub fn first(n: usize) -> Roles {
        match n {
            0 => Roles::NONE,
            n if n >= Self::MAX => Roles(u64::MAX),
            n => Roles((1u64 << n) - 1),
        }
    }

    pub fn insert(&mut self, r: RoleId) {
        if usize::from(r.0) < Self::MAX {
            self.0 |= 1 << r.0;
        }
    }

    pub fn contains(self, r: RoleId) -> bool {
        usize::from(r.0) < Self::MAX && self.0 & (1 << r.0) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The roles, most privileged first.
    pub fn iter(self) -> impl Iterator<Item = RoleId> {
        (0..Self::MAX as u8).map(RoleId).filter(move |r| self.contains(*r))
    }

    /// The names of the roles, most privileged first, given the API's list.
    pub fn names(self, all: &[String]) -> impl Iterator<Item = &str> {
        self.iter().filter_map(|r| all.get(usize::from(r.0)).map(String::as_str))
    }

    /// When the set is a role and every more privileged one, that role
    /// (the least privileged of the set).
    pub fn and_above(self) -> Option<RoleId> {
        let n = self.len();
        (n > 0 && self == Roles::first(n)).then(|| RoleId(n as u8 - 1))
    }
}

impl FromIterator<RoleId> for Roles {
    fn from_iter<I: IntoIterator<Item = RoleId>>(iter: I) -> Self {
        let mut out = Roles::NONE;
        for r in iter {
            out.insert(r);
        }
        out
    }
}

impl fmt::Debug for Roles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter().map(|r| r.0)).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_iterate_in_api_order_and_know_their_prefix() {
        let set: Roles = [RoleId(2), RoleId(0)].into_iter().collect();
        assert_eq!(set.iter().collect::<Vec<_>>(), [RoleId(0), RoleId(2)]);
        assert_eq!(set.and_above(), None);
        assert_eq!(Roles::first(3).and_above(), Some(RoleId(2)));
        assert_eq!(Roles::NONE.and_above(), None);
        let all = ["a".to_string(), "b".into(), "c".into()];
        assert_eq!(set.names(&all).collect::<Vec<_>>(), ["a", "c"]);
        assert_eq!(Roles::first(64).len(), 64);
        let mut r = Roles::NONE;
        r.insert(RoleId(200));
        assert!(r.is_empty(), "a role beyond the limit is never stored");
    }
}
