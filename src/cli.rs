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

const ALLOCATE_EXIT: &str = "Exit status:
  0  proposal written, proven optimal
  2  the input is invalid (the message names the file, the place and the problem), or a warning
     under --strict, or an empty model without --allow-empty; nothing written
  3  proposal written, but the time limit or Ctrl-C stopped the search before optimality was proven
  4  an output file could not be written (an existing file is left untouched)
  5  internal solver failure
  6  proposal written, but cases of a type given to --fail-on-unallocated are unallocated
A batch exits with the worst status of its models.";

const CHECK_EXIT: &str = "Exit status:
  0  no breaches
  1  breaches found (listed on standard output)
  2  the input is invalid (the message names the file, the place and the problem)";

const CONVERT_EXIT: &str = "Exit status:
  0  written
  2  the input is invalid (the message names the file, the place and the problem); nothing written
  4  an output file could not be written (an existing file is left untouched)";

const GENERATE_EXIT: &str = "Exit status:
  0  written
  2  the options are invalid; nothing written
  4  the model could not be written";

const WHATIF_EXIT: &str = "Exit status:
  0  every scenario solved and proven optimal
  2  the input or a scenario option is invalid; nothing written
  3  some scenario stopped before optimality was proven
  4  an output file could not be written
  5  internal solver failure";

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
    #[command(after_help = ALLOCATE_EXIT)]
    Allocate(AllocateArgs),
    /// Check a proposal against the rules; without PROPOSAL, audit today's allocation.
    #[command(after_help = CHECK_EXIT)]
    Check(CheckArgs),
    /// Turn spreadsheets (an Excel workbook or CSV) into a model file, or a model file into
    /// spreadsheets.
    #[command(after_help = CONVERT_EXIT)]
    Convert(crate::sheets::ConvertArgs),
    /// Replace every worker id, case id and group name with a keyed hash (HMAC-SHA256), so a
    /// model can leave the case management system without names or system ids.
    #[command(after_help = CONVERT_EXIT)]
    Pseudonymise(PseudonymiseArgs),
    /// Write a seeded synthetic model (for benchmarks, tests and demonstrations).
    #[command(after_help = GENERATE_EXIT)]
    Generate(crate::generate::GenerateArgs),
    /// Plan: fill vacancies, change caps, targets or demand, hire, lose workers; compare.
    #[command(after_help = WHATIF_EXIT)]
    Whatif(crate::whatif::WhatifArgs),
}

/// Arguments of `pseudonymise`.
#[derive(clap::Args, Debug)]
pub struct PseudonymiseArgs {
    /// The model file (JSON); or give --workbook or --workers and --cases.
    pub model: Option<PathBuf>,
    /// The model as spreadsheets instead of MODEL.
    #[command(flatten)]
    pub sheets: crate::sheets::SheetInput,
    /// A file holding the secret key (at least 16 bytes), e.g. from `head -c 32 /dev/urandom`.
    #[arg(long)]
    pub key: PathBuf,
    /// Where to write the pseudonymised model.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Also write the mapping (kind, original, pseudonym) as CSV; keep it with the key.
    #[arg(long)]
    pub map: Option<PathBuf>,
    /// Pseudonymise team names too.
    #[arg(long)]
    pub teams: bool,
}

/// Arguments of `allocate`.
#[derive(clap::Args, Debug)]
pub struct AllocateArgs {
    /// The model file (JSON), or `-` for standard input; or a directory of models; or give
    /// --workers and --cases.
    pub model: Option<PathBuf>,
    /// More model files or directories: a batch, solved in parallel (see `-o`).
    pub more: Vec<PathBuf>,
    /// The model as spreadsheets instead of MODEL.
    #[command(flatten)]
    pub sheets: crate::sheets::SheetInput,
    /// CSV tables and an HTML report, besides the proposal.
    #[command(flatten)]
    pub outputs: crate::sheets::SheetOutput,
    /// Checks beyond the rules.
    #[command(flatten)]
    pub checks: crate::sheets::InputChecks,
    /// Where to write the proposal (written atomically). For a batch, a directory that receives
    /// `<model name>.proposal.json` for each model.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Stop searching after this many seconds and write the best lawful proposal found
    /// (`"optimal": false`, exit status 3).
    /// Seconds (`10`, `10s`), minutes (`2m`) or hours (`1h`).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub time_limit: Option<f64>,
    /// Branch-and-bound nodes allowed per independent part before the best proposal found is
    /// written with `"optimal": false` and its proven bound (exit status 3). Only models with
    /// case weights or sibling groups search at all. Unlike a time limit, the result is the
    /// same on every run. 0 means no limit.
    #[arg(long, value_name = "N", default_value_t = crate::solve::DEFAULT_NODE_LIMIT)]
    pub node_limit: u64,
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
    /// The model file (JSON); with --workers and --cases, leave it out (the one positional
    /// argument is then the PROPOSAL).
    pub model: Option<PathBuf>,
    /// The model as spreadsheets instead of MODEL.
    #[command(flatten)]
    pub sheets: crate::sheets::SheetInput,
    /// The proposal to check; without it, today's allocation (each case's current_worker).
    pub proposal: Option<PathBuf>,
    /// Print the breaches as JSON.
    #[arg(long)]
    pub json: bool,
    /// Checks beyond the rules.
    #[command(flatten)]
    pub checks: crate::sheets::InputChecks,
}

/// A duration in seconds from `10`, `10s`, `1.5m`, `2h` or `500ms`.
pub fn parse_duration(s: &str) -> std::result::Result<f64, String> {
    let t = s.trim();
    let split = t.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(t.len());
    let (num, unit) = (t[..split].trim(), t[split..].trim().to_ascii_lowercase());
    let scale = match unit.as_str() {
        "" | "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "ms" => 0.001,
        "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
        "h" | "hour" | "hours" => 3600.0,
        _ => f64::NAN,
    };
    match num.parse::<f64>() {
        Ok(x) if x.is_finite() && x >= 0.0 && scale.is_finite() => Ok(x * scale),
        _ => Err(format!(
            "{s:?} is not a duration; write seconds such as 10 or 10s, minutes such as 2m, or hours such as 1h"
        )),
    }
}

fn parse_case_type(s: &str) -> std::result::Result<CaseType, String> {
    CaseType::parse(s.trim()).ok_or_else(|| {
        format!("unknown case type {s:?}; use one of {}", CaseType::ALL.map(|t| t.name()).join(", "))
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
        Command::Convert(c) => crate::sheets::convert(&c),
        Command::Pseudonymise(p) => pseudonymise(&p),
        Command::Generate(g) => crate::generate::run(&g),
        Command::Whatif(w) => crate::whatif::run(&w),
    }
}

pub(crate) fn limits(time_limit: Option<f64>, node_limit: u64) -> Result<Limits<'static>> {
    let deadline = match time_limit {
        Some(s) if !(s.is_finite() && s >= 0.0) => {
            return Err(Error::Usage(format!("--time-limit must be a number of seconds >= 0, got {s}")))
        }
        Some(s) => Some(Instant::now() + Duration::from_secs_f64(s.min(1e9))),
        None => None,
    };
    Ok(Limits { deadline, stop: Some(&INTERRUPTED), node_limit: (node_limit > 0).then_some(node_limit) })
}

fn allocate(a: &AllocateArgs) -> Result<i32> {
    if crate::batch::is_batch(a) {
        return crate::batch::run(a);
    }
    let lim = limits(a.time_limit, a.node_limit)?;
    a.outputs.check(&a.sheets.inputs(a.model.as_deref()), &a.output)?;
    let (model, warnings) = crate::sheets::load_screened(a.model.as_deref(), &a.sheets, &a.checks)?;
    crate::sheets::print_warnings(&warnings);
    let proposal = crate::allocate(&model, lim)?;
    write::atomic_write(&a.output, &write::to_json(&proposal))?;
    let extra = a.outputs.write(&model, &proposal, &a.sheets.name(a.model.as_deref()))?;
    if !a.quiet {
        let mut text = format!("{}proposal written to {}\n", human_summary(&proposal), a.output.display());
        for f in extra {
            text += &format!("written {}\n", f.display());
        }
        say(&text);
    }
    Ok(status(&proposal, &a.fail_on_unallocated))
}

fn pseudonymise(p: &PseudonymiseArgs) -> Result<i32> {
    let model = match (&p.model, p.sheets.given()) {
        (Some(path), false) => {
            let bytes = crate::read::read_bytes(path)?;
            let file = path.display().to_string();
            let model = crate::read::parse_model(&file, &bytes)?;
            crate::validate::validate(&file, &model, &bytes)?;
            model
        }
        (None, true) => {
            let sheets = p.sheets.read()?;
            sheets.validate()?;
            sheets.model
        }
        _ => {
            return Err(Error::Usage(
                "give a MODEL file, or --workbook, or --workers and --cases, exactly one".into(),
            ))
        }
    };
    let key = std::fs::read(&p.key).map_err(|source| Error::Read { path: p.key.clone(), source })?;
    let out = crate::pseudonymise::pseudonymise(&model, &key, p.teams)?;
    if let Some(map) = &p.map {
        let mut w = csv::Writer::from_writer(Vec::new());
        let rows = std::iter::once(["kind", "original", "pseudonym"].map(String::from))
            .chain(out.mapping.iter().map(|(kind, a, b)| [kind.to_string(), a.clone(), b.clone()]));
        for row in rows {
            w.write_record(&row).map_err(|e| Error::Write { path: map.clone(), problem: e.to_string() })?;
        }
        let bytes = w.into_inner().map_err(|e| Error::Write { path: map.clone(), problem: e.to_string() })?;
        write::atomic_write(map, &bytes)?;
    }
    write::atomic_write(&p.output, &write::to_json(&out.model))?;
    Ok(exit::OK)
}

/// The exit status of a written proposal.
pub fn status(p: &Proposal, fail_on: &[CaseType]) -> i32 {
    let alarm = fail_on.iter().any(|t| p.summary.by_type.get(t).is_some_and(|c| c.unallocated > 0));
    if alarm {
        exit::UNALLOCATED
    } else if !p.optimal {
        exit::NOT_PROVEN
    } else {
        exit::OK
    }
}

fn run_check(c: &CheckArgs) -> Result<i32> {
    let (model, warnings, proposal) =
        crate::sheets::load_for_check(c.model.as_deref(), c.proposal.as_deref(), &c.sheets, &c.checks)?;
    crate::sheets::print_warnings(&warnings);
    let breaches = match &proposal {
        Some(path) => {
            let bytes = crate::read::read_bytes(path)?;
            let p = check::parse_proposal(&path.display().to_string(), &bytes)?;
            check::check_proposal(&model, &p)
        }
        None => check::check_today(&model),
    };
    let mut text = String::new();
    if c.json {
        text = serde_json::to_string_pretty(&breaches).unwrap_or_default() + "\n";
    } else {
        if proposal.is_none() {
            let (unallocated, la) = check::today_facts(&model);
            text += &format!(
                "today: {} cases, {} with no worker; {} looked-after children held by staff who may not hold them\n",
                model.cases.len(),
                unallocated,
                la
            );
        }
        for b in &breaches {
            text += &format!("{}: {}\n", check::breach_words(&b.code), b.message);
        }
        text += &if breaches.is_empty() {
            "no breaches\n".to_string()
        } else {
            format!("{} breaches\n", breaches.len())
        };
    }
    say(&text);
    Ok(if breaches.is_empty() { exit::OK } else { exit::BREACHES })
}

/// Writes to stdout. A closed pipe (`caseload ... | head`) is not an error: the files are
/// already written, and a batch job must not crash on it.
pub fn say(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
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
        crate::report::num(p.objective),
        if p.optimal {
            "optimal".to_string()
        } else {
            format!("not proven optimal; no allocation can score above {}", crate::report::num(p.bound))
        }
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
        let reasons: Vec<String> = s
            .unallocated_by_reason
            .iter()
            .map(|(c, n)| format!("{} {n}", c.name().replace('_', " ")))
            .collect();
        let total: usize = s.unallocated_by_reason.values().sum();
        let _ = writeln!(
            out,
            "  unallocated: {} structural, {} capacity (by reason: {}){}",
            s.structural_shortfall,
            s.capacity_shortfall,
            reasons.join(", "),
            if total > s.cases.unallocated {
                format!(
                    "; some children have more than one reason, so the reasons add up to {total} for {} {}",
                    s.cases.unallocated,
                    if s.cases.unallocated == 1 { "child" } else { "children" }
                )
            } else {
                String::new()
            }
        );
    }
    let _ = writeln!(
        out,
        "  looked-after children unallocated: {} ({:.1}%){}",
        s.looked_after_unallocated,
        100.0 * s.looked_after_unallocated_share,
        if s.looked_after_emergency { " - above the 10% emergency threshold" } else { "" }
    );
    let _ = writeln!(
        out,
        "  workers over target: {} (total {} above target)",
        s.workers_over_target,
        crate::report::num(s.overload)
    );
    out
}
