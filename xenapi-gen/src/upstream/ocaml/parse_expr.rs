//! Expressions: `let .. in`, `fun`, `function`, `match`, `try`, `if`,
//! sequences, every binary operator at OCaml's precedence, application
//! with labelled and optional arguments, constructors, records, lists,
//! field access and local opens.

use std::rc::Rc;

use super::ast::{Arg, Case, Expr, ExprKind, Lit};
use super::lex::Tok;
use super::parse::{rc, PResult, Parser, KEYWORDS};

impl Parser {
    pub(super) fn mk(kind: ExprKind, line: u32) -> Expr {
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

    pub(super) fn starts_expr_at(&self, k: usize) -> bool {
        match self.tok_at(k) {
            Tok::Ident(s) => {
                !KEYWORDS.contains(&s.as_str())
                    || matches!(
                        s.as_str(),
                        "let" | "match" | "fun" | "function" | "if" | "try" | "begin" | "assert" | "lazy"
                    )
            }
            Tok::Op(o) => matches!(o.as_str(), "(" | "[" | "{" | "!" | "-" | "-." | "~" | "?"),
            Tok::Eof => false,
            _ => true,
        }
    }

    pub(super) fn expr_nosemi(&mut self) -> PResult<Expr> {
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

    pub(super) fn cases(&mut self) -> PResult<Vec<Case>> {
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
    pub(super) fn binop(&self) -> Option<(String, u8, bool)> {
        let op = match self.tok() {
            Tok::Op(o) => o.clone(),
            Tok::Ident(s) if matches!(s.as_str(), "mod" | "land" | "lor" | "lxor" | "lsl" | "lsr" | "asr" | "or") => {
                s.clone()
            }
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

    pub(super) fn binary(&mut self, min: u8) -> PResult<Expr> {
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
    pub(super) fn operand(&mut self, min: u8) -> PResult<Expr> {
        if matches!(self.tok(), Tok::Ident(s) if matches!(s.as_str(), "let" | "fun" | "function" | "match" | "try" | "if"))
        {
            return self.expr_nosemi();
        }
        self.binary(min)
    }

    pub(super) fn unary(&mut self) -> PResult<Expr> {
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

    pub(super) fn app(&mut self) -> PResult<Expr> {
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

    pub(super) fn app_args(&mut self, head: Expr, line: u32) -> PResult<Expr> {
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

    pub(super) fn starts_simple(&self) -> bool {
        match self.tok() {
            Tok::Ident(s) => !KEYWORDS.contains(&s.as_str()) || s == "begin",
            Tok::UIdent(_) | Tok::Int(_) | Tok::Float(_) | Tok::Str(_) | Tok::Char(_) | Tok::Backtick => true,
            Tok::Op(o) => matches!(o.as_str(), "(" | "[" | "{" | "!"),
            _ => false,
        }
    }

    /// An atom and its field accesses.
    pub(super) fn simple(&mut self) -> PResult<Expr> {
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

    pub(super) fn atom(&mut self) -> PResult<Expr> {
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
    pub(super) fn path_expr(&mut self, first: Rc<str>, line: u32) -> PResult<Expr> {
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

    pub(super) fn paren(&mut self, line: u32) -> PResult<Expr> {
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

    pub(super) fn record(&mut self, line: u32) -> PResult<Expr> {
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
            let value =
                if self.eat_op("=") { self.expr_nosemi()? } else { Self::mk(ExprKind::Var(vec![name.clone()]), fline) };
            fields.push((name, value));
            if !self.eat_op(";") {
                self.expect_op("}")?;
                break;
            }
        }
        Ok(Self::mk(ExprKind::Record(base, fields), line))
    }

    /// Whether the record starting here is `{e with ..}`.
    pub(super) fn record_has_with(&self) -> bool {
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
