//! The `caseload` command. The command layer ([`cli`], binary only) parses the flags, runs the
//! library and turns its results and errors into output and exit statuses.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
