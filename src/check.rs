//! `caseload check`: judges any allocation (a proposal, or today's `current_worker`s) with the
//! same rules the solver uses. Pinned cases are never exempt.

use crate::date::Date;
use crate::error::{Error, Result};
use crate::explain;
use crate::model::CaseType;
use crate::model::Model;
use crate::objective;
use crate::proposal::{Change, ReasonCode};
use crate::rules::{self, Rule, Usage};
use crate::vocabulary::Nearest;
use crate::words;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// One breach of SPEC sections 3 or 5.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Breach {
    /// Short stable code: `rule1`..`rule10`, `missing`, `duplicate`, `unknown`, `reason`,
    /// `objective`, `load`, `order`, `change`.
    pub code: String,
    /// The case concerned, if one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case: Option<String>,
    /// The worker concerned, if one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worker: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// A proposal as read for checking: only what is checked; other fields are allowed.
#[derive(Deserialize, Debug)]
pub struct ProposalIn {
    /// The format's version, when stated: 1 is the only one (SPEC section 5).
    #[serde(default)]
    pub version: Option<serde_json::Value>,
    /// Stated optimality.
    #[serde(default)]
    pub optimal: Option<bool>,
    /// Stated objective.
    #[serde(default)]
    pub objective: Option<f64>,
    /// Allocations.
    pub allocations: Vec<AllocationIn>,
    /// Unallocated cases.
    pub unallocated: Vec<UnallocatedIn>,
    /// Worker loads, if given.
    #[serde(default)]
    pub workers: Vec<WorkerLoadIn>,
    /// The summary, for the day it records.
    #[serde(default)]
    pub summary: Option<SummaryIn>,
    /// Where each child was read from, when the proposal is a meeting workbook a person edited
    /// (`None` for a proposal file). A workbook states no objective, reasons, loads or order,
    /// and a child on neither of its sheets is unallocated.
    #[serde(skip)]
    pub rows: Option<Vec<RowIn>>,
    /// A meeting workbook's `workers` sheet as read back, when it has one, and each copy of it
    /// (`workers (2)`) that differs from it: they show what the model says of each worker and
    /// are not read, so [`resolve`] refuses a cell changed there (a cap raised, a status
    /// typed) rather than lose it.
    #[serde(skip)]
    pub workers_sheets: Vec<WorkersSheetIn>,
    /// What reading a meeting workbook found that the commands say but that refuses nothing:
    /// rows hidden (by a filter, most often) and merged cells on the sheets read, each read
    /// as Excel shows it (a merged `worker` cell gives every child of its range that worker).
    #[serde(skip)]
    pub notes: Vec<crate::warnings::Warning>,
}

/// A meeting workbook's `workers` sheet as read back.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkersSheetIn {
    /// The sheet as named in messages: `meeting.xlsx, sheet workers`.
    pub sheet: String,
    /// Whether this is a copy of the sheet as Excel names one (`workers (2)`), not the sheet
    /// itself: its messages say so.
    pub copy: bool,
    /// Each column's header, trimmed and in lower case.
    pub names: Vec<String>,
    /// Each column as named in messages: its header as the sheet spells it and its letters
    /// (`cap (J)`).
    pub columns: Vec<String>,
    /// The rows below the header: the spreadsheet row and its cells, trimmed.
    pub rows: Vec<(usize, Vec<String>)>,
    /// The cells that could not be read (a date, an Excel error): row, column (from 0) and
    /// what is wrong; refused at their place when under a column compared.
    pub unread: Vec<(usize, usize, String)>,
}

/// One child's row of a meeting workbook: where it stands, for messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowIn {
    /// The case id as typed.
    pub case: String,
    /// The worker typed for it, if any.
    pub worker: Option<String>,
    /// The sheet as named in messages: `meeting.xlsx, sheet allocations`.
    pub sheet: String,
    /// The spreadsheet row.
    pub row: usize,
    /// The header of the case column, as the sheet spells it.
    pub case_column: String,
    /// The header of the worker column, as the sheet spells it; `None` when the sheet has none
    /// (the unallocated sheet's, empty, may be deleted).
    pub worker_column: Option<String>,
    /// What the row holds in the other columns a person may have typed its worker in (`agreed
    /// worker`, `SW`, a column of their own), the cells not empty. Not read as the worker;
    /// [`resolve`] refuses one that names another worker of the model.
    pub also: Vec<AlsoIn>,
    /// The row's read-only cells (what the workbook was written with about the child: its
    /// type, team, weight, worker today), as read back; [`resolve`] refuses one that disagrees
    /// with the model (a workbook of another week, or a row moved from the other sheet).
    pub shown: Vec<ShownIn>,
}

/// A cell of a meeting workbook's row in a column that is not read but where a worker may
/// have been typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlsoIn {
    /// The column's header, trimmed and in lower case (`worker` for a second column headed
    /// `Worker`).
    pub header: String,
    /// The column as named in messages: its header as the sheet spells it, with its letter
    /// when another column has the same header (`worker (G)`).
    pub column: String,
    /// The cell, not empty.
    pub cell: String,
}

/// A read-only cell of a meeting workbook's row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShownIn {
    /// What the column says, as the workbook is written with it: `type`, `team`, `weight`
    /// or `worker today`.
    pub what: &'static str,
    /// The column as named in messages: its header as the sheet spells it and its letters
    /// (`worker today (I)`).
    pub column: String,
    /// The cell, trimmed (empty when empty).
    pub cell: String,
}

impl ProposalIn {
    /// The day the proposal records (`summary.date`), if it records one.
    pub fn date(&self) -> Option<crate::date::Date> {
        self.summary.as_ref().and_then(|s| s.date)
    }

    /// The day the workbook was written for (the summary's `allocation for as written`), else
    /// the day it records: what its `workers` sheet shows the workers as of.
    pub fn written_for(&self) -> Option<crate::date::Date> {
        self.summary.as_ref().and_then(|s| s.written_day).or_else(|| self.date())
    }

    /// Whether it records the hash of another model than `m` (another week's, or `m` before it
    /// was changed): a worker it names who is not in `m` has left since.
    pub fn of_another_model(&self, m: &Model) -> bool {
        let hash = self.summary.as_ref().and_then(|s| s.model_hash.as_deref());
        hash.is_some_and(|h| !h.is_empty() && h != m.hash)
    }
}

/// A proposal's summary as read for checking: the day it records and the model it was made
/// from.
#[derive(Deserialize, Debug, Default)]
pub struct SummaryIn {
    /// The day the model was read for.
    #[serde(default)]
    pub date: Option<crate::date::Date>,
    /// The SHA-256 of the model it was made from (`summary.model_hash`; a meeting workbook's
    /// summary row `model hash`), when it records one.
    #[serde(default)]
    pub model_hash: Option<String>,
    /// The day a meeting workbook was written for, from the summary's hidden row `allocation
    /// for as written` (the row `allocation for` may since have been retyped): the
    /// `waiting since` of a child whose wait starts with the workbook. `None` for a proposal
    /// file, or a workbook written before the row was kept.
    #[serde(skip)]
    pub written_day: Option<crate::date::Date>,
    /// A meeting workbook's summary sheet, where it has one (`None` for a proposal file).
    #[serde(skip)]
    pub sheet: Option<SummarySheet>,
}

/// Where a meeting workbook's summary sheet states the day and the model, for messages.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SummarySheet {
    /// The sheet as named in messages: `meeting.xlsx, sheet summary`.
    pub name: String,
    /// The place of the day (`row 2, column B`), when the row `allocation for` is there.
    pub day_at: Option<String>,
    /// The place of the model's hash (`row 11, column B`), when the row `model hash` is there.
    pub hash_at: Option<String>,
    /// The day's cell was refused when read (a day written otherwise than YYYY-MM-DD, a time
    /// of day): that mistake is among the read's ([`crate::sheets::meeting::Read`]), and the
    /// day is not the empty cell it reads as.
    pub day_refused: bool,
}

/// An allocation as read for checking.
#[derive(Deserialize, Debug)]
pub struct AllocationIn {
    /// Case id.
    pub case: String,
    /// Worker id.
    pub worker: String,
    /// Stated change.
    #[serde(default)]
    pub change: Option<Change>,
    /// Stated return to a previous worker.
    #[serde(default)]
    pub returns: Option<bool>,
}

/// An unallocated entry as read for checking.
#[derive(Deserialize, Debug)]
pub struct UnallocatedIn {
    /// Case id.
    pub case: String,
    /// Reasons.
    #[serde(default)]
    pub reasons: Vec<ReasonIn>,
}

/// A reason as read for checking.
#[derive(Deserialize, Debug)]
pub struct ReasonIn {
    /// Code, as text so that an unknown code is a breach rather than a parse error.
    pub code: String,
}

/// A worker load line as read for checking.
#[derive(Deserialize, Debug)]
pub struct WorkerLoadIn {
    /// Worker id.
    pub worker: String,
    /// Stated load.
    pub load: f64,
}

/// Parses a proposal file for checking.
pub fn parse_proposal(file: &str, bytes: &[u8]) -> Result<ProposalIn> {
    let text = crate::read::utf8(file, bytes)?;
    if text.trim().is_empty() {
        return Err(Error::input(
            file,
            "line 1",
            "the file is empty; give the proposal that `caseload allocate` wrote",
        ));
    }
    crate::read::json_shape(file, text)?;
    let de = &mut serde_json::Deserializer::from_str(text);
    let p: ProposalIn = serde_path_to_error::deserialize(de).map_err(|e| {
        if looks_like_a_model(text) {
            return Error::input(
                file,
                "cases",
                "this is a model file (it has workers and cases), not a proposal: the model and the proposal look swapped. Give the model first, then the proposal: caseload accept MODEL ACCEPTED -o NEXT (check MODEL PROPOSAL, compare MODEL A B)",
            );
        }
        let hint = if crate::read::csv_text(text) {
            "this is CSV text (a spreadsheet export), not a proposal: give the proposal JSON that `caseload allocate` wrote, or the meeting workbook (`allocate --xlsx`)"
        } else {
            "give the proposal that `caseload allocate` wrote"
        };
        crate::read::json_error(file, e, Some(hint))
    })?;
    // A proposal of another version of the format may mean its fields otherwise: refused, as a
    // model of another version is. A number equal to one (`1.0`) is version 1, as in a model.
    match &p.version {
        Some(v) if !(v.is_number() && v.as_f64() == Some(1.0)) => Err(Error::input(
            file,
            "version",
            format!("version {v}: this caseload reads proposals of version 1 only; give the proposal that `caseload allocate` wrote"),
        )),
        _ => Ok(p),
    }
}

/// Whether a file that is not a proposal is a model file: an object with `workers` and
/// `cases` and no `allocations` (the arguments given in the wrong order).
/// Read from the top-level keys alone, the values skipped as they stream: the whole file as a
/// JSON value took ten times its size (1.4 GB for a 120 MB proposal of empty lists).
fn looks_like_a_model(text: &str) -> bool {
    use std::collections::BTreeMap;
    let Ok(o) = serde_json::from_str::<BTreeMap<String, serde::de::IgnoredAny>>(text) else {
        return false;
    };
    o.contains_key("workers") && o.contains_key("cases") && !o.contains_key("allocations")
}

/// Refuses what a meeting workbook cannot mean, naming the sheet, row and column of each: a
/// case not in the model (unless `closed_ok`: last week's workbook may list closed cases), a
/// child on two rows, a worker not in the model. Every mistake is reported at once. A proposal
/// file passes unchanged: there these are breaches (see [`check_proposal`]). The workbook's
/// `workers` sheet is compared with the model (unless `closed_ok`) when the model is read for
/// the day the workbook was written for: a meeting that moved a day and retyped it on the
/// summary reads the model for the new day, and a reduction starting between changes a cap
/// nobody typed.
pub fn resolve(m: &Model, p: &ProposalIn, closed_ok: bool) -> Result<()> {
    resolve_with(m, None, p, closed_ok)
}

/// [`resolve`], with `written`: the same model read for the day the workbook was written for
/// ([`ProposalIn::written_for`]), when `m` is read for another. The workers sheet is compared
/// with the model of its own day: `m` when that is `m`'s, else `written` (not at all when it is
/// not given).
pub fn resolve_with(m: &Model, written: Option<&Model>, p: &ProposalIn, closed_ok: bool) -> Result<()> {
    let same_day = match (m.date, p.written_for()) {
        (Some(read), Some(day)) => read == day,
        _ => true,
    };
    let workers = if closed_ok {
        None
    } else if same_day {
        Some(m)
    } else {
        written
    };
    resolve_workers(m, p, closed_ok, workers)
}

/// [`resolve`], comparing the workers sheet with `workers` (the model read for the day the
/// workbook was written for), or not at all (a model changed on purpose since the workbook
/// was made, whose workers may differ).
pub fn resolve_workers(m: &Model, p: &ProposalIn, closed_ok: bool, workers: Option<&Model>) -> Result<()> {
    let Some(rows) = &p.rows else { return Ok(()) };
    let mut errs = crate::error::Errors::new();
    let mut hints = Hints::new(m);
    // The words a sheet's role and type cells are read in: the council's own too.
    let words = crate::vocabulary::Vocabulary::of_aliases(&m.aliases);
    for (ws, as_written) in p.workers_sheets.iter().filter_map(|ws| Some((ws, workers?))) {
        workers_changed(as_written, &words, ws, &mut hints, &mut errs);
    }
    let mut first: std::collections::BTreeMap<&str, &RowIn> = std::collections::BTreeMap::new();
    let written = p.summary.as_ref().and_then(|s| s.written_day);
    // The workers by the words a person may type for them, made when a row first needs them.
    let mut named = None;
    for r in rows {
        let at = |col: &str| format!("row {}, column {col}", r.row);
        if m.case_index(&r.case).is_none() {
            if !closed_ok {
                let problem = if totals_label(&r.case) && r.worker.is_none() {
                    format!(
                        "{} is no child: a totals row is read as a child's row here; delete the row, or clear this cell (a row with no case is not read)",
                        crate::warnings::quoted(&r.case)
                    )
                } else {
                    format!(
                        "no case {} in the model{}; correct the id or delete the row",
                        crate::warnings::quoted(&r.case),
                        hints.case(&r.case)
                    )
                };
                errs.push(Error::input(&r.sheet, at(&r.case_column), problem));
            }
        } else if let Some(before) = first.get(r.case.as_str()) {
            errs.push(Error::input(
                &r.sheet,
                at(&r.case_column),
                format!(
                    "case {} is also on {}, row {}; a child has one row: delete one of them",
                    crate::warnings::quoted(&r.case),
                    before.sheet.rsplit(", ").next().unwrap_or(&before.sheet),
                    before.row
                ),
            ));
        } else {
            first.insert(&r.case, r);
        }
        if let Some(w) = &r.worker {
            // Another week's workbook may name a worker who has left since (`compare`'s first).
            if m.worker_index(w).is_none() && !(closed_ok && p.of_another_model(m)) {
                errs.push(Error::input(
                    &r.sheet,
                    at(r.worker_column.as_deref().unwrap_or("worker")),
                    format!(
                        "no worker {} in the model{}; type a worker id from the workers sheet, or clear the cell to leave the child unallocated",
                        crate::warnings::quoted(w),
                        hints.worker(w)
                    ),
                ));
            }
        }
        if let (false, Some(c)) = (closed_ok, m.case_index(&r.case)) {
            if let Some(e) = disagreeing(m, &words, c, r, written) {
                errs.push(e);
            }
        }
        let typed = r.worker.as_deref().and_then(|w| m.worker_index(w));
        for AlsoIn { header, column, cell } in &r.also {
            let known = named.get_or_insert_with(|| workers_by_key(m));
            let k = crate::vocabulary::key(cell);
            let found = known.get(&k).copied();
            // The worker the `worker` column says, by its id or its name (two workers may share
            // a name: the cell is theirs whichever the column says).
            let agrees = typed.is_some_and(|t| {
                let w = &m.workers[t];
                std::iter::once(w.id.as_str())
                    .chain(w.name.as_deref())
                    .any(|x| crate::vocabulary::key(x) == k)
            });
            if agrees {
                continue;
            }
            // A column headed `worker name` says whose name it is: one that is not the name
            // (or id) of the worker the `worker` column says was retyped for another worker, or
            // left from before the worker was changed, and which of the two the meeting meant
            // cannot be told.
            let unknown_worker = r.worker.is_some() && typed.is_none();
            if header == "worker name" && !unknown_worker {
                errs.push(Error::input(
                    &r.sheet,
                    at(column),
                    worker_name_differs(m, r, cell.trim(), found, typed),
                ));
                continue;
            }
            if found.is_some() {
                let problem = match &r.worker_column {
                    // Two columns of one name: say which is read, not "only the column worker",
                    // which names both.
                    Some(wc) if header == "worker" => format!(
                        "two columns are headed {}, and only the first from the left, column {wc}, is read{}: the worker {} in this later one is not. Delete or rename one of the two columns, keeping the worker the meeting chose in the first",
                        crate::warnings::quoted(header),
                        r.worker.as_deref().map_or(" (it is empty on this row)".to_string(), |w| format!(" (it says {} on this row)", crate::warnings::quoted(w))),
                        crate::warnings::quoted(cell.trim()),
                    ),
                    Some(wc) => format!(
                        "the worker {} typed here is not read: only the column {wc} says who holds the child{}; type the worker there, or clear this cell",
                        crate::warnings::quoted(cell.trim()),
                        r.worker.as_deref().map_or(String::new(), |w| format!(" (it says {})", crate::warnings::quoted(w)))
                    ),
                    None => format!(
                        "the worker {} typed here is not read: only a column named worker says who holds the child, and this sheet has none; name this column worker, or clear this cell",
                        crate::warnings::quoted(cell.trim()),
                    ),
                };
                errs.push(Error::input(&r.sheet, at(column), problem));
            }
        }
    }
    errs.finish()
}

/// Whether a cell where an id belongs holds the label of a totals row (`Total`, `Totals`,
/// `Grand total`, `Sum`), as a manager adds under a sheet to see the team's load: the model has
/// no such child or worker, and "correct the id" would be the wrong remedy.
fn totals_label(cell: &str) -> bool {
    let k = crate::warnings::fold(cell);
    let k = k.trim_end_matches(':');
    ["total", "totals", "grand total", "sum", "subtotal", "sub total"].contains(&k)
}

/// Why a meeting workbook's `worker name` cell `cell` is refused: it names the worker `found`
/// (by name or id; `None`: no worker of the model), not the worker `typed` that the row's
/// `worker` column says (`None`: the child has no worker). Only the `worker` column is read.
fn worker_name_differs(
    m: &Model,
    r: &RowIn,
    cell: &str,
    found: Option<usize>,
    typed: Option<usize>,
) -> String {
    let q = crate::warnings::quoted;
    let wc = r.worker_column.as_deref().unwrap_or("worker");
    let says = match typed {
        Some(t) => {
            let w = &m.workers[t];
            match &w.name {
                Some(name) => format!("the column {wc} says {} (named {})", q(&w.id), q(name)),
                None => format!("the column {wc} says {} (the model gives it no name)", q(&w.id)),
            }
        }
        None => format!("the column {wc} is empty (the child has no worker)"),
    };
    let back = match typed.and_then(|t| m.workers[t].name.as_deref()) {
        Some(name) => format!("put back {}", q(name)),
        None => "clear this cell".into(),
    };
    match found {
        Some(i) => format!(
            "this row's worker name {} is the name of {}, but {says}: the name is not read, only the column {wc} says who holds the child. If the meeting chose {}, type it in the column {wc}; if not, {back}",
            q(cell),
            q(&m.workers[i].id),
            q(&m.workers[i].id),
        ),
        None => format!(
            "no worker of the model is named {}, and {says}: the name is not read, only the column {wc} says who holds the child. Type the id of the worker the meeting chose in the column {wc} (one not in the model is added to the workers sheet first), or {back}",
            q(cell)
        ),
    }
}

/// The columns of a meeting workbook's `workers` sheet that show what the model says of the
/// worker (as `tables::load_columns` writes them, from the worker's line of the proposal,
/// [`crate::explain::worker_load`]): compared with the model. The others (`cases`, `load`,
/// `load of target`, `room to cap`, `oversight`) follow from the allocation as written, which
/// the meeting changes on the allocations sheet: not compared.
const WORKER_MODEL_COLUMNS: [&str; 7] = ["name", "role", "team", "status", "fte", "target", "cap"];

/// What the workers sheet's column `what` was written with for worker `w`: a number, or the
/// words that say it (any of them, case, spacing and punctuation aside), or nothing.
enum Written {
    Number(f64),
    Words(Vec<String>),
    Empty,
}

/// The cell of column `what` (one of [`WORKER_MODEL_COLUMNS`]) as `allocate --xlsx` writes it
/// for worker `w` of the model read for the workbook's day, whose proposal `line` it is: the
/// cap and target in force (after fte and the dated reductions) as the proposal states them
/// ([`crate::explain::worker_load`]).
fn sheet_shows(m: &Model, w: usize, line: &crate::proposal::WorkerLoad, what: &str) -> Written {
    let worker = &m.workers[w];
    let words = |s: &[&str]| Written::Words(s.iter().map(|x| x.to_string()).collect());
    match what {
        "name" => line.name.as_deref().map_or(Written::Empty, |n| words(&[n])),
        "role" => {
            let name = worker.role.name();
            words(&[name, &name.replace('_', " ")])
        }
        "team" => words(&[&m.teams[worker.team]]),
        "status" => words(&[line.status.name()]),
        "fte" => Written::Number(worker.fte),
        "target" => Written::Number(line.target),
        "cap" => Written::Number(line.cap),
        _ => Written::Empty,
    }
}

/// Refuses every cell of the workers sheet changed from what `allocate` wrote of the model
/// ([`written_for`], for the day the model is read for): the sheet is not read, so a cap
/// raised or a status typed there would be lost. A row deleted changes nothing (the worker
/// stays in the model); a row of a worker not in the model is refused, with the id it may
/// mean as the other sheets give it (`hints`). A copy of the sheet (`workers (2)`) is not
/// read either: it is judged alike, its messages naming it a copy.
fn workers_changed(
    m: &Model,
    words: &crate::vocabulary::Vocabulary,
    ws: &WorkersSheetIn,
    hints: &mut Hints,
    errs: &mut crate::error::Errors,
) {
    let Some(wc) = ws.names.iter().position(|n| n == "worker") else { return };
    // Each compared column of the sheet (the first of a header).
    let compared: Vec<(usize, &str)> = WORKER_MODEL_COLUMNS
        .iter()
        .filter_map(|&what| Some((ws.names.iter().position(|n| n == what)?, what)))
        .collect();
    let redo = "the meeting workbook does not carry changes to workers";
    let how = "in the team's workbook (or the model file) and run `caseload allocate` again";
    // A copy (`workers (2)`) is compared as the sheet is, and named for what it is.
    let mut push = |at: String, problem: String| {
        let problem = if ws.copy {
            format!("this sheet is a copy of the workers sheet, and is not read either: {problem}")
        } else {
            problem
        };
        errs.push(Error::input(&ws.sheet, at, problem));
    };
    for (row, col, problem) in &ws.unread {
        if *col == wc || compared.iter().any(|(j, _)| j == col) {
            push(format!("row {row}, column {}", ws.columns[*col]), problem.clone());
        }
    }
    let key = crate::vocabulary::key;
    // The cells that could not be read, by place: looked up for each cell compared (through
    // the list, a sheet of 100,000 rows each with an unreadable cell took 38 s).
    let unread_at: std::collections::HashSet<(usize, usize)> =
        ws.unread.iter().map(|(r, c, _)| (*r, *c)).collect();
    for (number, cells) in &ws.rows {
        let get = |j: usize| cells.get(j).map_or("", |c| c.as_str());
        let unread = |j: usize| unread_at.contains(&(*number, j));
        let id = get(wc);
        if id.is_empty() {
            // A row of nothing but a worker's details (the id left out) would be lost too.
            if let Some((j, _)) = compared.iter().find(|(j, _)| !get(*j).is_empty()) {
                push(
                    format!("row {number}, column {}", ws.columns[*j]),
                    format!("a worker's details without a worker id; {redo}: add or change a worker {how}, or clear the row"),
                );
            }
            continue;
        }
        if unread(wc) {
            continue;
        }
        let Some(w) = m.worker_index(id) else {
            let problem = if totals_label(id) {
                format!("{} is no worker: a totals row is read as a worker's row here; delete the row (or clear its cells)", crate::util::quoted(id))
            } else {
                format!(
                    "no worker {} in the model{}: a row added here adds no worker, as {redo}; add the worker {how}, or delete the row",
                    crate::util::quoted(id),
                    hints.worker(id)
                )
            };
            push(format!("row {number}, column {}", ws.columns[wc]), problem);
            continue;
        };
        // The worker's line as the proposal states it, once a row.
        let line = crate::explain::worker_load(m, w, 0.0, 0, 0.0);
        for &(j, what) in &compared {
            if unread(j) {
                continue;
            }
            let cell = get(j);
            let written = sheet_shows(m, w, &line, what);
            let same = match &written {
                Written::Empty => cell.is_empty(),
                // An fte as the team's sheet takes it too (`50%`).
                Written::Number(x) if what == "fte" => crate::vocabulary::share_word(cell).is_some_and(|y| {
                    (y - x).abs() <= crate::tolerance::relative(crate::tolerance::EQUAL, *x)
                }),
                Written::Number(x) => shows_number(cell, *x),
                // A role by any of its words (`SW`, or the council's own: the model's aliases),
                // a status by any of its everyday words (`on leave`), as the team's sheet reads
                // them.
                Written::Words(said) => {
                    said.iter().any(|s| key(s) == key(cell))
                        || (what == "role" && words.role(cell) == Some(m.workers[w].role))
                        || (what == "status" && crate::vocabulary::status_word(cell) == Some(line.status))
                }
            };
            if same {
                continue;
            }
            let was = match &written {
                Written::Number(x) => crate::words::number(*x),
                Written::Words(said) => crate::util::quoted(said.last().map_or("", String::as_str)),
                Written::Empty => "empty".to_string(),
            };
            let now = if cell.is_empty() {
                "cleared".to_string()
            } else if matches!(written, Written::Number(_)) && cell.parse::<f64>().is_ok() {
                format!("changed to {cell}")
            } else {
                format!("changed to {}", crate::util::quoted(cell))
            };
            push(
                format!("row {number}, column {}", ws.columns[j]),
                format!(
                    "{was} was {now} (worker {}); {redo}: change the {what} {how}",
                    crate::util::quoted(&m.workers[w].id)
                ),
            );
        }
    }
}

/// Whether a read-only cell of a meeting workbook shows the model's number `x` (within the
/// tolerance of equal numbers: the workbook holds what the writer printed).
fn shows_number(cell: &str, x: f64) -> bool {
    cell.parse::<f64>().is_ok_and(|y| (y - x).abs() <= crate::tolerance::relative(crate::tolerance::EQUAL, x))
}

/// What the model says of case `c` where a meeting workbook's read-only column `what` says
/// something of it: `Some(the model's words)` when the cell `cell` disagrees. An empty type,
/// team or weight states nothing; an empty `worker today` states that the child has no worker;
/// a `waiting since` is compared with the wait the model records, or for a wait that starts
/// with the workbook, with the day the workbook was `written` for (when it keeps it).
fn shown_disagrees(
    m: &Model,
    words: &crate::vocabulary::Vocabulary,
    c: usize,
    what: &str,
    cell: &str,
    written: Option<Date>,
) -> Option<String> {
    let case = &m.cases[c];
    let key = crate::vocabulary::key;
    let (agrees, model) = match what {
        // Since when the child has waited, for a wait the model records.
        "waiting since" if !cell.is_empty() => match case.waiting_since {
            Some(since) => {
                let since = since.to_string();
                (cell == since, crate::util::quoted(&since))
            }
            // A wait that starts with the workbook shows the day it was written for: the one
            // its summary keeps hidden, as written, not the `allocation for` beside it, which
            // may since have been retyped (the meeting moved). A workbook written before it
            // was kept has no day to compare with.
            None => {
                let day = written?.to_string();
                (
                    cell == day,
                    format!(
                        "no wait before this allocation (it starts on {}, the day the workbook was made for)",
                        crate::util::quoted(&day)
                    ),
                )
            }
        },
        "worker today" => {
            let today = case.current_worker.map(|w| m.workers[w].id.as_str());
            (
                today.map_or(cell.is_empty(), |w| key(w) == key(cell)),
                today.map_or("no worker".into(), crate::util::quoted),
            )
        }
        _ if cell.is_empty() => return None,
        "type" => {
            (words.case_type(cell) == Some(case.case_type), crate::util::quoted(case.case_type.words()))
        }
        "team" => (key(&m.teams[case.team]) == key(cell), crate::util::quoted(&m.teams[case.team])),
        "weight" => (shows_number(cell, case.weight), crate::words::number(case.weight)),
        _ => return None,
    };
    (!agrees).then_some(model)
}

/// The error of a meeting workbook's row whose read-only cells (type, team, weight, worker
/// today) disagree with the model: a workbook of another week or model, a row cut from one
/// sheet and pasted on the other (their columns differ, so the worker typed lands in another
/// column), or a read-only cell typed over. Placed at the cell that holds a worker id, else
/// at `worker today`, else at the first cell that disagrees; the others are named.
fn disagreeing(
    m: &Model,
    words: &crate::vocabulary::Vocabulary,
    c: usize,
    r: &RowIn,
    written: Option<Date>,
) -> Option<Error> {
    let wrong: Vec<(&ShownIn, String)> = r
        .shown
        .iter()
        .filter_map(|s| Some((s, shown_disagrees(m, words, c, s.what, &s.cell, written)?)))
        .collect();
    let is_worker = |s: &ShownIn| !s.cell.is_empty() && m.worker_index(&s.cell).is_some();
    let (at, model) = wrong
        .iter()
        .find(|(s, _)| is_worker(s) && s.what != "worker today")
        .or_else(|| wrong.iter().find(|(s, _)| s.what == "worker today"))
        .or_else(|| wrong.first())?;
    let says = match (at.what, at.cell.is_empty()) {
        ("worker today", true) => "the child has no worker today".to_string(),
        ("worker today", false) => format!("the child's worker today is {}", crate::util::quoted(&at.cell)),
        (what, _) => format!("{what} {}", crate::util::quoted(&at.cell)),
    };
    let others: Vec<&str> =
        wrong.iter().filter(|(s, _)| s.column != at.column).map(|(s, _)| s.column.as_str()).collect();
    let worker_here = if is_worker(at) {
        format!(
            "; {} is a worker: if the meeting chose it for this child, type it in the column {}",
            crate::util::quoted(&at.cell),
            r.worker_column.as_deref().unwrap_or("worker")
        )
    } else if at.what == "waiting since" {
        "; to correct since when the child has waited, change its waiting_since on the cases sheet of the team workbook (or in the model file), which next week's model keeps".to_string()
    } else {
        String::new()
    };
    Some(Error::input(
        &r.sheet,
        format!("row {}, column {}", r.row, at.column),
        format!(
            "this row says {says}, the model says {model}{}: the workbook is from another week or was made from another model, or the row was moved from the other sheet (the two sheets' columns differ), or the cell was typed over. Only the worker column is read{worker_here}; put the row back as the workbook wrote it, or make the meeting workbook again from this model with `caseload allocate --xlsx`",
            if others.is_empty() {
                String::new()
            } else {
                format!(
                    " ({} {} {} too)",
                    words::noun(others.len(), "the column", "the columns"),
                    others.join(", "),
                    words::noun(others.len(), "disagrees", "disagree")
                )
            },
        ),
    ))
}

/// Every worker by the words a person may type for them, compared as
/// [`crate::vocabulary::key`] compares them (`w02` for `W02`, `ben ortiz` for Ben Ortiz): its
/// id, and its name when the model gives one. A word two workers share names the first.
fn workers_by_key(m: &Model) -> std::collections::HashMap<String, usize> {
    let mut out = std::collections::HashMap::new();
    for (i, w) in m.workers.iter().enumerate() {
        for word in std::iter::once(w.id.as_str()).chain(w.name.as_deref()) {
            let k = crate::vocabulary::key(word);
            if !k.is_empty() {
                out.entry(k).or_insert(i);
            }
        }
    }
    out
}

/// What an unknown case or worker typed in a meeting workbook may mean: the id whose name
/// was typed (people type "Ben Ortiz" for W04), else the ids it is a slip of (`w02`, `W0 2`, a
/// zero-width space). Each list of ids (the workers', the cases') is prepared once, when first
/// needed, not once per unknown id: a hostile workbook of 20,000 unknown ids against 20,000
/// workers would otherwise normalise 400,000,000 ids. At most [`Hints::SUGGESTED`] different
/// ids are looked up (a workbook of another team names thousands, and only the first errors
/// are shown), and the slips among them are searched within [`Nearest`]'s bound.
struct Hints<'a> {
    m: &'a Model,
    workers: Option<Ids>,
    cases: Option<Ids>,
    said: std::collections::HashMap<(bool, String), String>,
}

/// One list of ids prepared for [`Hints`].
struct Ids {
    /// The ids, for their slips.
    near: Nearest,
    /// Each id by its NFC form (the first id of a form), when accents are compared apart from
    /// their encoding (the workers' ids).
    nfc: std::collections::HashMap<String, String>,
    /// The ids of each name by the name's [`crate::vocabulary::key`], in the model's order.
    named: std::collections::HashMap<String, Vec<String>>,
    /// The ids of digits with leading zeros (`0012`), by the number a spreadsheet turns each
    /// into when it reads it as one (`12`).
    zeros: std::collections::HashMap<String, Vec<String>>,
}

impl Ids {
    /// The ids with their names (`None`: no name), NFC forms kept when `nfc`.
    fn new<'b>(all: impl Iterator<Item = (&'b str, Option<&'b str>)> + Clone, nfc: bool) -> Ids {
        use unicode_normalization::UnicodeNormalization;
        let mut forms = std::collections::HashMap::new();
        let mut named: std::collections::HashMap<String, Vec<String>> = std::collections::HashMap::new();
        let mut zeros: std::collections::HashMap<String, Vec<String>> = std::collections::HashMap::new();
        for (id, name) in all.clone() {
            if id.len() > 1 && id.starts_with('0') && id.bytes().all(|b| b.is_ascii_digit()) {
                let number = id.trim_start_matches('0');
                zeros
                    .entry(if number.is_empty() { "0" } else { number }.to_string())
                    .or_default()
                    .push(id.to_string());
            }
            if nfc {
                forms.entry(id.nfc().collect()).or_insert_with(|| id.to_string());
            }
            let k = name.map(crate::vocabulary::key).unwrap_or_default();
            if !k.is_empty() {
                named.entry(k).or_default().push(id.to_string());
            }
        }
        Ids { near: Nearest::new(all.map(|(id, _)| id)), nfc: forms, named, zeros }
    }
}

impl<'a> Hints<'a> {
    const SUGGESTED: usize = 200;

    fn new(m: &'a Model) -> Self {
        Hints { m, workers: None, cases: None, said: std::collections::HashMap::new() }
    }

    fn worker(&mut self, typed: &str) -> String {
        let m = self.m;
        let ids = self.workers.get_or_insert_with(|| {
            Ids::new(m.workers.iter().map(|w| (w.id.as_str(), w.name.as_deref())), true)
        });
        // Two spellings that look the same: an accent typed as a letter and a combining mark
        // (as a copy from another program may give) against one character.
        use unicode_normalization::UnicodeNormalization;
        let nfc: String = typed.nfc().collect();
        if let Some(id) = ids.nfc.get(&nfc) {
            return format!(
                " (it looks like {}, but differs in how an accent is encoded, as a copy from another program may give: type the id again, or copy it from the workers sheet)",
                crate::util::quoted(id)
            );
        }
        hint(&mut self.said, ids, true, typed)
    }

    fn case(&mut self, typed: &str) -> String {
        let m = self.m;
        let ids = self.cases.get_or_insert_with(|| {
            Ids::new(m.cases.iter().map(|c| (c.id.as_str(), c.name.as_deref())), false)
        });
        hint(&mut self.said, ids, false, typed)
    }
}

/// `" (did you mean \"W02\"?)"`, `" (the name of \"W04\": type its id)"`, or "": remembered
/// for each id typed (`said`, by whether it is a worker's), and none past
/// [`Hints::SUGGESTED`] different ids.
fn hint(
    said: &mut std::collections::HashMap<(bool, String), String>,
    ids: &mut Ids,
    worker: bool,
    typed: &str,
) -> String {
    let at = (worker, typed.to_string());
    if let Some(s) = said.get(&at) {
        return s.clone();
    }
    if said.len() >= Hints::SUGGESTED {
        return String::new();
    }
    let owners: Vec<String> = ids
        .named
        .get(&crate::vocabulary::key(typed))
        .map(|owners| owners.iter().map(|id| crate::util::quoted(id)).collect())
        .unwrap_or_default();
    let padded: Vec<String> = ids
        .zeros
        .get(typed.trim())
        .map(|all| all.iter().map(|id| crate::util::quoted(id)).collect())
        .unwrap_or_default();
    let s = if !padded.is_empty() {
        format!(
            " (the number of {}: a spreadsheet drops an id's leading zeros when the cell is a number; format the column as text and type the id again)",
            crate::vocabulary::or_list(&padded)
        )
    } else if owners.is_empty() {
        ids.near.did_you_mean(typed)
    } else {
        format!(" (the name of {}: type its id)", crate::vocabulary::or_list(&owners))
    };
    said.insert(at, s.clone());
    s
}

fn breach(code: &str, case: Option<&str>, worker: Option<&str>, message: String) -> Breach {
    Breach { code: code.into(), case: case.map(String::from), worker: worker.map(String::from), message }
}

/// Checks the rules of SPEC section 3 on a case-level allocation.
pub fn check_rules(m: &Model, assignment: &[Option<usize>]) -> Vec<Breach> {
    let mut out = Vec::new();
    for (c, a) in assignment.iter().enumerate() {
        let case = &m.cases[c];
        if let Some(w) = *a {
            if let Err(block) = rules::check_permitted(m, c, w) {
                out.push(breach(
                    &block.rule().code(),
                    Some(&case.id),
                    Some(&m.workers[w].id),
                    format!(
                        "case {} is held by {}, but {}",
                        case.id,
                        m.workers[w].id,
                        words::block(&block, m, c, w)
                    ),
                ));
            }
        }
        if case.pinned && *a != case.current_worker {
            out.push(breach(
                &Rule::Pin.code(),
                Some(&case.id),
                None,
                format!(
                    "case {} is pinned to {} but is not allocated to it",
                    case.id,
                    case.current_worker.map_or("?", |w| m.workers[w].id.as_str())
                ),
            ));
        }
    }
    let usage = Usage::of(m, assignment);
    for (w, rule) in usage.breaches(m) {
        let worker = &m.workers[w];
        let message = match rule {
            Rule::Cap => words::over_cap(m, w, usage.load[w]),
            _ => words::over_oversight_cap(m, w, usage.oversight[w]),
        };
        out.push(breach(&rule.code(), None, Some(&worker.id), message));
    }
    for g in &m.groups {
        let places: BTreeSet<Option<usize>> = g.members.iter().map(|&c| assignment[c]).collect();
        if places.len() > 1 {
            out.push(breach(
                &Rule::Siblings.code(),
                Some(&m.cases[g.members[0]].id),
                None,
                format!(
                    "siblings of group {} are split: {}",
                    g.name,
                    g.members
                        .iter()
                        .map(|&c| format!(
                            "{} with {}",
                            m.cases[c].id,
                            assignment[c].map_or("nobody", |w| m.workers[w].id.as_str())
                        ))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    }
    out
}

/// Checks a proposal: completeness, the rules, reasons, stated loads and objective, order.
pub fn check_proposal(m: &Model, p: &ProposalIn) -> Vec<Breach> {
    let mut out = Vec::new();
    let mut seen = vec![false; m.cases.len()];
    let mut assignment: Vec<Option<usize>> = vec![None; m.cases.len()];
    let mut mark = |id: &str, out: &mut Vec<Breach>| -> Option<usize> {
        match m.case_index(id) {
            None => {
                out.push(breach("unknown", Some(id), None, format!("case {id} is not in the model")));
                None
            }
            Some(c) if seen[c] => {
                out.push(breach("duplicate", Some(id), None, format!("case {id} appears more than once")));
                None
            }
            Some(c) => {
                seen[c] = true;
                Some(c)
            }
        }
    };
    for a in &p.allocations {
        let Some(c) = mark(&a.case, &mut out) else { continue };
        match m.worker_index(&a.worker) {
            Some(w) => {
                assignment[c] = Some(w);
                let want = Change::of(m.cases[c].current_worker, w);
                if a.change.is_some_and(|ch| ch != want) {
                    out.push(breach(
                        "change",
                        Some(&a.case),
                        Some(&a.worker),
                        format!("case {} is marked {:?} but is {:?}", a.case, a.change.unwrap_or(want), want),
                    ));
                }
                // A written proposal (one that states changes) marks every return.
                let returns = m.returns(c, w);
                let stated = a.returns.or(a.change.map(|_| false));
                if stated.is_some_and(|r| r != returns) {
                    out.push(breach(
                        "change",
                        Some(&a.case),
                        Some(&a.worker),
                        if returns {
                            format!(
                                "case {} returns to {}, who held it before, but is not marked \"returns\"",
                                a.case, a.worker
                            )
                        } else {
                            format!(
                                "case {} is marked as returning to {}, who is not among its previous workers",
                                a.case, a.worker
                            )
                        },
                    ));
                }
            }
            None => out.push(breach(
                "unknown",
                Some(&a.case),
                Some(&a.worker),
                format!("case {} is allocated to {}, who is not in the model", a.case, a.worker),
            )),
        }
    }
    let mut unalloc_ids = Vec::new();
    for u in &p.unallocated {
        if let Some(c) = mark(&u.case, &mut out) {
            unalloc_ids.push((c, u));
        }
    }
    // A child on neither sheet of a meeting workbook is unallocated, not missing.
    let from_book = p.rows.is_some();
    for (c, seen) in seen.iter().enumerate() {
        if !seen && !from_book {
            out.push(breach(
                "missing",
                Some(&m.cases[c].id),
                None,
                format!("case {} appears neither allocated nor unallocated", m.cases[c].id),
            ));
        }
    }
    out.extend(check_rules(m, &assignment));

    // Reasons: at least one, each true of the case.
    let el = rules::eligibility(m);
    let usage = Usage::of(m, &assignment);
    let optimal = p.optimal.unwrap_or(true);
    // A workbook carries reasons in words for people; they are not judged.
    for (c, u) in unalloc_ids.into_iter().filter(|_| !from_book) {
        if u.reasons.is_empty() {
            out.push(breach(
                "reason",
                Some(&u.case),
                None,
                format!("unallocated case {} has no reason", u.case),
            ));
        }
        let truth: BTreeSet<ReasonCode> =
            explain::reasons_for(m, &el, &usage, c).into_iter().map(|r| r.code).collect();
        for r in &u.reasons {
            let code: Option<ReasonCode> =
                serde_json::from_value(serde_json::Value::String(r.code.clone())).ok();
            let true_of_case = match code {
                Some(ReasonCode::SearchStopped) => !optimal,
                Some(code) => truth.contains(&code),
                None => false,
            };
            if !true_of_case {
                out.push(breach(
                    "reason",
                    Some(&u.case),
                    None,
                    format!(
                        "reason {} is not true of case {} (true: {}){}",
                        r.code,
                        u.case,
                        truth.iter().map(|c| c.name()).collect::<Vec<_>>().join(", "),
                        if optimal && truth.contains(&ReasonCode::SearchStopped) {
                            "; a permitted worker has room for it, and allocating it would raise the objective"
                        } else {
                            ""
                        }
                    ),
                ));
            }
        }
    }
    for wl in &p.workers {
        if let Some(w) = m.worker_index(&wl.worker) {
            if (wl.load - usage.load[w]).abs() > crate::tolerance::OBJECTIVE {
                out.push(breach(
                    "load",
                    None,
                    Some(&wl.worker),
                    format!(
                        "{} is stated to carry {} but its cases weigh {}",
                        wl.worker, wl.load, usage.load[w]
                    ),
                ));
            }
        }
    }
    if let Some(stated) = p.objective {
        let actual = objective::value(&objective::terms(m, &assignment));
        if (stated - actual).abs() > crate::tolerance::relative(crate::tolerance::OBJECTIVE, actual) {
            out.push(breach(
                "objective",
                None,
                None,
                format!("the stated objective {stated} differs from the allocation's objective {actual}"),
            ));
        }
    }
    let sorted = |ids: Vec<&str>| ids.windows(2).all(|w| w[0] < w[1]);
    if !sorted(p.allocations.iter().map(|a| a.case.as_str()).collect())
        || !sorted(p.unallocated.iter().map(|u| u.case.as_str()).collect())
    {
        out.push(breach("order", None, None, "allocations and unallocated must be sorted by case id".into()));
    }
    out
}

/// The case-level allocation a proposal states: each case's worker, as indices into the model.
/// What [`check_proposal`] judges: a case or worker not in the model is left out, and a case
/// listed twice keeps its first entry (both are breaches there).
pub fn assignment(m: &Model, p: &ProposalIn) -> Vec<Option<usize>> {
    let mut seen = vec![false; m.cases.len()];
    let mut out = vec![None; m.cases.len()];
    let listed = p.allocations.iter().map(|a| (a.case.as_str(), Some(a.worker.as_str())));
    for (case, worker) in listed.chain(p.unallocated.iter().map(|u| (u.case.as_str(), None))) {
        let Some(c) = m.case_index(case) else { continue };
        if std::mem::replace(&mut seen[c], true) {
            continue;
        }
        out[c] = worker.and_then(|w| m.worker_index(w));
    }
    out
}

/// Today's allocation: each case with its current worker.
pub fn today(m: &Model) -> Vec<Option<usize>> {
    m.cases.iter().map(|c| c.current_worker).collect()
}

/// Audits today's allocation, adding the facts a manager looks for first.
pub fn check_today(m: &Model) -> Vec<Breach> {
    let mut out = check_rules(m, &today(m));
    // A pin is about the proposal; today a pinned case is where it is by definition.
    out.retain(|b| Rule::from_code(&b.code) != Some(Rule::Pin));
    out.sort_by(|a, b| (a.code.as_str(), &a.case, &a.worker).cmp(&(b.code.as_str(), &b.case, &b.worker)));
    out
}

/// Counts for the audit header: cases with no worker today, looked-after children held by
/// staff whose role may not hold them.
pub fn today_facts(m: &Model) -> (usize, usize) {
    let unallocated = m.cases.iter().filter(|c| c.current_worker.is_none()).count();
    let la_unqualified = m
        .cases
        .iter()
        .filter(|c| c.case_type == CaseType::LookedAfter)
        .filter(|c| {
            c.current_worker.is_some_and(|w| !m.policy.may_hold(m.workers[w].role, CaseType::LookedAfter))
        })
        .count();
    (unallocated, la_unqualified)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A model of these workers and one case.
    fn model_of(ws: Vec<serde_json::Value>) -> Model {
        let m = serde_json::json!({"version": 1, "workers": ws,
            "cases": [{"id": "C1", "type": "child_in_need", "team": "North"}]});
        crate::load_model_bytes("m.json", &serde_json::to_vec(&m).unwrap()).unwrap()
    }

    fn worker(id: &str) -> serde_json::Value {
        serde_json::json!({"id": id, "role": "social_worker", "team": "North"})
    }

    /// A meeting workbook as read, with a row per (case, worker).
    fn book(rows: impl Iterator<Item = (String, String)>) -> ProposalIn {
        let rows = rows
            .enumerate()
            .map(|(i, (case, worker))| RowIn {
                case,
                worker: Some(worker),
                sheet: "meeting.xlsx, sheet allocations".into(),
                row: i + 2,
                case_column: "case".into(),
                worker_column: Some("worker".into()),
                also: Vec::new(),
                shown: Vec::new(),
            })
            .collect();
        ProposalIn {
            version: None,
            optimal: None,
            objective: None,
            allocations: Vec::new(),
            unallocated: Vec::new(),
            workers: Vec::new(),
            summary: None,
            rows: Some(rows),
            workers_sheets: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Each unknown worker id normalised every worker id again for its "did you mean": 20,000
    /// unknown ids against 20,000 workers made 400,000,000 normalisations (minutes). The ids
    /// are prepared once; every row is still refused, the first with its suggestion.
    #[test]
    fn thousands_of_unknown_workers_are_refused_without_normalising_every_id_for_each() {
        let m = model_of((0..20_000).map(|i| worker(&format!("W{i:05}"))).collect());
        let p = book((0..20_000).map(|i| ("C1".to_string(), format!("w{i:05}x"))));
        // The work is counted, not timed: the ids are prepared once, and past the suggestions
        // allowed an unknown id costs neither a comparison nor a normalisation of every id.
        let mut hints = Hints::new(&m);
        for i in 0..20_000 {
            hints.worker(&format!("w{i:05}x"));
        }
        let ids = hints.workers.as_ref().expect("the workers' ids, prepared once");
        assert_eq!(ids.near.len(), 20_000);
        assert!(ids.near.compared() <= crate::vocabulary::MAX_COMPARISONS, "{}", ids.near.compared());
        assert_eq!(hints.said.len(), Hints::SUGGESTED);
        let e = resolve(&m, &p, true).unwrap_err().to_string();
        assert!(
            e.contains(r#"row 2, column worker: no worker "w00000x" in the model (did you mean "W00000"?)"#),
            "{e}"
        );
        // A slip, a name and an accent typed apart are still told.
        let mut ben = worker("W00001");
        ben["name"] = "Ben Ortiz".into();
        let m = model_of(vec![worker("W00000"), ben, worker("Chlo\u{e9}")]);
        let p = book(
            [("C1", "w00000"), ("C1", "ben ortiz"), ("C1", "Chloe\u{301}")]
                .into_iter()
                .map(|(c, w)| (c.to_string(), w.to_string())),
        );
        let e = resolve(&m, &p, true).unwrap_err().to_string();
        assert!(e.contains(r#"(did you mean "W00000"?)"#), "{e}");
        assert!(e.contains(r#"(the name of "W00001": type its id)"#), "{e}");
        assert!(e.contains("it looks like \"Chlo\u{e9}\", but differs in how an accent is encoded"), "{e}");
        // An id of digits that a spreadsheet read as a number, its leading zeros dropped.
        let m = model_of(vec![worker("0012"), worker("12A"), worker("0007")]);
        let p = book([("C1", "12"), ("C1", "13")].into_iter().map(|(c, w)| (c.to_string(), w.to_string())));
        let e = resolve(&m, &p, false).unwrap_err().to_string();
        assert!(
            e.contains(r#"no worker "12" in the model (the number of "0012": a spreadsheet drops"#),
            "{e}"
        );
        assert!(!e.contains(r#""13" in the model (the number of"#), "{e}");
    }
}
