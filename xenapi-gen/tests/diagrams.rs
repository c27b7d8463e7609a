//! The class diagrams: every class is in one topic, the layouts keep edges
//! out of boxes and labels apart, each diagram draws the model's
//! references, and the SVG renders to a picture of the expected size.

mod common;

use std::path::Path;
use std::process::Command;
use xenapi_gen::backend::docs::diagram::graph::{Layout, Rect};
use xenapi_gen::backend::docs::diagram::{self, links};
use xenapi_gen::backend::docs::topics::{listed_topic, TOPICS};
use xenapi_gen::model::Api;

fn api() -> Api {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    xenapi_gen::load_schema(&root.join("schema")).unwrap_or_else(|d| panic!("{d}"))
}

#[test]
fn every_class_is_in_exactly_one_topic_and_the_table_names_only_classes() {
    let api = api();
    for c in &api.classes {
        let holders: Vec<&str> =
            TOPICS.iter().filter(|(_, cs)| cs.contains(&c.name.as_str())).map(|(t, _)| *t).collect();
        assert_eq!(holders.len(), 1, "class {} is in topics {holders:?}", c.name);
        assert!(listed_topic(&c.name).is_some());
    }
    for (t, classes) in TOPICS {
        for name in *classes {
            assert!(api.class(name).is_some(), "topic {t} lists {name}, which the schema does not have");
        }
    }
}

/// Everything that is wrong with the geometry of a layout.
fn faults(name: &str, l: &Layout) -> Vec<String> {
    let mut out = Vec::new();
    let canvas = Rect { x: 0.0, y: 0.0, w: l.width, h: l.height };
    let inside = |r: &Rect| r.x >= canvas.x && r.y >= canvas.y && r.x + r.w <= canvas.w && r.y + r.h <= canvas.h;
    for (i, b) in l.boxes.iter().enumerate() {
        if !inside(&b.rect) {
            out.push(format!("{name}: box {i} {:?} leaves the canvas", b.rect));
        }
        for (j, c) in l.boxes.iter().enumerate().skip(i + 1) {
            if b.rect.overlaps(&c.rect) {
                out.push(format!("{name}: boxes {i} and {j} overlap"));
            }
        }
    }
    let labels: Vec<(usize, Rect)> =
        l.edges.iter().enumerate().flat_map(|(e, edge)| edge.labels.iter().map(move |lb| (e, lb.rect))).collect();
    for (k, (e, r)) in labels.iter().enumerate() {
        if !inside(r) {
            out.push(format!("{name}: a label of edge {e} {r:?} leaves the canvas"));
        }
        for (i, b) in l.boxes.iter().enumerate() {
            if r.overlaps(&b.rect) {
                out.push(format!("{name}: a label of edge {e} overlaps box {i}"));
            }
        }
        for (f, other) in &labels[k + 1..] {
            if r.overlaps(other) {
                out.push(format!("{name}: labels of edges {e} and {f} overlap"));
            }
        }
    }
    for (e, edge) in l.edges.iter().enumerate() {
        if edge.points.len() < 2 {
            out.push(format!("{name}: edge {e} has no segment"));
        }
        for w in edge.points.windows(2) {
            for (i, b) in l.boxes.iter().enumerate() {
                if i != edge.from && i != edge.to && b.rect.cut_by(w[0], w[1]) {
                    out.push(format!("{name}: edge {e} ({}) passes through box {i}", edge.title));
                }
            }
            for (f, other) in l.edges.iter().enumerate() {
                for lb in other.labels.iter() {
                    if f != e && lb.rect.cut_by(w[0], w[1]) {
                        out.push(format!("{name}: edge {e} runs through a label of edge {f}"));
                    }
                }
            }
        }
        // The ends touch the borders of the two boxes.
        let (first, last) = (edge.points[0], edge.points[edge.points.len() - 1]);
        let on_border = |r: &Rect, p: (f64, f64)| {
            ((p.0 - r.x).abs() < 0.5 || (p.0 - r.x - r.w).abs() < 0.5) && p.1 >= r.y && p.1 <= r.y + r.h
        };
        if !on_border(&l.boxes[edge.from].rect, first) || !on_border(&l.boxes[edge.to].rect, last) {
            out.push(format!("{name}: edge {e} does not end on its boxes"));
        }
    }
    out
}

#[test]
fn no_edge_passes_through_a_box_and_nothing_overlaps_in_any_diagram() {
    let api = api();
    let (classes, overview) = diagram::layouts(&api);
    assert!(classes.len() > 60);
    let mut all = faults("overview", &overview);
    for (name, l) in &classes {
        all.extend(faults(name, l));
    }
    // The API at its first release and a small schema of other classes
    // (all in the catch-all topic) lay out as cleanly.
    let first = api.releases[0].code.clone();
    let old = api.at_release(&first).expect("the first release");
    let mini = xenapi_gen::load_schema(&common::mini()).unwrap_or_else(|d| panic!("{d}"));
    for (label, other) in [(first.as_str(), &old), ("mini", &mini)] {
        let (classes, overview) = diagram::layouts(other);
        assert_eq!(classes.len(), other.classes.len());
        all.extend(faults(&format!("{label} overview"), &overview));
        for (name, l) in &classes {
            all.extend(faults(&format!("{label} {name}"), l));
        }
    }
    assert!(all.is_empty(), "{} faults:\n{}", all.len(), all.join("\n"));
    // The check itself sees a fault: an edge between two other boxes
    // drawn straight across the VM box.
    let mut broken = classes.iter().find(|(n, _)| n == "VM").unwrap().1.clone();
    let r = broken.boxes[0].rect;
    let edge = &mut broken.edges[0];
    (edge.from, edge.to) = (1, 2);
    edge.points = vec![(r.x - 5.0, r.y + r.h / 2.0), (r.x + r.w + 5.0, r.y + r.h / 2.0)];
    let found = faults("broken", &broken);
    assert!(found.iter().any(|f| f.contains("passes through box 0")), "{found:?}");
}

#[test]
fn each_class_diagram_draws_every_reference_of_the_class_once_with_its_field_names() {
    let api = api();
    let all = links::links(&api);
    for (c, class) in api.classes.iter().enumerate() {
        let g = diagram::class_graph(&api, &all, c);
        let mut others: Vec<usize> = api
            .references()
            .iter()
            .filter_map(|r| match (r.from.0 as usize, r.to.0 as usize) {
                (a, b) if a == c => Some(b),
                (a, b) if b == c => Some(a),
                _ => None,
            })
            .collect();
        others.sort();
        others.dedup();
        assert_eq!(g.nodes.len(), others.len() + 1, "{}", class.name);
        assert_eq!(g.edges.len(), others.len(), "{}: one edge per related class", class.name);
    }
    // VM.VBDs and VBD.VM are one edge, each name next to its own class.
    let vm = api.classes.iter().position(|c| c.name == "VM").unwrap();
    let g = diagram::class_graph(&api, &all, vm);
    let name = |i: usize| g.nodes[i].lines[0].text.as_str();
    let vbd: Vec<_> = g.edges.iter().filter(|e| name(e.from) == "VBD" || name(e.to) == "VBD").collect();
    assert_eq!(vbd.len(), 1);
    let (at_vm, at_vbd) =
        if name(vbd[0].from) == "VM" { (&vbd[0].at_from, &vbd[0].at_to) } else { (&vbd[0].at_to, &vbd[0].at_from) };
    assert_eq!(at_vm, &vec!["VBDs (set)".to_string()]);
    assert_eq!(at_vbd, &vec!["VM (ref)".to_string()]);
    // A field naming a class in a map says so.
    let blob = g.edges.iter().find(|e| name(e.from) == "blob" || name(e.to) == "blob").expect("VM.blobs");
    assert!(blob.at_from.iter().chain(&blob.at_to).any(|l| l == "blobs (map values)"), "{blob:?}");
}

#[test]
fn a_class_diagram_links_every_box_but_its_own_class_to_its_page() {
    let api = api();
    let all = links::links(&api);
    for (c, class) in api.classes.iter().enumerate() {
        let g = diagram::class_graph(&api, &all, c);
        for l in g.nodes.iter().flat_map(|n| &n.lines) {
            let want = (l.text != class.name).then(|| format!("../classes/{}.html", l.text));
            assert_eq!(l.href, want, "{}: box {}", class.name, l.text);
        }
    }
}

#[test]
fn the_overview_lists_every_class_once_and_links_it_to_its_page() {
    let api = api();
    let g = diagram::overview_graph(&api, &links::links(&api));
    let mut listed: Vec<&str> =
        g.nodes.iter().flat_map(|n| n.lines.iter().filter(|l| l.href.is_some()).map(|l| l.text.as_str())).collect();
    for n in &g.nodes {
        for l in n.lines.iter().filter(|l| l.href.is_some()) {
            assert_eq!(l.href.as_deref(), Some(format!("../classes/{}.html", l.text).as_str()));
        }
    }
    listed.sort();
    let mut names: Vec<&str> = api.classes.iter().map(|c| c.name.as_str()).collect();
    names.sort();
    assert_eq!(listed, names);
    assert!(!g.edges.is_empty());
    for e in &g.edges {
        assert!(
            e.middle.len() == 1 && (e.middle[0].ends_with(" reference") || e.middle[0].ends_with(" references")),
            "{e:?}"
        );
    }
}

/// The `rsvg-convert` command; a missing tool fails the test (the test
/// command installs it: `bash scripts/tools.sh`).
fn rsvg() -> &'static str {
    let found = Command::new("rsvg-convert").arg("--version").output().is_ok_and(|o| o.status.success());
    assert!(found, "rsvg-convert is missing: install the Debian package librsvg2-bin (`bash scripts/tools.sh` does)");
    "rsvg-convert"
}

#[test]
fn the_vm_diagram_and_the_overview_render_to_pictures_of_their_size() {
    let tool = rsvg();
    let api = api();
    let (classes, overview) = diagram::layouts(&api);
    let vm = classes.into_iter().find(|(n, _)| n == "VM").unwrap().1;
    let dir = tempfile::tempdir().unwrap();
    for (name, layout) in [("VM", vm), ("overview", overview)] {
        let svg = dir.path().join(format!("{name}.svg"));
        let png = dir.path().join(format!("{name}.png"));
        std::fs::write(&svg, diagram::svg::render(&layout)).unwrap();
        let out = Command::new(tool).arg("-o").arg(&png).arg(&svg).output().unwrap();
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&png).unwrap()));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!((info.width as f64, info.height as f64), (layout.width, layout.height), "{name}");
        // Not blank: a good share of the pixels is ink (text, lines and
        // box fills), and there is dark ink (text) as well as light.
        let channels = info.color_type.samples();
        let pixels = buf[..info.buffer_size()].chunks(channels);
        let (mut ink, mut dark, mut total) = (0usize, 0usize, 0usize);
        for p in pixels {
            let lum = p[..3.min(channels)].iter().map(|&v| v as usize).sum::<usize>() / 3.min(channels);
            total += 1;
            if lum < 250 {
                ink += 1;
            }
            if lum < 100 {
                dark += 1;
            }
        }
        assert!(ink * 50 > total, "{name}: only {ink} of {total} pixels are not white");
        assert!(dark * 1000 > total, "{name}: only {dark} of {total} pixels are dark (no text?)");
    }
}
