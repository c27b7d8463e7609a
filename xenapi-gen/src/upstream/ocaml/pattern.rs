//! Pattern matching: `match` and `function` cases, `let` patterns and parameters.

use std::rc::Rc;

use super::ast::{Case, Pat};
use super::eval::{lit, EvalError, Interp};
use super::value::{compare, Env, Value};

impl<'a> Interp<'a> {
    pub(super) fn match_cases(
        &mut self,
        env: &Env<'a>,
        v: &Value<'a>,
        cases: &'a [Case],
    ) -> Result<Option<Value<'a>>, EvalError<'a>> {
        for case in cases {
            let mut binds = Vec::new();
            if !self.bind(&case.pat, v, &mut binds)? {
                continue;
            }
            let mut inner = env.clone();
            for (n, b) in binds {
                inner = Env::Local(Rc::new((n, b, inner)));
            }
            if let Some(g) = &case.guard {
                match self.eval(&inner, g)? {
                    Value::Bool(true) => {}
                    Value::Bool(false) => continue,
                    other => return self.fail(format!("`when` on {}", other.kind())),
                }
            }
            return self.eval(&inner, &case.body).map(Some);
        }
        Ok(None)
    }

    /// Matches `v` against `p`, adding the bound names; `false` when it does not match.
    pub fn bind(&self, p: &Pat, v: &Value<'a>, out: &mut Vec<(Rc<str>, Value<'a>)>) -> Result<bool, EvalError<'a>> {
        if let Value::Poison(why) = v {
            return self.fail(format!("matches a value that could not be evaluated ({why})"));
        }
        Ok(match (p, v) {
            (Pat::Any, _) => true,
            (Pat::Var(n), _) => {
                out.push((n.clone(), v.clone()));
                true
            }
            (Pat::Alias(p, n), _) => {
                let ok = self.bind(p, v, out)?;
                out.push((n.clone(), v.clone()));
                ok
            }
            (Pat::Lit(l), _) => compare(&lit(l), v) == Some(std::cmp::Ordering::Equal),
            (Pat::Tuple(ps), Value::Tuple(vs)) => {
                if ps.len() != vs.len() {
                    return Ok(false);
                }
                for (p, v) in ps.iter().zip(vs.iter()) {
                    if !self.bind(p, v, out)? {
                        return Ok(false);
                    }
                }
                true
            }
            (Pat::List(ps), Value::List(vs)) => {
                if ps.len() != vs.len() {
                    return Ok(false);
                }
                for (p, v) in ps.iter().zip(vs.iter()) {
                    if !self.bind(p, v, out)? {
                        return Ok(false);
                    }
                }
                true
            }
            (Pat::Cons(h, t), Value::List(vs)) => match vs.split_first() {
                None => false,
                Some((first, rest)) => self.bind(h, first, out)? && self.bind(t, &Value::list(rest.to_vec()), out)?,
            },
            (Pat::Ctor(n, None), Value::Bool(b)) => (&**n == "true") == *b && matches!(&**n, "true" | "false"),
            (Pat::Ctor(n, parg), Value::Ctor(m, varg, _)) | (Pat::Variant(n, parg), Value::Variant(m, varg)) => {
                if n != m {
                    return Ok(false);
                }
                match (parg, varg) {
                    (None, None) => true,
                    (Some(p), Some(v)) => self.bind(p, v, out)?,
                    (Some(p), None) => matches!(**p, Pat::Any),
                    (None, Some(_)) => false,
                }
            }
            (Pat::Record(fields), Value::Record(..)) => {
                for (n, p) in fields {
                    match v.field(n) {
                        Some(fv) => {
                            if !self.bind(p, fv, out)? {
                                return Ok(false);
                            }
                        }
                        None => return self.fail(format!("no field `{n}` to match")),
                    }
                }
                true
            }
            (Pat::Or(a, b), _) => {
                let mark = out.len();
                if self.bind(a, v, out)? {
                    true
                } else {
                    out.truncate(mark);
                    self.bind(b, v, out)?
                }
            }
            _ => false,
        })
    }
}

/// The names a pattern binds.
pub fn pat_names(p: &Pat) -> Vec<Rc<str>> {
    let mut out = Vec::new();
    fn walk(p: &Pat, out: &mut Vec<Rc<str>>) {
        match p {
            Pat::Var(n) => out.push(n.clone()),
            Pat::Alias(p, n) => {
                walk(p, out);
                out.push(n.clone());
            }
            Pat::Tuple(ps) | Pat::List(ps) => ps.iter().for_each(|p| walk(p, out)),
            Pat::Cons(a, b) | Pat::Or(a, b) => {
                walk(a, out);
                walk(b, out);
            }
            Pat::Ctor(_, Some(p)) | Pat::Variant(_, Some(p)) => walk(p, out),
            Pat::Record(fs) => fs.iter().for_each(|(_, p)| walk(p, out)),
            _ => {}
        }
    }
    walk(p, &mut out);
    out
}
