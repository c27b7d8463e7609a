//! Resolution: from the raw schema to the model, checking everything that
//! can be wrong with names, types, references and collisions (in the
//! schema, and of the identifiers the target languages make of its names).
//! Every problem becomes a diagnostic; nothing stops at the first.

mod versioned;

use super::derive::derived_messages;
use super::literal::EnumValues;
use super::*;
use crate::diag::{did_you_mean, Diagnostic, Diagnostics};
use crate::load::raw::*;
use crate::load::RawSchema;
use std::collections::{HashMap, HashSet};
use std::path::Path;

struct Resolver<'a> {
    sources: &'a Sources,
    diags: Diagnostics,
    roles: Vec<String>,
    releases: HashMap<String, usize>,
    release_codes: Vec<String>,
    release_labels: Vec<String>,
    /// error code -> its id
    errors: HashMap<String, ErrorId>,
    /// by error id: the release index the code was introduced in, if it has a lifecycle
    error_intro: Vec<Option<usize>>,
    /// errors.yaml could not be read: names of errors are not checked.
    errors_unread: bool,
    classes: HashSet<String>,
    /// Stems of class files that could not be read: references to them
    /// are not reported (and, if there is any, neither are unknown enums).
    classes_unread: HashSet<String>,
    /// enum name -> its values
    enums: HashMap<String, Vec<String>>,
}

impl EnumValues for Resolver<'_> {
    fn values(&self, enum_name: &str) -> Option<Vec<&str>> {
        self.enums.get(enum_name).map(|v| v.iter().map(String::as_str).collect())
    }
}

/// Resolves a raw schema into the model, or returns every problem found.
pub fn resolve(raw: RawSchema, mut diags: Diagnostics) -> Result<Api, Diagnostics> {
    let RawSchema { api, releases, errors, classes, sources, unread } = raw;
    let mut r = Resolver {
        sources: &sources,
        diags: Diagnostics::default(),
        roles: Vec::new(),
        releases: HashMap::new(),
        release_codes: Vec::new(),
        release_labels: Vec::new(),
        errors: HashMap::new(),
        error_intro: Vec::new(),
        errors_unread: unread.errors,
        classes: HashSet::new(),
        classes_unread: unread.classes.into_iter().collect(),
        enums: HashMap::new(),
    };

    // Names first, so that every later reference can be checked.
    let (name, description) = match &api {
        Some(a) => {
            let mut seen = HashSet::new();
            // An empty or unreadable list of roles is reported by the reader.
            for role in &a.roles {
                if !seen.insert(role.v.clone()) {
                    r.err(&role.src, format!("role `{}` is listed twice", role.v));
                } else if r.roles.len() >= Roles::MAX {
                    r.err(
                        &role.src,
                        format!("role `{}` is one too many: an API has at most {} roles", role.v, Roles::MAX),
                    );
                }
                r.roles.push(role.v.clone());
            }
            (a.name.v.clone(), a.description.as_ref().map(|d| d.v.clone()).unwrap_or_default())
        }
        None => Default::default(),
    };
    let mut model_releases = Vec::new();
    for rel in &releases {
        if rel.code.v.is_empty() {
            continue;
        }
        if r.releases.contains_key(&rel.code.v) {
            r.err(&rel.code.src, format!("release `{}` is listed twice", rel.code.v));
            continue;
        }
        r.releases.insert(rel.code.v.clone(), model_releases.len());
        r.release_codes.push(rel.code.v.clone());
        r.release_labels.push(rel.label.v.clone());
        model_releases.push(Release { code: rel.code.v.clone(), label: rel.label.v.clone() });
    }
    let mut model_errors = Vec::new();
    for e in &errors {
        if e.code.v.is_empty() {
            continue;
        }
        if r.errors.contains_key(&e.code.v) {
            r.err(&e.code.src, format!("error code `{}` is defined twice", e.code.v));
            continue;
        }
        r.errors.insert(e.code.v.clone(), ErrorId(model_errors.len() as u32));
        let mut seen = HashSet::new();
        for p in &e.params {
            if !seen.insert(&p.v) {
                r.err(&p.src, format!("error `{}` names parameter `{}` twice", e.code.v, p.v));
            }
        }
        let lifecycle = r.lifecycle(&e.lifecycle, &format!("error `{}`", e.code.v));
        model_errors.push(ErrorDef {
            code: e.code.v.clone(),
            params: e.params.iter().map(|p| p.v.clone()).collect(),
            description: text(&e.description),
            lifecycle,
            src: e.src.clone(),
        });
    }
    r.error_intro = model_errors.iter().map(|e| e.lifecycle.introduced().map(|t| t.release_index)).collect();
    let mut class_files = HashMap::new();
    for c in &classes {
        if c.name.v.is_empty() {
            // Reported by the reader; its enums still count.
        } else if let Some(first) = class_files.get(&c.name.v) {
            let first: &Path = sources.path(*first);
            let first = first.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
            r.err_help(
                &c.name.src,
                format!("class `{}` is defined twice", c.name.v),
                Some(format!("the first definition is in `{first}`")),
            );
        } else {
            class_files.insert(c.name.v.clone(), c.src.file);
            r.classes.insert(c.name.v.clone());
        }
        let path = sources.path(c.src.file);
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        if !c.name.v.is_empty() && stem != c.name.v {
            r.push(
                sources
                    .diagnostic(&c.name.src, format!("class `{}` is in a file named `{stem}`", c.name.v))
                    .with_help(format!("name the file `{}.yaml` so that classes are easy to find", c.name.v)),
            );
        }
        for e in &c.enums {
            let values: Vec<String> = e.values.iter().map(|v| v.name.v.clone()).collect();
            match r.enums.get(&e.name.v) {
                // A class may list an enum another class defines, to show it
                // uses it, as long as the values agree.
                Some(existing) if *existing == values => {}
                Some(_) => r.err_help(
                    &e.name.src,
                    format!("enum `{}` is defined twice with different values", e.name.v),
                    Some("enum names are shared by all classes: rename one, or give both the same values".into()),
                ),
                None => {
                    r.enums.insert(e.name.v.clone(), values);
                }
            }
        }
    }

    let model_classes: Vec<Class> = classes.iter().map(|c| r.class(c)).collect();
    r.check_session_class(&model_classes);
    for m in relations::check_declared(&model_classes) {
        r.err_help(&m.src, m.message, Some(m.help));
    }
    let mut all = std::mem::take(&mut r.diags);
    diags.0.append(&mut all.0);
    let mut api = Api {
        name,
        description,
        roles: r.roles,
        releases: model_releases,
        errors: model_errors,
        relations: relations::relations(&model_classes),
        classes: model_classes,
        sources,
    };
    api.settle_enum_homes();
    // Identifiers are checked even when something else is wrong, so that
    // one run reports every problem; items with a blank name are skipped.
    diags.0.extend(super::idents::collisions(&api).0);
    if !diags.is_empty() {
        diags.sort();
        return Err(diags);
    }
    Ok(api)
}

fn text(d: &Option<At<String>>) -> String {
    d.as_ref().map(|d| d.v.clone()).unwrap_or_default()
}

impl Resolver<'_> {
    /// Whether the API has (or, if its file could not be read, may have)
    /// the class of a special kind.
    fn has_kind(&self, kind: ClassKind) -> bool {
        kind.class_name().is_some_and(|n| self.classes.contains(n) || self.classes_unread.contains(n))
    }

    /// Derived calls take a session first; without a session class that
    /// parameter's type names nothing. Reported once, at the first such call.
    fn check_session_class(&mut self, classes: &[Class]) {
        if self.has_kind(ClassKind::Session) {
            return;
        }
        let first = classes
            .iter()
            .find_map(|c| c.messages.iter().find(|m| m.is_derived() && m.takes_session()).map(|m| (c, m)));
        if let Some((c, m)) = first {
            self.err_help(
                &m.src,
                format!(
                    "class `{}` derives calls that take a session (`{}` is one), but the API has no `session` class",
                    c.name, m.name
                ),
                Some("add classes/session.yaml with the login calls, or derive nothing".into()),
            );
        }
    }

    /// A parameter carries a value: `void` and the untyped `<class>
    /// record` (which only `event.snapshot` holds) cannot be sent.
    fn param_type_ok(&mut self, ty: &Type, src: &Src, what: &str) -> bool {
        let mut bad = None;
        ty.visit(&mut |part| {
            if matches!(part, Type::Void | Type::AnyRecord) {
                bad.get_or_insert_with(|| part.to_string());
            }
        });
        match bad {
            Some(part) => {
                self.err(src, format!("a param cannot have type `{part}` ({what})"));
                false
            }
            None => true,
        }
    }

    fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn err(&mut self, src: &Src, message: String) {
        let d = self.sources.diagnostic(src, message);
        self.push(d);
    }

    fn err_help(&mut self, src: &Src, message: String, help: Option<String>) {
        let d = self.sources.diagnostic(src, message).with_help_opt(help);
        self.push(d);
    }

    fn class(&mut self, c: &RawClass) -> Class {
        let what = format!("class `{}`", c.name.v);
        let lifecycle = self.lifecycle(&c.lifecycle, &what);
        let all_roles = Roles::first(self.roles.len());
        let read_roles = self.roles_or(c.access.read.as_ref(), all_roles);
        let write_roles = self.roles_or(c.access.write.as_ref(), all_roles);
        let create_roles = self.roles_or(c.access.create.as_ref(), write_roles);
        let props = ClassProps {
            derive_fields: c.derive.fields,
            derive_record: c.derive.record,
            derive_all: c.derive.all,
            derive_by_name_label: c.derive.by_name_label,
            derive_create_destroy: c.derive.create_destroy,
            async_messages: c.async_messages,
            read_roles,
            write_roles,
            create_roles,
        };

        let mut enums = Vec::new();
        for e in &c.enums {
            let values = e
                .values
                .iter()
                .map(|v| EnumValue {
                    name: v.name.v.clone(),
                    description: text(&v.description),
                    lifecycle: self.lifecycle(&v.lifecycle, &format!("value `{}` of enum `{}`", v.name.v, e.name.v)),
                    src: v.name.src.clone(),
                })
                .collect();
            let mut seen = HashSet::new();
            for v in &e.values {
                if !v.name.v.is_empty() && !seen.insert(&v.name.v) {
                    self.err(&v.name.src, format!("enum `{}` lists value `{}` twice", e.name.v, v.name.v));
                }
            }
            // An empty list of values is reported by the reader.
            enums.push(EnumDef {
                name: e.name.v.clone(),
                description: text(&e.description),
                values,
                // Decided once every class is known.
                home: false,
                src: e.src.clone(),
            });
        }

        let mut fields = Vec::new();
        let mut seen = HashSet::new();
        for f in &c.fields {
            if !f.name.v.is_empty() && !seen.insert(f.name.v.clone()) {
                self.err(&f.name.src, format!("{what} has two fields named `{}`", f.name.v));
                continue;
            }
            fields.push(self.field(f, &what, &props));
        }

        let mut class = Class {
            name: c.name.v.clone(),
            description: text(&c.description),
            lifecycle,
            enums,
            fields,
            messages: Vec::new(),
            props,
            src: c.src.clone(),
        };
        if class.props.derive_by_name_label
            && !class.fields.iter().any(|f| f.name == "name_label" && f.ty == Type::String)
        {
            self.err_help(
                &c.src,
                format!("{what} has `derive.by_name_label` but no string field `name_label`"),
                Some("add the field or turn the setting off".into()),
            );
        }

        let derived = derived_messages(&class);
        let derived_names: HashMap<&str, DerivedKind> = derived
            .iter()
            .filter_map(|m| match &m.origin {
                MessageOrigin::Derived { kind, .. } => Some((m.name.as_str(), *kind)),
                MessageOrigin::Explicit => None,
            })
            .collect();
        let mut names = HashSet::new();
        let mut messages = Vec::new();
        for m in &c.messages {
            if !m.name.v.is_empty() && !names.insert(m.name.v.clone()) {
                self.err(&m.name.src, format!("{what} has two messages named `{}`", m.name.v));
                continue;
            }
            if let Some(kind) = derived_names.get(m.name.v.as_str()) {
                self.err_help(
                    &m.name.src,
                    format!("message `{}` of {what} collides with a derived message of the same name", m.name.v),
                    Some(format!(
                        "it is derived because {}; rename this message or change that setting",
                        kind.reason()
                    )),
                );
                continue;
            }
            messages.push(self.message(m, &what, class.props.async_messages));
        }
        messages.extend(derived);
        class.messages = messages;
        class
    }

    fn field(&mut self, f: &RawField, class: &str, props: &ClassProps) -> Field {
        let what = format!("field `{}` of {class}", f.name.v);
        let ty = self.ty(&f.ty, &what, true);
        let qualifier = Qualifier::parse(&f.qualifier.v).unwrap_or_else(|| {
            if f.qualifier.v.is_empty() {
                // Missing or blank: reported by the reader.
                return Qualifier::RoRuntime;
            }
            let help = did_you_mean(&f.qualifier.v, Qualifier::ALL)
                .or_else(|| Some(format!("use one of: {}", Qualifier::ALL.join(", "))));
            self.err_help(&f.qualifier.src, format!("unknown qualifier `{}` on {what}", f.qualifier.v), help);
            Qualifier::RoRuntime
        });
        // A default is not checked against an enum with no values (that
        // enum is reported already).
        let mut empty_enum = false;
        if let Some(ty) = &ty {
            ty.visit(&mut |t| empty_enum |= matches!(t, Type::Enum(e) if self.enums.get(e).is_some_and(Vec::is_empty)));
        }
        let default = match (&f.default, &ty) {
            (Some(d), Some(ty)) if !empty_enum => match Literal::from_yaml(&d.v, ty, self) {
                Ok(l) => Some(l),
                Err(e) => {
                    self.err(&d.src, format!("bad default for {what}: {e}"));
                    None
                }
            },
            _ => None,
        };
        let lifecycle = self.lifecycle(&f.lifecycle, &what);
        let read_roles = self.roles_or(f.access.read.as_ref(), props.read_roles);
        let write_roles = self.roles_or(f.access.write.as_ref(), props.write_roles);
        let inverse = self.inverse(f.inverse.as_ref(), ty.as_ref(), &what);
        Field {
            name: f.name.v.clone(),
            description: text(&f.description),
            ty: ty.unwrap_or(Type::Void),
            qualifier,
            default,
            lifecycle,
            read_roles,
            write_roles,
            inverse,
            src: f.src.clone(),
        }
    }

    /// The `inverse:` of a field. Only ref fields may have one; whether
    /// the named field fits is checked once every class is resolved
    /// ([`relations::check_declared`]).
    fn inverse(&mut self, decl: Option<&At<String>>, ty: Option<&Type>, what: &str) -> Inverse {
        let Some(decl) = decl else { return Inverse::Infer };
        if let Some(ty) = ty.filter(|t| !matches!(t, Type::Ref(_))) {
            self.err_help(
                &decl.src,
                format!("{what} has an inverse, but only a ref field can have one (its type is `{ty}`)"),
                Some("remove `inverse`".into()),
            );
            return Inverse::Infer;
        }
        match decl.v.trim() {
            "" => {
                self.err_help(
                    &decl.src,
                    format!("the inverse of {what} is empty"),
                    Some("name the set field that lists it back, or write `none`".into()),
                );
                Inverse::Infer
            }
            "none" => Inverse::Never,
            name => Inverse::Declared { name: name.to_string(), src: decl.src.clone() },
        }
    }

    fn message(&mut self, m: &RawMessage, class: &str, async_messages: bool) -> Message {
        let what = format!("message `{}` of {class}", m.name.v);
        let lifecycle = self.lifecycle(&m.lifecycle, &what);
        let intro = lifecycle.introduced().map(|t| (t.release_index, t.release.clone()));
        let mut params = Vec::new();
        let mut seen = HashSet::new();
        for p in &m.params {
            if !p.name.v.is_empty() && !seen.insert(p.name.v.clone()) {
                self.err(&p.name.src, format!("{what} has two params named `{}`", p.name.v));
            }
            let pwhat = format!("param `{}` of {what}", p.name.v);
            let ty = self.ty(&p.ty, &pwhat, false).filter(|t| self.param_type_ok(t, &p.ty.src, &pwhat));
            let default = self.param_default(p, ty.as_ref(), &pwhat, params.last());
            let plife = self.lifecycle(&p.lifecycle, &pwhat);
            self.check_param_lifecycle(p, &plife, &pwhat, intro.as_ref(), params.last());
            params.push(Param {
                name: p.name.v.clone(),
                ty: ty.unwrap_or(Type::Void),
                description: p.description.as_ref().map(|d| d.v.clone()),
                default,
                lifecycle: plife,
                src: p.name.src.clone(),
            });
        }
        let result = self.ty(&m.result, &format!("the result of {what}"), false).unwrap_or(Type::Void);
        let mut errors = Vec::new();
        let mut errors_added = Vec::new();
        for e in &m.errors {
            if let Some(&id) = self.errors.get(&e.code.v) {
                errors.push(id);
                if let Some(t) = self.error_entry_since(e, id, &what, intro.as_ref()) {
                    errors_added.push((id, t));
                }
            } else if !self.errors_unread {
                let help = did_you_mean(&e.code.v, self.errors.keys().map(String::as_str))
                    .or_else(|| Some("define it in errors.yaml".into()));
                self.err_help(&e.code.src, format!("{what} names unknown error `{}`", e.code.v), help);
            }
        }
        let roles = match &m.roles {
            Some(r) => self.roles(r),
            None => Roles::NONE,
        };
        let mut msg = Message {
            name: m.name.v.clone(),
            description: text(&m.description),
            params,
            result,
            errors,
            errors_added,
            internal: m.internal,
            roles,
            lifecycle,
            origin: MessageOrigin::Explicit,
            has_async: false,
            src: m.src.clone(),
        };
        msg.has_async = async_messages && msg.takes_session();
        msg
    }

    /// The typed default of a message parameter. As in xapi's data model,
    /// only trailing parameters may have one: a parameter without a
    /// default may not follow one with a default.
    fn param_default(&mut self, p: &RawParam, ty: Option<&Type>, what: &str, prev: Option<&Param>) -> Option<Literal> {
        let Some(d) = &p.default else {
            if let Some(prev) = prev.filter(|prev| prev.default.is_some()) {
                self.err_help(
                    &p.name.src,
                    format!("{what} has no default but follows `{}`, which has one", prev.name),
                    Some("only trailing parameters may have defaults: give this one a default too, or move it before the defaulted ones".into()),
                );
            }
            return None;
        };
        let ty = ty?;
        if p.name.v == "session_id" {
            self.err_help(
                &d.src,
                format!("{what} is the session and cannot have a default"),
                Some("remove the default".into()),
            );
            return None;
        }
        match Literal::from_yaml(&d.v, ty, self) {
            Ok(l) => Some(l),
            Err(e) => {
                self.err_help(
                    &d.src,
                    format!("bad default for {what}: {e}"),
                    Some(format!("write a value of type `{ty}`, in the notation of field defaults")),
                );
                None
            }
        }
    }

    /// Parses and resolves a type; `Void` and the special results are only
    /// allowed where `field` is false.
    fn ty(&mut self, t: &At<String>, what: &str, field: bool) -> Option<Type> {
        if t.v.is_empty() {
            // Missing or blank: reported by the reader.
            return None;
        }
        let ty = match Type::parse(&t.v) {
            Ok(ty) => ty,
            Err(e) => {
                let word = |c: char| !(c.is_ascii_alphanumeric() || c == '_');
                let help = t.v.split(word).filter(|w| !w.is_empty()).find_map(|w| {
                    let primitives = [
                        "string", "int", "float", "bool", "datetime", "void", "enum", "ref", "record", "set", "map",
                        "option",
                    ];
                    if primitives.contains(&w) || self.classes.contains(w) || self.enums.contains_key(w) {
                        None
                    } else {
                        let names = primitives
                            .iter()
                            .copied()
                            .chain(self.classes.iter().map(String::as_str))
                            .chain(self.enums.keys().map(String::as_str));
                        did_you_mean(w, names)
                    }
                });
                self.err_help(&t.src, format!("{e} in {what}"), help);
                return None;
            }
        };
        let mut ok = true;
        let mut problems = Vec::new();
        ty.visit(&mut |part| match part {
            Type::Ref(c) | Type::Record(c) if !self.classes.contains(c) && !self.classes_unread.contains(c) => {
                let help = did_you_mean(c, self.classes.iter().map(String::as_str));
                problems.push((format!("unknown class `{c}` in the type of {what}"), help));
            }
            Type::Enum(e) if !self.enums.contains_key(e) && self.classes_unread.is_empty() => {
                let help = did_you_mean(e, self.enums.keys().map(String::as_str));
                problems.push((format!("unknown enum `{e}` in the type of {what}"), help));
            }
            Type::Map(k, _) if !k.is_valid_map_key() => problems.push((
                format!("map key type `{k}` in the type of {what} cannot be carried on the wire"),
                Some("map keys must be string, int, an enum or a ref".into()),
            )),
            Type::Void | Type::EventBatch if field => {
                problems.push((format!("a field cannot have type `{part}` ({what})"), None))
            }
            Type::EventBatch if !self.has_kind(ClassKind::Event) => problems.push((
                format!("`{part}` in the type of {what} is a batch of event records, but the API has no `event` class"),
                Some("add classes/event.yaml, or return another type".into()),
            )),
            _ => {}
        });
        if ty != Type::Void && matches!(&ty, Type::Set(t) | Type::Option(t) if **t == Type::Void) {
            problems.push((format!("`{ty}` in {what} makes no sense"), None));
        }
        for (msg, help) in problems {
            ok = false;
            self.err_help(&t.src, msg, help);
        }
        ok.then_some(ty)
    }

    fn lifecycle(&mut self, items: &[At<String>], what: &str) -> Lifecycle {
        let mut out = Lifecycle::default();
        if self.release_codes.is_empty() {
            // No releases could be read (reported already): nothing to check against.
            return out;
        }
        for it in items {
            let mut words = it.v.split_whitespace();
            let (Some(kind), Some(release), None) = (words.next(), words.next(), words.next()) else {
                self.err_help(
                    &it.src,
                    format!("`{}` in the lifecycle of {what} is not `KIND RELEASE`", it.v),
                    Some("write for example `published rio` or `deprecated boston`".into()),
                );
                continue;
            };
            let Some(k) = TransitionKind::parse(kind) else {
                let help = did_you_mean(kind, TransitionKind::ALL)
                    .or_else(|| Some(format!("use one of: {}", TransitionKind::ALL.join(", "))));
                self.err_help(&it.src, format!("unknown lifecycle transition `{kind}` in {what}"), help);
                continue;
            };
            let Some(&idx) = self.releases.get(release) else {
                let help = did_you_mean(release, self.release_codes.iter().map(String::as_str))
                    .or_else(|| Some("add it to releases.yaml".into()));
                self.err_help(&it.src, format!("unknown release `{release}` in the lifecycle of {what}"), help);
                continue;
            };
            let label = self.release_labels[idx].clone();
            out.transitions.push(Transition { kind: k, release: release.to_string(), label, release_index: idx });
        }
        out
    }

    fn roles_or(&mut self, r: Option<&RawRoles>, fallback: Roles) -> Roles {
        match r {
            Some(r) => self.roles(r),
            None => fallback,
        }
    }

    fn role_id(&self, name: &str) -> Option<RoleId> {
        self.roles.iter().take(Roles::MAX).position(|x| x == name).map(|i| RoleId(i as u8))
    }

    fn roles(&mut self, r: &RawRoles) -> Roles {
        if self.roles.is_empty() {
            // No roles could be read (reported already): nothing to check against.
            return Roles::NONE;
        }
        match r {
            RawRoles::AtLeast(role) => match self.role_id(&role.v) {
                Some(i) => Roles::first(usize::from(i.0) + 1),
                None => {
                    self.unknown_role(role);
                    Roles::NONE
                }
            },
            RawRoles::Exactly(list, _) => {
                let mut out = Roles::NONE;
                for role in list {
                    match self.role_id(&role.v) {
                        Some(i) => out.insert(i),
                        None => self.unknown_role(role),
                    }
                }
                out
            }
        }
    }

    fn unknown_role(&mut self, role: &At<String>) {
        let help = did_you_mean(&role.v, self.roles.iter().map(String::as_str))
            .or_else(|| Some(format!("roles are listed in api.yaml: {}", self.roles.join(", "))));
        self.err_help(&role.src, format!("unknown role `{}`", role.v), help);
    }
}
