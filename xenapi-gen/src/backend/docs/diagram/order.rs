//! Crossing reduction, the second step: the slots of each column are
//! sorted by the barycentre of their neighbours in the column before
//! (sweeping right) or after (sweeping left), and the order with the
//! fewest crossings over all sweeps is kept.

use super::layers::Layered;

/// How many sweeps (each one right then left) are tried.
const SWEEPS: usize = 8;

/// Neighbours of each slot in the column before and after it.
pub struct Links {
    pub before: Vec<Vec<usize>>,
    pub after: Vec<Vec<usize>>,
}

impl Links {
    pub fn new(l: &Layered) -> Links {
        let mut before = vec![Vec::new(); l.slots.len()];
        let mut after = vec![Vec::new(); l.slots.len()];
        for chain in &l.chains {
            for w in chain.windows(2) {
                after[w[0]].push(w[1]);
                before[w[1]].push(w[0]);
            }
        }
        Links { before, after }
    }
}

/// The position of every slot in its column.
fn positions(l: &Layered) -> Vec<usize> {
    let mut pos = vec![0; l.slots.len()];
    for col in &l.columns {
        for (i, &s) in col.iter().enumerate() {
            pos[s] = i;
        }
    }
    pos
}

/// Edge crossings between every pair of neighbouring columns.
pub fn crossings(l: &Layered, links: &Links) -> usize {
    let pos = positions(l);
    let mut total = 0;
    for col in &l.columns {
        let pairs: Vec<(usize, usize)> = col
            .iter()
            .flat_map(|&s| links.after[s].iter().map(move |&t| (s, t)))
            .map(|(s, t)| (pos[s], pos[t]))
            .collect();
        for (i, a) in pairs.iter().enumerate() {
            total += pairs[i + 1..].iter().filter(|b| (a.0 < b.0 && a.1 > b.1) || (a.0 > b.0 && a.1 < b.1)).count();
        }
    }
    total
}

/// Sorts one column by the mean position of each slot's neighbours in
/// `side`; a slot without any keeps its place.
fn sort_column(col: &mut [usize], side: &[Vec<usize>], pos: &[usize]) {
    let mut keyed: Vec<(f64, usize)> = col
        .iter()
        .enumerate()
        .map(|(i, &s)| {
            let n = &side[s];
            let key =
                if n.is_empty() { i as f64 } else { n.iter().map(|&t| pos[t] as f64).sum::<f64>() / n.len() as f64 };
            (key, s)
        })
        .collect();
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (slot, (_, s)) in col.iter_mut().zip(keyed) {
        *slot = s;
    }
}

/// Reorders the columns to reduce crossings.
pub fn order(l: &mut Layered, links: &Links) {
    let mut best = l.columns.clone();
    let mut fewest = crossings(l, links);
    for _ in 0..SWEEPS {
        if fewest == 0 {
            break;
        }
        let mut pos = positions(l);
        for c in 1..l.columns.len() {
            sort_column(&mut l.columns[c], &links.before, &pos);
            for (i, &s) in l.columns[c].iter().enumerate() {
                pos[s] = i;
            }
        }
        for c in (0..l.columns.len().saturating_sub(1)).rev() {
            sort_column(&mut l.columns[c], &links.after, &pos);
            for (i, &s) in l.columns[c].iter().enumerate() {
                pos[s] = i;
            }
        }
        let now = crossings(l, links);
        if now < fewest {
            fewest = now;
            best = l.columns.clone();
        }
    }
    l.columns = best;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::docs::diagram::layers::Slot;

    #[test]
    fn two_crossed_edges_are_uncrossed() {
        // Column 0: a b; column 1: c d; edges a-d and b-c cross.
        let mut l = Layered {
            slots: (0..4).map(Slot::Box).collect(),
            column: vec![0, 0, 1, 1],
            columns: vec![vec![0, 1], vec![2, 3]],
            chains: vec![vec![0, 3], vec![1, 2]],
        };
        let links = Links::new(&l);
        assert_eq!(crossings(&l, &links), 1);
        order(&mut l, &links);
        assert_eq!(crossings(&l, &links), 0, "{:?}", l.columns);
    }
}
