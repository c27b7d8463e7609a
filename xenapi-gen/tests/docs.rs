//! The generated reference docs: every internal link (and anchor)
//! resolves, and the class diagrams are well-formed XML.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use xenapi_gen::backend::{GeneratedFile, Lang};

fn docs() -> Vec<GeneratedFile> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    xenapi_gen::Builder::new().schema(root.join("schema")).langs([Lang::Docs]).files().unwrap_or_else(|e| panic!("{e}"))
}

/// How many classes the schema has.
fn api_classes() -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    xenapi_gen::load_schema(&root.join("schema")).unwrap_or_else(|d| panic!("{d}")).classes.len()
}

/// Link targets in Markdown (`](target)`) and HTML (`href="target"`).
fn links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (open, close) in [("](", ')'), ("href=\"", '"')] {
        let mut rest = text;
        while let Some(i) = rest.find(open) {
            rest = &rest[i + open.len()..];
            if let Some(j) = rest.find(close) {
                out.push(rest[..j].to_string());
                rest = &rest[j..];
            }
        }
    }
    out
}

/// Anchors a page defines (`id="..."`).
fn anchors(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(i) = rest.find(" id=\"") {
        rest = &rest[i + 5..];
        if let Some(j) = rest.find('"') {
            out.insert(rest[..j].to_string());
        }
    }
    out
}

fn resolve(from: &str, target: &str) -> String {
    let mut parts: Vec<&str> = Path::new(from).parent().unwrap().iter().map(|p| p.to_str().unwrap()).collect();
    for seg in target.split('/') {
        match seg {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

#[test]
fn every_internal_link_resolves() {
    let files = docs();
    let pages: BTreeMap<String, String> =
        files.iter().map(|f| (f.path.clone(), String::from_utf8(f.contents.clone()).unwrap())).collect();
    assert!(pages.contains_key("docs/index.md") && pages.contains_key("docs/classes/VM.md"));
    let ids: BTreeMap<&String, BTreeSet<String>> = pages.iter().map(|(p, t)| (p, anchors(t))).collect();
    let mut broken = Vec::new();
    let mut checked = 0;
    for (path, text) in &pages {
        for link in links(text) {
            if link.starts_with("http://www.w3.org/") {
                continue; // XML namespaces in the SVG
            }
            assert!(!link.contains("://"), "{path}: external link {link}");
            checked += 1;
            let (file, anchor) = match link.split_once('#') {
                Some((f, a)) => (f, Some(a)),
                None => (link.as_str(), None),
            };
            // The diagrams link to the pages of the HTML book, which has a
            // `.html` page for each Markdown page.
            let file = match file.strip_suffix(".html") {
                Some(stem) if path.ends_with(".svg") => format!("{stem}.md"),
                _ => file.to_string(),
            };
            let target = if file.is_empty() { path.clone() } else { resolve(path, &file) };
            match ids.get(&target) {
                None => broken.push(format!("{path}: {link} (no file {target})")),
                Some(set) => {
                    if let Some(a) = anchor {
                        if !set.contains(a) {
                            broken.push(format!("{path}: {link} (no anchor {a} in {target})"));
                        }
                    }
                }
            }
        }
    }
    assert!(broken.is_empty(), "{} broken links:\n{}", broken.len(), broken.join("\n"));
    assert!(checked > 5000, "only {checked} links checked");
}

/// Checks that `bytes` is well-formed XML and counts its `<rect>`s.
fn rects(path: &str, bytes: &[u8]) -> usize {
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut buf = Vec::new();
    let (mut rects, mut depth) = (0, 0i32);
    loop {
        match reader.read_event_into(&mut buf).unwrap_or_else(|e| panic!("{path}: not XML: {e}")) {
            quick_xml::events::Event::Start(_) => depth += 1,
            quick_xml::events::Event::End(_) => depth -= 1,
            quick_xml::events::Event::Empty(e) if e.name().into_inner() == "rect" => rects += 1,
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    assert_eq!(depth, 0, "{path}: unbalanced elements");
    rects
}

#[test]
fn every_diagram_is_well_formed_xml_and_every_page_embeds_its_diagram() {
    let files = docs();
    let text = |p: &str| {
        String::from_utf8_lossy(&files.iter().find(|f| f.path == p).unwrap_or_else(|| panic!("no {p}")).contents)
            .into_owned()
    };
    let diagrams: Vec<&GeneratedFile> = files.iter().filter(|f| f.path.starts_with("docs/diagrams/")).collect();
    assert_eq!(diagrams.len(), api_classes() + 1, "a diagram per class and the overview");
    for d in &diagrams {
        // The background and at least one box.
        assert!(rects(&d.path, &d.contents) >= 2, "{}", d.path);
    }
    assert!(text("docs/index.md").contains("](diagrams/overview.svg)"), "the index embeds the overview");
    assert!(text("docs/classes/VM.md").contains("](../diagrams/VM.svg)"), "a class page embeds its diagram");
    assert!(!files.iter().any(|f| f.path == "docs/classes.svg"), "the old grid diagram is gone");
}

#[test]
fn the_diagrams_escape_what_they_write_and_draw_the_model_references() {
    let dir = common::mini_copy();
    common::apply(
        dir.path(),
        common::Edit::Replace(
            "classes/console.yaml",
            "description: A way to reach the screen or serial line of a VM.",
            "description: A VM's <screen> & \"serial\" line.",
        ),
    );
    let api = xenapi_gen::load_schema(dir.path()).unwrap_or_else(|d| panic!("{d}"));
    let files = xenapi_gen::backend::docs::generate(&api);
    let svg = files.iter().find(|f| f.path == "docs/diagrams/console.svg").expect("diagram generated");
    let text = String::from_utf8_lossy(&svg.contents);
    // Character references, which XML and HTML readers alike know.
    assert!(text.contains("<title>A VM&#39;s &#60;screen&#62; &#38; &#34;serial&#34; line.</title>"), "{text}");
    let mut reader = quick_xml::Reader::from_reader(svg.contents.as_slice());
    let mut buf = Vec::new();
    // The text of every <title>, with its character references resolved.
    let mut titles = Vec::new();
    let mut title: Option<String> = None;
    loop {
        use quick_xml::events::Event;
        match reader.read_event_into(&mut buf).unwrap_or_else(|e| panic!("not XML: {e}")) {
            Event::Start(e) if e.name().into_inner() == "title" => title = Some(String::new()),
            Event::Text(t) => title.iter_mut().for_each(|s| s.push_str(&t.xml10_content())),
            Event::GeneralRef(r) => {
                let c =
                    r.resolve_char_ref().ok().flatten().unwrap_or_else(|| panic!("not a character reference: {r:?}"));
                title.iter_mut().for_each(|s| s.push(c));
            }
            Event::End(_) => titles.extend(title.take()),
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    assert!(titles.iter().any(|t| t == "A VM's <screen> & \"serial\" line."), "{titles:?}");
    // Every reference the model gives is drawn in the diagrams of both
    // classes, on an edge whose title names the field.
    let titles_of = |class: &str| -> Vec<String> {
        let svg = files.iter().find(|f| f.path == format!("docs/diagrams/{class}.svg")).expect("a diagram per class");
        let text = String::from_utf8_lossy(&svg.contents).into_owned();
        text.split("<polyline")
            .skip(1)
            .filter_map(|p| Some(p.split_once("<title>")?.1.split_once("</title>")?.0.to_string()))
            .collect()
    };
    let refs = api.references();
    assert!(!refs.is_empty());
    for r in refs {
        let (from, to) = (api.class_at(r.from), api.class_at(r.to));
        let fields: Vec<&str> = from
            .fields
            .iter()
            .filter(|f| {
                let mut hit = false;
                f.ty.visit(&mut |t| hit |= matches!(t, xenapi_gen::model::Type::Ref(c) if *c == to.name));
                hit
            })
            .map(|f| f.name.as_str())
            .collect();
        for class in [&from.name, &to.name] {
            let titles = titles_of(class);
            for f in &fields {
                let want = format!("{}.{f} (", from.name);
                assert!(
                    titles.iter().any(|t| t.contains(&want)),
                    "{class}'s diagram has no edge for {want}: {titles:?}"
                );
            }
        }
    }
}

/// The `[title](target)` entries of a SUMMARY.md, in order.
fn summary_entries(summary: &str) -> Vec<(String, String)> {
    summary
        .lines()
        .filter_map(|l| {
            let l = l.trim_start_matches("- ");
            let (title, rest) = l.strip_prefix('[')?.split_once("](")?;
            Some((title.to_string(), rest.strip_suffix(')')?.to_string()))
        })
        .collect()
}

#[test]
fn the_book_lists_the_index_every_class_in_alphabetical_order_the_errors_and_the_releases() {
    let files = docs();
    let text = |p: &str| {
        String::from_utf8(files.iter().find(|f| f.path == p).unwrap_or_else(|| panic!("no {p}")).contents.clone())
            .unwrap()
    };
    let entries = summary_entries(&text("docs/SUMMARY.md"));
    let targets: Vec<&str> = entries.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(targets.first(), Some(&"index.md"), "{targets:?}");
    assert_eq!(targets[targets.len() - 2..], ["errors.md", "releases.md"]);
    let classes: Vec<&str> = targets[1..targets.len() - 2].to_vec();
    assert_eq!(classes.len(), api_classes(), "every class once");
    let mut sorted = classes.clone();
    sorted.sort_by_key(|t| t.to_lowercase());
    assert_eq!(classes, sorted, "alphabetical, case ignored");
    assert!(classes.contains(&"classes/VM.md") && classes.contains(&"classes/auth.md"));
    // Every page of the reference is in the book, and every entry is a page
    // (mdBook is told not to make up missing ones).
    let pages: BTreeSet<&str> = files
        .iter()
        .filter_map(|f| f.path.strip_prefix("docs/"))
        .filter(|p| p.ends_with(".md") && !["SUMMARY.md", "404.md"].contains(p))
        .collect();
    assert_eq!(pages, targets.iter().copied().collect::<BTreeSet<_>>());
    let deprecated = entries.iter().filter(|(title, _)| title.ends_with(" (deprecated)")).count();
    assert!(deprecated > 0, "deprecated classes are marked");

    let config = text("docs/book.toml");
    for want in [
        "title = \"XenAPI reference\"",
        "src = \".\"",
        "build-dir = \"book\"",
        "create-missing = false",
        "input-404 = \"404.md\"",
        "[output.html.search]\nenable = true",
    ] {
        assert!(config.contains(want), "book.toml lacks `{want}`:\n{config}");
    }
    let not_found = text("docs/404.md");
    assert!(not_found.contains("](index.md)") && !not_found.lines().any(|l| l.starts_with('#')), "{not_found}");
}

#[test]
fn the_book_title_is_a_toml_string_whatever_the_api_is_called() {
    let dir = common::mini_copy();
    common::apply(dir.path(), common::Edit::Replace("api.yaml", "name: MiniAPI", "name: 'Mini \"API\" \\ 2'"));
    let api = xenapi_gen::load_schema(dir.path()).unwrap_or_else(|d| panic!("{d}"));
    let files = xenapi_gen::backend::docs::generate(&api);
    let config = files.iter().find(|f| f.path == "docs/book.toml").expect("book.toml generated");
    let text = String::from_utf8_lossy(&config.contents);
    assert!(text.contains(r#"title = "Mini \"API\" \\ 2 reference""#), "{text}");
}

#[test]
fn a_less_than_sign_in_prose_or_a_type_starts_no_html_tag() {
    let dir = common::mini_copy();
    common::apply(
        dir.path(),
        common::Edit::Replace(
            "classes/console.yaml",
            "description: How a console is spoken to.",
            "description: How a <b>console is spoken to, if 1 < 2.",
        ),
    );
    let api = xenapi_gen::load_schema(dir.path()).unwrap_or_else(|d| panic!("{d}"));
    let files = xenapi_gen::backend::docs::generate(&api);
    let page = files.iter().find(|f| f.path == "docs/classes/console.md").expect("console page");
    let text = String::from_utf8_lossy(&page.contents);
    assert!(text.contains("How a &lt;b>console is spoken to, if 1 &lt; 2."), "{text}");
    // The real schema's `<class> record` (event.snapshot) likewise.
    let event = docs().into_iter().find(|f| f.path == "docs/classes/event.md").expect("event page");
    let text = String::from_utf8_lossy(&event.contents);
    assert!(text.contains("| &lt;class> record |") && !text.contains("<class>"), "{text}");
}
