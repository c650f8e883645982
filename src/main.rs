//! The `caseload` command. Thin: parse, run, and turn errors into messages and exit statuses.

use clap::Parser;
use std::io::Write;
use std::sync::atomic::Ordering;

fn main() {
    let cli = caseload::cli::Cli::parse();
    let _ = ctrlc::set_handler(|| caseload::cli::INTERRUPTED.store(true, Ordering::Relaxed));
    let code = match caseload::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            // Never panic, even with stderr closed.
            let _ = writeln!(std::io::stderr(), "caseload: {e}");
            e.exit_code()
        }
    };
    std::process::exit(code);
}
