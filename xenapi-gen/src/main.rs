//! The `xenapi-gen` command line: a thin layer over the library.

use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use xenapi_gen::backend::Lang;
use xenapi_gen::{Builder, Protocol};

// Generation allocates and frees millions of small token and syntax-tree
// nodes; mimalloc does that markedly faster than the system allocator.
#[cfg(feature = "fast-alloc")]
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "xenapi-gen", version, about = "Generate XenAPI bindings and docs from one YAML schema")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate a schema and print a one-line summary.
    Check {
        #[arg(long, default_value = "schema")]
        schema: PathBuf,
    },
    /// Generate bindings and docs from the schema.
    Generate {
        #[arg(long, default_value = "schema")]
        schema: PathBuf,
        #[arg(long, default_value = "generated")]
        out: PathBuf,
        /// Comma-separated languages; default: all of them.
        #[arg(long, value_delimiter = ',')]
        lang: Option<Vec<Lang>>,
        /// Write nothing; exit non-zero and list the files that differ if the output is stale.
        #[arg(long)]
        check: bool,
        /// Generate the API as it stood at this release (e.g. `rio`); default: the newest.
        #[arg(long)]
        release: Option<String>,
        /// Wire protocols of the Rust crate, comma-separated; default: both.
        /// One alone leaves the other out of the crate and of its `xenapi-rt` features.
        #[arg(long, value_delimiter = ',')]
        protocol: Option<Vec<Protocol>>,
    },
    /// Convert a model export (xapi's doc/data/xenapi.json shape) into schema YAML.
    ImportJson {
        /// The model export (classes with fields, enums and messages).
        file: PathBuf,
        /// Where to write the schema; descriptions already there are kept.
        #[arg(long)]
        out: PathBuf,
        /// The error codes export ({"errors": [{code, params}]}); default: keep the ones in --out.
        #[arg(long)]
        errors: Option<PathBuf>,
        /// The releases export ({"releases": [{code, label}]}); default: keep the ones in --out.
        #[arg(long)]
        releases: Option<PathBuf>,
    },
    /// List what changed between two schemas, marking the changes that break existing clients.
    #[command(
        after_help = "Exit status: 0 when no change is breaking, 1 when at least one is, 2 when either schema fails to load."
    )]
    Diff {
        /// The schema before the change.
        old: PathBuf,
        /// The schema after the change.
        new: PathBuf,
    },
    /// Compare the schema with xapi's own data model and list every difference, per class.
    #[command(
        after_help = "Exit status: 0 when they agree, 1 when they differ or part of upstream could not be read, 2 when either side cannot be read at all."
    )]
    UpstreamCheck {
        /// A checkout of xapi's sources (github xapi-project/xen-api), or a JSON file of their facts.
        dir: PathBuf,
        #[arg(long, default_value = "schema")]
        schema: PathBuf,
        /// Compare the schema as it stood at this release (e.g. `24.16.0`); default: all of it.
        #[arg(long)]
        release: Option<String>,
        /// Compare only these classes, comma-separated (errors and releases are always compared whole).
        #[arg(long, value_delimiter = ',')]
        classes: Vec<String>,
    },
    /// Read xapi's data model from a checkout of xen-api and print it as JSON (the export's shape).
    #[command(
        after_help = "Prints the facts on stdout, then a count and anything it could not read (file:line) on stderr. Exit status: 0 when everything was read, 1 when something was not, 2 when DIR is not a checkout."
    )]
    UpstreamExport {
        /// A checkout of xen-api (holding ocaml/idl and ocaml/xapi-consts).
        dir: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check { schema } => match xenapi_gen::load_schema(&schema) {
            Ok(api) => {
                println!("{}: {}", schema.display(), api.summary());
                ExitCode::SUCCESS
            }
            Err(diags) => {
                eprintln!("{diags}");
                ExitCode::FAILURE
            }
        },
        Command::Generate { schema, out, lang, check, release, protocol } => {
            let mut builder = Builder::new().schema(schema);
            if let Some(langs) = lang {
                builder = builder.langs(langs);
            }
            if let Some(code) = release {
                builder = builder.release(code);
            }
            if let Some(protocols) = protocol {
                builder = builder.protocols(protocols);
            }
            generate(&builder, &out, check)
        }
        Command::Diff { old, new } => match (xenapi_gen::load_schema(&old), xenapi_gen::load_schema(&new)) {
            (Ok(a), Ok(b)) => {
                let report = xenapi_gen::diff::diff(&a, &b);
                print!("{report}");
                ExitCode::from(u8::from(report.has_breaking()))
            }
            (a, b) => {
                for (dir, r) in [(&old, a), (&new, b)] {
                    if let Err(diags) = r {
                        eprintln!("error: {} does not load:\n{diags}", dir.display());
                    }
                }
                ExitCode::from(2)
            }
        },
        Command::UpstreamCheck { dir, schema, release, classes } => {
            let scope = xenapi_gen::upstream::check::Scope { release: release.as_deref(), classes: &classes };
            match xenapi_gen::upstream::check::run(&dir, &schema, &scope) {
                Ok(outcome) => {
                    print!("{}", outcome.report);
                    ExitCode::from(u8::from(!outcome.agrees()))
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Command::UpstreamExport { dir } => upstream_export(&dir),
        Command::ImportJson { file, out, errors, releases } => {
            match xenapi_gen::import::import_files(&file, errors.as_deref(), releases.as_deref(), &out) {
                Ok(files) => {
                    for (rel, text) in &files {
                        let path = out.join(rel);
                        if let Some(dir) = path.parent() {
                            if let Err(e) = std::fs::create_dir_all(dir) {
                                eprintln!("error: cannot create {}: {e}", dir.display());
                                return ExitCode::FAILURE;
                            }
                        }
                        if let Err(e) = std::fs::write(&path, text) {
                            eprintln!("error: cannot write {}: {e}", path.display());
                            return ExitCode::FAILURE;
                        }
                    }
                    println!("wrote {} files to {}", files.len(), out.display());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

/// Reads a xen-api checkout and prints its facts; see the subcommand's help.
fn upstream_export(dir: &std::path::Path) -> ExitCode {
    let read = match xenapi_gen::upstream::read::read(dir) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match serde_json::to_string_pretty(&read.facts) {
        Ok(json) => println!("{json}"),
        Err(e) => {
            eprintln!("error: cannot render the facts: {e}");
            return ExitCode::FAILURE;
        }
    }
    eprintln!("{}", xenapi_gen::upstream::read::summary(&read));
    for u in &read.skipped {
        eprintln!("skipped (no fact needs it): {u}");
    }
    for u in &read.unread {
        eprintln!("unread: {u}");
    }
    if read.unread.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Writes (or with `check`, compares) the output tree and reports what
/// it found.
fn generate(builder: &Builder, out: &Path, check: bool) -> ExitCode {
    let result = if check { builder.check_tree(out) } else { builder.generate_tree(out) };
    match result {
        Ok(o) if check && !o.is_clean() => {
            eprintln!("{} is stale; run `xenapi-gen generate` to update it:", out.display());
            for p in &o.changed {
                eprintln!("  changed: {}", p.display());
            }
            for p in &o.added {
                eprintln!("  missing: {}", p.display());
            }
            for p in &o.stale {
                eprintln!("  no longer generated: {}", p.display());
            }
            ExitCode::FAILURE
        }
        Ok(o) => {
            let verb = if check { "up to date" } else { "written" };
            let n = o.unchanged + o.changed.len() + o.added.len();
            println!(
                "{}: {n} files {verb} ({} changed, {} new, {} removed)",
                out.display(),
                o.changed.len(),
                o.added.len(),
                o.stale.len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
