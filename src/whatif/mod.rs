//! `caseload whatif`: planning scenarios. What if we fill N vacant posts (and which first),
//! change caps or targets, hire, lose workers, or see demand rise?
//!
//! Scenarios are the cartesian product of the sweeps (demand, each `--cap` role, each
//! `--target` role, then the fill counts), after the base model, which always comes first.
//! See [`fill`] for how posts are chosen and how the pieces of the model are solved.

pub mod build;
pub mod fill;
pub mod marginal;
pub mod piece;
pub mod plan;
pub mod report;

use crate::error::Result;
use crate::model::ModelFile;
use crate::proposal::Proposal;
use build::Context;
use fill::{Engine, FillRun};
pub use plan::Plan;
use rayon::prelude::*;
pub use report::{Outcome, ScenarioRow};
use std::path::PathBuf;
use std::sync::Arc;

/// Arguments of `caseload whatif`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct WhatifArgs {
    /// The model file (JSON), or `-` for standard input; or give --workers and --cases.
    pub model: Option<PathBuf>,
    /// The model as spreadsheets instead of MODEL.
    #[command(flatten)]
    pub sheets: crate::sheets::SheetInput,
    /// Checks beyond the rules.
    #[command(flatten)]
    pub checks: crate::sheets::InputChecks,
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
    /// Write the scenarios as JSON.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write the scenarios as CSV, one line each.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Write a self-contained HTML report of the base model's proposal, with the curve of
    /// children without a worker against posts filled.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Write each scenario's model and proposal into this directory.
    #[arg(long, value_name = "DIR")]
    pub proposals: Option<PathBuf>,
    /// Print nothing on success.
    #[arg(short, long)]
    pub quiet: bool,
}

impl Plan {
    /// Parses the scenario flags (exit status 2 on any problem).
    pub fn from_args(a: &WhatifArgs) -> Result<Plan> {
        Ok(Plan {
            fill: match &a.fill_vacancies {
                Some(s) => plan::parse_fill(s)?,
                None => vec![0],
            },
            caps: a.cap.iter().map(|s| plan::parse_role_values("--cap", s)).collect::<Result<_>>()?,
            targets: a
                .target
                .iter()
                .map(|s| plan::parse_role_values("--target", s))
                .collect::<Result<_>>()?,
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
}

/// One scenario before it is solved.
struct Spec {
    name: String,
    context: usize,
    requested: usize,
    fill_given: bool,
}

/// Runs every scenario of a plan on a model. `file_name` names the model in messages; `bytes`
/// are its bytes (the base scenario's proposal carries their hash, as `allocate`'s does).
/// `tick` is called as work completes, for a progress bar; `progress_len` receives the total.
pub fn evaluate(
    file_name: &str,
    bytes: &[u8],
    plan: &Plan,
    with_marginal: bool,
    progress_len: &(dyn Fn(u64) + Sync),
    tick: &(dyn Fn() + Sync),
) -> Result<Outcome> {
    let file: ModelFile = crate::read::parse_model(file_name, bytes)?;
    crate::validate::validate(file_name, &file, bytes)?;
    plan::check_against(plan, &file)?;
    let fill = if plan.fill.is_empty() { vec![0] } else { plan.fill.clone() };
    let fill_given = fill != [0];

    // Contexts: 0 is the model as given; sweep contexts that change nothing reuse it.
    let mut contexts: Vec<Context> = vec![build::identity(&file)];
    let mut specs = vec![Spec { name: "base".into(), context: 0, requested: 0, fill_given: false }];
    for ctx in build::contexts(&file, plan)? {
        let ci = if ctx.identity {
            0
        } else {
            fill::check_context(&ctx, file_name)?;
            contexts.push(ctx);
            contexts.len() - 1
        };
        for &n in &fill {
            if ci == 0 && n == 0 {
                continue; // the base scenario
            }
            let label = &contexts[ci].label;
            let name = match (label.is_empty(), fill_given) {
                (true, _) => format!("fill={n}"),
                (false, true) => format!("{label} fill={n}"),
                (false, false) => label.clone(),
            };
            specs.push(Spec { name, context: ci, requested: n, fill_given });
        }
    }
    let max_fill: Vec<usize> = (0..contexts.len())
        .map(|c| specs.iter().filter(|s| s.context == c).map(|s| s.requested).max().unwrap_or(0))
        .collect();
    let engines: Vec<Engine> = contexts.iter().map(Engine::new).collect();
    let steps: Vec<usize> = engines.iter().zip(&max_fill).map(|(e, &m)| m.min(e.vacant().len())).collect();
    let marginal_jobs: usize =
        if with_marginal { engines[0].pieces.iter().map(|p| p.teams.len() * 7).sum() } else { 0 };
    progress_len((steps.iter().sum::<usize>() + specs.len() + marginal_jobs) as u64);

    let runs: Vec<FillRun> =
        engines.par_iter().zip(&steps).map(|(e, &n)| e.greedy(n, tick)).collect::<Result<_>>()?;

    // Distinct (context, posts filled) pairs, each composed once.
    let effective = |s: &Spec| (s.context, s.requested.min(runs[s.context].steps.len()));
    let mut distinct: Vec<(usize, usize)> = specs.iter().map(effective).collect();
    distinct.sort_unstable();
    distinct.dedup();
    let composed: Vec<Arc<(ModelFile, Proposal)>> = distinct
        .par_iter()
        .map(|&(c, n)| {
            let own = if c == 0 && n == 0 { Some(bytes) } else { None };
            let name =
                if c == 0 && n == 0 { file_name.to_string() } else { format!("{file_name} (scenario)") };
            engines[c].compose(&runs[c], n, &name, own).map(Arc::new)
        })
        .collect::<Result<_>>()?;

    let mut scenarios = Vec::with_capacity(specs.len());
    for (i, s) in specs.iter().enumerate() {
        let key = effective(s);
        let at = distinct.binary_search(&key).unwrap_or(0);
        let result = Arc::clone(&composed[at]);
        let row = report::row(
            i,
            &s.name,
            &contexts[s.context],
            &engines[s.context],
            &runs[s.context],
            s.requested,
            key.1,
            s.fill_given,
            &result.1,
        );
        scenarios.push(report::Scenario { row, result });
        tick();
    }
    let marginal = if with_marginal { Some(marginal::marginal(&engines[0], tick)?) } else { None };
    let fill_order = contexts
        .iter()
        .zip(&engines)
        .zip(&runs)
        .filter(|(_, r)| !r.steps.is_empty())
        .map(|((c, e), r)| report::fill_order(c, e, r))
        .collect();
    Ok(Outcome {
        model: file_name.to_string(),
        model_hash: crate::validate::sha256_hex(bytes),
        scenarios,
        fill_order,
        marginal,
    })
}

/// The curves of children without a worker against posts filled, one series per combination
/// of the other settings; none without a fill sweep.
pub fn fill_curves(o: &Outcome) -> Vec<crate::report::WhatIfCurve> {
    let mut series: Vec<crate::report::Series> = Vec::new();
    // The base scenario is the "as given" curve's first point (no posts filled).
    for sc in &o.scenarios {
        let words = sc.row.name.split(' ').filter(|w| !w.starts_with("fill=") && *w != "base");
        let settings = words.collect::<Vec<_>>().join(" ");
        let name = if settings.is_empty() { "as given".to_string() } else { settings };
        let point = (sc.row.filled as f64, sc.row.unallocated as f64);
        match series.iter_mut().find(|s| s.name == name) {
            Some(s) if s.points.iter().any(|p| p.0 == point.0) => {}
            Some(s) => s.points.push(point),
            None => series.push(crate::report::Series { name, points: vec![point] }),
        }
    }
    series.retain(|s| s.points.len() > 1);
    if series.is_empty() {
        return Vec::new();
    }
    vec![crate::report::WhatIfCurve {
        title: "What if we fill vacant posts?".into(),
        note: "Children without a worker as vacant posts are filled, best posts first (see the JSON \
               output for which posts)."
            .into(),
        x_label: "vacant posts filled".into(),
        y_label: "children without a worker".into(),
        series,
        today: None,
    }]
}

/// `caseload whatif`: runs the scenarios, prints the table, writes the requested files.
pub fn run(a: &WhatifArgs) -> Result<i32> {
    let plan = Plan::from_args(a)?;
    // A model file, or spreadsheets validated first so that errors name their rows and columns.
    let (name, bytes, warnings) = match (&a.model, a.sheets.given()) {
        (Some(path), false) => {
            let name = path.display().to_string();
            let bytes = crate::read::read_bytes(path)?;
            let m = crate::load_model_bytes(&name, &bytes)?;
            let w = crate::warnings::screen(&m, a.checks.checks(), &crate::warnings::Origin::file(&name))?;
            (name, bytes, w)
        }
        (None, true) => {
            let sheets = a.sheets.read()?;
            let m = sheets.validate()?;
            let origin = crate::warnings::Origin {
                workers: (sheets.workers_file.clone(), "row 2".into()),
                cases: (sheets.cases_file.clone(), "row 2".into()),
            };
            let w = crate::warnings::screen(&m, a.checks.checks(), &origin)?;
            (sheets.workers_file.clone(), sheets.canonical_json(), w)
        }
        _ => {
            return Err(crate::error::Error::Usage(
                "give a model file or --workers and --cases, not both".into(),
            ))
        }
    };
    crate::sheets::print_warnings(&warnings);
    if let Some(dir) = &a.proposals {
        if dir.exists() && !dir.is_dir() {
            return Err(crate::error::Error::Usage(format!(
                "--proposals: {} is a file, not a directory",
                dir.display()
            )));
        }
    }
    let bar = report::progress_bar(a.quiet);
    let outcome = evaluate(&name, &bytes, &plan, a.marginal, &|n| bar.set_length(n), &|| bar.inc(1))?;
    bar.finish_and_clear();
    if let Some(dir) = &a.proposals {
        report::write_proposals(&outcome, dir)?;
    }
    if let Some(path) = &a.json {
        crate::write::atomic_write(
            path,
            &crate::write::to_json(&report::json(&outcome, a.proposals.as_deref())),
        )?;
    }
    if let Some(path) = &a.csv {
        crate::write::atomic_write(path, report::csv(&outcome).as_bytes())?;
    }
    if let Some(path) = &a.report {
        let base = &outcome.scenarios[0].result;
        let model = crate::validate::validate(&name, &base.0, &bytes)?;
        let html = crate::report::render_with(&model, &base.1, &fill_curves(&outcome));
        crate::write::atomic_write(path, html.as_bytes())?;
    }
    if !a.quiet {
        crate::cli::say(&report::table(&outcome));
    }
    Ok(if outcome.scenarios.iter().all(|s| s.result.1.optimal) {
        crate::cli::exit::OK
    } else {
        crate::cli::exit::NOT_PROVEN
    })
}
