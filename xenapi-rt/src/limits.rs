//! Resource bounds shared by the decoders and the server.

/// Upper bounds applied while decoding untrusted input.
///
/// The same values guard a client reading replies and a server reading
/// requests. Exceeding any of them yields an error, never a panic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// How deeply arrays and structs (JSON arrays and objects) may nest in
    /// one another inside one value; the protocol envelope around a value
    /// (the reply struct, the JSON request object and params array) does
    /// not count. As a backstop against other deep markup, XML elements of
    /// any kind may nest at most `4 * max_depth + 16` deep.
    pub max_depth: usize,
    /// How many XML elements one document may hold (XML-RPC only).
    pub max_elements: usize,
    /// The longest text content, in bytes, of one XML element after entity
    /// references are resolved (XML-RPC only; JSON strings are bounded by
    /// `max_body`).
    pub max_string_len: usize,
    /// The largest request body a server reads, in bytes.
    pub max_body: usize,
}

impl Limits {
    /// The element depth the XML reader allows for these limits.
    pub(crate) fn xml_element_depth(&self) -> usize {
        self.max_depth.saturating_mul(4).saturating_add(16)
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_depth: 64, max_elements: 10_000_000, max_string_len: 32 << 20, max_body: 64 << 20 }
    }
}

/// Length of the most recent success reply, so the next reply's buffer
/// starts near its final size instead of doubling its way up to it. Only
/// a hint: a wrong guess costs a reallocation or some slack, never
/// correctness.
static LAST_REPLY_LEN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Initial capacity for a reply buffer: the last reply's length plus some
/// room, between 256 bytes and 1 MiB.
pub(crate) fn reply_capacity() -> usize {
    let last = LAST_REPLY_LEN.load(std::sync::atomic::Ordering::Relaxed);
    (last + last / 8).clamp(256, 1 << 20)
}

pub(crate) fn note_reply_len(len: usize) {
    LAST_REPLY_LEN.store(len, std::sync::atomic::Ordering::Relaxed);
}
