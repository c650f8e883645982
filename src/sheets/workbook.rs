//! Excel workbooks (`.xlsx`): a model read from the sheets `workers`, `cases` and an optional
//! `policy` (with our own bounded reader, `xlsx`), under the same header rules and with the same row and column
//! messages as CSV; and workbooks written (with [rust_xlsxwriter]): a model, losslessly, and a
//! proposal for the allocation meeting.
//!
//! Sheet names are matched without regard to case (`Workers` is `workers`). Cells keep their
//! type: a number cell is read as its exact value, so `0.1` in Excel is `0.1` in the model; a
//! number in a text column (an id typed as `1001`) is read as its shortest text (`"1001"`).
//! Dates (except in the reductions sheet's `from` and `to`, read as `YYYY-MM-DD`) and cells
//! showing an Excel error (`#N/A`) are refused with their place. Optional sheets `reductions`
//! (one row per dated reduction) and `aliases` (a council's own words for roles and types) are
//! read when present.
//!
//! The policy sheet has two columns, `setting` and `value`, one row per setting, named as in
//! the model file with a dot for maps: `caps.social_worker` `20`, `cross_team` `true`,
//! `may_hold.looked_after` `social_worker;senior_social_worker` (`none` for an empty list).
//!
//! Text is always written as a text cell, never as a formula, so a name beginning with `=`,
//! `+`, `-` or `@` cannot run in Excel (the formula-injection guard of the CSV outputs).

use super::read::{case_columns, worker_columns, Grid, Sheets};
use crate::error::{Error, Errors, Result};
use crate::model::{ModelFile, PolicyInput};
use crate::vocabulary::Vocabulary;
use crate::warnings::quoted;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use std::path::Path;

/// Whether a path names an Excel workbook (by its extension, `.xlsx` or `.xlsm`).
pub fn is_workbook(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx") || e.eq_ignore_ascii_case("xlsm"))
}

/// Reads a model from a workbook on disk, with an optional policy file (JSON) that replaces
/// the workbook's `policy` sheet; see [`parse_workbook`].
pub fn read_workbook(path: &Path, policy: Option<&Path>) -> Result<Sheets> {
    let bytes = crate::read::read_bytes(path)?;
    let pb = policy.map(crate::read::read_bytes).transpose()?;
    let pname = policy.map(|p| p.display().to_string());
    parse_workbook(&path.display().to_string(), &bytes, pname.as_deref().zip(pb.as_deref()))
}

/// The name a sheet is given in messages: `book.xlsx, sheet workers`.
fn sheet_file(file: &str, sheet: &str) -> String {
    format!("{file}, sheet {sheet}")
}

/// The sheets a model is read from (`how to`, the template's guide, is known and not read).
const KNOWN_SHEETS: [&str; 6] = ["workers", "cases", "policy", "reductions", "aliases", "how to"];

/// The known sheet an unknown sheet's name most likely means: one whose name it contains as a
/// word (`Policy settings`, `Cases (2)`) or is within two typing mistakes of (`Wokers`).
fn meant_sheet(name: &str) -> Option<&'static str> {
    let folded: String = name.trim().to_lowercase().chars().take(64).collect();
    let words: Vec<&str> = folded.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    KNOWN_SHEETS.into_iter().find(|k| {
        words.iter().any(|w| w == k || w.strip_suffix('s') == Some(k) || format!("{w}s") == *k)
            || crate::vocabulary::distance(&folded, k) <= 2
    })
}

/// Builds a model from the bytes of a workbook; `file` names it in messages. Every mistake
/// of both sheets is reported at once, in order. Does not validate: see [`Sheets::validate`].
///
/// The workbook is read through the limits of [`crate::limits`] (see [`super::xlsx`]). Two
/// sheets whose names differ only in case (`cases` and `Cases`) are an error; a sheet that
/// is not read gets a warning, with the sheet it probably means; a sheet that looks like a
/// missing known sheet (`Policy settings` and no `policy`) is an error, since its settings
/// would be silently lost.
pub fn parse_workbook(file: &str, bytes: &[u8], policy: Option<(&str, &[u8])>) -> Result<Sheets> {
    let mut book = super::xlsx::Book::open(file, bytes)?;
    let names = book.sheet_names();
    let mut errs = Errors::new();
    let mut notes: Vec<crate::warnings::Warning> = Vec::new();
    let mut lookalike: Vec<&str> = Vec::new();
    for known in KNOWN_SHEETS {
        let same: Vec<String> =
            names.iter().filter(|n| n.trim().eq_ignore_ascii_case(known)).map(|n| quoted(n)).collect();
        if same.len() > 1 {
            errs.push(Error::input(
                file,
                format!("sheet {known}"),
                format!(
                    "the sheets {} all name the {known} sheet (names are read without regard to case); keep one",
                    same.join(" and ")
                ),
            ));
        }
    }
    let find = |want: &str| names.iter().find(|n| n.trim().eq_ignore_ascii_case(want)).cloned();
    for n in &names {
        if KNOWN_SHEETS.iter().any(|k| n.trim().eq_ignore_ascii_case(k)) {
            continue;
        }
        match meant_sheet(n) {
            Some(k) if find(k).is_none() && !(k == "policy" && policy.is_some()) => {
                lookalike.push(k);
                errs.push(Error::input(
                    file,
                    format!("sheet {}", quoted(n)),
                    format!("the workbook has no {k} sheet, and this sheet is not read; did you mean {k}? Rename it {k}"),
                ))
            }
            meant => notes.push(crate::warnings::Warning {
                code: "unknown_sheet".into(),
                message: format!(
                    "{file}: the sheet {} is not read (caseload reads workers, cases, policy, reductions and aliases){}",
                    quoted(n),
                    meant.map_or(String::new(), |k| format!("; did you mean {k}?"))
                ),
            }),
        }
    }
    let shown_names = if names.is_empty() {
        "none".to_string()
    } else {
        names.iter().map(|n| quoted(n)).collect::<Vec<_>>().join(", ")
    };
    let mut grid = |book: &mut super::xlsx::Book,
                    want: &str,
                    errs: &mut Errors|
     -> Result<Option<(String, Grid)>> {
        let Some(name) = find(want) else {
            if lookalike.contains(&want) {
                // The sheet that looks like it is named above.
                return Ok(None);
            }
            errs.push(Error::input(
                file,
                format!("sheet {want}"),
                format!(
                    "no sheet named {want:?}; the workbook has {shown_names}. Name the sheets workers, cases and (optionally) policy"
                ),
            ));
            return Ok(None);
        };
        let shown = sheet_file(file, &name);
        let g = book.grid(&name, &shown, errs)?;
        notes.extend(hidden_rows(file, want, &g));
        Ok(Some((shown, g)))
    };
    let workers = grid(&mut book, "workers", &mut errs)?;
    // A day the child began to wait may be a date cell: read as YYYY-MM-DD.
    book.day_columns = &["waiting_since"];
    let cases = grid(&mut book, "cases", &mut errs);
    book.day_columns = &[];
    let cases = cases?;
    let mut extra = super::read::Extra::default();
    if find("aliases").is_some() {
        if let Some((shown, g)) = grid(&mut book, "aliases", &mut errs)? {
            extra.words = errs.take(super::read::aliases_sheet(&shown, g)).unwrap_or_default();
        }
    }
    if find("reductions").is_some() {
        // Its from and to may be date cells: read as YYYY-MM-DD.
        book.days = true;
        let g = grid(&mut book, "reductions", &mut errs);
        book.days = false;
        extra.reductions = g?;
    }
    let (policy_input, policy_file) = match (policy, find("policy")) {
        (Some((pf, _)), Some(_)) => {
            return Err(Error::Usage(format!(
                "{file} has a policy sheet and --policy {pf} was given too; give the policy once"
            )));
        }
        (Some((pf, pb)), None) => {
            (errs.take(super::read::parse_policy(pf, pb)).flatten(), Some(pf.to_string()))
        }
        (None, Some(_)) => match grid(&mut book, "policy", &mut errs)? {
            Some((shown, g)) => (errs.take(policy_sheet(&shown, g, &extra.words)).flatten(), Some(shown)),
            None => (None, None),
        },
        (None, None) => (None, None),
    };
    let (Some((wf, wg)), Some((cf, cg))) = (workers, cases) else {
        errs.finish()?;
        return Err(Error::input(file, "file", "the workbook lacks a sheet"));
    };
    let mut s = super::read::build((&wf, wg), (&cf, cg), policy_input, policy_file, errs, extra)?;
    s.workers_file = wf;
    s.cases_file = cf;
    s.warnings = notes;
    Ok(s)
}

/// The warning that rows of a sheet are hidden (by hand or by a filter) and were read all the
/// same: `3 rows of sheet cases are hidden by a filter; they were read: rows 7, 9 and 12`.
fn hidden_rows(file: &str, sheet: &str, g: &Grid) -> Option<crate::warnings::Warning> {
    const SHOWN: usize = 12;
    let n = g.hidden.len();
    let mut rows: Vec<String> = g.hidden.iter().take(SHOWN).map(|r| r.to_string()).collect();
    let listed = match rows.pop() {
        None => return None,
        Some(only) if n == 1 => format!("row {only}"),
        Some(last) if n <= SHOWN => format!("rows {} and {last}", rows.join(", ")),
        Some(last) => format!("rows {}, {last} and {} more", rows.join(", "), n - SHOWN),
    };
    let how = if g.filtered { " by a filter" } else { "" };
    let message = if n == 1 {
        format!("{file}: 1 row of sheet {sheet} is hidden{how}; it was read: {listed}")
    } else {
        format!("{file}: {n} rows of sheet {sheet} are hidden{how}; they were read: {listed}")
    };
    Some(crate::warnings::Warning { code: "hidden_rows".into(), message })
}

/// Settings of the policy whose value is a list of names (`;`-separated in a cell).
fn is_list_setting(top: &str) -> bool {
    matches!(top, "may_hold" | "supervised_roles" | "supervisor_roles")
}

/// A role or case type named in the policy sheet, as its canonical name when the words table
/// (or the aliases sheet) knows it; otherwise as written, for the policy's own error.
fn canonical(words: &Vocabulary, word: &str, role: bool) -> String {
    let known =
        if role { words.role(word).map(|r| r.name()) } else { words.case_type(word).map(|t| t.name()) };
    known.map_or_else(|| word.to_string(), String::from)
}

/// Reads a policy sheet (`setting`, `value`) into a policy. Roles and case types, in setting
/// names (`caps.Senior Practitioner`) and in lists, may be everyday words. A row whose value is
/// empty is left out (the default holds).
fn policy_sheet(file: &str, grid: Grid, words: &Vocabulary) -> Result<Option<PolicyInput>> {
    let mut rows = grid.rows.into_iter().filter(|(_, c)| c.iter().any(|x| !x.trim().is_empty()));
    let Some((hrow, header)) = rows.next() else { return Ok(None) };
    let names: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    let col = |want: &str| names.iter().position(|n| n == want);
    let (Some(sc), Some(vc)) = (col("setting"), col("value")) else {
        return Err(Error::input(
            file,
            format!("row {hrow}"),
            "the first row must name the columns setting and value",
        ));
    };
    let mut errs = Errors::new();
    let mut root = serde_json::Map::new();
    let mut places: Vec<(String, usize)> = Vec::new();
    for (number, cells) in rows {
        let setting = cells.get(sc).map(|s| s.trim()).unwrap_or("");
        let value = cells.get(vc).map(|s| s.trim()).unwrap_or("");
        if setting.is_empty() {
            errs.push(Error::input(file, format!("row {number}, column setting"), "empty; name the setting"));
            continue;
        }
        if value.is_empty() {
            continue;
        }
        let mut owned: Vec<String> = setting.split('.').map(|p| p.trim().to_string()).collect();
        let top_key = owned[0].to_lowercase().replace([' ', '-'], "_");
        if let Some(sub) = owned.get_mut(1) {
            match top_key.as_str() {
                "caps" | "targets" => *sub = canonical(words, sub, true),
                "weights" | "priority" | "may_hold" => *sub = canonical(words, sub, false),
                _ => {}
            }
        }
        owned[0] = top_key;
        let setting_canonical = owned.join(".");
        let setting = setting_canonical.as_str();
        let path: Vec<&str> = owned.iter().map(String::as_str).collect();
        let top = path[0];
        let v = if is_list_setting(top) {
            let items: Vec<serde_json::Value> = if value.eq_ignore_ascii_case("none") {
                Vec::new()
            } else {
                value
                    .split(';')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| serde_json::Value::String(canonical(words, s, true)))
                    .collect()
            };
            serde_json::Value::Array(items)
        } else if let Ok(x) = value.parse::<f64>() {
            match serde_json::Number::from_f64(x) {
                Some(n) => serde_json::Value::Number(n),
                None => {
                    errs.push(Error::input(
                        file,
                        format!("row {number}, column value"),
                        format!(
                            "{setting}: {} is not a finite number; give a number such as 20",
                            quoted(value)
                        ),
                    ));
                    continue;
                }
            }
        } else {
            match value.to_lowercase().as_str() {
                "true" | "yes" => serde_json::Value::Bool(true),
                "false" | "no" => serde_json::Value::Bool(false),
                _ => serde_json::Value::String(value.to_string()),
            }
        };
        let clash = |errs: &mut Errors| {
            errs.push(Error::input(
                file,
                format!("row {number}, column setting"),
                format!("{} is given twice or clashes with another row; keep one", quoted(setting)),
            ))
        };
        match path.as_slice() {
            [key] => {
                if root.contains_key(*key) {
                    clash(&mut errs);
                    continue;
                }
                root.insert(key.to_string(), v);
            }
            [key, sub] => {
                let entry = root
                    .entry(key.to_string())
                    .or_insert_with(|| serde_json::Value::Object(Default::default()));
                match entry {
                    serde_json::Value::Object(o) if !o.contains_key(*sub) => {
                        o.insert(sub.to_string(), v);
                    }
                    _ => {
                        clash(&mut errs);
                        continue;
                    }
                }
            }
            _ => {
                errs.push(Error::input(
                    file,
                    format!("row {number}, column setting"),
                    format!("unknown setting {}; settings are named as in the model file's policy, such as caps.social_worker", quoted(setting)),
                ));
                continue;
            }
        }
        places.push((setting.to_string(), number));
    }
    errs.finish()?;
    let value = serde_json::Value::Object(root);
    let p: PolicyInput = serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let row = places.iter().find(|(s, _)| *s == path || path.starts_with(&format!("{s}."))).map(|p| p.1);
        let problem = e.into_inner().to_string();
        match row {
            Some(r) => Error::input(file, format!("row {r}, column value"), format!("{path}: {problem}")),
            None => {
                let top = path.split('.').next().unwrap_or("");
                match places.iter().find(|(s, _)| s.split('.').next() == Some(top)) {
                    Some((_, r)) => {
                        Error::input(file, format!("row {r}, column setting"), format!("{path}: {problem}"))
                    }
                    None => Error::input(file, "setting", format!("{path}: {problem}")),
                }
            }
        }
    })?;
    Ok(if p == PolicyInput::default() { None } else { Some(p) })
}

/// The rows of a policy sheet for a policy: (setting, value as text, is a number).
fn policy_rows(p: &PolicyInput) -> Vec<(String, serde_json::Value)> {
    let mut out = Vec::new();
    let Ok(serde_json::Value::Object(map)) = serde_json::to_value(p) else { return out };
    for (k, v) in map {
        match v {
            serde_json::Value::Object(inner) => {
                for (k2, v2) in inner {
                    out.push((format!("{k}.{k2}"), v2));
                }
            }
            v => out.push((k, v)),
        }
    }
    out
}

fn xlsx_err(path: &str) -> impl Fn(XlsxError) -> Error + '_ {
    move |e| {
        match e {
        // What the input asks a cell to hold, not a failure of the disk: an input error, found
        // while every output is made and before any is written.
        XlsxError::MaxStringLengthExceeded => Error::input(
            path,
            "a cell",
            format!(
                "a text would be longer than {} characters, the most an Excel cell holds; shorten the ids, names or notes of the model",
                crate::limits::count(crate::limits::MAX_FIELD_CHARS)
            ),
        ),
        e => Error::Write { path: path.into(), problem: format!("cannot build the workbook: {e}") },
    }
    }
}

/// A sheet being written: header in bold, frozen, with a filter, and widths to fit.
struct SheetWriter<'a> {
    ws: &'a mut Worksheet,
    widths: Vec<usize>,
    rows: u32,
}

/// The type of a column.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Text,
    Number,
    Bool,
}

/// A cell to write.
enum Value {
    Text(String),
    Number(f64, Option<&'static str>),
    Bool(bool),
    Empty,
}

impl<'a> SheetWriter<'a> {
    fn new(book: &'a mut Workbook, name: &str, header: &[&str]) -> std::result::Result<Self, XlsxError> {
        let ws = book.add_worksheet();
        ws.set_name(name)?;
        let bold = Format::new().set_bold();
        for (j, h) in header.iter().enumerate() {
            ws.write_string_with_format(0, j as u16, *h, &bold)?;
        }
        ws.set_freeze_panes(1, 0)?;
        Ok(SheetWriter { ws, widths: header.iter().map(|h| h.chars().count() + 3).collect(), rows: 0 })
    }

    fn row(&mut self, cells: Vec<Value>) -> std::result::Result<(), XlsxError> {
        self.rows += 1;
        let r = self.rows;
        for (j, v) in cells.into_iter().enumerate() {
            let c = j as u16;
            let shown = match v {
                Value::Text(s) => {
                    // Always a text cell: never run as a formula.
                    self.ws.write_string(r, c, &s)?;
                    s.chars().count()
                }
                Value::Number(x, fmt) => {
                    match fmt {
                        Some(f) => {
                            self.ws.write_number_with_format(r, c, x, &Format::new().set_num_format(f))?
                        }
                        None => self.ws.write_number(r, c, x)?,
                    };
                    format!("{x}").len().min(12)
                }
                Value::Bool(b) => {
                    self.ws.write_boolean(r, c, b)?;
                    5
                }
                Value::Empty => 0,
            };
            if let Some(w) = self.widths.get_mut(j) {
                *w = (*w).max(shown + 2);
            }
        }
        Ok(())
    }

    fn finish(self) -> std::result::Result<(), XlsxError> {
        let cols = self.widths.len();
        for (j, w) in self.widths.iter().enumerate() {
            self.ws.set_column_width(j as u16, (*w).min(60) as f64)?;
        }
        if cols > 0 {
            self.ws.autofilter(0, 0, self.rows, (cols - 1) as u16)?;
        }
        Ok(())
    }
}

fn typed(kind: Kind, text: String) -> Value {
    if text.is_empty() {
        return Value::Empty;
    }
    match kind {
        Kind::Text => Value::Text(text),
        Kind::Number => text.parse().map(|x| Value::Number(x, None)).unwrap_or(Value::Text(text)),
        Kind::Bool => Value::Bool(text == "true"),
    }
}

fn kinds(columns: &[&str]) -> Vec<Kind> {
    columns
        .iter()
        .map(|c| match *c {
            "fte" | "cap" | "target" | "oversight_cap" | "weight" | "priority" | "amount" => Kind::Number,
            "agency" | "pinned" => Kind::Bool,
            _ => Kind::Text,
        })
        .collect()
}

/// Dates the workbook like the report: now, or `SOURCE_DATE_EPOCH` when set, so that the same
/// inputs on the same day (or with that variable) give the same bytes.
fn stamp(book: &mut Workbook) {
    let secs = crate::date::stamp_secs();
    // Whole days: two runs on one day give the same workbook.
    if let Ok(t) = rust_xlsxwriter::ExcelDateTime::from_timestamp(secs - secs.rem_euclid(86_400)) {
        book.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&t));
    }
}

/// A model as a workbook (sheets `workers`, `cases`, `reductions` when a worker has dated
/// reductions, and `policy`) that reads back as the same model. Refuses values a cell cannot hold exactly, like the CSV writer; `file` names the
/// model in messages.
pub fn model_workbook(file: &str, m: &ModelFile) -> Result<Vec<u8>> {
    let workers = super::write::worker_table(file, m)?;
    let cases = super::write::case_table(file, m)?;
    let e = xlsx_err(file);
    let mut book = Workbook::new();
    stamp(&mut book);
    let case_cols = case_columns(m);
    let worker_cols = worker_columns(m);
    for (name, columns, rows) in [("workers", &worker_cols[..], &workers), ("cases", &case_cols[..], &cases)]
    {
        let k = kinds(columns);
        let mut sw = SheetWriter::new(&mut book, name, columns).map_err(&e)?;
        for r in rows {
            sw.row(r.iter().zip(&k).map(|(t, k)| typed(*k, t.clone())).collect()).map_err(&e)?;
        }
        sw.finish().map_err(&e)?;
    }
    if super::write::has_reductions(m) {
        let k = kinds(&super::read::REDUCTION_COLUMNS);
        let mut sw =
            SheetWriter::new(&mut book, "reductions", &super::read::REDUCTION_COLUMNS).map_err(&e)?;
        for r in super::write::reduction_table(file, m)? {
            sw.row(r.iter().zip(&k).map(|(t, k)| typed(*k, t.clone())).collect()).map_err(&e)?;
        }
        sw.finish().map_err(&e)?;
    }
    let mut sw = SheetWriter::new(&mut book, "policy", &["setting", "value"]).map_err(&e)?;
    for (setting, v) in policy_rows(&m.policy.clone().unwrap_or_default()) {
        let value = match v {
            serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or(0.0), None),
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Array(items) if items.is_empty() => Value::Text("none".into()),
            serde_json::Value::Array(items) => {
                Value::Text(items.iter().filter_map(|i| i.as_str()).collect::<Vec<_>>().join(";"))
            }
            serde_json::Value::String(s) => Value::Text(s),
            _ => Value::Empty,
        };
        sw.row(vec![Value::Text(setting), value]).map_err(&e)?;
    }
    sw.finish().map_err(&e)?;
    book.save_to_buffer().map_err(&e)
}

/// A proposal as a workbook for the allocation meeting: sheets `summary` (the day the
/// allocation is for, the counts, and how to bring the meeting's decision back), `allocations`,
/// `unallocated` (with since when each child has waited, reasons, the sentence for the family,
/// and an empty `worker` column to type a worker into), `workers` (load as a share of target)
/// and `moves` (every child who changes or loses a worker, with why). Names and notes of the
/// model get their columns when it has any. It reads back as a proposal
/// (`meeting::read_meeting`), edits and all.
pub fn proposal_workbook(
    out: &str,
    m: &crate::model::Model,
    p: &crate::proposal::Proposal,
) -> Result<Vec<u8>> {
    let e = xlsx_err(out);
    let mut book = Workbook::new();
    stamp(&mut book);
    let text = |s: &str| Value::Text(s.to_string());
    let opt_text = |s: &Option<String>| s.as_deref().map_or(Value::Empty, text);
    let num = |x: f64| Value::Number(x, Some("0.0#"));
    let day = m.date.or(p.summary.date);
    let case_of = |id: &str| m.case_index(id).map(|i| &m.cases[i]);
    let names = m.cases.iter().any(|c| c.name.is_some());
    let notes = m.cases.iter().any(|c| c.notes.is_some());
    // The optional columns, by where they go: after the case, and last.
    let with = |columns: &[&'static str]| -> Vec<&'static str> {
        let mut out = vec![columns[0]];
        if names {
            out.push("name");
        }
        out.extend(&columns[1..]);
        if notes {
            out.push("notes");
        }
        out
    };
    let row = |case: Option<&crate::model::Case>, id: &str, rest: Vec<Value>| -> Vec<Value> {
        let mut out = vec![text(id)];
        if names {
            out.push(case.map_or(Value::Empty, |c| opt_text(&c.name)));
        }
        out.extend(rest);
        if notes {
            out.push(case.map_or(Value::Empty, |c| opt_text(&c.notes)));
        }
        out
    };

    // Warnings first, so the meeting sees them before it trusts the allocation.
    if !p.warnings.is_empty() {
        let mut sw = SheetWriter::new(&mut book, "warnings", &["code", "message"]).map_err(&e)?;
        for w in &p.warnings {
            sw.row(vec![text(&w.code), text(&w.message)]).map_err(&e)?;
        }
        sw.finish().map_err(&e)?;
    }
    let mut sw = SheetWriter::new(&mut book, "summary", &["item", "value"]).map_err(&e)?;
    let s = &p.summary;
    let mut lines: Vec<(&str, Value)> = Vec::new();
    if let Some(d) = day {
        lines.push((super::DAY_LABEL, text(&d.to_string())));
    }
    lines.extend([
        ("cases", Value::Number(s.cases.cases as f64, Some("0"))),
        ("allocated", Value::Number(s.cases.allocated as f64, Some("0"))),
        ("unallocated", Value::Number(s.cases.unallocated as f64, Some("0"))),
        ("kept", Value::Number(s.moves.kept as f64, Some("0"))),
        ("moved", Value::Number(s.moves.moved as f64, Some("0"))),
        ("new", Value::Number(s.moves.new as f64, Some("0"))),
        ("lose their worker", Value::Number(s.moves.lost as f64, Some("0"))),
        (
            "after the meeting",
            text(
                "Change a worker on the allocations sheet, type one on the unallocated sheet, or delete a row \
                 (that child is then unallocated); save, then run: caseload accept MODEL THIS-WORKBOOK -o NEXT",
            ),
        ),
    ]);
    for (item, value) in lines {
        sw.row(vec![text(item), value]).map_err(&e)?;
    }
    sw.finish().map_err(&e)?;

    let mut sw = SheetWriter::new(
        &mut book,
        "allocations",
        &with(&[
            "case",
            "type",
            "team",
            "weight",
            "worker",
            "worker role",
            "worker team",
            "change",
            "worker today",
        ]),
    )
    .map_err(&e)?;
    for a in &p.allocations {
        let case = case_of(&a.case);
        let worker = m.worker_index(&a.worker).map(|i| &m.workers[i]);
        sw.row(row(
            case,
            &a.case,
            vec![
                case.map_or(Value::Empty, |c| text(c.case_type.words())),
                case.map_or(Value::Empty, |c| text(&m.teams[c.team])),
                case.map_or(Value::Empty, |c| num(c.weight)),
                text(&a.worker),
                worker.map_or(Value::Empty, |w| text(&w.role.name().replace('_', " "))),
                worker.map_or(Value::Empty, |w| text(&m.teams[w.team])),
                text(a.change.name()),
                case.and_then(|c| c.current_worker).map_or(Value::Empty, |w| text(&m.workers[w].id)),
            ],
        ))
        .map_err(&e)?;
    }
    sw.finish().map_err(&e)?;

    let mut sw = SheetWriter::new(
        &mut book,
        "unallocated",
        &with(&[
            "case",
            "type",
            "team",
            "worker",
            "worker today",
            "waiting since",
            "weeks waiting",
            "shortfall",
            "reasons",
            "messages",
            "for the family",
            "what would help",
        ]),
    )
    .map_err(&e)?;
    for u in &p.unallocated {
        let case = case_of(&u.case);
        let structural = u.reasons.iter().any(|r| r.code.is_structural());
        // A child who has waited since a day, or who starts waiting on the allocation's day.
        let since = case.and_then(|c| c.waiting_since).or(day);
        let weeks = since.zip(day).map(|(a, b)| ((b.days() - a.days()).max(0) / 7) as f64);
        sw.row(row(
            case,
            &u.case,
            vec![
                text(u.case_type.words()),
                text(&u.team),
                Value::Empty,
                u.current_worker.as_deref().map_or(Value::Empty, text),
                since.map_or(Value::Empty, |d| text(&d.to_string())),
                weeks.map_or(Value::Empty, |w| Value::Number(w, Some("0"))),
                text(if structural { "structural" } else { "capacity" }),
                text(
                    &u.reasons
                        .iter()
                        .map(|r| crate::report::reason_label(r.code))
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                text(&u.reasons.iter().map(|r| r.message.as_str()).collect::<Vec<_>>().join(" ")),
                u.reasons.first().map_or(Value::Empty, |r| text(crate::report::family_message(r.code))),
                text(&u.actions()),
            ],
        ))
        .map_err(&e)?;
    }
    sw.finish().map_err(&e)?;

    let worker_names = m.workers.iter().any(|w| w.name.is_some());
    let mut sw = SheetWriter::new(
        &mut book,
        "workers",
        &[
            &["worker"][..],
            if worker_names { &["name"][..] } else { &[][..] },
            &[
                "role",
                "team",
                "status",
                "fte",
                "cases",
                "load",
                "target",
                "cap",
                "load of target",
                "room to cap",
                "oversight",
            ][..],
        ]
        .concat(),
    )
    .map_err(&e)?;
    for wl in &p.workers {
        let w = m.worker_index(&wl.worker).map(|i| &m.workers[i]);
        let active = w.is_none_or(|w| w.status == crate::model::Status::Active);
        let mut cells = vec![text(&wl.worker)];
        if worker_names {
            cells.push(w.map_or(Value::Empty, |w| opt_text(&w.name)));
        }
        cells.extend([
            w.map_or(Value::Empty, |w| text(&w.role.name().replace('_', " "))),
            w.map_or(Value::Empty, |w| text(&m.teams[w.team])),
            text(crate::report::status_word(wl.status)),
            w.map_or(Value::Empty, |w| num(w.fte)),
            Value::Number(wl.cases as f64, Some("0")),
            num(wl.load),
            num(wl.target),
            num(wl.cap),
            if wl.target > 0.0 { Value::Number(wl.load / wl.target, Some("0%")) } else { Value::Empty },
            if active { num(crate::explain::round9((wl.cap - wl.load).max(0.0))) } else { Value::Empty },
            num(wl.oversight),
        ]);
        sw.row(cells).map_err(&e)?;
    }
    sw.finish().map_err(&e)?;

    let mut sw =
        SheetWriter::new(&mut book, "moves", &["case", "type", "team", "from", "to", "why"]).map_err(&e)?;
    for mv in crate::moves::moves(m, p) {
        sw.row(vec![
            text(&mv.case),
            text(mv.case_type.words()),
            text(&mv.team),
            text(&mv.from),
            mv.to.as_deref().map_or(text("nobody (unallocated)"), text),
            text(&mv.why),
        ])
        .map_err(&e)?;
    }
    sw.finish().map_err(&e)?;
    book.save_to_buffer().map_err(&e)
}
