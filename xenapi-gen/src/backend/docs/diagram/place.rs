//! Coordinate assignment and routing, the last step. Columns get the width
//! of their widest slot; within a column the slots keep their order and
//! are pulled towards their neighbours (a least-squares fit under the
//! order, solved column by column with pool-adjacent-violators). Every
//! edge then runs straight through each column it crosses, at the height
//! its slot reserved there, and diagonally only in the gaps between
//! columns, where nothing else is: so no edge passes through a box and no
//! label sits on a box or on another label.

use super::graph::{
    line_height, text_width, Graph, Layout, PlacedBox, PlacedEdge, PlacedLabel, Rect, BOX_FONT, LABEL_FONT,
};
use super::layers::{Layered, Slot};
use super::order::Links;

const MARGIN: f64 = 16.0;
/// Space between neighbouring columns, where edges change height.
const GAP: f64 = 34.0;
/// Space between neighbouring slots of a column.
const SEP: f64 = 10.0;
const BOX_PAD_X: f64 = 10.0;
const BOX_PAD_Y: f64 = 7.0;
/// Height reserved for an edge passing a column without a label.
const PASS: f64 = 8.0;
/// Distance between the points where edges meet the side of a box.
const PORT_GAP: f64 = 9.0;
const LABEL_PAD: f64 = 6.0;
/// Least space between a left and a right label above the same edge.
const LABEL_APART: f64 = 18.0;
/// The width a side without a label takes above a labelled edge.
const EMPTY_SIDE: f64 = 60.0;
/// Rounds of moving slots towards their neighbours.
const ROUNDS: usize = 12;

/// The size of a slot and the height (from its top) edges pass it at.
struct Size {
    w: f64,
    h: f64,
    anchor: f64,
}

fn sizes(g: &Graph, l: &Layered, links: &Links) -> Vec<Size> {
    let lh = line_height(BOX_FONT);
    let llh = line_height(LABEL_FONT);
    l.slots
        .iter()
        .enumerate()
        .map(|(s, slot)| match slot {
            Slot::Box(n) => {
                let lines = &g.nodes[*n].lines;
                let w = lines.iter().map(|t| text_width(&t.text, BOX_FONT)).fold(0.0, f64::max) + 2.0 * BOX_PAD_X;
                let ports = links.before[s].len().max(links.after[s].len()) as f64;
                let h = (lines.len() as f64 * lh + 2.0 * BOX_PAD_Y).max((ports + 1.0) * PORT_GAP);
                Size { w: w.ceil(), h: h.ceil(), anchor: (h / 2.0).ceil() }
            }
            Slot::Dummy { left, middle, right, .. } if left.is_empty() && middle.is_empty() && right.is_empty() => {
                Size { w: 0.0, h: PASS, anchor: PASS / 2.0 }
            }
            Slot::Dummy { left, middle, right, .. } => {
                // An empty end still takes some room when the other has a
                // label, so that a label on its own is plainly at one end.
                let ends = if left.is_empty() && right.is_empty() {
                    0.0
                } else {
                    block_width(left).max(EMPTY_SIDE) + block_width(right).max(EMPTY_SIDE) + LABEL_APART
                };
                let text = (left.len().max(right.len()) + middle.len()) as f64 * llh;
                Size { w: (ends.max(block_width(middle)) + 2.0 * LABEL_PAD).ceil(), h: text + 5.0, anchor: text + 3.0 }
            }
        })
        .collect()
}

/// The width of a block of label lines.
fn block_width(lines: &[String]) -> f64 {
    lines.iter().map(|t| text_width(t, LABEL_FONT)).fold(0.0, f64::max)
}

/// Positions `want` (tops) as closely as possible in least squares while
/// each slot stays at least its height plus [`SEP`] below the one before:
/// isotonic regression of the wanted tops less the minimum offsets.
fn fit(want: &[f64], heights: &[f64]) -> Vec<f64> {
    let mut offset = Vec::with_capacity(want.len());
    let mut o = 0.0;
    for h in heights {
        offset.push(o);
        o += h + SEP;
    }
    // Blocks of (sum, count), merged while they decrease.
    let mut blocks: Vec<(f64, usize)> = Vec::new();
    for (w, o) in want.iter().zip(&offset) {
        blocks.push((w - o, 1));
        while blocks.len() > 1 {
            let (s2, n2) = blocks[blocks.len() - 1];
            let (s1, n1) = blocks[blocks.len() - 2];
            if s1 / n1 as f64 <= s2 / n2 as f64 {
                break;
            }
            blocks.pop();
            *blocks.last_mut().expect("two blocks") = (s1 + s2, n1 + n2);
        }
    }
    let mut out = Vec::with_capacity(want.len());
    for (s, n) in blocks {
        out.extend(std::iter::repeat_n(s / n as f64, n));
    }
    out.iter().zip(&offset).map(|(z, o)| z + o).collect()
}

pub fn place(g: &Graph, l: &Layered, links: &Links) -> Layout {
    let size = sizes(g, l, links);
    // Columns from left to right.
    let widths: Vec<f64> = l.columns.iter().map(|c| c.iter().map(|&s| size[s].w).fold(0.0, f64::max)).collect();
    let mut left = Vec::with_capacity(widths.len());
    let mut x = MARGIN;
    for w in &widths {
        left.push(x);
        x += w + GAP;
    }
    let width = (x - GAP + MARGIN).max(2.0 * MARGIN).ceil();
    // Tops: stacked, then pulled towards the neighbours.
    let mut top = vec![0.0; l.slots.len()];
    for col in &l.columns {
        let mut y = 0.0;
        for &s in col {
            top[s] = y;
            y += size[s].h + SEP;
        }
        for &s in col {
            top[s] -= y / 2.0;
        }
    }
    for round in 0..ROUNDS {
        let order: Vec<usize> =
            if round % 2 == 0 { (0..l.columns.len()).collect() } else { (0..l.columns.len()).rev().collect() };
        for c in order {
            let col = &l.columns[c];
            if col.is_empty() {
                continue;
            }
            let want: Vec<f64> = col
                .iter()
                .map(|&s| {
                    let near: Vec<f64> =
                        links.before[s].iter().chain(&links.after[s]).map(|&t| top[t] + size[t].anchor).collect();
                    if near.is_empty() {
                        top[s]
                    } else {
                        near.iter().sum::<f64>() / near.len() as f64 - size[s].anchor
                    }
                })
                .collect();
            let heights: Vec<f64> = col.iter().map(|&s| size[s].h).collect();
            for (&s, y) in col.iter().zip(fit(&want, &heights)) {
                top[s] = y;
            }
        }
    }
    let min = top.iter().copied().fold(f64::INFINITY, f64::min);
    let shift = if min.is_finite() { MARGIN - min } else { MARGIN };
    for t in &mut top {
        *t = (*t + shift).round();
    }
    let height = (l.slots.iter().enumerate().map(|(s, _)| top[s] + size[s].h).fold(MARGIN, f64::max) + MARGIN).ceil();
    // Boxes, centred in their columns.
    let mut boxes = Vec::with_capacity(g.nodes.len());
    for (s, slot) in l.slots.iter().enumerate() {
        if let Slot::Box(n) = slot {
            let c = l.column[s];
            let rect =
                Rect { x: (left[c] + (widths[c] - size[s].w) / 2.0).round(), y: top[s], w: size[s].w, h: size[s].h };
            boxes.push((n, rect));
        }
    }
    boxes.sort_by_key(|b| *b.0);
    let rect_of = |s: usize| match l.slots[s] {
        Slot::Box(n) => boxes[n].1,
        Slot::Dummy { .. } => unreachable!("only boxes have rectangles"),
    };
    // Where edges meet each box: spread along its side in the order of
    // the slots they come from.
    let mut port = vec![(0.0, 0.0); l.chains.len()]; // (at the start, at the end)
    for (s, slot) in l.slots.iter().enumerate() {
        if !matches!(slot, Slot::Box(_)) {
            continue;
        }
        for (out, side) in [(true, &links.after[s]), (false, &links.before[s])] {
            let mut ends: Vec<(f64, usize)> = Vec::new();
            for (e, chain) in l.chains.iter().enumerate() {
                let (here, next) =
                    if out { (chain[0], chain[1]) } else { (chain[chain.len() - 1], chain[chain.len() - 2]) };
                if here == s && side.contains(&next) {
                    ends.push((top[next] + size[next].anchor, e));
                }
            }
            ends.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let n = ends.len() as f64;
            for (i, &(_, e)) in ends.iter().enumerate() {
                let y = (top[s] + size[s].h * (i as f64 + 1.0) / (n + 1.0)).round();
                if out {
                    port[e].0 = y;
                } else {
                    port[e].1 = y;
                }
            }
        }
    }
    let llh = line_height(LABEL_FONT);
    let edges = l
        .chains
        .iter()
        .enumerate()
        .map(|(e, chain)| {
            let (first, last) = (chain[0], chain[chain.len() - 1]);
            let (a, b) = (rect_of(first), rect_of(last));
            let (ca, cb) = (l.column[first], l.column[last]);
            let mut points = vec![(a.x + a.w, port[e].0), (left[ca] + widths[ca], port[e].0)];
            let mut labels = Vec::new();
            for &d in &chain[1..chain.len() - 1] {
                let c = l.column[d];
                let y = top[d] + size[d].anchor;
                points.push((left[c], y));
                points.push((left[c] + widths[c], y));
                if let Slot::Dummy { left: at_left, middle, right: at_right, .. } = &l.slots[d] {
                    // The end labels end just above the edge, the middle
                    // one above them.
                    let bottom = top[d] + size[d].anchor - 3.0;
                    let above_ends = at_left.len().max(at_right.len()) as f64 * llh;
                    for (lines, align, bottom) in
                        [(at_left, 0, bottom), (at_right, 2, bottom), (middle, 1, bottom - above_ends)]
                    {
                        if lines.is_empty() {
                            continue;
                        }
                        let w = block_width(lines);
                        let h = lines.len() as f64 * llh;
                        let x = match align {
                            0 => left[c] + LABEL_PAD,
                            1 => left[c] + (widths[c] - w) / 2.0,
                            _ => left[c] + widths[c] - LABEL_PAD - w,
                        };
                        labels.push(PlacedLabel {
                            lines: lines.clone(),
                            x: if align == 2 { x + w } else { x },
                            flush_right: align == 2,
                            baseline: bottom - h + llh - 4.0,
                            rect: Rect { x, y: bottom - h, w, h },
                        });
                    }
                }
            }
            points.push((left[cb], port[e].1));
            points.push((b.x, port[e].1));
            points.dedup();
            let node = |s: usize| match l.slots[s] {
                Slot::Box(n) => n,
                Slot::Dummy { .. } => unreachable!("chains start and end at boxes"),
            };
            PlacedEdge { from: node(first), to: node(last), points, labels, title: g.edges[e].title.clone() }
        })
        .collect();
    Layout {
        title: g.title.clone(),
        width,
        height,
        boxes: boxes.into_iter().map(|(n, rect)| PlacedBox { rect, node: g.nodes[*n].clone() }).collect(),
        edges,
    }
}

#[cfg(test)]
mod tests {
    use super::fit;

    #[test]
    fn the_fit_keeps_order_and_spacing_and_hits_free_targets() {
        // Wanted tops 0 and 0 for two boxes of height 10: they share the
        // overlap equally around the wanted place.
        let y = fit(&[0.0, 0.0], &[10.0, 10.0]);
        assert_eq!(y, vec![-10.0, 10.0]);
        // Far apart: each where it wants to be.
        assert_eq!(fit(&[0.0, 100.0], &[10.0, 10.0]), vec![0.0, 100.0]);
    }
}
