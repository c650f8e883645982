//! The columns of the model's tables (`workers`, `cases`, `reductions`, `aliases`): one list each,
//! shared by the readers ([`super::read`], [`super::workbook`]) and the writers
//! ([`super::write`]), so that neither side imports the other.

use crate::model::ModelFile;

/// The columns of `workers.csv`, in the order they are written.
pub const WORKER_COLUMNS: [&str; 11] = [
    "id",
    "role",
    "team",
    "fte",
    "cap",
    "target",
    "skills",
    "supervisor",
    "oversight_cap",
    "status",
    "agency",
];
/// The columns of `cases.csv`, in the order they are written.
pub const CASE_COLUMNS: [&str; 10] =
    ["id", "type", "team", "weight", "priority", "current_worker", "pinned", "group", "needs", "exclude"];
/// Extension columns of `workers.csv`: read when present, written only when a worker uses them.
pub const WORKER_EXTRA_COLUMNS: [&str; 2] = ["name", "notes"];
/// Extension columns of `cases.csv`: read when present, written only when a case uses them, so a
/// model without them converts to the same spreadsheet as before.
pub const CASE_EXTRA_COLUMNS: [&str; 5] = ["previous_workers", "waiting_since", "name", "notes", "no_agency"];

/// The columns of a reductions sheet (`reductions.csv`), in the order they are written: one
/// row per dated reduction of a worker's cap and target.
pub const REDUCTION_COLUMNS: [&str; 5] = ["worker", "amount", "from", "to", "reason"];
/// The columns of an aliases sheet: a council's own word for a role or case type, and what it
/// means (a canonical name or a word of [`crate::vocabulary`]'s table).
pub const ALIAS_COLUMNS: [&str; 2] = ["word", "means"];

/// The columns of `workers.csv` that a model needs, in the order they are written.
pub fn worker_columns(m: &ModelFile) -> Vec<&'static str> {
    let used = |col: &str| match col {
        "name" => m.workers.iter().any(|w| w.name.is_some()),
        _ => m.workers.iter().any(|w| w.notes.is_some()),
    };
    WORKER_COLUMNS.iter().copied().chain(WORKER_EXTRA_COLUMNS.into_iter().filter(|c| used(c))).collect()
}

/// The columns of `cases.csv` that a model needs, in the order they are written.
pub fn case_columns(m: &ModelFile) -> Vec<&'static str> {
    let used = |col: &str| match col {
        "previous_workers" => m.cases.iter().any(|c| !c.previous_workers.is_empty()),
        "waiting_since" => m.cases.iter().any(|c| c.waiting_since.is_some()),
        "name" => m.cases.iter().any(|c| c.name.is_some()),
        "no_agency" => m.cases.iter().any(|c| c.no_agency.is_some()),
        _ => m.cases.iter().any(|c| c.notes.is_some()),
    };
    CASE_COLUMNS.iter().copied().chain(CASE_EXTRA_COLUMNS.into_iter().filter(|c| used(c))).collect()
}
