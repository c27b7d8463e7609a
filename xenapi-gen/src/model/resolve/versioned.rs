//! The checks of items a release added to what was already there:
//! parameters with a lifecycle and `{code, since}` error entries.

use super::Resolver;
use crate::diag::did_you_mean;
use crate::load::raw::{RawErrorEntry, RawParam};
use crate::model::{ErrorId, Lifecycle, Param, Transition, TransitionKind};

impl Resolver<'_> {
    /// A parameter with a lifecycle is one a later release added to an
    /// existing message: it must have a default (calls written for the
    /// older release leave it out and get the default), be trailing
    /// (every parameter after it was added later too, in release order),
    /// and come after its message, not before or with it.
    ///
    /// xapi itself checks less: its data model (`dm_api.ml`) only
    /// requires `param_release` to be in release order and every
    /// parameter after a defaulted one to have a default, and says that
    /// requiring defaults of newer parameters fails on some old messages;
    /// its server (`gen_server.ml`) fills a missing defaulted argument
    /// with `param_default`. Every parameter xapi added to an existing
    /// message after 24.16.0 has a default, so the stricter rule holds
    /// for everything the schema marks; older additions carry no
    /// lifecycle here, as xapi's export records no parameter release.
    pub(super) fn check_param_lifecycle(
        &mut self,
        p: &RawParam,
        life: &Lifecycle,
        what: &str,
        msg: Option<&(usize, String)>,
        prev: Option<&Param>,
    ) {
        let prev_intro = prev.and_then(|q| q.lifecycle.introduced().map(|t| (q, t)));
        let Some(t) = life.introduced() else {
            if let Some((q, t)) = prev_intro {
                self.err_help(
                    &p.name.src,
                    format!("{what} has no lifecycle but follows `{}`, which {} added", q.name, t.release),
                    Some("parameters a later release added come last: give this one a lifecycle too, or move it before them".into()),
                );
            }
            return;
        };
        if let Some((_, code)) = msg.filter(|(idx, _)| t.release_index == *idx) {
            self.err_help(
                &p.name.src,
                format!("{what} was added in {code}, with its message"),
                Some("a lifecycle on a parameter says a later release added it: remove this one".into()),
            );
            return;
        }
        if p.default.is_none() {
            self.err_help(
                &p.name.src,
                format!("{what} was added in {} (it has a lifecycle) but has no default", t.release),
                Some("a parameter added to an existing message needs a default, which calls written for older releases get".into()),
            );
        }
        if let Some((_, code)) = msg.filter(|(idx, _)| t.release_index < *idx) {
            self.err_help(
                &p.name.src,
                format!("{what} was added in {}, before its message ({code})", t.release),
                Some(format!(
                    "a parameter that came with its message needs no lifecycle; else name a release from {code} on"
                )),
            );
        }
        if let Some((q, qt)) = prev_intro.filter(|(_, qt)| qt.release_index > t.release_index) {
            self.err_help(
                &p.name.src,
                format!("{what} was added in {} but follows `{}`, added later in {}", t.release, q.name, qt.release),
                Some("list parameters a later release added in the order of their releases".into()),
            );
        }
    }

    /// The release of `{code: X, since: R}` in a message's errors, checked:
    /// a known release, not before the message, not before the code itself.
    /// A plain entry is checked too: its code must exist when the message
    /// came.
    pub(super) fn error_entry_since(
        &mut self,
        e: &RawErrorEntry,
        id: ErrorId,
        what: &str,
        msg: Option<&(usize, String)>,
    ) -> Option<Transition> {
        let code_intro = self.error_intro.get(id.0 as usize).copied().flatten();
        let since = match &e.since {
            None => {
                if let (Some(ci), Some((mi, mcode))) = (code_intro, msg) {
                    if ci > *mi {
                        let rel = self.release_codes[ci].clone();
                        self.err_help(
                            &e.code.src,
                            format!("{what} ({mcode}) lists error `{}`, which came later, in {rel}", e.code.v),
                            Some(format!("write `{{code: {}, since: {rel}}}` (or a later release)", e.code.v)),
                        );
                    }
                }
                return None;
            }
            Some(s) => s,
        };
        if self.release_codes.is_empty() {
            return None;
        }
        let Some(&idx) = self.releases.get(&since.v) else {
            let help = did_you_mean(&since.v, self.release_codes.iter().map(String::as_str))
                .or_else(|| Some("add it to releases.yaml".into()));
            self.err_help(
                &since.src,
                format!("unknown release `{}` in `since` of error `{}` of {what}", since.v, e.code.v),
                help,
            );
            return None;
        };
        if let Some((_, mcode)) = msg.filter(|(mi, _)| idx < *mi) {
            self.err_help(
                &since.src,
                format!(
                    "error `{}` of {what} is listed since {}, before the message itself ({mcode})",
                    e.code.v, since.v
                ),
                Some("an error that came with its message is written as a plain code".into()),
            );
        }
        if let Some(ci) = code_intro.filter(|ci| idx < *ci) {
            let rel = self.release_codes[ci].clone();
            self.err_help(
                &since.src,
                format!("error `{}` of {what} is listed since {}, before the code itself ({rel})", e.code.v, since.v),
                Some(format!("name {rel} or a later release")),
            );
        }
        Some(Transition {
            kind: TransitionKind::Published,
            release: since.v.clone(),
            label: self.release_labels[idx].clone(),
            release_index: idx,
        })
    }
}
