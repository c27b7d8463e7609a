//! Patterns: constructors, variants, tuples, lists, `::`, records, `|`, `as`, literals.

use std::rc::Rc;

use super::ast::{Lit, Pat};
use super::lex::Tok;
use super::parse::{rc, PResult, Parser, KEYWORDS};

impl Parser {
    pub(super) fn pattern(&mut self) -> PResult<Pat> {
        let mut p = self.pat_tuple()?;
        while self.eat_op("|") {
            p = Pat::Or(Box::new(p), Box::new(self.pat_tuple()?));
        }
        while self.eat_kw("as") {
            p = Pat::Alias(Box::new(p), self.lident()?);
        }
        Ok(p)
    }

    pub(super) fn pat_tuple(&mut self) -> PResult<Pat> {
        let first = self.pat_cons()?;
        if !self.is_op(",") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_op(",") {
            items.push(self.pat_cons()?);
        }
        Ok(Pat::Tuple(items))
    }

    pub(super) fn pat_cons(&mut self) -> PResult<Pat> {
        let head = self.pat_app()?;
        if self.eat_op("::") {
            return Ok(Pat::Cons(Box::new(head), Box::new(self.pat_cons()?)));
        }
        Ok(head)
    }

    pub(super) fn pat_app(&mut self) -> PResult<Pat> {
        match self.tok().clone() {
            Tok::UIdent(_) => {
                let path = self.mod_path()?;
                let name = path.last().cloned().unwrap_or_else(|| rc(""));
                let arg = if self.starts_pat_atom() { Some(Box::new(self.pat_atom()?)) } else { None };
                Ok(Pat::Ctor(name, arg))
            }
            Tok::Backtick => {
                self.advance();
                let name = match self.advance() {
                    Tok::UIdent(n) | Tok::Ident(n) => rc(&n),
                    _ => return Err(self.error_here("expected a variant name")),
                };
                let arg = if self.starts_pat_atom() { Some(Box::new(self.pat_atom()?)) } else { None };
                Ok(Pat::Variant(name, arg))
            }
            _ => self.pat_atom(),
        }
    }

    pub(super) fn starts_pat_atom(&self) -> bool {
        match self.tok() {
            Tok::Ident(s) => !KEYWORDS.contains(&s.as_str()),
            Tok::UIdent(_) | Tok::Int(_) | Tok::Str(_) | Tok::Char(_) | Tok::Float(_) | Tok::Backtick => true,
            Tok::Op(o) => o == "(" || o == "[" || o == "{",
            _ => false,
        }
    }

    pub(super) fn pat_atom(&mut self) -> PResult<Pat> {
        let before = self.pos;
        let t = self.advance();
        Ok(match t {
            Tok::Ident(s) if s == "_" => Pat::Any,
            Tok::Ident(s) if s == "true" || s == "false" => Pat::Ctor(rc(&s), None),
            Tok::Ident(s) if !KEYWORDS.contains(&s.as_str()) => Pat::Var(rc(&s)),
            Tok::Int(i) => Pat::Lit(Lit::Int(i)),
            Tok::Float(x) => Pat::Lit(Lit::Float(x)),
            Tok::Str(s) => Pat::Lit(Lit::Str(rc(&s))),
            Tok::Char(c) => Pat::Lit(Lit::Char(c)),
            Tok::Op(o) if o == "-" => match self.advance() {
                Tok::Int(i) => Pat::Lit(Lit::Int(-i)),
                Tok::Float(x) => Pat::Lit(Lit::Float(-x)),
                _ => return Err(self.error_here("expected a number after `-`")),
            },
            Tok::UIdent(_) | Tok::Backtick => {
                self.pos = before;
                let path_only = matches!(self.tok(), Tok::UIdent(_));
                if path_only {
                    let path = self.mod_path()?;
                    return Ok(Pat::Ctor(path.last().cloned().unwrap_or_else(|| rc("")), None));
                }
                return self.pat_app();
            }
            Tok::Op(o) if o == "(" => {
                if self.eat_op(")") {
                    return Ok(Pat::Lit(Lit::Unit));
                }
                if let Tok::Op(op) = self.tok().clone() {
                    if matches!(self.tok_at(1), Tok::Op(c) if c == ")") && op != "(" {
                        self.advance();
                        self.advance();
                        return Ok(Pat::Var(rc(&op)));
                    }
                }
                let p = self.pattern()?;
                if self.eat_op(":") {
                    self.skip_type_until(&[")"])?;
                }
                self.expect_op(")")?;
                p
            }
            Tok::Op(o) if o == "[" => {
                let mut items = Vec::new();
                while !self.eat_op("]") {
                    items.push(self.pattern()?);
                    if !self.eat_op(";") {
                        self.expect_op("]")?;
                        break;
                    }
                }
                Pat::List(items)
            }
            Tok::Op(o) if o == "{" => {
                let mut fields = Vec::new();
                loop {
                    if self.eat_op("}") {
                        break;
                    }
                    if matches!(self.tok(), Tok::Ident(s) if s == "_") {
                        self.advance();
                    } else {
                        let name = self.field_name()?;
                        let p = if self.eat_op("=") { self.pattern()? } else { Pat::Var(name.clone()) };
                        fields.push((name, p));
                    }
                    if !self.eat_op(";") {
                        self.expect_op("}")?;
                        break;
                    }
                }
                Pat::Record(fields)
            }
            _ => {
                self.pos = before;
                return Err(self.error_here("expected a pattern"));
            }
        })
    }

    /// A record field name, maybe module-qualified (`Datamodel_types.name`): the last part.
    pub(super) fn field_name(&mut self) -> PResult<Rc<str>> {
        while matches!(self.tok(), Tok::UIdent(_)) && self.is_op_at(1, ".") {
            self.advance();
            self.advance();
        }
        self.lident()
    }

    pub(super) fn is_op_at(&self, k: usize, op: &str) -> bool {
        matches!(self.tok_at(k), Tok::Op(o) if o == op)
    }
}
