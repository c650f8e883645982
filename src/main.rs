//! The `caseload` command. The command layer ([`cli`], binary only) parses the flags, runs the
//! library and turns its results and errors into output and exit statuses.

mod cli;

/// mimalloc, not the system's malloc: the same allocations (so the same answers, whatever the
/// allocator), in 6-12% less CPU time on the small models, where a run lasts 30-140 ms and
/// glibc's malloc and free were a tenth of it (`docs/internals.md`, "Whole-process speed").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
