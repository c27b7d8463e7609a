//! How a message is called: its names on the wire and the parameters a
//! caller gives (the session is supplied by the client libraries).

use super::{Class, Message, Param};

impl Message {
    /// The method name on the wire: `VM.start`.
    pub fn wire_name(&self, class: &Class) -> String {
        format!("{}.{}", class.name, self.name)
    }

    /// The form that returns a task at once: `Async.VM.start`. Servers
    /// answer it only where [`Message::has_async`] is set.
    pub fn async_wire_name(&self, class: &Class) -> String {
        format!("Async.{}", self.wire_name(class))
    }

    /// The parameters after the session: all of them for the login family,
    /// which takes none.
    pub fn call_params(&self) -> &[Param] {
        let skip = usize::from(self.takes_session());
        &self.params[skip..]
    }
}
