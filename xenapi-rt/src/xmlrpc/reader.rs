//! A thin token layer over `quick_xml`'s slice reader.
//!
//! It merges adjacent text, CDATA and entity references into one text
//! token (borrowed from the input when nothing had to be rewritten), maps
//! element names to the small set XML-RPC uses, refuses DOCTYPEs and
//! unknown entities, and enforces the depth, element-count and text-length
//! limits. Everything above it walks the document iteratively or with
//! recursion bounded by the depth limit.

use std::borrow::Cow;

use quick_xml::events::{BytesRef, Event};
use quick_xml::Reader;

use crate::error::check_utf8;
use crate::{Limits, WireError};

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
    inner: Reader<&'de [u8]>,
    /// An event read while merging text, to be handed out next, with the
    /// byte span it covered.
    pending: Option<(Event<'de>, usize, usize)>,
    /// Byte span of the last start or end token returned.
    span: (usize, usize),
    /// Open elements.
    depth: usize,
    max_depth: usize,
    /// Open `<array>`s and `<struct>`s.
    containers: usize,
    max_containers: usize,
    elements: usize,
    limits: Limits,
}

impl<'de> XmlReader<'de> {
    /// A reader over `input`; `envelope_containers` arrays/structs of the
    /// protocol envelope are allowed on top of [`Limits::max_depth`].
    pub(crate) fn new(
        input: &'de [u8],
        limits: &Limits,
        envelope_containers: usize,
    ) -> Result<Self, WireError> {
        let text = check_utf8(input)?;
        let mut inner = Reader::from_str(text);
        let config = inner.config_mut();
        config.expand_empty_elements = true;
        config.check_end_names = true;
        config.trim_text(false);
        Ok(XmlReader {
            inner,
            pending: None,
            span: (0, 0),
            depth: 0,
            max_depth: limits.xml_element_depth(),
            containers: 0,
            max_containers: limits.max_depth.saturating_add(envelope_containers),
            elements: 0,
            limits: *limits,
        })
    }

    /// Byte span of the most recent start or end token.
    pub(crate) fn last_span(&self) -> (usize, usize) {
        self.span
    }

    fn raw(&mut self) -> Result<(Event<'de>, usize, usize), WireError> {
        if let Some(p) = self.pending.take() {
            return Ok(p);
        }
        let start = self.inner.buffer_position() as usize;
        let ev = self.inner.read_event().map_err(|e| WireError::Xml {
            pos: self.inner.error_position(),
            msg: e.to_string(),
        })?;
        let end = self.inner.buffer_position() as usize;
        Ok((ev, start, end))
    }

    fn push_text(
        &mut self,
        acc: &mut Option<Cow<'de, str>>,
        piece: Cow<'de, str>,
    ) -> Result<(), WireError> {
        match acc {
            None => *acc = Some(piece),
            Some(existing) => existing.to_mut().push_str(&piece),
        }
        if acc.as_ref().map_or(0, |s| s.len()) > self.limits.max_string_len {
            return Err(WireError::StringTooLong(self.limits.max_string_len));
        }
        Ok(())
    }

    /// The next token, merging runs of text.
    pub(crate) fn next(&mut self) -> Result<Tok<'de>, WireError> {
        let mut text: Option<Cow<'de, str>> = None;
        loop {
            let (ev, start, end) = self.raw()?;
            match ev {
                Event::Text(t) => self.push_text(&mut text, t.xml10_content())?,
                Event::CData(t) => self.push_text(&mut text, t.xml10_content())?,
                Event::GeneralRef(r) => {
                    let c = resolve_ref(&r)?;
                    self.push_text(&mut text, Cow::Owned(c.to_string()))?;
                }
                Event::Comment(_) | Event::PI(_) | Event::Decl(_) => {}
                Event::DocType(_) => return Err(WireError::DocType),
                other => {
                    if let Some(t) = text {
                        self.pending = Some((other, start, end));
                        return Ok(Tok::Text(t));
                    }
                    self.span = (start, end);
                    return self.structural(other);
                }
            }
        }
    }

    fn structural(&mut self, ev: Event<'de>) -> Result<Tok<'de>, WireError> {
        match ev {
            Event::Start(s) => {
                self.depth += 1;
                if self.depth > self.max_depth {
                    return Err(WireError::TooDeep(self.limits.max_depth));
                }
                self.elements += 1;
                if self.elements > self.limits.max_elements {
                    return Err(WireError::TooManyElements(self.limits.max_elements));
                }
                let tag = Tag::from_name(s.name().as_ref());
                if matches!(tag, Tag::Array | Tag::Struct) {
                    self.containers += 1;
                    if self.containers > self.max_containers {
                        return Err(WireError::TooDeep(self.limits.max_depth));
                    }
                }
                Ok(Tok::Start(tag))
            }
            Event::End(e) => {
                self.depth = self.depth.saturating_sub(1);
                let tag = Tag::from_name(e.name().as_ref());
                if matches!(tag, Tag::Array | Tag::Struct) {
                    self.containers = self.containers.saturating_sub(1);
                }
                Ok(Tok::End(tag))
            }
            Event::Eof => {
                if self.depth > 0 {
                    Err(WireError::Truncated("an unclosed element"))
                } else {
                    Ok(Tok::Eof)
                }
            }
            // `expand_empty_elements` turns these into Start + End and the
            // text-like events are handled by the caller.
            other => Err(WireError::Unexpected {
                expected: "markup",
                found: format!("{other:?}"),
            }),
        }
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

    /// Consumes the start tag `tag`, skipping whitespace before it.
    pub(crate) fn expect_start(&mut self, tag: Tag) -> Result<(), WireError> {
        match self.next_significant()? {
            Tok::Start(t) if t == tag => Ok(()),
            other => Err(unexpected(tag_start_name(tag), &other)),
        }
    }

    /// Consumes the end tag `tag`, skipping whitespace before it.
    pub(crate) fn expect_end(&mut self, tag: Tag) -> Result<(), WireError> {
        match self.next_significant()? {
            Tok::End(t) if t == tag => Ok(()),
            other => Err(unexpected(tag_end_name(tag), &other)),
        }
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

pub(crate) fn is_blank(s: &str) -> bool {
    s.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

pub(crate) fn unexpected(expected: &'static str, found: &Tok<'_>) -> WireError {
    match found {
        Tok::Eof => WireError::Truncated(expected),
        other => WireError::Unexpected {
            expected,
            found: other.describe(),
        },
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

/// Resolves one of the five predefined entities or a character reference.
fn resolve_ref(r: &BytesRef<'_>) -> Result<char, WireError> {
    let name: &str = r;
    let c = match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ if r.is_char_ref() => match r.resolve_char_ref() {
            Ok(Some(c)) => c,
            _ => return Err(WireError::Entity(name.to_string())),
        },
        _ => return Err(WireError::Entity(name.to_string())),
    };
    Ok(c)
}
