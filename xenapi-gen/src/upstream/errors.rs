//! Error codes: every `error CODE [params]` declaration of the data model,
//! in declaration order (a code declared twice keeps its first place and
//! its newer parameters), then any
//! code `Api_errors` registers but the data model never declares.

use std::collections::HashSet;

use super::facts::{Error, Origin};
use super::ocaml::eval::Interp;
use super::ocaml::value::Value;
use super::read::Unread;
use super::shape::{self, field, list, string};

const ERRORS: &str = "ocaml/idl/datamodel_errors.ml";
const API_ERRORS: &str = "ocaml/xapi-consts/api_errors.ml";

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
                    // declared twice: xapi's lookups see the newer declaration
                    Ok(e) => match out.iter_mut().find(|o: &&mut Error| o.code == e.code) {
                        Some(old) => old.params = e.params,
                        None => out.push(e),
                    },
                    Err(why) => unread.push(shape::unread_at(it, Some(e), ERRORS, why)),
                }
            }
        }
        other => unread.push(shape::unread_value(other.as_ref(), ERRORS, "errors")),
    }
    // a code xapi registers (`Api_errors.add_error`, newer sources) but the data model never
    // declares still exists, without parameter names
    let registry = it.module("Api_errors").and_then(|m| m.export("errors"));
    if let Some(Value::Ref(r)) = registry {
        let codes: Vec<String> = match &*r.borrow() {
            Value::List(l) => l.iter().rev().filter_map(|v| string(v).ok()).collect(),
            _ => Vec::new(),
        };
        let mut declared: HashSet<String> = out.iter().map(|e| e.code.clone()).collect();
        for code in codes {
            if declared.insert(code.clone()) {
                out.push(Error { code, params: Vec::new(), origin: Some(Origin { file: API_ERRORS.into(), line: 0 }) });
            }
        }
    }
    out
}

