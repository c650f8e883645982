//! The meeting workbook read back as a proposal: the workbook `allocate --xlsx` wrote
//! (`write::workbook::proposal_workbook`), as a person leaves it after the allocation
//! meeting in Excel. A worker changed on the allocations sheet moves the child; a worker typed
//! on the unallocated sheet allocates it; a worker cleared, or a row deleted, leaves the child
//! unallocated (a child on neither sheet is unallocated). Rows may be re-sorted, filtered or
//! hidden; columns are found by their header (case and spacing aside), and other columns and
//! sheets are ignored, except that a worker typed where it would not be read is refused rather
//! than lost: under a renamed `worker` header ([`crate::vocabulary::names_a_worker`]), a worker
//! of the model in any other column of the two sheets (judged by [`crate::check::resolve`]), a
//! move's `to` changed on the `moves` sheet to what the two sheets do not say (against the
//! hidden copy written beside it, [`super::MOVED_TO_AS_WRITTEN`]), or a renamed sheet (a
//! copy of one, `allocations (2)`, only when it differs from it). The `workers` sheet is kept
//! as read ([`check::WorkersSheetIn`]) for [`crate::check::resolve`], which refuses a cell
//! changed from what the model says of the worker (a cap raised there would be lost); so is a
//! copy of it (`workers (2)`) that differs from it, refused alike and named as a copy; a copy
//! of the moves sheet (`moves (2)`) that differs from it is read as the moves sheet is; and a
//! copy of the summary (`summary (2)`) that says another day or model than it (or outlives it)
//! is refused at its cell, named as a copy.
//!
//! Every command that takes a proposal reads it through [`parse_proposal`], which tells a
//! workbook from a proposal file by its first bytes (a zip archive), never by its name. What a
//! workbook cannot mean (a case not in the model, a child on two rows, a worker not in the
//! model) is refused by [`crate::check::resolve`] once the model is read, naming the sheet, row
//! and column.

use super::read::Grid;
use crate::check::{self, AllocationIn, AlsoIn, ProposalIn, RowIn, SummaryIn, UnallocatedIn};
use crate::error::{Error, Errors, Result};
use crate::model::Model;
use crate::warnings::quoted;

/// Parses a proposal: a meeting workbook (by its content) or a proposal file (JSON). `file`
/// names it in messages. A workbook's cases and workers are judged against the model later,
/// by [`crate::check::resolve`] (or use [`read_proposal`] when the model is at hand).
pub fn parse_proposal(file: &str, bytes: &[u8]) -> Result<ProposalIn> {
    parse_proposal_read(file, bytes)?.whole()
}

/// A proposal as read, and the mistakes found reading it that still let the rest be read (a
/// day typed wrong on the summary, a formula with no saved value, a worker typed on the moves
/// sheet, a copy of a sheet that differs): judged with the proposal ([`Read::judged`]), so
/// that a mistyped worker on the allocations sheet is named in the same run as those, not the
/// next.
#[derive(Debug)]
pub struct Read {
    /// What could be read: every row of the sheets read, less the cells that could not be.
    pub proposal: ProposalIn,
    /// The mistakes found while reading; `None` when there were none.
    pub problems: Option<Error>,
}

impl Read {
    /// The proposal, when it was read without a mistake; else the mistakes.
    pub fn whole(self) -> Result<ProposalIn> {
        match self.problems {
            Some(e) => Err(e),
            None => Ok(self.proposal),
        }
    }

    /// The proposal, when it was read without a mistake and `judge` (the model's judgement of
    /// it: [`crate::check::resolve`]) finds none; else the mistakes of both, at once.
    pub fn judged(self, judge: impl FnOnce(&ProposalIn) -> Result<()>) -> Result<ProposalIn> {
        let mut errs = Errors::new();
        if let Some(e) = self.problems {
            errs.push(e);
        }
        if let Err(e) = judge(&self.proposal) {
            errs.push(e);
        }
        errs.or(self.proposal)
    }
}

/// [`parse_proposal`], keeping what could be read beside the mistakes that still let the rest
/// be read ([`Read`]). A file that cannot be read at all (no workbook, no allocations sheet,
/// two sheets of one name, a proposal file that is no JSON of a proposal) is an error.
pub fn parse_proposal_read(file: &str, bytes: &[u8]) -> Result<Read> {
    if crate::read::is_zip(bytes) {
        read_meeting_partly(file, bytes)
    } else {
        check::parse_proposal(file, bytes).map(|proposal| Read { proposal, problems: None })
    }
}

/// [`parse_proposal`], then [`crate::check::resolve`] against the model.
pub fn read_proposal(file: &str, bytes: &[u8], m: &Model) -> Result<ProposalIn> {
    parse_proposal_read(file, bytes)?.judged(|p| check::resolve(m, p, false))
}

/// Reads a meeting workbook as a proposal. Needs a sheet `allocations` (columns `case` and
/// `worker`); the sheet `unallocated` (column `case`, and `worker` when a person typed one) may
/// be gone, as may `summary` (the day the allocation is for).
pub fn read_meeting(file: &str, bytes: &[u8]) -> Result<ProposalIn> {
    read_meeting_partly(file, bytes)?.whole()
}

/// [`read_meeting`], keeping what could be read beside the mistakes found ([`Read`]).
fn read_meeting_partly(file: &str, bytes: &[u8]) -> Result<Read> {
    // The same bounded, strict reader as a model workbook: limits, no dependency panics.
    let mut book = super::xlsx::Book::open(file, bytes)?;
    let names = book.sheet_names();
    let find = |want: &str| names.iter().find(|n| n.trim().eq_ignore_ascii_case(want)).cloned();
    // Two sheets that read as one (`allocations` and `Allocations `): the first would be read
    // and what the meeting typed on the other lost without a word.
    for known in ["summary", "allocations", "unallocated", "workers", "moves"] {
        let same = super::workbook::naming(&names, known);
        if same.len() > 1 {
            return Err(Error::input(
                file,
                format!("sheet {known}"),
                format!(
                    "the sheets {} all name the {known} sheet (names are read without regard to case or the spaces around them); keep the one the meeting edited and delete the other",
                    same.join(" and ")
                ),
            ));
        }
    }
    if find("allocations").is_none() {
        return Err(Error::input(
            file,
            "sheet allocations",
            format!(
                "no sheet named \"allocations\"; the workbook has {}. Give the meeting workbook that `caseload allocate --xlsx` wrote (a model workbook goes with --workbook)",
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.iter().map(|n| crate::util::clipped(n)).collect::<Vec<_>>().join(", ")
                }
            ),
        ));
    }
    let mut errs = Errors::new();
    let mut rows: Vec<RowIn> = Vec::new();
    let mut date = None;
    let mut summary = SummaryIn::default();
    let mut summary_grid = None;
    let mut notes = Vec::new();
    for (want, worker_needed) in [("allocations", true), ("unallocated", false), ("summary", false)] {
        let Some(name) = find(want) else { continue };
        let (shown, grid) = match sheet_grid(&mut book, file, &name, want) {
            (shown, Ok(g)) => (shown, g),
            (_, Err(e)) => {
                errs.push(e);
                continue;
            }
        };
        if want == "summary" {
            summary = summary_sheet(&shown, &grid);
            match day_of(&shown, &grid) {
                Ok(day) => date = day,
                Err(e) => {
                    errs.push(e);
                    if let Some(sheet) = &mut summary.sheet {
                        sheet.day_refused = true;
                    }
                }
            }
            summary_grid = Some(grid);
        } else {
            // Rows a filter hides and merged cells are read as they are on a model workbook,
            // and said: a merged `worker` cell gives every child of its range that worker.
            notes.extend(super::workbook::read_as_shown(file, want, &grid));
            sheet_rows(&shown, &grid, worker_needed, &mut rows, &mut errs);
        }
    }
    // The moves sheet shows the proposal's changes and is not read: a worker typed there would
    // be lost without a word, so one that the allocations and unallocated sheets do not carry
    // is refused.
    let mut moves_grid = None;
    if let Some(name) = find("moves") {
        match sheet_grid(&mut book, file, &name, "moves") {
            (shown, Ok(grid)) => {
                moves_edited(&shown, &grid, &rows, &mut errs);
                moves_grid = Some(grid);
            }
            // One that cannot be read at all may hold a change: refused, as its copy would be.
            (_, Err(e)) => errs.push(e),
        }
    }
    // The workers sheet shows what the model says of each worker and is not read: a cell
    // changed there is compared with the model by `check::resolve`, and refused, not lost.
    let mut workers_sheets = Vec::new();
    let mut workers_grid = None;
    if let Some(name) = find("workers") {
        match sheet_grid(&mut book, file, &name, "workers") {
            (shown, Ok(grid)) => {
                workers_sheets.extend(workers_of(&shown, &grid, false));
                workers_grid = Some(grid);
            }
            (_, Err(e)) => errs.push(e),
        }
    }
    // A copy of the moves, workers or summary sheet as Excel names one (`moves (2)`) is
    // harmless while it says what its sheet says; one that differs (or whose sheet is gone) is
    // judged as its sheet is: the moves here, the workers by `check::resolve`, which names it
    // a copy, and the summary by the rows read from it (the day and the model), each refused
    // at the copy's cell where it differs.
    for name in &names {
        let Some(kind) = copy_of(&name.trim().to_lowercase()) else { continue };
        let original = match kind {
            "moves" => &moves_grid,
            "workers" => &workers_grid,
            "summary" => &summary_grid,
            _ => continue,
        };
        // Read as its sheet is (a day typed as a date cell on both reads alike). A copy that
        // cannot be read may hold a change, so it is refused with its own error, not passed over.
        let (shown, grid) = match sheet_grid(&mut book, file, name, kind) {
            (shown, Ok(grid)) => (shown, grid),
            (_, Err(e)) => {
                errs.push(e);
                continue;
            }
        };
        if original.as_ref().is_some_and(|g| same_rows(g, &grid)) {
            continue;
        }
        match kind {
            "moves" => moves_edited(&shown, &grid, &rows, &mut errs),
            "workers" => workers_sheets.extend(workers_of(&shown, &grid, true)),
            // A summary that could not be read is refused by itself, not through its copy.
            _ if original.is_none() && find(kind).is_some() => {}
            _ => {
                if let Some(at) = summary_differs(&grid, original.as_ref()) {
                    errs.push(copy_differs(&shown, at, kind, find(kind).as_deref()));
                }
            }
        }
    }
    // A sheet of the workbook renamed (`unallocated children`, `allocations (agreed)`) is not
    // read; a worker typed on it would be lost without a word, so that is refused. A sheet of
    // the manager's own under another name (a copy of last week's, say) is theirs.
    for name in &names {
        let lower = name.trim().to_lowercase();
        if WRITTEN.iter().any(|k| lower == *k) || !(lower.contains("alloc") || lower.contains("wait")) {
            continue;
        }
        let (shown, Ok(grid)) = sheet_grid(&mut book, file, name, "") else { continue };
        // A copy of a sheet (Excel names it `allocations (2)`) is harmless while it says what
        // the sheet itself says; one that differs is named for what it is.
        let copied = copy_of(&lower).and_then(|k| find(k).map(|n| (k, n)));
        if let Some((kind, original)) = &copied {
            // Compared child by child: a copy sorted otherwise, or with a note of the
            // manager's own, says what the sheet says; one that says another worker for a
            // child is refused at that cell.
            let Ok(was) = book.grid(original, &shown) else { continue };
            if let Some((number, column)) = copy_changed(&grid, &was) {
                errs.push(copy_differs(
                    &shown,
                    format!("row {number}, column {column}"),
                    kind,
                    Some(original),
                ));
            }
            continue;
        }
        if let Some((number, column)) = typed_worker(&grid) {
            errs.push(Error::input(
                &shown,
                format!("row {number}, column {column}"),
                format!(
                    "a worker typed for a child on a sheet that is not read (only allocations and unallocated are); {}",
                    if find("unallocated").is_some() {
                        "move the row to the allocations or unallocated sheet"
                    } else {
                        "name the sheet unallocated"
                    }
                ),
            ));
        }
    }
    let problems = errs.finish().err();
    let mut allocations: Vec<AllocationIn> = rows
        .iter()
        .filter_map(|r| {
            r.worker.as_ref().map(|w| AllocationIn {
                case: r.case.clone(),
                worker: w.clone(),
                change: None,
                returns: None,
            })
        })
        .collect();
    let mut unallocated: Vec<UnallocatedIn> = rows
        .iter()
        .filter(|r| r.worker.is_none())
        .map(|r| UnallocatedIn { case: r.case.clone(), reasons: Vec::new() })
        .collect();
    // A workbook states no order: rows may be sorted any way.
    allocations.sort_by(|a, b| a.case.cmp(&b.case));
    unallocated.sort_by(|a, b| a.case.cmp(&b.case));
    let proposal = ProposalIn {
        version: None,
        optimal: None,
        objective: None,
        allocations,
        unallocated,
        workers: Vec::new(),
        summary: Some(SummaryIn { date, ..summary }),
        rows: Some(rows),
        workers_sheets,
        notes,
    };
    Ok(Read { proposal, problems })
}

/// Sheet `name` read as the workbook's sheet `kind` is (`name` itself or a copy of it; `""`
/// for any other sheet, read as text), and the sheet as messages name it. A day Excel made a
/// date cell of (typed over the text the workbook wrote) is read as YYYY-MM-DD on the summary
/// and in the unallocated sheet's `waiting since`, to be compared with the model's; elsewhere
/// a date cell is a cell that cannot be read.
fn sheet_grid(book: &mut super::xlsx::Book, file: &str, name: &str, kind: &str) -> (String, Result<Grid>) {
    let shown = format!("{file}, sheet {}", crate::util::clipped(name));
    book.days = kind == "summary";
    book.day_columns = if kind == "unallocated" { &["waiting_since"] } else { &[] };
    let grid = book.grid(name, &shown);
    (shown, grid)
}

/// The error for a copy of the sheet `kind` (Excel's `allocations (2)`), at its cell `at`, that
/// differs from the sheet itself, named `original` in the workbook (`None`: the workbook no
/// longer has it). Neither the copy nor what it says is read.
fn copy_differs(sheet: &str, at: String, kind: &str, original: Option<&str>) -> Error {
    let problem = match original {
        Some(original) => format!(
            "this sheet is a copy of the {kind} sheet that differs from it, and is not read (only the sheet {original} is): make the meeting's changes on the sheet {original} itself, then delete the copy",
            original = crate::util::clipped(original)
        ),
        None => format!(
            "this sheet is a copy of the {kind} sheet, which the workbook no longer has, and is not read: name the copy {kind} if it is the sheet to read, or delete it"
        ),
    };
    Error::input(sheet, at, problem)
}

/// The sheet of the workbook that a sheet named `lower` (trimmed, lower case) copies, as
/// Excel names a copy: `allocations (2)`.
fn copy_of(lower: &str) -> Option<&'static str> {
    WRITTEN.iter().copied().find(|k| {
        lower
            .strip_prefix(k)
            .and_then(|r| r.trim_start().strip_prefix('('))
            .and_then(|r| r.strip_suffix(')'))
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    })
}

/// Whether two sheets hold the same cells (trimmed; empty cells at a row's end aside).
fn same_rows(a: &Grid, b: &Grid) -> bool {
    let cells = |g: &Grid| -> Vec<(usize, Vec<String>)> {
        g.rows.iter().map(|(n, c)| (*n, trimmed(c))).filter(|(_, c)| !c.is_empty()).collect()
    };
    cells(a) == cells(b)
}

/// Cells as compared: trimmed, empty cells at the end aside.
fn trimmed(cells: &[String]) -> Vec<String> {
    let mut c: Vec<String> = cells.iter().map(|x| x.trim().to_string()).collect();
    while c.last().is_some_and(String::is_empty) {
        c.pop();
    }
    c
}

/// The rows of the summary sheet that are read, by their label: the day the allocation is
/// for, the day the workbook was written for, and the model it was made from.
const SUMMARY_READ: [&str; 3] = [super::DAY_LABEL, super::DAY_AS_WRITTEN_LABEL, super::MODEL_HASH_LABEL];

/// Where a copy of the summary sheet says another day or model than the sheet `original` does
/// (`None`: the workbook has none): the first cell that differs of its first row with a label
/// read ([`SUMMARY_READ`]), as `row 3, column B`. Its other rows (the counts, the note) are
/// not read on the summary either.
fn summary_differs(copy: &Grid, original: Option<&Grid>) -> Option<String> {
    // A row's cells after its label (the first row with it), and the column of the first.
    let said = |g: &Grid, label: &str| {
        g.rows.iter().find_map(|(number, cells)| {
            let j = cells.iter().position(|c| c.trim().eq_ignore_ascii_case(label))?;
            Some((*number, j + 1, trimmed(&cells[j + 1..])))
        })
    };
    SUMMARY_READ.iter().find_map(|label| {
        let (number, first, cells) = said(copy, label)?;
        let was = original.and_then(|g| said(g, label)).map(|(_, _, c)| c).unwrap_or_default();
        let k = (0..cells.len().max(was.len())).find(|&k| cells.get(k) != was.get(k))?;
        Some(format!("row {number}, column {}", super::column_letters(first + k)))
    })
}

/// The sheets a meeting workbook is written with (`write::workbook::proposal_workbook`).
const WRITTEN: [&str; 6] = ["summary", "warnings", "allocations", "unallocated", "workers", "moves"];

/// The columns of the allocations and unallocated sheets, as written (the worker's name as the
/// CSV writes it), whose headers name a worker but that say something else of the child's
/// (`crate::tables`): the worker's role, team and name, and who holds the child today. Not
/// taken for a renamed `worker` column; still searched for a worker typed where it is not read.
const WRITTEN_WORKER_COLUMNS: [&str; 4] = ["worker role", "worker team", "worker today", "worker name"];

/// Whether a header names a column a person may have typed a child's worker in: `worker`
/// under another name (`Worker allocated`, `allocate to`, `assigned`, `practitioner`, `case
/// holder`, or a role's word such as `SW` or `social worker`: [`crate::vocabulary::names_a_worker`]),
/// but not the unallocated sheet's `worker today`.
fn worker_like(header: &str) -> bool {
    header.trim().to_lowercase() != "worker today" && crate::vocabulary::names_a_worker(header)
}

/// The columns of the allocations and unallocated sheets, as written, that hold words about the
/// child rather than a place to type a worker: the model's own (its name and notes, which may
/// name a worker by chance) and the sentences the workbook explains with. Not kept as places a
/// worker may have been typed in.
const WRITTEN_TEXT_COLUMNS: [&str; 7] =
    ["name", "notes", "reason codes", "reasons", "messages", "for the family", "what would help"];

/// Where a copy of the allocations or unallocated sheet says another worker for a child than
/// the sheet `original` itself (in any column naming a worker, compared with the same column
/// there, a child by its case): the copy's first such row and that column's header. `None`
/// when every child's workers read alike, whatever the order of the rows and whatever else the
/// copy holds.
fn copy_changed(copy: &Grid, original: &Grid) -> Option<(usize, String)> {
    let (h, names) = header(copy)?;
    let cc = names.iter().position(|n| n == "case")?;
    let columns: Vec<usize> = (0..names.len()).filter(|&j| worker_like(&names[j])).collect();
    // The original's worker cells, by case and column name.
    let mut was: std::collections::HashMap<(&str, &str), &str> = std::collections::HashMap::new();
    let original_header = header(original);
    if let Some((oh, on)) = &original_header {
        if let Some(oc) = on.iter().position(|n| n == "case") {
            for (_, cells) in &original.rows[oh + 1..] {
                let Some(case) = cells.get(oc).map(|c| c.trim()).filter(|c| !c.is_empty()) else { continue };
                for (j, name) in on.iter().enumerate().filter(|(_, n)| worker_like(n)) {
                    was.entry((case, name.as_str())).or_insert_with(|| cells.get(j).map_or("", |c| c.trim()));
                }
            }
        }
    }
    copy.rows[h + 1..].iter().find_map(|(number, cells)| {
        let case = cells.get(cc).map(|c| c.trim()).filter(|c| !c.is_empty())?;
        let j = columns.iter().copied().find(|&j| {
            let typed = cells.get(j).map_or("", |c| c.trim());
            typed != was.get(&(case, names[j].as_str())).copied().unwrap_or("")
        })?;
        Some((*number, copy.rows[h].1[j].trim().to_string()))
    })
}

/// The first row and column (as its header spells it) of a sheet with a `case` column where a
/// child's row has a worker-like column filled in.
fn typed_worker(grid: &Grid) -> Option<(usize, String)> {
    let (h, names) = header(grid)?;
    let cc = names.iter().position(|n| n == "case")?;
    let columns: Vec<usize> = (0..names.len()).filter(|&j| worker_like(&names[j])).collect();
    grid.rows[h + 1..].iter().find_map(|(number, cells)| {
        let filled = |j: usize| cells.get(j).is_some_and(|c| !c.trim().is_empty());
        let j = columns.iter().copied().find(|&j| filled(j))?;
        filled(cc).then(|| (*number, grid.rows[h].1[j].trim().to_string()))
    })
}

/// Names the cells of a sheet that could not be read (a date, an Excel error, a formula without
/// a saved value) that fall in the columns read, each under the header `named` gives it, by
/// row (a title row's cell by its letter): a date typed in a notes column does not stop the
/// meeting's decision being read.
fn keep_faults(sheet: &str, grid: &Grid, named: impl Fn(usize, usize) -> Option<String>, errs: &mut Errors) {
    for f in &grid.faults {
        if let Some(header) = named(f.row, f.column) {
            errs.push(super::read::fault_error(sheet, f, Some(&header)));
        }
    }
}

/// The header row of a sheet: the first row with a cell `case` (so a title line above it is
/// allowed), with each column's name trimmed and in lower case.
fn header(grid: &Grid) -> Option<(usize, Vec<String>)> {
    grid.rows.iter().enumerate().find_map(|(i, (_, cells))| {
        let names: Vec<String> = cells.iter().map(|c| c.trim().to_lowercase()).collect();
        names.iter().any(|n| n == "case").then_some((i, names))
    })
}

/// The children of the allocations or unallocated sheet, each with its worker if one is typed.
fn sheet_rows(sheet: &str, grid: &Grid, worker_needed: bool, out: &mut Vec<RowIn>, errs: &mut Errors) {
    let Some((h, names)) = header(grid) else {
        if grid.rows.iter().any(|(_, c)| c.iter().any(|x| !x.trim().is_empty())) {
            errs.push(Error::input(
                sheet,
                "row 1",
                "no column named \"case\"; the first row names the columns (case, worker, ...): put the header back",
            ));
        }
        return;
    };
    let hrow = grid.rows[h].0;
    let col = |want: &str| names.iter().position(|n| n == want);
    let cc = col("case").unwrap_or(0);
    let wc = col("worker");
    // A column by its header, with its letter too when another column has the same header
    // (`worker (A)` and `worker (G)`: "column worker" would fit either), by its letter alone
    // without a header.
    let spelt = |j: usize| match grid.rows[h].1.get(j).map(|s| s.trim()).filter(|s| !s.is_empty()) {
        Some(s) if names.iter().filter(|n| **n == names[j]).count() > 1 => {
            format!("{s} ({})", super::column_letters(j))
        }
        Some(s) => s.to_string(),
        None => super::column_letters(j),
    };
    if worker_needed && wc.is_none() {
        // The column renamed (`SW`, `practitioner`) is the likeliest: named, so it is renamed
        // back rather than read as something else.
        let renamed = (0..names.len())
            .find(|&j| worker_like(&names[j]) && !WRITTEN_WORKER_COLUMNS.contains(&names[j].as_str()))
            .map_or(String::new(), |j| format!(" (is it the column {}? name it worker)", quoted(&spelt(j))));
        errs.push(Error::input(
            sheet,
            format!("row {hrow}"),
            format!("no column named \"worker\"; the allocations sheet says each child's worker: put the column back{renamed}"),
        ));
        return;
    }
    // The unallocated sheet may lose its empty worker column, but not have it renamed with
    // workers typed in it (`Worker allocated`): those would not be read.
    if wc.is_none() {
        if let Some((number, column)) = typed_worker(grid) {
            errs.push(Error::input(
                sheet,
                format!("row {number}, column {column}"),
                "a worker typed in a column not named \"worker\", which is not read; name the column worker",
            ));
            return;
        }
    }
    let (case_column, worker_column) = (spelt(cc), wc.map(spelt));
    let worker_named = worker_column.clone().unwrap_or_else(|| "worker".to_string());
    // A title line may stand above the header, but not a child's row: a sort that took the
    // header row along (Excel's sort without "my data has headers") leaves children above it,
    // who would be read as on neither sheet, so unallocated, without a word.
    let filled = |cells: &[String]| cells.iter().filter(|c| !c.trim().is_empty()).count();
    if let Some((number, _)) = grid.rows[..h]
        .iter()
        .find(|(_, cells)| filled(cells) >= 3 && cells.get(cc).is_some_and(|c| !c.trim().is_empty()))
    {
        errs.push(Error::input(
            sheet,
            format!("row {number}"),
            format!(
                "a child's row above the header (row {hrow}, the row naming the columns {case_column}, {worker_named}, ...), which would not be read; put the header row back at the top (a sort may have moved it)"
            ),
        ));
        return;
    }
    keep_faults(
        sheet,
        grid,
        |row, j| {
            let read = j == cc || Some(j) == wc;
            // Above and in the header row a cell is named by its letter (it has no header).
            read.then(|| if row > hrow { spelt(j) } else { super::column_letters(j) })
        },
        errs,
    );
    // Every other column a worker may have been typed in (`agreed worker`, `SW`, `decision`,
    // and the written `worker role`, `worker team` and `worker name`, retyped for a new
    // worker), beside those that hold words about the child (the read-only ones,
    // `SHOWN_COLUMNS`, are compared with the model by themselves): kept for `check::resolve`,
    // which refuses a cell that names another worker of the model than the `worker` column,
    // whatever its header (and a `worker name` that is not the name of that worker), so no
    // decision is lost without a word.
    let also_columns: Vec<usize> = (0..names.len())
        .filter(|&j| {
            let name = names[j].as_str();
            j != cc
                && Some(j) != wc
                && !WRITTEN_TEXT_COLUMNS.contains(&name)
                && !SHOWN_COLUMNS.contains(&name)
        })
        .collect();
    // The rows whose case cell could not be read (looked up for each row without a case).
    let unread_case: std::collections::HashSet<usize> =
        grid.faults.iter().filter(|f| f.column == cc).map(|f| f.row).collect();
    for (number, cells) in &grid.rows[h + 1..] {
        let get = |j: Option<usize>| j.and_then(|j| cells.get(j)).map_or("", |s| s.trim());
        let (case, worker) = (get(Some(cc)), get(wc));
        if case.is_empty() {
            // A case cell that could not be read is named as such above.
            let unread = unread_case.contains(number);
            if !worker.is_empty() && !unread {
                errs.push(Error::input(
                    sheet,
                    format!("row {number}, column {case_column}"),
                    format!("empty, but the worker {worker:?} is typed; give the child's case id, or clear the row"),
                ));
            }
            continue;
        }
        out.push(RowIn {
            case: case.to_string(),
            worker: (!worker.is_empty()).then(|| worker.to_string()),
            sheet: sheet.to_string(),
            row: *number,
            case_column: case_column.clone(),
            worker_column: worker_column.clone(),
            also: also_columns
                .iter()
                .filter(|&&j| !get(Some(j)).is_empty())
                .map(|&j| AlsoIn {
                    header: names[j].clone(),
                    column: spelt(j),
                    cell: get(Some(j)).to_string(),
                })
                .collect(),
            shown: shown_cells(&grid.rows[h].1, cells),
        });
    }
}

/// Refuses the edits of the moves sheet that would be lost: a worker typed in a column of the
/// manager's own there (`agreed worker`, `SW`), and a move's `to` changed from what the
/// workbook wrote (its hidden copy, [`super::MOVED_TO_AS_WRITTEN`]) to what the allocations
/// and unallocated sheets (`rows`) do not say. A `to` the meeting changed on those sheets too,
/// or one left as written after a change there, is no loss. A workbook written without the
/// copy (before it was kept) has no `to` to compare.
fn moves_edited(sheet: &str, grid: &Grid, rows: &[RowIn], errs: &mut Errors) {
    if let Some((number, column)) = typed_worker(grid) {
        errs.push(Error::input(
            sheet,
            format!("row {number}, column {column}"),
            "a worker typed on the moves sheet, which is not read (it shows the proposal's changes); type the child's worker on the allocations or unallocated sheet",
        ));
    }
    let Some((h, names)) = header(grid) else { return };
    let col = |want: &str| names.iter().position(|n| n == want);
    let (Some(cc), Some(tc), Some(wc)) = (col("case"), col("to"), col(super::MOVED_TO_AS_WRITTEN)) else {
        return;
    };
    let to_column = grid.rows[h].1.get(tc).map_or("to", |s| s.trim());
    // The first row of each child on the allocations and unallocated sheets (a second is
    // refused by `check::resolve`).
    let mut decided: std::collections::HashMap<&str, &RowIn> = std::collections::HashMap::new();
    for r in rows {
        decided.entry(r.case.as_str()).or_insert(r);
    }
    let key = |s: &str| crate::vocabulary::key(s);
    for (number, cells) in &grid.rows[h + 1..] {
        let get = |j: usize| cells.get(j).map_or("", |s| s.trim());
        let (case, to, written) = (get(cc), get(tc), get(wc));
        if case.is_empty() || key(to) == key(written) {
            continue;
        }
        // A `to` cleared, or saying nobody, means no worker.
        let to_worker = (!to.is_empty() && !to.to_lowercase().starts_with("nobody")).then_some(to);
        let row = decided.get(case);
        let worker = row.and_then(|r| r.worker.as_deref());
        if to_worker.map(key) == worker.map(key) {
            continue;
        }
        let said = match row {
            Some(r) => {
                let place = r.sheet.rsplit(", ").next().unwrap_or(&r.sheet);
                match worker {
                    Some(w) => format!("{place}, row {}, says {}", r.row, quoted(w)),
                    None => format!("{place}, row {}, gives no worker", r.row),
                }
            }
            None => {
                "the child is on neither the allocations nor the unallocated sheet, so has no worker".into()
            }
        };
        let typed = match to_worker {
            Some(w) => format!("the worker {} typed here", quoted(w)),
            None => "clearing this cell".into(),
        };
        errs.push(Error::input(
            sheet,
            format!("row {number}, column {to_column}"),
            format!(
                "{typed} is not read: the moves sheet shows the changes as proposed, and only the worker columns of the allocations and unallocated sheets say who holds the child ({said}); make the change there, or put back {}",
                quoted(written)
            ),
        ));
    }
}

/// The workers sheet (or a `copy` of it) as read back: its header row (the first with a cell
/// `worker`) and the rows below it. `None` without such a row (the sheet emptied, or one of
/// the manager's own).
fn workers_of(sheet: &str, grid: &Grid, copy: bool) -> Option<check::WorkersSheetIn> {
    let h = grid
        .rows
        .iter()
        .position(|(_, cells)| cells.iter().any(|c| c.trim().eq_ignore_ascii_case("worker")))?;
    let header = &grid.rows[h].1;
    let names: Vec<String> = header.iter().map(|c| c.trim().to_lowercase()).collect();
    let columns = header
        .iter()
        .enumerate()
        .map(|(j, c)| format!("{} ({})", c.trim(), super::column_letters(j)))
        .collect();
    let hrow = grid.rows[h].0;
    Some(check::WorkersSheetIn {
        sheet: sheet.to_string(),
        copy,
        names,
        columns,
        rows: grid.rows[h + 1..]
            .iter()
            .map(|(n, cells)| (*n, cells.iter().map(|c| c.trim().to_string()).collect()))
            .collect(),
        unread: grid
            .faults
            .iter()
            .filter(|f| f.row > hrow)
            .map(|f| (f.row, f.column, f.problem.clone()))
            .collect(),
    })
}

/// The day of the summary sheet's row `allocation for`, if it has one.
fn day_of(sheet: &str, grid: &Grid) -> Result<Option<crate::date::Date>> {
    for (number, cells) in &grid.rows {
        let Some(j) = cells.iter().position(|c| c.trim().eq_ignore_ascii_case(super::DAY_LABEL)) else {
            continue;
        };
        let Some((k, text)) = cells.iter().enumerate().skip(j + 1).find(|(_, c)| !c.trim().is_empty()) else {
            // The cell may hold a date Excel made of the text: its error says so. The summary
            // is a list of labels, not a table: its cell is named by its letter.
            let mut errs = Errors::new();
            let letter =
                |row: usize, c: usize| (row == *number && c == j + 1).then(|| super::column_letters(c));
            keep_faults(sheet, grid, letter, &mut errs);
            errs.finish()?;
            return Ok(None);
        };
        return crate::date::Date::parse(text.trim()).map(Some).map_err(|p| {
            Error::input(sheet, format!("row {number}, column {}", super::column_letters(k)), p)
        });
    }
    Ok(None)
}

// ---- What `accept` compares with the model: the read-only cells and the summary's model ----

/// The read-only columns of the allocations and unallocated sheets (as
/// `write::workbook::proposal_workbook` writes them), which say what the model said of the
/// child when the workbook was made.
const SHOWN_COLUMNS: [&str; 5] = ["type", "team", "weight", "worker today", "waiting since"];

/// A row's read-only cells, found by the header row `header` (the first column of each name).
fn shown_cells(header: &[String], cells: &[String]) -> Vec<check::ShownIn> {
    SHOWN_COLUMNS
        .iter()
        .filter_map(|&what| {
            let j = header.iter().position(|n| n.trim().eq_ignore_ascii_case(what))?;
            Some(check::ShownIn {
                what,
                column: format!("{} ({})", header[j].trim(), super::column_letters(j)),
                cell: cells.get(j).map_or("", |c| c.trim()).to_string(),
            })
        })
        .collect()
}

/// The summary sheet's rows `allocation for` and `model hash`: the model's hash, and where
/// each row stands (for messages); and the day as written, from its hidden row
/// ([`super::DAY_AS_WRITTEN_LABEL`]; none when it is not there or is not a day). The day
/// itself is read by `day_of`.
fn summary_sheet(sheet: &str, grid: &Grid) -> SummaryIn {
    let mut out = check::SummarySheet { name: sheet.to_string(), ..Default::default() };
    let mut hash = None;
    let written_day = grid.rows.iter().find_map(|(_, cells)| {
        let j = cells.iter().position(|c| c.trim().eq_ignore_ascii_case(super::DAY_AS_WRITTEN_LABEL))?;
        crate::date::Date::parse(cells.get(j + 1)?.trim()).ok()
    });
    for (number, cells) in &grid.rows {
        let Some(j) = cells.iter().position(|c| {
            let c = c.trim();
            c.eq_ignore_ascii_case(super::DAY_LABEL) || c.eq_ignore_ascii_case(super::MODEL_HASH_LABEL)
        }) else {
            continue;
        };
        let at = format!("row {number}, column {}", super::column_letters(j + 1));
        if cells[j].trim().eq_ignore_ascii_case(super::DAY_LABEL) {
            out.day_at.get_or_insert(at);
        } else if out.hash_at.is_none() {
            out.hash_at = Some(at);
            hash = cells.get(j + 1).map(|c| c.trim().to_string());
        }
    }
    SummaryIn { date: None, model_hash: hash, written_day, sheet: Some(out) }
}
