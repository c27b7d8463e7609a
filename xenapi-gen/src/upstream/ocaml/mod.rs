//! Just enough OCaml to run xapi's data model files: a lexer, a parser
//! and an interpreter with the few standard library functions they call.

pub mod apply;
pub mod ast;
pub mod builtins;
pub mod eval;
pub mod lex;
pub mod parse;
mod parse_expr;
mod parse_pat;
pub mod pattern;
pub mod value;

#[cfg(test)]
mod eval_tests;
