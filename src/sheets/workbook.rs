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
use crate::util::clipped;
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

/// A sheet's name quoted as messages show it: its first 40 characters of a longer one
/// ([`clipped`]).
fn named(sheet: &str) -> String {
    quoted(&clipped(sheet))
}

/// The sheets of `names` that name the sheet `known` (without regard to case or the spaces
/// around them), as messages quote them: more than one is a workbook whose copies would be
/// read first-come.
pub(super) fn naming(names: &[String], known: &str) -> Vec<String> {
    names.iter().filter(|n| n.trim().eq_ignore_ascii_case(known)).map(|n| named(n)).collect()
}

/// The name a sheet is given in messages: `book.xlsx, sheet workers` (a long name clipped).
fn sheet_file(file: &str, sheet: &str) -> String {
    format!("{file}, sheet {}", clipped(sheet))
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
            || crate::vocabulary::distance_at_most(&folded, k, 2).is_some()
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
        let same = naming(&names, known);
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
                    format!("sheet {}", named(n)),
                    format!("the workbook has no {k} sheet, and this sheet is not read; did you mean {k}? Rename it {k}"),
                ))
            }
            meant => notes.push(crate::warnings::Warning {
                code: "unknown_sheet".into(),
                message: format!(
                    "{file}: the sheet {} is not read (caseload reads workers, cases, policy, reductions and aliases){}",
                    named(n),
                    meant.map_or(String::new(), |k| format!("; did you mean {k}?"))
                ),
            }),
        }
    }
    let shown_names = if names.is_empty() {
        "none".to_string()
    } else {
        names.iter().map(|n| named(n)).collect::<Vec<_>>().join(", ")
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
        let g = book.grid(&name, &shown)?;
        notes.extend(read_as_shown(file, want, &g));
        if book.is_hidden(&name) {
            // A hidden sheet is read like a shown one; the person may be looking at another
            // (`cases (new)`) and expect that one to count.
            let shown_beside: Vec<String> =
                names.iter().filter(|n| **n != name && !book.is_hidden(n)).map(|n| named(n)).collect();
            notes.push(crate::warnings::Warning {
                code: "hidden_sheet".into(),
                message: format!(
                    "{file}: sheet {} is hidden; it was read as the {want} sheet{}. Show it to check it, or name the sheet to read {want}",
                    clipped(&name),
                    if shown_beside.is_empty() {
                        String::new()
                    } else {
                        format!(" (the sheets shown are {})", crate::words::and_list(&shown_beside))
                    }
                ),
            });
        }
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
            extra.words = super::read::aliases_sheet(&shown, g, &mut errs, &mut extra.notes);
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
            Some((shown, g)) => {
                let (policy, rows) = policy_sheet(&shown, g, &extra.words, &mut errs, &mut extra.notes);
                extra.policy_rows = rows;
                (policy, Some(shown))
            }
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
    // The workbook's own warnings (sheets, hidden rows, merged cells), then the sheets'.
    notes.append(&mut s.warnings);
    s.warnings = notes;
    Ok(s)
}

/// A warning's places, `total` of them, from their first ones (`first`, at least [`SHOWN`]
/// when there are more): `7, 9 and 12`, or the first [`SHOWN`] and how many more.
fn some_places<S: AsRef<str>>(first: &[S], total: usize) -> String {
    if total <= SHOWN {
        return crate::words::and_list(&first[..total.min(first.len())]);
    }
    let shown: Vec<&str> = first.iter().take(SHOWN).map(AsRef::as_ref).collect();
    format!("{} and {} more", shown.join(", "), total - SHOWN)
}

/// Places a sheet's warning lists before it counts the rest.
const SHOWN: usize = 12;

/// What a sheet read as Excel shows it says of that: its hidden rows ([`hidden_rows`]) and
/// merged cells ([`merged_cells`]); a model workbook's sheets and a meeting workbook's alike.
pub(super) fn read_as_shown(file: &str, sheet: &str, g: &Grid) -> Vec<crate::warnings::Warning> {
    hidden_rows(file, sheet, g).into_iter().chain(merged_cells(file, sheet, g)).collect()
}

/// The warning that rows of a sheet are hidden (by hand or by a filter) and were read all the
/// same: `3 rows of sheet cases are hidden by a filter; they were read: rows 7, 9 and 12`.
fn hidden_rows(file: &str, sheet: &str, g: &Grid) -> Option<crate::warnings::Warning> {
    let n = g.hidden.len();
    let rows: Vec<String> = g.hidden.iter().take(SHOWN).map(|r| r.to_string()).collect();
    let listed = match n {
        0 => return None,
        1 => format!("row {}", rows[0]),
        _ => format!("rows {}", some_places(&rows, n)),
    };
    let how = if g.filtered { " by a filter" } else { "" };
    let message = if n == 1 {
        format!("{file}: 1 row of sheet {sheet} is hidden{how}; it was read: {listed}")
    } else {
        format!("{file}: {n} rows of sheet {sheet} are hidden{how}; they were read: {listed}")
    };
    Some(crate::warnings::Warning { code: "hidden_rows".into(), message })
}

/// The warning that a sheet has merged cells, each read as the range's first:
/// `sheet cases has merged cells; each cell of a range was read as its first: A3:A5`.
fn merged_cells(file: &str, sheet: &str, g: &Grid) -> Option<crate::warnings::Warning> {
    let n = g.merged.len();
    if n == 0 {
        return None;
    }
    let message = format!(
        "{file}: sheet {sheet} has merged cells; each cell of {} was read as its first: {}",
        if n == 1 { "the range" } else { "a range" },
        some_places(&g.merged, n)
    );
    Some(crate::warnings::Warning { code: "merged_cells".into(), message })
}

/// The policy sheet's columns for a person's notes, not read (the template writes `note`).
const NOTE_COLUMNS: [&str; 4] = ["note", "notes", "comment", "comments"];

/// How a policy setting's value is read from its cell, and what follows its name after a dot.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    /// One number (`oversight_cap`).
    Number,
    /// True or false (`cross_team`).
    Boolean,
    /// A `;`-separated list of roles, or `none` (`supervised_roles`).
    Roles,
    /// A number for the role named after the dot (`caps.social_worker`).
    NumberPerRole,
    /// A number for the case type named after the dot (`weights.looked_after`).
    NumberPerType,
    /// A list of roles for the case type named after the dot (`may_hold.care_leaver`).
    RolesPerType,
    /// The role or case type that the council's word after the dot means
    /// (`aliases.Senior Practitioner`).
    Word,
}

/// Every setting of the policy, named as in the model file, with how its value is read.
const SETTINGS: [(&str, Kind); 16] = [
    ("may_hold", Kind::RolesPerType),
    ("supervised_roles", Kind::Roles),
    ("supervisor_roles", Kind::Roles),
    ("caps", Kind::NumberPerRole),
    ("targets", Kind::NumberPerRole),
    ("weights", Kind::NumberPerType),
    ("priority", Kind::NumberPerType),
    ("oversight_cap", Kind::Number),
    ("move_penalty", Kind::Number),
    ("overload_penalty", Kind::Number),
    ("cross_team", Kind::Boolean),
    ("cross_team_penalty", Kind::Number),
    ("fairness_penalty", Kind::Number),
    ("return_bonus", Kind::Number),
    ("waiting_priority", Kind::Number),
    ("aliases", Kind::Word),
];

/// The settings of a policy sheet: the policy (what did read, also when some rows did not) and
/// the row of each setting, named as the model's checks place it (`caps.social_worker`).
type PolicyRows = (Option<PolicyInput>, std::collections::BTreeMap<String, usize>);

/// Reads a policy sheet (`setting`, `value`) into a policy, each mistake into `errs` at its row
/// and column, every row read (so one run names every mistake). Roles and case types, in
/// setting names (`caps.Senior Practitioner`) and in lists, may be everyday words. A row whose
/// value is empty is left out (the default holds).
fn policy_sheet(
    file: &str,
    mut grid: Grid,
    words: &Vocabulary,
    errs: &mut Errors,
    notes: &mut Vec<crate::warnings::Warning>,
) -> PolicyRows {
    let mut places = std::collections::BTreeMap::new();
    let faults = std::mem::take(&mut grid.faults);
    // The header may have titles above it, as a table sheet's may.
    let names_column = |h: &str| ["setting", "value"].contains(&h.trim().to_lowercase().as_str());
    let Some(at) = super::read::find_header(&grid.rows, names_column) else {
        faults.iter().for_each(|f| errs.push(super::read::fault_error(file, f, None)));
        return (None, places);
    };
    let mut rows =
        grid.rows.into_iter().skip(at.index).filter(|(_, c)| c.iter().any(|x| !x.trim().is_empty()));
    let Some((hrow, header)) = rows.next() else { return (None, places) };
    let names: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    let col = |want: &str| names.iter().position(|n| n == want);
    let (Some(sc), Some(vc)) = (col("setting"), col("value")) else {
        errs.push(Error::input(
            file,
            format!("row {hrow}"),
            "the first row must name the columns setting and value",
        ));
        faults.iter().for_each(|f| errs.push(super::read::fault_error(file, f, None)));
        return (None, places);
    };
    for &row in &at.stray {
        errs.push(super::read::stray_row(file, row, hrow));
    }
    notes.extend(super::read::title_warning(file, &at.titles, hrow));
    // The cells that could not be read, each under its column's header; a setting that could
    // not be read is named so, not again as empty.
    let unread: std::collections::HashSet<usize> =
        faults.iter().filter(|f| f.row > hrow && f.column == sc).map(|f| f.row).collect();
    for f in &faults {
        let named = if f.row <= hrow {
            None
        } else if f.column == sc {
            Some("setting")
        } else if f.column == vc {
            Some("value")
        } else {
            header.get(f.column).map(String::as_str)
        };
        errs.push(super::read::fault_error(file, f, named));
    }
    let mut root = serde_json::Map::new();
    let mut seen: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    // Columns other than setting, value and the template's note: a value typed there (`our
    // value`, a column beside value) would not be read, so the first such cell of each column
    // is an error.
    let mut others: Vec<usize> = (0..names.len())
        .filter(|&j| j != sc && j != vc && !NOTE_COLUMNS.contains(&names[j].as_str()))
        .collect();
    for (number, cells) in rows {
        others.retain(|&j| {
            let Some(cell) = cells.get(j).map(|c| c.trim()).filter(|c| !c.is_empty()) else { return true };
            let header = header.get(j).map_or("", |h| h.trim());
            let column = if header.is_empty() {
                super::column_letters(j)
            } else {
                header.to_string()
            };
            errs.push(Error::input(
                file,
                format!("row {number}, column {column}"),
                format!(
                    "{} is not read: only the column value is (and note, for your notes); move it to value, or clear the column",
                    quoted(cell)
                ),
            ));
            false
        });
        let setting = cells.get(sc).map(|s| s.trim()).unwrap_or("");
        let value = cells.get(vc).map(|s| s.trim()).unwrap_or("");
        let at = |column: &str| format!("row {number}, column {column}");
        if setting.is_empty() {
            if !unread.contains(&number) {
                errs.push(Error::input(file, at("setting"), "empty; name the setting"));
            }
            continue;
        }
        if value.is_empty() {
            continue;
        }
        let (key, place) = match setting_key(setting, words) {
            Ok(k) => k,
            Err(problem) => {
                errs.push(Error::input(file, at("setting"), problem));
                continue;
            }
        };
        let first = seen.get(&key).copied();
        if let Some(first) = first {
            errs.push(Error::input(
                file,
                at("setting"),
                format!("{} is given twice (also in row {first}); keep one", quoted(&key)),
            ));
        } else {
            seen.insert(key.clone(), number);
        }
        // The value is read even when the setting is given twice, so its mistake is named now.
        let v = match setting_value(&key, value, words) {
            Ok(v) => v,
            Err(problems) => {
                problems.into_iter().for_each(|p| errs.push(Error::input(file, at("value"), p)));
                continue;
            }
        };
        if first.is_some() {
            continue;
        }
        match key.split_once('.') {
            None => {
                root.insert(key.clone(), v);
            }
            Some((top, sub)) => {
                let entry = root
                    .entry(top.to_string())
                    .or_insert_with(|| serde_json::Value::Object(Default::default()));
                if let serde_json::Value::Object(o) = entry {
                    o.insert(sub.to_string(), v);
                }
            }
        }
        places.insert(place, number);
    }
    // Every value was read for its setting above, so the policy reads; kept panic-free.
    let p: PolicyInput = match serde_json::from_value(serde_json::Value::Object(root)) {
        Ok(p) => p,
        Err(_) => {
            errs.push(Error::input(
                file,
                "column value",
                "internal: the settings, each read, do not make a policy; please report this",
            ));
            return (None, places);
        }
    };
    (if p == PolicyInput::default() { None } else { Some(p) }, places)
}

/// A setting's name as the model file writes it (`caps.social_worker` for `Caps.Social
/// Worker` or `caps.SW`), and the place the model's checks give it (`aliases."word"` for a
/// council's word); or what is wrong with the name.
fn setting_key(setting: &str, words: &Vocabulary) -> std::result::Result<(String, String), String> {
    let (top, sub) = match setting.split_once('.') {
        Some((top, sub)) => (top.trim(), Some(sub.trim()).filter(|s| !s.is_empty())),
        None => (setting, None),
    };
    let name = crate::vocabulary::sheet_key(top);
    let Some(&(name, kind)) = SETTINGS.iter().find(|(n, _)| *n == name) else {
        let known: Vec<String> = SETTINGS.iter().map(|(n, _)| n.to_string()).collect();
        return Err(format!(
            "unknown setting {}{}; settings are named as in the model file's policy, such as caps.social_worker",
            quoted(setting),
            crate::vocabulary::did_you_mean(top, &known)
        ));
    };
    let roles = || crate::model::Role::ALL.iter().map(|r| r.name()).collect::<Vec<_>>().join(", ");
    let types = || crate::model::CaseType::ALL.iter().map(|t| t.name()).collect::<Vec<_>>().join(", ");
    let example = match kind {
        Kind::NumberPerRole => "social_worker",
        Kind::NumberPerType | Kind::RolesPerType => "looked_after",
        Kind::Word => "Senior Practitioner",
        Kind::Number | Kind::Boolean | Kind::Roles => {
            return match sub {
                None => Ok((name.to_string(), name.to_string())),
                Some(_) => Err(format!(
                    "unknown setting {}: {name} is one setting, with nothing after a dot; name it {name}",
                    quoted(setting)
                )),
            };
        }
    };
    let Some(sub) = sub else {
        let what = if kind == Kind::Word {
            "word"
        } else if kind == Kind::NumberPerRole {
            "role"
        } else {
            "case type"
        };
        return Err(format!(
            "{name} is set one {what} at a time: name the {what} after a dot, such as {name}.{example}"
        ));
    };
    let sub = match kind {
        Kind::NumberPerRole => words.role(sub).map(|r| r.name().to_string()).ok_or_else(|| {
            format!(
                "unknown role {} in the setting {}{}; name a role after the dot, one of {}, or an everyday word such as senior practitioner or NQSW",
                quoted(sub),
                quoted(setting),
                words.suggest_role(sub),
                roles()
            )
        })?,
        Kind::NumberPerType | Kind::RolesPerType => {
            words.case_type(sub).map(|t| t.name().to_string()).ok_or_else(|| {
                format!(
                    "unknown case type {} in the setting {}{}; name a case type after the dot, one of {}, or an everyday word such as CP, CIN, LAC or care leaver",
                    quoted(sub),
                    quoted(setting),
                    words.suggest_type(sub),
                    types()
                )
            })?
        }
        _ => {
            let place = format!("{name}.{}", crate::util::quoted(sub));
            return Ok((format!("{name}.{sub}"), place));
        }
    };
    let key = format!("{name}.{sub}");
    Ok((key.clone(), key))
}

/// A setting's value read from its cell, as the model file would hold it; or every mistake in
/// it (each unknown role of a list).
fn setting_value(
    key: &str,
    value: &str,
    words: &Vocabulary,
) -> std::result::Result<serde_json::Value, Vec<String>> {
    let top = key.split_once('.').map_or(key, |(top, _)| top);
    let kind = SETTINGS.iter().find(|(n, _)| *n == top).map_or(Kind::Word, |(_, k)| *k);
    match kind {
        Kind::Number | Kind::NumberPerRole | Kind::NumberPerType => match value.parse::<f64>() {
            Ok(x) => serde_json::Number::from_f64(x).map(serde_json::Value::Number).ok_or_else(|| {
                vec![format!("{key}: {} is not a finite number; give a number such as 20", quoted(value))]
            }),
            Err(_) => {
                let hint = if value.contains(',') { "; write decimals with a dot, as in 0.5" } else { "" };
                Err(vec![format!("{key}: {} is not a number; give a number such as 20{hint}", quoted(value))])
            }
        },
        Kind::Boolean => match value.to_lowercase().as_str() {
            "true" | "yes" | "y" | "1" => Ok(serde_json::Value::Bool(true)),
            "false" | "no" | "n" | "0" => Ok(serde_json::Value::Bool(false)),
            _ => Err(vec![format!(
                "{key}: {} is not true or false (also accepted: yes/no, y/n, 1/0)",
                quoted(value)
            )]),
        },
        Kind::Roles | Kind::RolesPerType => {
            if value.eq_ignore_ascii_case("none") {
                return Ok(serde_json::Value::Array(Vec::new()));
            }
            let roles: Vec<&str> = crate::model::Role::ALL.iter().map(|r| r.name()).collect();
            let (mut read, mut problems) = (Vec::new(), Vec::new());
            for item in value.split(';').map(str::trim).filter(|s| !s.is_empty()) {
                match words.role(item) {
                    Some(r) => read.push(serde_json::Value::String(r.name().to_string())),
                    None => problems.push(format!(
                        "{key}: unknown role {}{}; give roles separated by ;, each one of {}, or an everyday word such as senior practitioner or NQSW (none for no role)",
                        quoted(item),
                        words.suggest_role(item),
                        roles.join(", ")
                    )),
                }
            }
            if problems.is_empty() {
                Ok(serde_json::Value::Array(read))
            } else {
                Err(problems)
            }
        }
        Kind::Word => Ok(serde_json::Value::String(value.to_string())),
    }
}
