//! The files that make `generated/docs` an mdBook: `book.toml` (the
//! Markdown pages are the book's sources where they lie, the HTML goes to
//! `book/`, which git ignores) and `SUMMARY.md`, the table of contents.

use super::class_page;
use crate::model::Api;
use askama::Template;

/// Where `mdbook build` writes the site, relative to the docs root.
pub const BUILD_DIR: &str = "book";

/// `404.md`, the site's page for an address it does not have. It has no
/// heading on purpose: mdBook serves it under `<base href="/">`, where
/// the link it puts on a heading (`#its-id`) would point into the index.
pub const NOT_FOUND: &str = include_str!("templates/404.md");

#[derive(Template)]
#[template(path = "docs/templates/book.toml", escape = "none")]
struct BookTpl {
    /// A TOML basic string, quotes included.
    title: String,
    build_dir: &'static str,
}

/// `book.toml`.
pub fn config(api: &Api) -> String {
    // A JSON string is also a valid TOML basic string: the same escapes.
    let title = serde_json::to_string(&format!("{} reference", api.name)).expect("a string serializes");
    BookTpl { title, build_dir: BUILD_DIR }.render().expect("book.toml renders")
}

#[derive(Template)]
#[template(path = "docs/templates/SUMMARY.md", escape = "none")]
struct SummaryTpl {
    title: String,
    /// (name, page, deprecated), in alphabetical order.
    classes: Vec<(String, String, bool)>,
}

/// `SUMMARY.md`: the index, every class in alphabetical order (case
/// ignored, so that `VM` sits among the `v`s), the errors and the
/// release history.
pub fn summary(api: &Api) -> String {
    let mut classes: Vec<(String, String, bool)> =
        api.classes.iter().map(|c| (c.name.clone(), class_page(&c.name), c.lifecycle.is_deprecated())).collect();
    classes.sort_by_cached_key(|(name, ..)| (name.to_lowercase(), name.clone()));
    SummaryTpl { title: format!("{} reference", api.name), classes }.render().expect("SUMMARY.md renders")
}
