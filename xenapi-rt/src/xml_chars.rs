//! The characters XML 1.0 cannot carry, and where to find them.
//!
//! XML 1.0 allows tab, line feed, carriage return, U+0020..U+D7FF,
//! U+E000..U+FFFD and U+10000..U+10FFFF, raw or as a character reference.
//! Rust strings cannot hold surrogates, so the characters a string may
//! hold that XML refuses are U+0000..U+0008, U+000B, U+000C,
//! U+000E..U+001F, U+FFFE and U+FFFF. Strings holding them are refused at
//! input in both protocols (so nothing stored can make an XML-RPC reply
//! ill-formed), and the XML writer replaces any that still reach it with
//! U+FFFD.

use crate::scan;

/// Whether XML 1.0 cannot carry `c`.
pub(crate) fn is_forbidden(c: char) -> bool {
    matches!(c, '\0'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

/// Whether `b` is a control byte XML refuses (everything below a space
/// except tab, line feed and carriage return).
#[inline]
pub(crate) fn is_forbidden_byte(b: u8) -> bool {
    b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')
}

/// The first forbidden character written raw in `text`, with its byte
/// offset.
pub(crate) fn find_raw(text: &str) -> Option<(usize, char)> {
    let at = first_forbidden(text.as_bytes())?;
    text.get(at..)?.chars().next().map(|c| (at, c))
}

/// Where a forbidden control byte, or the first byte of a raw U+FFFE or
/// U+FFFF (EF BF BE and EF BF BF in UTF-8), first occurs.
///
/// One pass over 64-byte blocks asks only whether a block holds a byte
/// below 0x20 or an 0xEF ([`scan::block_has`]); the rare block that does
/// (line breaks, characters from U+F000 up) is then looked at byte by
/// byte. This is the only whole-body pass of the XML decoder besides
/// UTF-8 validation.
fn first_forbidden(bytes: &[u8]) -> Option<usize> {
    let suspect = |from: usize, len: usize| (from..from + len).find(|&i| forbidden_at(bytes, i));
    let mut rest = bytes;
    while let Some((block, tail)) = rest.split_first_chunk::<{ scan::BLOCK }>() {
        if scan::block_has(block, scan::XML_FORBIDDEN) {
            if let Some(at) = suspect(bytes.len() - rest.len(), scan::BLOCK) {
                return Some(at);
            }
        }
        rest = tail;
    }
    suspect(bytes.len() - rest.len(), rest.len())
}

/// Whether a forbidden character starts at `bytes[i]`.
#[inline]
fn forbidden_at(bytes: &[u8], i: usize) -> bool {
    match bytes.get(i) {
        Some(&0xEF) => bytes.get(i + 1) == Some(&0xBF) && matches!(bytes.get(i + 2), Some(0xBE | 0xBF)),
        Some(&b) => is_forbidden_byte(b),
        None => false,
    }
}

/// The first forbidden character in JSON text, as a `\uXXXX` escape (in
/// either case of hex digits) or a raw U+FFFE or U+FFFF. (Raw control
/// characters are not valid JSON at all; the JSON parser refuses them.)
/// Text outside strings holds no backslashes in valid JSON, so every
/// backslash starts an escape.
#[cfg(feature = "json-rpc")]
pub(crate) fn find_in_json(text: &str) -> Option<char> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(k) = memchr::memchr2(b'\\', 0xEF, bytes.get(i..).unwrap_or_default()) {
        i += k;
        if bytes[i] == 0xEF {
            if bytes.get(i + 1) == Some(&0xBF) {
                match bytes.get(i + 2) {
                    Some(0xBE) => return Some('\u{FFFE}'),
                    Some(0xBF) => return Some('\u{FFFF}'),
                    _ => {}
                }
            }
            i += 1;
            continue;
        }
        if bytes.get(i + 1) == Some(&b'u') {
            let code = bytes
                .get(i + 2..i + 6)
                .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u32::from_str_radix(h, 16).ok());
            if let Some(c) = code.and_then(char::from_u32).filter(|&c| is_forbidden(c)) {
                return Some(c);
            }
        }
        // Step over the escaped character (`\\` must not start another).
        i += 2;
    }
    None
}

/// `U+0001`-style name of a character, for error messages.
pub(crate) fn code_point(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character a Rust string can hold that XML refuses.
    fn forbidden() -> Vec<char> {
        (0u32..0x20)
            .chain([0xFFFE, 0xFFFF])
            .filter_map(char::from_u32)
            .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
            .collect()
    }

    #[test]
    fn the_forbidden_set_is_exactly_what_xml_refuses() {
        let all: Vec<char> = (0..=0x10FFFF).filter_map(char::from_u32).filter(|&c| is_forbidden(c)).collect();
        assert_eq!(all, forbidden());
        assert_eq!(all.len(), 31);
    }

    #[test]
    fn raw_characters_are_found_with_their_offset() {
        for c in forbidden() {
            let text = format!("{}é{c}x", "a".repeat(100));
            assert_eq!(find_raw(&text), Some((102, c)), "{c:?}");
        }
        assert_eq!(find_raw("tab\tlf\ncr\r \u{FFFD}\u{EFBF}\u{10FFFF}"), None);
        // The earlier of a control byte and a non-character wins.
        assert_eq!(find_raw("\u{FFFF}\u{1}"), Some((0, '\u{FFFF}')));
        assert_eq!(find_raw("\u{1}\u{FFFF}"), Some((0, '\u{1}')));
    }

    /// What `find_raw` must return, one character at a time.
    fn plain(text: &str) -> Option<(usize, char)> {
        text.char_indices().find(|&(_, c)| is_forbidden(c))
    }

    #[test]
    fn the_block_search_agrees_with_a_plain_one_at_every_offset() {
        // Allowed characters that make a block look suspect (line breaks,
        // characters from U+F000 up, whose first byte is 0xEF) next to
        // each forbidden one, at every offset around the block edges.
        let fillers = ["a", "\n", "\t\r", "\u{FFFD}", "\u{FF0C}", "\u{F000}", "\u{10FFFF}", "é"];
        for filler in fillers {
            for len in [0usize, 1, 15, 63, 64, 65, 127, 128, 130, 200] {
                let base: String = filler.repeat(len / filler.len() + 1).chars().take(len).collect();
                assert_eq!(find_raw(&base), plain(&base), "{base:?}");
                for bad in ['\u{1}', '\u{1F}', '\u{B}', '\u{FFFE}', '\u{FFFF}'] {
                    for at in (0..=base.len()).filter(|&i| base.is_char_boundary(i)) {
                        let mut text = base.clone();
                        text.insert(at, bad);
                        assert_eq!(find_raw(&text), plain(&text), "{filler:?} x{len}, {bad:?} at {at}");
                        assert_eq!(find_raw(&text), Some((at, bad)));
                    }
                }
            }
        }
    }

    #[cfg(feature = "json-rpc")]
    #[test]
    fn escapes_are_found_in_json() {
        assert_eq!(find_in_json("\"a\u{FFFE}\""), Some('\u{FFFE}'));
        assert_eq!(find_in_json("\"a\u{FFFF}\""), Some('\u{FFFF}'));
        for c in forbidden() {
            let code = u32::from(c);
            for esc in [format!("\\u{code:04x}"), format!("\\u{code:04X}")] {
                assert_eq!(find_in_json(&format!(r#"{{"a":["x{esc}"]}}"#)), Some(c), "{esc}");
            }
        }
        for fine in [
            r#""\t\n\r\u0009\u000A\u000d\u0020\ufffd\uD83D\uDE00""#,
            r#""\\u0001""#,
            r#""\\\\u0001""#,
            r#""\u00""#,
            "\"\\",
            "\"\u{F000}\u{FFFD}\"",
        ] {
            assert_eq!(find_in_json(fine), None, "{fine}");
        }
        assert_eq!(find_in_json(r#""\\\u0001""#), Some('\u{1}'));
    }
}
