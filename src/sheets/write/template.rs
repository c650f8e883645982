//! `caseload template`: a starter workbook a manager fills in without reading the README.
//!
//! Sheets: `how to` (one screen), `workers`, `cases`, `reductions`, `policy` (the England
//! defaults, each with what it means and where it comes from) and `aliases` (a council's own
//! words). Each header cell shows an input message saying what goes in the column; role, type,
//! team, worker, status and yes/no columns have dropdowns (Excel data validation lists); caps,
//! fte, weights and other numbers are checked by Excel as they are typed. Role and type
//! dropdowns warn rather than stop, since the everyday words of [`crate::vocabulary`] (`CP`,
//! `NQSW`) are read too. Read back untouched, the template is an empty model
//! (`convert --workbook team.xlsx --allow-empty`).

use crate::error::{Error, Result};
use crate::model::{CaseType, Policy, Role};
use crate::sheets::columns::{ALIAS_COLUMNS, REDUCTION_COLUMNS};
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, DataValidationRule, Format, Formula, Workbook, Worksheet,
    XlsxError,
};

/// The last row (0-based) that dropdowns and number checks cover.
const LAST_ROW: u32 = 4999;

/// How a column is checked as it is typed.
enum Check {
    /// Any value.
    Any,
    /// One of these words; `strict` stops other values, otherwise Excel only warns.
    List(Vec<String>, bool),
    /// A value of another column (a formula such as `=workers!$C$2:$C$5000`); Excel warns.
    From(&'static str),
    /// A number at least this (`true`: strictly greater).
    AtLeast(f64, bool),
    /// A number between these, inclusive.
    Between(f64, f64),
}

/// A column: header, what it holds (the input message) and its check.
struct Column {
    header: &'static str,
    message: &'static str,
    check: Check,
}

fn col(header: &'static str, message: &'static str, check: Check) -> Column {
    Column { header, message, check }
}

fn role_words() -> Vec<String> {
    Role::ALL.iter().map(|r| r.name().replace('_', " ")).collect()
}

fn type_words() -> Vec<String> {
    CaseType::ALL.iter().map(|t| t.name().replace('_', " ")).collect()
}

fn yes_no() -> Check {
    Check::List(vec!["yes".into(), "no".into()], true)
}

fn worker_columns() -> Vec<Column> {
    vec![
        col("id", "A short unique id for the worker or post, such as W01. Cases name workers by it.", Check::Any),
        col(
            "role",
            "Pick from the list, or type your own word: senior practitioner, NQSW, ASYE, SWA, FSW, PA and other common terms are read too (README: everyday words).",
            Check::List(role_words(), false),
        ),
        col("team", "The worker's team, such as North. Cases pick their team from this column.", Check::Any),
        col("fte", "Full-time equivalent, above 0 and at most 1. Empty: 1 (full time).", Check::Between(0.01, 1.0)),
        col("cap", "Hard most caseload (sum of case weights). Empty: the policy cap for the role x fte.", Check::AtLeast(0.0, false)),
        col("target", "Manageable caseload; load above it is allowed up to the cap but avoided. Empty: the policy target x fte.", Check::AtLeast(0.0, false)),
        col("skills", "Skills, separated by ; such as urdu;bsl. A case that needs a skill goes only to a worker who has it.", Check::Any),
        col("supervisor", "For assistants and family support workers: the id of the qualified worker who supervises them.", Check::From("=$A$2:$A$5000")),
        col("oversight_cap", "Most case weight this worker may oversee for supervisees. Empty: the policy's oversight_cap.", Check::AtLeast(0.0, false)),
        col("status", "active (default), vacant (a post with nobody in it) or absent (leaving, sick or on leave). Only active workers hold cases.", Check::List(vec!["active".into(), "vacant".into(), "absent".into()], true)),
        col("agency", "yes for an agency worker (for information only).", yes_no()),
        col("name", "The worker's name, for people; never used to allocate.", Check::Any),
        col("notes", "A note for the allocation meeting; never used to allocate.", Check::Any),
    ]
}

fn case_columns() -> Vec<Column> {
    vec![
        col("id", "A short unique id for the child's case, such as C0001.", Check::Any),
        col(
            "type",
            "Pick from the list, or type CP, CIN, CLA, LAC, care leaver and other common terms (README: everyday words).",
            Check::List(type_words(), false),
        ),
        col("team", "The team that owns the case: one of the teams of the workers sheet.", Check::From("=workers!$C$2:$C$5000")),
        col("weight", "How much of a caseload it uses, above 0. Empty: the policy weight for the type (1).", Check::AtLeast(0.0, true)),
        col("priority", "Value of giving the child a worker. Empty: the policy priority for the type.", Check::AtLeast(0.0, false)),
        col("current_worker", "The id of the worker who holds the case today, if any.", Check::From("=workers!$A$2:$A$5000")),
        col("pinned", "yes: the case must stay with its current worker.", yes_no()),
        col("group", "Siblings share a group name: they all go to one worker, or all wait.", Check::Any),
        col("needs", "Skills the worker must have, separated by ; such as urdu.", Check::Any),
        col("exclude", "Ids of workers who must not hold the case (conflict of interest), separated by ;", Check::Any),
        col("name", "The child's name, for people; never used to allocate.", Check::Any),
        col("notes", "A note for the allocation meeting; never used to allocate.", Check::Any),
    ]
}

fn reduction_columns() -> Vec<Column> {
    let messages = [
        ("The id of the worker whose cap and target are reduced.", Check::From("=workers!$A$2:$A$5000")),
        (
            "Caseload units taken off the cap and the target while it is in force, above 0.",
            Check::AtLeast(0.0, true),
        ),
        ("First day in force: a date, or text as YYYY-MM-DD.", Check::Any),
        ("Last day in force (kept in force that day): a date, or text as YYYY-MM-DD.", Check::Any),
        ("Why: court work, a phased return, ASYE protected caseload, study leave.", Check::Any),
    ];
    REDUCTION_COLUMNS.iter().zip(messages).map(|(h, (m, c))| col(h, m, c)).collect()
}

fn alias_columns() -> Vec<Column> {
    let mut means = role_words();
    means.extend(type_words());
    let checks = [
        ("A word your council uses for a role or case type, such as Practitioner or Section 47.", Check::Any),
        ("What it means: a role or case type from the list.", Check::List(means, false)),
    ];
    ALIAS_COLUMNS.iter().zip(checks).map(|(h, (m, c))| col(h, m, c)).collect()
}

/// The policy sheet's rows: setting, value (a number, yes/no, a list of words, or empty for
/// "as the default says") and the note.
fn policy_rows() -> Vec<(String, PolicyValue, String)> {
    let p = Policy::england();
    let words =
        |roles: &[Role]| roles.iter().map(|r| r.name().replace('_', " ")).collect::<Vec<_>>().join("; ");
    let mut out = Vec::new();
    let may_hold_notes = [
        (CaseType::LookedAfter, "Children Act 1989 s.22 and the Care Planning Regulations 2010: every looked-after child has an allocated, registered social worker."),
        (CaseType::ChildProtection, "Working Together to Safeguard Children 2023: the lead practitioner is an experienced, qualified social worker (not in the ASYE)."),
        (CaseType::ChildInNeed, "Working Together 2023 allows a lead practitioner for child-in-need work who need not be a social worker, under supervision."),
        (CaseType::CareLeaver, "Children (Leaving Care) Act 2000 and the Care Leavers (England) Regulations 2010: a personal adviser, who need not be a social worker."),
    ];
    for (t, note) in may_hold_notes {
        let roles = p.may_hold.get(&t).cloned().unwrap_or_default();
        out.push((
            format!("may_hold.{}", t.name()),
            PolicyValue::Text(words(&roles)),
            format!("Roles that may hold a {} case, separated by ;. {note}", t.words()),
        ));
    }
    out.push((
        "supervised_roles".into(),
        PolicyValue::Text(words(&p.supervised_roles)),
        "Roles whose cases need an active, qualified supervisor: unqualified staff work under a registered social worker (Social Work England standards).".into(),
    ));
    out.push((
        "supervisor_roles".into(),
        PolicyValue::Text(words(&p.supervisor_roles)),
        "Roles that may supervise them.".into(),
    ));
    for (r, cap) in &p.caps {
        out.push((
            format!("caps.{}", r.name()),
            PolicyValue::Number(*cap),
            format!(
                "Hard most caseload of a full-time {} (sum of case weights). 18 for a social worker is the manageable caseload Birmingham reached by 2015 and a common benchmark; NQSWs have a protected caseload in the ASYE; team managers hold few cases.",
                r.name().replace('_', " ")
            ),
        ));
    }
    for r in p.targets.keys() {
        out.push((
            format!("targets.{}", r.name()),
            PolicyValue::Empty,
            format!(
                "Manageable caseload of a full-time {}: load above it is penalised. Empty: equal to the cap.",
                r.name().replace('_', " ")
            ),
        ));
    }
    for (t, w) in &p.weights {
        out.push((
            format!("weights.{}", t.name()),
            PolicyValue::Number(*w),
            format!("How much of a caseload a {} case uses.", t.words()),
        ));
    }
    for (t, v) in &p.priority {
        out.push((
            format!("priority.{}", t.name()),
            PolicyValue::Number(*v),
            format!("Value of giving a {} case a worker: statutory duties first.", t.words()),
        ));
    }
    let single = [
        ("oversight_cap", PolicyValue::Number(p.oversight_cap), "Most case weight of supervisees' cases one supervisor oversees (local practice)."),
        ("move_penalty", PolicyValue::Number(p.move_penalty), "Cost of each child whose worker changes: a change of social worker is itself a harm (Ofsted; the Children's Commissioner)."),
        ("overload_penalty", PolicyValue::Number(p.overload_penalty), "Cost of each unit of load above a worker's target."),
        ("cross_team", PolicyValue::Bool(p.cross_team), "yes: cases may go to workers of other teams."),
        ("cross_team_penalty", PolicyValue::Number(p.cross_team_penalty), "Cost of each case given outside its team (when cross_team is yes)."),
        ("fairness_penalty", PolicyValue::Number(p.fairness_penalty), "Weight of spreading loads evenly; 0 leaves it out (README: fair workloads)."),
        ("return_bonus", PolicyValue::Number(p.return_bonus), "Value of a child returning to a worker who knew them; 0 leaves it out."),
    ];
    out.extend(single.into_iter().map(|(s, v, n)| (s.to_string(), v, n.to_string())));
    out
}

/// A value of the policy sheet.
enum PolicyValue {
    Number(f64),
    Bool(bool),
    Text(String),
    Empty,
}

const HOW_TO: [&str; 12] = [
    "How to fill in this workbook",
    "1. workers: one row per worker or post (a vacant post too, with status vacant). id, role and team are needed; the rest may stay empty.",
    "2. cases: one row per child. id, type and team are needed. current_worker is who holds the case today.",
    "3. reductions (optional): one row per dated reduction of a worker's caseload: court work, a phased return, ASYE protection.",
    "4. policy: the England defaults, each with what it means and its source. Change a value to your council's; leave a value empty for the default.",
    "5. aliases (optional): your council's own words for roles and types, if the built-in ones (CP, CIN, LAC, NQSW, senior practitioner...) are not enough.",
    "Click a column's header to see what goes in it. Dropdowns offer the usual values; a yellow warning means Excel does not know the word, caseload may.",
    "Lists in one cell (skills, needs, exclude) are separated by ;",
    "Then, in a terminal:  caseload allocate --workbook team.xlsx -o proposal.json --xlsx meeting.xlsx",
    "Every mistake is named with its sheet, row and column; nothing is written until the workbook is right.",
    "To check the workbook without allocating:  caseload convert --workbook team.xlsx -o model.json",
    "The README explains every column, the rules and the policy in full.",
];

fn xlsx_err(e: XlsxError) -> Error {
    Error::Write { path: "template".into(), problem: format!("cannot build the workbook: {e}") }
}

/// Writes a header row with input messages and the columns' checks down to [`LAST_ROW`].
fn table(ws: &mut Worksheet, columns: &[Column]) -> std::result::Result<(), XlsxError> {
    let bold = Format::new().set_bold().set_background_color("#DDEBF7");
    for (j, c) in columns.iter().enumerate() {
        let j = j as u16;
        ws.write_string_with_format(0, j, c.header, &bold)?;
        ws.set_column_width(j, (c.header.len() + 6).max(14) as f64)?;
        let title: String = c.header.chars().take(32).collect();
        let header = DataValidation::new()
            .allow_any_value()
            .set_input_title(title.clone())?
            .set_input_message(c.message)?;
        ws.add_data_validation(0, j, 0, j, &header)?;
        let check = match &c.check {
            Check::Any => continue,
            Check::List(items, strict) => {
                let dv = DataValidation::new().allow_list_strings(items)?;
                if *strict {
                    dv.set_error_message(format!("Use one of: {}.", items.join(", ")))?
                } else {
                    dv.set_error_style(DataValidationErrorStyle::Warning).set_error_message(
                        "Not a word of the list. caseload also reads common terms (CP, CIN, LAC, NQSW, senior practitioner) and your aliases sheet: choose Yes to keep it.",
                    )?
                }
            }
            Check::From(range) => DataValidation::new()
                .allow_list_formula(Formula::new(*range))
                .set_error_style(DataValidationErrorStyle::Warning)
                .set_error_message(
                    "Not found in the workers sheet (yet). Choose Yes to keep it if you add it there.",
                )?,
            Check::AtLeast(x, strict) => {
                let rule = if *strict {
                    DataValidationRule::GreaterThan(*x)
                } else {
                    DataValidationRule::GreaterThanOrEqualTo(*x)
                };
                let word = if *strict { "above" } else { "at least" };
                DataValidation::new()
                    .allow_decimal_number(rule)
                    .set_error_message(format!("A number {word} {x}."))?
            }
            Check::Between(a, b) => DataValidation::new()
                .allow_decimal_number(DataValidationRule::Between(*a, *b))
                .set_error_message(format!("A number from {a} to {b}."))?,
        };
        let check = check.set_input_title(title)?.set_input_message(c.message)?;
        ws.add_data_validation(1, j, LAST_ROW, j, &check)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

fn build() -> std::result::Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let wrap = Format::new().set_text_wrap();

    let ws = book.add_worksheet();
    ws.set_name("how to")?;
    ws.set_column_width(0, 120)?;
    for (i, line) in HOW_TO.iter().enumerate() {
        if i == 0 {
            ws.write_string_with_format(0, 0, *line, &Format::new().set_bold().set_font_size(14))?;
        } else {
            ws.write_string_with_format(i as u32 + 1, 0, *line, &wrap)?;
        }
    }

    for (name, columns) in
        [("workers", worker_columns()), ("cases", case_columns()), ("reductions", reduction_columns())]
    {
        let ws = book.add_worksheet();
        ws.set_name(name)?;
        table(ws, &columns)?;
    }

    let ws = book.add_worksheet();
    ws.set_name("policy")?;
    let bold = Format::new().set_bold().set_background_color("#DDEBF7");
    for (j, h) in ["setting", "value", "note"].iter().enumerate() {
        ws.write_string_with_format(0, j as u16, *h, &bold)?;
    }
    ws.set_column_width(0, 40)?;
    ws.set_column_width(1, 60)?;
    ws.set_column_width(2, 100)?;
    for (i, (setting, value, note)) in policy_rows().into_iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, &setting)?;
        let check = match value {
            PolicyValue::Number(x) => {
                ws.write_number(r, 1, x)?;
                Some(
                    DataValidation::new().allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0)),
                )
            }
            PolicyValue::Bool(b) => {
                ws.write_string(r, 1, if b { "yes" } else { "no" })?;
                Some(DataValidation::new().allow_list_strings(&["yes", "no"])?)
            }
            PolicyValue::Text(t) => {
                ws.write_string(r, 1, &t)?;
                None
            }
            PolicyValue::Empty => Some(
                DataValidation::new().allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0)),
            ),
        };
        if let Some(dv) = check {
            ws.add_data_validation(r, 1, r, 1, &dv)?;
        }
        ws.write_string_with_format(r, 2, &note, &wrap)?;
    }
    ws.set_freeze_panes(1, 0)?;

    let ws = book.add_worksheet();
    ws.set_name("aliases")?;
    table(ws, &alias_columns())?;

    // Dated by SOURCE_DATE_EPOCH when set, like the other workbooks, so the bytes are reproducible.
    let secs = crate::date::stamp_secs();
    if let Ok(t) = rust_xlsxwriter::ExcelDateTime::from_timestamp(secs - secs.rem_euclid(86_400)) {
        book.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&t));
    }
    book.save_to_buffer()
}

/// The starter workbook's bytes.
pub fn template_workbook() -> Result<Vec<u8>> {
    build().map_err(xlsx_err)
}
