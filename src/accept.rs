//! `caseload accept`: the allocation a meeting decided, carried into next week's model.
//!
//! Given the model file (as the person wrote it: every field is kept), the checked model and
//! the accepted proposal (a proposal file or the edited meeting workbook), [`accept`] makes
//! next week's model file: each case's `current_worker` is its worker in the accepted
//! allocation (none when unallocated); the worker it left joins its `previous_workers` (never
//! its new worker, never twice); a child left without a worker gets `waiting_since`, the
//! allocation's day the first time, kept while it waits, dropped once it has a worker. A pin
//! on a case whose worker changed is dropped (the pin named the worker it had).
//!
//! An allocation that breaks a rule of SPEC section 3 is reported ([`Accepted::breaches`]);
//! the command refuses it unless told otherwise, and then [`Options::record_breaches`] notes
//! each breach on the case (or worker) it concerns. Pure: nothing is read or written here.

use crate::check::{self, Breach, ProposalIn};
use crate::date::Date;
use crate::error::{Error, Errors, Result};
use crate::model::{AsOf, Model, ModelFile};
use serde::Serialize;

/// How to accept.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// The day the allocation is for: the first day of a new wait.
    pub date: Date,
    /// Note each breach of SPEC section 3 in the model (the breaches were accepted).
    pub record_breaches: bool,
    /// Accept a proposal or meeting workbook that records another model's hash (the model was
    /// changed on purpose since `allocate`). Each child's row is still checked against the
    /// model: its worker today, type, team and weight (a proposal file: its `change`).
    pub model_changed: bool,
    /// Accept an allocation that leaves without a worker every child who has one today (an
    /// emptied allocations sheet is almost always a mistake, and is refused without it).
    pub allow_empty: bool,
}

/// What accepting did, case by case (ids, sorted).
#[derive(Serialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// Cases that keep their worker.
    pub kept: Vec<String>,
    /// Cases that move from one worker to another.
    pub moved: Vec<String>,
    /// Cases without a worker today that now have one.
    pub newly_allocated: Vec<String>,
    /// Cases left without a worker (all of them, those who wait on and those who start to).
    pub waiting: Vec<String>,
    /// Of those, the ones whose wait starts now (`waiting_since` is the allocation's day).
    pub first_waiting: Vec<String>,
    /// Of those, the ones who had a worker today.
    pub lost_worker: Vec<String>,
    /// Pinned cases whose worker changed: the pin is dropped.
    pub unpinned: Vec<String>,
    /// Cases and workers whose notes now record an accepted breach.
    pub noted: Vec<String>,
}

/// Next week's model, with what changed and any breach of the accepted allocation.
#[derive(Clone, Debug)]
pub struct Accepted {
    /// Next week's model file.
    pub next: ModelFile,
    /// Breaches of SPEC section 3 (rules 1-10, a case missing from a proposal file).
    pub breaches: Vec<Breach>,
    /// What changed.
    pub facts: Facts,
    /// What the command should say: breach notes dropped to keep a note within its limit.
    pub warnings: Vec<crate::warnings::Warning>,
}

/// Whether the proposal `p` (of the file named `file`) records the hash of the model `m`: an
/// error when it records another, unless [`Options::model_changed`]; `false` when it records
/// none (a proposal written by hand, a meeting workbook of an older caseload or without its
/// summary sheet) or another that was let through.
fn same_model(m: &Model, file: &str, p: &ProposalIn, o: &Options) -> Result<bool> {
    let summary = p.summary.as_ref();
    let Some(stated) = summary.and_then(|s| s.model_hash.as_deref()).filter(|h| !h.is_empty()) else {
        return Ok(false);
    };
    if stated == m.hash {
        return Ok(true);
    }
    if o.model_changed {
        return Ok(false);
    }
    let (at, place, what) = match summary.and_then(|s| s.sheet.as_ref()) {
        Some(sheet) => (
            sheet.name.clone(),
            sheet.hash_at.clone().unwrap_or_else(|| "model hash".into()),
            "meeting workbook",
        ),
        None => (file.to_string(), "summary.model_hash".to_string(), "proposal"),
    };
    Err(Error::input(
        &at,
        place,
        format!(
            "this {what} was made from another model than the one given: another week's, or this model before it was changed (its model hash differs). Accepting it would undo what changed since. Give the {what} `caseload allocate` made from this model this week; if the model was changed on purpose after the {what} was made, run `caseload allocate` again, or give --model-changed to accept it anyway (each child's row is still checked against the model). If `caseload accept` already wrote this model from it, accept against the model file it replaced (kept beside it, dated)"
        ),
    ))
}

/// The day the accepted allocation records (a proposal's `summary.date`, a meeting workbook's
/// summary row `allocation for`), for when no day is given. A meeting workbook whose day cannot
/// be read (the row's label retyped, its cell cleared, the summary sheet deleted) is an error
/// naming the place: today, taken in its stead, would start each new wait on the day the
/// command is run rather than the meeting's. A proposal file without one gives `None`.
pub fn recorded_day(file: &str, p: &ProposalIn) -> Result<Option<Date>> {
    if let Some(day) = p.date() {
        // A day retyped on the summary far from the day the workbook was written for is a
        // slip (a year typed wrong would start each new wait a year early): `--date` confirms one.
        if let Some(e) = day_slip(p) {
            return Err(e);
        }
        return Ok(Some(day));
    }
    if p.rows.is_none() {
        return Ok(None);
    }
    let give = "give --date YYYY-MM-DD, the day of the meeting";
    let label = crate::sheets::DAY_LABEL;
    Err(match p.summary.as_ref().and_then(|s| s.sheet.as_ref()) {
        Some(sheet) => match &sheet.day_at {
            Some(at) => Error::input(
                &sheet.name,
                at,
                format!("empty: this cell gives the day the allocation is for (the first day of each new wait); type the day back (YYYY-MM-DD), or {give}"),
            ),
            None => Error::input(
                &sheet.name,
                format!("row {label:?}"),
                format!("no row labelled {label:?}, which gives the day the allocation is for (the first day of each new wait): its label was changed or the row deleted; put the label back in column A, or {give}"),
            ),
        },
        None => Error::input(
            file,
            "sheet summary",
            format!("no sheet summary, which gives the day the allocation is for (the first day of each new wait); {give}"),
        ),
    })
}

/// A meeting workbook's day retyped on its summary more than [`RETYPED_DAYS`] from the day it
/// was written for (`2025-12-08` for `2026-12-07`: a slip of the year), as the error naming its
/// cell and both days; `None` for a day within them, or a proposal that records no such days.
/// `accept` refuses it (`--date` gives such a day knowingly); `check` warns.
pub fn day_slip(p: &ProposalIn) -> Option<Error> {
    let day = p.date()?;
    let summary = p.summary.as_ref()?;
    let (written, sheet) = (summary.written_day?, summary.sheet.as_ref()?);
    let apart = day.days() - written.days();
    if (-RETYPED_DAYS..=RETYPED_DAYS).contains(&apart) {
        return None;
    }
    Some(Error::input(
        &sheet.name,
        sheet.day_at.clone().unwrap_or_else(|| format!("row {:?}", crate::sheets::DAY_LABEL)),
        format!(
            "the day was retyped as {day}, {} days {} the day the workbook was written for ({written}): a slip of the year or month? Type the day of the meeting, or give --date {day} if that is the day",
            apart.abs(),
            if apart < 0 { "before" } else { "after" }
        ),
    ))
}

/// The most days a meeting workbook's day may be retyped from the day it was written for (a
/// meeting moved by a few days, or held up to a month late) before [`recorded_day`] takes it
/// for a slip.
const RETYPED_DAYS: i64 = 31;

/// Refuses an allocation that leaves without a worker every child who has one today: an
/// allocations sheet emptied by mistake (or saved by a tool that lost its rows) would take
/// every child's worker away, as an empty export would replace last week's proposal. A single
/// child who has a worker today may lose it to another child (one who has waited longer).
fn no_one_kept(m: &Model, file: &str, p: &ProposalIn, assignment: &[Option<usize>]) -> Result<()> {
    let held: Vec<usize> = (0..m.cases.len()).filter(|&c| m.cases[c].current_worker.is_some()).collect();
    if held.is_empty() || held.iter().any(|&c| assignment[c].is_some()) {
        return Ok(());
    }
    // One child displaced by a child who has waited longer is an allocation `allocate` itself
    // proposes; an emptied sheet gives nobody a worker, or takes the worker of many.
    if held.len() == 1 && assignment.iter().any(Option::is_some) {
        return Ok(());
    }
    let (at, place) = match p.rows {
        Some(_) => (format!("{file}, sheet allocations"), "rows".to_string()),
        None => (file.to_string(), "allocations".to_string()),
    };
    Err(Error::input(
        &at,
        place,
        format!(
            "every child who has a worker today ({}) would be left without one: {} is almost always a mistake (rows deleted, or lost by the program that saved it). Give the allocation as the meeting left it, or --allow-empty if the meeting decided so",
            crate::words::count(held.len(), "child", "children"),
            if p.rows.is_some() { "an allocations sheet with no child who keeps a worker" } else { "a proposal with no child who keeps a worker" }
        ),
    ))
}

/// A warning when a sheet's worker column reads as pasted one row off (a copy and paste one
/// row too high or too low gives each child the next child's worker): on four in five or more
/// of the rows whose child changes worker, among them a run of at least [`PASTED_OFF_ROWS`]
/// rows one under the other, the worker typed is the worker today of the row just above (or
/// just below, the same for every such row). The allocation may be the meeting's decision, so
/// it is accepted; the warning names the rows. Rows are taken in the sheet's order, so a sorted
/// sheet is read as the meeting saw it.
fn pasted_off(p: &ProposalIn) -> Option<crate::warnings::Warning> {
    let rows = p.rows.as_ref()?;
    let mut sheets: std::collections::BTreeMap<&str, Vec<&check::RowIn>> = std::collections::BTreeMap::new();
    for r in rows {
        sheets.entry(r.sheet.as_str()).or_default().push(r);
    }
    fn today(r: &check::RowIn) -> Option<&str> {
        r.shown.iter().find(|s| s.what == "worker today").map(|s| s.cell.trim()).filter(|c| !c.is_empty())
    }
    let same = |a: &str, b: Option<&str>| b.is_some_and(|b| a.trim().eq_ignore_ascii_case(b));
    for (sheet, mut rows) in sheets {
        rows.sort_by_key(|r| r.row);
        let (mut moved, mut above, mut below) = (0, Vec::new(), Vec::new());
        for (i, r) in rows.iter().enumerate() {
            let (Some(w), Some(t)) = (r.worker.as_deref(), today(r)) else { continue };
            if same(w, Some(t)) {
                continue;
            }
            moved += 1;
            if i > 0 && same(w, today(rows[i - 1])) {
                above.push(i);
            }
            if same(w, rows.get(i + 1).and_then(|n| today(n))) {
                below.push(i);
            }
        }
        let (which, shifted) = if above.len() >= below.len() { ("above", above) } else { ("below", below) };
        // A paste one row off moves a run of rows; a sheet sorted by worker puts a child the
        // meeting moved beside its new worker's other children, at the edge of a block, one
        // row here and there.
        let longest = shifted
            .iter()
            .enumerate()
            .fold((0, 0), |(run, best), (k, &i)| {
                let run = if k > 0 && shifted[k - 1] + 1 == i { run + 1 } else { 1 };
                (run, best.max(run))
            })
            .1;
        if longest < PASTED_OFF_ROWS || shifted.len() * 5 < moved * 4 {
            continue;
        }
        let listed: Vec<String> = shifted.iter().take(10).map(|&i| rows[i].row.to_string()).collect();
        return Some(crate::warnings::Warning {
            code: "worker_column_shifted".into(),
            message: format!(
                "{sheet}: on {} of the {} rows whose child changes worker (rows {}{}), the worker typed is the worker today of the row just {which}: was the worker column pasted one row off? Those children change worker in next week's model; if the meeting did not decide that, correct the column and accept the workbook again against this week's model (a model file accept replaced is kept beside it, dated)",
                shifted.len(),
                moved,
                listed.join(", "),
                if shifted.len() > listed.len() { ", ..." } else { "" },
            ),
        });
    }
    None
}

/// The shortest run of rows, one under the other, whose worker is the row above's (or
/// below's) worker today that [`pasted_off`] takes for a column pasted one row off: on a sheet
/// sorted by worker each child the meeting moved sits at the edge of its new worker's block,
/// alone.
const PASTED_OFF_ROWS: usize = 4;

/// Accepts proposal `p` (of the file named `file`) for model `m`, read from the model file
/// `input`. A case or worker not in the model, or a case listed twice, is an input error: next
/// week's model could not record it. See the module's documentation.
pub fn accept(input: &ModelFile, m: &Model, file: &str, p: &ProposalIn, o: &Options) -> Result<Accepted> {
    let same_model = same_model(m, file, p, o)?;
    // The workers sheet is compared with the model as of the day the workbook was written for
    // (not when the model was changed on purpose since: `--model-changed`, another hash). A
    // meeting that moved (the day retyped, or `--date`) reads the model for another day, where
    // a reduction starting between changes a cap nobody typed: the sheet is compared with the
    // model read for its own day.
    let hash = p.summary.as_ref().and_then(|s| s.model_hash.as_deref()).filter(|h| !h.is_empty());
    if same_model || hash.is_none() {
        let written = match p.written_for() {
            Some(day) if Some(day) != m.date => {
                crate::validate::validate_on(file, input, b"", Some(AsOf { date: day, stated: true })).ok()
            }
            _ => None,
        };
        check::resolve_with(m, written.as_ref(), p, false)?;
    } else {
        check::resolve_workers(m, p, false, None)?;
    }
    let mut errs = Errors::new();
    let mut breaches = Vec::new();
    for b in check::check_proposal(m, p) {
        match b.code.as_str() {
            "unknown" | "duplicate" => errs.push(Error::input(
                file,
                format!("case {}", b.case.as_deref().unwrap_or("?")),
                format!("{}; next week's model cannot record it: correct the proposal", b.message),
            )),
            // A proposal file of another model (or one that records none) whose stated change
            // disagrees with the model was made when the child had another worker.
            "change" if !same_model => errs.push(Error::input(
                file,
                format!("case {}", b.case.as_deref().unwrap_or("?")),
                format!(
                    "{}: the proposal was made when the child had another worker (another week's proposal, or the model changed since); accept the proposal `caseload allocate` wrote for this model",
                    b.message
                ),
            )),
            code if crate::compare::breaks_a_rule(code) => breaches.push(b),
            _ => {}
        }
    }
    errs.finish()?;
    let assignment = check::assignment(m, p);
    if !o.allow_empty {
        no_one_kept(m, file, p, &assignment)?;
    }
    let mut next = input.clone();
    let mut facts = Facts::default();
    let day = o.date.to_string();
    for ci in &mut next.cases {
        let Some(c) = m.case_index(&ci.id) else { continue };
        let (old, new) = (m.cases[c].current_worker, assignment[c]);
        let cid = ci.id.clone();
        let id = || cid.clone();
        match (old, new) {
            (Some(a), Some(b)) if a == b => facts.kept.push(id()),
            (Some(_), Some(_)) => facts.moved.push(id()),
            (None, Some(_)) => facts.newly_allocated.push(id()),
            (Some(_), None) => facts.lost_worker.push(id()),
            (None, None) => {}
        }
        if old != new {
            if let Some(a) = old {
                let left = &m.workers[a].id;
                if !ci.previous_workers.contains(left) {
                    ci.previous_workers.push(left.clone());
                }
            }
            if ci.pinned == Some(true) {
                ci.pinned = None;
                facts.unpinned.push(id());
            }
        }
        let new_id = new.map(|w| m.workers[w].id.clone());
        ci.previous_workers.retain(|x| Some(x) != new_id.as_ref());
        ci.current_worker = new_id;
        if new.is_some() {
            ci.waiting_since = None;
        } else {
            facts.waiting.push(id());
            // A wait goes on only for a child who had no worker; a child who had one starts.
            if old.is_some() || ci.waiting_since.is_none() {
                ci.waiting_since = Some(day.clone());
                facts.first_waiting.push(id());
            }
        }
    }
    let mut warnings: Vec<crate::warnings::Warning> = p.notes.iter().cloned().chain(pasted_off(p)).collect();
    if o.record_breaches {
        for b in &breaches {
            let line = format!("{BREACH_NOTE} {day} despite a breach: {}", b.message);
            let add = |notes: &mut Option<String>| match notes {
                Some(n) if n.contains(&line) => false,
                Some(n) => {
                    n.push('\n');
                    n.push_str(&line);
                    true
                }
                None => {
                    *notes = Some(line.clone());
                    true
                }
            };
            let noted = if let Some(case) = &b.case {
                next.cases.iter_mut().find(|c| &c.id == case).is_some_and(|c| add(&mut c.notes))
            } else if let Some(worker) = &b.worker {
                next.workers.iter_mut().find(|w| &w.id == worker).is_some_and(|w| add(&mut w.notes))
            } else {
                false
            };
            if noted {
                facts.noted.extend(b.case.clone().or(b.worker.clone()));
            }
        }
        // Notes kept within the limit every reader holds them to: next week's model must read.
        let mut errs = Errors::new();
        for c in &mut next.cases {
            within_limit("case", &c.id, &mut c.notes, &mut warnings, &mut errs);
        }
        for w in &mut next.workers {
            within_limit("worker", &w.id, &mut w.notes, &mut warnings, &mut errs);
        }
        errs.finish()?;
    }
    for list in [
        &mut facts.kept,
        &mut facts.moved,
        &mut facts.newly_allocated,
        &mut facts.waiting,
        &mut facts.first_waiting,
        &mut facts.lost_worker,
        &mut facts.unpinned,
        &mut facts.noted,
    ] {
        list.sort();
        list.dedup();
    }
    // Next week's model must read: a bug here must not leave a model nobody can open.
    let as_of = Some(AsOf { date: o.date, stated: true });
    crate::validate::validate_on("next week's model", &next, &crate::write::to_json(&next), as_of)?;
    Ok(Accepted { next, breaches, facts, warnings })
}

/// Refuses, before next week's model is written as a workbook, a worker that accepting added
/// to a child's `previous_workers` (the child left it in the meeting) whose id a list cell
/// cannot keep: a `;` separates one item from the next and a `,` is refused in a list, so
/// `W;3` would read back as `W` and `3`. The place is where the meeting decided it, which the
/// manager can find (the row of the meeting workbook `file`, or the case of a proposal file),
/// not the field accepting made; as JSON the id is kept, so that is not refused.
pub fn fits_a_workbook(input: &ModelFile, done: &Accepted, file: &str, p: &ProposalIn) -> Result<()> {
    let mut errs = Errors::new();
    for (before, after) in input.cases.iter().zip(&done.next.cases) {
        let added = after.previous_workers.iter().filter(|w| !before.previous_workers.contains(w));
        for w in added {
            let Some(c) = w.chars().find(|c| matches!(c, ';' | ',')) else { continue };
            let row = p.rows.as_ref().and_then(|rows| rows.iter().find(|r| r.case == after.id));
            let (at_file, place, decided) = match (row, &p.rows) {
                (Some(r), _) => {
                    let said = match &r.worker {
                        Some(x) => format!("this row gives it {}", crate::util::quoted(x)),
                        None => "this row gives it no worker".into(),
                    };
                    (
                        r.sheet.clone(),
                        format!(
                            "row {}, column {}",
                            r.row,
                            r.worker_column.as_deref().unwrap_or(&r.case_column)
                        ),
                        said,
                    )
                }
                (None, Some(_)) => (
                    file.to_string(),
                    "sheet allocations".to_string(),
                    "it is on neither the allocations nor the unallocated sheet, so has no worker".into(),
                ),
                (None, None) => (
                    file.to_string(),
                    format!("case {}", after.id),
                    "the proposal gives it another worker, or none".into(),
                ),
            };
            errs.push(Error::input(
                &at_file,
                place,
                format!(
                    "case {} leaves its worker {} ({decided}), so next week's model lists {} among the child's previous workers; a workbook cannot keep that id in a list, where {} (it would read back as other workers). Nothing is written: write next week's model as JSON (-o with a .json name), which keeps it, or give the worker an id without '{c}'",
                    crate::util::quoted(&after.id),
                    crate::util::quoted(w),
                    crate::util::quoted(w),
                    if c == ';' { "a ';' separates one worker from the next" } else { "a ',' is refused" },
                ),
            ));
        }
    }
    errs.finish()
}

/// How each breach noted by `accept` begins (`accepted on 2026-12-07 despite a breach: ...`).
const BREACH_NOTE: &str = "accepted on";

/// Keeps `notes` (of the case or worker `id`) within [`crate::limits::MAX_FIELD_CHARS`]
/// characters, the most a field is read with (and an Excel cell holds): week after week of
/// accepted breaches would otherwise write a model caseload itself refuses. The oldest breach
/// lines `accept` wrote go first, with a warning; notes of a person's own too long even then
/// are an error naming the case or worker.
fn within_limit(
    what: &str,
    id: &str,
    notes: &mut Option<String>,
    warnings: &mut Vec<crate::warnings::Warning>,
    errs: &mut Errors,
) {
    use crate::limits::{count, MAX_FIELD_CHARS};
    let Some(n) = notes.as_mut() else { return };
    let long = |n: &str| n.chars().count() > MAX_FIELD_CHARS;
    if !long(n) {
        return;
    }
    let mut lines: Vec<&str> = n.split('\n').collect();
    let mut dropped = 0;
    while long(&lines.join("\n")) {
        let Some(oldest) =
            lines.iter().position(|l| l.starts_with(BREACH_NOTE) && l.contains(" despite a breach: "))
        else {
            break;
        };
        // The newest line (this week's) is kept: it is the one the meeting just decided.
        if oldest + 1 == lines.len() {
            break;
        }
        lines.remove(oldest);
        dropped += 1;
    }
    let kept = lines.join("\n");
    if long(&kept) {
        errs.push(Error::input(
            "next week's model",
            format!("{what} {id}"),
            format!(
                "its notes with the breach accepted now would be {} characters, above the {} a note may hold (Excel's limit on a cell), even without the breaches accepted before; shorten the notes of {what} {id} in the model, then accept again",
                count(kept.chars().count()),
                count(MAX_FIELD_CHARS)
            ),
        ));
        return;
    }
    warnings.push(crate::warnings::Warning {
        code: "breach_notes_dropped".into(),
        message: format!(
            "the notes of {what} {id} would be longer than {} characters, the most a note may hold: the {dropped} oldest {} of a breach accepted before {} dropped from next week's model (the model it replaces keeps them)",
            count(MAX_FIELD_CHARS),
            crate::words::noun(dropped, "line", "lines"),
            crate::words::noun(dropped, "is", "are"),
        ),
    });
    *n = kept;
}
