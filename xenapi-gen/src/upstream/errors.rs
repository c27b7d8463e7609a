//! Error codes: every `error CODE [params]` declaration of the data model,
//! in declaration order, then any code of `Api_errors` never declared.

use std::collections::HashSet;

use super::facts::{Error, Origin};
use super::ocaml::eval::Interp;
use super::ocaml::value::Value;
use super::read::Unread;
use super::shape::{self, field, list, string};

const ERRORS: &str = "ocaml/idl/datamodel_errors.ml";

pub fn errors(it: &mut Interp<'_>, unread: &mut Vec<Unread>) -> Vec<Error> {
    let mut out = Vec::new();
    let table = it.module("Datamodel_errors").and_then(|m| m.export("errors"));
    match &table {
        Some(Value::Table(t)) => {
            for (_, e) in t.borrow().iter() {
                let read = (|| -> shape::Shape<Error> {
                    Ok(Error {
                        code: string(field(e, "err_name")?)?,
                        params: list(field(e, "err_params")?)?.iter().map(string).collect::<shape::Shape<_>>()?,
                        origin: shape::origin(it, e),
                    })
                })();
                match read {
                    Ok(e) => out.push(e),
                    Err(why) => unread.push(shape::unread_at(it, Some(e), ERRORS, why)),
                }
            }
        }
        Some(Value::Poison(why)) => unread.push(Unread { file: ERRORS.into(), line: 0, why: why.to_string() }),
        _ => unread.push(Unread { file: ERRORS.into(), line: 0, why: "no `errors` table".into() }),
    }
    // a code xapi defines but never declares still exists, without parameter names
    let declared: HashSet<String> = out.iter().map(|e| e.code.clone()).collect();
    if let Some(m) = it.module("Api_errors") {
        let mut codes: Vec<(String, String)> = m
            .values
            .borrow()
            .iter()
            .filter_map(|(k, v)| match v {
                Value::Str(s) if is_code(s) => Some((k.to_string(), s.to_string())),
                _ => None,
            })
            .collect();
        codes.sort();
        for (_, code) in codes {
            if !declared.contains(&code) && !out.iter().any(|e| e.code == code) {
                out.push(Error { code, params: Vec::new(), origin: Some(Origin { file: "ocaml/xapi-consts/api_errors.ml".into(), line: 0 }) });
            }
        }
    }
    out
}

fn is_code(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}
