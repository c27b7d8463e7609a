//! Scanning JSON text: whitespace, strings, numbers, literals, and whole
//! values skipped over.
//!
//! The reader works on text already checked to be UTF-8, so a string
//! without escapes is handed out as a slice of the input. It accepts
//! exactly what `serde_json` accepts, plus one extension the JSON-RPC
//! decoder relies on: the bare words `NaN`, `Infinity` and `-Infinity`
//! read as strings (see [`Reader::non_finite`]). Nesting is bounded by the
//! depth given to [`Reader::new`].

use crate::WireError;

/// A string as read: borrowed from the input when it had no escapes,
/// otherwise unescaped into the reader's scratch buffer.
pub(crate) enum Str<'de, 's> {
    Borrowed(&'de str),
    Copied(&'s str),
}

impl Str<'_, '_> {
    pub(crate) fn as_str(&self) -> &str {
        match self {
            Str::Borrowed(s) => s,
            Str::Copied(s) => s,
        }
    }
}

/// A JSON number, classified the way `serde_json` does: non-negative
/// integers as `U64`, negative ones as `I64`, and everything else (a
/// fraction, an exponent, `-0`, an integer out of range) as `F64`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Number {
    U64(u64),
    I64(i64),
    F64(f64),
}

pub(crate) struct Reader<'de> {
    text: &'de str,
    pos: usize,
    /// How many more arrays/objects may open inside the current one.
    depth_left: usize,
    /// Unescaped text of the last string that had escapes.
    scratch: String,
    /// Set once a bare `NaN`/`Infinity`/`-Infinity` has been read.
    pub(crate) saw_non_finite: bool,
}

impl<'de> Reader<'de> {
    /// A reader at the start of `text` that refuses nesting deeper than
    /// `max_depth` arrays/objects.
    pub(crate) fn new(text: &'de str, max_depth: usize) -> Self {
        Reader { text, pos: 0, depth_left: max_depth, scratch: String::new(), saw_non_finite: false }
    }

    pub(crate) fn text(&self) -> &'de str {
        self.text
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// An error saying `what`, placed at the current position.
    pub(crate) fn error(&self, what: &str) -> WireError {
        WireError::Custom(format!("JSON: {what} at byte {}", self.pos))
    }

    /// Steps over one byte already looked at with [`Reader::peek`].
    #[inline]
    pub(crate) fn bump(&mut self) {
        self.pos += 1;
    }

    /// The next byte after any whitespace, which is skipped; `None` at
    /// the end of the input.
    #[inline]
    pub(crate) fn peek(&mut self) -> Option<u8> {
        let bytes = self.text.as_bytes();
        while let Some(&b) = bytes.get(self.pos) {
            if !matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                return Some(b);
            }
            self.pos += 1;
        }
        None
    }

    /// Steps to the next element of an array or object whose opening
    /// bracket has been read: `Ok(false)` at the closing `close` (left
    /// unread), else `Ok(true)` with the separating comma, if one is due,
    /// consumed. `first` says whether no element has been read yet.
    #[inline]
    pub(crate) fn next_item(&mut self, close: u8, first: &mut bool) -> Result<bool, WireError> {
        match self.peek() {
            Some(b) if b == close => return Ok(false),
            Some(b',') if !*first => self.bump(),
            _ if *first => {}
            _ if close == b']' => return Err(self.error("expected `,` or `]`")),
            _ => return Err(self.error("expected `,` or `}`")),
        }
        *first = false;
        Ok(true)
    }

    /// Consumes `byte` (after whitespace) or fails saying `what` was
    /// expected.
    #[inline]
    pub(crate) fn expect(&mut self, byte: u8, what: &str) -> Result<(), WireError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(what))
        }
    }

    /// True when only whitespace is left.
    pub(crate) fn at_end(&mut self) -> bool {
        self.peek().is_none()
    }

    /// Enters an array or object (whose opening byte is next).
    #[inline]
    pub(crate) fn open(&mut self) -> Result<(), WireError> {
        if self.depth_left == 0 {
            return Err(self.error("nesting too deep"));
        }
        self.depth_left -= 1;
        self.pos += 1;
        Ok(())
    }

    /// Leaves an array or object, consuming its closing `close` byte.
    #[inline]
    pub(crate) fn close(&mut self, close: u8) -> Result<(), WireError> {
        self.expect(close, if close == b']' { "`]`" } else { "`}`" })?;
        self.depth_left += 1;
        Ok(())
    }

    /// Reads a string whose opening quote is next.
    #[inline(always)]
    pub(crate) fn string(&mut self) -> Result<Str<'de, '_>, WireError> {
        let bytes = self.text.as_bytes();
        let start = self.pos + 1;
        let rest = bytes.get(start..).unwrap_or_default();
        let Some(len) = find_special(rest) else {
            self.pos = bytes.len();
            return Err(self.error("unterminated string"));
        };
        let end = start + len;
        if bytes[end] == b'"' {
            self.pos = end + 1;
            return match self.text.get(start..end) {
                Some(s) => Ok(Str::Borrowed(s)),
                None => Err(self.error("string not on character boundaries")),
            };
        }
        self.pos = end;
        if bytes[end] < 0x20 {
            return Err(self.error("control character in string"));
        }
        self.escaped(start)
    }

    /// The rest of a string from its first backslash (at `pos`), the text
    /// since `start` having been checked already.
    #[cold]
    fn escaped(&mut self, start: usize) -> Result<Str<'de, '_>, WireError> {
        let bytes = self.text.as_bytes();
        self.scratch.clear();
        let mut chunk = start;
        loop {
            // Here `pos` is at a quote or a backslash, and
            // `chunk..pos` is plain text to keep.
            let plain = self.text.get(chunk..self.pos).ok_or_else(|| self.error("bad string"))?;
            self.scratch.push_str(plain);
            match bytes.get(self.pos) {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Str::Copied(&self.scratch));
                }
                Some(b'\\') => {}
                _ => return Err(self.error("control character in string")),
            }
            self.pos += 1;
            let c = match bytes.get(self.pos) {
                Some(b'"') => '"',
                Some(b'\\') => '\\',
                Some(b'/') => '/',
                Some(b'b') => '\u{8}',
                Some(b'f') => '\u{c}',
                Some(b'n') => '\n',
                Some(b'r') => '\r',
                Some(b't') => '\t',
                Some(b'u') => {
                    self.pos += 1;
                    let c = self.unicode_escape()?;
                    self.pos -= 1;
                    c
                }
                _ => return Err(self.error("invalid escape")),
            };
            self.scratch.push(c);
            self.pos += 1;
            chunk = self.pos;
            let rest = bytes.get(self.pos..).unwrap_or_default();
            let Some(len) = find_special(rest) else {
                self.pos = bytes.len();
                return Err(self.error("unterminated string"));
            };
            self.pos += len;
        }
    }

    /// Decodes the `XXXX` of a `\u` escape at `pos` (and the low half of
    /// a surrogate pair after it), leaving `pos` just past the escape.
    fn unicode_escape(&mut self) -> Result<char, WireError> {
        let high = self.hex4()?;
        let code = match high {
            0xD800..=0xDBFF => {
                if self.text.as_bytes().get(self.pos..self.pos + 2) != Some(b"\\u") {
                    return Err(self.error("lone leading surrogate in \\u escape"));
                }
                self.pos += 2;
                let low = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&low) {
                    return Err(self.error("lone leading surrogate in \\u escape"));
                }
                0x10000 + ((u32::from(high) - 0xD800) << 10) + (u32::from(low) - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(self.error("lone trailing surrogate in \\u escape")),
            other => u32::from(other),
        };
        char::from_u32(code).ok_or_else(|| self.error("invalid \\u escape"))
    }

    fn hex4(&mut self) -> Result<u16, WireError> {
        let digits =
            self.text.as_bytes().get(self.pos..self.pos + 4).ok_or_else(|| self.error("truncated \\u escape"))?;
        let mut v = 0u16;
        for &d in digits {
            let n = (d as char).to_digit(16).ok_or_else(|| self.error("invalid \\u escape"))?;
            v = v << 4 | n as u16;
        }
        self.pos += 4;
        Ok(v)
    }

    /// Reads the literal `word` (`true`, `false`, `null`) that is next.
    #[inline]
    pub(crate) fn literal(&mut self, word: &[u8]) -> Result<(), WireError> {
        if self.text.as_bytes().get(self.pos..self.pos + word.len()) == Some(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(self.error("invalid literal"))
        }
    }

    /// Reads `NaN`, `Infinity` or `-Infinity` if one is next, returning
    /// its text. Servers built on Python's `json` module write these bare
    /// words for non-finite floats; they are read as if quoted.
    pub(crate) fn non_finite(&mut self) -> Option<&'de str> {
        let rest = self.text.get(self.pos..)?;
        let word = ["NaN", "Infinity", "-Infinity"].into_iter().find(|w| rest.starts_with(w))?;
        self.pos += word.len();
        self.saw_non_finite = true;
        Some(&rest[..word.len()])
    }

    /// Reads a number that starts at `pos` (with `-` or a digit).
    #[inline]
    pub(crate) fn number(&mut self) -> Result<Number, WireError> {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        let negative = bytes.get(start) == Some(&b'-');
        let mut i = start + usize::from(negative);
        let int_start = i;
        match bytes.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                while bytes.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
            }
            _ => return Err(self.error("invalid number")),
        }
        let int_end = i;
        let mut fraction = false;
        if bytes.get(i) == Some(&b'.') {
            i = digits_after(bytes, i + 1).ok_or_else(|| self.error("invalid number"))?;
            fraction = true;
        }
        if matches!(bytes.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(bytes.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            i = digits_after(bytes, i).ok_or_else(|| self.error("invalid number"))?;
            fraction = true;
        }
        if bytes.get(i).is_some_and(u8::is_ascii_digit) {
            // A digit right after a leading zero.
            return Err(self.error("invalid number"));
        }
        self.pos = i;
        if !fraction {
            if let Some(n) = integer(&bytes[int_start..int_end]) {
                return Ok(if !negative {
                    Number::U64(n)
                } else {
                    match (n as i64).wrapping_neg() {
                        // `-0` and magnitudes beyond i64 are floats.
                        neg if neg >= 0 => Number::F64(-(n as f64)),
                        neg => Number::I64(neg),
                    }
                });
            }
        }
        // The text is a valid JSON number, which Rust's parser reads
        // correctly rounded, as serde_json's `float_roundtrip` does.
        match self.text.get(start..i).and_then(|t| t.parse::<f64>().ok()) {
            Some(v) if v.is_finite() => Ok(Number::F64(v)),
            _ => {
                self.pos = start;
                Err(self.error("number out of range"))
            }
        }
    }

    /// Skips one value of any kind.
    pub(crate) fn skip(&mut self) -> Result<(), WireError> {
        match self.peek() {
            Some(b'"') => self.string().map(drop),
            Some(b'{') => {
                self.open()?;
                if self.peek() != Some(b'}') {
                    loop {
                        if self.peek() != Some(b'"') {
                            return Err(self.error("expected a member name"));
                        }
                        self.string()?;
                        self.expect(b':', "`:`")?;
                        self.skip()?;
                        if self.peek() != Some(b',') {
                            break;
                        }
                        self.pos += 1;
                    }
                }
                self.close(b'}')
            }
            Some(b'[') => {
                self.open()?;
                if self.peek() != Some(b']') {
                    loop {
                        self.skip()?;
                        if self.peek() != Some(b',') {
                            break;
                        }
                        self.pos += 1;
                    }
                }
                self.close(b']')
            }
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(b'N' | b'I') => self.word(),
            Some(b'-') if self.text.as_bytes().get(self.pos + 1) == Some(&b'I') => self.word(),
            Some(b'-' | b'0'..=b'9') => self.number().map(drop),
            Some(_) => Err(self.error("expected a value")),
            None => Err(self.error("input ended where a value was expected")),
        }
    }

    fn word(&mut self) -> Result<(), WireError> {
        match self.non_finite() {
            Some(_) => Ok(()),
            None => Err(self.error("expected a value")),
        }
    }
}

/// The index after the digits starting at `i`, or `None` if there is
/// none.
fn digits_after(bytes: &[u8], mut i: usize) -> Option<usize> {
    let first = i;
    while bytes.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    (i > first).then_some(i)
}

/// The value of a run of decimal digits, or `None` when it exceeds u64.
#[inline]
fn integer(digits: &[u8]) -> Option<u64> {
    if digits.len() <= 19 {
        // At most 19 digits always fit.
        return Some(digits.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0')));
    }
    digits.iter().try_fold(0u64, |n, d| n.checked_mul(10)?.checked_add(u64::from(d - b'0')))
}

/// Where the first byte that ends a run of plain string text is: a
/// quote, a backslash or a control character.
#[inline]
pub(crate) fn find_special(bytes: &[u8]) -> Option<usize> {
    crate::scan::find(bytes, crate::scan::JSON_STRING)
}

#[cfg(test)]
mod tests {
    use super::find_special;

    #[test]
    fn find_special_finds_the_first_quote_backslash_or_control_byte() {
        for len in 0..40 {
            for at in 0..len {
                for special in [b'"', b'\\', 0x00, 0x1f, b'\n'] {
                    // Bytes on both sides of the special ones, high ones too.
                    let mut text: Vec<u8> = (0..len).map(|i| [b'a', 0x20, 0x7f, 0xc3, 0x21, 0x5d][i % 6]).collect();
                    text[at] = special;
                    if at + 1 < len {
                        text[at + 1] = b'"';
                    }
                    assert_eq!(find_special(&text), Some(at), "{text:?}");
                }
            }
            let plain: Vec<u8> = (0..len).map(|i| [b'z', 0x20, 0xff, 0x80, 0x23, 0x5b][i % 6]).collect();
            assert_eq!(find_special(&plain), None, "{plain:?}");
        }
    }
}
