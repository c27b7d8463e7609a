//! Applying functions: closures with positional, labelled and optional
//! parameters (defaults filled in when a later positional argument
//! arrives, as OCaml does), partial application, and builtins.

use std::collections::VecDeque;
use std::rc::Rc;

use super::ast::Param;
use super::eval::{match_failure, EResult, EvalError, Interp};
use super::value::{ArgV, Body, Closure, Env, Site, Value};

impl<'a> Interp<'a> {
    pub fn apply(&mut self, f: Value<'a>, args: Vec<ArgV<'a>>) -> EResult<'a> {
        if args.is_empty() {
            return Ok(f);
        }
        match f {
            Value::Closure(c) => self.apply_closure(&c, args),
            Value::Builtin(b) => {
                let mut all = b.applied.clone();
                all.extend(args);
                let mut slots: Vec<Option<Value<'a>>> = vec![None; b.params.len()];
                let mut extra = Vec::new();
                for a in all {
                    match a {
                        ArgV::Labelled(n, v) | ArgV::Optional(n, v) => match b.params.iter().position(|p| **p == *n) {
                            Some(i) => slots[i] = Some(v),
                            None => return self.fail(format!("{} has no parameter ~{n}", b.name)),
                        },
                        ArgV::Pos(v) => {
                            match (0..slots.len()).find(|&i| b.params[i].is_empty() && slots[i].is_none()) {
                                Some(i) => slots[i] = Some(v),
                                None => extra.push(ArgV::Pos(v)),
                            }
                        }
                    }
                }
                if slots.iter().any(Option::is_none) {
                    let mut partial = (*b).clone();
                    partial.applied = b
                        .params
                        .iter()
                        .zip(slots)
                        .filter_map(|(p, s)| {
                            s.map(|v| if p.is_empty() { ArgV::Pos(v) } else { ArgV::Labelled(Rc::from(*p), v) })
                        })
                        .collect();
                    return Ok(Value::Builtin(Rc::new(partial)));
                }
                let vals = slots.into_iter().flatten().collect();
                let r = (b.f)(self, vals)?;
                self.apply(r, extra)
            }
            Value::Poison(why) => self.fail(format!("calls a value that could not be evaluated ({why})")),
            other => self.fail(format!("applies {} as a function", other.kind())),
        }
    }

    fn apply_closure(&mut self, c: &Rc<Closure<'a>>, args: Vec<ArgV<'a>>) -> EResult<'a> {
        let mut all = c.applied.clone();
        all.extend(args);
        let params: &'a [Param] = match c.body {
            Body::Cases(_) => &[],
            Body::Fun(params, _) => params,
        };
        let positional = match c.body {
            Body::Cases(_) => 1,
            Body::Fun(..) => params.iter().filter(|p| matches!(p, Param::Pos(_))).count(),
        };
        let given = all.iter().filter(|a| matches!(a, ArgV::Pos(_))).count();
        let labels_there = params.iter().all(|p| match p {
            Param::Labelled(n, _) => all.iter().any(|a| matches!(a, ArgV::Labelled(m, _) if m == n)),
            _ => true,
        });
        if given < positional || !labels_there {
            let mut partial = (**c).clone();
            partial.applied = all;
            return Ok(Value::Closure(Rc::new(partial)));
        }
        // bind parameters in order; what is left goes to the result
        let mut pos: VecDeque<Value<'a>> = VecDeque::new();
        let mut labelled: Vec<(Rc<str>, Value<'a>, bool)> = Vec::new();
        for a in all {
            match a {
                ArgV::Pos(v) => pos.push_back(v),
                ArgV::Labelled(n, v) => labelled.push((n, v, false)),
                ArgV::Optional(n, v) => labelled.push((n, v, true)),
            }
        }
        let mut env = c.env.clone();
        let saved_file = self.file;
        self.sites.push(Site { file: saved_file, line: self.line });
        let r = (|| {
            let take = |labelled: &mut Vec<(Rc<str>, Value<'a>, bool)>, n: &Rc<str>| {
                labelled.iter().position(|(m, _, _)| m == n).map(|i| labelled.remove(i))
            };
            match c.body {
                Body::Cases(cases) => {
                    let v = pos.pop_front().unwrap_or(Value::Unit);
                    self.file = c.file;
                    let r = match self.match_cases(&env, &v, cases)? {
                        Some(r) => r,
                        None => return Err(EvalError::Raise(match_failure(&v))),
                    };
                    Ok((r, pos, labelled))
                }
                Body::Fun(params, body) => {
                    self.file = c.file;
                    for p in params {
                        let mut binds = Vec::new();
                        let ok = match p {
                            Param::Pos(pat) => {
                                let v = pos.pop_front().unwrap_or(Value::Unit);
                                self.bind(pat, &v, &mut binds)?
                            }
                            Param::Labelled(n, pat) => {
                                let v = take(&mut labelled, n).map(|t| t.1).unwrap_or(Value::Unit);
                                self.bind(pat, &v, &mut binds)?
                            }
                            Param::Optional(n, pat, default) => {
                                let v = match take(&mut labelled, n) {
                                    Some((_, v, true)) => v,
                                    Some((_, v, false)) => Value::some(v),
                                    None => Value::none(),
                                };
                                let v = match (default, &v) {
                                    (Some(d), Value::Ctor(name, None, _)) if &**name == "None" => self.eval(&env, d)?,
                                    (Some(_), Value::Ctor(name, Some(inner), _)) if &**name == "Some" => {
                                        (**inner).clone()
                                    }
                                    _ => v,
                                };
                                self.bind(pat, &v, &mut binds)?
                            }
                        };
                        if !ok {
                            return self.fail("a parameter pattern did not match");
                        }
                        for (n, v) in binds {
                            env = Env::Local(Rc::new((n, v, env)));
                        }
                    }
                    let r = self.eval(&env, body)?;
                    Ok((r, pos, labelled))
                }
            }
        })();
        self.sites.pop();
        self.file = saved_file;
        let (r, pos, labelled) = r?;
        let mut rest: Vec<ArgV<'a>> = labelled
            .into_iter()
            .map(|(n, v, opt)| if opt { ArgV::Optional(n, v) } else { ArgV::Labelled(n, v) })
            .collect();
        rest.extend(pos.into_iter().map(ArgV::Pos));
        self.apply(r, rest)
    }
}
