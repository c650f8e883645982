//! `caseload accept`: the meeting's decision (a proposal file or the edited meeting workbook)
//! written into next week's model, keeping the file it replaces beside it, dated.

use super::{exit, say, shown, SheetInputArgs};
use caseload::accept::{self, Accepted, Options};
use caseload::error::{Error, Result};
use caseload::model::{AsOf, Date, Model, ModelFile};
use caseload::sheets::{meeting, workbook};
use caseload::words::{count, noun};
use std::path::{Path, PathBuf};

/// Arguments of `accept`.
#[derive(clap::Args, Debug)]
pub struct AcceptArgs {
    /// The model file (JSON) the proposal was made from; with --workbook, or --workers and
    /// --cases, leave it out (the one positional argument is then ACCEPTED).
    pub model: Option<PathBuf>,
    /// The accepted allocation: the proposal file `allocate` wrote, or the meeting workbook
    /// (`allocate --xlsx`) as edited in the meeting.
    pub accepted: Option<PathBuf>,
    /// The model as spreadsheets instead of MODEL.
    #[command(flatten)]
    pub sheets: SheetInputArgs,
    /// Where to write next week's model: an Excel workbook when it ends in .xlsx (sheets
    /// workers, cases, policy), else a model file (JSON). A file it replaces is kept beside it,
    /// dated (next.json -> next.2026-12-04.json). `-` for standard output (JSON); through a
    /// link, `/dev/stdout` too, the format is that of the file it names (`> next.xlsx`).
    #[arg(short, long, value_name = "NEXT")]
    pub output: PathBuf,
    /// The day the allocation is for, YYYY-MM-DD: the first day of a new wait. Default: the day
    /// the proposal records (a proposal file without one: today). Needed for a meeting workbook
    /// whose day cannot be read (its summary sheet deleted, the day cleared or its label
    /// retyped).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_date)]
    pub date: Option<Date>,
    /// Accept an allocation that breaks a rule of SPEC section 3 (the meeting decided so): next
    /// week's model records each breach in the notes of the case or worker it concerns.
    /// Without it such an allocation is refused (exit status 1) and nothing is written.
    #[arg(long)]
    pub accept_breaches: bool,
    /// Accept a proposal or meeting workbook made from another version of the model (changed
    /// on purpose after `allocate`). Without it, one whose recorded model hash differs from
    /// MODEL's is refused (exit status 2): it is another week's, or the model changed since.
    /// Each child's row is still checked against the model (its worker today, type, team and
    /// weight).
    #[arg(long)]
    pub model_changed: bool,
    /// Accept an allocation that leaves without a worker every child who has one today (more
    /// than one such child, or nobody allocated at all).
    /// Without it such an allocation (an allocations sheet emptied by mistake) is refused
    /// (exit status 2) and nothing is written.
    #[arg(long)]
    pub allow_empty: bool,
    /// Print nothing on success.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Runs `accept`; returns 0 when written, 1 when refused for breaches.
pub fn run(a: &AcceptArgs) -> Result<i32> {
    let sheets = a.sheets.lower();
    let (model_path, accepted) = match (sheets.given(), &a.model, &a.accepted) {
        (false, Some(m), Some(p)) => (Some(m.as_path()), p.as_path()),
        (true, Some(p), None) => (None, p.as_path()),
        (true, _, _) => {
            return Err(Error::Usage(
                "with --workbook (or --workers and --cases), give only ACCEPTED: caseload accept --workbook MODEL.xlsx ACCEPTED -o NEXT"
                    .into(),
            ))
        }
        _ => {
            return Err(Error::Usage(
                "give the model and the accepted allocation: caseload accept MODEL.json ACCEPTED -o NEXT".into(),
            ))
        }
    };
    if [model_path, Some(accepted)].into_iter().flatten().any(super::is_stdout) {
        return Err(Error::Usage("accept reads files, not standard input (-)".into()));
    }
    // The one same-file key of every output check, through links; an accepted allocation not
    // there is named below as one that cannot be read, not as an output over it.
    let key = caseload::write::file_key;
    if accepted.exists() && key(&a.output) == key(accepted) {
        return Err(Error::Usage(format!(
            "-o {}: is the accepted allocation; writing it would overwrite it. Choose another file",
            a.output.display()
        )));
    }
    // Only the model itself (a model file, or the workbook) may be replaced in place; the
    // other spreadsheets and the policy file are inputs that `-o` never writes over.
    let others: Vec<&Path> =
        sheets.files().into_iter().filter(|f| Some(*f) != sheets.workbook.as_deref()).collect();
    caseload::sheets::no_output_over_input(others, [("-o", Some(a.output.as_path()))])?;
    // Next week's model is a workbook when -o names one Excel writes (.xlsx), else JSON; the
    // format is the file's that is written: through a link, the name it points at (`-o
    // this-week -> team.xlsx` writes a workbook, not JSON into team.xlsx). `/dev/stdout` is
    // such a link, to the file standard output is redirected to: a cron line's `-o /dev/stdout
    // > next.xlsx` writes a workbook, and JSON to a pipe or a terminal. `-` is always JSON.
    let as_workbook =
        workbook::is_workbook(&caseload::write::followed(&a.output).unwrap_or_else(|| a.output.clone()));
    let writes = if as_workbook { super::Kind::Workbook } else { super::Kind::Json };
    super::named_as_written(
        [("-o", Some(a.output.as_path()), writes)],
        &[(super::Kind::Workbook, "-o a name ending in .xlsx (Excel's workbook)")],
    )?;
    // Words never mix with a model written to standard output, under any name (`-o -`, `-o
    // /dev/stdout`, the file it is redirected to): asked before the model replaces anything.
    let stdout_taken = super::names_stdout(&a.output);
    let accepted_name = accepted.display().to_string();
    let read = meeting::parse_proposal_read(&accepted_name, &caseload::read::read_bytes(accepted)?)?;
    // A mistake found reading the workbook (and a day that cannot be read) is named with every
    // other mistake of its rows, judged against the model, in one run: not one a run.
    let mut problems = caseload::error::Errors::new();
    if let Some(e) = read.problems {
        problems.push(e);
    }
    let p = read.proposal;
    let date = match a.date {
        Some(d) => d,
        None => match accept::recorded_day(&accepted_name, &p) {
            Ok(day) => day.unwrap_or_else(super::today),
            Err(e) => {
                // A day refused as written is already among the problems.
                let refused =
                    p.summary.as_ref().and_then(|s| s.sheet.as_ref()).is_some_and(|s| s.day_refused);
                if !refused {
                    problems.push(e);
                }
                // The rows are judged against the model of the day the workbook was made for.
                p.written_for().unwrap_or_else(super::today)
            }
        },
    };
    let as_of = Some(AsOf { date, stated: true });
    let (input, model) = read_model(model_path, &sheets, as_of)?;
    if !problems.is_empty() {
        // The rows, unless the workbook is another model's (which `accept` refuses by itself),
        // and the workers sheet as `accept` compares it: by `check::resolve_with`'s rule with the
        // model as read (when it is read for the day the workbook was written for, or the
        // workbook records none), unless the workbook is another model's (`--model-changed`).
        if a.model_changed || !p.of_another_model(&model) {
            let judged = if p.of_another_model(&model) {
                caseload::check::resolve_workers(&model, &p, false, None)
            } else {
                caseload::check::resolve_with(&model, None, &p, false)
            };
            if let Err(e) = judged {
                problems.push(e);
            }
        }
        problems.finish()?;
    }
    let done = accept::accept(
        &input,
        &model,
        &accepted_name,
        &p,
        &Options {
            date,
            record_breaches: a.accept_breaches,
            model_changed: a.model_changed,
            allow_empty: a.allow_empty,
        },
    )?;
    if !done.breaches.is_empty() && !a.accept_breaches {
        let mut text = String::new();
        for b in &done.breaches {
            text +=
                &format!("{}: {}\n", caseload::words::breach(&b.code), caseload::util::one_line(&b.message));
        }
        text += &format!(
            "{}: the accepted allocation breaks the rules; nothing written. Correct it, or give --accept-breaches to record {} in next week's model\n",
            count(done.breaches.len(), "breach", "breaches"),
            noun(done.breaches.len(), "it", "them")
        );
        say(&text, stdout_taken);
        return Ok(exit::BREACHES);
    }
    super::print_warnings(&done.warnings);
    let out = a.output.display().to_string();
    let bytes = if as_workbook {
        // A value a cell cannot keep (a team ending in a space) comes from the model file, and
        // its place (`cases[5].team`) is a place in it: name that file. A workbook or CSV model
        // has none (its cells are trimmed), so the output is named then.
        let source = model_path.map_or_else(|| out.clone(), |p| p.display().to_string());
        // A worker the meeting took a child from, listed by accepting among its previous
        // workers, is named where the meeting decided it rather than at a field it never saw.
        accept::fits_a_workbook(&input, &done, &accepted_name, &p)?;
        caseload::sheets::write::workbook::model_workbook(&source, &done.next)?
    } else {
        caseload::write::to_json(&done.next)
    };
    // Next week's workbook is written anew: which of the team workbook's sheets it lacks
    // (read before the workbook is replaced, when it is written over).
    let team = sheets.workbook.as_deref().filter(|_| as_workbook);
    let left = match team {
        Some(team) => caseload::sheets::sheets_left_behind(
            &team.display().to_string(),
            &caseload::read::read_bytes(team)?,
            &done.next,
        )?,
        None => Vec::new(),
    };
    let kept = keep_replaced(&a.output)?;
    super::emit(&a.output, &bytes)?;
    if let (Some(team), false) = (team, left.is_empty()) {
        super::print_warnings(&[caseload::warnings::Warning {
            code: "sheets_not_carried".into(),
            message: format!(
                "{out} holds only the model's sheets (workers, cases, policy; reductions and aliases when there are any), without dropdowns: the {} {} of the team workbook {} {} not carried over{}",
                noun(left.len(), "sheet", "sheets"),
                left.iter().map(|n| caseload::util::quoted(&caseload::util::clipped(n))).collect::<Vec<_>>().join(", "),
                team.display(),
                noun(left.len(), "is", "are"),
                kept.as_deref()
                    .map_or(String::new(), |k| format!(" (the workbook replaced is kept as {})", k.display()))
            ),
        }]);
    }
    if !a.quiet {
        let text = summary(&done, &accepted_name, date, &a.output, kept.as_deref(), model.cases.len());
        say(&text, stdout_taken);
    }
    Ok(exit::OK)
}

/// The model file as written (every field the person gave) and the checked model.
fn read_model(
    model: Option<&Path>,
    sheets: &caseload::sheets::SheetInput,
    as_of: Option<AsOf>,
) -> Result<(ModelFile, Model)> {
    match model {
        Some(path) => {
            let bytes = caseload::read::read_bytes(path)?;
            let name = path.display().to_string();
            let input = caseload::read::parse_model(&name, &bytes)?;
            let m = caseload::validate::validate_on(&name, &input, &bytes, as_of)?;
            Ok((input, m))
        }
        None => {
            let s = sheets.read()?;
            let m = s.validate_on(as_of)?;
            Ok((s.model, m))
        }
    }
}

/// Keeps an existing `path` beside it, named with the day it was last written
/// (`next.json` -> `next.2026-12-04.json`, then `next.2026-12-04-2.json`); returns the name.
/// Written atomically before the new file replaces it, so last week can always be brought back.
/// Through a link, the file the link names is kept, beside it and named after it.
/// Only a file the writer replaces is kept: an output written into (`-`, `/dev/stdout`, a pipe)
/// has nothing to keep, and no directory of its own to keep it in (`/dev/stdout` redirected to
/// a file, which the shell has emptied before the run, was kept as `/dev/stdout.2026-12-04`).
fn keep_replaced(path: &Path) -> Result<Option<PathBuf>> {
    let Some(real) = caseload::write::replaced_file(path).filter(|_| !super::is_stdout(path)) else {
        return Ok(None);
    };
    // Through a symbolic link, the file it names is the one replaced: its copy goes beside it,
    // named after it (`-o this-week` with `this-week -> team.xlsx` keeps `team.2026-12-04.xlsx`,
    // a workbook by its name, not `this-week.2026-12-04`).
    let linked = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    let path = if linked { real.as_path() } else { path };
    if !path.is_file() {
        return Ok(None);
    }
    let bytes = caseload::read::read_bytes(path)?;
    let day = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or_else(super::today, |d| Date::from_unix_secs(d.as_secs() as i64));
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let ext = path.extension().map(|e| format!(".{}", e.to_string_lossy())).unwrap_or_default();
    let name = |n: usize| {
        let counter = if n == 1 { String::new() } else { format!("-{n}") };
        path.with_file_name(format!("{stem}.{day}{counter}{ext}"))
    };
    let Some(free) = (1..10_000).map(name).find(|p| caseload::write::vacant(p)) else {
        return Err(Error::Write {
            path: path.to_path_buf(),
            problem: "cannot find a free name to keep the file it replaces beside it".into(),
        });
    };
    caseload::write::atomic_copy(path, &free, &bytes)?;
    Ok(Some(free))
}

/// What `accept` did, for people.
fn summary(
    d: &Accepted,
    accepted: &str,
    date: Date,
    out: &Path,
    kept: Option<&Path>,
    cases: usize,
) -> String {
    use std::fmt::Write;
    let f = &d.facts;
    let mut text = String::new();
    let _ = writeln!(text, "accepted {accepted} for {date}: next week's model written to {}", shown(out));
    if let Some(k) = kept {
        let _ = writeln!(text, "  the file it replaced is kept as {}", k.display());
    }
    let _ = writeln!(
        text,
        "  {}: {} kept, {} moved, {} newly allocated, {} left waiting ({} for the first time, {} of them losing their worker)",
        count(cases, "case", "cases"),
        f.kept.len(),
        f.moved.len(),
        f.newly_allocated.len(),
        f.waiting.len(),
        f.first_waiting.len(),
        f.lost_worker.len()
    );
    if !f.unpinned.is_empty() {
        let _ = writeln!(text, "  pin dropped, the worker changed: {}", f.unpinned.join(", "));
    }
    if !d.breaches.is_empty() {
        let _ = writeln!(
            text,
            "  {} accepted (--accept-breaches), recorded in the notes of: {}",
            count(d.breaches.len(), "breach", "breaches"),
            f.noted.join(", ")
        );
    }
    text
}
