//! The class relationship diagram: one box per class, an edge wherever a
//! field of one class refers to another. Classes sit on a grid ordered so
//! that those with many links are central; every box links to its page.

use crate::model::{Api, Type};
use std::collections::BTreeSet;
use std::fmt::Write as _;

const COLS: usize = 8;
const W: usize = 150;
const H: usize = 34;
const GAP_X: usize = 40;
const GAP_Y: usize = 56;
const MARGIN: usize = 20;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Edges (from, to) between distinct classes, from field types.
fn edges(api: &Api) -> BTreeSet<(usize, usize)> {
    let index = |name: &str| api.classes.iter().position(|c| c.name == name);
    let mut out = BTreeSet::new();
    for (i, c) in api.classes.iter().enumerate() {
        for f in &c.fields {
            f.ty.visit(&mut |t| {
                if let Type::Ref(other) = t {
                    if let Some(j) = index(other) {
                        if i != j {
                            out.insert((i, j));
                        }
                    }
                }
            });
        }
    }
    out
}

pub fn relationships(api: &Api) -> String {
    let edges = edges(api);
    let n = api.classes.len();
    // Most connected first, so that they land in the top rows.
    let mut degree = vec![0usize; n];
    for &(a, b) in &edges {
        degree[a] += 1;
        degree[b] += 1;
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| degree[b].cmp(&degree[a]).then(api.classes[a].name.cmp(&api.classes[b].name)));
    let mut pos = vec![(0usize, 0usize); n];
    for (slot, &i) in order.iter().enumerate() {
        let (row, col) = (slot / COLS, slot % COLS);
        pos[i] = (MARGIN + col * (W + GAP_X), MARGIN + row * (H + GAP_Y));
    }
    let rows = n.div_ceil(COLS);
    let width = 2 * MARGIN + COLS * W + (COLS - 1) * GAP_X;
    let height = 2 * MARGIN + rows * H + rows.saturating_sub(1) * GAP_Y;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">"
    );
    let _ = writeln!(s, "  <title>Classes of the {} and the references between them</title>", escape(&api.name));
    let _ = writeln!(s, "  <g stroke=\"#8899aa\" stroke-opacity=\"0.35\" fill=\"none\">");
    for &(a, b) in &edges {
        let (ax, ay) = (pos[a].0 + W / 2, pos[a].1 + H / 2);
        let (bx, by) = (pos[b].0 + W / 2, pos[b].1 + H / 2);
        let _ = writeln!(
            s,
            "    <line x1=\"{ax}\" y1=\"{ay}\" x2=\"{bx}\" y2=\"{by}\"><title>{} refers to {}</title></line>",
            escape(&api.classes[a].name),
            escape(&api.classes[b].name)
        );
    }
    let _ = writeln!(s, "  </g>");
    for (i, c) in api.classes.iter().enumerate() {
        let (x, y) = pos[i];
        let fill = if c.lifecycle.is_deprecated() { "#eeeeee" } else { "#e8f1fb" };
        let _ = writeln!(s, "  <a xlink:href=\"classes/{0}.md\" href=\"classes/{0}.md\">", escape(&c.name));
        let _ = writeln!(s, "    <title>{}</title>", escape(c.description.trim()));
        let _ = writeln!(s, "    <rect x=\"{x}\" y=\"{y}\" width=\"{W}\" height=\"{H}\" rx=\"6\" fill=\"{fill}\" stroke=\"#336699\"/>");
        let _ = writeln!(
            s,
            "    <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" dominant-baseline=\"middle\">{}</text>",
            x + W / 2,
            y + H / 2,
            escape(&c.name)
        );
        let _ = writeln!(s, "  </a>");
    }
    s.push_str("</svg>\n");
    s
}
