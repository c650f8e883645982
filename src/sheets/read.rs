//! Reading a model from spreadsheets: `workers.csv`, `cases.csv` and an optional policy file.
//!
//! Columns are the model file's field names, in any order (case-insensitive; a space or hyphen
//! counts as `_`). Every cell is trimmed; an empty cell means "not given". List fields (`skills`,
//! `needs`, `exclude`, `previous_workers`) are `;`-separated. Dated reductions have a sheet of
//! their own (`reductions.csv`: worker, amount, from, to, reason; one row per reduction), so a
//! `reductions` column in the workers sheet is an error, not silently ignored. Roles and case
//! types are read through [`crate::vocabulary`] (everyday words such as `CP`, `NQSW`, `Senior
//! Practitioner`), with a council's own words from an optional aliases sheet (word, means).
//! Booleans are `true/false`, `yes/no` or `1/0`, in any
//! case. A UTF-8 byte-order mark and CRLF line ends are accepted. A row whose every cell is empty
//! is skipped. Unknown columns are an error, like unknown JSON fields.
//!
//! Rows are numbered as a spreadsheet shows them: the header is row 1, the first entry row 2.
//! A title may stand above the header (up to [`TITLE_ROWS`] rows of one text each, `Team North
//! workers`): the header is then the first row that names a column, the titles are not read,
//! and a `title_rows` warning names them. A row of several texts above the header (an entry a
//! sort put there) is an error, since it would not be read. A sheet whose header is not found
//! is one mistake: the other sheets are still read and checked, the model's checks included.

use crate::error::{Error, Errors, Result};
use crate::model::Model;
use crate::model::ReductionInput;
use crate::model::{CaseInput, CaseType, ModelFile, PolicyInput, Role, WorkerInput};
use crate::validate;
use crate::vocabulary::Vocabulary;
use crate::warnings::quoted as q;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::columns::{
    ALIAS_COLUMNS, CASE_COLUMNS, CASE_EXTRA_COLUMNS, REDUCTION_COLUMNS, WORKER_COLUMNS, WORKER_EXTRA_COLUMNS,
};

/// The sheets besides workers and cases that a model may be read with, each as (the name used
/// in messages, its cells).
#[derive(Clone, Debug, Default)]
pub struct Extra {
    /// The reductions sheet.
    pub reductions: Option<(String, Grid)>,
    /// The words of an aliases sheet, with the built-in table.
    pub words: Vocabulary,
    /// Near-misses (see [`crate::warnings::near_misses`]) are named among the mistakes of
    /// cells (by the commands that screen them, without `--allow-near-misses`).
    pub near_misses: bool,
    /// The row of each setting of a policy sheet (see [`Sheets::policy_rows`]).
    pub policy_rows: BTreeMap<String, usize>,
    /// Warnings about reading the other sheets (titles above a header), for
    /// [`Sheets::warnings`].
    pub notes: Vec<crate::warnings::Warning>,
}

/// A model built from spreadsheets, with the way back from a list index to a spreadsheet row.
#[derive(Clone, Debug, PartialEq)]
pub struct Sheets {
    /// The model, as if read from a JSON model file.
    pub model: ModelFile,
    /// The workers file, as named in messages.
    pub workers_file: String,
    /// The cases file, as named in messages.
    pub cases_file: String,
    /// The policy file, if one was given.
    pub policy_file: Option<String>,
    /// The row of each setting of a policy sheet, by the setting's place in the model
    /// (`caps.social_worker`, `oversight_cap`); empty for a policy file (JSON), whose
    /// mistakes are placed by their path.
    pub policy_rows: BTreeMap<String, usize>,
    /// `worker_rows[i]` is the spreadsheet row of `model.workers[i]`.
    pub worker_rows: Vec<usize>,
    /// `case_rows[i]` is the spreadsheet row of `model.cases[i]`.
    pub case_rows: Vec<usize>,
    /// The reductions sheet, if one was read.
    pub reductions_file: Option<String>,
    /// `reduction_rows[i][j]` is the row of `model.workers[i].reductions[j]` in the
    /// reductions sheet.
    pub reduction_rows: Vec<Vec<usize>>,
    /// Warnings about the spreadsheets themselves (a workbook's sheet that is not read).
    pub warnings: Vec<crate::warnings::Warning>,
    /// The words the sheets were read with: the built-in table and an aliases sheet's own
    /// (for `recommend --type`, read after the model).
    pub words: Vocabulary,
}

impl Sheets {
    /// The canonical JSON of the built model: what `caseload convert` writes, and what the
    /// model's audit hash is taken of.
    pub fn canonical_json(&self) -> Vec<u8> {
        crate::write::to_json(&self.model)
    }

    /// Where the model came from, for messages about it: the sheets, and each case's row.
    pub fn origin(&self) -> crate::warnings::Origin {
        let cases_at =
            self.model.cases.iter().zip(&self.case_rows).map(|(c, r)| (c.id.clone(), format!("row {r}")));
        crate::warnings::Origin {
            workers: (self.workers_file.clone(), "row 2".into()),
            cases: (self.cases_file.clone(), "row 2".into()),
            cases_at: cases_at.collect(),
        }
    }

    /// Validates the model like a JSON model file for a day (see [`validate::validate_on`]);
    /// errors name the spreadsheet, row and column.
    pub fn validate_on(&self, as_of: Option<crate::model::AsOf>) -> Result<Model> {
        let bytes = self.canonical_json();
        validate::validate_on(&self.workers_file, &self.model, &bytes, as_of).map_err(|e| self.map_error(e))
    }

    /// Validates the model like a JSON model file; errors name the spreadsheet, row and column.
    pub fn validate(&self) -> Result<Model> {
        let bytes = self.canonical_json();
        validate::validate(&self.workers_file, &self.model, &bytes).map_err(|e| self.map_error(e))
    }

    /// Turns an error placed in the model (`cases[17].current_worker`) into one placed in the
    /// spreadsheet (`cases.csv: row 19, column current_worker`).
    pub fn map_error(&self, e: Error) -> Error {
        if let Error::Inputs { errors, more } = e {
            let mut errors = group_rows(errors.into_iter().map(|e| self.map_error(e)).collect());
            if errors.len() == 1 && more == 0 {
                return errors.remove(0);
            }
            return Error::Inputs { errors, more };
        }
        let Error::Input { place, problem, .. } = e else { return e };
        let problem = self.rewrite_refs(&problem);
        for (list, file, rows) in
            [("workers", &self.workers_file, &self.worker_rows), ("cases", &self.cases_file, &self.case_rows)]
        {
            if let Some((i, field)) = split_place(&place, list) {
                if let Some(e) = self.reduction_error(list, i, field, &problem) {
                    return e;
                }
                if let Some(row) = rows.get(i) {
                    let at = if field.is_empty() {
                        format!("row {row}")
                    } else {
                        format!("row {row}, column {field}")
                    };
                    return Error::input(file, at, problem);
                }
            }
        }
        if let Some(rest) = place.strip_prefix("policy.") {
            if let Some(pf) = &self.policy_file {
                if let Some(row) = self.policy_rows.get(rest) {
                    // `caps must be ...` says which setting it is with its name.
                    let named =
                        if problem.starts_with(rest) { problem } else { format!("{rest}: {problem}") };
                    return Error::input(pf, format!("row {row}, column value"), named);
                }
                return Error::input(pf, rest, problem);
            }
        }
        Error::input(&self.workers_file, place, problem)
    }

    /// Where an error comes among the spreadsheets: the workbook itself, then the workers
    /// sheet, the cases sheet, the reductions sheet and the policy, each by row.
    fn error_order(&self, e: &Error) -> (u8, usize) {
        let Error::Input { file, place, .. } = e else { return (9, 0) };
        let sheet = if *file == self.workers_file {
            1
        } else if *file == self.cases_file {
            2
        } else if Some(file) == self.reductions_file.as_ref() {
            3
        } else if Some(file) == self.policy_file.as_ref() {
            4
        } else {
            0
        };
        (sheet, row_place(place).map_or(0, |(n, _)| n))
    }

    /// An error placed in `workers[i].reductions[j]` as one placed in the reductions sheet.
    fn reduction_error(&self, list: &str, i: usize, field: &str, problem: &str) -> Option<Error> {
        let file = self.reductions_file.as_ref().filter(|_| list == "workers")?;
        let rest = field.strip_prefix("reductions")?;
        let rows = self.reduction_rows.get(i)?;
        let Some(inner) = rest.strip_prefix('[') else {
            let row = rows.first()?;
            return Some(Error::input(file, format!("row {row}"), problem));
        };
        let close = inner.find(']')?;
        let row = rows.get(inner[..close].parse::<usize>().ok()?)?;
        let col = inner[close + 1..].trim_start_matches('.');
        let at = if col.is_empty() { format!("row {row}") } else { format!("row {row}, column {col}") };
        Some(Error::input(file, at, problem))
    }

    /// Rewrites `workers[3]` and `cases[3]` inside a message as spreadsheet rows.
    fn rewrite_refs(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (list, rows) in [("workers", &self.worker_rows), ("cases", &self.case_rows)] {
            let mut result = String::new();
            let mut rest = out.as_str();
            let pat = format!("{list}[");
            while let Some(at) = rest.find(&pat) {
                let after = &rest[at + pat.len()..];
                let close = after.find(']');
                let index = close.and_then(|c| after[..c].parse::<usize>().ok());
                match (close, index.and_then(|i| rows.get(i))) {
                    (Some(c), Some(row)) => {
                        result.push_str(&rest[..at]);
                        result.push_str(&format!("row {row}"));
                        rest = &after[c + 1..];
                    }
                    _ => {
                        result.push_str(&rest[..at + pat.len()]);
                        rest = after;
                    }
                }
            }
            result.push_str(rest);
            out = result;
        }
        out
    }
}

/// `workers[3].supervisor` -> (3, "supervisor").
fn split_place<'a>(place: &'a str, list: &str) -> Option<(usize, &'a str)> {
    let rest = place.strip_prefix(list)?.strip_prefix('[')?;
    let close = rest.find(']')?;
    let index = rest[..close].parse().ok()?;
    let field = rest[close + 1..].strip_prefix('.').unwrap_or(&rest[close + 1..]);
    Some((index, field))
}

/// Reads the spreadsheets (and policy file) from disk; see [`parse_sheets`].
pub fn read_sheets(workers: &Path, cases: &Path, policy: Option<&Path>) -> Result<Sheets> {
    read_sheets_with(workers, cases, policy, None, None, false)
}

/// [`read_sheets`] with an optional reductions CSV and aliases CSV; see [`parse_sheets_with`].
pub fn read_sheets_with(
    workers: &Path,
    cases: &Path,
    policy: Option<&Path>,
    reductions: Option<&Path>,
    aliases: Option<&Path>,
    near_misses: bool,
) -> Result<Sheets> {
    let wb = crate::read::read_bytes(workers)?;
    let cb = crate::read::read_bytes(cases)?;
    let pb = policy.map(crate::read::read_bytes).transpose()?;
    let rb = reductions.map(crate::read::read_bytes).transpose()?;
    let ab = aliases.map(crate::read::read_bytes).transpose()?;
    let name = |p: &Path| p.display().to_string();
    let named = |p: Option<&Path>, b: Option<Vec<u8>>| p.zip(b).map(|(p, b)| (name(p), b));
    let (pn, rn, an) = (named(policy, pb), named(reductions, rb), named(aliases, ab));
    let view = |x: &Option<(String, Vec<u8>)>| x.as_ref().map(|(n, b)| (n.clone(), b.clone()));
    parse_sheets_checked(
        (&name(workers), &wb),
        (&name(cases), &cb),
        view(&pn).as_ref().map(|(n, b)| (n.as_str(), b.as_slice())),
        view(&rn).as_ref().map(|(n, b)| (n.as_str(), b.as_slice())),
        view(&an).as_ref().map(|(n, b)| (n.as_str(), b.as_slice())),
        near_misses,
    )
}

/// Builds a model from the bytes of a workers CSV, a cases CSV and an optional policy JSON
/// object, each given with the name used in messages. Does not validate: see [`Sheets::validate`].
///
/// Every mistake is reported at once (up to [`Errors::LIMIT`]), in file order.
pub fn parse_sheets(
    workers: (&str, &[u8]),
    cases: (&str, &[u8]),
    policy: Option<(&str, &[u8])>,
) -> Result<Sheets> {
    parse_sheets_with(workers, cases, policy, None, None)
}

/// [`parse_sheets`] with an optional reductions CSV ([`REDUCTION_COLUMNS`]) and aliases CSV
/// ([`ALIAS_COLUMNS`]).
pub fn parse_sheets_with(
    workers: (&str, &[u8]),
    cases: (&str, &[u8]),
    policy: Option<(&str, &[u8])>,
    reductions: Option<(&str, &[u8])>,
    aliases: Option<(&str, &[u8])>,
) -> Result<Sheets> {
    parse_sheets_checked(workers, cases, policy, reductions, aliases, false)
}

/// [`parse_sheets_with`], naming near-misses among the mistakes of cells if `near_misses`.
pub fn parse_sheets_checked(
    workers: (&str, &[u8]),
    cases: (&str, &[u8]),
    policy: Option<(&str, &[u8])>,
    reductions: Option<(&str, &[u8])>,
    aliases: Option<(&str, &[u8])>,
    near_misses: bool,
) -> Result<Sheets> {
    let mut errs = Errors::new();
    let wg = errs.take(csv_grid(workers.0, workers.1));
    let cg = errs.take(csv_grid(cases.0, cases.1));
    let policy_input = match policy {
        Some((file, bytes)) => errs.take(parse_policy(file, bytes)).flatten(),
        None => None,
    };
    let mut extra = Extra { near_misses, ..Extra::default() };
    // A file named on the command line with nothing in it is most likely an export that
    // failed: read as none, every worker's reductions (or the council's words) would be lost
    // without a word. A header alone gives none, knowingly.
    let empty = |file: &str, bytes: &[u8], header: &str| {
        let blank =
            std::str::from_utf8(bytes).is_ok_and(|t| t.trim_start_matches('\u{feff}').trim().is_empty());
        blank.then(|| {
            Error::input(
                file,
                "row 1",
                format!("the file is empty (an export that failed?); it needs at least its header row, {header}, which alone gives none"),
            )
        })
    };
    if let Some((file, bytes)) = reductions {
        match empty(file, bytes, "worker,amount,from,to") {
            Some(e) => errs.push(e),
            None => extra.reductions = errs.take(csv_grid(file, bytes)).map(|g| (file.to_string(), g)),
        }
    }
    if let Some((file, bytes)) = aliases.filter(|(file, bytes)| match empty(file, bytes, "word,means") {
        Some(e) => {
            errs.push(e);
            false
        }
        None => true,
    }) {
        if let Some(g) = errs.take(csv_grid(file, bytes)) {
            extra.words = aliases_sheet(file, g, &mut errs, &mut extra.notes);
        }
    }
    let (Some(wg), Some(cg)) = (wg, cg) else {
        errs.finish()?;
        unreachable_grid()?
    };
    build((workers.0, wg), (cases.0, cg), policy_input, policy.map(|p| p.0.to_string()), errs, extra)
}

/// Whether a sheet has no cell with anything in it (an optional sheet left blank), not even a
/// cell that could not be read.
fn blank(grid: &Grid) -> bool {
    grid.faults.is_empty() && grid.rows.iter().all(|(_, cells)| cells.iter().all(|c| c.trim().is_empty()))
}

/// Reads an aliases sheet ([`ALIAS_COLUMNS`]): a council's own words for roles and case types;
/// the warning of titles above its header goes into `notes`.
pub fn aliases_sheet(
    file: &str,
    grid: Grid,
    errs: &mut Errors,
    notes: &mut Vec<crate::warnings::Warning>,
) -> Vocabulary {
    let mut words = Vocabulary::default();
    if blank(&grid) {
        return words;
    }
    let table = parse_table(file, grid, &ALIAS_COLUMNS, &ALIAS_COLUMNS, errs);
    let Some(t) = errs.take(table) else { return words };
    notes.extend(title_warning(file, &t.titles, t.header_row));
    for r in &t.rows {
        let c = Cells { table: &t, row: r };
        let mut row = Errors::new();
        let word = row.take(c.required("word", "council's word"));
        let means = row.take(c.required("means", "role or case type it means"));
        if let (Some(word), Some(means)) = (word, means) {
            if let Err(p) = words.add(word, means) {
                row.push(c.err("means", p));
            }
        }
        t.keep(r, row, errs);
    }
    // The words that were read stand, so the rows that use them are not blamed too: only the
    // mistakes of the aliases sheet are named.
    words
}

/// Reads a reductions sheet ([`REDUCTION_COLUMNS`]): each reduction with the index of its
/// worker among `ids` (the workers sheet's ids, row by row) and its row. Without the ids (the
/// workers sheet did not read), the sheet's own mistakes are named and nothing is returned.
fn reductions_sheet(
    file: &str,
    grid: Grid,
    ids: Option<&[String]>,
    errs: &mut Errors,
    notes: &mut Vec<crate::warnings::Warning>,
) -> Vec<(usize, usize, ReductionInput)> {
    let mut out = Vec::new();
    if blank(&grid) {
        return out;
    }
    let required = ["worker", "amount", "from", "to"];
    let table = parse_table(file, grid, &REDUCTION_COLUMNS, &required, errs);
    let Some(t) = errs.take(table) else {
        return out;
    };
    notes.extend(title_warning(file, &t.titles, t.header_row));
    // Each worker's row by id (the first of an id given twice), and the ids prepared for
    // suggestions once: a sheet of a million rows is not a million searches of the ids.
    let mut workers = ids.map(|ids| {
        let mut at: HashMap<&str, usize> = HashMap::with_capacity(ids.len());
        for (i, id) in ids.iter().enumerate() {
            at.entry(id.as_str()).or_insert(i);
        }
        (at, crate::vocabulary::Nearest::new(ids.iter().cloned()))
    });
    for r in &t.rows {
        let mut row = Errors::new();
        let found = reduction_row(&t, r, workers.as_mut(), &mut row);
        t.keep(r, row, errs);
        out.extend(found);
    }
    out
}

/// One row of a reductions sheet: the index of its worker among `ids`, its row, the reduction.
fn reduction_row(
    t: &Table,
    r: &Row,
    ids: Option<&mut (HashMap<&str, usize>, crate::vocabulary::Nearest)>,
    errs: &mut Errors,
) -> Option<(usize, usize, ReductionInput)> {
    let c = Cells { table: t, row: r };
    let worker = errs.take(c.required("worker", "id of the worker whose cap is reduced"));
    let amount = errs.take(c.number("amount").and_then(|a| {
        a.ok_or_else(|| c.err("amount", "empty; give the caseload units taken off the cap and target"))
    }));
    let from = errs.take(c.day("from", "first day in force, YYYY-MM-DD"));
    let to = errs.take(c.day("to", "last day in force, YYYY-MM-DD"));
    let (worker, amount, from, to) = (worker?, amount?, from?, to?);
    let (at, near) = ids?;
    let Some(&i) = at.get(worker) else {
        errs.push(c.err(
            "worker",
            format!(
                "no worker {} in the workers sheet{}; give a worker's id",
                q(worker),
                near.did_you_mean(worker)
            ),
        ));
        return None;
    };
    let reason = c.text("reason");
    Some((i, r.number, ReductionInput { amount, from: from.to_string(), to: to.to_string(), reason }))
}

/// Only reached if an error was recorded without being returned; kept panic-free.
fn unreachable_grid<T>() -> Result<T> {
    Err(Error::Usage("internal: a spreadsheet was not read".into()))
}

/// Builds the model from two grids of cells, collecting every error with those already in
/// `errs`.
pub(crate) fn build(
    workers: (&str, Grid),
    cases: (&str, Grid),
    policy: Option<PolicyInput>,
    policy_file: Option<String>,
    mut errs: Errors,
    mut extra: Extra,
) -> Result<Sheets> {
    // A council's words given in the policy (`policy.aliases`) join the aliases sheet's, and the
    // model carries them all as `policy.aliases`, so a conversion keeps them. A word that cannot
    // be added (it means nothing known, or the aliases sheet gives it another meaning) is named
    // here, at its place in the policy, since the words carried are only those that were added.
    let mut policy = policy;
    let mut unread_words: Vec<(String, String)> = Vec::new();
    for (word, means) in policy.as_ref().and_then(|p| p.aliases.as_ref()).into_iter().flatten() {
        if let Err(problem) = extra.words.add(word, means) {
            unread_words.push((format!("policy.aliases.{}", crate::util::quoted(word)), problem));
        }
    }
    if !extra.words.given().is_empty() || !unread_words.is_empty() {
        let given = extra.words.given();
        policy.get_or_insert_with(PolicyInput::default).aliases = (!given.is_empty()).then(|| given.clone());
    }
    let worker_known: Vec<&'static str> =
        WORKER_COLUMNS.iter().chain(&WORKER_EXTRA_COLUMNS).copied().collect();
    let wt = parse_table(workers.0, workers.1, &worker_known, &["id", "role", "team"], &mut errs);
    let wt = errs.take(wt);
    let case_known: Vec<&'static str> = CASE_COLUMNS.iter().chain(&CASE_EXTRA_COLUMNS).copied().collect();
    let ct = parse_table(cases.0, cases.1, &case_known, &["id", "type", "team"], &mut errs);
    let ct = errs.take(ct);
    // Each entry read with its row; the ids of worker rows that did not read.
    let (mut ws, mut worker_rows, mut unread) = (Vec::new(), Vec::new(), Vec::new());
    // The teams written in worker rows that did not read: staffed all the same.
    let mut unread_teams: Vec<String> = Vec::new();
    // For each row of the workers sheet (those of the sheet's shape, then the faulty ones), the
    // entry it read as, if it did.
    let mut read_as: Vec<Option<usize>> = Vec::new();
    if let Some(wt) = &wt {
        for r in &wt.rows {
            let mut row = Errors::new();
            let w = worker_row(wt, r, &extra.words, &mut row);
            read_as.push(w.is_some().then_some(ws.len()));
            match w {
                Some(w) => {
                    ws.push(w);
                    worker_rows.push(r.number);
                }
                None => {
                    let cells = Cells { table: wt, row: r };
                    unread.extend(cells.text("id"));
                    unread_teams.extend(cells.text("team"));
                }
            }
            wt.keep(r, row, &mut errs);
        }
        for r in &wt.faulty {
            let cells = Cells { table: wt, row: r };
            unread.extend(cells.text("id"));
            unread_teams.extend(cells.text("team"));
        }
    }
    let (mut cs, mut case_rows) = (Vec::new(), Vec::new());
    if let Some(ct) = &ct {
        for r in &ct.rows {
            let mut row = Errors::new();
            if let Some(c) = case_row(ct, r, &extra.words, &mut row) {
                cs.push(c);
                case_rows.push(r.number);
            }
            ct.keep(r, row, &mut errs);
        }
    }
    // The workers' ids are known when their sheet and its id column read; without them every
    // reference to a worker would look unknown, so references then count as found (below) and
    // nothing is attached to a worker.
    let ids_known = wt.as_ref().is_some_and(|wt| !wt.missing.iter().any(|m| m == "id"));
    let mut reduction_rows = vec![Vec::new(); ws.len()];
    let reductions_file = extra.reductions.as_ref().map(|(f, _)| f.clone());
    if let Some((file, grid)) = extra.reductions {
        // The ids row by row, then those of rows with a mistake of the sheet's shape (still
        // workers, so their reductions are not blamed; they are checked on their own, below).
        let ids: Option<Vec<String>> = wt.as_ref().filter(|_| ids_known).map(|wt| {
            let all = wt.rows.iter().chain(&wt.faulty);
            all.map(|r| Cells { table: wt, row: r }.text("id").unwrap_or_default()).collect()
        });
        let found = reductions_sheet(&file, grid, ids.as_deref(), &mut errs, &mut extra.notes);
        // Each attached to the entry its worker's row read as; a reduction of a worker whose
        // row did not read is checked on its own (its amount and days), so a mistake in the
        // workers sheet hides none of this sheet's.
        if ids.is_some() {
            for (i, row, r) in found {
                match read_as.get(i).copied().flatten() {
                    Some(w) => {
                        ws[w].reductions.push(r);
                        reduction_rows[w].push(row);
                    }
                    None => {
                        for (field, problem) in validate::reduction_problems(&r) {
                            errs.push(Error::input(&file, format!("row {row}, column {field}"), problem));
                        }
                    }
                }
            }
        }
    }
    let every_worker_read = wt.as_ref().is_some_and(|wt| ws.len() == wt.rows.len() && wt.faulty.is_empty());
    let mut warnings = extra.notes;
    for t in [&wt, &ct].into_iter().flatten() {
        warnings.extend(title_warning(t.file, &t.titles, t.header_row));
    }
    let near_misses = extra.near_misses;
    let sheets = Sheets {
        model: ModelFile { version: 1, policy, workers: ws, cases: cs },
        workers_file: workers.0.to_string(),
        cases_file: cases.0.to_string(),
        policy_file,
        policy_rows: extra.policy_rows,
        worker_rows,
        case_rows,
        reductions_file,
        reduction_rows,
        warnings,
        words: extra.words,
    };
    for (place, problem) in unread_words {
        errs.push(sheets.map_error(Error::input(&sheets.workers_file, place, problem)));
    }
    if errs.is_empty() && wt.is_some() && ct.is_some() {
        // A near-miss is named in the same run as the model's own mistakes (a weight of -1, a
        // worker that does not exist), which the model's checks find later without it.
        let missed = near_misses && ids_known;
        let both = missed
            && !near_miss_errors(&sheets, &unread_teams, every_worker_read).is_empty()
            && !validate::problems(&sheets.workers_file, &sheets.model, None, &unread).is_empty();
        if !both {
            return Ok(sheets);
        }
    }
    // Mistakes in cells: the rows that did read are validated too (references, numbers out of
    // range), so one run names every mistake; also when a sheet did not read at all (its header
    // not found), whose mistake would otherwise hide the other sheet's. Without the workers'
    // ids, every worker a case names counts as found.
    let unread = if ids_known { unread } else { named_workers(&sheets.model) };
    for e in validate::problems(&sheets.workers_file, &sheets.model, None, &unread) {
        errs.push(sheets.map_error(e));
    }
    if near_misses && ids_known {
        for e in near_miss_errors(&sheets, &unread_teams, every_worker_read) {
            errs.push(e);
        }
    }
    let order = |e: &Error| sheets.error_order(e);
    errs.sort_by_key(order);
    finish_grouped(errs)?;
    unreachable_grid()
}

/// Every worker id the model's entries name (a case's current, previous and excluded workers,
/// a worker's supervisor): taken as found when the workers' ids could not be read.
fn named_workers(m: &ModelFile) -> Vec<String> {
    let cases =
        m.cases.iter().flat_map(|c| c.current_worker.iter().chain(&c.previous_workers).chain(&c.exclude));
    let supervisors = m.workers.iter().filter_map(|w| w.supervisor.as_ref());
    cases.chain(supervisors).cloned().collect()
}

/// The near-misses of the rows that did read (a case's team that no worker is in, a needed
/// skill no worker has, one slip from one that exists), placed at their rows: named in the same
/// run as the mistakes of cells. A team written in a worker row that did not read counts as
/// staffed; needs are judged only when every worker row read (an unread row's skills are not
/// known).
fn near_miss_errors(sheets: &Sheets, unread_teams: &[String], every_worker_read: bool) -> Vec<Error> {
    let m = &sheets.model;
    let mut staffed: std::collections::BTreeSet<&str> = m.workers.iter().map(|w| w.team.as_str()).collect();
    staffed.extend(unread_teams.iter().map(String::as_str));
    let skills: std::collections::BTreeSet<&str> =
        m.workers.iter().flat_map(|w| w.skills.iter().map(String::as_str)).collect();
    let cases: Vec<(&str, &str, &[String])> =
        m.cases.iter().map(|c| (c.id.as_str(), c.team.as_str(), c.needs.as_slice())).collect();
    let origin = sheets.origin();
    crate::warnings::near_misses_in(&staffed, every_worker_read.then_some(&skills), &cases)
        .into_iter()
        .map(|(id, field, problem)| Error::input(&sheets.cases_file, origin.case_place(&id, field), problem))
        .collect()
}

/// Parses a policy file: a JSON object with the policy fields of the model file. An empty
/// object is the same as no policy.
pub fn parse_policy(file: &str, bytes: &[u8]) -> Result<Option<PolicyInput>> {
    let text = crate::read::utf8(file, bytes)?;
    if text.trim().is_empty() {
        return Err(Error::input(
            file,
            "line 1",
            "the file is empty; a policy file is a JSON object such as {\"caps\": {\"social_worker\": 20}}, or {} for none",
        ));
    }
    crate::read::json_shape(file, text)?;
    let de = &mut serde_json::Deserializer::from_str(text);
    let p: PolicyInput = serde_path_to_error::deserialize(de).map_err(|e| {
        crate::read::json_error(
            file,
            e,
            Some("a policy file is a JSON object such as {\"caps\": {\"social_worker\": 20}}"),
        )
    })?;
    Ok(if p == PolicyInput::default() { None } else { Some(p) })
}

/// The cells of a sheet as text, row by row, each with its row number as a spreadsheet shows
/// it (the header is normally row 1).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Grid {
    /// (row number, cells).
    pub rows: Vec<(usize, Vec<String>)>,
    /// Numbers may be written with a decimal comma (`0,5`), as semicolon-separated CSV from a
    /// European Excel writes them.
    pub decimal_comma: bool,
    /// The rows (with something in them) that a workbook hides, by hand or by a filter; they
    /// are read like the others, and counted in a warning.
    pub hidden: Vec<usize>,
    /// The sheet has a filter (so its hidden rows are most likely hidden by it).
    pub filtered: bool,
    /// The merged ranges (`A3:A5`) whose first cell holds something: every cell of such a
    /// range is read as its first (Excel keeps the value there alone), and a warning names them.
    pub merged: Vec<String>,
    /// The cells of a workbook that could not be read (each read as empty), in sheet order:
    /// the sheet's reader names each at its row, under its column's header.
    pub faults: Vec<Fault>,
}

/// A cell of a workbook that could not be read as text: a formula without a saved value, an
/// Excel error (`#N/A`), a date where no date goes. It is read as empty, and named by the
/// sheet's reader ([`fault_error`]), which knows the header.
#[derive(Clone, Debug, PartialEq)]
pub struct Fault {
    /// The row, numbered as the spreadsheet shows it.
    pub row: usize,
    /// The column, from 0 (column A).
    pub column: usize,
    /// What is wrong with the cell, and what to do.
    pub problem: String,
}

/// A cell that could not be read as an error of `file` at its row, under its column's
/// `header` (`row 4, column team`: a manager knows the headers, not the letters), or under
/// its letter when the column has no header (a title row's cell, a column with no name).
pub fn fault_error(file: &str, f: &Fault, header: Option<&str>) -> Error {
    let column = header.map(str::trim).filter(|h| !h.is_empty());
    let column = column.map_or_else(|| super::column_letters(f.column), str::to_string);
    Error::input(file, format!("row {}, column {column}", f.row), f.problem.clone())
}

/// The separator of a CSV: `,`, `;` or a tab, the one its header line holds most of (a comma
/// on a tie; European Excel saves "CSV" with `;` and decimal commas). The header line is the
/// first of the lines where a header may stand below titles ([`TITLE_ROWS`] of them) whose
/// separator the line after it holds as often: a title (`Team North; week 48`) is followed by
/// a header of another separator, a header by rows of its own (a note's commas in a row of a
/// `;` file only add to that row's). With no such line, the first line's, as a header alone.
fn delimiter(text: &str) -> u8 {
    let count = |line: &str, sep: u8| line.bytes().filter(|&b| b == sep).count();
    let top = |line: &str| {
        let mut best = (0, b',');
        for sep in [b',', b';', b'\t'] {
            let n = count(line, sep);
            if n > best.0 {
                best = (n, sep);
            }
        }
        best
    };
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(TITLE_ROWS + 2).collect();
    for (i, line) in lines.iter().enumerate().take(TITLE_ROWS + 1) {
        let (n, sep) = top(line);
        if n == 0 {
            continue;
        }
        match lines.get(i + 1) {
            Some(next) if count(next, sep) < n => continue,
            _ => return sep,
        }
    }
    lines.first().map_or(b',', |l| top(l).1)
}

/// Reads a CSV (comma, semicolon or tab separated) into a [`Grid`].
pub fn csv_grid(file: &str, bytes: &[u8]) -> Result<Grid> {
    let text = crate::read::utf8(file, bytes)?;
    let delim = delimiter(text);
    csv_shape(file, text, delim)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delim)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut cells = 0usize;
    // Empty lines the parser passes over are rows of the sheet all the same (a spreadsheet
    // shows them), so a row's number counts them; a record's own line breaks (a quoted note
    // over two lines) do not.
    let (mut skipped, mut next_line) = (0usize, 1usize);
    // The line a record starts on, counted from its byte offset (the parser's own line count
    // passes over the empty lines it skips).
    let (mut scanned, mut line) = (0usize, 1usize);
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| {
            Error::input(file, format!("row {}", i + 1 + skipped), format!("cannot read the CSV: {e}"))
        })?;
        if let Some(p) = rec.position() {
            // The parser's position is where it began to look: before the empty lines it skips.
            let from = usize::try_from(p.byte()).unwrap_or(text.len()).min(text.len());
            let blank = text.as_bytes()[from..].iter().take_while(|&&b| b == b'\n' || b == b'\r').count();
            let at = from + blank;
            line += text.as_bytes()[scanned.min(at)..at].iter().filter(|&&b| b == b'\n').count();
            scanned = scanned.max(at);
            skipped += line.saturating_sub(next_line);
            let inner: usize = rec.iter().map(|f| f.bytes().filter(|&b| b == b'\n').count()).sum();
            next_line = line + inner + 1;
        }
        let row = i + 1 + skipped;
        csv_limits(file, row, &rec, &mut cells)?;
        rows.push((row, rec.iter().map(String::from).collect()));
    }
    Ok(Grid { rows, decimal_comma: delim == b';', ..Grid::default() })
}

/// Refuses, before the CSV parser holds any of it, what it would read wrong or hold whole: a
/// quote that opens a field and is never closed (the parser reads every line after it into
/// that one cell, so the rows after it would be lost without a word: a note typed as `"called
/// 3 times`), and a line of more fields than the limit on columns (the parser holds a whole
/// record before its fields can be counted). A field is quoted when its first character is a
/// quote, as the parser reads it; `""` inside is one quote. Places are lines of the file.
fn csv_shape(file: &str, text: &str, delim: u8) -> Result<()> {
    use crate::limits::{count, MAX_COLUMNS};
    let bytes = text.as_bytes();
    let (mut line, mut field, mut start) = (1usize, 1usize, true);
    // Where the open quote is: (line, field).
    let mut open: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        i += 1;
        if open.is_some() {
            match b {
                b'"' if bytes.get(i) == Some(&b'"') => i += 1,
                b'"' => open = None,
                b'\n' => line += 1,
                b'\r' if bytes.get(i) != Some(&b'\n') => line += 1,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' if start => open = Some((line, field)),
            b'\n' | b'\r' => {
                if b == b'\r' && bytes.get(i) == Some(&b'\n') {
                    i += 1;
                }
                line += 1;
                field = 1;
                start = true;
                continue;
            }
            _ if b == delim => {
                field += 1;
                if field > MAX_COLUMNS {
                    return Err(Error::input(
                        file,
                        format!("line {line}"),
                        format!(
                            "more than {} fields, the limit on columns (Excel's own)",
                            count(MAX_COLUMNS)
                        ),
                    ));
                }
                start = true;
                continue;
            }
            _ => {}
        }
        start = false;
    }
    match open {
        Some((at, f)) => Err(Error::input(
            file,
            format!("line {at}, field {f}"),
            format!(
                "a quote (\") opens this field and is never closed, so the {} line(s) after it would be read into this one cell and their rows lost; close the quote, or delete it",
                line - at
            ),
        )),
        None => Ok(()),
    }
}

/// Refuses a CSV row past the limits on rows, cells and the length of a field
/// ([`crate::limits`]), before its cells are held.
fn csv_limits(file: &str, number: usize, rec: &csv::StringRecord, cells: &mut usize) -> Result<()> {
    use crate::limits::{count, MAX_CELLS, MAX_FIELD_CHARS, MAX_ROWS};
    if number > MAX_ROWS {
        return Err(Error::input(
            file,
            format!("row {number}"),
            format!(
                "more than {} rows, the limit on rows (Excel's own); split the model by team",
                count(MAX_ROWS)
            ),
        ));
    }
    *cells = cells.saturating_add(rec.len());
    if *cells > MAX_CELLS {
        return Err(Error::input(
            file,
            format!("row {number}"),
            format!(
                "more than {} cells, the limit on cells of one sheet; split the model by team",
                count(MAX_CELLS)
            ),
        ));
    }
    for (j, field) in rec.iter().enumerate() {
        if field.len() > MAX_FIELD_CHARS && field.chars().count() > MAX_FIELD_CHARS {
            return Err(Error::input(
                file,
                format!("row {number}, field {}", j + 1),
                format!(
                    "a field of {} characters, above the limit of {} on one field (Excel's limit on a cell)",
                    field.chars().count(),
                    count(MAX_FIELD_CHARS)
                ),
            ));
        }
    }
    Ok(())
}

/// One data row: its spreadsheet row number and its cells, one per header column.
struct Row {
    number: usize,
    cells: Vec<String>,
    /// The columns of the cells that could not be read (a formula without a saved value),
    /// each already named at its place: read as empty, they are not blamed again as empty.
    faulted: Vec<&'static str>,
}

/// A parsed sheet: the column each header names (`None` for an ignorable empty column).
struct Table<'a> {
    file: &'a str,
    columns: Vec<Option<&'static str>>,
    rows: Vec<Row>,
    /// Rows with a mistake of the sheet's shape (a value beyond the named columns or in a column
    /// with no name), reported and not read; their named cells are kept all the same, so a
    /// worker whose row has such a mistake is still a worker that cases may name.
    faulty: Vec<Row>,
    decimal_comma: bool,
    /// Required columns the sheet lacks (reported once, at its header).
    missing: Vec<String>,
    /// The titles above the header (`Team North workers`), each with its row: not read.
    titles: Vec<(usize, String)>,
    /// The row of the header.
    header_row: usize,
}

impl Table<'_> {
    /// Moves the errors of row `r` into `to`, leaving out those placed in a column the sheet
    /// lacks, and those of a cell that could not be read (a formula without a saved value is
    /// named as such, not as empty).
    fn keep(&self, r: &Row, row: Errors, to: &mut Errors) {
        for e in list(row) {
            let said = match &e {
                Error::Input { place, .. } => self
                    .missing
                    .iter()
                    .map(String::as_str)
                    .chain(r.faulted.iter().copied())
                    .any(|m| place.ends_with(&format!(", column {m}"))),
                _ => false,
            };
            if !said {
                to.push(e);
            }
        }
    }
}

/// The errors collected, one by one.
fn list(errs: Errors) -> Vec<Error> {
    match errs.finish() {
        Ok(()) => Vec::new(),
        Err(Error::Inputs { errors, .. }) => errors,
        Err(e) => vec![e],
    }
}

/// [`Errors::finish`], with the same mistake in several rows of one column of one sheet said
/// once, listing the rows (`rows 2, 5 and 9, column role: unknown value "SW1" ...`).
pub fn finish_grouped(errs: Errors) -> Result<()> {
    match errs.finish() {
        Ok(()) => Ok(()),
        Err(Error::Inputs { errors, more }) => {
            let mut grouped = group_rows(errors);
            if grouped.len() == 1 && more == 0 {
                return Err(grouped.remove(0));
            }
            Err(Error::Inputs { errors: grouped, more })
        }
        Err(e) => Err(e),
    }
}

/// `row 7, column role` -> (7, ", column role"); `row 7` -> (7, "").
fn row_place(place: &str) -> Option<(usize, &str)> {
    let rest = place.strip_prefix("row ")?;
    let end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
    let n = rest[..end].parse().ok()?;
    let tail = &rest[end..];
    (tail.is_empty() || tail.starts_with(", column ")).then_some((n, tail))
}

/// Joins errors with the same file, column and problem in different rows (listed in row order),
/// the groups in first-seen order.
fn group_rows(errors: Vec<Error>) -> Vec<Error> {
    let mut groups: Vec<(Error, Vec<usize>)> = Vec::new();
    // Each group of a row's error by its file, problem and column: thousands of errors are
    // joined in one pass.
    let mut index: std::collections::HashMap<(String, String, String), usize> =
        std::collections::HashMap::new();
    for e in errors {
        let key = match &e {
            Error::Input { file, place, problem } => {
                row_place(place).map(|(n, tail)| ((file.clone(), problem.clone(), tail.to_string()), n))
            }
            _ => None,
        };
        match key {
            Some((k, n)) => match index.get(&k) {
                Some(&i) => groups[i].1.push(n),
                None => {
                    index.insert(k, groups.len());
                    groups.push((e, vec![n]));
                }
            },
            None => groups.push((e, Vec::new())),
        }
    }
    groups
        .into_iter()
        .map(|(e, mut rows)| {
            // One problem found twice at one row (by the reading and by the model's checks) is
            // said once.
            rows.sort_unstable();
            rows.dedup();
            (e, rows)
        })
        .map(|(e, rows)| match e {
            Error::Input { file, place, problem } if rows.len() > 1 => {
                let tail = row_place(&place).map_or("", |(_, t)| t);
                const SHOWN: usize = 12;
                let mut shown: Vec<String> = rows.iter().take(SHOWN).map(|r| r.to_string()).collect();
                let listed = if rows.len() > SHOWN {
                    format!("{} and {} more", shown.join(", "), rows.len() - SHOWN)
                } else {
                    let last = shown.pop().unwrap_or_default();
                    format!("{} and {last}", shown.join(", "))
                };
                Error::Input { file, place: format!("rows {listed}{tail}"), problem }
            }
            e => e,
        })
        .collect()
}

/// The most rows with something in them that may stand above a sheet's header as titles.
pub const TITLE_ROWS: usize = 3;

/// Where a sheet's header is among its rows: found by [`find_header`].
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct HeaderAt {
    /// The index of the header among the rows.
    pub index: usize,
    /// The titles above it (each a row of one text, such as `Team North workers`, perhaps
    /// merged across), with their rows: not read.
    pub titles: Vec<(usize, String)>,
    /// The rows above it that are no title (more than one text: an entry a sort put above
    /// the header, say), which would not be read.
    pub stray: Vec<usize>,
}

/// The header of a sheet: its first row with something in it, unless that row names no
/// column (`names_column` says of a cell whether it names one) and one of the next
/// [`TITLE_ROWS`] rows with something in them does: the rows above that one are then titles
/// (`Team North workers` above the header), or rows that are not read. `None` for a sheet with
/// nothing in it.
pub(crate) fn find_header(
    rows: &[(usize, Vec<String>)],
    names_column: impl Fn(&str) -> bool,
) -> Option<HeaderAt> {
    let filled: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i].1.iter().any(|c| !c.trim().is_empty()))
        .take(TITLE_ROWS + 1)
        .collect();
    let first = *filled.first()?;
    let index = filled.iter().copied().find(|&i| rows[i].1.iter().any(|c| names_column(c))).unwrap_or(first);
    let (mut titles, mut stray) = (Vec::new(), Vec::new());
    for &i in filled.iter().take_while(|&&i| i < index) {
        let (number, cells) = &rows[i];
        let texts: std::collections::BTreeSet<&str> =
            cells.iter().map(|c| c.trim()).filter(|c| !c.is_empty()).collect();
        match texts.into_iter().collect::<Vec<_>>()[..] {
            [one] => titles.push((*number, one.to_string())),
            _ => stray.push(*number),
        }
    }
    Some(HeaderAt { index, titles, stray })
}

/// The mistake of a row above the header that is no title: it would not be read.
pub(crate) fn stray_row(file: &str, row: usize, header_row: usize) -> Error {
    Error::input(
        file,
        format!("row {row}"),
        format!(
            "this row stands above the header (row {header_row}, the row naming the columns) and would not be read; if it is an entry, put the header row back at the top (a sort may have moved it); if it is a title, keep it to one cell"
        ),
    )
}

/// The warning that rows above a sheet's header were taken as its titles and not read:
/// `team.xlsx, sheet workers: row 1 ("Team North workers") stands above the header (row 2)
/// and was not read, as a title`. `file` names the sheet.
pub(crate) fn title_warning(
    file: &str,
    titles: &[(usize, String)],
    header_row: usize,
) -> Option<crate::warnings::Warning> {
    let shown = |t: &str| {
        let short: String = t.chars().take(60).collect();
        if short.len() < t.len() {
            q(&format!("{short}..."))
        } else {
            q(t)
        }
    };
    let message = match titles {
        [] => return None,
        [(row, text)] => format!(
            "{file}: row {row} ({}) stands above the header (row {header_row}) and was not read, as a title",
            shown(text)
        ),
        _ => {
            let rows: Vec<String> = titles.iter().map(|(r, _)| r.to_string()).collect();
            let texts: Vec<String> = titles.iter().map(|(_, t)| shown(t)).collect();
            format!(
                "{file}: rows {} ({}) stand above the header (row {header_row}) and were not read, as titles",
                crate::words::and_list(&rows),
                texts.join(", ")
            )
        }
    };
    Some(crate::warnings::Warning { code: "title_rows".into(), message })
}

/// A header cell as a field name: trimmed, lower case, spaces and hyphens as `_`.
fn normalise_header(h: &str) -> String {
    crate::vocabulary::sheet_key(h.trim())
}

/// Reads a sheet's header and rows. A fault of the whole sheet (empty, or no known column) is
/// the error returned; faults of the header (an unknown, repeated or missing column) go into
/// `errs`, and the rows are still read, so the other columns' mistakes are found in the same
/// run (a missing column is reported once, at the header, not in every row).
fn parse_table<'a>(
    file: &'a str,
    mut grid: Grid,
    known: &[&'static str],
    required: &[&str],
    outer: &mut Errors,
) -> Result<Table<'a>> {
    let faults = std::mem::take(&mut grid.faults);
    let names_column = |h: &str| known.contains(&normalise_header(h).as_str());
    let Some(at) = find_header(&grid.rows, names_column) else {
        faults.iter().for_each(|f| outer.push(fault_error(file, f, None)));
        return Err(Error::input(
            file,
            "row 1",
            format!("the sheet is empty; its first row must name the columns, e.g. {}", known.join(",")),
        ));
    };
    let mut records = grid.rows.into_iter().skip(at.index);
    let Some((header_row, header)) = records.next() else { return unreachable_grid() };
    let at_header = |col: String| format!("row {header_row}, column {col}");
    let names: Vec<String> = header.iter().map(|h| normalise_header(h)).collect();
    if !names.iter().any(|n| known.contains(&n.as_str())) {
        faults.iter().for_each(|f| outer.push(fault_error(file, f, None)));
        return Err(Error::input(
            file,
            at_header("1".into()),
            format!(
                "unknown column {}; the first row names the columns, which are {}",
                q(header.first().map(|h| h.trim()).unwrap_or("")),
                known.join(", ")
            ),
        ));
    }
    let mut errs = Errors::new();
    for &row in &at.stray {
        errs.push(stray_row(file, row, header_row));
    }
    let mut columns: Vec<Option<&'static str>> = Vec::with_capacity(header.len());
    for (j, name) in names.iter().enumerate() {
        if name.is_empty() {
            columns.push(None);
            continue;
        }
        let Some(&k) = known.iter().find(|k| **k == name) else {
            if name == "reductions" {
                errs.push(Error::input(
                    file,
                    at_header((j + 1).to_string()),
                    "dated reductions cannot be given in a column of the workers sheet (a cell holds no list of dated amounts); remove the column and give one row per reduction in a reductions sheet (a workbook's sheet \"reductions\", or --reductions reductions.csv) with the columns worker, amount, from, to, reason",
                ));
                columns.push(None);
                continue;
            }
            let known_names: Vec<String> = known.iter().map(|k| k.to_string()).collect();
            errs.push(Error::input(
                file,
                at_header((j + 1).to_string()),
                format!(
                    "unknown column {}{}; the first row names the columns, which are {}",
                    q(header[j].trim()),
                    crate::vocabulary::did_you_mean(header[j].trim(), &known_names),
                    known.join(", ")
                ),
            ));
            columns.push(None);
            continue;
        };
        if columns.contains(&Some(k)) {
            errs.push(Error::input(file, at_header(k.to_string()), "the column appears twice; keep one"));
            columns.push(None);
            continue;
        }
        columns.push(Some(k));
    }
    let mut missing = Vec::new();
    for r in required {
        if !columns.contains(&Some(r)) {
            missing.push(r.to_string());
            errs.push(Error::input(
                file,
                format!("row {header_row}"),
                format!("no column {r:?}; it is required (the columns are {})", known.join(", ")),
            ));
        }
    }
    // The cells that could not be read, each named under its column's header (a manager
    // knows `team`, not `C`), and kept with their row.
    let mut faulted: BTreeMap<usize, Vec<&'static str>> = BTreeMap::new();
    for f in &faults {
        let below = f.row > header_row;
        let column = columns.get(f.column).copied().flatten().filter(|_| below);
        let typed = header.get(f.column).map(String::as_str).filter(|_| below);
        errs.push(fault_error(file, f, column.or(typed)));
        if let Some(k) = column {
            faulted.entry(f.row).or_default().push(k);
        }
    }
    let (mut rows, mut faulty) = (Vec::new(), Vec::new());
    for (number, raw) in records {
        let cells: Vec<String> = raw.iter().map(|c| c.trim().to_string()).collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        let mut ok = true;
        if let Some(extra) = cells.iter().skip(columns.len()).position(|c| !c.is_empty()) {
            ok = false;
            errs.push(Error::input(
                file,
                format!("row {number}, column {}", columns.len() + extra + 1),
                format!(
                    "a value beyond the {} named columns; add a header or remove the value",
                    columns.len()
                ),
            ));
        }
        for (j, c) in cells.iter().enumerate().take(columns.len()) {
            if columns[j].is_none() && !c.is_empty() && !names[j].is_empty() {
                // Under an unknown or repeated column, already reported in the header.
                continue;
            }
            if columns[j].is_none() && !c.is_empty() {
                ok = false;
                errs.push(Error::input(
                    file,
                    format!("row {number}, column {}", j + 1),
                    "a value in a column with no name; name the column or remove the value",
                ));
            }
        }
        let mut by_field = vec![String::new(); known.len()];
        for (j, col) in columns.iter().enumerate() {
            if let (Some(col), Some(cell)) = (col, cells.get(j)) {
                if let Some(k) = known.iter().position(|k| k == col) {
                    by_field[k] = cell.clone();
                }
            }
        }
        let faulted = faulted.remove(&number).unwrap_or_default();
        if ok {
            rows.push(Row { number, cells: by_field, faulted })
        } else {
            faulty.push(Row { number, cells: by_field, faulted })
        }
    }
    if let Err(e) = errs.finish() {
        outer.push(e);
    }
    let known_static: Vec<Option<&'static str>> = known.iter().map(|k| Some(*k)).collect();
    Ok(Table {
        file,
        columns: known_static,
        rows,
        faulty,
        decimal_comma: grid.decimal_comma,
        missing,
        titles: at.titles,
        header_row,
    })
}

/// Typed access to one row's cells, with errors naming the file, row and column.
struct Cells<'t> {
    table: &'t Table<'t>,
    row: &'t Row,
}

impl<'t> Cells<'t> {
    fn err(&self, col: &str, problem: impl Into<String>) -> Error {
        Error::input(self.table.file, format!("row {}, column {col}", self.row.number), problem)
    }

    fn get(&self, col: &str) -> Option<&'t str> {
        let j = self.table.columns.iter().position(|c| *c == Some(col))?;
        let v = self.row.cells[j].as_str();
        (!v.is_empty()).then_some(v)
    }

    fn required(&self, col: &str, what: &str) -> Result<&'t str> {
        self.get(col).ok_or_else(|| self.err(col, format!("empty; give the {what}")))
    }

    fn text(&self, col: &str) -> Option<String> {
        self.get(col).map(String::from)
    }

    fn number(&self, col: &str) -> Result<Option<f64>> {
        let Some(v) = self.get(col) else { return Ok(None) };
        self.number_in(col, v).map(Some)
    }

    /// The number written `v` in column `col`, read as [`Cells::number`] reads a cell.
    fn number_in(&self, col: &str, v: &str) -> Result<f64> {
        if self.table.decimal_comma && thousands_dotted(v) {
            // `1.000` in a file of decimal commas is most likely a thousand, written as a
            // European spreadsheet shows it; read as 1 it would change a priority a thousandfold.
            return Err(self.err(
                col,
                format!(
                    "{} could be a thousand times more or less: this file writes decimals with a comma; write the number without a thousands separator ({}), or its decimals with a comma",
                    q(v),
                    q(&v.replace('.', ""))
                ),
            ));
        }
        let dotted;
        let v = if self.table.decimal_comma && v.contains(',') && !v.contains('.') {
            dotted = v.replace(',', ".");
            dotted.as_str()
        } else {
            v
        };
        match v.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(x),
            // A number too large for a float (`1e400`, four hundred nines) is one all the same:
            // named by the limit it passes, not called "not a number" (nor told to write itself).
            Ok(x) if x.is_infinite() && v.bytes().any(|b| b.is_ascii_digit()) => {
                let side =
                    if x > 0.0 { "above the limit of 1e9" } else { "below -1e9, past the limit of 1e9" };
                Err(self.err(col, format!("{} is {side} on numbers in a model; use smaller units", q(v))))
            }
            _ => {
                // A number with a word after it (`18 cases`, `50%`): say which number to write.
                // Not when digits follow (`0x10`, `1e5e5`): the number is not the digits before.
                let lead: String =
                    v.chars().take_while(|c| c.is_ascii_digit() || *c == '.' || *c == '-').collect();
                let lead =
                    if v[lead.len()..].bytes().any(|b| b.is_ascii_digit()) { String::new() } else { lead };
                let hint = if v.contains(',') {
                    "; write decimals with a dot, as in 0.5".to_string()
                } else if v.ends_with('%') && !lead.is_empty() {
                    let units = ["cap", "target", "weight", "amount", "oversight_cap"].contains(&col);
                    let what = if units { "in caseload units" } else { "as a number" };
                    format!("; a percentage is read in fte only: write the {col} {what}")
                } else if lead.parse::<f64>().is_ok() {
                    format!("; write the number alone, {lead}")
                } else {
                    String::new()
                };
                Err(self.err(col, format!("{} is not a number{hint}", q(v))))
            }
        }
    }

    /// A share written as a number (`0.6`) or, as a spreadsheet shows a percentage cell and
    /// saves it in a CSV file, with a percent sign (`60%`, read as 0.6).
    fn share(&self, col: &str) -> Result<Option<f64>> {
        let Some(v) = self.get(col) else { return Ok(None) };
        let Some(number) = v.strip_suffix('%').map(str::trim_end) else { return self.number(col) };
        // The number before the sign as any number of the file (`60,5%` with decimal commas).
        let x = self
            .number_in(col, number)
            .map_err(|_| self.err(col, format!("{} is not a number or a percentage", q(v))))?;
        Ok(Some(x / 100.0))
    }

    /// A day, `YYYY-MM-DD` (a workbook's date cell is read as one), kept as written.
    fn day(&self, col: &str, what: &str) -> Result<&'t str> {
        let v = self.required(col, what)?;
        crate::date::Date::parse(v).map(|_| v).map_err(|e| self.err(col, e))
    }

    fn boolean(&self, col: &str) -> Result<Option<bool>> {
        let Some(v) = self.get(col) else { return Ok(None) };
        match v.to_lowercase().as_str() {
            "true" | "yes" | "y" | "1" => Ok(Some(true)),
            "false" | "no" | "n" | "0" => Ok(Some(false)),
            _ => {
                Err(self.err(col, format!("{} is not true or false (also accepted: yes/no, y/n, 1/0)", q(v))))
            }
        }
    }

    /// A `;`-separated list. A comma in it (`Urdu, BSL`) is an error: read as one item, the
    /// skill or worker it names would match nothing, and a child would wait for it.
    fn list(&self, col: &str) -> Result<Vec<String>> {
        let Some(v) = self.get(col) else { return Ok(Vec::new()) };
        if v.contains(',') {
            let parts: Vec<&str> = v.split([',', ';']).map(str::trim).filter(|s| !s.is_empty()).collect();
            return Err(self.err(
                col,
                format!("{} holds a comma; separate the items with ; ({})", q(v), q(&parts.join("; "))),
            ));
        }
        Ok(v.split(';').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect())
    }

    fn choice<T>(&self, col: &str, parse: impl Fn(&str) -> Option<T>, names: &[&str]) -> Result<Option<T>> {
        let Some(v) = self.get(col) else { return Ok(None) };
        parse(&crate::vocabulary::sheet_key(v))
            .map(Some)
            .ok_or_else(|| self.err(col, format!("unknown value {}; use one of {}", q(v), names.join(", "))))
    }
}

/// Whether a number is written with dots between groups of three digits (`1.000`,
/// `-12.500.000`) and nothing else: a thousands separator, or decimals, which a file of
/// decimal commas cannot tell apart. `0.500` is decimals.
fn thousands_dotted(v: &str) -> bool {
    let v = v.strip_prefix('-').unwrap_or(v);
    let mut groups = v.split('.');
    let Some(head) = groups.next() else { return false };
    let rest: Vec<&str> = groups.collect();
    !rest.is_empty()
        && (1..=3).contains(&head.len())
        && !head.starts_with('0')
        && head.bytes().all(|b| b.is_ascii_digit())
        && rest.iter().all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
}

fn role_names() -> Vec<&'static str> {
    Role::ALL.iter().map(|r| r.name()).collect()
}

fn worker_row(t: &Table, r: &Row, words: &Vocabulary, errs: &mut Errors) -> Option<WorkerInput> {
    let c = Cells { table: t, row: r };
    let roles = role_names();
    let statuses = ["active", "vacant", "absent (on leave, off sick, leaving)"];
    let id = errs.take(c.required("id", "worker's id"));
    let role = errs.take(match c.get("role") {
        None => Err(c.err("role", format!("empty; give the worker's role, one of {}", roles.join(", ")))),
        Some(v) => words.role(v).ok_or_else(|| {
            c.err(
                "role",
                format!(
                    "unknown value {}{}; use one of {}, or an everyday word such as senior practitioner or NQSW",
                    q(v),
                    words.suggest_role(v),
                    roles.join(", ")
                ),
            )
        }),
    });
    let team = errs.take(c.required("team", "worker's team"));
    let fte = errs.take(c.share("fte"));
    let cap = errs.take(c.number("cap"));
    let target = errs.take(c.number("target"));
    let oversight_cap = errs.take(c.number("oversight_cap"));
    let status = errs.take(c.choice("status", crate::vocabulary::parse_status, &statuses));
    let agency = errs.take(c.boolean("agency"));
    let skills = errs.take(c.list("skills"));
    Some(WorkerInput {
        id: id?.to_string(),
        role: role?,
        team: team?.to_string(),
        fte: fte?,
        cap: cap?,
        target: target?,
        skills: skills?,
        supervisor: c.text("supervisor"),
        oversight_cap: oversight_cap?,
        status: status?,
        agency: agency?,
        reductions: Vec::new(),
        name: c.text("name"),
        notes: c.text("notes"),
    })
}

fn case_row(t: &Table, r: &Row, words: &Vocabulary, errs: &mut Errors) -> Option<CaseInput> {
    let c = Cells { table: t, row: r };
    let types: Vec<&str> = CaseType::ALL.iter().map(|t| t.name()).collect();
    let id = errs.take(c.required("id", "case's id"));
    let case_type = errs.take(match c.get("type") {
        None => Err(c.err("type", format!("empty; give the case type, one of {}", types.join(", ")))),
        Some(v) => words.case_type(v).ok_or_else(|| {
            c.err(
                "type",
                format!(
                    "unknown value {}{}; use one of {}, or an everyday word such as CP, CIN, LAC or care leaver",
                    q(v),
                    words.suggest_type(v),
                    types.join(", ")
                ),
            )
        }),
    });
    let team = errs.take(c.required("team", "team that owns the case"));
    let weight = errs.take(c.number("weight"));
    let priority = errs.take(c.number("priority"));
    let pinned = errs.take(c.boolean("pinned"));
    let no_agency = errs.take(c.boolean("no_agency"));
    let needs = errs.take(c.list("needs"));
    let exclude = errs.take(c.list("exclude"));
    let previous_workers = errs.take(c.list("previous_workers"));
    Some(CaseInput {
        id: id?.to_string(),
        case_type: case_type?,
        team: team?.to_string(),
        weight: weight?,
        priority: priority?,
        current_worker: c.text("current_worker"),
        pinned: pinned?,
        group: c.text("group"),
        needs: needs?,
        exclude: exclude?,
        previous_workers: previous_workers?,
        waiting_since: c.text("waiting_since"),
        name: c.text("name"),
        notes: c.text("notes"),
        no_agency: no_agency?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Empty lines are rows of the sheet (a spreadsheet shows them), a quoted note over two
    /// lines is one row (the empty line after it is the next), and a title row with a `;`
    /// leaves the header's `,` the separator.
    #[test]
    fn a_csvs_rows_are_numbered_as_a_spreadsheet_shows_them() {
        let rows =
            |text: &str| -> Vec<(usize, Vec<String>)> { csv_grid("c.csv", text.as_bytes()).unwrap().rows };
        let numbers = |text: &str| rows(text).iter().map(|r| r.0).collect::<Vec<_>>();
        assert_eq!(numbers("id,team\nC1,N\n\n\nC2,N\n"), [1, 2, 5]);
        assert_eq!(numbers("id,team\r\nC1,N\r\n\r\nC2,N\r\n"), [1, 2, 4]);
        assert_eq!(numbers("id,notes\nC1,\"two\nlines\"\n\nC2,x\n"), [1, 2, 4]);
        assert_eq!(numbers("id,team\rC1,N\rC2,N\r"), [1, 2, 3]);
        let titled = rows("Team North; week 48\nid,type,team\nC1,CIN,North\n");
        assert_eq!(titled[1].1, ["id", "type", "team"]);
        let semi = rows("Team North, week 48\nid;type;team\nC1;CIN;North\n");
        assert_eq!(semi[1].1, ["id", "type", "team"]);
        assert_eq!(
            rows("id;type;notes\nC1;CIN;called, no answer\n")[1].1,
            ["C1", "CIN", "called, no answer"]
        );
        // A note's commas outnumber the header's semicolons: the header still decides.
        let notes = rows("id;type;team\nC1;CIN;North, then South, then East, then West\nC2;CIN;North\n");
        assert_eq!(notes[1].1, ["C1", "CIN", "North, then South, then East, then West"]);
        assert_eq!(rows("sep=;\nid;type;team\nC1;CIN;North\n")[1].1, ["id", "type", "team"]);
        assert_eq!(rows("id,type,team\n")[0].1, ["id", "type", "team"]);
    }

    fn at(row: usize, problem: &str) -> Error {
        Error::input("c.csv", format!("row {row}, column to"), problem)
    }

    #[test]
    fn one_problem_at_rows_found_twice_and_out_of_order_is_listed_once_in_row_order() {
        let grouped =
            group_rows(vec![at(9, "late"), at(3, "late"), at(3, "late"), at(4, "other"), at(2, "late")]);
        let said: Vec<String> = grouped.iter().map(ToString::to_string).collect();
        assert_eq!(said, ["c.csv: rows 2, 3 and 9, column to: late", "c.csv: row 4, column to: other"]);
        let once = group_rows(vec![at(3, "late"), at(3, "late")]);
        let said: Vec<String> = once.iter().map(ToString::to_string).collect();
        assert_eq!(said, ["c.csv: row 3, column to: late"]);
    }
}
