//! A recursive-descent parser for the OCaml subset of xapi's data model:
//! let / let rec / let .. in, fun, function, match and try with their
//! patterns, if, application with labelled and optional arguments,
//! tuples, lists, `::`, records (`{r with ..}` too), field access,
//! constructors, polymorphic variants, module paths, local opens,
//! `open`, `include`, `module .. = struct .. end`, and every binary
//! operator at OCaml's precedence. Type and exception definitions and
//! signatures are skipped.
//!
//! A file parses item by item: an item that does not parse is reported
//! (with its line) and skipped up to the next item, so one odd corner of
//! a file does not hide the rest.

use std::rc::Rc;

use super::ast::{Arg, Binding, Case, Expr, ExprKind, Item, Lit, Located, ModExpr, Param, Pat};
use super::lex::{Tok, Token};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: u32,
    pub message: String,
}

type PResult<T> = Result<T, ParseError>;

const KEYWORDS: &[&str] = &[
    "and", "as", "assert", "begin", "do", "done", "downto", "else", "end", "exception", "external",
    "for", "fun", "function", "functor", "if", "in", "include", "inherit", "lazy", "let", "match",
    "method", "module", "mutable", "new", "object", "of", "open", "private", "rec", "sig", "struct",
    "then", "to", "try", "type", "val", "virtual", "when", "while", "with", "mod", "land", "lor",
    "lxor", "lsl", "lsr", "asr", "or",
];

const ITEM_STARTS: &[&str] = &["let", "type", "module", "open", "include", "exception", "external", "end"];

pub struct Parser {
    toks: Vec<Token>,
    pos: usize,
}

/// Parses a whole file: its items, and the errors of the items it had to skip.
pub fn parse_file(toks: Vec<Token>) -> (Vec<Located>, Vec<ParseError>) {
    let mut p = Parser { toks, pos: 0 };
    let mut errors = Vec::new();
    let items = p.items(&mut errors);
    if !p.at_eof() {
        errors.push(p.error_here("unexpected `end` at top level"));
    }
    (items, errors)
}

/// Parses one expression (for tests and small snippets).
pub fn parse_expr(toks: Vec<Token>) -> PResult<Expr> {
    let mut p = Parser { toks, pos: 0 };
    let e = p.expr()?;
    if !p.at_eof() {
        return Err(p.error_here("expected end of input"));
    }
    Ok(e)
}

fn rc(s: &str) -> Rc<str> {
    Rc::from(s)
}

impl Parser {
    fn tok(&self) -> &Tok {
        &self.toks[self.pos.min(self.toks.len() - 1)].tok
    }

    fn tok_at(&self, k: usize) -> &Tok {
        &self.toks[(self.pos + k).min(self.toks.len() - 1)].tok
    }

    fn line(&self) -> u32 {
        self.toks[self.pos.min(self.toks.len() - 1)].line
    }

    fn col(&self) -> u32 {
        self.toks[self.pos.min(self.toks.len() - 1)].col
    }

    fn at_eof(&self) -> bool {
        matches!(self.tok(), Tok::Eof)
    }

    fn advance(&mut self) -> Tok {
        let t = self.tok().clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }

    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.tok(), Tok::Ident(s) if s == kw)
    }

    fn is_op(&self, op: &str) -> bool {
        matches!(self.tok(), Tok::Op(s) if s == op)
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        let yes = self.is_kw(kw);
        if yes {
            self.advance();
        }
        yes
    }

    fn eat_op(&mut self, op: &str) -> bool {
        let yes = self.is_op(op);
        if yes {
            self.advance();
        }
        yes
    }

    fn error_here(&self, what: &str) -> ParseError {
        ParseError { line: self.line(), message: format!("{what}, found {}", self.tok()) }
    }

    fn expect_op(&mut self, op: &str) -> PResult<()> {
        if self.eat_op(op) {
            Ok(())
        } else {
            Err(self.error_here(&format!("expected `{op}`")))
        }
    }

    fn expect_kw(&mut self, kw: &str) -> PResult<()> {
        if self.eat_kw(kw) {
            Ok(())
        } else {
            Err(self.error_here(&format!("expected `{kw}`")))
        }
    }

    fn lident(&mut self) -> PResult<Rc<str>> {
        match self.tok().clone() {
            Tok::Ident(s) if !KEYWORDS.contains(&s.as_str()) => {
                self.advance();
                Ok(rc(&s))
            }
            _ => Err(self.error_here("expected a name")),
        }
    }

    // ---- items ----

    fn items(&mut self, errors: &mut Vec<ParseError>) -> Vec<Located> {
        let mut out = Vec::new();
        loop {
            while self.eat_op(";;") {}
            if self.at_eof() || self.is_kw("end") {
                return out;
            }
            let (line, col, start) = (self.line(), self.col(), self.pos);
            match self.item(errors) {
                Ok(item) => out.push(Located { item, line }),
                Err(e) => {
                    let message = if e.line == line {
                        e.message
                    } else {
                        format!("this item does not parse (line {}: {})", e.line, e.message)
                    };
                    errors.push(ParseError { line, message });
                    // an error can be found far ahead (an unclosed paren): resume at the next item
                    self.pos = start + 1;
                    self.skip_to_item(col);
                }
            }
        }
    }

    /// Skips to the next token that starts an item at column `col` or left of it.
    fn skip_to_item(&mut self, col: u32) {
        while !self.at_eof() {
            let starts = matches!(self.tok(), Tok::Ident(s) if ITEM_STARTS.contains(&s.as_str()))
                || self.is_op(";;");
            if starts && self.col() <= col {
                return;
            }
            self.advance();
        }
    }

    fn item(&mut self, errors: &mut Vec<ParseError>) -> PResult<Item> {
        let col = self.col();
        if self.eat_kw("let") {
            let is_rec = self.eat_kw("rec");
            let bindings = self.bindings()?;
            if self.eat_kw("in") {
                let body = self.expr()?;
                let line = bindings.first().map_or(0, |b| b.line);
                return Ok(Item::Expr(Expr { kind: ExprKind::Let(is_rec, bindings, Box::new(body)), line }));
            }
            return Ok(Item::Let(is_rec, bindings));
        }
        if self.eat_kw("open") {
            self.eat_op("!");
            return Ok(Item::Open(self.mod_path()?));
        }
        if self.eat_kw("include") {
            return Ok(Item::Include(self.mod_expr(errors)?));
        }
        if self.eat_kw("module") {
            if self.eat_kw("type") {
                self.skip_to_item(col);
                return Ok(Item::Skipped);
            }
            let name = match self.advance() {
                Tok::UIdent(n) => rc(&n),
                _ => return Err(self.error_here("expected a module name")),
            };
            if self.eat_op(":") {
                self.skip_signature()?;
            }
            self.expect_op("=")?;
            return Ok(Item::Module(name, self.mod_expr(errors)?));
        }
        if self.is_kw("type") || self.is_kw("exception") || self.is_kw("external") {
            self.advance();
            self.skip_to_item(col);
            return Ok(Item::Skipped);
        }
        Ok(Item::Expr(self.expr()?))
    }

    fn skip_signature(&mut self) -> PResult<()> {
        if !self.eat_kw("sig") {
            // a named module type: `module M : S = ..`
            while !self.is_op("=") && !self.at_eof() {
                self.advance();
            }
            return Ok(());
        }
        let mut depth = 1;
        while depth > 0 {
            if self.at_eof() {
                return Err(self.error_here("signature not closed"));
            }
            if self.is_kw("sig") || self.is_kw("struct") || self.is_kw("begin") || self.is_kw("object") {
                depth += 1;
            } else if self.is_kw("end") {
                depth -= 1;
            }
            self.advance();
        }
        Ok(())
    }

    fn mod_path(&mut self) -> PResult<Vec<Rc<str>>> {
        let mut path = Vec::new();
        loop {
            match self.advance() {
                Tok::UIdent(n) => path.push(rc(&n)),
                _ => return Err(self.error_here("expected a module path")),
            }
            if !(self.is_op(".") && matches!(self.tok_at(1), Tok::UIdent(_))) {
                return Ok(path);
            }
            self.advance();
        }
    }

    fn mod_expr(&mut self, errors: &mut Vec<ParseError>) -> PResult<ModExpr> {
        if self.eat_kw("struct") {
            let items = self.items(errors);
            self.expect_kw("end")?;
            return Ok(ModExpr::Struct(items));
        }
        let path = self.mod_path()?;
        if self.eat_op("(") {
            let arg = self.mod_expr(errors)?;
            self.expect_op(")")?;
            return Ok(ModExpr::Apply(path, Box::new(arg)));
        }
        Ok(ModExpr::Path(path))
    }

    // ---- bindings and parameters ----

    fn bindings(&mut self) -> PResult<Vec<Binding>> {
        let mut out = vec![self.binding()?];
        while self.eat_kw("and") {
            out.push(self.binding()?);
        }
        Ok(out)
    }

    fn binding(&mut self) -> PResult<Binding> {
        let line = self.line();
        let is_fun_name = matches!(self.tok(), Tok::Ident(s) if !KEYWORDS.contains(&s.as_str()) && s != "_")
            && !matches!(self.tok_at(1), Tok::Op(o) if o == "=" || o == ":" || o == ",");
        let (pat, params) = if is_fun_name {
            let name = self.lident()?;
            (Pat::Var(name), self.params_until_eq()?)
        } else {
            match self.pattern()? {
                // `let ( $ ) f x = ..`: an operator defined as a function
                Pat::Var(op) if !self.is_op("=") && !self.is_op(":") => (Pat::Var(op), self.params_until_eq()?),
                pat => (pat, Vec::new()),
            }
        };
        if self.eat_op(":") {
            self.skip_type_until(&["="])?;
        }
        self.expect_op("=")?;
        let body = self.expr()?;
        Ok(Binding { pat, params, body, line })
    }

    fn params_until_eq(&mut self) -> PResult<Vec<Param>> {
        let mut params = Vec::new();
        while !self.is_op("=") && !self.is_op(":") {
            params.push(self.param()?);
        }
        Ok(params)
    }

    /// Skips a type expression up to one of `stops` at bracket depth 0.
    fn skip_type_until(&mut self, stops: &[&str]) -> PResult<()> {
        let mut depth = 0i32;
        loop {
            match self.tok() {
                Tok::Eof => return Err(self.error_here("type not closed")),
                Tok::Op(o) if depth == 0 && stops.contains(&o.as_str()) => return Ok(()),
                Tok::Op(o) if o == "(" || o == "[" || o == "{" => depth += 1,
                Tok::Op(o) if o == ")" || o == "]" || o == "}" => {
                    if depth == 0 {
                        return Ok(());
                    }
                    depth -= 1;
                }
                _ => {}
            }
            self.advance();
        }
    }

    fn param(&mut self) -> PResult<Param> {
        match self.tok().clone() {
            Tok::Label(name) => {
                self.advance();
                Ok(Param::Labelled(rc(&name), self.pat_atom()?))
            }
            Tok::OptLabel(name) => {
                self.advance();
                if self.eat_op("(") {
                    let pat = self.pattern()?;
                    if self.eat_op(":") {
                        self.skip_type_until(&["=", ")"])?;
                    }
                    let default = if self.eat_op("=") { Some(self.expr()?) } else { None };
                    self.expect_op(")")?;
                    return Ok(Param::Optional(rc(&name), pat, default));
                }
                Ok(Param::Optional(rc(&name), self.pat_atom()?, None))
            }
            Tok::Op(o) if o == "~" || o == "?" => {
                self.advance();
                let paren = self.eat_op("(");
                let name = self.lident()?;
                let mut default = None;
                if paren {
                    if self.eat_op(":") {
                        self.skip_type_until(&["=", ")"])?;
                    }
                    if o == "?" && self.eat_op("=") {
                        default = Some(self.expr()?);
                    }
                    self.expect_op(")")?;
                }
                let pat = Pat::Var(name.clone());
                Ok(if o == "~" { Param::Labelled(name, pat) } else { Param::Optional(name, pat, default) })
            }
            _ => Ok(Param::Pos(self.pat_atom()?)),
        }
    }

    // ---- patterns ----

    fn pattern(&mut self) -> PResult<Pat> {
        let mut p = self.pat_tuple()?;
        while self.eat_op("|") {
            p = Pat::Or(Box::new(p), Box::new(self.pat_tuple()?));
        }
        while self.eat_kw("as") {
            p = Pat::Alias(Box::new(p), self.lident()?);
        }
        Ok(p)
    }

    fn pat_tuple(&mut self) -> PResult<Pat> {
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

    fn pat_cons(&mut self) -> PResult<Pat> {
        let head = self.pat_app()?;
        if self.eat_op("::") {
            return Ok(Pat::Cons(Box::new(head), Box::new(self.pat_cons()?)));
        }
        Ok(head)
    }

    fn pat_app(&mut self) -> PResult<Pat> {
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

    fn starts_pat_atom(&self) -> bool {
        match self.tok() {
            Tok::Ident(s) => !KEYWORDS.contains(&s.as_str()),
            Tok::UIdent(_) | Tok::Int(_) | Tok::Str(_) | Tok::Char(_) | Tok::Float(_) | Tok::Backtick => true,
            Tok::Op(o) => o == "(" || o == "[" || o == "{",
            _ => false,
        }
    }

    fn pat_atom(&mut self) -> PResult<Pat> {
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
    fn field_name(&mut self) -> PResult<Rc<str>> {
        while matches!(self.tok(), Tok::UIdent(_)) && self.is_op_at(1, ".") {
            self.advance();
            self.advance();
        }
        self.lident()
    }

    fn is_op_at(&self, k: usize, op: &str) -> bool {
        matches!(self.tok_at(k), Tok::Op(o) if o == op)
    }

    // ---- expressions ----

    fn mk(kind: ExprKind, line: u32) -> Expr {
        Expr { kind, line }
    }

    /// An expression with `;` sequences.
    pub fn expr(&mut self) -> PResult<Expr> {
        let line = self.line();
        let first = self.expr_nosemi()?;
        if self.is_op(";") && self.starts_expr_at(1) {
            self.advance();
            let rest = self.expr()?;
            return Ok(Self::mk(ExprKind::Seq(Box::new(first), Box::new(rest)), line));
        }
        // a sequence may end in `;` (before `|`, `end`, `)`, ...)
        self.eat_op(";");
        Ok(first)
    }

    fn starts_expr_at(&self, k: usize) -> bool {
        match self.tok_at(k) {
            Tok::Ident(s) => {
                !KEYWORDS.contains(&s.as_str())
                    || matches!(s.as_str(), "let" | "match" | "fun" | "function" | "if" | "try" | "begin" | "assert" | "lazy")
            }
            Tok::Op(o) => matches!(o.as_str(), "(" | "[" | "{" | "!" | "-" | "-." | "~" | "?"),
            Tok::Eof => false,
            _ => true,
        }
    }

    fn expr_nosemi(&mut self) -> PResult<Expr> {
        let line = self.line();
        if self.eat_kw("let") {
            if self.eat_kw("open") {
                self.eat_op("!");
                let path = self.mod_path()?;
                self.expect_kw("in")?;
                let body = self.expr()?;
                return Ok(Self::mk(ExprKind::Open(path, Box::new(body)), line));
            }
            let is_rec = self.eat_kw("rec");
            let bindings = self.bindings()?;
            self.expect_kw("in")?;
            let body = self.expr()?;
            return Ok(Self::mk(ExprKind::Let(is_rec, bindings, Box::new(body)), line));
        }
        if self.eat_kw("fun") {
            let mut params = Vec::new();
            while !self.is_op("->") {
                params.push(self.param()?);
            }
            self.advance();
            let body = self.expr()?;
            return Ok(Self::mk(ExprKind::Fun(params, Box::new(body)), line));
        }
        if self.eat_kw("function") {
            return Ok(Self::mk(ExprKind::Function(self.cases()?), line));
        }
        if self.eat_kw("match") {
            let scrutinee = self.expr()?;
            self.expect_kw("with")?;
            return Ok(Self::mk(ExprKind::Match(Box::new(scrutinee), self.cases()?), line));
        }
        if self.eat_kw("try") {
            let body = self.expr()?;
            self.expect_kw("with")?;
            return Ok(Self::mk(ExprKind::Try(Box::new(body), self.cases()?), line));
        }
        if self.eat_kw("if") {
            let cond = self.expr()?;
            self.expect_kw("then")?;
            let then = self.expr_nosemi()?;
            let other = if self.eat_kw("else") { Some(Box::new(self.expr_nosemi()?)) } else { None };
            return Ok(Self::mk(ExprKind::If(Box::new(cond), Box::new(then), other), line));
        }
        self.binary(0)
    }

    fn cases(&mut self) -> PResult<Vec<Case>> {
        self.eat_op("|");
        let mut out = Vec::new();
        loop {
            let pat = self.pattern()?;
            let guard = if self.eat_kw("when") { Some(self.expr()?) } else { None };
            self.expect_op("->")?;
            let body = self.expr()?;
            out.push(Case { pat, guard, body });
            if !self.eat_op("|") {
                return Ok(out);
            }
        }
    }

    /// The binary operator here: its text, level and whether it groups to the right.
    fn binop(&self) -> Option<(String, u8, bool)> {
        let op = match self.tok() {
            Tok::Op(o) => o.clone(),
            Tok::Ident(s) if matches!(s.as_str(), "mod" | "land" | "lor" | "lxor" | "lsl" | "lsr" | "asr" | "or") => s.clone(),
            _ => return None,
        };
        let first = op.chars().next()?;
        let (level, right) = match op.as_str() {
            "|" | "->" | "." | ";" | ";;" | ":" | "~" | "?" | "!" | ".." | "#" => return None,
            ":=" | "<-" => (1, true),
            "," => (2, false),
            "||" | "or" => (3, true),
            "&&" | "&" => (4, true),
            "!=" => (5, false),
            "::" => (7, true),
            "**" => (10, true),
            "mod" | "land" | "lor" | "lxor" => (9, false),
            "lsl" | "lsr" | "asr" => (10, true),
            _ => match first {
                '=' | '<' | '>' | '|' | '&' | '$' => (5, false),
                '@' | '^' => (6, true),
                '+' | '-' => (8, false),
                '*' | '/' | '%' => (9, false),
                _ => return None,
            },
        };
        Some((op, level, right))
    }

    fn binary(&mut self, min: u8) -> PResult<Expr> {
        let mut lhs = self.unary()?;
        while let Some((op, level, right)) = self.binop() {
            if level < min {
                break;
            }
            let line = self.line();
            self.advance();
            if op == "," {
                let mut items = vec![lhs];
                loop {
                    items.push(self.binary(3)?);
                    if !self.eat_op(",") {
                        break;
                    }
                }
                lhs = Self::mk(ExprKind::Tuple(items), line);
                continue;
            }
            let rhs = self.operand(if right { level } else { level + 1 })?;
            let kind = match op.as_str() {
                "::" => ExprKind::Cons(Box::new(lhs), Box::new(rhs)),
                "&&" | "&" => ExprKind::And(Box::new(lhs), Box::new(rhs)),
                "||" | "or" => ExprKind::Or(Box::new(lhs), Box::new(rhs)),
                _ => ExprKind::App(
                    Box::new(Self::mk(ExprKind::Var(vec![rc(&op)]), line)),
                    vec![Arg::Pos(lhs), Arg::Pos(rhs)],
                ),
            };
            lhs = Self::mk(kind, line);
        }
        Ok(lhs)
    }

    /// The right operand of an operator: `x @@ fun y -> ..` and `a :: let ..` extend to the right.
    fn operand(&mut self, min: u8) -> PResult<Expr> {
        if matches!(self.tok(), Tok::Ident(s) if matches!(s.as_str(), "let" | "fun" | "function" | "match" | "try" | "if")) {
            return self.expr_nosemi();
        }
        self.binary(min)
    }

    fn unary(&mut self) -> PResult<Expr> {
        let line = self.line();
        if self.is_op("-") || self.is_op("-.") {
            self.advance();
            let e = self.unary()?;
            return Ok(match e.kind {
                ExprKind::Lit(Lit::Int(i)) => Self::mk(ExprKind::Lit(Lit::Int(-i)), line),
                ExprKind::Lit(Lit::Float(x)) => Self::mk(ExprKind::Lit(Lit::Float(-x)), line),
                kind => Self::mk(
                    ExprKind::App(
                        Box::new(Self::mk(ExprKind::Var(vec![rc("~-")]), line)),
                        vec![Arg::Pos(Expr { kind, line })],
                    ),
                    line,
                ),
            });
        }
        self.app()
    }

    fn app(&mut self) -> PResult<Expr> {
        let line = self.line();
        if self.eat_kw("assert") || self.eat_kw("lazy") {
            return self.simple();
        }
        // a constructor or variant takes one argument
        if matches!(self.tok(), Tok::UIdent(_)) || matches!(self.tok(), Tok::Backtick) {
            let head = self.simple()?;
            let takes_arg = matches!(head.kind, ExprKind::Ctor(_, None) | ExprKind::Variant(_, None));
            if takes_arg && self.starts_simple() {
                let arg = Box::new(self.simple()?);
                return Ok(match head.kind {
                    ExprKind::Ctor(path, _) => Self::mk(ExprKind::Ctor(path, Some(arg)), line),
                    ExprKind::Variant(name, _) => Self::mk(ExprKind::Variant(name, Some(arg)), line),
                    _ => head,
                });
            }
            return self.app_args(head, line);
        }
        let head = self.simple()?;
        self.app_args(head, line)
    }

    fn app_args(&mut self, head: Expr, line: u32) -> PResult<Expr> {
        let mut args = Vec::new();
        loop {
            match self.tok().clone() {
                Tok::Label(name) => {
                    self.advance();
                    args.push(Arg::Labelled(rc(&name), self.simple()?));
                }
                Tok::OptLabel(name) => {
                    self.advance();
                    args.push(Arg::Optional(rc(&name), self.simple()?));
                }
                Tok::Op(o) if (o == "~" || o == "?") && matches!(self.tok_at(1), Tok::Ident(_)) => {
                    self.advance();
                    let l = self.line();
                    let name = self.lident()?;
                    let var = Self::mk(ExprKind::Var(vec![name.clone()]), l);
                    args.push(if o == "~" { Arg::Labelled(name, var) } else { Arg::Optional(name, var) });
                }
                _ if self.starts_simple() => args.push(Arg::Pos(self.simple()?)),
                _ => break,
            }
        }
        if args.is_empty() {
            return Ok(head);
        }
        Ok(Self::mk(ExprKind::App(Box::new(head), args), line))
    }

    fn starts_simple(&self) -> bool {
        match self.tok() {
            Tok::Ident(s) => !KEYWORDS.contains(&s.as_str()) || s == "begin",
            Tok::UIdent(_) | Tok::Int(_) | Tok::Float(_) | Tok::Str(_) | Tok::Char(_) | Tok::Backtick => true,
            Tok::Op(o) => matches!(o.as_str(), "(" | "[" | "{" | "!"),
            _ => false,
        }
    }

    /// An atom and its field accesses.
    fn simple(&mut self) -> PResult<Expr> {
        let mut e = self.atom()?;
        while self.is_op(".") {
            match self.tok_at(1).clone() {
                Tok::Ident(_) => {
                    self.advance();
                    let line = self.line();
                    let name = self.lident()?;
                    e = Self::mk(ExprKind::Field(Box::new(e), name), line);
                }
                Tok::UIdent(_) => {
                    self.advance();
                    let line = self.line();
                    let name = self.field_name()?;
                    e = Self::mk(ExprKind::Field(Box::new(e), name), line);
                }
                _ => break,
            }
        }
        Ok(e)
    }

    fn atom(&mut self) -> PResult<Expr> {
        let line = self.line();
        let before = self.pos;
        let t = self.advance();
        let kind = match t {
            Tok::Int(i) => ExprKind::Lit(Lit::Int(i)),
            Tok::Float(x) => ExprKind::Lit(Lit::Float(x)),
            Tok::Str(s) => ExprKind::Lit(Lit::Str(rc(&s))),
            Tok::Char(c) => ExprKind::Lit(Lit::Char(c)),
            Tok::Ident(s) if s == "true" || s == "false" => ExprKind::Ctor(vec![rc(&s)], None),
            Tok::Ident(s) if s == "begin" => {
                if self.eat_kw("end") {
                    return Ok(Self::mk(ExprKind::Lit(Lit::Unit), line));
                }
                let e = self.expr()?;
                self.expect_kw("end")?;
                return Ok(e);
            }
            Tok::Ident(s) if !KEYWORDS.contains(&s.as_str()) => ExprKind::Var(vec![rc(&s)]),
            Tok::Backtick => match self.advance() {
                Tok::UIdent(n) | Tok::Ident(n) => ExprKind::Variant(rc(&n), None),
                _ => return Err(self.error_here("expected a variant name")),
            },
            Tok::UIdent(first) => return self.path_expr(rc(&first), line),
            Tok::Op(o) if o == "!" => {
                let e = self.simple()?;
                ExprKind::App(Box::new(Self::mk(ExprKind::Var(vec![rc("!")]), line)), vec![Arg::Pos(e)])
            }
            Tok::Op(o) if o == "(" => return self.paren(line),
            Tok::Op(o) if o == "[" => {
                let mut items = Vec::new();
                while !self.eat_op("]") {
                    items.push(self.expr_nosemi()?);
                    if !self.eat_op(";") {
                        self.expect_op("]")?;
                        break;
                    }
                }
                ExprKind::List(items)
            }
            Tok::Op(o) if o == "{" => return self.record(line),
            _ => {
                self.pos = before;
                return Err(self.error_here("expected an expression"));
            }
        };
        Ok(Self::mk(kind, line))
    }

    /// `M.N.x`, `M.C`, `M.(e)`: what follows a capitalised name.
    fn path_expr(&mut self, first: Rc<str>, line: u32) -> PResult<Expr> {
        let mut path = vec![first];
        while self.is_op(".") {
            match self.tok_at(1).clone() {
                Tok::UIdent(n) => {
                    self.advance();
                    self.advance();
                    path.push(rc(&n));
                }
                Tok::Ident(n) if !KEYWORDS.contains(&n.as_str()) => {
                    self.advance();
                    self.advance();
                    path.push(rc(&n));
                    return Ok(Self::mk(ExprKind::Var(path), line));
                }
                Tok::Op(o) if o == "(" => {
                    self.advance();
                    self.advance();
                    let e = self.expr()?;
                    self.expect_op(")")?;
                    return Ok(Self::mk(ExprKind::Open(path, Box::new(e)), line));
                }
                Tok::Op(o) if o == "[" || o == "{" => {
                    // `M.[a; b]`, `M.{f= x}`: a local open around a list or record
                    self.advance();
                    let e = self.atom()?;
                    return Ok(Self::mk(ExprKind::Open(path, Box::new(e)), line));
                }
                _ => break,
            }
        }
        Ok(Self::mk(ExprKind::Ctor(path, None), line))
    }

    fn paren(&mut self, line: u32) -> PResult<Expr> {
        if self.eat_op(")") {
            return Ok(Self::mk(ExprKind::Lit(Lit::Unit), line));
        }
        // an operator as a value: `( ^ )`, `( // )`
        if let Tok::Op(op) = self.tok().clone() {
            if op != "(" && op != "[" && op != "{" && op != "!" && self.is_op_at(1, ")") {
                self.advance();
                self.advance();
                return Ok(Self::mk(ExprKind::Var(vec![rc(&op)]), line));
            }
        }
        let e = self.expr()?;
        if self.eat_op(":") {
            self.skip_type_until(&[")"])?;
        }
        self.expect_op(")")?;
        Ok(e)
    }

    fn record(&mut self, line: u32) -> PResult<Expr> {
        let base = if self.starts_simple() && self.record_has_with() {
            let b = self.simple()?;
            self.expect_kw("with")?;
            Some(Box::new(b))
        } else {
            None
        };
        let mut fields = Vec::new();
        loop {
            if self.eat_op("}") {
                break;
            }
            let fline = self.line();
            let name = self.field_name()?;
            let value = if self.eat_op("=") {
                self.expr_nosemi()?
            } else {
                Self::mk(ExprKind::Var(vec![name.clone()]), fline)
            };
            fields.push((name, value));
            if !self.eat_op(";") {
                self.expect_op("}")?;
                break;
            }
        }
        Ok(Self::mk(ExprKind::Record(base, fields), line))
    }

    /// Whether the record starting here is `{e with ..}`.
    fn record_has_with(&self) -> bool {
        let mut k = 0;
        let mut depth = 0;
        loop {
            match self.tok_at(k) {
                Tok::Eof => return false,
                Tok::Ident(s) if s == "with" && depth == 0 => return true,
                Tok::Op(o) if (o == "=" || o == ";" || o == "}") && depth == 0 => return false,
                Tok::Op(o) if o == "(" || o == "[" || o == "{" => depth += 1,
                Tok::Op(o) if o == ")" || o == "]" || o == "}" => depth -= 1,
                _ => {}
            }
            k += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::lex::lex;
    use super::*;

    fn expr(src: &str) -> Expr {
        parse_expr(lex(src).unwrap()).unwrap()
    }

    #[test]
    fn precedence_of_cons_append_and_pipe() {
        let e = expr("a :: b @ c |> f");
        let ExprKind::App(f, args) = e.kind else { panic!("{e:?}") };
        assert_eq!(f.kind, ExprKind::Var(vec![rc("|>")]));
        // `::` binds tighter than `@`: (a :: b) @ c
        let Arg::Pos(lhs) = &args[0] else { panic!() };
        let ExprKind::App(op, inner) = &lhs.kind else { panic!("{lhs:?}") };
        assert_eq!(op.kind, ExprKind::Var(vec![rc("@")]));
        assert!(matches!(&inner[0], Arg::Pos(e) if matches!(e.kind, ExprKind::Cons(..))));
    }

    #[test]
    fn a_sequence_may_end_in_a_semicolon() {
        let e = expr("match x with A -> f 1; g 2; | B -> (h 3;)");
        let ExprKind::Match(_, cases) = e.kind else { panic!() };
        assert_eq!(cases.len(), 2);
        assert!(matches!(cases[0].body.kind, ExprKind::Seq(..)));
    }

    #[test]
    fn labelled_and_optional_arguments() {
        let e = expr("call ~name:\"x\" ?lifecycle ~allowed_roles ~params:[] ()");
        let ExprKind::App(_, args) = e.kind else { panic!() };
        assert_eq!(args.len(), 5);
        assert!(matches!(&args[0], Arg::Labelled(n, _) if &**n == "name"));
        assert!(matches!(&args[1], Arg::Optional(n, _) if &**n == "lifecycle"));
        assert!(matches!(&args[2], Arg::Labelled(n, _) if &**n == "allowed_roles"));
    }

    #[test]
    fn function_parameters_with_defaults() {
        let (items, errs) = parse_file(lex("let f ~a ?(b = 1) ?c ?(d : int = 2) (x, y) () = a").unwrap());
        assert!(errs.is_empty(), "{errs:?}");
        let Item::Let(_, b) = &items[0].item else { panic!() };
        assert_eq!(b[0].params.len(), 6);
        assert!(matches!(&b[0].params[1], Param::Optional(n, _, Some(_)) if &**n == "b"));
        assert!(matches!(&b[0].params[3], Param::Optional(n, _, Some(_)) if &**n == "d"));
    }

    #[test]
    fn records_with_and_match_cases() {
        let e = expr("match x with | {a= Some _; _} as r -> {r with a= None; b= 1} | _ -> y");
        let ExprKind::Match(_, cases) = e.kind else { panic!() };
        assert_eq!(cases.len(), 2);
        assert!(matches!(cases[0].body.kind, ExprKind::Record(Some(_), _)));
    }

    #[test]
    fn modules_types_and_a_bad_item() {
        let src = "type t = A | B of int\n[@@deriving rpc]\nmodule M = struct\n  let x = 1\nend\nlet y = )\nlet z = M.x";
        let (items, errs) = parse_file(lex(src).unwrap());
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].line, 6);
        assert_eq!(items.len(), 3);
        assert!(matches!(&items[1].item, Item::Module(n, ModExpr::Struct(_)) if &**n == "M"));
    }
}
