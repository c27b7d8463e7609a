//! What the runtime settles itself before a call reaches the
//! [`Handler`](super::Handler): the second names of methods,
//! `system.listMethods`, and JSON-RPC calls carrying characters that an
//! XML-RPC reply could not hold.

use std::borrow::Cow;

use super::Reply;

/// The wire name clients use to list the methods a server knows.
pub(crate) const LIST_METHODS: &str = "system.listMethods";

/// The method name the handler sees for `method`: the wire name an alias
/// of `aliases` (second name, wire name; sorted by second name) stands
/// for, or `method` itself. Aliases hold no `.`, so wire names are not
/// looked up.
pub(crate) fn canonical<'a>(method: Cow<'a, str>, aliases: &'static [(&'static str, &'static str)]) -> Cow<'a, str> {
    if method.contains('.') {
        return method;
    }
    match aliases.binary_search_by(|(alias, _)| (*alias).cmp(&*method)) {
        Ok(at) => Cow::Borrowed(aliases[at].1),
        Err(_) => method,
    }
}

/// The answer to `system.listMethods`: the handler's wire names and
/// `system.listMethods` itself. `None` for any other method.
pub(crate) fn answer(method: &str, known: &'static [&'static str]) -> Option<Reply> {
    (method == LIST_METHODS).then(|| {
        let mut names: Vec<&'static str> = known.to_vec();
        if !names.contains(&LIST_METHODS) {
            names.push(LIST_METHODS);
        }
        Reply::success(names)
    })
}

/// Refuses a JSON-RPC call holding, anywhere in its body, a character
/// that XML 1.0 cannot carry (escaped as `\u0001` and the like, or a raw
/// U+FFFE/U+FFFF): a string stored from it would make every XML-RPC reply
/// that shows it ill-formed. The refusal is
/// `INVALID_VALUE [where, why]`, `where` being `params[N]` (zero-based),
/// `method`, `id` or `request` (another member), and `why` naming the
/// code point.
#[cfg(feature = "json-rpc")]
pub(crate) fn refuse_unrepresentable(body: &[u8], call: &crate::jsonrpc::ParsedCall<'_>) -> Option<Reply> {
    use crate::xml_chars::{code_point, find_in_json, is_forbidden};
    let text = std::str::from_utf8(body).ok()?;
    let first = find_in_json(text)?;
    let (place, c) = call
        .params
        .iter()
        .enumerate()
        .find_map(|(k, p)| find_in_json(p.get()).map(|c| (format!("params[{k}]"), c)))
        .or_else(|| call.method.chars().find(|&c| is_forbidden(c)).map(|c| ("method".to_string(), c)))
        .or_else(|| find_in_json(call.id.get()).map(|c| ("id".to_string(), c)))
        .unwrap_or_else(|| ("request".to_string(), first));
    Some(Reply::failure([
        "INVALID_VALUE".to_string(),
        place,
        format!("holds {}, a character XML-RPC cannot carry", code_point(c)),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_and_list() {
        // Sorted by second name, as handlers declare them.
        const ALIASES: &[(&str, &str)] = &[("VM_start", "VM.start"), ("event_from", "event.from")];
        assert_eq!(canonical("event_from".into(), ALIASES), "event.from");
        assert_eq!(canonical("VM_start".into(), ALIASES), "VM.start");
        assert_eq!(canonical("event.from".into(), ALIASES), "event.from");
        assert_eq!(canonical("VM_stop".into(), ALIASES), "VM_stop");
        // A handler that declares no alias gets the name as it was sent.
        assert_eq!(canonical("event_from".into(), &[]), "event_from");
        assert!(answer("VM.start", &[]).is_none());
        assert!(answer(LIST_METHODS, &["a.b"]).is_some_and(|r| r.is_success()));
    }

    #[cfg(feature = "json-rpc")]
    #[test]
    fn unrepresentable_characters_are_placed() {
        let place = |body: &str| {
            let call = crate::jsonrpc::parse_call(body.as_bytes()).unwrap();
            refuse_unrepresentable(body.as_bytes(), &call).and_then(|r| r.failure_description().map(<[String]>::to_vec))
        };
        assert_eq!(place(r#"{"method":"m","params":["a\n\t"],"id":1}"#), None);
        let d = place(r#"{"method":"m","params":["ok",{"k":"\u001F"}],"id":1}"#).unwrap();
        assert_eq!(d, ["INVALID_VALUE", "params[1]", "holds U+001F, a character XML-RPC cannot carry"]);
        assert_eq!(place(r#"{"method":"m\uFFFE","params":[],"id":1}"#).unwrap()[1], "method");
        assert_eq!(place(r#"{"method":"m","params":[],"id":"\u0000"}"#).unwrap()[1], "id");
        assert_eq!(place("{\"method\":\"m\",\"params\":[],\"id\":1,\"x\":\"\u{FFFF}\"}").unwrap()[1], "request");
    }
}
