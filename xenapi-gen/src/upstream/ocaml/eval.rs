//! A tree-walking interpreter for the parsed OCaml.
//!
//! Files become modules (`datamodel_types.ml` is `Datamodel_types`),
//! evaluated item by item in the order they are loaded. An item whose
//! evaluation fails leaves its names bound to a poisoned value that
//! carries the reason, so the failure surfaces (with its file and line)
//! only where the value is needed.
//!
//! Every record and constructor value remembers where it was made: the
//! innermost call site outside the helper files (those that only define
//! `call`, `field`, `create_obj`, ...), so a message made by `call` in
//! `datamodel_vm.ml` points at its line there.

use std::rc::Rc;

use super::ast::{Arg, Binding, Expr, ExprKind, Item, Lit, Located, ModExpr, Pat};
use super::builtins;
use super::pattern::pat_names;
use super::value::{ArgV, Body, Closure, Env, Module, Site, Value};

/// Why an evaluation stopped: an OCaml exception, or something this interpreter cannot do.
#[derive(Debug, Clone)]
pub enum EvalError<'a> {
    Raise(Value<'a>),
    Fail(Fail),
}

/// A located failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fail {
    pub file: usize,
    pub line: u32,
    pub message: String,
}

pub type EResult<'a> = Result<Value<'a>, EvalError<'a>>;

const MAX_DEPTH: usize = 2_000;

pub struct Interp<'a> {
    /// File names, as given to [`Interp::load`].
    pub files: Vec<String>,
    helper: Vec<bool>,
    pub root: Rc<Module<'a>>,
    pub(super) sites: Vec<Site>,
    /// The file whose code runs now, and the line.
    pub(super) file: usize,
    pub(super) line: u32,
    depth: usize,
    /// Items that failed at load time: (file, line, why).
    pub failures: Vec<Fail>,
}

impl Default for Interp<'_> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'a> Interp<'a> {
    pub fn new() -> Self {
        let root = Module::new("Stdlib", None);
        builtins::install(&root);
        Interp {
            files: vec!["<builtin>".into()],
            helper: vec![true],
            root,
            sites: Vec::new(),
            file: 0,
            line: 0,
            depth: 0,
            failures: Vec::new(),
        }
    }

    /// The module a file defines, once loaded.
    pub fn module(&self, name: &str) -> Option<Rc<Module<'a>>> {
        self.root.submodule(name)
    }

    /// Evaluates a file's items as module `name`. `helper` files are skipped when locating values.
    pub fn load(&mut self, file: &str, name: &str, helper: bool, items: &'a [Located]) -> Rc<Module<'a>> {
        self.files.push(file.to_string());
        self.helper.push(helper);
        let id = self.files.len() - 1;
        let m = Module::new(name, Some(self.root.clone()));
        self.root.modules.borrow_mut().insert(Rc::from(name), m.clone());
        let saved = self.file;
        self.file = id;
        self.items(&m, items);
        self.file = saved;
        m
    }

    fn items(&mut self, m: &Rc<Module<'a>>, items: &'a [Located]) {
        for it in items {
            self.line = it.line;
            if let Err(f) = self.item(m, &it.item) {
                let f = self.to_fail(f);
                self.failures.push(f);
            }
        }
    }

    fn item(&mut self, m: &Rc<Module<'a>>, item: &'a Item) -> Result<(), EvalError<'a>> {
        let env = Env::Module(m.clone());
        match item {
            Item::Skipped => Ok(()),
            Item::Expr(e) => self.eval(&env, e).map(|_| ()),
            Item::Open(path) => {
                let target = self.find_module(&env, path)?;
                m.opens.borrow_mut().push(target);
                Ok(())
            }
            Item::Include(me) => {
                let target = self.mod_expr(m, "include", me)?;
                m.includes.borrow_mut().push(target);
                Ok(())
            }
            Item::Module(name, me) => {
                let sub = self.mod_expr(m, name, me)?;
                m.modules.borrow_mut().insert(name.clone(), sub);
                Ok(())
            }
            Item::Let(is_rec, bindings) => {
                let result = self.let_bindings(&env, *is_rec, bindings);
                match result {
                    Ok(binds) => {
                        for (n, v) in binds {
                            m.values.borrow_mut().insert(n, v);
                        }
                        Ok(())
                    }
                    Err(e) => {
                        let fail = self.to_fail(e.clone());
                        let why: Rc<str> =
                            Rc::from(format!("{}:{}: {}", self.files[fail.file], fail.line, fail.message));
                        for b in bindings {
                            for n in pat_names(&b.pat) {
                                m.values.borrow_mut().insert(n, Value::Poison(why.clone()));
                            }
                        }
                        Err(e)
                    }
                }
            }
        }
    }

    fn mod_expr(
        &mut self,
        parent: &Rc<Module<'a>>,
        name: &str,
        me: &'a ModExpr,
    ) -> Result<Rc<Module<'a>>, EvalError<'a>> {
        match me {
            ModExpr::Path(path) => self.find_module(&Env::Module(parent.clone()), path),
            ModExpr::Apply(path, _) => self.fail(format!("functor application {} is not evaluated", join(path))),
            ModExpr::Struct(items) => {
                let sub = Module::new(name, Some(parent.clone()));
                self.items(&sub, items);
                Ok(sub)
            }
        }
    }

    /// Turns an error into a located failure (an escaped exception names its constructor).
    pub fn to_fail(&self, e: EvalError<'a>) -> Fail {
        match e {
            EvalError::Fail(f) => f,
            EvalError::Raise(v) => {
                Fail { file: self.file, line: self.line, message: format!("exception {} escaped", describe(&v)) }
            }
        }
    }

    pub fn fail<T>(&self, message: impl Into<String>) -> Result<T, EvalError<'a>> {
        Err(EvalError::Fail(Fail { file: self.file, line: self.line, message: message.into() }))
    }

    /// Where a value made now is defined (see the module doc).
    fn origin(&self, line: u32) -> Site {
        self.sites.iter().rev().find(|s| !self.helper[s.file]).copied().unwrap_or(Site { file: self.file, line })
    }

    // ---- names ----

    fn find_module(&self, env: &Env<'a>, path: &[Rc<str>]) -> Result<Rc<Module<'a>>, EvalError<'a>> {
        let Some((first, rest)) = path.split_first() else {
            return self.fail("empty module path");
        };
        let mut m = match self.scope_module(env, first) {
            Some(m) => m,
            None => return self.fail(format!("unknown module {first}")),
        };
        for part in rest {
            m = match m.submodule(part) {
                Some(s) => s,
                None => return self.fail(format!("unknown module {}.{part}", m.name)),
            };
        }
        Ok(m)
    }

    fn scope_module(&self, env: &Env<'a>, name: &str) -> Option<Rc<Module<'a>>> {
        let mut env = env.clone();
        loop {
            env = match env {
                Env::Local(b) => b.2.clone(),
                Env::Rec(b) => b.1.clone(),
                Env::Opened(b) => {
                    if let Some(m) = b.0.submodule(name) {
                        return Some(m);
                    }
                    b.1.clone()
                }
                Env::Module(m) => return module_chain_module(&m, name),
            };
        }
    }

    fn lookup(&self, env: &Env<'a>, name: &str) -> EResult<'a> {
        let mut env = env.clone();
        let found = loop {
            env = match env {
                Env::Local(b) => {
                    if &*b.0 == name {
                        break Some(b.1.clone());
                    }
                    b.2.clone()
                }
                Env::Rec(b) => {
                    if let Some((_, v)) = b.0.borrow().iter().find(|(n, _)| &**n == name) {
                        break Some(v.clone());
                    }
                    b.1.clone()
                }
                Env::Opened(b) => {
                    if let Some(v) = b.0.export(name) {
                        break Some(v);
                    }
                    b.1.clone()
                }
                Env::Module(m) => break module_chain_value(&m, name),
            };
        };
        match found {
            Some(Value::Poison(why)) => self.fail(format!("`{name}` could not be evaluated ({why})")),
            Some(v) => Ok(v),
            None if name == "__LOC__" => {
                Ok(Value::Str(Rc::from(format!("File \"{}\", line {}", self.files[self.file], self.line))))
            }
            None => self.fail(format!("unbound value `{name}`")),
        }
    }

    fn lookup_path(&self, env: &Env<'a>, path: &[Rc<str>]) -> EResult<'a> {
        let Some((last, modules)) = path.split_last() else {
            return self.fail("empty path");
        };
        if modules.is_empty() {
            return self.lookup(env, last);
        }
        let m = self.find_module(env, modules)?;
        match m.export(last) {
            Some(Value::Poison(why)) => self.fail(format!("`{}` could not be evaluated ({why})", join(path))),
            Some(v) => Ok(v),
            None => self.fail(format!("unbound value `{}`", join(path))),
        }
    }

    // ---- expressions ----

    pub fn eval(&mut self, env: &Env<'a>, e: &'a Expr) -> EResult<'a> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.depth -= 1;
            return self.fail("evaluation nested too deeply");
        }
        let saved = self.line;
        self.line = e.line;
        let r = self.eval_kind(env, e);
        self.line = saved;
        self.depth -= 1;
        r
    }

    fn eval_kind(&mut self, env: &Env<'a>, e: &'a Expr) -> EResult<'a> {
        Ok(match &e.kind {
            ExprKind::Lit(l) => lit(l),
            ExprKind::Var(path) => self.lookup_path(env, path)?,
            ExprKind::Ctor(path, arg) => {
                let name = path.last().cloned().unwrap_or_else(|| Rc::from(""));
                match (&*name, arg) {
                    ("true", None) => Value::Bool(true),
                    ("false", None) => Value::Bool(false),
                    _ => {
                        let arg = match arg {
                            Some(a) => Some(Rc::new(self.eval(env, a)?)),
                            None => None,
                        };
                        Value::Ctor(name, arg, self.origin(e.line))
                    }
                }
            }
            ExprKind::Variant(name, arg) => {
                let arg = match arg {
                    Some(a) => Some(Rc::new(self.eval(env, a)?)),
                    None => None,
                };
                Value::Variant(name.clone(), arg)
            }
            ExprKind::App(f, args) => {
                let fv = self.eval(env, f)?;
                let mut vals = Vec::with_capacity(args.len());
                for a in args {
                    vals.push(match a {
                        Arg::Pos(x) => ArgV::Pos(self.eval(env, x)?),
                        Arg::Labelled(n, x) => ArgV::Labelled(n.clone(), self.eval(env, x)?),
                        Arg::Optional(n, x) => ArgV::Optional(n.clone(), self.eval(env, x)?),
                    });
                }
                self.line = e.line;
                self.apply(fv, vals)?
            }
            ExprKind::Fun(params, body) => self.closure(env, Body::Fun(params, body)),
            ExprKind::Function(cases) => self.closure(env, Body::Cases(cases)),
            ExprKind::Match(scrutinee, cases) => {
                let v = self.eval(env, scrutinee)?;
                match self.match_cases(env, &v, cases)? {
                    Some(r) => r,
                    None => return Err(EvalError::Raise(match_failure(&v))),
                }
            }
            ExprKind::Try(body, cases) => match self.eval(env, body) {
                Err(EvalError::Raise(exn)) => match self.match_cases(env, &exn, cases)? {
                    Some(r) => r,
                    None => return Err(EvalError::Raise(exn)),
                },
                other => other?,
            },
            ExprKind::Let(is_rec, bindings, body) => {
                let binds = self.let_bindings(env, *is_rec, bindings)?;
                let mut inner = env.clone();
                for (n, v) in binds {
                    inner = Env::Local(Rc::new((n, v, inner)));
                }
                self.eval(&inner, body)?
            }
            ExprKind::Open(path, body) => {
                let m = self.find_module(env, path)?;
                let inner = Env::Opened(Rc::new((m, env.clone())));
                self.eval(&inner, body)?
            }
            ExprKind::If(c, t, f) => match self.eval(env, c)? {
                Value::Bool(true) => self.eval(env, t)?,
                Value::Bool(false) => match f {
                    Some(f) => self.eval(env, f)?,
                    None => Value::Unit,
                },
                v => return self.fail(format!("`if` on {}", v.kind())),
            },
            ExprKind::Seq(a, b) => {
                self.eval(env, a)?;
                self.eval(env, b)?
            }
            ExprKind::Tuple(items) => {
                let mut out = Vec::with_capacity(items.len());
                for i in items {
                    out.push(self.eval(env, i)?);
                }
                Value::Tuple(Rc::new(out))
            }
            ExprKind::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for i in items {
                    out.push(self.eval(env, i)?);
                }
                Value::list(out)
            }
            ExprKind::Cons(h, t) => {
                let h = self.eval(env, h)?;
                match self.eval(env, t)? {
                    Value::List(rest) => {
                        let mut out = Vec::with_capacity(rest.len() + 1);
                        out.push(h);
                        out.extend(rest.iter().cloned());
                        Value::list(out)
                    }
                    v => return self.fail(format!("`::` onto {}", v.kind())),
                }
            }
            ExprKind::Record(base, fields) => self.record(env, base.as_deref(), fields, e.line)?,
            ExprKind::Field(r, name) => {
                let v = self.eval(env, r)?;
                match v.field(name) {
                    Some(f) => f.clone(),
                    None => return self.fail(format!("no field `{name}` in {}", v.kind())),
                }
            }
            ExprKind::And(a, b) => match self.eval(env, a)? {
                Value::Bool(false) => Value::Bool(false),
                Value::Bool(true) => self.eval(env, b)?,
                v => return self.fail(format!("`&&` on {}", v.kind())),
            },
            ExprKind::Or(a, b) => match self.eval(env, a)? {
                Value::Bool(true) => Value::Bool(true),
                Value::Bool(false) => self.eval(env, b)?,
                v => return self.fail(format!("`||` on {}", v.kind())),
            },
        })
    }

    fn record(
        &mut self,
        env: &Env<'a>,
        base: Option<&'a Expr>,
        fields: &'a [(Rc<str>, Expr)],
        line: u32,
    ) -> EResult<'a> {
        let mut vals = Vec::with_capacity(fields.len());
        for (n, x) in fields {
            vals.push((n.clone(), self.eval(env, x)?));
        }
        let Some(base) = base else {
            return Ok(Value::Record(Rc::new(vals), self.origin(line)));
        };
        match self.eval(env, base)? {
            Value::Record(old, site) => {
                let mut out: Vec<_> = old.as_ref().clone();
                for (n, v) in vals {
                    match out.iter_mut().find(|(m, _)| *m == n) {
                        Some(slot) => slot.1 = v,
                        None => return self.fail(format!("no field `{n}` to update")),
                    }
                }
                Ok(Value::Record(Rc::new(out), site))
            }
            v => self.fail(format!("`with` on {}", v.kind())),
        }
    }

    fn closure(&self, env: &Env<'a>, body: Body<'a>) -> Value<'a> {
        Value::Closure(Rc::new(Closure { body, env: env.clone(), file: self.file, applied: Vec::new() }))
    }

    fn let_bindings(
        &mut self,
        env: &Env<'a>,
        is_rec: bool,
        bindings: &'a [Binding],
    ) -> Result<Vec<(Rc<str>, Value<'a>)>, EvalError<'a>> {
        if is_rec {
            let frame = Rc::new((std::cell::RefCell::new(Vec::new()), env.clone()));
            let rec_env = Env::Rec(frame.clone());
            let mut out = Vec::new();
            for b in bindings {
                let Pat::Var(name) = &b.pat else {
                    return self.fail("`let rec` of a pattern");
                };
                let v = if b.params.is_empty() {
                    self.eval(&rec_env, &b.body)?
                } else {
                    self.closure(&rec_env, Body::Fun(&b.params, &b.body))
                };
                frame.0.borrow_mut().push((name.clone(), v.clone()));
                out.push((name.clone(), v));
            }
            return Ok(out);
        }
        let mut out = Vec::new();
        for b in bindings {
            self.line = b.line;
            let v = if b.params.is_empty() {
                self.eval(env, &b.body)?
            } else {
                self.closure(env, Body::Fun(&b.params, &b.body))
            };
            if !self.bind(&b.pat, &v, &mut out)? {
                return Err(EvalError::Raise(match_failure(&v)));
            }
        }
        Ok(out)
    }
}

fn module_chain_value<'a>(m: &Rc<Module<'a>>, name: &str) -> Option<Value<'a>> {
    let mut cur = Some(m.clone());
    while let Some(m) = cur {
        if let Some(v) = m.export(name) {
            return Some(v);
        }
        if let Some(v) = m.opens.borrow().iter().rev().find_map(|o| o.export(name)) {
            return Some(v);
        }
        cur = m.parent.clone();
    }
    None
}

fn module_chain_module<'a>(m: &Rc<Module<'a>>, name: &str) -> Option<Rc<Module<'a>>> {
    let mut cur = Some(m.clone());
    while let Some(m) = cur {
        if let Some(s) = m.submodule(name) {
            return Some(s);
        }
        if let Some(s) = m.opens.borrow().iter().rev().find_map(|o| o.submodule(name)) {
            return Some(s);
        }
        cur = m.parent.clone();
    }
    None
}

pub(super) fn lit<'a>(l: &Lit) -> Value<'a> {
    match l {
        Lit::Int(i) => Value::Int(*i),
        Lit::Float(x) => Value::Float(*x),
        Lit::Str(s) => Value::Str(s.clone()),
        Lit::Char(c) => Value::Char(*c),
        Lit::Unit => Value::Unit,
    }
}

pub(super) fn match_failure<'a>(v: &Value<'a>) -> Value<'a> {
    Value::Ctor(Rc::from("Match_failure"), Some(Rc::new(Value::str(v.kind()))), Site { file: 0, line: 0 })
}

fn join(path: &[Rc<str>]) -> String {
    path.iter().map(|p| &**p).collect::<Vec<_>>().join(".")
}

/// A short text for an exception value: `Not_found`, `Failure "why"`.
pub fn describe(v: &Value<'_>) -> String {
    match v {
        Value::Ctor(n, None, _) => n.to_string(),
        Value::Ctor(n, Some(a), _) => match &**a {
            Value::Str(s) => format!("{n} {s:?}"),
            other => format!("{n} ({})", other.kind()),
        },
        other => other.kind().to_string(),
    }
}
