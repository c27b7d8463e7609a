//! The class relationship diagram: one box per class, an edge wherever a
//! field of one class refers to another (the model's
//! [`Api::references`]). Classes sit on a grid ordered so that those with
//! many links are central; every box links to its page. The SVG itself is
//! the askama template `docs/templates/relationships.svg`, which escapes
//! every name and description it writes.

use crate::model::Api;
use askama::Template;

const COLS: usize = 8;
const W: usize = 150;
const H: usize = 34;
const GAP_X: usize = 40;
const GAP_Y: usize = 56;
const MARGIN: usize = 20;

/// A line between the centres of two boxes.
struct Edge<'a> {
    x1: usize,
    y1: usize,
    x2: usize,
    y2: usize,
    from: &'a str,
    to: &'a str,
}

/// A class: its box (top left corner), its page and its description.
struct ClassBox<'a> {
    name: &'a str,
    doc: &'a str,
    x: usize,
    y: usize,
    fill: &'static str,
}

#[derive(Template)]
#[template(path = "docs/templates/relationships.svg")]
struct DiagramTpl<'a> {
    name: &'a str,
    width: usize,
    height: usize,
    box_w: usize,
    box_h: usize,
    edges: Vec<Edge<'a>>,
    boxes: Vec<ClassBox<'a>>,
}

pub fn relationships(api: &Api) -> String {
    let refs = api.references();
    let n = api.classes.len();
    // Most connected first, so that they land in the top rows.
    let mut degree = vec![0usize; n];
    for r in &refs {
        degree[r.from.0 as usize] += 1;
        degree[r.to.0 as usize] += 1;
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| degree[b].cmp(&degree[a]).then(api.classes[a].name.cmp(&api.classes[b].name)));
    let mut pos = vec![(0usize, 0usize); n];
    for (slot, &i) in order.iter().enumerate() {
        let (row, col) = (slot / COLS, slot % COLS);
        pos[i] = (MARGIN + col * (W + GAP_X), MARGIN + row * (H + GAP_Y));
    }
    let rows = n.div_ceil(COLS);
    let centre = |i: usize| (pos[i].0 + W / 2, pos[i].1 + H / 2);
    let edges = refs
        .iter()
        .map(|r| {
            let ((x1, y1), (x2, y2)) = (centre(r.from.0 as usize), centre(r.to.0 as usize));
            Edge { x1, y1, x2, y2, from: &api.class_at(r.from).name, to: &api.class_at(r.to).name }
        })
        .collect();
    let boxes = api
        .classes
        .iter()
        .zip(&pos)
        .map(|(c, &(x, y))| ClassBox {
            name: &c.name,
            doc: c.description.trim(),
            x,
            y,
            fill: if c.lifecycle.is_deprecated() { "#eeeeee" } else { "#e8f1fb" },
        })
        .collect();
    let tpl = DiagramTpl {
        name: &api.name,
        width: 2 * MARGIN + COLS * W + (COLS - 1) * GAP_X,
        height: 2 * MARGIN + rows * H + rows.saturating_sub(1) * GAP_Y,
        box_w: W,
        box_h: H,
        edges,
        boxes,
    };
    let mut text = tpl.render().expect("the diagram renders");
    // askama leaves out the template's final newline.
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}
