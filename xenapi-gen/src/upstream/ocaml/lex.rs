//! An OCaml lexer for the subset of the language xapi's data model files use.
//!
//! Comments nest and may hold string literals (a `"*)"` inside a comment's
//! string does not end it); string escapes, `{|..|}` and `{id|..|id}`
//! quoted strings, character literals, type variables, labels (`~x:`,
//! `?x:`), operators and numbers are all recognised. Attributes
//! (`[@@deriving rpc]`, `[@@@ocaml.warning ..]`) are dropped here: they do
//! not change what a value is.

use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// A lowercase identifier or a keyword (`let`, `match`, ...).
    Ident(String),
    /// A capitalised identifier: a module or a constructor.
    UIdent(String),
    /// `~name:` (the colon is part of the token).
    Label(String),
    /// `?name:` (the colon is part of the token).
    OptLabel(String),
    Int(i64),
    Float(f64),
    Str(String),
    Char(char),
    /// `'a` in a type.
    TyVar(String),
    /// `` ` ``: a polymorphic variant follows.
    Backtick,
    /// Punctuation and operators: `(`, `;`, `->`, `|>`, `^`, `~`, `?`, ...
    Op(String),
    Eof,
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Ident(s) | Tok::UIdent(s) | Tok::Op(s) => write!(f, "`{s}`"),
            Tok::Label(s) => write!(f, "`~{s}:`"),
            Tok::OptLabel(s) => write!(f, "`?{s}:`"),
            Tok::Int(i) => write!(f, "`{i}`"),
            Tok::Float(x) => write!(f, "`{x}`"),
            Tok::Str(s) => write!(f, "string {s:?}"),
            Tok::Char(c) => write!(f, "char {c:?}"),
            Tok::TyVar(s) => write!(f, "`'{s}`"),
            Tok::Backtick => write!(f, "`` ` ``"),
            Tok::Eof => write!(f, "end of file"),
        }
    }
}

/// A token and the 1-based line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub line: u32,
    /// 0-based column, used to find where the next item starts after an error.
    pub col: u32,
}

/// What stopped the lexer, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexError {
    pub line: u32,
    pub message: String,
}

const OP_CHARS: &str = "!$%&*+-./:<=>?@^|~#";

struct Lexer<'a> {
    s: &'a [u8],
    i: usize,
    line: u32,
    line_start: usize,
}

/// Splits `src` into tokens; the last one is [`Tok::Eof`].
pub fn lex(src: &str) -> Result<Vec<Token>, LexError> {
    match lex_recover(src) {
        (toks, errs) if errs.is_empty() => Ok(toks),
        (_, mut errs) => Err(errs.swap_remove(0)),
    }
}

/// Like [`lex`], but goes on past a stray character; an unclosed string or
/// comment ends the tokens there. Returns the tokens and every error.
pub fn lex_recover(src: &str) -> (Vec<Token>, Vec<LexError>) {
    let mut lx = Lexer { s: src.as_bytes(), i: 0, line: 1, line_start: 0 };
    let mut out = Vec::new();
    let mut errors = Vec::new();
    loop {
        if let Err(e) = lx.skip_blank() {
            errors.push(e);
            break;
        }
        let line = lx.line;
        let col = (lx.i - lx.line_start) as u32;
        let start = lx.i;
        match lx.next_tok() {
            Ok(Some(tok)) => out.push(Token { tok, line, col }),
            Ok(None) => break,
            Err(e) => {
                let stray = e.message.starts_with("unexpected character");
                errors.push(e);
                if !stray {
                    break;
                }
                lx.i = start + 1;
            }
        }
    }
    out.push(Token { tok: Tok::Eof, line: lx.line, col: 0 });
    (out, errors)
}

fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'\''
}

impl Lexer<'_> {
    fn peek(&self, k: usize) -> Option<u8> {
        self.s.get(self.i + k).copied()
    }

    fn err<T>(&self, line: u32, message: impl Into<String>) -> Result<T, LexError> {
        Err(LexError { line, message: message.into() })
    }

    fn bump(&mut self) -> Option<u8> {
        let c = self.peek(0)?;
        self.i += 1;
        if c == b'\n' {
            self.line += 1;
            self.line_start = self.i;
        }
        Some(c)
    }

    /// Skips white space, comments and attributes.
    fn skip_blank(&mut self) -> Result<(), LexError> {
        loop {
            match (self.peek(0), self.peek(1)) {
                (Some(c), _) if c.is_ascii_whitespace() => {
                    self.bump();
                }
                (Some(b'('), Some(b'*')) => self.comment()?,
                (Some(b'['), Some(b'@')) => self.attribute()?,
                _ => return Ok(()),
            }
        }
    }

    fn comment(&mut self) -> Result<(), LexError> {
        let start = self.line;
        self.i += 2;
        let mut depth = 1;
        while depth > 0 {
            match (self.peek(0), self.peek(1)) {
                (None, _) => return self.err(start, "comment not closed"),
                (Some(b'('), Some(b'*')) => {
                    self.i += 2;
                    depth += 1;
                }
                (Some(b'*'), Some(b')')) => {
                    self.i += 2;
                    depth -= 1;
                }
                (Some(b'"'), _) => {
                    self.string()?;
                }
                (Some(b'{'), _) if self.quoted_start().is_some() => {
                    self.quoted()?;
                }
                // a character literal in a comment may be '"'
                (Some(b'\''), _) if self.peek(2) == Some(b'\'') => self.i += 3,
                _ => {
                    self.bump();
                }
            }
        }
        Ok(())
    }

    fn attribute(&mut self) -> Result<(), LexError> {
        let start = self.line;
        let mut depth = 0;
        loop {
            self.skip_blank_no_attr()?;
            match self.peek(0) {
                None => return self.err(start, "attribute not closed"),
                Some(b'[') => {
                    depth += 1;
                    self.bump();
                }
                Some(b']') => {
                    depth -= 1;
                    self.bump();
                    if depth == 0 {
                        return Ok(());
                    }
                }
                Some(b'"') => {
                    self.string()?;
                }
                _ => {
                    self.bump();
                }
            }
        }
    }

    fn skip_blank_no_attr(&mut self) -> Result<(), LexError> {
        while let (Some(b'('), Some(b'*')) = (self.peek(0), self.peek(1)) {
            self.comment()?;
        }
        Ok(())
    }

    /// The delimiter id of a quoted string starting here (`{|` or `{id|`).
    fn quoted_start(&self) -> Option<String> {
        let mut k = 1;
        while let Some(c) = self.peek(k) {
            if c == b'|' {
                let id = &self.s[self.i + 1..self.i + k];
                return Some(String::from_utf8_lossy(id).into_owned());
            }
            if !(c.is_ascii_lowercase() || c == b'_') {
                return None;
            }
            k += 1;
        }
        None
    }

    fn quoted(&mut self) -> Result<String, LexError> {
        let start = self.line;
        let id = self.quoted_start().unwrap_or_default();
        self.i += id.len() + 2;
        let close = format!("|{id}}}");
        let from = self.i;
        loop {
            if self.s[self.i..].starts_with(close.as_bytes()) {
                let text = String::from_utf8_lossy(&self.s[from..self.i]).into_owned();
                self.i += close.len();
                return Ok(text);
            }
            if self.bump().is_none() {
                return self.err(start, "quoted string not closed");
            }
        }
    }

    fn string(&mut self) -> Result<String, LexError> {
        let start = self.line;
        self.i += 1;
        let mut out = Vec::new();
        loop {
            let Some(c) = self.bump() else {
                return self.err(start, "string not closed");
            };
            match c {
                b'"' => return Ok(String::from_utf8_lossy(&out).into_owned()),
                b'\\' => self.escape(&mut out, start)?,
                c => out.push(c),
            }
        }
    }

    fn escape(&mut self, out: &mut Vec<u8>, start: u32) -> Result<(), LexError> {
        let Some(c) = self.bump() else {
            return self.err(start, "escape at end of file");
        };
        match c {
            b'n' => out.push(b'\n'),
            b't' => out.push(b'\t'),
            b'r' => out.push(b'\r'),
            b'b' => out.push(8),
            b' ' => out.push(b' '),
            b'\\' | b'"' | b'\'' => out.push(c),
            b'\n' => {
                while matches!(self.peek(0), Some(b' ' | b'\t')) {
                    self.i += 1;
                }
            }
            b'0'..=b'9' => {
                let digits = [Some(c), self.bump(), self.bump()];
                let text: Option<Vec<u8>> = digits.into_iter().collect();
                let n = text
                    .and_then(|t| String::from_utf8(t).ok())
                    .and_then(|t| t.parse::<u32>().ok())
                    .filter(|n| *n < 256);
                match n {
                    Some(n) => out.push(n as u8),
                    None => return self.err(start, "bad decimal escape"),
                }
            }
            b'x' => {
                let hex = [self.bump(), self.bump()];
                let n = hex
                    .iter()
                    .map(|d| d.and_then(|d| (d as char).to_digit(16)))
                    .try_fold(0u32, |acc, d| d.map(|d| acc * 16 + d));
                match n {
                    Some(n) => out.push(n as u8),
                    None => return self.err(start, "bad hex escape"),
                }
            }
            other => return self.err(start, format!("unknown escape \\{}", other as char)),
        }
        Ok(())
    }

    fn ident(&mut self) -> String {
        let from = self.i;
        while self.peek(0).is_some_and(is_ident_char) {
            self.i += 1;
        }
        String::from_utf8_lossy(&self.s[from..self.i]).into_owned()
    }

    fn number(&mut self) -> Result<Tok, LexError> {
        let line = self.line;
        let from = self.i;
        let hex = self.peek(0) == Some(b'0') && matches!(self.peek(1), Some(b'x' | b'X'));
        if hex {
            self.i += 2;
        }
        let mut float = false;
        while let Some(c) = self.peek(0) {
            let more = c.is_ascii_digit()
                || c == b'_'
                || (hex && c.is_ascii_hexdigit())
                || (!hex && c == b'.' && self.peek(1) != Some(b'.'))
                || (!hex && matches!(c, b'e' | b'E'))
                || (!hex && matches!(c, b'+' | b'-') && matches!(self.s[self.i - 1], b'e' | b'E'));
            if !more {
                break;
            }
            float |= !hex && matches!(c, b'.' | b'e' | b'E');
            self.i += 1;
        }
        let text: String = String::from_utf8_lossy(&self.s[from..self.i]).replace('_', "");
        if matches!(self.peek(0), Some(b'L' | b'l' | b'n')) {
            self.i += 1;
        }
        let bad = || LexError { line, message: format!("bad number {text}") };
        if float {
            return text.parse().map(Tok::Float).map_err(|_| bad());
        }
        let n = if hex { i64::from_str_radix(&text[2..], 16) } else { text.parse() };
        n.map(Tok::Int).map_err(|_| bad())
    }

    fn next_tok(&mut self) -> Result<Option<Tok>, LexError> {
        let Some(c) = self.peek(0) else {
            return Ok(None);
        };
        let line = self.line;
        let tok = match c {
            b'"' => Tok::Str(self.string()?),
            b'{' if self.quoted_start().is_some() => Tok::Str(self.quoted()?),
            b'0'..=b'9' => self.number()?,
            b'a'..=b'z' | b'_' => Tok::Ident(self.ident()),
            b'A'..=b'Z' => Tok::UIdent(self.ident()),
            b'`' => {
                self.i += 1;
                Tok::Backtick
            }
            b'\'' => self.quote_mark(line)?,
            b'~' | b'?' if self.peek(1).is_some_and(|c| c.is_ascii_lowercase() || c == b'_') => {
                self.i += 1;
                let name = self.ident();
                if self.peek(0) == Some(b':') && self.peek(1) != Some(b':') {
                    self.i += 1;
                    if c == b'~' {
                        Tok::Label(name)
                    } else {
                        Tok::OptLabel(name)
                    }
                } else {
                    // `~x` / `?x` punned: the parser sees the mark, then the name
                    self.i -= name.len();
                    Tok::Op((c as char).to_string())
                }
            }
            b'~' | b'?' => {
                self.i += 1;
                Tok::Op((c as char).to_string())
            }
            b'(' | b')' | b'[' | b']' | b'{' | b'}' | b',' | b';' => {
                self.i += 1;
                if c == b';' && self.peek(0) == Some(b';') {
                    self.i += 1;
                    Tok::Op(";;".into())
                } else {
                    Tok::Op((c as char).to_string())
                }
            }
            c if OP_CHARS.as_bytes().contains(&c) => {
                let from = self.i;
                while self.peek(0).is_some_and(|c| OP_CHARS.as_bytes().contains(&c) && c != b'~' && c != b'?') {
                    self.i += 1;
                }
                Tok::Op(String::from_utf8_lossy(&self.s[from..self.i]).into_owned())
            }
            other => return self.err(line, format!("unexpected character {:?}", other as char)),
        };
        Ok(Some(tok))
    }

    fn quote_mark(&mut self, line: u32) -> Result<Tok, LexError> {
        match (self.peek(1), self.peek(2)) {
            (Some(b'\\'), _) => {
                self.i += 1;
                let mut out = Vec::new();
                self.escape_after_backslash(&mut out, line)?;
                if self.bump() != Some(b'\'') {
                    return self.err(line, "character literal not closed");
                }
                Ok(Tok::Char(out.first().copied().unwrap_or(0) as char))
            }
            (Some(c), Some(b'\'')) => {
                self.i += 3;
                Ok(Tok::Char(c as char))
            }
            _ => {
                self.i += 1;
                Ok(Tok::TyVar(self.ident()))
            }
        }
    }

    fn escape_after_backslash(&mut self, out: &mut Vec<u8>, line: u32) -> Result<(), LexError> {
        self.i += 1;
        self.escape(out, line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<Tok> {
        lex(src).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn comments_nest_and_hide_strings() {
        let t = toks("a (* outer (* inner *) \"*)\" still *) b");
        assert_eq!(t, vec![Tok::Ident("a".into()), Tok::Ident("b".into()), Tok::Eof]);
    }

    #[test]
    fn quoted_strings_and_escapes() {
        let t = toks(
            r#"{|raw "x" \n|} {id|a|}b|id} "t\"\n\065 \
              end""#,
        );
        assert_eq!(t[0], Tok::Str(r#"raw "x" \n"#.into()));
        assert_eq!(t[1], Tok::Str("a|}b".into()));
        assert_eq!(t[2], Tok::Str("t\"\nA end".into()));
    }

    #[test]
    fn labels_operators_numbers_chars() {
        let t = toks("f ~name:x ?doc:y ~z ?(w = 1) 'c' 'a |> @ 2L 1.5 0x1f `Session");
        assert_eq!(
            t,
            vec![
                Tok::Ident("f".into()),
                Tok::Label("name".into()),
                Tok::Ident("x".into()),
                Tok::OptLabel("doc".into()),
                Tok::Ident("y".into()),
                Tok::Op("~".into()),
                Tok::Ident("z".into()),
                Tok::Op("?".into()),
                Tok::Op("(".into()),
                Tok::Ident("w".into()),
                Tok::Op("=".into()),
                Tok::Int(1),
                Tok::Op(")".into()),
                Tok::Char('c'),
                Tok::TyVar("a".into()),
                Tok::Op("|>".into()),
                Tok::Op("@".into()),
                Tok::Int(2),
                Tok::Float(1.5),
                Tok::Int(31),
                Tok::Backtick,
                Tok::UIdent("Session".into()),
                Tok::Eof,
            ]
        );
    }

    #[test]
    fn attributes_are_dropped_and_lines_counted() {
        let t = lex("type t = A\n[@@deriving rpc]\nlet x = 1").unwrap();
        assert!(t.iter().all(|t| t.tok != Tok::Op("[".into())));
        assert_eq!(t.iter().find(|t| t.tok == Tok::Ident("let".into())).unwrap().line, 3);
    }

    #[test]
    fn unclosed_comment_is_an_error_with_its_line() {
        let e = lex("x\n(* open").unwrap_err();
        assert_eq!(e.line, 2);
    }
}
