//! Comments and string literals of the generated C.

use crate::model::lifecycle::sentence;
use crate::model::Lifecycle;

const WIDTH: usize = 78;

/// Text made safe inside a C block comment: no comment delimiters, no
/// trigraphs, one line per paragraph line.
fn clean(text: &str) -> String {
    text.replace("*/", "* /").replace("/*", "/ *").replace("??", "? ?")
}

/// Wraps paragraphs (separated by empty strings or blank lines) into a
/// `/** ... */` block, each line starting with `indent`.
pub fn block(paragraphs: &[String], indent: &str) -> String {
    let mut out = format!("{indent}/**\n");
    let mut first = true;
    for para in paragraphs.iter().flat_map(|p| p.split("\n\n")) {
        let para = clean(para.trim());
        if para.is_empty() {
            continue;
        }
        if !first {
            out.push_str(&format!("{indent} *\n"));
        }
        first = false;
        for line in para.lines() {
            wrap(line.trim_end(), indent, &mut out);
        }
    }
    out.push_str(&format!("{indent} */"));
    out
}

fn wrap(line: &str, indent: &str, out: &mut String) {
    let prefix = format!("{indent} * ");
    let room = WIDTH.saturating_sub(prefix.len()).max(20);
    let lead: String = line.chars().take_while(|c| *c == ' ').collect();
    let mut current = String::new();
    for word in line.split_whitespace() {
        if !current.is_empty() && current.chars().count() + 1 + word.chars().count() > room {
            out.push_str(&format!("{prefix}{}\n", current));
            current = lead.clone();
        }
        if !current.is_empty() && !current.ends_with(' ') {
            current.push(' ');
        } else if current.is_empty() {
            current.push_str(&lead);
        }
        current.push_str(word);
    }
    out.push_str(prefix.trim_end());
    if !current.trim().is_empty() {
        out.push(' ');
        out.push_str(&current);
    }
    out.push('\n');
}

/// A one-line note on when an item was deprecated or removed, if it was,
/// in the model's wording; a removed item also says what that means for
/// a caller.
pub fn lifecycle_note(lc: &Lifecycle) -> Option<String> {
    let note = sentence(&lc.retirement()?);
    Some(match lc.removed_in() {
        Some(_) => format!("{note} Servers of that release and later no longer offer it."),
        None => note,
    })
}

/// A C string literal for the text.
pub fn c_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '?' => out.push_str("\\?"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\{:03o}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_wrap_and_stay_closed() {
        let b = block(&["A short line. /* nested */ and ??= trigraph".into()], "");
        assert_eq!(b, "/**\n * A short line. / * nested * / and ? ?= trigraph\n */");
        let long = "word ".repeat(40);
        for line in block(&[long], "    ").lines() {
            assert!(line.len() <= WIDTH, "{line}");
        }
        assert_eq!(c_string("a\"b\\c??d"), "\"a\\\"b\\\\c\\?\\?d\"");
    }
}
