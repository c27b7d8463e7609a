//! What a diagram shows before it is laid out (boxes and the edges between
//! them, with their text), and the drawing after layout (rectangles,
//! polylines and placed labels) that the SVG writer and the geometry
//! tests read.

/// Text metrics: every text is set in a monospace font, so its width is its
/// length times a fixed advance (DejaVu Sans Mono advances 0.602 em; a
/// little more is allowed so that other monospace fonts fit too).
pub const FONT: &str = "DejaVu Sans Mono, Menlo, Consolas, monospace";
/// Font size of box text.
pub const BOX_FONT: f64 = 13.0;
/// Font size of edge labels.
pub const LABEL_FONT: f64 = 12.0;
const ADVANCE: f64 = 0.62;

/// The width `text` takes at `size`.
pub fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * ADVANCE
}

/// The height of one line of text at `size`.
pub fn line_height(size: f64) -> f64 {
    (size * 1.35).round()
}

/// One line of text in a box, optionally a link.
#[derive(Debug, Clone)]
pub struct BoxLine {
    pub text: String,
    pub href: Option<String>,
    pub bold: bool,
}

/// A box to lay out.
#[derive(Debug, Clone)]
pub struct Node {
    pub lines: Vec<BoxLine>,
    /// A tooltip (the class description).
    pub title: String,
    pub fill: &'static str,
}

/// An edge to lay out.
#[derive(Debug, Clone)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    /// Label lines written next to `from`.
    pub at_from: Vec<String>,
    /// Label lines written next to `to`.
    pub at_to: Vec<String>,
    /// Label lines written halfway.
    pub middle: Vec<String>,
    /// A tooltip.
    pub title: String,
}

/// A diagram to lay out.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    /// What the SVG's `<title>` says.
    pub title: String,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    /// At most this many boxes share one column.
    pub max_per_column: usize,
    /// Whether edge directions decide the columns (`from` left of `to`,
    /// unless that would close a cycle); if not, the columns are chosen
    /// to keep edges short and the edges run either way.
    pub directed: bool,
}

/// An axis-aligned rectangle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    /// Whether the interiors of two rectangles meet.
    pub fn overlaps(&self, o: &Rect) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.y + o.h && o.y < self.y + self.h
    }

    /// Whether the segment from `a` to `b` passes through the interior.
    pub fn cut_by(&self, a: (f64, f64), b: (f64, f64)) -> bool {
        // Liang-Barsky clipping against the open rectangle.
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let (mut t0, mut t1) = (0.0f64, 1.0f64);
        let eps = 1e-6;
        for (p, q) in [
            (-dx, a.0 - (self.x + eps)),
            (dx, (self.x + self.w - eps) - a.0),
            (-dy, a.1 - (self.y + eps)),
            (dy, (self.y + self.h - eps) - a.1),
        ] {
            if p == 0.0 {
                if q < 0.0 {
                    return false;
                }
            } else {
                let t = q / p;
                if p < 0.0 {
                    t0 = t0.max(t);
                } else {
                    t1 = t1.min(t);
                }
            }
        }
        t0 < t1
    }
}

/// A placed box.
#[derive(Debug, Clone)]
pub struct PlacedBox {
    pub rect: Rect,
    pub node: Node,
}

/// A placed block of label text: its lines, where they start (or end, for
/// a block flush right), the baseline of the first and the rectangle the
/// text takes.
#[derive(Debug, Clone)]
pub struct PlacedLabel {
    pub lines: Vec<String>,
    pub x: f64,
    pub flush_right: bool,
    pub baseline: f64,
    pub rect: Rect,
}

/// A routed edge: the boxes it joins (indexes into [`Layout::boxes`]), its
/// polyline and its labels.
#[derive(Debug, Clone)]
pub struct PlacedEdge {
    pub from: usize,
    pub to: usize,
    pub points: Vec<(f64, f64)>,
    pub labels: Vec<PlacedLabel>,
    pub title: String,
}

/// A laid-out diagram.
#[derive(Debug, Clone)]
pub struct Layout {
    pub title: String,
    pub width: f64,
    pub height: f64,
    pub boxes: Vec<PlacedBox>,
    pub edges: Vec<PlacedEdge>,
}
