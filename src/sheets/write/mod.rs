//! Writing spreadsheets: a model as `workers.csv` and `cases.csv` (lossless, the inverse of
//! [`super::read`]), and a proposal as `allocations.csv`, `unallocated.csv` and `workers.csv`.
//!
//! Every CSV starts with a UTF-8 byte-order mark, so spreadsheet programs read names with
//! accents correctly, and quotes any field that holds a comma, a quote or a line break.

pub mod template;
pub mod workbook;

use super::columns::{case_columns, worker_columns, REDUCTION_COLUMNS};
use crate::error::Result;
use crate::model::Model;
use crate::model::ModelFile;
use crate::proposal::Proposal;
use crate::tables::{self, CaseRow, ModelTable, ReductionRow, WorkerRow};

fn csv_bytes(header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    crate::util::csv_bytes(header, rows, true)
}

/// A number as text that reads back as the same `f64` (shortest round-trip form).
pub fn number(x: f64) -> String {
    format!("{x}")
}

/// The model's `workers` table with the columns a model writes ([`worker_columns`]); its
/// columns are defined in [`crate::tables::model_worker_table`].
pub fn worker_model_table(m: &ModelFile) -> ModelTable<WorkerRow> {
    tables::model_worker_table().pick(&worker_columns(m))
}

/// The model's `cases` table with the columns a model writes ([`case_columns`]); see
/// [`crate::tables::model_case_table`].
pub fn case_model_table(m: &ModelFile) -> ModelTable<CaseRow> {
    tables::model_case_table().pick(&case_columns(m))
}

/// The model's `reductions` table ([`REDUCTION_COLUMNS`]); see
/// [`crate::tables::model_reduction_table`].
pub fn reduction_model_table() -> ModelTable<ReductionRow> {
    tables::model_reduction_table().pick(&REDUCTION_COLUMNS)
}

/// A model table as rows of cell text, each cell checked first.
fn table_text<R: tables::Place + 'static>(
    file: &str,
    t: &ModelTable<R>,
    rows: &[R],
) -> Result<Vec<Vec<String>>> {
    rows.iter().map(|r| t.row_text(file, r)).collect()
}

/// The model's workers as CSV. Refuses values a spreadsheet cannot hold exactly, so that
/// reading the CSV back gives the same model. `file` names the model in messages.
pub fn workers_csv(file: &str, m: &ModelFile) -> Result<Vec<u8>> {
    Ok(csv_bytes(&worker_model_table(m).names(), &worker_table(file, m)?))
}

/// The model's workers as rows of cell text in the order of [`worker_columns`]; see
/// [`workers_csv`].
pub fn worker_table(file: &str, m: &ModelFile) -> Result<Vec<Vec<String>>> {
    table_text(file, &worker_model_table(m), &tables::worker_rows(m))
}

/// Whether any worker of the model has dated reductions (then a reductions sheet is written).
pub fn has_reductions(m: &ModelFile) -> bool {
    m.workers.iter().any(|w| !w.reductions.is_empty())
}

/// The model's dated reductions as CSV ([`REDUCTION_COLUMNS`]), one row per reduction, worker
/// by worker in model order; see [`workers_csv`].
pub fn reductions_csv(file: &str, m: &ModelFile) -> Result<Vec<u8>> {
    Ok(csv_bytes(&reduction_model_table().names(), &reduction_table(file, m)?))
}

/// The model's dated reductions as rows of cell text in the order of [`REDUCTION_COLUMNS`].
pub fn reduction_table(file: &str, m: &ModelFile) -> Result<Vec<Vec<String>>> {
    table_text(file, &reduction_model_table(), &tables::reduction_rows(m))
}

/// The model's cases as CSV; see [`workers_csv`].
pub fn cases_csv(file: &str, m: &ModelFile) -> Result<Vec<u8>> {
    Ok(csv_bytes(&case_model_table(m).names(), &case_table(file, m)?))
}

/// The model's cases as rows of cell text in the order of [`case_columns`] (an extension
/// column only when a case uses it).
pub fn case_table(file: &str, m: &ModelFile) -> Result<Vec<Vec<String>>> {
    table_text(file, &case_model_table(m), &tables::case_rows(m))
}

/// The model's policy as a JSON object (`{}` when it has none).
pub fn policy_json(m: &ModelFile) -> Vec<u8> {
    crate::write::to_json(&m.policy.clone().unwrap_or_default())
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
