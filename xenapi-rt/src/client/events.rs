//! [`Events`]: following changes with `event.from`.

use std::time::Duration;

use super::Session;
use crate::schema::Schema;
use crate::transport::Transport;
use crate::types::{EventBatch, Float};

/// Follows changes with `event.from`: each call to [`Events::next`] waits
/// for changes since the previous one and returns them.
#[derive(Debug)]
pub struct Events<'s, A: Schema, T> {
    session: &'s Session<A, T>,
    classes: Vec<String>,
    token: String,
    timeout: f64,
}

impl<'s, A: Schema, T: Transport> Events<'s, A, T> {
    /// Watches the named classes (`"*"` for all); the first batch holds
    /// every current object of those classes. Each call waits at most
    /// `timeout` on the server.
    pub fn new(session: &'s Session<A, T>, classes: &[&str], timeout: Duration) -> Self {
        Events {
            session,
            classes: classes.iter().map(|c| c.to_string()).collect(),
            token: String::new(),
            timeout: timeout.as_secs_f64(),
        }
    }

    /// The next batch of events (empty when the timeout passed first).
    pub async fn next(&mut self) -> Result<Vec<A::Event>, A::Error> {
        let (classes, token, timeout) = (&self.classes, &self.token, Float(self.timeout));
        let batch: EventBatch<A::Event> =
            self.session.call("event.from", |c| c.param(classes).param(token).param(&timeout)).await?;
        self.token = batch.token;
        Ok(batch.events)
    }
}
