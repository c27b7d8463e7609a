//! The references between classes that the diagrams draw: for each pair of
//! classes, the fields of each that name the other and how (one ref, an
//! optional ref, a set, map keys or map values), and which of the two is
//! drawn on the left.

use crate::model::{Api, Type};
use std::collections::{BTreeMap, HashMap};

/// How a field names a class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Card {
    One,
    Optional,
    Set,
    MapKeys,
    MapValues,
}

impl Card {
    pub fn words(self) -> &'static str {
        match self {
            Card::One => "ref",
            Card::Optional => "optional ref",
            Card::Set => "set",
            Card::MapKeys => "map keys",
            Card::MapValues => "map values",
        }
    }

    /// Whether the field's class is on the "many" side: many objects of
    /// the field's class point at one of the other (a ref), so the other
    /// is drawn first.
    fn points_back(self) -> bool {
        matches!(self, Card::One | Card::Optional)
    }
}

/// Every class `t` names, with how.
fn named(t: &Type, card: Option<Card>, out: &mut Vec<(String, Card)>) {
    match t {
        Type::Ref(c) => out.push((c.clone(), card.unwrap_or(Card::One))),
        Type::Option(inner) => named(inner, Some(card.unwrap_or(Card::Optional)), out),
        Type::Set(inner) => named(inner, Some(card.unwrap_or(Card::Set)), out),
        Type::Map(k, v) => {
            named(k, Some(card.unwrap_or(Card::MapKeys)), out);
            named(v, Some(card.unwrap_or(Card::MapValues)), out);
        }
        _ => {}
    }
}

/// The references between two distinct classes `a < b` (indexes into
/// [`Api::classes`]).
#[derive(Debug, Clone)]
pub struct Link {
    pub a: usize,
    pub b: usize,
    /// Fields of `a` naming `b`.
    pub a_fields: Vec<(String, Card)>,
    /// Fields of `b` naming `a`.
    pub b_fields: Vec<(String, Card)>,
    /// Votes for drawing `a` left of `b` (positive) or `b` first.
    pub lean: i32,
}

impl Link {
    /// The two classes, the one drawn first first.
    pub fn ends(&self) -> (usize, usize) {
        if self.lean >= 0 {
            (self.a, self.b)
        } else {
            (self.b, self.a)
        }
    }

    /// The fields `class` (one of the two ends) has in this link.
    pub fn fields_of(&self, class: usize) -> &[(String, Card)] {
        if class == self.a {
            &self.a_fields
        } else {
            &self.b_fields
        }
    }

    /// `VM.VBDs, VBD.VM`: every field of the link by its full name.
    pub fn title(&self, api: &Api) -> String {
        let names: Vec<String> = [(self.a, &self.a_fields), (self.b, &self.b_fields)]
            .iter()
            .flat_map(|(c, fs)| {
                fs.iter().map(move |(f, card)| format!("{}.{f} ({})", api.classes[*c].name, card.words()))
            })
            .collect();
        names.join(", ")
    }
}

/// Every pair of classes that refer to each other, in class order.
pub fn links(api: &Api) -> Vec<Link> {
    let index: HashMap<&str, usize> = api.classes.iter().enumerate().map(|(i, c)| (c.name.as_str(), i)).collect();
    let mut by: BTreeMap<(usize, usize), Link> = BTreeMap::new();
    let mut refs = Vec::new();
    for (i, c) in api.classes.iter().enumerate() {
        for f in &c.fields {
            refs.clear();
            named(&f.ty, None, &mut refs);
            for (target, card) in &refs {
                let Some(&j) = index.get(target.as_str()) else { continue };
                if j == i {
                    continue;
                }
                let (a, b) = (i.min(j), i.max(j));
                let link = by.entry((a, b)).or_insert_with(|| Link {
                    a,
                    b,
                    a_fields: Vec::new(),
                    b_fields: Vec::new(),
                    lean: 0,
                });
                let holder_first = if i == a { 1 } else { -1 };
                link.lean += if card.points_back() { -holder_first } else { holder_first };
                let fields = if i == a { &mut link.a_fields } else { &mut link.b_fields };
                if !fields.iter().any(|(n, k)| *n == f.name && k == card) {
                    fields.push((f.name.clone(), *card));
                }
            }
        }
    }
    by.into_values().collect()
}
