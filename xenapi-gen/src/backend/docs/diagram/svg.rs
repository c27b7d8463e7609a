//! Writes a laid-out diagram as SVG. Every text goes through [`escape`].

use super::graph::{line_height, Layout, BOX_FONT, FONT, LABEL_FONT};
use std::fmt::Write;

/// Text safe in XML content and in attribute values (character references,
/// which every XML and HTML reader knows).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&#38;"),
            '<' => out.push_str("&#60;"),
            '>' => out.push_str("&#62;"),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A number as SVG wants it: no trailing `.0`.
fn n(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r}")
    }
}

pub fn render(l: &Layout) -> String {
    let mut s = String::new();
    let (w, h) = (n(l.width), n(l.height));
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{FONT}" font-size="{}">"#,
        n(BOX_FONT)
    );
    let _ = writeln!(s, "  <title>{}</title>", escape(&l.title));
    let _ = writeln!(s, r##"  <rect width="{w}" height="{h}" fill="#ffffff"/>"##);
    let _ = writeln!(s, r##"  <g fill="none" stroke="#6a7f94" stroke-width="1.4" stroke-linejoin="round">"##);
    for e in &l.edges {
        let pts: Vec<String> = e.points.iter().map(|(x, y)| format!("{},{}", n(*x), n(*y))).collect();
        let _ =
            writeln!(s, r#"    <polyline points="{}"><title>{}</title></polyline>"#, pts.join(" "), escape(&e.title));
    }
    let _ = writeln!(s, "  </g>");
    let _ = writeln!(s, r##"  <g font-size="{}" fill="#2a3a4a">"##, n(LABEL_FONT));
    let llh = line_height(LABEL_FONT);
    for label in l.edges.iter().flat_map(|e| &e.labels) {
        for (i, line) in label.lines.iter().enumerate() {
            let end = if label.flush_right { r#" text-anchor="end""# } else { "" };
            let _ = writeln!(
                s,
                r#"    <text x="{}" y="{}"{end}>{}</text>"#,
                n(label.x),
                n(label.baseline + i as f64 * llh),
                escape(line)
            );
        }
    }
    let _ = writeln!(s, "  </g>");
    let lh = line_height(BOX_FONT);
    for b in &l.boxes {
        let r = b.rect;
        let _ = writeln!(s, "  <g>");
        let _ = writeln!(s, "    <title>{}</title>", escape(&b.node.title));
        let _ = writeln!(
            s,
            r##"    <rect x="{}" y="{}" width="{}" height="{}" rx="5" fill="{}" stroke="#33597f" stroke-width="1.2"/>"##,
            n(r.x),
            n(r.y),
            n(r.w),
            n(r.h),
            b.node.fill
        );
        let block = b.node.lines.len() as f64 * lh;
        let first = r.y + (r.h - block) / 2.0 + lh * 0.72;
        for (i, line) in b.node.lines.iter().enumerate() {
            let weight = if line.bold { r#" font-weight="bold""# } else { "" };
            let text = format!(
                r#"<text x="{}" y="{}" text-anchor="middle"{weight}>{}</text>"#,
                n(r.x + r.w / 2.0),
                n(first + i as f64 * lh),
                escape(&line.text)
            );
            match &line.href {
                Some(href) => {
                    let _ = writeln!(s, r#"    <a href="{}" target="_top">{text}</a>"#, escape(href));
                }
                None => {
                    let _ = writeln!(s, "    {text}");
                }
            }
        }
        let _ = writeln!(s, "  </g>");
    }
    s.push_str("</svg>\n");
    s
}
