//! [`Map`]: the map type of record fields, results and server parameters.
//!
//! It is a standard `HashMap` underneath, with two differences that make
//! decoding cheaper (see the module docs of [`containers`](super::containers)
//! for the figures):
//!
//! * the hasher is foldhash rather than SipHash. It is seeded at random
//!   per process and per map, so keys that collide cannot be chosen
//!   without knowing the seed; it is not a cryptographic hash, and a peer
//!   able to study a long-running server's timing could in principle
//!   learn enough to build collisions, a risk accepted here for hashing
//!   several times faster on every decoded map (hashbrown made the same
//!   choice for its default);
//! * decoding allocates the table once, at the size read: the first
//!   [`BUFFERED`](super::exact::BUFFERED) entries are held on the stack
//!   until the struct ends, and longer maps are gathered into a vector
//!   first, so the table is never rehashed as it fills.
//!
//! Everything else comes from `HashMap` itself: `Map` dereferences to it,
//! so `get`, `insert`, `entry`, `iter`, `len`, `retain` and the rest are
//! the ones callers know. It is built with `Map::new()`, `Map::from([..])`
//! or `collect()`, iterates with `for (k, v) in &map`, compares with `==`
//! and (de)serializes as a plain map.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::fmt;
use std::hash::Hash;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::{Serialize, Serializer};

use super::exact::{gather, Held};

/// The hasher of [`Map`]: foldhash, seeded at random per process and per
/// map.
pub type MapState = foldhash::fast::RandomState;

/// A hash map from `K` to `V`; see the module docs.
#[derive(Clone)]
pub struct Map<K, V>(HashMap<K, V, MapState>);

impl<K, V> Map<K, V> {
    /// An empty map; allocates nothing until the first insert.
    pub fn new() -> Self {
        Map(HashMap::with_hasher(MapState::default()))
    }

    /// An empty map with room for `capacity` entries.
    pub fn with_capacity(capacity: usize) -> Self {
        Map(HashMap::with_capacity_and_hasher(capacity, MapState::default()))
    }

    /// The `HashMap` inside.
    pub fn into_inner(self) -> HashMap<K, V, MapState> {
        self.0
    }

    /// The keys, consuming the map (as `HashMap::into_keys`).
    pub fn into_keys(self) -> std::collections::hash_map::IntoKeys<K, V> {
        self.0.into_keys()
    }

    /// The values, consuming the map (as `HashMap::into_values`).
    pub fn into_values(self) -> std::collections::hash_map::IntoValues<K, V> {
        self.0.into_values()
    }
}

impl<K, V> Default for Map<K, V> {
    fn default() -> Self {
        Map::new()
    }
}

impl<K, V> Deref for Map<K, V> {
    type Target = HashMap<K, V, MapState>;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<K, V> DerefMut for Map<K, V> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Map<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<K: Eq + Hash, V: PartialEq> PartialEq for Map<K, V> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<K: Eq + Hash, V: Eq> Eq for Map<K, V> {}

/// A map equals a standard `HashMap` with the same entries, whatever its
/// hasher.
impl<K: Eq + Hash, V: PartialEq, S: std::hash::BuildHasher> PartialEq<HashMap<K, V, S>> for Map<K, V> {
    fn eq(&self, other: &HashMap<K, V, S>) -> bool {
        self.len() == other.len() && self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl<K: Eq + Hash, V> FromIterator<(K, V)> for Map<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut map = Map::new();
        map.0.extend(iter);
        map
    }
}

impl<K: Eq + Hash, V> Extend<(K, V)> for Map<K, V> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        self.0.extend(iter);
    }
}

impl<K: Eq + Hash, V, const N: usize> From<[(K, V); N]> for Map<K, V> {
    fn from(entries: [(K, V); N]) -> Self {
        entries.into_iter().collect()
    }
}

impl<K: Eq + Hash, V, S> From<HashMap<K, V, S>> for Map<K, V> {
    fn from(map: HashMap<K, V, S>) -> Self {
        map.into_iter().collect()
    }
}

impl<K: Eq + Hash, V> From<Map<K, V>> for HashMap<K, V> {
    fn from(map: Map<K, V>) -> Self {
        map.0.into_iter().collect()
    }
}

impl<K, V> IntoIterator for Map<K, V> {
    type Item = (K, V);
    type IntoIter = std::collections::hash_map::IntoIter<K, V>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a, K, V> IntoIterator for &'a Map<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = std::collections::hash_map::Iter<'a, K, V>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<'a, K, V> IntoIterator for &'a mut Map<K, V> {
    type Item = (&'a K, &'a mut V);
    type IntoIter = std::collections::hash_map::IterMut<'a, K, V>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter_mut()
    }
}

impl<K, V, Q> std::ops::Index<&Q> for Map<K, V>
where
    K: Eq + Hash + Borrow<Q>,
    Q: Eq + Hash + ?Sized,
{
    type Output = V;

    /// The value at `key`; panics when there is none, as `HashMap` does.
    fn index(&self, key: &Q) -> &V {
        &self.0[key]
    }
}

impl<K: Serialize, V: Serialize> Serialize for Map<K, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de, K, V> Deserialize<'de> for Map<K, V>
where
    K: Deserialize<'de> + Eq + Hash,
    V: Deserialize<'de>,
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(MapVisitor(PhantomData))
    }
}

struct MapVisitor<K, V>(PhantomData<fn() -> (K, V)>);

impl<'de, K, V> Visitor<'de> for MapVisitor<K, V>
where
    K: Deserialize<'de> + Eq + Hash,
    V: Deserialize<'de>,
{
    type Value = Map<K, V>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        let mut held = Held::new();
        gather(&mut held, || access.next_entry())?;
        // The table is built once, from all entries, whether they were
        // held in place or (a long map) spilled to a vector.
        let mut map = Map::with_capacity(held.len());
        map.0.extend(held.drain(..));
        Ok(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::exact::BUFFERED;
    use crate::types::Str;

    fn read(json: &str) -> Map<Str, Str> {
        serde_json::from_str(json).expect("decodes")
    }

    #[test]
    fn reads_as_a_hash_map() {
        let mut m: Map<Str, Str> = Map::from([("a".into(), "1".into())]);
        m.insert("b".into(), "2".into());
        *m.entry("a".into()).or_default() = "3".into();
        assert_eq!(m["a"], "3");
        assert_eq!(m.get("b").map(Str::as_str), Some("2"));
        let mut keys: Vec<&str> = (&m).into_iter().map(|(k, _)| k.as_str()).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["a", "b"]);
        let plain: HashMap<Str, Str> = m.clone().into();
        assert_eq!(m, plain);
        assert_eq!(Map::from(plain), m);
        assert_eq!(format!("{:?}", Map::<Str, Str>::from([("k".into(), "v".into())])), r#"{"k": "v"}"#);
        assert_eq!(
            serde_json::to_string(&m.into_iter().filter(|(k, _)| k == "b").collect::<Map<_, _>>()).expect("encodes"),
            r#"{"b":"2"}"#
        );
    }

    #[test]
    fn decodes_every_size_and_the_capacity_fits_when_short() {
        for n in [0usize, 1, 2, 9, BUFFERED - 1, BUFFERED, BUFFERED + 1, 3 * BUFFERED + 5, 1000] {
            let members: Vec<String> = (0..n).map(|i| format!("\"k{i}\":\"v{i}\"")).collect();
            let m = read(&format!("{{{}}}", members.join(",")));
            assert_eq!(m.len(), n);
            for i in 0..n {
                assert_eq!(m.get(format!("k{i}").as_str()).map(Str::as_str), Some(format!("v{i}").as_str()));
            }
            let fresh: Map<Str, Str> = Map::with_capacity(n);
            assert_eq!(m.capacity(), fresh.capacity(), "{n} entries: allocated once, at the size read");
        }
    }

    #[test]
    fn a_repeated_key_keeps_its_last_value_as_serde_does() {
        for n in [3usize, BUFFERED + 3, 4 * BUFFERED] {
            let members: Vec<String> = (0..n).map(|i| format!("\"k{}\":\"{i}\"", i % 4)).collect();
            let text = format!("{{{}}}", members.join(","));
            let plain: HashMap<String, String> = serde_json::from_str(&text).expect("decodes");
            let m = read(&text);
            assert_eq!(m.len(), plain.len());
            for (k, v) in &plain {
                assert_eq!(m.get(k.as_str()).map(Str::as_str), Some(v.as_str()), "{text}");
            }
        }
    }

    #[test]
    fn wrong_shapes_are_refused() {
        assert!(serde_json::from_str::<Map<Str, Str>>(r#"["a"]"#).is_err());
        assert!(serde_json::from_str::<Map<Str, u32>>(r#"{"a":"x"}"#).is_err());
    }
}
