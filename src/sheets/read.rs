//! Reading a model from spreadsheets: `workers.csv`, `cases.csv` and an optional policy file.
//!
//! Columns are the model file's field names, in any order (case-insensitive; a space or hyphen
//! counts as `_`). Every cell is trimmed; an empty cell means "not given". List fields (`skills`,
//! `needs`, `exclude`) are `;`-separated. Booleans are `true/false`, `yes/no` or `1/0`, in any
//! case. A UTF-8 byte-order mark and CRLF line ends are accepted. A row whose every cell is empty
//! is skipped. Unknown columns are an error, like unknown JSON fields.
//!
//! Rows are numbered as a spreadsheet shows them: the header is row 1, the first entry row 2.

use crate::error::{Error, Result};
use crate::model::Model;
use crate::model::{CaseInput, CaseType, ModelFile, PolicyInput, Role, Status, WorkerInput};
use crate::validate;
use std::path::Path;

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
    /// `worker_rows[i]` is the spreadsheet row of `model.workers[i]`.
    pub worker_rows: Vec<usize>,
    /// `case_rows[i]` is the spreadsheet row of `model.cases[i]`.
    pub case_rows: Vec<usize>,
}

impl Sheets {
    /// The canonical JSON of the built model: what `caseload convert` writes, and what the
    /// model's audit hash is taken of.
    pub fn canonical_json(&self) -> Vec<u8> {
        crate::write::to_json(&self.model)
    }

    /// Validates the model like a JSON model file; errors name the spreadsheet, row and column.
    pub fn validate(&self) -> Result<Model> {
        let bytes = self.canonical_json();
        validate::validate(&self.workers_file, &self.model, &bytes).map_err(|e| self.map_error(e))
    }

    /// Turns an error placed in the model (`cases[17].current_worker`) into one placed in the
    /// spreadsheet (`cases.csv: row 19, column current_worker`).
    pub fn map_error(&self, e: Error) -> Error {
        let Error::Input { place, problem, .. } = e else { return e };
        let problem = self.rewrite_refs(&problem);
        for (list, file, rows) in
            [("workers", &self.workers_file, &self.worker_rows), ("cases", &self.cases_file, &self.case_rows)]
        {
            if let Some((i, field)) = split_place(&place, list) {
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
                return Error::input(pf, rest, problem);
            }
        }
        Error::input(&self.workers_file, place, problem)
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
    let wb = crate::read::read_bytes(workers)?;
    let cb = crate::read::read_bytes(cases)?;
    let pb = policy.map(crate::read::read_bytes).transpose()?;
    let name = |p: &Path| p.display().to_string();
    parse_sheets(
        (&name(workers), &wb),
        (&name(cases), &cb),
        policy.zip(pb.as_deref()).map(|(p, b)| (name(p), b)).as_ref().map(|(n, b)| (n.as_str(), *b)),
    )
}

/// Builds a model from the bytes of a workers CSV, a cases CSV and an optional policy JSON
/// object, each given with the name used in messages. Does not validate: see [`Sheets::validate`].
pub fn parse_sheets(
    workers: (&str, &[u8]),
    cases: (&str, &[u8]),
    policy: Option<(&str, &[u8])>,
) -> Result<Sheets> {
    let wt = parse_table(workers.0, workers.1, &WORKER_COLUMNS, &["id", "role", "team"])?;
    let ct = parse_table(cases.0, cases.1, &CASE_COLUMNS, &["id", "type", "team"])?;
    let mut ws = Vec::with_capacity(wt.rows.len());
    for r in &wt.rows {
        ws.push(worker_row(&wt, r)?);
    }
    let mut cs = Vec::with_capacity(ct.rows.len());
    for r in &ct.rows {
        cs.push(case_row(&ct, r)?);
    }
    let policy_input = match policy {
        Some((file, bytes)) => parse_policy(file, bytes)?,
        None => None,
    };
    Ok(Sheets {
        model: ModelFile { version: 1, policy: policy_input, workers: ws, cases: cs },
        workers_file: workers.0.to_string(),
        cases_file: cases.0.to_string(),
        policy_file: policy.map(|p| p.0.to_string()),
        worker_rows: wt.rows.iter().map(|r| r.number).collect(),
        case_rows: ct.rows.iter().map(|r| r.number).collect(),
    })
}

/// Parses a policy file: a JSON object with the policy fields of the model file. An empty
/// object is the same as no policy.
pub fn parse_policy(file: &str, bytes: &[u8]) -> Result<Option<PolicyInput>> {
    let text = crate::read::utf8(file, bytes)?;
    let de = &mut serde_json::Deserializer::from_str(text);
    let p: PolicyInput = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let msg = inner.to_string();
        let problem = msg.rfind(" at line ").map_or(msg.clone(), |i| msg[..i].to_string());
        let at = format!("line {}, column {}", inner.line(), inner.column());
        if path.is_empty() || path == "." {
            Error::input(
                file,
                at,
                format!("{problem}; a policy file is a JSON object such as {{\"caps\": {{\"social_worker\": 20}}}}"),
            )
        } else {
            Error::input(file, path, format!("{problem} ({at})"))
        }
    })?;
    Ok(if p == PolicyInput::default() { None } else { Some(p) })
}

/// One data row: its spreadsheet row number and its cells, one per header column.
struct Row {
    number: usize,
    cells: Vec<String>,
}

/// A parsed CSV: the column each header names (`None` for an ignorable empty column).
struct Table<'a> {
    file: &'a str,
    columns: Vec<Option<&'static str>>,
    rows: Vec<Row>,
}

/// A header cell as a field name: trimmed, lower case, spaces and hyphens as `_`.
fn normalise_header(h: &str) -> String {
    h.trim().to_lowercase().replace([' ', '-'], "_")
}

fn parse_table<'a>(
    file: &'a str,
    bytes: &[u8],
    known: &[&'static str],
    required: &[&str],
) -> Result<Table<'a>> {
    let text = crate::read::utf8(file, bytes)?;
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut records = reader.records();
    let csv_err = |row: usize, e: csv::Error| {
        Error::input(file, format!("row {row}"), format!("cannot read the CSV: {e}"))
    };
    let header = match records.next() {
        Some(h) => h.map_err(|e| csv_err(1, e))?,
        None => {
            return Err(Error::input(
                file,
                "row 1",
                format!("the file is empty; its first row must name the columns, e.g. {}", known.join(",")),
            ))
        }
    };
    if header.len() == 1 && header.get(0).is_some_and(|h| h.contains(';') || h.contains('\t')) {
        return Err(Error::input(
            file,
            "row 1",
            "the columns are separated by ';' or tabs, not commas; save the sheet as \"CSV UTF-8 (comma delimited)\"",
        ));
    }
    let mut columns: Vec<Option<&'static str>> = Vec::with_capacity(header.len());
    for (j, h) in header.iter().enumerate() {
        let name = normalise_header(h);
        if name.is_empty() {
            columns.push(None);
            continue;
        }
        let Some(&k) = known.iter().find(|k| **k == name) else {
            return Err(Error::input(
                file,
                format!("row 1, column {}", j + 1),
                format!(
                    "unknown column {:?}; the first row names the columns, which are {}",
                    h.trim(),
                    known.join(", ")
                ),
            ));
        };
        if columns.contains(&Some(k)) {
            return Err(Error::input(
                file,
                format!("row 1, column {k}"),
                "the column appears twice; keep one",
            ));
        }
        columns.push(Some(k));
    }
    for r in required {
        if !columns.contains(&Some(r)) {
            return Err(Error::input(
                file,
                "row 1",
                format!("no column {r:?}; it is required (the columns are {})", known.join(", ")),
            ));
        }
    }
    let mut rows = Vec::new();
    for (i, rec) in records.enumerate() {
        let number = i + 2;
        let rec = rec.map_err(|e| csv_err(number, e))?;
        let cells: Vec<String> = rec.iter().map(|c| c.trim().to_string()).collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        if let Some(extra) = cells.iter().skip(columns.len()).position(|c| !c.is_empty()) {
            return Err(Error::input(
                file,
                format!("row {number}, column {}", columns.len() + extra + 1),
                format!(
                    "a value beyond the {} named columns; add a header or remove the value",
                    columns.len()
                ),
            ));
        }
        for (j, c) in cells.iter().enumerate().take(columns.len()) {
            if columns[j].is_none() && !c.is_empty() {
                return Err(Error::input(
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
        rows.push(Row { number, cells: by_field });
    }
    let known_static: Vec<Option<&'static str>> = known.iter().map(|k| Some(*k)).collect();
    Ok(Table { file, columns: known_static, rows })
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
        match v.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(Some(x)),
            _ => {
                let hint = if v.contains(',') { "; write decimals with a dot, as in 0.5" } else { "" };
                Err(self.err(col, format!("{v:?} is not a number{hint}")))
            }
        }
    }

    fn boolean(&self, col: &str) -> Result<Option<bool>> {
        let Some(v) = self.get(col) else { return Ok(None) };
        match v.to_lowercase().as_str() {
            "true" | "yes" | "1" => Ok(Some(true)),
            "false" | "no" | "0" => Ok(Some(false)),
            _ => Err(self.err(col, format!("{v:?} is not true or false (also accepted: yes/no, 1/0)"))),
        }
    }

    fn list(&self, col: &str) -> Vec<String> {
        self.get(col)
            .map(|v| v.split(';').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect())
            .unwrap_or_default()
    }

    fn choice<T>(&self, col: &str, parse: impl Fn(&str) -> Option<T>, names: &[&str]) -> Result<Option<T>> {
        let Some(v) = self.get(col) else { return Ok(None) };
        let key = v.to_lowercase().replace([' ', '-'], "_");
        parse(&key)
            .map(Some)
            .ok_or_else(|| self.err(col, format!("unknown value {v:?}; use one of {}", names.join(", "))))
    }
}

fn role_names() -> Vec<&'static str> {
    Role::ALL.iter().map(|r| r.name()).collect()
}

fn worker_row(t: &Table, r: &Row) -> Result<WorkerInput> {
    let c = Cells { table: t, row: r };
    let roles = role_names();
    let statuses = ["active", "vacant", "absent"];
    let id = c.required("id", "worker's id")?.to_string();
    let role = c.choice("role", Role::parse, &roles)?.ok_or_else(|| {
        c.err("role", format!("empty; give the worker's role, one of {}", roles.join(", ")))
    })?;
    Ok(WorkerInput {
        id,
        role,
        team: c.required("team", "worker's team")?.to_string(),
        fte: c.number("fte")?,
        cap: c.number("cap")?,
        target: c.number("target")?,
        skills: c.list("skills"),
        supervisor: c.text("supervisor"),
        oversight_cap: c.number("oversight_cap")?,
        status: c.choice("status", parse_status, &statuses)?,
        agency: c.boolean("agency")?,
    })
}

fn parse_status(s: &str) -> Option<Status> {
    match s {
        "active" => Some(Status::Active),
        "vacant" => Some(Status::Vacant),
        "absent" => Some(Status::Absent),
        _ => None,
    }
}

fn case_row(t: &Table, r: &Row) -> Result<CaseInput> {
    let c = Cells { table: t, row: r };
    let types: Vec<&str> = CaseType::ALL.iter().map(|t| t.name()).collect();
    let id = c.required("id", "case's id")?.to_string();
    let case_type = c
        .choice("type", CaseType::parse, &types)?
        .ok_or_else(|| c.err("type", format!("empty; give the case type, one of {}", types.join(", "))))?;
    Ok(CaseInput {
        id,
        case_type,
        team: c.required("team", "team that owns the case")?.to_string(),
        weight: c.number("weight")?,
        priority: c.number("priority")?,
        current_worker: c.text("current_worker"),
        pinned: c.boolean("pinned")?,
        group: c.text("group"),
        needs: c.list("needs"),
        exclude: c.list("exclude"),
    })
}
