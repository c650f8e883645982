//! Excel workbooks (`.xlsx`) read: a model from the sheets `workers`, `cases` and an optional
//! `policy` (with our own bounded reader, `xlsx`), under the same header rules and with the same row and column
//! messages as CSV. Workbooks are written by [`super::write::workbook`].
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

use super::read::{Grid, Sheets};
use crate::error::{Error, Errors, Result};
use crate::model::PolicyInput;
use crate::vocabulary::Vocabulary;
use crate::warnings::quoted;
use std::path::Path;

/// Whether a path names an Excel workbook (by its extension, `.xlsx` or `.xlsm`).
pub fn is_workbook(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx") || e.eq_ignore_ascii_case("xlsm"))
}

/// Reads a model from a workbook on disk, with an optional policy file (JSON) that replaces
/// the workbook's `policy` sheet; see [`parse_workbook`].
/// Near-misses are named among the mistakes of cells if `near_misses`.
pub fn read_workbook(path: &Path, policy: Option<&Path>, near_misses: bool) -> Result<Sheets> {
    let bytes = crate::read::read_bytes(path)?;
    let pb = policy.map(crate::read::read_bytes).transpose()?;
    let pname = policy.map(|p| p.display().to_string());
    parse_workbook_checked(
        &path.display().to_string(),
        &bytes,
        pname.as_deref().zip(pb.as_deref()),
        near_misses,
    )
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
    parse_workbook_checked(file, bytes, policy, false)
}

/// [`parse_workbook`], naming near-misses among the mistakes of cells if `near_misses`.
pub fn parse_workbook_checked(
    file: &str,
    bytes: &[u8],
    policy: Option<(&str, &[u8])>,
    near_misses: bool,
) -> Result<Sheets> {
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
    let mut extra = super::read::Extra { near_misses, ..super::read::Extra::default() };
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
