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

use super::ast::{Binding, Expr, ExprKind, Item, Located, ModExpr, Param, Pat};
use super::lex::{Tok, Token};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: u32,
    pub message: String,
}

pub(super) type PResult<T> = Result<T, ParseError>;

pub(super) const KEYWORDS: &[&str] = &[
    "and",
    "as",
    "assert",
    "begin",
    "do",
    "done",
    "downto",
    "else",
    "end",
    "exception",
    "external",
    "for",
    "fun",
    "function",
    "functor",
    "if",
    "in",
    "include",
    "inherit",
    "lazy",
    "let",
    "match",
    "method",
    "module",
    "mutable",
    "new",
    "object",
    "of",
    "open",
    "private",
    "rec",
    "sig",
    "struct",
    "then",
    "to",
    "try",
    "type",
    "val",
    "virtual",
    "when",
    "while",
    "with",
    "mod",
    "land",
    "lor",
    "lxor",
    "lsl",
    "lsr",
    "asr",
    "or",
];

const ITEM_STARTS: &[&str] = &["let", "type", "module", "open", "include", "exception", "external", "end"];

pub struct Parser {
    pub(super) toks: Vec<Token>,
    pub(super) pos: usize,
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

pub(super) fn rc(s: &str) -> Rc<str> {
    Rc::from(s)
}

impl Parser {
    pub(super) fn tok(&self) -> &Tok {
        &self.toks[self.pos.min(self.toks.len() - 1)].tok
    }

    pub(super) fn tok_at(&self, k: usize) -> &Tok {
        &self.toks[(self.pos + k).min(self.toks.len() - 1)].tok
    }

    pub(super) fn line(&self) -> u32 {
        self.toks[self.pos.min(self.toks.len() - 1)].line
    }

    pub(super) fn col(&self) -> u32 {
        self.toks[self.pos.min(self.toks.len() - 1)].col
    }

    pub(super) fn at_eof(&self) -> bool {
        matches!(self.tok(), Tok::Eof)
    }

    pub(super) fn advance(&mut self) -> Tok {
        let t = self.tok().clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }

    pub(super) fn is_kw(&self, kw: &str) -> bool {
        matches!(self.tok(), Tok::Ident(s) if s == kw)
    }

    pub(super) fn is_op(&self, op: &str) -> bool {
        matches!(self.tok(), Tok::Op(s) if s == op)
    }

    pub(super) fn eat_kw(&mut self, kw: &str) -> bool {
        let yes = self.is_kw(kw);
        if yes {
            self.advance();
        }
        yes
    }

    pub(super) fn eat_op(&mut self, op: &str) -> bool {
        let yes = self.is_op(op);
        if yes {
            self.advance();
        }
        yes
    }

    pub(super) fn error_here(&self, what: &str) -> ParseError {
        ParseError { line: self.line(), message: format!("{what}, found {}", self.tok()) }
    }

    pub(super) fn expect_op(&mut self, op: &str) -> PResult<()> {
        if self.eat_op(op) {
            Ok(())
        } else {
            Err(self.error_here(&format!("expected `{op}`")))
        }
    }

    pub(super) fn expect_kw(&mut self, kw: &str) -> PResult<()> {
        if self.eat_kw(kw) {
            Ok(())
        } else {
            Err(self.error_here(&format!("expected `{kw}`")))
        }
    }

    pub(super) fn lident(&mut self) -> PResult<Rc<str>> {
        match self.tok().clone() {
            Tok::Ident(s) if !KEYWORDS.contains(&s.as_str()) => {
                self.advance();
                Ok(rc(&s))
            }
            _ => Err(self.error_here("expected a name")),
        }
    }

    // ---- items ----

    pub(super) fn items(&mut self, errors: &mut Vec<ParseError>) -> Vec<Located> {
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
    pub(super) fn skip_to_item(&mut self, col: u32) {
        while !self.at_eof() {
            let starts = matches!(self.tok(), Tok::Ident(s) if ITEM_STARTS.contains(&s.as_str())) || self.is_op(";;");
            if starts && self.col() <= col {
                return;
            }
            self.advance();
        }
    }

    pub(super) fn item(&mut self, errors: &mut Vec<ParseError>) -> PResult<Item> {
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

    pub(super) fn skip_signature(&mut self) -> PResult<()> {
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

    pub(super) fn mod_path(&mut self) -> PResult<Vec<Rc<str>>> {
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

    pub(super) fn mod_expr(&mut self, errors: &mut Vec<ParseError>) -> PResult<ModExpr> {
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

    pub(super) fn bindings(&mut self) -> PResult<Vec<Binding>> {
        let mut out = vec![self.binding()?];
        while self.eat_kw("and") {
            out.push(self.binding()?);
        }
        Ok(out)
    }

    pub(super) fn binding(&mut self) -> PResult<Binding> {
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

    pub(super) fn params_until_eq(&mut self) -> PResult<Vec<Param>> {
        let mut params = Vec::new();
        while !self.is_op("=") && !self.is_op(":") {
            params.push(self.param()?);
        }
        Ok(params)
    }

    /// Skips a type expression up to one of `stops` at bracket depth 0.
    pub(super) fn skip_type_until(&mut self, stops: &[&str]) -> PResult<()> {
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

    pub(super) fn param(&mut self) -> PResult<Param> {
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
}

#[cfg(test)]
mod tests {
    use super::super::ast::Arg;
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
        let src =
            "type t = A | B of int\n[@@deriving rpc]\nmodule M = struct\n  let x = 1\nend\nlet y = )\nlet z = M.x";
        let (items, errs) = parse_file(lex(src).unwrap());
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].line, 6);
        assert_eq!(items.len(), 3);
        assert!(matches!(&items[1].item, Item::Module(n, ModExpr::Struct(_)) if &**n == "M"));
    }
}
