//! The output tables' columns, each defined once: its name in a CSV, its header in plain words
//! (a workbook sheet, the report), how wide a workbook may draw it, how a workbook shows its
//! numbers, and how one row's cell is made. The CSV writers ([`crate::sheets::write`],
//! [`crate::whatif::csv`]) and the workbook writers ([`crate::sheets::write::workbook`],
//! [`crate::whatif::xlsx`]) take the same list, and the report ([`crate::report`]) heads its
//! tables with the same words ([`report_header`]), so a column cannot say one thing in one
//! output and another in the next. The proposal's tables (allocations, unallocated, workers,
//! moves) and the model file's own ([`ModelTable`]: workers, cases, reductions, as `convert`
//! writes them) are all here.
//!
//! Text cells are never formulas: [`csv_text`] gives a text that starts with `=`, `+`, `-`, `@`
//! or a control character a leading `'`, and the workbook writer always writes text as text.

use crate::date::Date;
use crate::error::{Error, Result};
use crate::model::{Case, CaseInput, Model, ModelFile, ReductionInput, Status, Worker, WorkerInput};
use crate::moves::Move;
use crate::proposal::{Allocation, Proposal, Unallocated, WorkerLoad};

/// How a workbook shows a column's numbers (a CSV always writes the shortest exact form).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Text, or a number as Excel shows it by default.
    Plain,
    /// A count: `0`.
    Whole,
    /// A quantity with up to two decimals: `0.0#`.
    Decimal,
    /// A share as a percentage: `0%`.
    Percent,
}

impl Format {
    /// The Excel number format, if any.
    pub fn excel(self) -> Option<&'static str> {
        match self {
            Format::Plain => None,
            Format::Whole => Some("0"),
            Format::Decimal => Some("0.0#"),
            Format::Percent => Some("0%"),
        }
    }
}

/// One cell of a row.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Text (written as text, never as a formula).
    Text(String),
    /// A number.
    Number(f64),
    /// Yes or no.
    Bool(bool),
    /// A code, written as its name in a CSV (`social_worker`) and in words in a workbook
    /// (`social worker`).
    Code(&'static str, String),
    /// Nothing.
    Empty,
}

impl Cell {
    /// The cell as CSV text: numbers in their shortest exact form, text guarded against
    /// formulas ([`csv_text`]).
    pub fn csv(&self) -> String {
        match self {
            Cell::Text(s) => csv_text(s),
            Cell::Number(x) => format!("{x}"),
            Cell::Bool(b) => b.to_string(),
            Cell::Code(name, _) => csv_text(name),
            Cell::Empty => String::new(),
        }
    }

    /// The cell as CSV text without the formula guard: the model's own tables, which must read
    /// back exactly as written (a code by its name).
    pub fn plain(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Number(x) => format!("{x}"),
            Cell::Bool(b) => b.to_string(),
            Cell::Code(name, _) => name.to_string(),
            Cell::Empty => String::new(),
        }
    }
}

/// A count as a cell.
pub fn count(n: usize) -> Cell {
    Cell::Number(n as f64)
}

/// Text as a cell.
pub fn text(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

pub use crate::util::csv_text;

/// The most characters a workbook column is widened to unless a column says otherwise.
pub const WIDEST: usize = 60;

/// Which outputs show a column: a CSV keeps the machine's names and codes for programs, a
/// workbook the words a meeting reads, so a few columns belong to one of them only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    /// The CSV and the workbook.
    Both,
    /// The CSV only.
    Csv,
    /// The workbook only.
    Sheet,
}

/// One column of a table of rows `R`.
pub struct Column<R> {
    /// Its name in a CSV (`unallocated_child_protection`).
    pub csv: String,
    /// Its header in plain words, in a workbook and the report (`unallocated: child protection`).
    pub header: String,
    /// The most characters a workbook widens it to (it is fitted to its cells up to this).
    pub width: usize,
    /// How a workbook shows its numbers.
    pub format: Format,
    /// The outputs that show it.
    pub shown: Shown,
    /// Its header in the report when the report words it otherwise (`Of target`); the header
    /// in words, capitalised, when `None` ([`report_header`]).
    pub report: Option<&'static str>,
    /// The cell of one row.
    pub cell: Box<dyn Fn(&R) -> Cell + Send + Sync>,
}

impl<R> Column<R> {
    /// A column: CSV name, header in words, number format and cell.
    pub fn new(
        csv: impl Into<String>,
        header: impl Into<String>,
        format: Format,
        cell: impl Fn(&R) -> Cell + Send + Sync + 'static,
    ) -> Self {
        Column {
            csv: csv.into(),
            header: header.into(),
            width: WIDEST,
            format,
            shown: Shown::Both,
            report: None,
            cell: Box::new(cell),
        }
    }

    /// The column, headed `words` in the report, where the report's cell says more than the
    /// value alone (the child's name beside the case, the load's share shown as `Of target`).
    pub fn report_as(mut self, words: &'static str) -> Self {
        self.report = Some(words);
        self
    }

    /// The column, in the CSV only.
    pub fn csv_only(mut self) -> Self {
        self.shown = Shown::Csv;
        self
    }

    /// The column, in the workbook only.
    pub fn sheet_only(mut self) -> Self {
        self.shown = Shown::Sheet;
        self
    }

    /// Whether a CSV shows it.
    pub fn in_csv(&self) -> bool {
        self.shown != Shown::Sheet
    }

    /// Whether a workbook shows it.
    pub fn in_sheet(&self) -> bool {
        self.shown != Shown::Csv
    }
}

/// The CSV names of a table's columns (those a CSV shows).
pub fn csv_header<R>(columns: &[Column<R>]) -> Vec<&str> {
    columns.iter().filter(|c| c.in_csv()).map(|c| c.csv.as_str()).collect()
}

/// The headers in words of a table's columns (those a workbook shows).
pub fn headers<R>(columns: &[Column<R>]) -> Vec<&str> {
    columns.iter().filter(|c| c.in_sheet()).map(|c| c.header.as_str()).collect()
}

/// The rows of a table as CSV text, column by column (those a CSV shows).
pub fn csv_rows<'r, R: 'r>(columns: &[Column<R>], rows: impl IntoIterator<Item = &'r R>) -> Vec<Vec<String>> {
    rows.into_iter()
        .map(|r| columns.iter().filter(|c| c.in_csv()).map(|c| (c.cell)(r).csv()).collect())
        .collect()
}

/// A table as CSV bytes for a spreadsheet (byte-order mark, CRLF).
pub fn csv_sheet<'r, R: 'r>(columns: &[Column<R>], rows: impl IntoIterator<Item = &'r R>) -> Vec<u8> {
    crate::util::csv_bytes(&csv_header(columns), &csv_rows(columns, rows), true)
}

/// A column's header as a report shows it: its report words, or its header capitalised
/// (`Waiting since`); the CSV name when no column has it.
pub fn report_header<R>(columns: &[Column<R>], csv: &str) -> String {
    let Some(c) = columns.iter().find(|c| c.csv == csv) else { return csv.to_string() };
    if let Some(words) = c.report {
        return words.to_string();
    }
    let mut chars = c.header.chars();
    chars.next().map(|f| f.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The proposal's `workers` table: one row per worker, with its load against target and cap.
#[derive(Clone, Debug)]
pub struct LoadRow {
    /// The worker's line of the proposal.
    pub load: WorkerLoad,
    /// The worker in the model, when it is there.
    pub worker: Option<Worker>,
    /// Its team's name.
    pub team: Option<String>,
}

/// The rows of the proposal's `workers` table.
pub fn load_rows(m: &Model, p: &Proposal) -> Vec<LoadRow> {
    p.workers
        .iter()
        .map(|wl| {
            let w = m.worker_index(&wl.worker).map(|i| m.workers[i].clone());
            let team = w.as_ref().map(|w| m.teams[w.team].clone());
            LoadRow { load: wl.clone(), worker: w, team }
        })
        .collect()
}

/// The columns of the proposal's `workers` table: `workers.csv` and the meeting workbook's
/// `workers` sheet. A name column comes when a worker of the model has a name (after the id in
/// the workbook, at the end in the CSV), notes in the CSV when one has notes.
pub fn load_columns(m: &Model) -> Vec<Column<LoadRow>> {
    use Format::{Decimal, Percent, Plain, Whole};
    let names = m.workers.iter().any(|w| w.name.is_some());
    let notes = m.workers.iter().any(|w| w.notes.is_some());
    let name = |r: &LoadRow| r.worker.as_ref().and_then(|w| w.name.as_deref()).map_or(Cell::Empty, text);
    let team = |r: &LoadRow| r.team.as_deref().map_or(Cell::Empty, text);
    let mut c = vec![Column::new("worker", "worker", Plain, |r: &LoadRow| text(&r.load.worker))];
    if names {
        c.push(Column::new("name", "name", Plain, name).sheet_only());
    }
    c.extend([
        Column::new("role", "role", Plain, |r: &LoadRow| {
            r.worker
                .as_ref()
                .map_or(Cell::Empty, |w| Cell::Code(w.role.name(), w.role.name().replace('_', " ")))
        }),
        Column::new("team", "team", Plain, team),
        Column::new("status", "status", Plain, |r: &LoadRow| text(r.load.status.name())),
        Column::new("fte", "fte", Decimal, |r: &LoadRow| {
            r.worker.as_ref().map_or(Cell::Empty, |w| Cell::Number(w.fte))
        })
        .sheet_only(),
        Column::new("cases", "cases", Whole, |r: &LoadRow| count(r.load.cases)),
        Column::new("load", "load", Decimal, |r: &LoadRow| Cell::Number(r.load.load)),
        Column::new("target", "target", Decimal, |r: &LoadRow| Cell::Number(r.load.target)),
        Column::new("cap", "cap", Decimal, |r: &LoadRow| Cell::Number(r.load.cap)),
        Column::new("above_target", "above target", Decimal, |r: &LoadRow| {
            Cell::Number(crate::explain::round9((r.load.load - r.load.target).max(0.0)))
        })
        .csv_only(),
        Column::new("load_of_target", "load of target", Percent, |r: &LoadRow| {
            if r.load.target > 0.0 {
                Cell::Number(r.load.load / r.load.target)
            } else {
                Cell::Empty
            }
        })
        .sheet_only()
        .report_as("Of target"),
        // A vacant or absent post has no room to offer.
        Column::new("room_to_cap", "room to cap", Decimal, |r: &LoadRow| {
            if r.load.status == Status::Active {
                Cell::Number(crate::explain::round9((r.load.cap - r.load.load).max(0.0)))
            } else {
                Cell::Empty
            }
        }),
        Column::new("oversight", "oversight", Decimal, |r: &LoadRow| Cell::Number(r.load.oversight)),
    ]);
    if names {
        c.push(Column::new("name", "name", Plain, name).csv_only());
    }
    if notes {
        c.push(
            Column::new("notes", "notes", Plain, |r: &LoadRow| {
                r.worker.as_ref().and_then(|w| w.notes.as_deref()).map_or(Cell::Empty, text)
            })
            .csv_only(),
        );
    }
    c
}

/// The proposal's `allocations` table: one row per allocated child.
#[derive(Clone, Debug)]
pub struct AllocRow {
    /// The allocation.
    pub a: Allocation,
    /// The case in the model, when it is there.
    pub case: Option<Case>,
    /// Its team's name.
    pub case_team: Option<String>,
    /// The worker in the model, when it is there.
    pub worker: Option<Worker>,
    /// The worker's team's name.
    pub worker_team: Option<String>,
    /// The child's worker today, if any.
    pub today: Option<String>,
}

/// The rows of the proposal's `allocations` table.
pub fn alloc_rows(m: &Model, p: &Proposal) -> Vec<AllocRow> {
    p.allocations
        .iter()
        .map(|a| {
            let case = m.case_index(&a.case).map(|i| m.cases[i].clone());
            let worker = m.worker_index(&a.worker).map(|i| m.workers[i].clone());
            AllocRow {
                a: a.clone(),
                case_team: case.as_ref().map(|c| m.teams[c.team].clone()),
                worker_team: worker.as_ref().map(|w| m.teams[w.team].clone()),
                today: case.as_ref().and_then(|c| c.current_worker).map(|w| m.workers[w].id.clone()),
                case,
                worker,
            }
        })
        .collect()
}

/// A case's name, when it has one.
fn case_name(c: Option<&Case>) -> Cell {
    c.and_then(|c| c.name.as_deref()).map_or(Cell::Empty, text)
}

/// A case's notes, when it has some.
fn case_notes(c: Option<&Case>) -> Cell {
    c.and_then(|c| c.notes.as_deref()).map_or(Cell::Empty, text)
}

/// The columns of the proposal's `allocations` table: `allocations.csv` and the meeting
/// workbook's `allocations` sheet (which `meeting` reads back by these headers).
pub fn alloc_columns(m: &Model) -> Vec<Column<AllocRow>> {
    use Format::{Decimal, Plain};
    let names = m.cases.iter().any(|c| c.name.is_some());
    let notes = m.cases.iter().any(|c| c.notes.is_some());
    let worker_names = m.workers.iter().any(|w| w.name.is_some());
    let name = |r: &AllocRow| case_name(r.case.as_ref());
    let mut c = vec![Column::new("case", "case", Plain, |r: &AllocRow| text(&r.a.case))];
    if names {
        c.push(Column::new("name", "name", Plain, name).sheet_only());
    }
    c.extend([
        Column::new("type", "type", Plain, |r: &AllocRow| {
            r.case
                .as_ref()
                .map_or(Cell::Empty, |c| Cell::Code(c.case_type.name(), c.case_type.words().into()))
        }),
        Column::new("team", "team", Plain, |r: &AllocRow| r.case_team.as_deref().map_or(Cell::Empty, text)),
        Column::new("weight", "weight", Decimal, |r: &AllocRow| {
            r.case.as_ref().map_or(Cell::Empty, |c| Cell::Number(c.weight))
        }),
        Column::new("worker", "worker", Plain, |r: &AllocRow| text(&r.a.worker)),
        Column::new("worker_role", "worker role", Plain, |r: &AllocRow| {
            r.worker
                .as_ref()
                .map_or(Cell::Empty, |w| Cell::Code(w.role.name(), w.role.name().replace('_', " ")))
        }),
        Column::new("worker_team", "worker team", Plain, |r: &AllocRow| {
            r.worker_team.as_deref().map_or(Cell::Empty, text)
        }),
        Column::new("change", "change", Plain, |r: &AllocRow| text(r.a.change.name())),
        Column::new("previous_worker", "worker today", Plain, |r: &AllocRow| {
            r.today.as_deref().map_or(Cell::Empty, text)
        }),
    ]);
    if names {
        c.push(Column::new("name", "name", Plain, name).csv_only());
    }
    if notes {
        c.push(Column::new("notes", "notes", Plain, |r: &AllocRow| case_notes(r.case.as_ref())));
    }
    if worker_names {
        c.push(
            Column::new("worker_name", "worker name", Plain, |r: &AllocRow| {
                r.worker.as_ref().and_then(|w| w.name.as_deref()).map_or(Cell::Empty, text)
            })
            .csv_only(),
        );
    }
    c
}

/// The proposal's `unallocated` table: one row per child without a worker.
#[derive(Clone, Debug)]
pub struct WaitRow {
    /// The child's line of the proposal.
    pub u: Unallocated,
    /// The case in the model, when it is there.
    pub case: Option<Case>,
    /// Since when the child has waited: its own day, or the allocation's day (the workbook).
    pub since: Option<Date>,
    /// Whole weeks from `since` to the allocation's day (the workbook).
    pub weeks: Option<f64>,
}

/// The rows of the proposal's `unallocated` table.
pub fn wait_rows(m: &Model, p: &Proposal) -> Vec<WaitRow> {
    let day = m.date.or(p.summary.date);
    p.unallocated
        .iter()
        .map(|u| {
            let case = m.case_index(&u.case).map(|i| m.cases[i].clone());
            // A child who has waited since a day, or who starts waiting on the allocation's day.
            let since = case.as_ref().and_then(|c| c.waiting_since).or(day);
            let weeks = since.zip(day).map(|(a, b)| ((b.days() - a.days()).max(0) / 7) as f64);
            WaitRow { u: u.clone(), case, since, weeks }
        })
        .collect()
}

/// The columns of the proposal's `unallocated` table: `unallocated.csv` (reasons also as codes,
/// and the child's own waiting days) and the meeting workbook's `unallocated` sheet (with an
/// empty `worker` column to type a worker into, which `meeting` reads back).
pub fn wait_columns(m: &Model) -> Vec<Column<WaitRow>> {
    use Format::{Plain, Whole};
    let names = m.cases.iter().any(|c| c.name.is_some());
    let notes = m.cases.iter().any(|c| c.notes.is_some());
    let name = |r: &WaitRow| case_name(r.case.as_ref());
    let mut c =
        vec![Column::new("case", "case", Plain, |r: &WaitRow| text(&r.u.case)).report_as("Child (case)")];
    if names {
        c.push(Column::new("name", "name", Plain, name).sheet_only());
    }
    c.extend([
        Column::new("type", "type", Plain, |r: &WaitRow| {
            Cell::Code(r.u.case_type.name(), r.u.case_type.words().into())
        }),
        Column::new("team", "team", Plain, |r: &WaitRow| text(&r.u.team)),
        Column::new("worker", "worker", Plain, |_: &WaitRow| Cell::Empty).sheet_only(),
        Column::new("previous_worker", "worker today", Plain, |r: &WaitRow| {
            r.u.current_worker.as_deref().map_or(Cell::Empty, text)
        })
        .report_as("Worker until now"),
        Column::new("waiting_since_or_today", "waiting since", Plain, |r: &WaitRow| {
            r.since.map_or(Cell::Empty, |d| text(&d.to_string()))
        })
        .sheet_only(),
        Column::new("whole_weeks_waiting", "weeks waiting", Whole, |r: &WaitRow| {
            r.weeks.map_or(Cell::Empty, Cell::Number)
        })
        .sheet_only(),
        Column::new("shortfall", "shortfall", Plain, |r: &WaitRow| {
            text(if r.u.reasons.iter().any(|x| x.code.is_structural()) { "structural" } else { "capacity" })
        }),
        Column::new("reason_codes", "reason codes", Plain, |r: &WaitRow| {
            text(&r.u.reasons.iter().map(|x| x.code.name()).collect::<Vec<_>>().join(";"))
        })
        .csv_only(),
        Column::new("reasons", "reasons", Plain, |r: &WaitRow| {
            text(
                &r.u.reasons
                    .iter()
                    .map(|x| crate::words::reason_label(x.code))
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        }),
        Column::new("messages", "messages", Plain, |r: &WaitRow| {
            text(&r.u.reasons.iter().map(|x| x.message.as_str()).collect::<Vec<_>>().join(" "))
        }),
        Column::new("family_message", "for the family", Plain, |r: &WaitRow| {
            r.u.reasons.first().map_or(Cell::Empty, |x| text(crate::words::family_message(x.code)))
        }),
        Column::new("actions", "what would help", Plain, |r: &WaitRow| text(&r.u.actions())),
        Column::new("waiting_since", "waiting since (own day)", Plain, |r: &WaitRow| {
            r.u.waiting_since.map_or(Cell::Empty, |d| text(&d.to_string()))
        })
        .csv_only(),
        Column::new("weeks_waiting", "weeks waiting (own day)", Whole, |r: &WaitRow| {
            r.u.weeks_waiting.map_or(Cell::Empty, |n| Cell::Number(n as f64))
        })
        .csv_only(),
    ]);
    if names {
        c.push(Column::new("name", "name", Plain, name).csv_only());
    }
    if notes {
        c.push(Column::new("notes", "notes", Plain, |r: &WaitRow| case_notes(r.case.as_ref())));
    }
    c
}

/// The columns of the proposal's `moves` table: the meeting workbook's `moves` sheet (every
/// child who changes or loses a worker, with why) and the report's changes of worker.
pub fn move_columns() -> Vec<Column<Move>> {
    use Format::Plain;
    vec![
        Column::new("case", "case", Plain, |r: &Move| text(&r.case)).report_as("Child (case)"),
        Column::new("type", "type", Plain, |r: &Move| {
            Cell::Code(r.case_type.name(), r.case_type.words().into())
        }),
        Column::new("team", "team", Plain, |r: &Move| text(&r.team)),
        Column::new("from", "from", Plain, |r: &Move| text(&r.from)),
        Column::new("to", "to", Plain, |r: &Move| text(r.to.as_deref().unwrap_or("nobody (unallocated)"))),
        Column::new("why", "why", Plain, |r: &Move| text(&r.why)),
    ]
}

/// A row of the model's `workers` table: a worker of the model file, and where it stands in it.
#[derive(Clone, Debug)]
pub struct WorkerRow {
    /// Its index in the model file's `workers`.
    pub index: usize,
    /// The worker as the model file has it.
    pub worker: WorkerInput,
}

/// A row of the model's `cases` table: a case of the model file, and where it stands in it.
#[derive(Clone, Debug)]
pub struct CaseRow {
    /// Its index in the model file's `cases`.
    pub index: usize,
    /// The case as the model file has it.
    pub case: CaseInput,
}

/// A row of the model's `reductions` table: one dated reduction of a worker.
#[derive(Clone, Debug)]
pub struct ReductionRow {
    /// The worker's index in the model file's `workers`.
    pub worker: usize,
    /// The worker's id.
    pub id: String,
    /// The reduction's index in the worker's `reductions`.
    pub index: usize,
    /// The reduction as the model file has it.
    pub reduction: ReductionInput,
}

/// The rows of the model's `workers` table, in model order.
pub fn worker_rows(m: &ModelFile) -> Vec<WorkerRow> {
    m.workers.iter().enumerate().map(|(index, w)| WorkerRow { index, worker: w.clone() }).collect()
}

/// The rows of the model's `cases` table, in model order.
pub fn case_rows(m: &ModelFile) -> Vec<CaseRow> {
    m.cases.iter().enumerate().map(|(index, c)| CaseRow { index, case: c.clone() }).collect()
}

/// The rows of the model's `reductions` table: worker by worker in model order, each worker's
/// reductions in its order.
pub fn reduction_rows(m: &ModelFile) -> Vec<ReductionRow> {
    let mut rows = Vec::new();
    for (worker, w) in m.workers.iter().enumerate() {
        for (index, r) in w.reductions.iter().enumerate() {
            rows.push(ReductionRow { worker, id: w.id.clone(), index, reduction: r.clone() });
        }
    }
    rows
}

/// Where a field of a model table's row stands in the model file (`workers[3].team`), for
/// messages.
pub trait Place {
    /// The place of the row's field `field`.
    fn place(&self, field: &str) -> String;
}

impl Place for WorkerRow {
    fn place(&self, field: &str) -> String {
        format!("workers[{}].{field}", self.index)
    }
}

impl Place for CaseRow {
    fn place(&self, field: &str) -> String {
        format!("cases[{}].{field}", self.index)
    }
}

impl Place for ReductionRow {
    fn place(&self, field: &str) -> String {
        match field {
            // The `worker` column is the worker's own id.
            "worker" => format!("workers[{}].id", self.worker),
            f => format!("workers[{}].reductions[{}].{f}", self.worker, self.index),
        }
    }
}

/// How a model table's cell is checked before it is written: `file` names the model.
type Check<R> = Box<dyn Fn(&str, &R) -> Result<()> + Send + Sync>;

/// One of the model file's own tables (`workers`, `cases`, `reductions`), as `convert` writes it
/// to CSV and to the model workbook, and as the readers ([`crate::sheets::read`]) take it back:
/// its columns (name, width, number format and cell), each with the check that refuses a value
/// a spreadsheet cell cannot keep exactly, so that the table reads back as the same model. A
/// header is the column's name in both outputs; a cell is never formula-guarded
/// ([`Cell::plain`]), since the table must read back exactly.
pub struct ModelTable<R> {
    /// The columns, in the order they are written.
    pub columns: Vec<Column<R>>,
    checks: Vec<Check<R>>,
}

impl<R: Place + 'static> ModelTable<R> {
    fn new(columns: Vec<(Column<R>, Check<R>)>) -> Self {
        let (columns, checks) = columns.into_iter().unzip();
        ModelTable { columns, checks }
    }

    /// The table's column names, in order.
    pub fn names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.csv.as_str()).collect()
    }

    /// The table with the columns named in `names` only, in that order (the readers' lists in
    /// [`crate::sheets::columns`] decide which are written). A name with no column here is left
    /// out (a test holds the two lists equal).
    pub fn pick(self, names: &[&str]) -> Self {
        let mut all: Vec<Option<(Column<R>, Check<R>)>> =
            self.columns.into_iter().zip(self.checks).map(Some).collect();
        let mut out = Vec::with_capacity(names.len());
        for n in names {
            if let Some(slot) = all.iter_mut().find(|s| matches!(s, Some((c, _)) if c.csv == *n)) {
                out.extend(slot.take());
            }
        }
        ModelTable::new(out)
    }

    /// The row's cells as CSV text, column by column, each checked first (the first value a
    /// cell cannot keep, in column order, is the error; `file` names the model).
    pub fn row_text(&self, file: &str, row: &R) -> Result<Vec<String>> {
        self.columns
            .iter()
            .zip(&self.checks)
            .map(|(c, check)| -> Result<String> {
                check(file, row)?;
                Ok((c.cell)(row).plain())
            })
            .collect()
    }

    /// Checks every cell of the rows, row by row (see [`ModelTable::row_text`]).
    pub fn check_rows(&self, file: &str, rows: &[R]) -> Result<()> {
        for row in rows {
            for check in &self.checks {
                check(file, row)?;
            }
        }
        Ok(())
    }
}

/// Checks a text value survives a spreadsheet cell (cells are trimmed; empty means not given).
fn kept(file: &str, place: String, v: &str) -> Result<()> {
    fits(file, &place, v)?;
    if v.is_empty() || v.trim() != v {
        return Err(Error::input(
            file,
            place,
            format!(
                "{v:?} is empty or begins or ends with a space, which a spreadsheet cell cannot keep; change the value"
            ),
        ));
    }
    Ok(())
}

/// Checks a cell's text is within Excel's limit on one cell, naming the entry and field
/// (`cases[3].notes`) rather than "a cell" somewhere in the workbook.
fn fits(file: &str, place: &str, v: &str) -> Result<()> {
    use crate::limits::{count, MAX_FIELD_CHARS};
    if v.len() > MAX_FIELD_CHARS && v.chars().count() > MAX_FIELD_CHARS {
        return Err(Error::input(
            file,
            place,
            format!(
                "a text of {} characters, above the {} an Excel cell holds; shorten it",
                count(v.chars().count()),
                count(MAX_FIELD_CHARS)
            ),
        ));
    }
    Ok(())
}

/// Checks each item of a list survives a cell, and holds no `;` (which separates the items)
/// nor `,` (which a cell's list refuses, as a list typed with commas).
fn kept_list(file: &str, place: String, items: &[String]) -> Result<()> {
    fits(file, &place, &items.join(";"))?;
    for (j, s) in items.iter().enumerate() {
        kept(file, format!("{place}[{j}]"), s)?;
        if let Some(c) = s.chars().find(|c| matches!(c, ';' | ',')) {
            return Err(Error::input(
                file,
                format!("{place}[{j}]"),
                format!(
                    "{s:?} holds a '{c}', which {} in a spreadsheet; change the value",
                    if c == ';' { "separates list items" } else { "a list's cell refuses" }
                ),
            ));
        }
    }
    Ok(())
}

/// Text as a model table's cell: empty text is an empty cell.
fn raw(s: &str) -> Cell {
    if s.is_empty() {
        Cell::Empty
    } else {
        text(s)
    }
}

/// No check: a code, a number or a yes or no always survives a cell.
fn unchecked<R>(_: &str, _: &R) -> Result<()> {
    Ok(())
}

/// A column whose every cell is text that must be given.
fn given<R: Place + 'static>(name: &'static str, get: fn(&R) -> &str) -> (Column<R>, Check<R>) {
    (
        Column::new(name, name, Format::Plain, move |r: &R| raw(get(r))),
        Box::new(move |file: &str, r: &R| kept(file, r.place(name), get(r))),
    )
}

/// A column of text that may be missing.
fn optional<R: Place + 'static>(name: &'static str, get: fn(&R) -> Option<&str>) -> (Column<R>, Check<R>) {
    (
        Column::new(name, name, Format::Plain, move |r: &R| raw(get(r).unwrap_or_default())),
        Box::new(move |file: &str, r: &R| get(r).map_or(Ok(()), |v| kept(file, r.place(name), v))),
    )
}

/// A column of a list, its items joined by `;`.
fn listed<R: Place + 'static>(name: &'static str, get: fn(&R) -> &[String]) -> (Column<R>, Check<R>) {
    (
        Column::new(name, name, Format::Plain, move |r: &R| raw(&get(r).join(";"))),
        Box::new(move |file: &str, r: &R| kept_list(file, r.place(name), get(r))),
    )
}

/// A column of text that always survives a cell: a code the model file spells one way only (a
/// role, a case type, a status), or a yes or no that a workbook holds as text.
fn code<R: Place + 'static>(name: &'static str, get: fn(&R) -> String) -> (Column<R>, Check<R>) {
    (Column::new(name, name, Format::Plain, move |r: &R| raw(&get(r))), Box::new(unchecked::<R>))
}

/// A column of a number that may be missing (written in its shortest exact form).
fn number<R: Place + 'static>(name: &'static str, get: fn(&R) -> Option<f64>) -> (Column<R>, Check<R>) {
    (
        Column::new(name, name, Format::Plain, move |r: &R| get(r).map_or(Cell::Empty, Cell::Number)),
        Box::new(unchecked::<R>),
    )
}

/// A column of yes or no that may be missing.
fn yes_no<R: Place + 'static>(name: &'static str, get: fn(&R) -> Option<bool>) -> (Column<R>, Check<R>) {
    (
        Column::new(name, name, Format::Plain, move |r: &R| get(r).map_or(Cell::Empty, Cell::Bool)),
        Box::new(unchecked::<R>),
    )
}

/// Every column of the model's `workers` table (`workers.csv`, the model workbook's `workers`
/// sheet), extensions included; [`ModelTable::pick`] keeps those a model writes
/// ([`crate::sheets::columns`]).
pub fn model_worker_table() -> ModelTable<WorkerRow> {
    ModelTable::new(vec![
        given("id", |r: &WorkerRow| &r.worker.id),
        code("role", |r: &WorkerRow| r.worker.role.name().to_string()),
        given("team", |r: &WorkerRow| &r.worker.team),
        number("fte", |r: &WorkerRow| r.worker.fte),
        number("cap", |r: &WorkerRow| r.worker.cap),
        number("target", |r: &WorkerRow| r.worker.target),
        listed("skills", |r: &WorkerRow| &r.worker.skills),
        optional("supervisor", |r: &WorkerRow| r.worker.supervisor.as_deref()),
        number("oversight_cap", |r: &WorkerRow| r.worker.oversight_cap),
        code("status", |r: &WorkerRow| {
            r.worker
                .status
                .and_then(|s| serde_json::to_value(s).ok().and_then(|v| v.as_str().map(String::from)))
                .unwrap_or_default()
        }),
        yes_no("agency", |r: &WorkerRow| r.worker.agency),
        optional("name", |r: &WorkerRow| r.worker.name.as_deref()),
        optional("notes", |r: &WorkerRow| r.worker.notes.as_deref()),
    ])
}

/// Every column of the model's `cases` table (`cases.csv`, the model workbook's `cases` sheet),
/// extensions included; see [`model_worker_table`].
pub fn model_case_table() -> ModelTable<CaseRow> {
    ModelTable::new(vec![
        given("id", |r: &CaseRow| &r.case.id),
        code("type", |r: &CaseRow| r.case.case_type.name().to_string()),
        given("team", |r: &CaseRow| &r.case.team),
        number("weight", |r: &CaseRow| r.case.weight),
        number("priority", |r: &CaseRow| r.case.priority),
        optional("current_worker", |r: &CaseRow| r.case.current_worker.as_deref()),
        yes_no("pinned", |r: &CaseRow| r.case.pinned),
        optional("group", |r: &CaseRow| r.case.group.as_deref()),
        listed("needs", |r: &CaseRow| &r.case.needs),
        listed("exclude", |r: &CaseRow| &r.case.exclude),
        listed("previous_workers", |r: &CaseRow| &r.case.previous_workers),
        optional("waiting_since", |r: &CaseRow| r.case.waiting_since.as_deref()),
        optional("name", |r: &CaseRow| r.case.name.as_deref()),
        optional("notes", |r: &CaseRow| r.case.notes.as_deref()),
        // A workbook has always held this extension as the text `true` or `false` (the readers
        // take text or a yes-or-no cell alike); kept so that converted models stay the same.
        code("no_agency", |r: &CaseRow| r.case.no_agency.map(|b| b.to_string()).unwrap_or_default()),
    ])
}

/// Every column of the model's `reductions` table (`reductions.csv`, the model workbook's
/// `reductions` sheet): one row per dated reduction of a worker's cap and target.
pub fn model_reduction_table() -> ModelTable<ReductionRow> {
    ModelTable::new(vec![
        given("worker", |r: &ReductionRow| &r.id),
        number("amount", |r: &ReductionRow| Some(r.reduction.amount)),
        given("from", |r: &ReductionRow| &r.reduction.from),
        given("to", |r: &ReductionRow| &r.reduction.to),
        optional("reason", |r: &ReductionRow| r.reduction.reason.as_deref()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_would_run_as_a_formula_is_quoted_in_a_csv() {
        for s in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx"] {
            assert_eq!(text(s).csv(), format!("'{s}"));
        }
        assert_eq!(text("North").csv(), "North");
        assert_eq!(Cell::Number(3.0).csv(), "3");
        assert_eq!(Cell::Number(0.1).csv(), "0.1");
        assert_eq!(count(7).csv(), "7");
        assert_eq!(Cell::Bool(true).csv(), "true");
        assert_eq!(Cell::Empty.csv(), "");
    }
}
