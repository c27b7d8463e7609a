use serde::de::{Deserialize, Deserializer, IgnoredAny};
use serde::ser::{Serialize, Serializer};

/// The result of a message that returns nothing.
///
/// It is written as the empty string (the form both protocols use) and
/// reads any value at all, so a server that sends `""`, `null` or
/// something unexpected for a void result is still understood.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Void;

impl Serialize for Void {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str("")
    }
}

impl<'de> Deserialize<'de> for Void {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_ignored_any(IgnoredAny)?;
        Ok(Void)
    }
}
