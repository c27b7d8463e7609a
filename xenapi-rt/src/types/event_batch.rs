use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// What `event.from` returns: the events (records `E` of the API's event
/// class), the number of objects of each class, and the token to pass
/// next time. Missing fields decode as empty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EventBatch<E> {
    /// The events since the token passed in.
    pub events: Vec<E>,
    /// How many objects of each class exist now (some servers spell the
    /// key `validRefCounts`).
    #[serde(alias = "validRefCounts")]
    pub valid_ref_counts: HashMap<String, i64>,
    /// The token to pass to the next call.
    pub token: String,
}

impl<E> Default for EventBatch<E> {
    fn default() -> Self {
        EventBatch { events: Vec::new(), valid_ref_counts: HashMap::new(), token: String::new() }
    }
}
