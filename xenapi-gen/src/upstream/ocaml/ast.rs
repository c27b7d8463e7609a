//! The syntax tree of the OCaml subset the reader understands.

use std::rc::Rc;

/// A literal.
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    Int(i64),
    Float(f64),
    Str(Rc<str>),
    Char(char),
    Unit,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Pat {
    Any,
    Var(Rc<str>),
    Lit(Lit),
    Tuple(Vec<Pat>),
    List(Vec<Pat>),
    Cons(Box<Pat>, Box<Pat>),
    /// A constructor, by its last name (`Lifecycle.Published` is `Published`).
    Ctor(Rc<str>, Option<Box<Pat>>),
    Variant(Rc<str>, Option<Box<Pat>>),
    /// `{a= p; b; _}`: fields by name.
    Record(Vec<(Rc<str>, Pat)>),
    Or(Box<Pat>, Box<Pat>),
    Alias(Box<Pat>, Rc<str>),
}

/// How a function takes a parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    Pos(Pat),
    /// `~name` or `~name:pat`.
    Labelled(Rc<str>, Pat),
    /// `?name`, `?name:pat`, `?(name = default)`.
    Optional(Rc<str>, Pat, Option<Expr>),
}

/// How an argument is passed.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Pos(Expr),
    /// `~name:e` or `~name`.
    Labelled(Rc<str>, Expr),
    /// `?name:e` or `?name`: the option itself is passed.
    Optional(Rc<str>, Expr),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub pat: Pat,
    pub guard: Option<Expr>,
    pub body: Expr,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub pat: Pat,
    /// Parameters when the binding is a function (`let f x ~y = ..`).
    pub params: Vec<Param>,
    pub body: Expr,
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Lit(Lit),
    /// A value by path: `x`, `List.map`, `Datamodel_common.call`.
    Var(Vec<Rc<str>>),
    /// A constructor with its path and optional argument.
    Ctor(Vec<Rc<str>>, Option<Box<Expr>>),
    Variant(Rc<str>, Option<Box<Expr>>),
    App(Box<Expr>, Vec<Arg>),
    Fun(Vec<Param>, Box<Expr>),
    Function(Vec<Case>),
    Match(Box<Expr>, Vec<Case>),
    Try(Box<Expr>, Vec<Case>),
    Let(bool, Vec<Binding>, Box<Expr>),
    /// `let open M in e` and `M.(e)`.
    Open(Vec<Rc<str>>, Box<Expr>),
    If(Box<Expr>, Box<Expr>, Option<Box<Expr>>),
    Seq(Box<Expr>, Box<Expr>),
    Tuple(Vec<Expr>),
    List(Vec<Expr>),
    Cons(Box<Expr>, Box<Expr>),
    Record(Option<Box<Expr>>, Vec<(Rc<str>, Expr)>),
    Field(Box<Expr>, Rc<str>),
    /// `a && b`, `a || b`: lazy on the right.
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

/// A top-level or module-level item.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Let(bool, Vec<Binding>),
    /// A bare expression (`let () = e` and `let _ = e` are `Let`s).
    Expr(Expr),
    Open(Vec<Rc<str>>),
    Include(ModExpr),
    Module(Rc<str>, ModExpr),
    /// Type and exception definitions: nothing to evaluate.
    Skipped,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ModExpr {
    Struct(Vec<Located>),
    Path(Vec<Rc<str>>),
    /// `Map.Make (String)`: parsed, not evaluated.
    Apply(Vec<Rc<str>>, Box<ModExpr>),
}

/// An item and the line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    pub item: Item,
    pub line: u32,
}
