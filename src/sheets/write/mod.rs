//! Writing spreadsheets: a model as `workers.csv` and `cases.csv` (lossless, the inverse of
//! [`super::read`]), and a proposal as `allocations.csv`, `unallocated.csv` and `workers.csv`.
//!
//! Every CSV starts with a UTF-8 byte-order mark, so spreadsheet programs read names with
//! accents correctly, and quotes any field that holds a comma, a quote or a line break.

pub mod template;
pub mod workbook;

use super::columns::{case_columns, worker_columns, CASE_COLUMNS, REDUCTION_COLUMNS};
use crate::error::{Error, Result};
use crate::model::Model;
use crate::model::ModelFile;
use crate::proposal::Proposal;

fn csv_bytes(header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    crate::util::csv_bytes(header, rows, true)
}

/// A number as text that reads back as the same `f64` (shortest round-trip form).
pub fn number(x: f64) -> String {
    format!("{x}")
}

/// Checks a text value survives a spreadsheet cell (cells are trimmed; empty means not given).
fn cell(place: &str, v: &str) -> Result<String> {
    if v.is_empty() || v.trim() != v {
        return Err(Error::input(
            "model",
            place,
            format!(
                "{v:?} is empty or begins or ends with a space, which a spreadsheet cell cannot keep; change the value"
            ),
        ));
    }
    Ok(v.to_string())
}

fn opt(place: &str, v: &Option<String>) -> Result<String> {
    v.as_deref().map_or(Ok(String::new()), |v| cell(place, v))
}

fn list(place: &str, items: &[String]) -> Result<String> {
    for (j, s) in items.iter().enumerate() {
        cell(&format!("{place}[{j}]"), s)?;
        if s.contains(';') {
            return Err(Error::input(
                "model",
                format!("{place}[{j}]"),
                format!("{s:?} holds a ';', which separates list items in a spreadsheet; change the value"),
            ));
        }
    }
    Ok(items.join(";"))
}

fn optnum(v: Option<f64>) -> String {
    v.map(number).unwrap_or_default()
}

fn optbool(v: Option<bool>) -> String {
    v.map(|b| b.to_string()).unwrap_or_default()
}

/// The model's workers as CSV. Refuses values a spreadsheet cannot hold exactly, so that
/// reading the CSV back gives the same model. `file` names the model in messages.
pub fn workers_csv(file: &str, m: &ModelFile) -> Result<Vec<u8>> {
    Ok(csv_bytes(&worker_columns(m), &worker_table(file, m)?))
}

/// The model's workers as rows of cell text in the order of [`worker_columns`]; see
/// [`workers_csv`].
pub fn worker_table(file: &str, m: &ModelFile) -> Result<Vec<Vec<String>>> {
    let mut rows = Vec::with_capacity(m.workers.len());
    let columns = worker_columns(m);
    for (i, w) in m.workers.iter().enumerate() {
        let p = |f: &str| format!("workers[{i}].{f}");
        let status = w.status.map(|s| {
            serde_json::to_value(s).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()
        });
        rows.push(
            vec![
                cell(&p("id"), &w.id),
                Ok(w.role.name().to_string()),
                cell(&p("team"), &w.team),
                Ok(optnum(w.fte)),
                Ok(optnum(w.cap)),
                Ok(optnum(w.target)),
                list(&p("skills"), &w.skills),
                opt(&p("supervisor"), &w.supervisor),
                Ok(optnum(w.oversight_cap)),
                Ok(status.unwrap_or_default()),
                Ok(optbool(w.agency)),
            ]
            .into_iter()
            .chain(columns.contains(&"name").then(|| opt(&p("name"), &w.name)))
            .chain(columns.contains(&"notes").then(|| opt(&p("notes"), &w.notes)))
            .collect::<Result<Vec<String>>>()
            .map_err(|e| rename(e, file))?,
        );
    }
    Ok(rows)
}

/// Whether any worker of the model has dated reductions (then a reductions sheet is written).
pub fn has_reductions(m: &ModelFile) -> bool {
    m.workers.iter().any(|w| !w.reductions.is_empty())
}

/// The model's dated reductions as CSV ([`REDUCTION_COLUMNS`]), one row per reduction, worker
/// by worker in model order; see [`workers_csv`].
pub fn reductions_csv(file: &str, m: &ModelFile) -> Result<Vec<u8>> {
    Ok(csv_bytes(&REDUCTION_COLUMNS, &reduction_table(file, m)?))
}

/// The model's dated reductions as rows of cell text in the order of [`REDUCTION_COLUMNS`].
pub fn reduction_table(file: &str, m: &ModelFile) -> Result<Vec<Vec<String>>> {
    let mut rows = Vec::new();
    for (i, w) in m.workers.iter().enumerate() {
        for (j, r) in w.reductions.iter().enumerate() {
            let p = |f: &str| format!("workers[{i}].reductions[{j}].{f}");
            rows.push(
                vec![
                    cell(&format!("workers[{i}].id"), &w.id),
                    Ok(number(r.amount)),
                    cell(&p("from"), &r.from),
                    cell(&p("to"), &r.to),
                    opt(&p("reason"), &r.reason),
                ]
                .into_iter()
                .collect::<Result<Vec<String>>>()
                .map_err(|e| rename(e, file))?,
            );
        }
    }
    Ok(rows)
}

/// The model's cases as CSV; see [`workers_csv`].
pub fn cases_csv(file: &str, m: &ModelFile) -> Result<Vec<u8>> {
    Ok(csv_bytes(&case_columns(m), &case_table(file, m)?))
}

/// The model's cases as rows of cell text in the order of [`case_columns`] (an extension
/// column only when a case uses it).
pub fn case_table(file: &str, m: &ModelFile) -> Result<Vec<Vec<String>>> {
    let mut rows = Vec::with_capacity(m.cases.len());
    let columns = case_columns(m);
    for (i, c) in m.cases.iter().enumerate() {
        let p = |f: &str| format!("cases[{i}].{f}");
        let extra = columns[CASE_COLUMNS.len()..].iter().map(|col| match *col {
            "previous_workers" => list(&p(col), &c.previous_workers),
            "waiting_since" => opt(&p(col), &c.waiting_since),
            "name" => opt(&p(col), &c.name),
            "no_agency" => Ok(optbool(c.no_agency)),
            _ => opt(&p(col), &c.notes),
        });
        rows.push(
            vec![
                cell(&p("id"), &c.id),
                Ok(c.case_type.name().to_string()),
                cell(&p("team"), &c.team),
                Ok(optnum(c.weight)),
                Ok(optnum(c.priority)),
                opt(&p("current_worker"), &c.current_worker),
                Ok(optbool(c.pinned)),
                opt(&p("group"), &c.group),
                list(&p("needs"), &c.needs),
                list(&p("exclude"), &c.exclude),
            ]
            .into_iter()
            .chain(extra)
            .collect::<Result<Vec<String>>>()
            .map_err(|e| rename(e, file))?,
        );
    }
    Ok(rows)
}

/// The model's policy as a JSON object (`{}` when it has none).
pub fn policy_json(m: &ModelFile) -> Vec<u8> {
    crate::write::to_json(&m.policy.clone().unwrap_or_default())
}

fn rename(e: Error, file: &str) -> Error {
    match e {
        Error::Input { place, problem, .. } => Error::input(file, place, problem),
        e => e,
    }
}

/// Text for a spreadsheet cell in a report CSV. A value that starts with `=`, `+`, `-`, `@`
/// or a control character would be run as a formula by spreadsheet programs; it gets a leading
/// `'`, which they show as text.
pub fn safe(s: &str) -> String {
    crate::tables::csv_text(s)
}

/// `allocations.csv`: one row per allocated case (with the child's and the worker's names and
/// notes, when the model has them), with the columns of [`crate::tables::alloc_columns`].
pub fn allocations_csv(m: &Model, p: &Proposal) -> Vec<u8> {
    crate::tables::csv_sheet(&crate::tables::alloc_columns(m), &crate::tables::alloc_rows(m, p))
}

/// `unallocated.csv`: one row per unallocated case, with its reasons as codes, as readable
/// labels and as the messages to pass on, and (extensions) what would help, since when and how
/// many whole weeks the child has waited, and its name and notes when the model has them; the
/// columns of [`crate::tables::wait_columns`].
pub fn unallocated_csv(m: &Model, p: &Proposal) -> Vec<u8> {
    crate::tables::csv_sheet(&crate::tables::wait_columns(m), &crate::tables::wait_rows(m, p))
}

/// `workers.csv` (of a proposal): each worker's load against target and cap (with names and
/// notes, when the model has them), with the columns of [`crate::tables::load_columns`].
pub fn worker_loads_csv(m: &Model, p: &Proposal) -> Vec<u8> {
    crate::tables::csv_sheet(&crate::tables::load_columns(m), &crate::tables::load_rows(m, p))
}
