//! The meeting workbook read back as a proposal: the workbook `allocate --xlsx` wrote
//! (`write::workbook::proposal_workbook`), as a person leaves it after the allocation
//! meeting in Excel. A worker changed on the allocations sheet moves the child; a worker typed
//! on the unallocated sheet allocates it; a worker cleared, or a row deleted, leaves the child
//! unallocated (a child on neither sheet is unallocated). Rows may be re-sorted, filtered or
//! hidden; columns are found by their header (case and spacing aside), and other columns and
//! sheets are ignored, except that a worker typed where it would not be read (a renamed
//! `worker` column or sheet) is refused rather than lost.
//!
//! Every command that takes a proposal reads it through [`parse_proposal`], which tells a
//! workbook from a proposal file by its first bytes (a zip archive), never by its name. What a
//! workbook cannot mean (a case not in the model, a child on two rows, a worker not in the
//! model) is refused by [`crate::check::resolve`] once the model is read, naming the sheet, row
//! and column.

use super::read::Grid;
use crate::check::{self, AllocationIn, ProposalIn, RowIn, SummaryIn, UnallocatedIn};
use crate::error::{Error, Errors, Result};
use crate::model::Model;

/// Parses a proposal: a meeting workbook (by its content) or a proposal file (JSON). `file`
/// names it in messages. A workbook's cases and workers are judged against the model later,
/// by [`crate::check::resolve`] (or use [`read_proposal`] when the model is at hand).
pub fn parse_proposal(file: &str, bytes: &[u8]) -> Result<ProposalIn> {
    if crate::read::is_zip(bytes) {
        read_meeting(file, bytes)
    } else {
        check::parse_proposal(file, bytes)
    }
}

/// [`parse_proposal`], then [`crate::check::resolve`] against the model.
pub fn read_proposal(file: &str, bytes: &[u8], m: &Model) -> Result<ProposalIn> {
    let p = parse_proposal(file, bytes)?;
    check::resolve(m, &p, false)?;
    Ok(p)
}

/// Reads a meeting workbook as a proposal. Needs a sheet `allocations` (columns `case` and
/// `worker`); the sheet `unallocated` (column `case`, and `worker` when a person typed one) may
/// be gone, as may `summary` (the day the allocation is for).
pub fn read_meeting(file: &str, bytes: &[u8]) -> Result<ProposalIn> {
    // The same bounded, strict reader as a model workbook: limits, no dependency panics.
    let mut book = super::xlsx::Book::open(file, bytes)?;
    let names = book.sheet_names();
    let find = |want: &str| names.iter().find(|n| n.trim().eq_ignore_ascii_case(want)).cloned();
    if find("allocations").is_none() {
        return Err(Error::input(
            file,
            "sheet allocations",
            format!(
                "no sheet named \"allocations\"; the workbook has {}. Give the meeting workbook that `caseload allocate --xlsx` wrote (a model workbook goes with --workbook)",
                if names.is_empty() { "none".to_string() } else { names.join(", ") }
            ),
        ));
    }
    let mut errs = Errors::new();
    let mut rows: Vec<RowIn> = Vec::new();
    let mut date = None;
    let mut summary = SummaryIn::default();
    for (want, worker_needed) in [("allocations", true), ("unallocated", false), ("summary", false)] {
        let Some(name) = find(want) else { continue };
        let shown = format!("{file}, sheet {name}");
        let mut cell_errs = Errors::new();
        // The day on the summary may be a date cell (Excel makes one of a day typed over
        // the text it wrote): read as YYYY-MM-DD, as the cases' waiting_since is.
        book.days = want == "summary";
        let grid = match book.grid(&name, &shown, &mut cell_errs) {
            Ok(g) => g,
            Err(e) => {
                errs.push(e);
                continue;
            }
        };
        if want == "summary" {
            summary = summary_sheet(&shown, &grid);
            date = errs.take(day_of(&shown, &grid, cell_errs)).flatten();
        } else {
            sheet_rows(&shown, &grid, worker_needed, cell_errs, &mut rows, &mut errs);
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
        let shown = format!("{file}, sheet {name}");
        book.days = false;
        let Ok(grid) = book.grid(name, &shown, &mut Errors::new()) else { continue };
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
    errs.finish()?;
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
    Ok(ProposalIn {
        optimal: None,
        objective: None,
        allocations,
        unallocated,
        workers: Vec::new(),
        summary: Some(SummaryIn { date, ..summary }),
        rows: Some(rows),
    })
}

/// The sheets a meeting workbook is written with (`write::workbook::proposal_workbook`).
const WRITTEN: [&str; 6] = ["summary", "warnings", "allocations", "unallocated", "workers", "moves"];

/// The columns of the allocations and unallocated sheets, as written, whose headers name a
/// worker but that say something else of the child's (`crate::tables`): the worker's role and
/// team, and who holds the child today.
const WRITTEN_WORKER_COLUMNS: [&str; 4] = ["worker role", "worker team", "worker today", "worker name"];

/// Whether a header names a column a person may have typed a child's worker in: `worker`
/// under another name (`Worker allocated`, `allocate to`, `assigned`), but not the
/// unallocated sheet's `worker today`.
fn worker_like(header: &str) -> bool {
    let h = header.trim().to_lowercase();
    h != "worker today" && ["worker", "allocat", "assign"].iter().any(|w| h.contains(w))
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

/// Keeps the errors of a sheet's cells (a date, an Excel error) that fall in the columns read;
/// a date typed in a notes column does not stop the meeting's decision being read.
fn keep_cell_errors(cell_errs: Errors, columns: &[usize], errs: &mut Errors) {
    let Err(e) = cell_errs.finish() else { return };
    let list = match e {
        Error::Inputs { errors, .. } => errors,
        e => vec![e],
    };
    let wanted: Vec<String> =
        columns.iter().map(|&j| format!(", column {}", super::xlsx::column_letters(j))).collect();
    for e in list {
        if let Error::Input { place, .. } = &e {
            if wanted.iter().any(|w| place.ends_with(w.as_str())) {
                errs.push(e);
            }
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
fn sheet_rows(
    sheet: &str,
    grid: &Grid,
    worker_needed: bool,
    cell_errs: Errors,
    out: &mut Vec<RowIn>,
    errs: &mut Errors,
) {
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
    if worker_needed && wc.is_none() {
        errs.push(Error::input(
            sheet,
            format!("row {hrow}"),
            "no column named \"worker\"; the allocations sheet says each child's worker: put the column back",
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
    let spelt = |j: usize| grid.rows[h].1.get(j).map_or(String::new(), |s| s.trim().to_string());
    let (case_column, worker_column) = (spelt(cc), wc.map_or("worker".to_string(), spelt));
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
                "a child's row above the header (row {hrow}, the row naming the columns {case_column}, {worker_column}, ...), which would not be read; put the header row back at the top (a sort may have moved it)"
            ),
        ));
        return;
    }
    keep_cell_errors(cell_errs, &[Some(cc), wc].into_iter().flatten().collect::<Vec<_>>(), errs);
    // Other columns a worker may have been typed in (`agreed worker`), beside the ones the
    // workbook was written with: kept for `check::resolve`, which refuses one that names
    // another worker than the `worker` column.
    let also_columns: Vec<usize> = (0..names.len())
        .filter(|&j| {
            Some(j) != wc && worker_like(&names[j]) && !WRITTEN_WORKER_COLUMNS.contains(&names[j].as_str())
        })
        .collect();
    for (number, cells) in &grid.rows[h + 1..] {
        let get = |j: Option<usize>| j.and_then(|j| cells.get(j)).map_or("", |s| s.trim());
        let (case, worker) = (get(Some(cc)), get(wc));
        if case.is_empty() {
            if !worker.is_empty() {
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
                .map(|&j| (spelt(j), get(Some(j)).to_string()))
                .collect(),
            shown: shown_cells(&grid.rows[h].1, cells),
        });
    }
}

/// The day of the summary sheet's row `allocation for`, if it has one.
fn day_of(sheet: &str, grid: &Grid, cell_errs: Errors) -> Result<Option<crate::date::Date>> {
    for (number, cells) in &grid.rows {
        let Some(j) = cells.iter().position(|c| c.trim().eq_ignore_ascii_case(super::DAY_LABEL)) else {
            continue;
        };
        let Some((k, text)) = cells.iter().enumerate().skip(j + 1).find(|(_, c)| !c.trim().is_empty()) else {
            // The cell may hold a date Excel made of the text: its error says so.
            let mut errs = Errors::new();
            keep_cell_errors(cell_errs, &[j + 1], &mut errs);
            errs.finish()?;
            return Ok(None);
        };
        return crate::date::Date::parse(text.trim()).map(Some).map_err(|p| {
            Error::input(sheet, format!("row {number}, column {}", super::xlsx::column_letters(k)), p)
        });
    }
    Ok(None)
}

// ---- What `accept` compares with the model: the read-only cells and the summary's model ----

/// The read-only columns of the allocations and unallocated sheets (as
/// `write::workbook::proposal_workbook` writes them), which say what the model said of the
/// child when the workbook was made.
const SHOWN_COLUMNS: [&str; 4] = ["type", "team", "weight", "worker today"];

/// A row's read-only cells, found by the header row `header` (the first column of each name).
fn shown_cells(header: &[String], cells: &[String]) -> Vec<check::ShownIn> {
    SHOWN_COLUMNS
        .iter()
        .filter_map(|&what| {
            let j = header.iter().position(|n| n.trim().eq_ignore_ascii_case(what))?;
            Some(check::ShownIn {
                what,
                column: format!("{} ({})", header[j].trim(), super::xlsx::column_letters(j)),
                cell: cells.get(j).map_or("", |c| c.trim()).to_string(),
            })
        })
        .collect()
}

/// The summary sheet's rows `allocation for` and `model hash`: the model's hash, and where
/// each row stands (for messages). The day itself is read by `day_of`.
fn summary_sheet(sheet: &str, grid: &Grid) -> SummaryIn {
    let mut out = check::SummarySheet { name: sheet.to_string(), ..Default::default() };
    let mut hash = None;
    for (number, cells) in &grid.rows {
        let Some(j) = cells.iter().position(|c| {
            let c = c.trim();
            c.eq_ignore_ascii_case(super::DAY_LABEL) || c.eq_ignore_ascii_case(super::MODEL_HASH_LABEL)
        }) else {
            continue;
        };
        let at = format!("row {number}, column {}", super::xlsx::column_letters(j + 1));
        if cells[j].trim().eq_ignore_ascii_case(super::DAY_LABEL) {
            out.day_at.get_or_insert(at);
        } else if out.hash_at.is_none() {
            out.hash_at = Some(at);
            hash = cells.get(j + 1).map(|c| c.trim().to_string());
        }
    }
    SummaryIn { date: None, model_hash: hash, sheet: Some(out) }
}
