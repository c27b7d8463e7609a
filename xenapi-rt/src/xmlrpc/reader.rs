//! A small XML tokenizer specialised for XML-RPC, working on a `&str`.
//!
//! It hands out start tags, end tags and text, merging adjacent text, CDATA
//! sections and entity references into one text token (borrowed from the
//! input when nothing had to be rewritten). Element names are mapped to the
//! small set XML-RPC uses; end tags must match their start tags; comments
//! and processing instructions are skipped; DOCTYPEs and unknown entities
//! are refused; line ends in text are normalised as XML 1.0 requires; and
//! the depth, element-count and text-length limits are enforced. Characters
//! XML 1.0 does not allow (U+0001, U+FFFF, ...: see `crate::xml_chars`)
//! are refused, raw or as character references. Attributes are tolerated
//! and ignored (XML-RPC has none).
//!
//! Besides the general [`next`](XmlReader::next), a few fast paths read the
//! shapes that make up nearly every document (`<member><name>k</name>`,
//! `<value><string>v</string></value>`, known start and end tags) by
//! comparing bytes in place. Each one either consumes exactly what the
//! general path would have, with the same bookkeeping, or consumes nothing
//! and leaves the input to the general path (which then reports any error).
//! Everything above this layer walks the document iteratively or with
//! recursion bounded by the depth limit.

use std::borrow::Cow;

use memchr::{memchr, memmem};

use crate::error::check_utf8;
use crate::{xml_chars, Limits, WireError};

/// The element names XML-RPC uses; anything else is `Other`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tag {
    MethodCall,
    MethodName,
    MethodResponse,
    Params,
    Param,
    Fault,
    Value,
    String,
    I4,
    Int,
    I8,
    Double,
    Boolean,
    DateTime,
    Base64,
    Nil,
    Array,
    Data,
    Struct,
    Member,
    Name,
    Other,
}

impl Tag {
    fn from_name(name: &str) -> Tag {
        match name {
            "methodCall" => Tag::MethodCall,
            "methodName" => Tag::MethodName,
            "methodResponse" => Tag::MethodResponse,
            "params" => Tag::Params,
            "param" => Tag::Param,
            "fault" => Tag::Fault,
            "value" => Tag::Value,
            "string" => Tag::String,
            "i4" => Tag::I4,
            "int" => Tag::Int,
            "i8" => Tag::I8,
            "double" => Tag::Double,
            "boolean" => Tag::Boolean,
            "dateTime.iso8601" => Tag::DateTime,
            "base64" => Tag::Base64,
            "nil" => Tag::Nil,
            "array" => Tag::Array,
            "data" => Tag::Data,
            "struct" => Tag::Struct,
            "member" => Tag::Member,
            "name" => Tag::Name,
            _ => Tag::Other,
        }
    }

    #[inline]
    pub(crate) fn name(self) -> &'static str {
        match self {
            Tag::MethodCall => "methodCall",
            Tag::MethodName => "methodName",
            Tag::MethodResponse => "methodResponse",
            Tag::Params => "params",
            Tag::Param => "param",
            Tag::Fault => "fault",
            Tag::Value => "value",
            Tag::String => "string",
            Tag::I4 => "i4",
            Tag::Int => "int",
            Tag::I8 => "i8",
            Tag::Double => "double",
            Tag::Boolean => "boolean",
            Tag::DateTime => "dateTime.iso8601",
            Tag::Base64 => "base64",
            Tag::Nil => "nil",
            Tag::Array => "array",
            Tag::Data => "data",
            Tag::Struct => "struct",
            Tag::Member => "member",
            Tag::Name => "name",
            Tag::Other => "an unknown element",
        }
    }

    /// Whether the element counts against [`Limits::max_depth`].
    #[inline]
    fn is_container(self) -> bool {
        matches!(self, Tag::Array | Tag::Struct)
    }
}

/// One step through the document.
#[derive(Debug)]
pub(crate) enum Tok<'de> {
    Start(Tag),
    End(Tag),
    Text(Cow<'de, str>),
    Eof,
}

impl Tok<'_> {
    pub(crate) fn describe(&self) -> String {
        match self {
            Tok::Start(t) => format!("<{}>", t.name()),
            Tok::End(t) => format!("</{}>", t.name()),
            Tok::Text(t) => {
                let mut s: String = t.chars().take(40).collect();
                if s.len() < t.len() {
                    s.push_str("...");
                }
                format!("text {s:?}")
            }
            Tok::Eof => "end of input".into(),
        }
    }
}

pub(crate) struct XmlReader<'de> {
    input: &'de str,
    pos: usize,
    /// The open elements with their names, innermost last.
    stack: Vec<(Tag, &'de str)>,
    /// The last start tag was an empty-element tag (`<x/>`); its end tag is
    /// handed out next.
    empty_pending: bool,
    /// Byte span of the last start or end token returned.
    span: (usize, usize),
    max_depth: usize,
    /// Open `<array>`s and `<struct>`s.
    containers: usize,
    max_containers: usize,
    elements: usize,
    limits: Limits,
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

impl<'de> XmlReader<'de> {
    /// A reader over `input`; `envelope_containers` arrays/structs of the
    /// protocol envelope are allowed on top of [`Limits::max_depth`].
    pub(crate) fn new(input: &'de [u8], limits: &Limits, envelope_containers: usize) -> Result<Self, WireError> {
        let input = check_utf8(input)?;
        if let Some((at, c)) = xml_chars::find_raw(input) {
            return Err(WireError::Xml {
                pos: at as u64,
                msg: format!("{} is not a character XML allows", xml_chars::code_point(c)),
            });
        }
        Ok(XmlReader {
            input,
            pos: 0,
            stack: Vec::with_capacity(16),
            empty_pending: false,
            span: (0, 0),
            max_depth: limits.xml_element_depth(),
            containers: 0,
            max_containers: limits.max_depth.saturating_add(envelope_containers),
            elements: 0,
            limits: *limits,
        })
    }

    /// Byte span of the most recent start or end token.
    #[cfg(feature = "xml-rpc")]
    pub(crate) fn last_span(&self) -> (usize, usize) {
        self.span
    }

    #[inline(always)]
    fn bytes(&self) -> &'de [u8] {
        self.input.as_bytes()
    }

    #[inline(always)]
    fn rest(&self) -> &'de [u8] {
        &self.bytes()[self.pos..]
    }

    fn xml_error(&self, pos: usize, msg: impl Into<String>) -> WireError {
        WireError::Xml { pos: pos as u64, msg: msg.into() }
    }

    fn check_text_len(&self, len: usize) -> Result<(), WireError> {
        if len > self.limits.max_string_len {
            Err(WireError::StringTooLong(self.limits.max_string_len))
        } else {
            Ok(())
        }
    }

    fn push_text(&self, acc: &mut Option<Cow<'de, str>>, piece: Cow<'de, str>) -> Result<(), WireError> {
        match acc {
            None => *acc = Some(piece),
            Some(existing) => existing.to_mut().push_str(&piece),
        }
        self.check_text_len(acc.as_ref().map_or(0, |s| s.len()))
    }

    /// Opens element `name` whose start tag spans `start..end`, applying
    /// the limits.
    fn open(&mut self, name: &'de str, start: usize, end: usize) -> Result<Tag, WireError> {
        self.open_known(Tag::from_name(name), name, start, end)
    }

    /// [`open`](Self::open) for a caller that knows the tag of `name`
    /// already (the fast paths, which matched it).
    #[inline(always)]
    fn open_known(&mut self, tag: Tag, name: &'de str, start: usize, end: usize) -> Result<Tag, WireError> {
        if self.stack.len() + 1 > self.max_depth {
            return Err(WireError::TooDeep(self.limits.max_depth));
        }
        self.elements += 1;
        if self.elements > self.limits.max_elements {
            return Err(WireError::TooManyElements(self.limits.max_elements));
        }
        if tag.is_container() {
            self.containers += 1;
            if self.containers > self.max_containers {
                return Err(WireError::TooDeep(self.limits.max_depth));
            }
        }
        self.stack.push((tag, name));
        self.span = (start, end);
        self.pos = end;
        Ok(tag)
    }

    /// Closes the innermost element, whose end tag spans `start..end`.
    #[inline]
    fn close(&mut self, tag: Tag, start: usize, end: usize) {
        self.stack.pop();
        if tag.is_container() {
            self.containers = self.containers.saturating_sub(1);
        }
        self.span = (start, end);
        self.pos = end;
    }

    /// The next token, merging runs of text.
    pub(crate) fn next(&mut self) -> Result<Tok<'de>, WireError> {
        if self.empty_pending {
            self.empty_pending = false;
            let tag = self.stack.last().map_or(Tag::Other, |&(t, _)| t);
            self.close(tag, self.pos, self.pos);
            return Ok(Tok::End(tag));
        }
        let mut text: Option<Cow<'de, str>> = None;
        loop {
            let b = self.bytes();
            let Some(&c) = b.get(self.pos) else {
                if let Some(t) = text {
                    return Ok(Tok::Text(t));
                }
                return if self.stack.is_empty() {
                    Ok(Tok::Eof)
                } else {
                    Err(WireError::Truncated("an unclosed element"))
                };
            };
            if c != b'<' {
                let piece = self.char_data()?;
                self.push_text(&mut text, piece)?;
                continue;
            }
            match b.get(self.pos + 1) {
                Some(b'!') => {
                    let rest = self.rest();
                    if rest.starts_with(b"<!--") {
                        self.skip_past(4, b"-->", "an unclosed comment")?;
                    } else if rest.starts_with(b"<![CDATA[") {
                        let piece = self.cdata()?;
                        self.push_text(&mut text, piece)?;
                    } else if rest.len() >= 9 && rest[2..9].eq_ignore_ascii_case(b"DOCTYPE") {
                        return Err(WireError::DocType);
                    } else {
                        return Err(self.xml_error(self.pos, "unknown markup declaration"));
                    }
                }
                Some(b'?') => {
                    // `<?>` is not a processing instruction closed at once.
                    if b.get(self.pos + 2) == Some(&b'>') {
                        return Err(self.xml_error(self.pos, "a malformed processing instruction"));
                    }
                    self.skip_past(2, b"?>", "an unclosed processing instruction")?
                }
                next => {
                    if let Some(t) = text {
                        return Ok(Tok::Text(t));
                    }
                    return if next == Some(&b'/') { self.end_tag() } else { self.start_tag() };
                }
            }
        }
    }

    /// Skips markup that starts at `pos` and ends with `terminator`, whose
    /// search starts `skip` bytes in.
    fn skip_past(&mut self, skip: usize, terminator: &[u8], what: &'static str) -> Result<(), WireError> {
        let from = self.pos + skip;
        match memmem::find(&self.bytes()[from..], terminator) {
            Some(i) => {
                self.pos = from + i + terminator.len();
                Ok(())
            }
            None => Err(self.xml_error(self.pos, format!("{what} runs to the end"))),
        }
    }

    fn start_tag(&mut self) -> Result<Tok<'de>, WireError> {
        let start = self.pos;
        let b = self.bytes();
        let content_start = start + 1;
        // The tag runs to the first `>` outside quoted attribute values.
        let mut i = content_start;
        let mut quote: Option<u8> = None;
        loop {
            let Some(&c) = b.get(i) else {
                return Err(self.xml_error(start, "an unclosed start tag"));
            };
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None => match c {
                    b'"' | b'\'' => quote = Some(c),
                    b'>' => break,
                    _ => {}
                },
            }
            i += 1;
        }
        let content = &self.input[content_start..i];
        let (content, empty) = match content.strip_suffix('/') {
            Some(c) => (c, true),
            None => (content, false),
        };
        // The name runs to the first whitespace; attributes are ignored.
        let name_len = content.bytes().position(is_space).unwrap_or(content.len());
        if name_len == 0 {
            return Err(self.xml_error(start, "a start tag without a name"));
        }
        let name = &content[..name_len];
        let tag = self.open(name, start, i + 1)?;
        self.empty_pending = empty;
        Ok(Tok::Start(tag))
    }

    fn end_tag(&mut self) -> Result<Tok<'de>, WireError> {
        let start = self.pos;
        let b = self.bytes();
        let name_start = start + 2;
        let mut i = name_start;
        while i < b.len() && !is_space(b[i]) && b[i] != b'>' {
            i += 1;
        }
        let name = &self.input[name_start..i];
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        if b.get(i) != Some(&b'>') {
            return Err(self.xml_error(start, "an unclosed end tag"));
        }
        match self.stack.last() {
            Some(&(_, open)) if open == name => {}
            Some(&(_, open)) => return Err(self.xml_error(start, format!("expecting </{open}> but found </{name}>"))),
            None => return Err(self.xml_error(start, format!("unmatched end tag </{name}>"))),
        }
        let tag = Tag::from_name(name);
        self.close(tag, start, i + 1);
        Ok(Tok::End(tag))
    }

    /// Character data from `pos` up to the next `<`, with entity and
    /// character references resolved and line ends normalised.
    fn char_data(&mut self) -> Result<Cow<'de, str>, WireError> {
        let b = self.bytes();
        let start = self.pos;
        let stop = find_markup(&b[start..]).map_or(b.len(), |i| start + i);
        if stop == b.len() || b[stop] == b'<' {
            self.pos = stop;
            return Ok(Cow::Borrowed(&self.input[start..stop]));
        }
        // Resolving references and line ends only shortens the text, so
        // the text up to the next tag bounds it: one block, never grown.
        let text_end = memchr(b'<', &b[stop..]).map_or(b.len(), |k| stop + k);
        let mut out = String::with_capacity(text_end - start);
        out.push_str(&self.input[start..stop]);
        let mut i = stop;
        while i < b.len() {
            match b[i] {
                b'<' => break,
                b'&' => {
                    let (c, next) = self.reference(i)?;
                    out.push(c);
                    i = next;
                }
                b'\r' => {
                    out.push('\n');
                    i += 1;
                    if b.get(i) == Some(&b'\n') {
                        i += 1;
                    }
                }
                _ => {
                    let end = find_markup(&b[i..]).map_or(b.len(), |k| i + k);
                    out.push_str(&self.input[i..end]);
                    i = end;
                }
            }
            self.check_text_len(out.len())?;
        }
        self.pos = i;
        Ok(Cow::Owned(out))
    }

    /// Resolves the reference starting with the `&` at `at`; returns the
    /// character and the position after the `;`.
    #[inline]
    fn reference(&self, at: usize) -> Result<(char, usize), WireError> {
        let b = self.bytes();
        // The five predefined entities, by far the most common, straight
        // from their bytes.
        let after = b.get(at + 1..).unwrap_or_default();
        for (name, c) in PREDEFINED {
            if after.get(name.len()) == Some(&b';') && after.starts_with(name.as_bytes()) {
                return Ok((c, at + 2 + name.len()));
            }
        }
        // The references XML knows are short; anything longer than this
        // window is not one of them.
        let window = &b[at + 1..b.len().min(at + 1 + 64)];
        let len = match memchr(b';', window) {
            Some(len) if !window[..len].iter().any(|&c| c == b'&' || c == b'<' || is_space(c)) => len,
            _ => return Err(self.xml_error(at, "an unterminated entity reference")),
        };
        let name = &self.input[at + 1..at + 1 + len];
        let c = resolve_ref(name)?;
        Ok((c, at + 2 + len))
    }

    fn cdata(&mut self) -> Result<Cow<'de, str>, WireError> {
        let from = self.pos + 9;
        let Some(len) = memmem::find(&self.bytes()[from..], b"]]>") else {
            return Err(self.xml_error(self.pos, "an unclosed CDATA section runs to the end"));
        };
        let content = &self.input[from..from + len];
        self.pos = from + len + 3;
        Ok(normalize_line_ends(content))
    }

    /// The next token that is not whitespace-only text.
    pub(crate) fn next_significant(&mut self) -> Result<Tok<'de>, WireError> {
        loop {
            match self.next()? {
                Tok::Text(t) if is_blank(&t) => continue,
                tok => return Ok(tok),
            }
        }
    }

    /// If `<name>` of `tag` follows right away, consumes it.
    #[inline(always)]
    fn try_start(&mut self, tag: Tag) -> Result<bool, WireError> {
        if self.empty_pending || tag == Tag::Other {
            return Ok(false);
        }
        let name = tag.name();
        let rest = self.rest();
        let n = name.len();
        if rest.len() > n + 1 && rest[0] == b'<' && rest[n + 1] == b'>' && &rest[1..n + 1] == name.as_bytes() {
            let start = self.pos;
            self.open_known(tag, name, start, start + n + 2)?;
            return Ok(true);
        }
        Ok(false)
    }

    /// If `</name>` of `tag` follows right away and closes the innermost
    /// element, consumes it.
    #[inline(always)]
    fn try_end(&mut self, tag: Tag) -> bool {
        if self.empty_pending || tag == Tag::Other {
            return false;
        }
        let name = tag.name();
        let rest = self.rest();
        let n = name.len();
        if rest.len() > n + 2
            && rest[0] == b'<'
            && rest[1] == b'/'
            && rest[n + 2] == b'>'
            && &rest[2..n + 2] == name.as_bytes()
            && self.stack.last().map(|&(t, _)| t) == Some(tag)
        {
            let start = self.pos;
            self.close(tag, start, start + n + 3);
            return true;
        }
        false
    }

    /// Consumes the start tag `tag`, skipping whitespace before it.
    #[inline]
    pub(crate) fn expect_start(&mut self, tag: Tag) -> Result<(), WireError> {
        if self.try_start(tag)? {
            return Ok(());
        }
        self.expect_start_slow(tag)
    }

    #[inline(never)]
    fn expect_start_slow(&mut self, tag: Tag) -> Result<(), WireError> {
        match self.next_significant()? {
            Tok::Start(t) if t == tag => Ok(()),
            other => Err(unexpected(tag_start_name(tag), &other)),
        }
    }

    /// Consumes the end tag `tag`, skipping whitespace before it.
    #[inline]
    pub(crate) fn expect_end(&mut self, tag: Tag) -> Result<(), WireError> {
        if self.try_end(tag) {
            return Ok(());
        }
        self.expect_end_slow(tag)
    }

    #[inline(never)]
    fn expect_end_slow(&mut self, tag: Tag) -> Result<(), WireError> {
        match self.next_significant()? {
            Tok::End(t) if t == tag => Ok(()),
            other => Err(unexpected(tag_end_name(tag), &other)),
        }
    }

    /// Fast path for the next item of an array: consumes `<value>` (returns
    /// `Some(true)`) or `</data>` (returns `Some(false)`) when one follows
    /// right away, otherwise consumes nothing and returns `None`.
    #[inline(always)]
    pub(crate) fn try_array_item(&mut self) -> Result<Option<bool>, WireError> {
        if self.try_start(Tag::Value)? {
            return Ok(Some(true));
        }
        if self.try_end(Tag::Data) {
            return Ok(Some(false));
        }
        Ok(None)
    }

    /// Fast path for a struct member written without whitespace, comments,
    /// CDATA or references in its name: consumes
    /// `<member><name>NAME</name><value>` and returns NAME, leaving the
    /// member and its value open. Otherwise consumes nothing.
    #[inline(always)]
    pub(crate) fn try_member_name(&mut self) -> Result<Option<&'de str>, WireError> {
        const OPEN: &[u8] = b"<member><name>";
        const CLOSE: &[u8] = b"</name><value>";
        if self.empty_pending || !self.rest().starts_with(OPEN) {
            return Ok(None);
        }
        let b = self.bytes();
        let text_start = self.pos + OPEN.len();
        let Some(len) = find_markup(&b[text_start..]) else {
            return Ok(None);
        };
        let text_end = text_start + len;
        if b[text_end] != b'<' || !b[text_end..].starts_with(CLOSE) {
            return Ok(None);
        }
        // Leave anything that would hit a limit to the general path,
        // which reports it.
        if self.stack.len() + 2 > self.max_depth
            || self.elements + 3 > self.limits.max_elements
            || len > self.limits.max_string_len
        {
            return Ok(None);
        }
        self.elements += 3;
        self.stack.push((Tag::Member, "member"));
        self.stack.push((Tag::Value, "value"));
        let value_start = text_end + CLOSE.len() - b"<value>".len();
        self.span = (value_start, text_end + CLOSE.len());
        self.pos = text_end + CLOSE.len();
        Ok(Some(&self.input[text_start..text_end]))
    }

    /// Fast path right after a `<value>` start tag, for a scalar written
    /// without whitespace, comments, CDATA or references:
    /// `<TYPE>text</TYPE></value>` for the XML-RPC scalar types, or
    /// `text</value>`. Consumes it through `</value>` and returns the type
    /// element (`Tag::Value` when there is none) and the text. Otherwise
    /// consumes nothing.
    #[inline(always)]
    pub(crate) fn try_scalar(&mut self) -> Result<Option<(Tag, &'de str)>, WireError> {
        if self.empty_pending || self.stack.last().map(|&(t, _)| t) != Some(Tag::Value) {
            return Ok(None);
        }
        let rest = self.rest();
        // Each arm passes its literals as constants, so the comparisons
        // compile to a few word compares.
        if rest.first() != Some(&b'<') {
            return self.scalar_shape(Tag::Value, b"", b"</value>");
        }
        match rest.get(1) {
            Some(b's') => self.scalar_shape(Tag::String, b"<string>", b"</string></value>"),
            Some(b'd') if rest.get(2) == Some(&b'o') => {
                self.scalar_shape(Tag::Double, b"<double>", b"</double></value>")
            }
            Some(b'd') => self.scalar_shape(Tag::DateTime, b"<dateTime.iso8601>", b"</dateTime.iso8601></value>"),
            Some(b'b') => self.scalar_shape(Tag::Boolean, b"<boolean>", b"</boolean></value>"),
            Some(b'i') => match rest.get(2) {
                Some(b'n') => self.scalar_shape(Tag::Int, b"<int>", b"</int></value>"),
                Some(b'4') => self.scalar_shape(Tag::I4, b"<i4>", b"</i4></value>"),
                _ => self.scalar_shape(Tag::I8, b"<i8>", b"</i8></value>"),
            },
            _ => Ok(None),
        }
    }

    /// [`try_scalar`](Self::try_scalar) for one shape: `open`, text without
    /// markup, `close` (which ends with `</value>`).
    #[inline(always)]
    fn scalar_shape(
        &mut self,
        tag: Tag,
        open: &'static [u8],
        close: &'static [u8],
    ) -> Result<Option<(Tag, &'de str)>, WireError> {
        let b = self.bytes();
        if !b[self.pos..].starts_with(open) {
            return Ok(None);
        }
        let text_start = self.pos + open.len();
        let Some(len) = find_markup(&b[text_start..]) else {
            return Ok(None);
        };
        let text_end = text_start + len;
        if !b[text_end..].starts_with(close) {
            return Ok(None);
        }
        let typed = !open.is_empty();
        if typed && (self.stack.len() + 1 > self.max_depth || self.elements + 1 > self.limits.max_elements) {
            return Ok(None);
        }
        self.check_text_len(len)?;
        if typed {
            self.elements += 1;
        }
        self.stack.pop();
        let end = text_end + close.len();
        self.span = (end - 8, end);
        self.pos = end;
        Ok(Some((tag, &self.input[text_start..text_end])))
    }

    /// Fast path right after a `<value>` start tag for `<struct>` and
    /// `<array><data>`: consumes them and returns the container's tag, or
    /// consumes nothing.
    #[inline(always)]
    pub(crate) fn try_container(&mut self) -> Result<Option<Tag>, WireError> {
        if self.try_start(Tag::Struct)? {
            return Ok(Some(Tag::Struct));
        }
        if self.rest().starts_with(b"<array><data>") {
            self.try_start(Tag::Array)?;
            self.try_start(Tag::Data)?;
            return Ok(Some(Tag::Array));
        }
        Ok(None)
    }

    /// Fast path for the end of a struct: consumes `</struct>` when it
    /// follows right away.
    #[inline(always)]
    pub(crate) fn try_struct_end(&mut self) -> bool {
        self.try_end(Tag::Struct)
    }

    /// Reads the text of an element whose start tag was just consumed,
    /// through its end tag. Nested elements are an error.
    pub(crate) fn text_until_end(&mut self, tag: Tag) -> Result<Cow<'de, str>, WireError> {
        match self.next()? {
            Tok::End(t) if t == tag => Ok(Cow::Borrowed("")),
            Tok::Text(s) => match self.next()? {
                Tok::End(t) if t == tag => Ok(s),
                other => Err(unexpected(tag_end_name(tag), &other)),
            },
            other => Err(unexpected("text", &other)),
        }
    }

    /// Skips the rest of an element whose start tag was just consumed,
    /// without recursion.
    pub(crate) fn skip_element(&mut self) -> Result<(), WireError> {
        let mut open = 1usize;
        loop {
            match self.next()? {
                Tok::Start(_) => open += 1,
                Tok::End(_) => {
                    open -= 1;
                    if open == 0 {
                        return Ok(());
                    }
                }
                Tok::Text(_) => {}
                Tok::Eof => return Err(WireError::Truncated("an element being skipped")),
            }
        }
    }

    /// Checks that only whitespace, comments and processing instructions
    /// follow the root element.
    pub(crate) fn expect_eof(&mut self) -> Result<(), WireError> {
        match self.next_significant()? {
            Tok::Eof => Ok(()),
            other => Err(unexpected("end of document", &other)),
        }
    }
}

/// The position of the first `<`, `&` or `\r` in `hay`: where plain text
/// ends.
#[inline]
fn find_markup(hay: &[u8]) -> Option<usize> {
    crate::scan::find(hay, crate::scan::XML_TEXT)
}

/// `\r\n` and lone `\r` become `\n`, as XML 1.0 requires of parsed text.
fn normalize_line_ends(s: &str) -> Cow<'_, str> {
    if !s.contains('\r') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            out.push('\n');
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

pub(crate) fn is_blank(s: &str) -> bool {
    s.bytes().all(is_space)
}

pub(crate) fn unexpected(expected: &'static str, found: &Tok<'_>) -> WireError {
    match found {
        Tok::Eof => WireError::Truncated(expected),
        other => WireError::Unexpected { expected, found: other.describe() },
    }
}

fn tag_start_name(tag: Tag) -> &'static str {
    match tag {
        Tag::MethodCall => "<methodCall>",
        Tag::MethodName => "<methodName>",
        Tag::MethodResponse => "<methodResponse>",
        Tag::Params => "<params>",
        Tag::Param => "<param>",
        Tag::Value => "<value>",
        Tag::Data => "<data>",
        Tag::Name => "<name>",
        Tag::Member => "<member>",
        _ => "a start tag",
    }
}

fn tag_end_name(tag: Tag) -> &'static str {
    match tag {
        Tag::MethodCall => "</methodCall>",
        Tag::MethodName => "</methodName>",
        Tag::MethodResponse => "</methodResponse>",
        Tag::Params => "</params>",
        Tag::Param => "</param>",
        Tag::Value => "</value>",
        Tag::Data => "</data>",
        Tag::Array => "</array>",
        Tag::Struct => "</struct>",
        Tag::Name => "</name>",
        Tag::Member => "</member>",
        Tag::Fault => "</fault>",
        _ => "an end tag",
    }
}

/// Resolves one of the five predefined entities or a character reference
/// (`#` decimal or `#x` hexadecimal; characters XML does not allow, such
/// as U+0000, U+0001 or U+FFFF, and non-characters are refused).
/// XML's predefined entities and the characters they stand for.
const PREDEFINED: [(&str, char); 5] = [("lt", '<'), ("gt", '>'), ("amp", '&'), ("quot", '"'), ("apos", '\'')];

fn resolve_ref(name: &str) -> Result<char, WireError> {
    let bad = || WireError::Entity(name.to_string());
    let c = match PREDEFINED.iter().find(|(n, _)| *n == name) {
        Some(&(_, c)) => c,
        None => {
            let Some(num) = name.strip_prefix('#') else {
                return Err(bad());
            };
            let (digits, radix) = match num.strip_prefix('x') {
                Some(hex) => (hex, 16),
                None => (num, 10),
            };
            if digits.is_empty() || !digits.bytes().all(|d| (d as char).is_digit(radix)) {
                return Err(bad());
            }
            let code = u32::from_str_radix(digits, radix).map_err(|_| bad())?;
            char::from_u32(code).filter(|&c| !xml_chars::is_forbidden(c)).ok_or_else(bad)?
        }
    };
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(doc: &str) -> Result<Vec<String>, WireError> {
        let mut r = XmlReader::new(doc.as_bytes(), &Limits::default(), 0)?;
        let mut out = Vec::new();
        loop {
            match r.next()? {
                Tok::Eof => return Ok(out),
                Tok::Start(t) => out.push(format!("<{}>", t.name())),
                Tok::End(t) => out.push(format!("</{}>", t.name())),
                Tok::Text(t) => out.push(format!("{t:?}")),
            }
        }
    }

    #[test]
    fn tokens_of_a_small_document() {
        let doc = "<?xml version=\"1.0\"?>\r\n<!-- c --><value a='>' b=\"x\"><string>a&amp;<![CDATA[<b>]]>\r\nc<!-- d -->e</string><nil/></value >\n";
        assert_eq!(
            tokens(doc).unwrap(),
            ["\"\\n\"", "<value>", "<string>", "\"a&<b>\\nce\"", "</string>", "<nil>", "</nil>", "</value>", "\"\\n\""]
        );
    }

    #[test]
    fn malformed_markup_is_an_error() {
        for doc in [
            "<value>x</valu>",
            "</value>",
            "<value",
            "<value x=\">\"",
            "< value></value>",
            "<value>&amp</value>",
            "<value><!-- x </value>",
            "<value><![CDATA[x</value>",
            "<value><?pi </value>",
            "<value><!ELEMENT x></value>",
            "<value>x</value x>",
        ] {
            assert!(tokens(doc).is_err(), "{doc}");
        }
        assert!(matches!(tokens("<!doctype x><value/>"), Err(WireError::DocType)));
        assert!(matches!(tokens("<value>"), Err(WireError::Truncated(_))));
    }

    #[test]
    fn find_markup_matches_a_plain_search() {
        for len in 0..80usize {
            for at in 0..=len {
                for c in [b'<', b'&', b'\r', b'a', 0xc3, 0x3b, 0x3d, 0x25, 0x0c, 0x0e] {
                    let mut v: Vec<u8> = (0..len).map(|i| b"xyz ;=%\x0b\x80\xff"[i % 10]).collect();
                    v.insert(at, c);
                    let want = v.iter().position(|&b| b == b'<' || b == b'&' || b == b'\r');
                    assert_eq!(find_markup(&v), want, "{v:?}");
                }
            }
        }
    }

    #[test]
    fn predefined_entities_decode_wherever_they_stand() {
        let all = [("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"), ("&quot;", "\""), ("&apos;", "'"), ("&#65;", "A")];
        for (raw, want) in all {
            for (before, after) in [("", ""), ("x", ""), ("", "y"), ("ab", "cd")] {
                let doc = format!("<string>{before}{raw}{after}</string>");
                let text = format!("{:?}", format!("{before}{want}{after}"));
                assert_eq!(tokens(&doc).unwrap(), ["<string>", text.as_str(), "</string>"], "{doc}");
            }
        }
        // Right before the end tag.
        assert_eq!(tokens("<name>&lt;</name>").unwrap(), ["<name>", "\"<\"", "</name>"]);
        assert_eq!(tokens("<name>x&gt;</name>").unwrap(), ["<name>", "\"x>\"", "</name>"]);
        // Cut short or unterminated: an error, as before.
        for cut in ["<a>&lt", "<a>&l", "<a>&", "<a>&quot", "<a>&amp", "<a>&lt</a>", "<a>&ampx;</a>"] {
            assert!(tokens(cut).is_err(), "{cut}");
        }
    }

    #[test]
    fn references() {
        for (name, want) in [("lt", '<'), ("#65", 'A'), ("#x42", 'B'), ("#x1F600", '😀'), ("#13", '\r')] {
            assert_eq!(resolve_ref(name).unwrap(), want, "{name}");
        }
        for name in ["", "#", "#x", "#0", "#x0", "#xD800", "#-1", "#+1", "#X41", "#x110000", "nbsp", "#99999999999"] {
            assert!(resolve_ref(name).is_err(), "{name}");
        }
        for code in (1u32..0x20).filter(|c| ![9, 10, 13].contains(c)).chain([0xFFFE, 0xFFFF]) {
            assert!(resolve_ref(&format!("#{code}")).is_err(), "{code}");
            assert!(resolve_ref(&format!("#x{code:X}")).is_err(), "{code}");
        }
        for raw in ["<value>\u{1}</value>", "<value>\u{FFFF}</value>", "<value \u{1F}/>"] {
            let err = XmlReader::new(raw.as_bytes(), &Limits::default(), 0).err();
            assert!(matches!(&err, Some(WireError::Xml { msg, .. }) if msg.contains("U+")), "{raw:?}: {err:?}");
        }
    }

    #[test]
    fn every_tag_is_found_again_from_its_name() {
        // The fast paths open elements by the tag they matched
        // (`open_known`); the general path finds it from the name.
        use Tag::*;
        let all = [
            MethodCall,
            MethodName,
            MethodResponse,
            Params,
            Param,
            Fault,
            Value,
            String,
            I4,
            Int,
            I8,
            Double,
            Boolean,
            DateTime,
            Base64,
            Nil,
            Array,
            Data,
            Struct,
            Member,
            Name,
        ];
        for tag in all {
            assert!(Tag::from_name(tag.name()) == tag, "{}", tag.name());
        }
    }

    #[test]
    fn fast_paths_consume_exactly_what_the_general_path_would() {
        let doc = "<value><struct><member><name>k</name><value><string>v</string></value></member>\
                   \n <member><name>n</name><value>7</value></member></struct></value>";
        let mut r = XmlReader::new(doc.as_bytes(), &Limits::default(), 0).unwrap();
        r.expect_start(Tag::Value).unwrap();
        assert!(matches!(r.next().unwrap(), Tok::Start(Tag::Struct)));
        assert_eq!(r.try_member_name().unwrap(), Some("k"));
        assert_eq!(r.try_scalar().unwrap(), Some((Tag::String, "v")));
        r.expect_end(Tag::Member).unwrap();
        // Whitespace before the member: left to the general path.
        assert_eq!(r.try_member_name().unwrap(), None);
        assert!(matches!(r.next_significant().unwrap(), Tok::Start(Tag::Member)));
        r.expect_start(Tag::Name).unwrap();
        assert_eq!(r.text_until_end(Tag::Name).unwrap(), "n");
        r.expect_start(Tag::Value).unwrap();
        assert_eq!(r.try_scalar().unwrap(), Some((Tag::Value, "7")));
        r.expect_end(Tag::Member).unwrap();
        r.expect_end(Tag::Struct).unwrap();
        r.expect_end(Tag::Value).unwrap();
        r.expect_eof().unwrap();
    }
}
