//! `caseload allocate`: one model to one proposal, or a batch of models to a directory.

use super::{exit, say, shown, InputChecksArgs, SheetInputArgs, SheetOutputArgs};
use caseload::batch;
use caseload::error::{Error, Result};
use caseload::model::CaseType;
use caseload::proposal::Proposal;
use caseload::words::count;
use std::path::PathBuf;
use std::time::Instant;

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
    pub sheets: SheetInputArgs,
    /// CSV tables and an HTML report, besides the proposal.
    #[command(flatten)]
    pub outputs: SheetOutputArgs,
    /// Checks beyond the rules.
    #[command(flatten)]
    pub checks: InputChecksArgs,
    /// Where to write the proposal (written atomically; `-` for standard output, and the summary
    /// then goes to standard error). For a batch, a directory that receives
    /// `<model name>.proposal.json` for each model. May be left out when --xlsx, --report or
    /// --csv is given: then only those are written.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Stop searching after this many seconds and write the best lawful proposal found
    /// (`"optimal": false`, exit status 3).
    /// Seconds (`10`, `10s`), minutes (`2m`) or hours (`1h`).
    #[arg(long, value_name = "DURATION", value_parser = super::parse_duration)]
    pub time_limit: Option<f64>,
    /// Branch-and-bound nodes allowed per independent part before the best proposal found is
    /// written with `"optimal": false` and its proven bound (exit status 3). Only models with
    /// case weights or sibling groups search at all. Unlike a time limit, the result is the
    /// same on every run. `auto` (the default) is 5,000 nodes, and lets each part's root
    /// relaxations go beyond them by up to 3 simplex iterations per row and 1 per column of
    /// their programme (at most ten times the nodes' work), so that they are solved on a
    /// district of any size; a number is exactly that many nodes; 0 means no limit.
    #[arg(long, value_name = "N|auto", default_value = "auto", value_parser = super::parse_node_limit)]
    pub node_limit: super::NodeLimit,
    /// Exit with status 6 when cases of these types stay unallocated (comma-separated, e.g.
    /// `looked_after,child_protection`), so cron can alert.
    #[arg(long, value_name = "TYPE[,TYPE]", value_delimiter = ',', value_parser = super::parse_case_type)]
    pub fail_on_unallocated: Vec<CaseType>,
    /// Print nothing on success.
    #[arg(short, long)]
    pub quiet: bool,
    /// Also write each independent part's compact programme as DIR/part-NNNN.json, for a
    /// reference solver (benches/compare.py); see the README's performance section.
    #[arg(long, value_name = "DIR", hide = true)]
    pub export_lp: Option<PathBuf>,
}

/// Runs `allocate`; returns the exit status.
pub fn run(a: &AllocateArgs) -> Result<i32> {
    super::one_stdin(a.sheets.inputs())?;
    let is_batch = !a.more.is_empty() || a.model.as_ref().is_some_and(|m| m.is_dir());
    if is_batch {
        return run_batch(a);
    }
    let mut lim = super::limits(a.time_limit, a.node_limit)?;
    lim.observer = super::progress::observer(!a.quiet);
    let sheets = a.sheets.lower();
    let outputs = a.outputs.lower();
    if a.output.is_none() && outputs.files().is_empty() {
        return Err(Error::Usage(
            "give -o PROPOSAL.json for the proposal, or --xlsx, --report or --csv for what a person reads"
                .into(),
        ));
    }
    let output = a.output.as_deref();
    super::one_stdout([
        ("-o", output),
        ("--report", outputs.report.as_deref()),
        ("--xlsx", outputs.xlsx.as_deref()),
    ])?;
    super::no_stdout_dir("--csv", outputs.csv.as_deref())?;
    super::no_stdout_dir("--export-lp", a.export_lp.as_deref())?;
    // The summary goes to standard error when any output is on standard output.
    let stdout_taken = [output, outputs.report.as_deref(), outputs.xlsx.as_deref()]
        .into_iter()
        .flatten()
        .any(super::names_stdout);
    let inputs = sheets.inputs(a.model.as_deref());
    outputs.check(&inputs, output.filter(|p| !super::is_stdout(p)))?;
    // An output named as another kind of file (after the inputs: writing over one is worse).
    super::named_as_written(
        [
            ("-o", output, super::Kind::Json),
            ("--report", outputs.report.as_deref(), super::Kind::Html),
            ("--xlsx", outputs.xlsx.as_deref(), super::Kind::Workbook),
        ],
        &[
            (super::Kind::Workbook, "--xlsx {name} (the meeting workbook)"),
            (super::Kind::Html, "--report {name}"),
            (
                super::Kind::Csv,
                "--csv with a directory (allocations.csv, unallocated.csv and workers.csv are written there)",
            ),
            (super::Kind::Json, "-o {name} (the proposal)"),
        ],
    )?;
    if let Some(dir) = &a.export_lp {
        let mut named: Vec<(&str, &std::path::Path)> = inputs.iter().map(|i| ("an input", *i)).collect();
        let files = outputs.files();
        named.extend(output.filter(|p| !super::is_stdout(p)).map(|p| ("-o", p)));
        named.extend(files.iter().map(|f| ("another output", f.as_path())));
        export_lp_clear(dir, &named)?;
    }
    let (model, warnings) = caseload::sheets::load_screened(a.model.as_deref(), &sheets, a.checks.checks())?;
    super::print_warnings(&warnings);
    // The programmes' files join the run's other outputs: checked against the inputs and the
    // other outputs by the same rules, and written all or nothing with them.
    let exported = match &a.export_lp {
        Some(dir) => {
            let files = export_lp(&model, dir);
            let mut all: Vec<(&str, Option<&std::path::Path>)> =
                vec![("-o", output.filter(|p| !super::is_stdout(p)))];
            let extra = outputs.files();
            all.extend(extra.iter().map(|f| ("--report, --xlsx or --csv", Some(f.as_path()))));
            all.extend(files.iter().map(|(f, _)| ("--export-lp", Some(f.as_path()))));
            caseload::sheets::no_output_over_input(inputs.iter().copied(), all.iter().copied())?;
            caseload::sheets::no_output_twice(all.iter().copied())?;
            std::fs::create_dir_all(dir).map_err(|e| Error::Write {
                path: dir.clone(),
                problem: format!("cannot create the directory: {e}"),
            })?;
            files
        }
        None => Vec::new(),
    };
    let proposal = caseload::allocate(&model, lim);
    super::progress::finish();
    let mut proposal = proposal?;
    // The spreadsheets' own warnings (hidden rows, a sheet not read) go where the model's are
    // shown: the proposal, the report and the meeting workbook.
    for w in &warnings {
        if !proposal.warnings.contains(w) {
            proposal.warnings.push(w.clone());
        }
    }
    proposal.warnings.sort();
    // All or nothing: every output is made before any replaces a file.
    let stage = super::Stage::default();
    if let Some(path) = output {
        stage.put(path, &caseload::write::to_json(&proposal))?;
    }
    for (path, bytes) in &exported {
        stage.put(path, bytes)?;
    }
    let extra =
        outputs.write(&model, &proposal, &sheets.name(a.model.as_deref()), &|p, b| stage.put(p, b))?;
    stage.commit()?;
    if !a.quiet {
        let mut text = human_summary(&proposal);
        if let Some(path) = output {
            text += &format!("proposal written to {}\n", shown(path));
        }
        for f in extra {
            text += &format!("written {}\n", shown(&f));
        }
        say(&text, stdout_taken);
    }
    Ok(status(&proposal, &a.fail_on_unallocated))
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

/// How bad an exit status is, for taking the worst of a batch: a written proposal (done, not
/// proven optimal, unallocated alarm) is better than none (invalid input, write failure, solver
/// failure).
fn severity(code: i32) -> u8 {
    match code {
        exit::OK => 0,
        exit::NOT_PROVEN => 1,
        exit::UNALLOCATED => 2,
        exit::INVALID => 3,
        exit::WRITE => 4,
        _ => 5,
    }
}

/// The worst of some exit statuses (0 for none).
fn worst(codes: impl IntoIterator<Item = i32>) -> i32 {
    codes.into_iter().max_by_key(|&c| severity(c)).unwrap_or(exit::OK)
}

/// Runs `allocate` over many models; returns the worst exit status.
fn run_batch(a: &AllocateArgs) -> Result<i32> {
    if a.sheets.workers.is_some()
        || a.sheets.cases.is_some()
        || a.sheets.workbook.is_some()
        || a.outputs.xlsx.is_some()
        || a.outputs.csv.is_some()
        || a.outputs.report.is_some()
    {
        return Err(Error::Usage(
            "a batch takes model files only; run spreadsheets, --csv, --xlsx and --report one model at a time".into(),
        ));
    }
    let Some(dir) = &a.output else {
        return Err(Error::Usage("with several models, give -o DIR for the proposals".into()));
    };
    if super::is_stdout(dir) {
        return Err(Error::Usage(
            "with several models, -o names a directory for the proposals; standard output (-) cannot hold them".into(),
        ));
    }
    let mut inputs: Vec<PathBuf> = a.model.iter().cloned().collect();
    inputs.extend(a.more.iter().cloned());
    let models = batch::model_paths(&inputs)?;
    let made = batch::prepare(&models, dir)?;
    // Checked once here; each model then gets the whole time limit, counted from its own start.
    super::limits(a.time_limit, a.node_limit)?;
    let limits = || super::limits(a.time_limit, a.node_limit).unwrap_or_default();

    let started = Instant::now();
    let items = batch::solve_all(&models, dir, a.checks.checks(), &limits);
    batch::tidy(&made, &items);
    let outcomes: Vec<(i32, String)> = items.iter().map(|i| line(a, i)).collect();
    let code = worst(outcomes.iter().map(|o| o.0));
    let (mut out, mut err) = (String::new(), String::new());
    // Each model's warnings, named on standard error as a single run names its own.
    for item in &items {
        for w in item.result.iter().flat_map(|p| &p.warnings) {
            let message = caseload::util::one_line(&w.message);
            err += &format!("caseload: warning: {}: {message} [{}]\n", item.model.display(), w.code);
        }
    }
    for (c, l) in &outcomes {
        if severity(*c) >= severity(exit::INVALID) {
            err += &format!("caseload: {l}\n");
        } else if !a.quiet || *c != exit::OK {
            out += &format!("{l}\n");
        }
    }
    if !a.quiet {
        let failed = outcomes.iter().filter(|o| severity(o.0) >= severity(exit::INVALID)).count();
        out += &format!(
            "{}: {} written to {}, {} failed; {:.2} s; exit status {}\n",
            count(outcomes.len(), "model", "models"),
            count(outcomes.len() - failed, "proposal", "proposals"),
            dir.display(),
            failed,
            started.elapsed().as_secs_f64(),
            code
        );
    }
    say(&err, true);
    say(&out, false);
    Ok(code)
}

/// The exit status and the line of one model of a batch.
fn line(a: &AllocateArgs, item: &batch::Item) -> (i32, String) {
    let name = item.model.display();
    match &item.result {
        Ok(p) => {
            let s = &p.summary.cases;
            (
                status(p, &a.fail_on_unallocated),
                format!(
                    "{name}: {}, {} allocated, {} unallocated; objective {} ({}) -> {}",
                    count(s.cases, "case", "cases"),
                    s.allocated,
                    s.unallocated,
                    p.objective,
                    if p.optimal { "optimal" } else { "not proven optimal" },
                    item.proposal_file.display()
                ),
            )
        }
        Err(e) => {
            let text = e.to_string();
            // Input and read errors name the file already.
            let line = if text.starts_with(&name.to_string()) { text } else { format!("{name}: {text}") };
            (super::status_of(e), line)
        }
    }
}

/// A short human summary of a proposal.
pub fn human_summary(p: &Proposal) -> String {
    use std::fmt::Write;
    let s = &p.summary;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} allocated, {} unallocated; objective {} ({})",
        count(s.cases.cases, "case", "cases"),
        s.cases.allocated,
        s.cases.unallocated,
        caseload::report::num(p.objective),
        if p.optimal {
            "optimal".to_string()
        } else {
            format!("not proven optimal; no allocation can score above {}", caseload::report::num_up(p.bound))
        }
    );
    // Wide enough for the longest team name, so the columns line up.
    let w = s.by_team.keys().map(|t| t.chars().count()).max().unwrap_or(0).clamp(18, 60);
    let _ = writeln!(out, "  {:<w$} {:>9} {:>11}", "by type", "allocated", "unallocated");
    for (t, c) in &s.by_type {
        if c.cases > 0 {
            let _ = writeln!(out, "  {:<w$} {:>9} {:>11}", t.name(), c.allocated, c.unallocated);
        }
    }
    let _ = writeln!(out, "  {:<w$} {:>9} {:>11}", "by team", "allocated", "unallocated");
    for (t, c) in &s.by_team {
        let _ = writeln!(out, "  {:<w$} {:>9} {:>11}", t, c.allocated, c.unallocated);
    }
    let _ = writeln!(
        out,
        "  moves: {} kept, {} moved, {} new, {} {} their worker",
        s.moves.kept,
        s.moves.moved,
        s.moves.new,
        s.moves.lost,
        caseload::words::verb(s.moves.lost, "loses", "lose")
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
        caseload::report::num(s.overload)
    );
    if !s.spread.is_empty() {
        let widest =
            s.spread.iter().fold(("", 0.0f64), |acc, (t, &v)| if v > acc.1 { (t.as_str(), v) } else { acc });
        let highest = p.workers.iter().filter_map(|w| w.percent).fold(0.0f64, f64::max);
        let _ = writeln!(
            out,
            "  fairness: highest load {}% of target; widest spread within a team {} points ({})",
            caseload::report::num(highest),
            caseload::report::num(widest.1),
            if widest.0.is_empty() { "-" } else { widest.0 }
        );
    }
    out
}

/// Whether `name` is one `--export-lp` may write: `parts.json` or `part-NNNN.json`.
fn export_lp_name(name: &str) -> bool {
    name == "parts.json"
        || name
            .strip_prefix("part-")
            .and_then(|n| n.strip_suffix(".json"))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Refuses, before anything is read, an `--export-lp DIR` that could write over an input or
/// another output: one of them (through any link) is in DIR under a name the export writes.
fn export_lp_clear(dir: &std::path::Path, named: &[(&str, &std::path::Path)]) -> Result<()> {
    let dir_key = caseload::sheets::same_file_key(dir);
    for (what, path) in named {
        let key = caseload::sheets::same_file_key(path);
        let name = key.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if key.parent() == Some(dir_key.as_path()) && export_lp_name(&name) {
            return Err(Error::Usage(format!(
                "--export-lp {}: writes parts.json and part-NNNN.json there, and {} ({what}) is one of them; choose another directory",
                dir.display(),
                path.display()
            )));
        }
    }
    Ok(())
}

/// Every part's compact programme as the files `--export-lp DIR` writes: `DIR/parts.json` (the
/// constant that joins them) and `DIR/part-NNNN.json`, each with its bytes.
fn export_lp(model: &caseload::model::Model, dir: &std::path::Path) -> Vec<(PathBuf, Vec<u8>)> {
    let el = caseload::rules::eligibility(model);
    let problem = caseload::formulate::formulate(model, &el);
    let (constant, parts) = caseload::solve::export(model, &problem);
    let top = serde_json::json!({"constant": constant, "parts": parts.len()});
    let mut files = vec![(dir.join("parts.json"), top.to_string().into_bytes())];
    for part in parts {
        let name = format!("part-{:04}.json", part["part"].as_u64().unwrap_or(0));
        files.push((dir.join(name), serde_json::to_vec(&part).unwrap_or_default()));
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_names_export_lp_writes_are_known() {
        assert!(
            export_lp_name("parts.json")
                && export_lp_name("part-0000.json")
                && export_lp_name("part-12345.json")
        );
        assert!(
            !export_lp_name("part-.json") && !export_lp_name("part-00a0.json") && !export_lp_name("p.json")
        );
    }

    #[test]
    fn a_written_proposal_is_better_than_none_when_taking_the_worst_status() {
        assert_eq!(worst([exit::OK, exit::NOT_PROVEN]), exit::NOT_PROVEN);
        assert_eq!(worst([exit::UNALLOCATED, exit::INVALID, exit::OK]), exit::INVALID);
        assert_eq!(worst([exit::SOLVER, exit::WRITE]), exit::SOLVER);
        assert_eq!(worst([]), exit::OK);
    }
}
