//! `caseload whatif`: planning scenarios, under the same limits as `allocate`.

use super::{exit, tell, InputChecksArgs, SheetInputArgs};
use caseload::error::{Error, Result};
use caseload::whatif::{self, plan, Plan};
use std::path::PathBuf;

/// Arguments of `caseload whatif`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct WhatifArgs {
    /// The model file (JSON), or `-` for standard input; or give --workers and --cases.
    pub model: Option<PathBuf>,
    /// The model as spreadsheets instead of MODEL.
    #[command(flatten)]
    pub sheets: SheetInputArgs,
    /// Checks beyond the rules.
    #[command(flatten)]
    pub checks: InputChecksArgs,
    /// Fill this many of the model's vacant posts, choosing the posts that allocate the most
    /// (greedily, one post at a time): `N`, `A..B` (B left out), `A..=B` or a list `0,5,10`.
    #[arg(long, value_name = "N|A..=B|N,N", allow_hyphen_values = true)]
    pub fill_vacancies: Option<String>,
    /// Try these caps for a role (full time), e.g. `social_worker=18,25,40`. Targets follow the
    /// caps unless the model or `--target` sets them. Repeat for other roles.
    #[arg(long, value_name = "ROLE=V[,V...]")]
    pub cap: Vec<String>,
    /// Try these targets for a role (full time), e.g. `social_worker=15,18`. Repeatable.
    #[arg(long, value_name = "ROLE=V[,V...]")]
    pub target: Vec<String>,
    /// Add N new active full-time posts of a role in a team, e.g. `social_worker:North:3`
    /// (ids `HIRE-social_worker-North-1`, ...). Repeatable.
    #[arg(long, value_name = "ROLE:TEAM:N")]
    pub hire: Vec<String>,
    /// Make these workers absent (leaving, sick); pins to them are dropped.
    #[arg(long, value_name = "ID[,ID...]", value_delimiter = ',')]
    pub absent: Vec<String>,
    /// Scale the caseload per team and type, e.g. `1.5` or a sweep `1,1.25,1.5`.
    #[arg(long, value_name = "FACTOR[,FACTOR...]", allow_hyphen_values = true)]
    pub demand: Option<String>,
    /// Also rank, per team and role, what one more full-time worker would allocate.
    #[arg(long)]
    pub marginal: bool,
    /// Stop after this long (all scenarios together): the scenarios not finished are written
    /// with `"optimal": false` (exit status 3), as Ctrl-C does. Seconds (`10`, `10s`), minutes
    /// (`2m`) or hours (`1h`).
    #[arg(long, value_name = "DURATION", value_parser = super::parse_duration)]
    pub time_limit: Option<f64>,
    /// Branch-and-bound nodes allowed per independent part of each scenario, as for `allocate`
    /// (a scenario that reaches it is not proven optimal; exit status 3): `auto` (the default)
    /// is 5,000 nodes and the root relaxations' allowance, a number exactly that many nodes, 0
    /// no limit.
    #[arg(long, value_name = "N|auto", default_value = "auto", value_parser = super::parse_node_limit)]
    pub node_limit: super::NodeLimit,
    /// Write the scenarios as JSON (`-` for standard output; the table then goes to standard error).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write the scenarios as CSV, one line each (`-` for standard output).
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Write an Excel workbook with a sheet per table: the scenarios, the fill order (when posts
    /// are filled) and the --marginal ranking, headers in plain words (`-` for standard output).
    #[arg(long, value_name = "FILE")]
    pub xlsx: Option<PathBuf>,
    /// Write a self-contained HTML planning report: the curve of children without a worker
    /// against posts filled, the order to fill posts in, the --marginal ranking, every scenario,
    /// and why a number rises where one does (`-` for standard output).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Write each scenario's model and proposal into this directory.
    #[arg(long, value_name = "DIR")]
    pub proposals: Option<PathBuf>,
    /// Print nothing on success.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Lowers the scenario flags to a plan (exit status 2 on any problem).
pub fn plan_of(a: &WhatifArgs) -> Result<Plan> {
    Ok(Plan {
        fill: match &a.fill_vacancies {
            Some(s) => plan::parse_fill(s)?,
            None => vec![0],
        },
        caps: a.cap.iter().map(|s| plan::parse_role_values("--cap", s)).collect::<Result<_>>()?,
        targets: a.target.iter().map(|s| plan::parse_role_values("--target", s)).collect::<Result<_>>()?,
        hires: a.hire.iter().map(|s| plan::parse_hire(s)).collect::<Result<_>>()?,
        absent: {
            let mut v: Vec<String> =
                a.absent.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
            v.sort();
            v.dedup();
            v
        },
        demand: match &a.demand {
            Some(s) => plan::parse_demand(s)?,
            None => vec![1.0],
        },
    })
}

/// Runs the scenarios, prints the table, writes the requested files; returns the exit status.
pub fn run(a: &WhatifArgs) -> Result<i32> {
    super::one_stdin(a.sheets.inputs().into_iter().chain([("MODEL", a.model.as_deref())]))?;
    let plan = plan_of(a)?;
    let limits = super::limits(a.time_limit, a.node_limit)?;
    super::one_stdout([
        ("--json", a.json.as_deref()),
        ("--csv", a.csv.as_deref()),
        ("--report", a.report.as_deref()),
        ("--xlsx", a.xlsx.as_deref()),
    ])?;
    let stdout_taken =
        [&a.json, &a.csv, &a.report, &a.xlsx].into_iter().flatten().any(|p| super::names_stdout(p));
    let sheets = a.sheets.lower();
    caseload::sheets::no_output_over_input(
        sheets.inputs(a.model.as_deref()),
        [
            ("--json", a.json.as_deref()),
            ("--csv", a.csv.as_deref()),
            ("--report", a.report.as_deref()),
            ("--xlsx", a.xlsx.as_deref()),
            ("--proposals", a.proposals.as_deref()),
        ],
    )?;
    // An output named as another kind of file (after the inputs: writing over one is worse).
    super::named_as_written(
        [
            ("--json", a.json.as_deref(), super::Kind::Json),
            ("--csv", a.csv.as_deref(), super::Kind::Csv),
            ("--xlsx", a.xlsx.as_deref(), super::Kind::Workbook),
            ("--report", a.report.as_deref(), super::Kind::Html),
        ],
        &[
            (super::Kind::Json, "--json {name}"),
            (super::Kind::Csv, "--csv {name}"),
            (super::Kind::Workbook, "--xlsx {name}"),
            (super::Kind::Html, "--report {name}"),
        ],
    )?;
    // The directory too, before anything is read: a cron run with a bad DIR fails at once,
    // with nothing else said.
    super::no_stdout_dir("--proposals", a.proposals.as_deref())?;
    if let Some(dir) = &a.proposals {
        if dir.exists() && !dir.is_dir() {
            return Err(Error::Usage(format!("--proposals: {} is a file, not a directory", dir.display())));
        }
        // A scenario model of an earlier sweep in the directory could be replaced.
        for input in sheets.inputs(a.model.as_deref()) {
            if whatif::proposals::may_replace(dir, input) {
                return Err(Error::Usage(format!(
                    "--proposals {}: holds the input {}, named as the scenario files written there are, which a scenario could overwrite. Choose another directory",
                    dir.display(),
                    input.display()
                )));
            }
        }
    }
    // A model file, or spreadsheets validated first so that errors name their rows and columns.
    let checks = a.checks.checks();
    let (name, bytes, warnings) = match (&a.model, sheets.given()) {
        (Some(path), false) => {
            let name = path.display().to_string();
            let bytes = caseload::read::read_bytes(path)?;
            let m = caseload::load_model_bytes_on(&name, &bytes, checks.as_of)?;
            // Each case placed at its entry (`m.json: cases[0].team`), as allocate does.
            let origin = match caseload::read::parse_model(&name, &bytes) {
                Ok(file) => caseload::warnings::Origin::model_file(&name, &file),
                Err(_) => caseload::warnings::Origin::file(&name),
            };
            let w = caseload::warnings::screen(&m, checks, &origin)?;
            (name, bytes, w)
        }
        (None, true) => {
            let read = sheets.screened(checks).read()?;
            let m = read.validate_on(checks.as_of)?;
            let mut w = caseload::warnings::screen(&m, checks, &read.origin())?;
            // The spreadsheets' own warnings (hidden rows, a sheet not read) too.
            w.extend(read.warnings.iter().cloned());
            w.sort();
            (read.workers_file.clone(), read.canonical_json(), w)
        }
        _ => return Err(Error::Usage("give a model file or --workers and --cases, not both".into())),
    };
    super::print_warnings(&warnings);
    let bar = progress_bar(a.quiet);
    let options = whatif::Options { marginal: a.marginal, limits, as_of: checks.as_of };
    let outcome = whatif::evaluate(&name, &bytes, &plan, &options, &|n| bar.set_length(n), &|| bar.inc(1))?;
    bar.finish_and_clear();
    // All or nothing: the scenarios' files are written with the other outputs.
    let stage = super::Stage::default();
    if let Some(dir) = &a.proposals {
        for (path, bytes) in whatif::proposals::proposal_files(&outcome, dir)? {
            stage.put(&path, &bytes)?;
        }
    }
    if let Some(path) = &a.json {
        stage.put(path, &caseload::write::to_json(&whatif::json::json(&outcome, a.proposals.as_deref())))?;
    }
    if let Some(path) = &a.csv {
        stage.put(path, &whatif::csv::csv(&outcome))?;
    }
    if let Some(path) = &a.xlsx {
        stage.put(path, &whatif::xlsx::workbook(&path.display().to_string(), &outcome)?)?;
    }
    if let Some(path) = &a.report {
        let meta = caseload::report::Meta::today(sheets.name(a.model.as_deref()));
        let html = whatif::page::render(&outcome, &meta);
        stage.put(path, html.as_bytes())?;
    }
    stage.commit()?;
    if !a.quiet {
        tell(&whatif::table::table(&outcome), stdout_taken)?;
    }
    let proven = !outcome.stopped && outcome.scenarios.iter().all(|s| s.row.optimal);
    Ok(if proven { exit::OK } else { exit::NOT_PROVEN })
}

/// A progress bar on stderr when it is a terminal (and not `--quiet`); hidden otherwise.
fn progress_bar(quiet: bool) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(0);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{spinner} whatif [{bar:30}] {pos}/{len} {elapsed}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}
