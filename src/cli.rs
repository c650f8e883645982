//! The command line (SPEC section 6). `main` parses and calls [`run`]; this module does the rest.

use crate::check;
use crate::error::{Error, Result};
use crate::model::CaseType;
use crate::proposal::Proposal;
use crate::solve::Limits;
use crate::write;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

/// Exit statuses, as documented in `--help` and the README.
pub mod exit {
    /// Done.
    pub const OK: i32 = 0;
    /// `check` found breaches.
    pub const BREACHES: i32 = 1;
    /// The input is invalid; nothing was written.
    pub const INVALID: i32 = 2;
    /// A proposal was written, but a time limit or Ctrl-C stopped the search before optimality
    /// was proven (`"optimal": false`).
    pub const NOT_PROVEN: i32 = 3;
    /// An output file could not be written; any existing file is untouched.
    pub const WRITE: i32 = 4;
    /// Internal solver failure (a bug; please report it with the model's hash).
    pub const SOLVER: i32 = 5;
    /// A proposal was written, but cases of a type named by `--fail-on-unallocated` stay unallocated.
    pub const UNALLOCATED: i32 = 6;
}

const EXIT_HELP: &str = "Exit status:
  0  done
  1  check found breaches
  2  the input is invalid (the message names the file, the place and the problem); nothing written
  3  proposal written, but the time limit or Ctrl-C stopped the search before optimality was proven
  4  an output file could not be written (an existing file is left untouched)
  5  internal solver failure
  6  proposal written, but cases of a type given to --fail-on-unallocated are unallocated";

/// caseload: lawful, optimal allocation of children's social care cases.
#[derive(Parser, Debug)]
#[command(name = "caseload", version, about, after_help = EXIT_HELP)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Worker threads (default: all cores). The proposal is the same for any number.
    #[arg(long, global = true)]
    pub threads: Option<usize>,
}

/// Commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Solve a model and write an allocation proposal.
    #[command(after_help = EXIT_HELP)]
    Allocate(AllocateArgs),
    /// Check a proposal against the rules; without PROPOSAL, audit today's allocation.
    #[command(after_help = EXIT_HELP)]
    Check(CheckArgs),
    /// Plan: fill vacancies, change caps, targets or demand, hire, lose workers; compare.
    #[command(after_help = EXIT_HELP)]
    Whatif(crate::whatif::WhatifArgs),
}

/// Arguments of `allocate`.
#[derive(clap::Args, Debug)]
pub struct AllocateArgs {
    /// The model file (JSON), or `-` for standard input.
    pub model: PathBuf,
    /// Where to write the proposal (written atomically).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Stop searching after this many seconds and write the best lawful proposal found
    /// (`"optimal": false`, exit status 3).
    #[arg(long, value_name = "SECONDS")]
    pub time_limit: Option<f64>,
    /// Exit with status 6 when cases of these types stay unallocated (comma-separated, e.g.
    /// `looked_after,child_protection`), so cron can alert.
    #[arg(long, value_name = "TYPE[,TYPE]", value_delimiter = ',', value_parser = parse_case_type)]
    pub fail_on_unallocated: Vec<CaseType>,
    /// Print nothing on success.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Arguments of `check`.
#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// The model file (JSON).
    pub model: PathBuf,
    /// The proposal to check; without it, today's allocation (each case's current_worker).
    pub proposal: Option<PathBuf>,
    /// Print the breaches as JSON.
    #[arg(long)]
    pub json: bool,
}

fn parse_case_type(s: &str) -> std::result::Result<CaseType, String> {
    CaseType::parse(s.trim()).ok_or_else(|| {
        format!(
            "unknown case type {s:?}; use one of {}",
            CaseType::ALL.map(|t| t.name()).join(", ")
        )
    })
}

/// Set by Ctrl-C: the search stops and the best proposal found so far is written.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Runs a command; returns the exit status.
pub fn run(cli: Cli) -> Result<i32> {
    if let Some(n) = cli.threads {
        // Only fails if a pool exists already, which is harmless.
        let _ = rayon::ThreadPoolBuilder::new().num_threads(n.max(1)).build_global();
    }
    match cli.command {
        Command::Allocate(a) => allocate(&a),
        Command::Check(c) => run_check(&c),
        Command::Whatif(w) => crate::whatif::run(&w),
    }
}

fn limits(time_limit: Option<f64>) -> Result<Limits<'static>> {
    let deadline = match time_limit {
        Some(s) if !(s.is_finite() && s >= 0.0) => {
            return Err(Error::Usage(format!("--time-limit must be a number of seconds >= 0, got {s}")))
        }
        Some(s) => Some(Instant::now() + Duration::from_secs_f64(s.min(1e9))),
        None => None,
    };
    Ok(Limits { deadline, stop: Some(&INTERRUPTED) })
}

fn allocate(a: &AllocateArgs) -> Result<i32> {
    let lim = limits(a.time_limit)?;
    let model = crate::load_model(&a.model)?;
    let proposal = crate::allocate(&model, lim)?;
    write::atomic_write(&a.output, &write::to_json(&proposal))?;
    if !a.quiet {
        print!("{}", human_summary(&proposal));
        println!("proposal written to {}", a.output.display());
    }
    Ok(status(&proposal, &a.fail_on_unallocated))
}

/// The exit status of a written proposal.
pub fn status(p: &Proposal, fail_on: &[CaseType]) -> i32 {
    let alarm = fail_on
        .iter()
        .any(|t| p.summary.by_type.get(t).is_some_and(|c| c.unallocated > 0));
    if alarm {
        exit::UNALLOCATED
    } else if !p.optimal {
        exit::NOT_PROVEN
    } else {
        exit::OK
    }
}

fn run_check(c: &CheckArgs) -> Result<i32> {
    let model = crate::load_model(&c.model)?;
    let breaches = match &c.proposal {
        Some(path) => {
            let bytes = crate::read::read_bytes(path)?;
            let p = check::parse_proposal(&path.display().to_string(), &bytes)?;
            check::check_proposal(&model, &p)
        }
        None => check::check_today(&model),
    };
    if c.json {
        println!("{}", serde_json::to_string_pretty(&breaches).unwrap_or_default());
    } else {
        if c.proposal.is_none() {
            let (unallocated, la) = check::today_facts(&model);
            println!(
                "today: {} cases, {} with no worker; {} looked-after children held by staff who may not hold them",
                model.cases.len(),
                unallocated,
                la
            );
        }
        for b in &breaches {
            println!("{}: {}", b.code, b.message);
        }
        println!(
            "{}",
            if breaches.is_empty() { "no breaches".to_string() } else { format!("{} breaches", breaches.len()) }
        );
    }
    Ok(if breaches.is_empty() { exit::OK } else { exit::BREACHES })
}

/// A short human summary of a proposal, for stdout.
pub fn human_summary(p: &Proposal) -> String {
    use std::fmt::Write;
    let s = &p.summary;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} cases: {} allocated, {} unallocated; objective {} ({})",
        s.cases.cases,
        s.cases.allocated,
        s.cases.unallocated,
        p.objective,
        if p.optimal { "optimal".to_string() } else { format!("not proven optimal; bound {}", p.bound) }
    );
    let _ = writeln!(out, "  {:<18} {:>9} {:>11}", "by type", "allocated", "unallocated");
    for (t, c) in &s.by_type {
        if c.cases > 0 {
            let _ = writeln!(out, "  {:<18} {:>9} {:>11}", t.name(), c.allocated, c.unallocated);
        }
    }
    let _ = writeln!(out, "  {:<18} {:>9} {:>11}", "by team", "allocated", "unallocated");
    for (t, c) in &s.by_team {
        let _ = writeln!(out, "  {:<18} {:>9} {:>11}", t, c.allocated, c.unallocated);
    }
    let _ = writeln!(
        out,
        "  moves: {} kept, {} moved, {} new, {} lose their worker",
        s.moves.kept, s.moves.moved, s.moves.new, s.moves.lost
    );
    if s.cases.unallocated > 0 {
        let reasons: Vec<String> =
            s.unallocated_by_reason.iter().map(|(c, n)| format!("{} {n}", c.name())).collect();
        let _ = writeln!(
            out,
            "  unallocated: {} structural, {} capacity ({})",
            s.structural_shortfall,
            s.capacity_shortfall,
            reasons.join(", ")
        );
    }
    let _ = writeln!(
        out,
        "  looked-after children unallocated: {} ({:.1}%){}",
        s.looked_after_unallocated,
        100.0 * s.looked_after_unallocated_share,
        if s.looked_after_emergency { " - above the 10% emergency threshold" } else { "" }
    );
    let _ = writeln!(out, "  workers over target: {} (total {} above target)", s.workers_over_target, s.overload);
    out
}
