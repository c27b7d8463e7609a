//! Class diagrams: one per class (`diagrams/<class>.svg`: the class, the
//! classes its fields name and the classes whose fields name it) and an
//! overview of the topics (`diagrams/overview.svg`). Both are laid out by
//! the layered method in steps: [`layers`] (columns and dummies), [`order`]
//! (crossing reduction), [`place`] (coordinates and routing), then written
//! by [`svg`].

pub mod graph;
mod layers;
pub mod links;
mod order;
mod place;
pub mod svg;

use super::topics::{topic_of, TOPICS};
use crate::model::Api;
use graph::{BoxLine, Edge, Graph, Layout, Node};
use links::Link;
use std::collections::BTreeMap;

/// At most this many classes share a column of a class diagram.
const CLASS_COLUMN: usize = 12;
/// At most this many topics share a column of the overview.
const TOPIC_COLUMN: usize = 4;

/// The path of a class's diagram, relative to the docs root.
pub fn class_diagram(class: &str) -> String {
    format!("diagrams/{class}.svg")
}

/// The path of the overview, relative to the docs root.
pub const OVERVIEW: &str = "diagrams/overview.svg";

/// A class page as the HTML book names it, from a diagram.
fn page_href(class: &str) -> String {
    format!("../classes/{class}.html")
}

fn fill(api: &Api, class: usize) -> &'static str {
    if api.classes[class].lifecycle.is_deprecated() {
        "#eeeeee"
    } else {
        "#e8f1fb"
    }
}

/// `VBDs (set)`, one line per field.
fn field_lines(fields: &[(String, links::Card)]) -> Vec<String> {
    fields.iter().map(|(f, c)| format!("{f} ({})", c.words())).collect()
}

/// The diagram of class `class` (an index into [`Api::classes`]).
pub fn class_graph(api: &Api, links: &[Link], class: usize) -> Graph {
    let mine: Vec<&Link> = links.iter().filter(|l| l.a == class || l.b == class).collect();
    let mut others: Vec<usize> = mine.iter().map(|l| if l.a == class { l.b } else { l.a }).collect();
    others.sort_by(|x, y| api.classes[*x].name.cmp(&api.classes[*y].name));
    let mut at: BTreeMap<usize, usize> = BTreeMap::new();
    let mut nodes = Vec::new();
    for (i, &c) in std::iter::once(&class).chain(&others).enumerate() {
        at.insert(c, i);
        let cl = &api.classes[c];
        nodes.push(Node {
            // The class's own box is the page it is drawn on: no link.
            lines: vec![BoxLine {
                text: cl.name.clone(),
                href: (c != class).then(|| page_href(&cl.name)),
                bold: c == class,
            }],
            title: cl.description.trim().to_string(),
            fill: if c == class { "#fde9b8" } else { fill(api, c) },
        });
    }
    let edges = mine
        .iter()
        .map(|l| {
            let (from, to) = l.ends();
            Edge {
                from: at[&from],
                to: at[&to],
                at_from: field_lines(l.fields_of(from)),
                at_to: field_lines(l.fields_of(to)),
                middle: Vec::new(),
                title: l.title(api),
            }
        })
        .collect();
    Graph {
        title: format!("Class {} and the classes it refers to or that refer to it", api.classes[class].name),
        nodes,
        edges,
        max_per_column: CLASS_COLUMN,
        directed: true,
    }
}

/// The overview: a box per topic listing its classes, an edge between two
/// topics labelled with how many fields of one name a class of the other.
pub fn overview_graph(api: &Api, links: &[Link]) -> Graph {
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); TOPICS.len()];
    for (i, c) in api.classes.iter().enumerate() {
        members[topic_of(&c.name)].push(i);
    }
    // Classes in the order the table lists them, unlisted ones last.
    for (t, m) in members.iter_mut().enumerate() {
        m.sort_by_key(|&c| {
            (
                TOPICS[t].1.iter().position(|n| *n == api.classes[c].name).unwrap_or(usize::MAX),
                api.classes[c].name.clone(),
            )
        });
    }
    let shown: Vec<usize> = (0..TOPICS.len()).filter(|&t| !members[t].is_empty()).collect();
    let node_of: BTreeMap<usize, usize> = shown.iter().enumerate().map(|(i, &t)| (t, i)).collect();
    let nodes = shown
        .iter()
        .map(|&t| {
            let mut lines = vec![BoxLine { text: TOPICS[t].0.to_string(), href: None, bold: true }];
            lines.extend(members[t].iter().map(|&c| {
                let name = &api.classes[c].name;
                BoxLine { text: name.clone(), href: Some(page_href(name)), bold: false }
            }));
            Node { lines, title: format!("{}: {} classes", TOPICS[t].0, members[t].len()), fill: "#e8f1fb" }
        })
        .collect();
    // (first topic, second topic) -> (fields, lean towards the first).
    let mut between: BTreeMap<(usize, usize), (usize, i32)> = BTreeMap::new();
    for l in links {
        let (ta, tb) = (topic_of(&api.classes[l.a].name), topic_of(&api.classes[l.b].name));
        if ta == tb {
            continue;
        }
        let key = (ta.min(tb), ta.max(tb));
        let sign = if ta < tb { 1 } else { -1 };
        let entry = between.entry(key).or_default();
        entry.0 += l.a_fields.len() + l.b_fields.len();
        entry.1 += sign * l.lean.signum();
    }
    let edges = between
        .into_iter()
        .map(|((x, y), (count, lean))| {
            let (from, to) = if lean >= 0 { (x, y) } else { (y, x) };
            let noun = if count == 1 { "reference" } else { "references" };
            Edge {
                from: node_of[&from],
                to: node_of[&to],
                at_from: Vec::new(),
                at_to: Vec::new(),
                middle: vec![format!("{count} {noun}")],
                title: format!("{} and {}: {count} {noun}", TOPICS[x].0, TOPICS[y].0),
            }
        })
        .collect();
    Graph {
        title: format!("The classes of the {} by topic", api.name),
        nodes,
        edges,
        max_per_column: TOPIC_COLUMN,
        directed: false,
    }
}

/// Lays a diagram out.
pub fn layout(g: &Graph) -> Layout {
    let mut l = layers::layer(g);
    let links = order::Links::new(&l);
    order::order(&mut l, &links);
    place::place(g, &l, &links)
}

/// The layout of every class diagram (by class name) and of the overview.
pub fn layouts(api: &Api) -> (Vec<(String, Layout)>, Layout) {
    let links = links::links(api);
    let classes =
        (0..api.classes.len()).map(|c| (api.classes[c].name.clone(), layout(&class_graph(api, &links, c)))).collect();
    (classes, layout(&overview_graph(api, &links)))
}
