//! Requests outside the RPC endpoints, handed to
//! [`Handler::http`](super::Handler::http) (xapi's `PUT /blob` and
//! `GET /blob`, for instance).

use std::borrow::Cow;

/// An HTTP request to a path that is not one of the RPC endpoints (or to
/// an RPC endpoint with a method other than `POST`).
///
/// The body has been read in full already, bounded by
/// [`Limits::max_body`](crate::Limits::max_body) and
/// [`ServerConfig::body_read_timeout`](super::ServerConfig::body_read_timeout)
/// like an RPC body.
#[derive(Debug, Clone, Copy)]
pub struct HttpRequest<'a> {
    /// The method, e.g. `GET` or `PUT`.
    pub method: &'a str,
    /// The path, without the query string, e.g. `/blob`.
    pub path: &'a str,
    /// The query string as sent (still percent-encoded), without the `?`.
    pub query: Option<&'a str>,
    /// The request headers.
    pub headers: &'a http::HeaderMap,
    /// The request body (empty when none was sent).
    pub body: &'a [u8],
}

impl<'a> HttpRequest<'a> {
    /// The first value of the query parameter `name`, percent-decoded
    /// (`+` reads as a space, as in HTML forms); `None` when the query
    /// has no such parameter. Bytes that do not form UTF-8 after decoding
    /// are replaced with U+FFFD.
    pub fn query_param(&self, name: &str) -> Option<Cow<'a, str>> {
        self.query?.split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(key) == name).then(|| percent_decode(value))
        })
    }
}

/// Decodes `%XX` escapes and `+`; a `%` not followed by two hex digits is
/// kept as it is.
fn percent_decode(s: &str) -> Cow<'_, str> {
    if !s.contains(['%', '+']) {
        return Cow::Borrowed(s);
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                // `from_str_radix` alone would also take a sign ("+1").
                let hex = bytes
                    .get(i + 1..i + 3)
                    .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                    .and_then(|h| std::str::from_utf8(h).ok());
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(query: Option<&'static str>) -> HttpRequest<'static> {
        static HEADERS: std::sync::OnceLock<http::HeaderMap> = std::sync::OnceLock::new();
        HttpRequest {
            method: "GET",
            path: "/blob",
            query,
            headers: HEADERS.get_or_init(http::HeaderMap::new),
            body: b"",
        }
    }

    #[test]
    fn query_parameters_are_found_and_decoded() {
        let r = request(Some("ref=OpaqueRef%3Aabc&session_id=OpaqueRef:s+1&flag&bad=%zz%4"));
        assert_eq!(r.query_param("ref").as_deref(), Some("OpaqueRef:abc"));
        assert_eq!(r.query_param("session_id").as_deref(), Some("OpaqueRef:s 1"));
        assert_eq!(r.query_param("flag").as_deref(), Some(""));
        assert_eq!(r.query_param("bad").as_deref(), Some("%zz%4"));
        assert_eq!(r.query_param("missing"), None);
        assert_eq!(request(None).query_param("ref"), None);
        // A multi-byte character cut by the escape boundary never panics.
        assert_eq!(request(Some("x=%C3")).query_param("x").as_deref(), Some("\u{fffd}"));
        assert_eq!(request(Some("x=%é")).query_param("x").as_deref(), Some("%é"));
    }
}
