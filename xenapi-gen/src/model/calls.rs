//! How a message is called: its names on the wire and the parameters a
//! caller gives (the session is supplied by the client libraries).

use super::{Api, Class, Message, Param};

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

    /// The second name a xapi server takes for the synchronous call, the
    /// class and message joined by `_`: `VM_start`, `event_from`. It lets
    /// clients that build the method name from attributes reach messages
    /// whose name their language reserves (Python's `XenAPI` module sends
    /// `session.xenapi.event_from(...)` as `event_from`). There is no such
    /// name for the `Async.` form, and `system.listMethods` does not list
    /// these names.
    pub fn alias_wire_name(&self, class: &Class) -> String {
        format!("{}_{}", class.name, self.name)
    }

    /// The parameters after the session: all of them for the login family,
    /// which takes none.
    pub fn call_params(&self) -> &[Param] {
        let skip = usize::from(self.takes_session());
        &self.params[skip..]
    }
}

impl Api {
    /// Every second wire name with the wire name it stands for
    /// (`("event_from", "event.from")`) and the class it belongs to,
    /// sorted by the second name. Two messages written in the schema
    /// with one second name (`A_b.c`, `A.b_c`) would also share a C
    /// function (`xen_a_b_c`), which the resolver reports.
    pub fn wire_aliases(&self) -> Vec<(String, String, &Class)> {
        let mut out: Vec<(String, String, &Class)> = self
            .classes
            .iter()
            .flat_map(|c| c.messages.iter().map(move |m| (m.alias_wire_name(c), m.wire_name(c), c)))
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }
}
