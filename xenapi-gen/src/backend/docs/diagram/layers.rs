//! Layering, the first step of the layered (Sugiyama) layout: edges that
//! close a cycle are turned round, every box gets a column with at most
//! [`Graph::max_per_column`] boxes per column, and an edge that spans
//! more than one column gets a dummy slot in each column it crosses.
//!
//! Boxes sit only in every other column; the columns between carry the
//! dummies of the edges, so every edge has at least one. The first dummy
//! of an edge holds the label next to its left box (written left-aligned
//! above the edge), the last one the label next to its right box (written
//! right-aligned above the edge), and the middle one the label halfway
//! (centred above the edge).

use super::graph::Graph;

/// How many columns one step between box columns takes.
pub const STEP: usize = 2;

/// What occupies a slot of a column.
#[derive(Debug, Clone, PartialEq)]
pub enum Slot {
    /// A box: the index of its node.
    Box(usize),
    /// A point an edge passes through, with the labels written there on
    /// the left, in the middle and on the right.
    Dummy { edge: usize, left: Vec<String>, middle: Vec<String>, right: Vec<String> },
}

/// The graph in columns.
#[derive(Debug, Clone)]
pub struct Layered {
    pub slots: Vec<Slot>,
    /// The column of each slot.
    pub column: Vec<usize>,
    /// Slots by column, in their current order from top to bottom.
    pub columns: Vec<Vec<usize>>,
    /// For each edge its slots from left to right: a box, its dummies, a
    /// box.
    pub chains: Vec<Vec<usize>>,
}

/// Which edges to turn round so that the rest has no cycle: those that
/// lead back to a box on the current path of a depth-first search.
fn reversed(g: &Graph) -> Vec<bool> {
    let n = g.nodes.len();
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, e) in g.edges.iter().enumerate() {
        out[e.from].push(i);
    }
    let mut state = vec![0u8; n]; // 0 new, 1 on the path, 2 done
    let mut rev = vec![false; g.edges.len()];
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        let mut stack = vec![(root, 0usize)];
        state[root] = 1;
        while let Some(&mut (v, ref mut next)) = stack.last_mut() {
            if let Some(&e) = out[v].get(*next) {
                *next += 1;
                let w = g.edges[e].to;
                match state[w] {
                    0 => {
                        state[w] = 1;
                        stack.push((w, 0));
                    }
                    1 => rev[e] = true,
                    _ => {}
                }
            } else {
                state[v] = 2;
                stack.pop();
            }
        }
    }
    rev
}

/// Columns for a directed graph: after turning cycle edges round, each box
/// in the first column after its predecessors that has room (taken in
/// topological order, lowest index first).
fn directed_levels(g: &Graph) -> Vec<usize> {
    let n = g.nodes.len();
    let rev = reversed(g);
    let mut indeg = vec![0usize; n];
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, e) in g.edges.iter().enumerate() {
        let (a, b) = if rev[i] { (e.to, e.from) } else { (e.from, e.to) };
        if a != b {
            indeg[b] += 1;
            succ[a].push(b);
        }
    }
    let mut ready: std::collections::BTreeSet<usize> = (0..n).filter(|&v| indeg[v] == 0).collect();
    let mut level = vec![0usize; n];
    let mut earliest = vec![0usize; n];
    let mut used: Vec<usize> = Vec::new();
    let cap = g.max_per_column.max(1);
    while let Some(v) = ready.pop_first() {
        let mut l = earliest[v];
        while used.get(l).copied().unwrap_or(0) >= cap {
            l += 1;
        }
        if used.len() <= l {
            used.resize(l + 1, 0);
        }
        used[l] += 1;
        level[v] = l;
        for &w in &succ[v] {
            earliest[w] = earliest[w].max(l + 1);
            indeg[w] -= 1;
            if indeg[w] == 0 {
                ready.insert(w);
            }
        }
    }
    level
}

/// Columns for a graph whose edge directions do not matter: a greedy
/// colouring (most connected box first, each into the first column that
/// holds none of its neighbours and has room), so that no edge joins two
/// boxes of one column, then the columns in the order (of all orders for
/// up to seven columns) with the least total edge length.
fn undirected_levels(g: &Graph) -> Vec<usize> {
    let n = g.nodes.len();
    let mut near = vec![Vec::new(); n];
    for e in &g.edges {
        near[e.from].push(e.to);
        near[e.to].push(e.from);
    }
    let mut by_degree: Vec<usize> = (0..n).collect();
    by_degree.sort_by_key(|&v| (std::cmp::Reverse(near[v].len()), v));
    let cap = g.max_per_column.max(1);
    let mut colour = vec![usize::MAX; n];
    let mut used: Vec<usize> = Vec::new();
    for v in by_degree {
        let c = (0..)
            .find(|&c| used.get(c).copied().unwrap_or(0) < cap && !near[v].iter().any(|&w| colour[w] == c))
            .expect("some column is free");
        if used.len() <= c {
            used.resize(c + 1, 0);
        }
        used[c] += 1;
        colour[v] = c;
    }
    let k = used.len();
    if !(2..=7).contains(&k) {
        return colour;
    }
    let length =
        |perm: &[usize]| -> usize { g.edges.iter().map(|e| perm[colour[e.from]].abs_diff(perm[colour[e.to]])).sum() };
    let mut perm: Vec<usize> = (0..k).collect();
    let mut best = (length(&perm), perm.clone());
    // Heap's algorithm over every order of the columns.
    let mut c = vec![0usize; k];
    let mut i = 0;
    while i < k {
        if c[i] < i {
            let j = if i % 2 == 0 { 0 } else { c[i] };
            perm.swap(j, i);
            let len = length(&perm);
            if len < best.0 {
                best = (len, perm.clone());
            }
            c[i] += 1;
            i = 0;
        } else {
            c[i] = 0;
            i += 1;
        }
    }
    colour.iter().map(|&c| best.1[c]).collect()
}

/// Lays the graph out in columns.
pub fn layer(g: &Graph) -> Layered {
    let n = g.nodes.len();
    let level = if g.directed { directed_levels(g) } else { undirected_levels(g) };
    // Every edge runs left to right.
    let rev: Vec<bool> = g.edges.iter().map(|e| level[e.from] > level[e.to]).collect();
    let ends = |i: usize| {
        let e = &g.edges[i];
        if rev[i] {
            (e.to, e.from)
        } else {
            (e.from, e.to)
        }
    };
    let mut slots: Vec<Slot> = (0..n).map(Slot::Box).collect();
    let mut column: Vec<usize> = level.iter().map(|l| l * STEP).collect();
    let mut chains = Vec::with_capacity(g.edges.len());
    for (i, e) in g.edges.iter().enumerate() {
        let (a, b) = ends(i);
        let (near_a, near_b) = if rev[i] { (&e.at_to, &e.at_from) } else { (&e.at_from, &e.at_to) };
        let (ca, cb) = (column[a], column[b]);
        let mut chain = vec![a];
        for c in ca + 1..cb {
            let (mut left, mut middle, mut right) = (Vec::new(), Vec::new(), Vec::new());
            if c == ca + 1 {
                left.extend(near_a.iter().cloned());
            }
            if c == ca + 1 + (cb - ca - 2) / 2 {
                middle.extend(e.middle.iter().cloned());
            }
            if c == cb - 1 {
                right.extend(near_b.iter().cloned());
            }
            chain.push(slots.len());
            slots.push(Slot::Dummy { edge: i, left, middle, right });
            column.push(c);
        }
        chain.push(b);
        chains.push(chain);
    }
    let width = column.iter().max().map_or(0, |m| m + 1);
    let mut columns = vec![Vec::new(); width];
    for (s, &c) in column.iter().enumerate() {
        columns[c].push(s);
    }
    Layered { slots, column, columns, chains }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::docs::diagram::graph::{Edge, Node};

    fn graph(n: usize, edges: &[(usize, usize)], cap: usize) -> Graph {
        Graph {
            title: String::new(),
            nodes: (0..n).map(|_| Node { lines: Vec::new(), title: String::new(), fill: "#fff" }).collect(),
            edges: edges
                .iter()
                .map(|&(from, to)| Edge {
                    from,
                    to,
                    at_from: vec!["a".into()],
                    at_to: vec!["b".into()],
                    middle: vec![],
                    title: String::new(),
                })
                .collect(),
            max_per_column: cap,
            directed: true,
        }
    }

    #[test]
    fn a_cycle_is_broken_and_every_chain_steps_one_column_at_a_time() {
        let l = layer(&graph(3, &[(0, 1), (1, 2), (2, 0)], 8));
        for chain in &l.chains {
            for w in chain.windows(2) {
                assert_eq!(l.column[w[1]], l.column[w[0]] + 1, "{chain:?}");
            }
            assert!(
                matches!(l.slots[chain[0]], Slot::Box(_)) && matches!(l.slots[*chain.last().unwrap()], Slot::Box(_))
            );
        }
    }

    #[test]
    fn a_full_column_overflows_and_long_edges_get_dummies_with_labels_at_the_ends() {
        // 0 -> 1..=4 with two boxes a column: 0 | 1 2 | 3 4.
        let l = layer(&graph(5, &[(0, 1), (0, 2), (0, 3), (0, 4)], 2));
        assert_eq!((l.column[0], l.column[1], l.column[3]), (0, STEP, 2 * STEP));
        let long = &l.chains[2];
        assert_eq!(long.len(), 2 * STEP + 1);
        let label = |s: usize| match &l.slots[s] {
            Slot::Dummy { left, right, .. } => (left.clone(), right.clone()),
            Slot::Box(_) => panic!("a box inside a chain"),
        };
        assert_eq!(label(long[1]), (vec!["a".to_string()], vec![]));
        assert_eq!(label(long[long.len() - 2]), (vec![], vec!["b".to_string()]));
        assert_eq!(label(long[2]), (vec![], vec![]));
        // One step: both labels on the one dummy.
        assert_eq!(label(l.chains[0][1]), (vec!["a".to_string()], vec!["b".to_string()]));
    }
}

#[cfg(test)]
mod undirected {
    use super::*;
    use crate::backend::docs::diagram::graph::{Edge, Node};

    #[test]
    fn no_edge_stays_in_one_column_and_a_hub_goes_in_the_middle() {
        // A triangle 0-1-2 and a hub 3 joined to all: four columns at
        // most, none holding both ends of an edge, and the hub not at an
        // end when that makes edges longer.
        let pairs = [(0, 1), (1, 2), (2, 0), (3, 0), (3, 1), (3, 2), (3, 4), (4, 5)];
        let g = Graph {
            title: String::new(),
            nodes: (0..6).map(|_| Node { lines: Vec::new(), title: String::new(), fill: "#fff" }).collect(),
            edges: pairs
                .iter()
                .map(|&(from, to)| Edge {
                    from,
                    to,
                    at_from: vec![],
                    at_to: vec![],
                    middle: vec![],
                    title: String::new(),
                })
                .collect(),
            max_per_column: 3,
            directed: false,
        };
        let level = undirected_levels(&g);
        for &(a, b) in &pairs {
            assert_ne!(level[a], level[b], "{level:?}");
        }
        let l = layer(&g);
        for chain in &l.chains {
            for w in chain.windows(2) {
                assert_eq!(l.column[w[1]], l.column[w[0]] + 1);
            }
        }
    }
}
