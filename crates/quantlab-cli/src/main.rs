//! `quantlab`: the quantlab command line.
//!
//! `quantlab quantize` reads a tensor (`.npy`, CSV/text, `.wav`, `.safetensors`, `.gguf`), fits a
//! [`quantlab_core::Scheme`], computes `x̂ = dequantize(quantize(x))` and prints the error
//! metrics as text or JSON; `quantlab schemes` lists the schemes; `quantlab bench` times a
//! scheme on a file; `quantlab inspect` lists a checkpoint's tensors; `quantlab quantize
//! --all` quantizes every tensor of a checkpoint on several threads. Every failure is one line on stderr, `quantlab: error: …`, with exit
//! code 1 (2 for a malformed command line); nothing panics on bad input.

mod all;
mod cli;
mod commands;
mod inspect;
mod text;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_error(&e),
    };
    let result = match &cli.command {
        cli::Command::Quantize(args) if args.all => all::quantize_all(args),
        cli::Command::Quantize(args) => commands::quantize(args),
        cli::Command::Schemes { json } => Ok(commands::schemes(*json)),
        cli::Command::Bench(args) => commands::bench(args),
        cli::Command::Inspect { file, json } => inspect::inspect(file, *json),
    };
    match result {
        Ok(out) => print_stdout(&out),
        Err(msg) => {
            print_error(&msg);
            ExitCode::from(1)
        }
    }
}

/// Help and version go to stdout with exit code 0; a usage error becomes one line.
fn clap_error(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            print_stdout(&e.render().to_string());
            if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            }
        }
        _ => {
            let rendered = e.render().to_string();
            let parts: Vec<&str> = rendered
                .lines()
                .map(str::trim)
                .filter(|l| {
                    !l.is_empty()
                        && !l.starts_with("Usage:")
                        && !l.starts_with("For more information")
                })
                .collect();
            let mut msg = String::new();
            for p in parts {
                if !msg.is_empty() {
                    msg.push_str(if msg.ends_with(':') { " " } else { "; " });
                }
                msg.push_str(p);
            }
            let msg = msg.strip_prefix("error: ").unwrap_or(&msg);
            print_error(&format!("{msg} (see quantlab --help)"));
            ExitCode::from(2)
        }
    }
}

/// Writes `text` to stdout; a closed pipe (`quantlab schemes | head -1`) is not an error.
fn print_stdout(text: &str) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            print_error(&format!("cannot write the output: {e}"));
            ExitCode::from(1)
        }
    }
}

/// `quantlab: error: <msg>` as a single line on stderr.
fn print_error(msg: &str) {
    let one_line = msg.split_whitespace().collect::<Vec<_>>().join(" ");
    let _ = writeln!(std::io::stderr().lock(), "quantlab: error: {one_line}");
}
