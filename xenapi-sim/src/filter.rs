//! xapi's filter language, the `expr` of `CLASS.get_all_where` and
//! `CLASS.get_all_records_where`, and its evaluation over the store's
//! records.
//!
//! The language, as xapi's database reads it:
//!
//! ```text
//! expr  := "not" expr | operand (("and" | "or") operand)*
//! operand := "not" expr | "true" | "false" | "(" expr ")" | value "=" value
//! value := STRING | "field" STRING          STRING := '"' (any but '"')* '"'
//! ```
//!
//! `and` and `or` bind equally and group from the left (`a or b and c` is
//! `(a or b) and c`); `not` binds loosest of all, so it reaches to the end
//! of its parenthesis (`not a and b` is `not (a and b)`). Keywords need no
//! space around them; blanks are space, tab and newline. Strings have no
//! escapes. There is no `<>`.
//!
//! A field is named as xapi's database names its column: the parts of a
//! namespaced field joined by two underscores (`name__label`,
//! `VCPUs__max`), `_ref` for the object's reference. The schema does not
//! record which fields xapi namespaces, so a column name is matched by
//! reading `__` as `_`; the flattened wire name (`name_label`) is found
//! too, where xapi would answer `missing field`. Values compare as the
//! strings the database keeps: text as is, booleans `true`/`false`,
//! integers in decimal (floats as Rust writes them, which may differ from
//! xapi's text), enum values and references as on the wire, sets
//! `('a' 'b')` and maps `(('k' 'v'))`.
//!
//! What goes wrong answers as xapi does: an expression that does not read
//! gives INVALID_VALUE with the expression and the name of the failure,
//! a field the class lacks gives INTERNAL_ERROR `missing field`.

use serde_json::{Map, Value};
use xenapi::server::Record;
use xenapi::ApiError;
use xenapi_rt::server::Objects;

/// How deep parentheses and `not` may nest; deeper input is refused (xapi
/// itself would run out of stack somewhere).
pub const MAX_DEPTH: usize = 256;

/// One side of `=`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Val {
    Field(String),
    Literal(String),
}

/// `and` or `or`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    And,
    Or,
}

/// A parsed condition. A run of `and`/`or` is kept flat (`Chain`) so that
/// long runs cost no recursion, neither to evaluate nor to drop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    True,
    False,
    Not(Box<Expr>),
    Eq(Val, Val),
    /// The first operand, then each operator with its right operand,
    /// grouped from the left.
    Chain(Box<Expr>, Vec<(Op, Expr)>),
}

/// Why an expression did not read, in the words xapi's error carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyntaxError {
    /// A character no token starts with, or a string left open.
    Lexing,
    /// Tokens in an order the grammar does not allow.
    Parse,
    /// Nesting deeper than [`MAX_DEPTH`].
    TooDeep,
}

impl SyntaxError {
    /// The failure's name as xapi reports it (second parameter of
    /// INVALID_VALUE).
    pub fn as_str(&self) -> &'static str {
        match self {
            SyntaxError::Lexing => "Failure(\"lexing: empty token\")",
            SyntaxError::Parse => "Xapi_database.Db_filter_parse.Error",
            SyntaxError::TooDeep => "Stack overflow",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Eq,
    True,
    False,
    LParen,
    RParen,
    Field,
    And,
    Or,
    Not,
    Str(String),
    Eof,
}

/// Reads tokens on demand, as xapi's lexer does: a parse error ahead of a
/// bad character is reported as a parse error.
struct Lexer<'a> {
    rest: &'a str,
}

const KEYWORDS: &[(&str, Tok)] = &[
    ("true", Tok::True),
    ("false", Tok::False),
    ("field", Tok::Field),
    ("and", Tok::And),
    ("or", Tok::Or),
    ("not", Tok::Not),
];

impl Lexer<'_> {
    fn next(&mut self) -> Result<Tok, SyntaxError> {
        self.rest = self.rest.trim_start_matches([' ', '\t', '\n']);
        let Some(c) = self.rest.chars().next() else {
            return Ok(Tok::Eof);
        };
        let single = match c {
            '=' => Some(Tok::Eq),
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            _ => None,
        };
        if let Some(t) = single {
            self.rest = &self.rest[1..];
            return Ok(t);
        }
        if c == '"' {
            let body = &self.rest[1..];
            let end = body.find('"').ok_or(SyntaxError::Lexing)?;
            let s = body[..end].to_string();
            self.rest = &body[end + 1..];
            return Ok(Tok::Str(s));
        }
        for (word, tok) in KEYWORDS {
            if let Some(after) = self.rest.strip_prefix(word) {
                self.rest = after;
                return Ok(tok.clone());
            }
        }
        Err(SyntaxError::Lexing)
    }
}

struct Parser<'a> {
    lex: Lexer<'a>,
    ahead: Option<Tok>,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&mut self) -> Result<&Tok, SyntaxError> {
        if self.ahead.is_none() {
            self.ahead = Some(self.lex.next()?);
        }
        Ok(self.ahead.as_ref().unwrap_or(&Tok::Eof))
    }

    fn take(&mut self) -> Result<Tok, SyntaxError> {
        self.peek()?;
        Ok(self.ahead.take().unwrap_or(Tok::Eof))
    }

    fn enter(&mut self) -> Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(SyntaxError::TooDeep);
        }
        Ok(())
    }

    fn expr(&mut self) -> Result<Expr, SyntaxError> {
        let first = self.operand()?;
        let mut rest = Vec::new();
        loop {
            let op = match self.peek()? {
                Tok::And => Op::And,
                Tok::Or => Op::Or,
                _ => break,
            };
            self.take()?;
            rest.push((op, self.operand()?));
        }
        Ok(if rest.is_empty() { first } else { Expr::Chain(Box::new(first), rest) })
    }

    fn operand(&mut self) -> Result<Expr, SyntaxError> {
        match self.take()? {
            Tok::Not => {
                self.enter()?;
                let inner = self.expr()?;
                self.depth -= 1;
                Ok(Expr::Not(Box::new(inner)))
            }
            Tok::True => Ok(Expr::True),
            Tok::False => Ok(Expr::False),
            Tok::LParen => {
                self.enter()?;
                let inner = self.expr()?;
                if self.take()? != Tok::RParen {
                    return Err(SyntaxError::Parse);
                }
                self.depth -= 1;
                Ok(inner)
            }
            first @ (Tok::Str(_) | Tok::Field) => {
                let a = self.value(first)?;
                if self.take()? != Tok::Eq {
                    return Err(SyntaxError::Parse);
                }
                let second = self.take()?;
                let b = self.value(second)?;
                Ok(Expr::Eq(a, b))
            }
            _ => Err(SyntaxError::Parse),
        }
    }

    fn value(&mut self, first: Tok) -> Result<Val, SyntaxError> {
        match first {
            Tok::Str(s) => Ok(Val::Literal(s)),
            Tok::Field => match self.take()? {
                Tok::Str(s) => Ok(Val::Field(s)),
                _ => Err(SyntaxError::Parse),
            },
            _ => Err(SyntaxError::Parse),
        }
    }
}

/// Reads an expression.
pub fn parse(text: &str) -> Result<Expr, SyntaxError> {
    let mut p = Parser { lex: Lexer { rest: text }, ahead: None, depth: 0 };
    let e = p.expr()?;
    match p.take()? {
        Tok::Eof => Ok(e),
        _ => Err(SyntaxError::Parse),
    }
}

impl Expr {
    /// Whether the condition holds, with `field` giving a column's value;
    /// `and`/`or` stop as soon as the answer is known, so a field on the
    /// side not needed is never looked up.
    pub fn eval<E>(&self, field: &mut impl FnMut(&str) -> Result<String, E>) -> Result<bool, E> {
        Ok(match self {
            Expr::True => true,
            Expr::False => false,
            Expr::Not(e) => !e.eval(field)?,
            Expr::Eq(a, b) => side(a, field)? == side(b, field)?,
            Expr::Chain(first, rest) => {
                let mut acc = first.eval(field)?;
                for (op, e) in rest {
                    acc = match op {
                        Op::And => acc && e.eval(field)?,
                        Op::Or => acc || e.eval(field)?,
                    };
                }
                acc
            }
        })
    }
}

fn side<E>(v: &Val, field: &mut impl FnMut(&str) -> Result<String, E>) -> Result<String, E> {
    match v {
        Val::Literal(s) => Ok(s.clone()),
        Val::Field(f) => field(f),
    }
}

/// A value of a record as xapi's database keeps it, as text.
pub fn db_string(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(|i| quoted(&db_string(i))).collect();
            format!("({})", parts.join(" "))
        }
        Value::Object(m) => {
            let parts: Vec<String> =
                m.iter().map(|(k, v)| format!("({} {})", quoted(k), quoted(&db_string(v)))).collect();
            format!("({})", parts.join(" "))
        }
    }
}

/// A string inside a set or map: in single quotes, `\` and `'` escaped.
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        if c == '\\' || c == '\'' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// A column of a record by its database name: `_ref`, or a field whose
/// wire name is the column name with `__` read as `_`.
fn column(r: &str, fields: &Map<String, Value>, name: &str) -> Result<String, ApiError> {
    if name == "_ref" {
        return Ok(r.to_string());
    }
    fields.get(&name.replace("__", "_")).map(db_string).ok_or_else(|| missing_field(name))
}

/// xapi's answer for a column the table lacks.
fn missing_field(name: &str) -> ApiError {
    ApiError::Unknown {
        code: "INTERNAL_ERROR".into(),
        params: vec!["missing field".into(), name.into(), String::new()],
    }
}

/// The objects among `all` whose record satisfies `expr`, or xapi's error
/// for an expression that does not read or names a missing field.
pub fn select<R: Record>(expr: &str, all: Objects<R>) -> Result<Objects<R>, ApiError> {
    let cond =
        parse(expr).map_err(|e| ApiError::InvalidValue { field: expr.to_string(), value: e.as_str().to_string() })?;
    let mut out = Vec::new();
    for (r, rec) in all {
        let fields = match serde_json::to_value(&rec) {
            Ok(Value::Object(m)) => m,
            Ok(_) | Err(_) => Map::new(),
        };
        if cond.eval(&mut |name: &str| column(r.as_str(), &fields, name))? {
            out.push((r, rec));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str) -> Val {
        Val::Literal(s.into())
    }

    fn field(s: &str) -> Val {
        Val::Field(s.into())
    }

    /// Evaluates over a small fixed row.
    fn holds(text: &str) -> Result<bool, String> {
        let row = |n: &str| match n {
            "power_state" => Ok("Running".to_string()),
            "is_a_template" => Ok("false".to_string()),
            "name__label" => Ok("web".to_string()),
            other => Err(format!("missing {other}")),
        };
        let e = parse(text).map_err(|e| e.as_str().to_string())?;
        e.eval(&mut { row })
    }

    #[test]
    fn reads_constants_equalities_and_fields() {
        assert_eq!(parse("true"), Ok(Expr::True));
        assert_eq!(parse(" false\n"), Ok(Expr::False));
        assert_eq!(parse(r#"field "power_state" = "Running""#), Ok(Expr::Eq(field("power_state"), lit("Running"))));
        assert_eq!(parse(r#""a"="b""#), Ok(Expr::Eq(lit("a"), lit("b"))));
        assert_eq!(parse(r#"field"x"=field"y""#), Ok(Expr::Eq(field("x"), field("y"))));
        // Strings keep what is between the quotes, blanks and all.
        assert_eq!(parse("\"a b\t(\" = \"\""), Ok(Expr::Eq(lit("a b\t("), lit(""))));
    }

    #[test]
    fn and_or_group_from_the_left_and_not_reaches_to_the_end() {
        // a or b and c = (a or b) and c: false with a true, c false.
        assert_eq!(holds("true or true and false"), Ok(false));
        // a and b or c = (a and b) or c.
        assert_eq!(holds("false and false or true"), Ok(true));
        // not a and b = not (a and b).
        assert_eq!(holds("not true and false"), Ok(true));
        assert_eq!(holds("(not true) and false"), Ok(false));
        assert_eq!(holds("true and not false or true"), Ok(false));
        assert_eq!(holds("not not true"), Ok(true));
    }

    #[test]
    fn compares_fields_with_the_row() {
        assert_eq!(holds(r#"field "power_state" = "Running""#), Ok(true));
        assert_eq!(holds(r#"field "power_state" = "Halted""#), Ok(false));
        assert_eq!(holds(r#"field "is_a_template" = "false" and field "name__label" = "web""#), Ok(true));
        assert_eq!(holds(r#""Running" = field "power_state""#), Ok(true));
        assert_eq!(holds(r#"field "nope" = "x""#), Err("missing nope".into()));
        // A field on a side not needed is never looked up.
        assert_eq!(holds(r#"false and field "nope" = "x""#), Ok(false));
        assert_eq!(holds(r#"true or field "nope" = "x""#), Ok(true));
    }

    #[test]
    fn keywords_need_no_blanks() {
        assert_eq!(holds("nottrue"), Ok(false));
        assert_eq!(holds("(true)and(false)"), Ok(false));
    }

    #[test]
    fn malformed_expressions_are_refused_with_xapis_failure() {
        let parse_err = [
            "",
            "field",
            r#"field "a""#,
            r#"field "a" ="#,
            r#""a" = "b" "c""#,
            "(true",
            "true)",
            "and true",
            "true and",
            r#"field "a" = field"#,
            "= true",
            "not",
        ];
        for text in parse_err {
            assert_eq!(parse(text), Err(SyntaxError::Parse), "{text:?}");
        }
        for text in ["TRUE", "x", r#"field "a" <> "b""#, "\"open", "true\r", "tru", "\u{00e9}"] {
            assert_eq!(parse(text), Err(SyntaxError::Lexing), "{text:?}");
        }
        // A parse error ahead of a bad character is a parse error.
        assert_eq!(parse("= $"), Err(SyntaxError::Parse));
    }

    #[test]
    fn hostile_input_is_refused_or_evaluated_without_deep_recursion() {
        let deep = format!("{}true{}", "(".repeat(100_000), ")".repeat(100_000));
        assert_eq!(parse(&deep), Err(SyntaxError::TooDeep));
        let nots = format!("{}true", "not ".repeat(100_000));
        assert_eq!(parse(&nots), Err(SyntaxError::TooDeep));
        let ok = format!("{}true{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert_eq!(parse(&ok), Ok(Expr::True));
        // A long flat run is fine: it is a list, not a tree.
        let long = format!("false{}", " or false".repeat(200_000)) + " or true";
        assert_eq!(holds(&long), Ok(true));
        let huge = format!("\"{}\" = \"{}\"", "x".repeat(1 << 20), "x".repeat(1 << 20));
        assert_eq!(holds(&huge), Ok(true));
        let open = format!("\"{}", "y".repeat(1 << 20));
        assert_eq!(parse(&open), Err(SyntaxError::Lexing));
    }

    #[test]
    fn values_compare_as_the_database_keeps_them() {
        assert_eq!(db_string(&serde_json::json!(true)), "true");
        assert_eq!(db_string(&serde_json::json!(42)), "42");
        assert_eq!(db_string(&serde_json::json!("OpaqueRef:1")), "OpaqueRef:1");
        assert_eq!(db_string(&serde_json::json!(["a", "b'c"])), r"('a' 'b\'c')");
        assert_eq!(db_string(&serde_json::json!([])), "()");
        assert_eq!(db_string(&serde_json::json!({"k": "v", "x": "\\"})), r"(('k' 'v') ('x' '\\'))");
    }
}
