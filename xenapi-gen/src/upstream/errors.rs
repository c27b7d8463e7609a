//! Error codes: every `error CODE [params]` declaration of the data model,
//! in declaration order (a code declared twice keeps its first place and
//! its newer parameters). Codes `Api_errors` registers but the data model
//! never declares are not part of the published list, and not read.

use super::facts::Error;
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
    // Codes `Api_errors` registers without a declaration here are left
    // out: xapi's published list (its docs and SDKs) is the declared one.
    out
}
