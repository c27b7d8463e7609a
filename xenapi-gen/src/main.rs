//! The `xenapi-gen` command line: a thin layer over the library.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

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
