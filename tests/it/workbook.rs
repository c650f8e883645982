//! Excel workbooks in and out: lossless round trips, the same optimum as JSON, every mistake of
//! a sheet reported at once, and a proposal workbook with frozen headers, filters, number
//! formats and text that can never run as a formula.

use crate::sheets_common as common;

use caseload::model::{CaseType, ModelFile, PolicyInput, Role};
use caseload::sheets::workbook::parse_workbook;
use caseload::sheets::write::workbook::model_workbook;
use common::gen::{case_in, number, opt, unique_reductions, worker_in, Alphabet};
use common::{code, root, run, stderr};
use proptest::prelude::*;

/// The cells these tests try.
const A: Alphabet = Alphabet::WORKBOOK;
use std::io::Read;

fn small_team() -> ModelFile {
    let bytes = std::fs::read(root().join("models/small_team.json")).unwrap();
    caseload::read::parse_model("small_team.json", &bytes).unwrap()
}

/// The XML of one part of an .xlsx (a zip of XML files).
fn part(xlsx: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut s = String::new();
    z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

/// A workbook written by rust_xlsxwriter from rows of text cells, for sheets a user made.
fn book(sheets: &[(&str, &[&[&str]])]) -> Vec<u8> {
    book_with_dates(sheets, &[])
}

/// [`book`], with a date cell (2026-11-02, shown as a date) at each (sheet, row, column) of
/// `dates`, counted from 0: a cell a model cannot read outside a column of days.
fn book_with_dates(sheets: &[(&str, &[&[&str]])], dates: &[(&str, u32, u16)]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).unwrap();
        for (i, r) in rows.iter().enumerate() {
            for (j, v) in r.iter().enumerate() {
                if v.is_empty() {
                    continue;
                }
                match v.parse::<f64>() {
                    Ok(x) if !v.starts_with('W') => ws.write_number(i as u32, j as u16, x).unwrap(),
                    _ => ws.write_string(i as u32, j as u16, *v).unwrap(),
                };
            }
        }
        let day = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 11, 2).unwrap();
        let shown = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
        for (_, row, col) in dates.iter().filter(|(sheet, _, _)| sheet == name) {
            ws.write_datetime_with_format(*row, *col, &day, &shown).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

#[test]
fn a_model_through_a_workbook_is_the_same_model() {
    let m = small_team();
    let x = model_workbook("m", &m).unwrap();
    let s = parse_workbook("book.xlsx", &x, None).unwrap();
    assert_eq!(s.model, m);
    assert_eq!(s.workers_file, "book.xlsx, sheet workers");
    assert_eq!(s.worker_rows[0], 2);
}

fn roles() -> impl Strategy<Value = Vec<Role>> {
    prop::collection::vec(prop::sample::select(Role::ALL.to_vec()), 0..3)
}

prop_compose! {
    fn policy_in()(caps in opt(prop::collection::btree_map(prop::sample::select(Role::ALL.to_vec()), number(A), 0..3)),
                   weights in opt(prop::collection::btree_map(prop::sample::select(CaseType::ALL.to_vec()), number(A), 1..3)),
                   may_hold in opt(prop::collection::btree_map(prop::sample::select(CaseType::ALL.to_vec()), roles(), 1..3)),
                   supervised_roles in opt(roles()),
                   move_penalty in opt(number(A)),
                   cross_team in opt(any::<bool>()),
                   // A council's words: its aliases sheet.
                   aliases in opt(prop::collection::btree_map(
                       "[A-Z][a-z]{2,6} [0-9]{1,2}",
                       prop::sample::select(vec!["child_protection", "social worker", "CP", "NQSW", "looked after"])
                           .prop_map(String::from),
                       1..3))) -> PolicyInput {
        PolicyInput { caps, weights, may_hold, supervised_roles, move_penalty, cross_team, aliases, ..PolicyInput::default() }
    }
}

proptest! {
    #![proptest_config(crate::common::proptest_config(48))]
    #[test]
    fn workbook_to_model_to_workbook_to_model_is_lossless(
        workers in prop::collection::vec(worker_in(A), 0..5),
        cases in prop::collection::vec(case_in(A), 0..6),
        policy in opt(policy_in()),
    ) {
        let m = ModelFile { version: 1, policy, workers: unique_reductions(workers), cases };
        // An empty map cannot be told from no map in a sheet; the model file has the same
        // meaning either way (every default kept).
        let m = ModelFile {
            policy: m.policy.map(|mut p| {
                if p.caps.as_ref().is_some_and(|c| c.is_empty()) { p.caps = None; }
                p
            }).filter(|p| *p != PolicyInput::default()),
            ..m
        };
        let first = model_workbook("m", &m).unwrap();
        let once = parse_workbook("a.xlsx", &first, None).unwrap().model;
        prop_assert_eq!(&once, &m);
        let second = model_workbook("m", &once).unwrap();
        let twice = parse_workbook("b.xlsx", &second, None).unwrap().model;
        prop_assert_eq!(twice, m);
    }
}

#[test]
fn a_held_out_model_converted_to_a_workbook_gives_the_same_optimum_as_the_json() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A seed no other test or example uses; weights and sibling groups make it search.
    let o = run(
        d,
        &[
            "generate",
            "--cases",
            "240",
            "--workers",
            "16",
            "--teams",
            "2",
            "--seed",
            "4177",
            "--weights",
            "--groups",
            "0.2",
            "-o",
            "held_out.json",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run(d, &["convert", "held_out.json", "--xlsx", "held_out.xlsx", "-q"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run(d, &["allocate", "held_out.json", "-o", "a.json", "-q"]);
    assert!(matches!(code(&o), 0 | 3), "{}", stderr(&o));
    let o = run(d, &["allocate", "--workbook", "held_out.xlsx", "-o", "b.json", "-q"]);
    assert!(matches!(code(&o), 0 | 3), "{}", stderr(&o));
    let read = |f: &str| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(d.join(f)).unwrap()).unwrap()
    };
    let (a, b) = (read("a.json"), read("b.json"));
    assert_eq!(a["optimal"], b["optimal"]);
    assert_eq!(a["objective"], b["objective"]);
    assert_eq!(a["allocations"], b["allocations"]);
    assert_eq!(a["unallocated"], b["unallocated"]);
}

#[test]
fn a_sheet_with_five_mistakes_reports_all_five_in_one_run() {
    let x = book(&[
        (
            "Workers",
            &[
                &["id", "role", "team", "fte"],
                &["W1", "social_worker", "North", "1"],
                &["W2", "social wizard", "North", "2"], // 1: role; fte is checked later
                &["W3", "social_worker", "", "0.5"],    // 2: team empty
            ],
        ),
        (
            "cases",
            &[
                &["id", "type", "team", "pinned", "current_worker"],
                &["C1", "looked_after", "North", "maybe", ""], // 3: pinned
                &["C2", "lookd_after", "North", "", ""],       // 4: type
                &["", "child_in_need", "North", "", ""],       // 5: id empty
                &["C4", "child_in_need", "North", "", "W1"],
            ],
        ),
    ]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("team.xlsx"), &x).unwrap();
    let o = run(dir.path(), &["check", "--workbook", "team.xlsx"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("5 problems"), "{err}");
    let places = [
        "team.xlsx, sheet Workers: row 3, column role",
        "team.xlsx, sheet Workers: row 4, column team",
        "team.xlsx, sheet cases: row 2, column pinned",
        "team.xlsx, sheet cases: row 3, column type",
        "team.xlsx, sheet cases: row 4, column id",
    ];
    let mut at = 0;
    for p in places {
        let found = err[at..].find(p).unwrap_or_else(|| panic!("{p} not in order in {err}"));
        at += found + p.len();
    }
    // Said once, with one exit, and nothing written.
    assert_eq!(err.matches("caseload:").count(), 1, "{err}");
}

#[test]
fn validation_mistakes_of_a_workbook_are_all_reported_with_their_rows() {
    let x = book(&[
        (
            "workers",
            &[
                &["id", "role", "team", "fte", "supervisor"],
                &["W1", "social_worker", "North", "1.5", ""],
                &["W2", "social_work_assistant", "North", "", "W9"],
            ],
        ),
        (
            "cases",
            &[
                &["id", "type", "team", "current_worker"],
                &["C1", "looked_after", "North", "W7"],
                &["C1", "looked_after", "North", ""],
            ],
        ),
    ]);
    let e = parse_workbook("b.xlsx", &x, None).unwrap().validate().unwrap_err();
    let text = e.to_string();
    for p in [
        "b.xlsx, sheet workers: row 2, column fte",
        "b.xlsx, sheet workers: row 3, column supervisor",
        "b.xlsx, sheet cases: row 2, column current_worker",
        "b.xlsx, sheet cases: row 3, column id",
    ] {
        assert!(text.contains(p), "{p} missing from {text}");
    }
}

#[test]
fn header_rules_and_cell_types_match_the_csv_reader() {
    // Shuffled, capitalised headers with spaces; an id typed as a number; yes/no booleans.
    let x = book(&[
        ("workers", &[&["Team", "ID", "Role", "Oversight Cap"], &["North", "1001", "Social Worker", "12.5"]]),
        (
            "cases",
            &[
                &["id", "type", "team", "Current Worker", "pinned"],
                &["2002", "looked_after", "North", "1001", "yes"],
            ],
        ),
    ]);
    let s = parse_workbook("b.xlsx", &x, None).unwrap();
    assert_eq!(s.model.workers[0].id, "1001");
    assert_eq!(s.model.workers[0].oversight_cap, Some(12.5));
    assert_eq!(s.model.cases[0].current_worker.as_deref(), Some("1001"));
    assert_eq!(s.model.cases[0].pinned, Some(true));
    s.validate().unwrap();

    // Unknown column and missing sheet.
    let x = book(&[("workers", &[&["id", "role", "team", "colour"]]), ("cases", &[&["id", "type", "team"]])]);
    let e = parse_workbook("b.xlsx", &x, None).unwrap_err().to_string();
    assert!(e.contains("sheet workers: row 1, column 4: unknown column \"colour\""), "{e}");
    let x = book(&[("Sheet1", &[&["id", "role", "team"]])]);
    let e = parse_workbook("b.xlsx", &x, None).unwrap_err().to_string();
    assert!(e.contains("no sheet named \"workers\"") && e.contains("Sheet1"), "{e}");
    assert!(e.contains("no sheet named \"cases\""), "{e}");
    // Not a workbook at all.
    let e = parse_workbook("b.xlsx", b"id,role,team\n", None).unwrap_err();
    assert!(e.is_invalid_input());
    assert!(e.to_string().contains("Excel workbook"), "{e}");
}

#[test]
fn a_policy_sheet_is_read_and_its_mistakes_named_by_row() {
    let x = book(&[
        ("workers", &[&["id", "role", "team"], &["W1", "social_worker", "North"]]),
        ("cases", &[&["id", "type", "team"], &["C1", "looked_after", "North"]]),
        (
            "policy",
            &[
                &["setting", "value"],
                &["caps.social_worker", "20"],
                &["cross_team", "yes"],
                &["may_hold.care_leaver", "personal_adviser; social_worker"],
            ],
        ),
    ]);
    let p = parse_workbook("b.xlsx", &x, None).unwrap().model.policy.unwrap();
    assert_eq!(p.caps.unwrap()[&Role::SocialWorker], 20.0);
    assert_eq!(p.cross_team, Some(true));
    assert_eq!(p.may_hold.unwrap()[&CaseType::CareLeaver], vec![Role::PersonalAdviser, Role::SocialWorker]);

    let x = book(&[
        ("workers", &[&["id", "role", "team"]]),
        ("cases", &[&["id", "type", "team"]]),
        ("policy", &[&["setting", "value"], &["move_penalty", "10"], &["caps.social_wizard", "20"]]),
    ]);
    let e = parse_workbook("b.xlsx", &x, None).unwrap_err().to_string();
    assert!(e.starts_with("b.xlsx, sheet policy: row 3"), "{e}");
}

/// A cell that cannot be read (here a date where no date goes) is named under its column's
/// header, as every other mistake of the sheet is: a manager knows `weight`, not `D`. A cell
/// with no header to name it by keeps its letter.
#[test]
fn a_cell_that_cannot_be_read_is_named_under_its_header_not_its_letter() {
    let x = book_with_dates(
        &[
            ("workers", &[&["Team", "ID", "Role", "FTE"], &["North", "W1", "social worker", ""]]),
            (
                "cases",
                &[
                    &["id", "type", "team", "Weight", "colour"],
                    &["C1", "CIN", "North", "", ""],
                    &["C2", "CIN", "North", "", ""],
                ],
            ),
            ("policy", &[&["setting", "value", "note"], &["move_penalty", "", ""]]),
        ],
        &[("workers", 1, 3), ("cases", 2, 3), ("cases", 1, 4), ("cases", 1, 6), ("policy", 1, 1)],
    );
    let e = parse_workbook("b.xlsx", &x, None).unwrap_err().to_string();
    let date = "the cell holds a date or time";
    for place in [
        "b.xlsx, sheet workers: row 2, column fte",
        "b.xlsx, sheet cases: row 3, column weight",
        "b.xlsx, sheet cases: row 2, column colour",
        "b.xlsx, sheet cases: row 2, column G",
        "b.xlsx, sheet policy: row 2, column value",
    ] {
        assert!(e.contains(&format!("{place}: {date}")), "{place} missing from {e}");
    }
    for letter in ["column D:", "column E:", "column B:"] {
        assert!(!e.contains(letter), "{letter} in {e}");
    }
}

/// A value typed in a column of the policy sheet beside `value` (`our value`) would not be
/// read: the first of each such column is named at its cell. The template's `note` column, and
/// a column left empty, are the manager's own.
#[test]
fn a_policy_value_typed_beside_the_value_column_is_refused_not_lost() {
    let x = book(&[
        ("workers", &[&["id", "role", "team"], &["W1", "social_worker", "North"]]),
        ("cases", &[&["id", "type", "team"], &["C1", "looked_after", "North"]]),
        (
            "policy",
            &[
                &["setting", "value", "note", "our value", "spare"],
                &["caps.social_worker", "18", "England's", "12", ""],
                &["move_penalty", "10", "", "5", ""],
            ],
        ),
    ]);
    let e = parse_workbook("b.xlsx", &x, None).unwrap_err().to_string();
    assert!(e.contains(r#"b.xlsx, sheet policy: row 2, column our value: "12" is not read"#), "{e}");
    assert!(!e.contains("row 3"), "one error a column: {e}");
    let x = book(&[
        ("workers", &[&["id", "role", "team"], &["W1", "social_worker", "North"]]),
        ("cases", &[&["id", "type", "team"], &["C1", "looked_after", "North"]]),
        ("policy", &[&["setting", "value", "note", "spare"], &["caps.social_worker", "12", "ours", ""]]),
    ]);
    let p = parse_workbook("b.xlsx", &x, None).unwrap().model.policy.unwrap();
    assert_eq!(p.caps.unwrap()[&Role::SocialWorker], 12.0);
}

/// A hidden sheet is read like a shown one, but the person may be looking at another
/// (`cases (new)`): the warning says which sheet was read and that it is hidden. Merged cells
/// are read as Excel shows them, each as its range's first, and named.
#[test]
fn a_hidden_sheet_read_and_merged_cells_are_named() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("workers").unwrap();
    for (j, v) in ["id", "role", "team"].iter().enumerate() {
        ws.write_string(0, j as u16, *v).unwrap();
    }
    for (j, v) in ["W1", "social_worker", "North"].iter().enumerate() {
        ws.write_string(1, j as u16, *v).unwrap();
    }
    let ws = wb.add_worksheet();
    ws.set_name("cases").unwrap();
    for (j, v) in ["id", "type", "team", "group"].iter().enumerate() {
        ws.write_string(0, j as u16, *v).unwrap();
    }
    for i in 1..=3u32 {
        ws.write_string(i, 0, format!("C{i}")).unwrap();
        ws.write_string(i, 1, "looked_after").unwrap();
        ws.write_string(i, 2, "North").unwrap();
    }
    ws.merge_range(1, 3, 3, 3, "Okafor", &rust_xlsxwriter::Format::new()).unwrap();
    ws.set_hidden(true);
    let ws = wb.add_worksheet();
    ws.set_name("cases (new)").unwrap();
    ws.write_string(0, 0, "id").unwrap();
    let x = wb.save_to_buffer().unwrap();
    let s = parse_workbook("b.xlsx", &x, None).unwrap();
    let groups: Vec<Option<&str>> = s.model.cases.iter().map(|c| c.group.as_deref()).collect();
    assert_eq!(groups, [Some("Okafor"); 3]);
    let said: Vec<(&str, &str)> = s.warnings.iter().map(|w| (w.code.as_str(), w.message.as_str())).collect();
    assert!(
        said.contains(&(
            "hidden_sheet",
            r#"b.xlsx: sheet cases is hidden; it was read as the cases sheet (the sheets shown are "workers" and "cases (new)"). Show it to check it, or name the sheet to read cases"#
        )),
        "{said:?}"
    );
    assert!(
        said.contains(&(
            "merged_cells",
            "b.xlsx: sheet cases has merged cells; each cell of the range was read as its first: D2:D4"
        )),
        "{said:?}"
    );
}

/// A title above a sheet's header (`Team North workers`, or one merged across) is what a
/// manager puts there: the header is found below it, the title is not read, and a warning
/// says so. The cases sheet's `waiting_since` under a titled header still reads date cells as
/// days, and the policy sheet takes a title too.
#[test]
fn a_title_above_the_header_is_taken_as_a_title_and_named_in_a_warning() {
    let x = book_with_dates(
        &[
            (
                "workers",
                &[&["Team North workers"], &["id", "role", "team"], &["W1", "social worker", "North"]],
            ),
            (
                "cases",
                &[
                    &["Children", "", "Children", "Children"],
                    &[],
                    &["id", "type", "team", "waiting since"],
                    &["C1", "CIN", "North", ""],
                ],
            ),
            ("policy", &[&["Our policy"], &["setting", "value"], &["caps.social_worker", "16"]]),
        ],
        &[("cases", 3, 3)],
    );
    let s = parse_workbook("b.xlsx", &x, None).unwrap();
    assert_eq!(s.model.workers.len(), 1);
    assert_eq!(s.worker_rows, [3]);
    assert_eq!((s.model.cases.len(), s.case_rows.as_slice()), (1, &[4][..]));
    assert_eq!(s.model.cases[0].waiting_since.as_deref(), Some("2026-11-02"));
    assert_eq!(s.model.policy.unwrap().caps.unwrap()[&Role::SocialWorker], 16.0);
    let said: Vec<(&str, &str)> = s.warnings.iter().map(|w| (w.code.as_str(), w.message.as_str())).collect();
    for message in [
        r#"b.xlsx, sheet workers: row 1 ("Team North workers") stands above the header (row 2) and was not read, as a title"#,
        r#"b.xlsx, sheet cases: row 1 ("Children") stands above the header (row 3) and was not read, as a title"#,
        r#"b.xlsx, sheet policy: row 1 ("Our policy") stands above the header (row 2) and was not read, as a title"#,
    ] {
        assert!(said.contains(&("title_rows", message)), "{message} not in {said:?}");
    }
    // The command shows it, and --strict makes it an error, as every warning.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("team.xlsx"), &x).unwrap();
    let o = run(dir.path(), &["allocate", "--workbook", "team.xlsx", "-o", "p.json", "--date", "2026-12-07"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("was not read, as a title [title_rows]"), "{}", stderr(&o));
    let o = run(dir.path(), &["allocate", "--workbook", "team.xlsx", "-o", "q.json", "--strict"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));

    // A row of several texts above the header is no title but an entry a sort put there, say:
    // named, and the rows below the header are read and checked all the same.
    let x = book(&[
        (
            "workers",
            &[&["W2", "social worker", "North"], &["id", "role", "team"], &["W1", "social wizard", "North"]],
        ),
        ("cases", &[&["id", "type", "team"], &["C1", "CIN", "North"]]),
    ]);
    let e = parse_workbook("b.xlsx", &x, None).unwrap_err().to_string();
    assert!(e.contains("b.xlsx, sheet workers: row 1: this row stands above the header (row 2"), "{e}");
    assert!(e.contains("b.xlsx, sheet workers: row 3, column role: unknown value \"social wizard\""), "{e}");
}

/// A workers sheet whose header is not found at all is one mistake; it does not hide the cases
/// sheet's own, the model's checks included (a weight below zero, an id used twice, a pin with
/// no worker), so one run names everything. The workers the cases name count as found, since
/// the workers' ids are not known.
#[test]
fn a_sheet_whose_header_is_not_found_does_not_hide_the_other_sheets_mistakes() {
    let x = book(&[
        ("workers", &[&["Worker ID", "Job", "Team name"], &["W1", "social worker", "North"]]),
        (
            "cases",
            &[
                &["id", "type", "team", "weight", "current_worker", "pinned"],
                &["C1", "CIN", "North", "-1", "W1", ""],
                &["C1", "CP", "North", "", "", "yes"],
                &["C3", "CPP", "North", "", "W7", ""],
            ],
        ),
    ]);
    let e = parse_workbook("b.xlsx", &x, None).unwrap_err().to_string();
    for place in [
        "b.xlsx, sheet workers: row 1, column 1: unknown column \"Worker ID\"",
        "b.xlsx, sheet cases: row 2, column weight: weight must be a number > 0",
        "b.xlsx, sheet cases: row 3, column id: id \"C1\" is used again",
        "b.xlsx, sheet cases: row 3, column pinned: a pinned case needs a current_worker",
    ] {
        assert!(e.contains(place), "{place} missing from {e}");
    }
    assert!(!e.contains("no worker"), "{e}");
    // The same with the workers' id column missing: their other mistakes and the cases' come.
    let x = book(&[
        ("workers", &[&["name", "role", "team"], &["Ann", "social wizard", "North"]]),
        (
            "cases",
            &[&["id", "type", "team", "weight", "current_worker"], &["C1", "CIN", "North", "-1", "W1"]],
        ),
    ]);
    let e = parse_workbook("b.xlsx", &x, None).unwrap_err().to_string();
    for place in [
        "b.xlsx, sheet workers: row 1: no column \"id\"",
        "b.xlsx, sheet workers: row 2, column role",
        "b.xlsx, sheet cases: row 2, column weight",
    ] {
        assert!(e.contains(place), "{place} missing from {e}");
    }
}

/// A model whose list item holds a `,` (or a `;`) cannot go into a workbook and come back the
/// same: named in the model, nothing written.
#[test]
fn a_list_item_a_cell_cannot_keep_is_named_when_a_workbook_is_written() {
    let mut m = small_team();
    m.workers[0].skills = vec!["Sign language, BSL".into()];
    let e = model_workbook("m.json", &m).unwrap_err().to_string();
    assert!(e.contains("m.json: workers[0].skills[0]") && e.contains("holds a ','"), "{e}");
    m.workers[0].skills = vec!["Urdu;BSL".into()];
    let e = model_workbook("m.json", &m).unwrap_err().to_string();
    assert!(e.contains("holds a ';', which separates list items"), "{e}");
}

/// Lists in a cell are separated by `;`: `Urdu, BSL` read as one skill would match no case's
/// need, and a child would wait for it. Every such cell is named, with the list it may mean.
#[test]
fn a_list_separated_by_commas_is_named_not_read_as_one_item() {
    let x = book(&[
        ("workers", &[&["id", "role", "team", "skills"], &["W1", "social_worker", "North", "Urdu, BSL"]]),
        (
            "cases",
            &[
                &["id", "type", "team", "needs", "exclude"],
                &["C1", "looked_after", "North", "Urdu", "W2,W3"],
                &["C2", "looked_after", "North", "Urdu; BSL", ""],
            ],
        ),
    ]);
    let e = parse_workbook("b.xlsx", &x, None).unwrap_err().to_string();
    assert!(
        e.contains(r#"sheet workers: row 2, column skills: "Urdu, BSL" holds a comma; separate the items with ; ("Urdu; BSL")"#),
        "{e}"
    );
    assert!(e.contains(r#"sheet cases: row 2, column exclude: "W2,W3" holds a comma"#), "{e}");
    assert!(!e.contains("row 3"), "{e}");
}

#[test]
fn every_setting_of_the_policy_reads_back_from_a_policy_sheet() {
    use std::collections::BTreeMap;
    // Every field written out (no `..Default`), so a new setting fails to compile here until
    // the policy sheet reads it too.
    let policy = PolicyInput {
        may_hold: Some(BTreeMap::from([
            (CaseType::CareLeaver, vec![Role::PersonalAdviser]),
            (CaseType::ChildInNeed, vec![]),
        ])),
        supervised_roles: Some(vec![Role::SocialWorkAssistant]),
        supervisor_roles: Some(vec![]),
        caps: Some(BTreeMap::from([(Role::SocialWorker, 18.5)])),
        targets: Some(BTreeMap::from([(Role::SocialWorker, 15.0)])),
        weights: Some(BTreeMap::from([(CaseType::ChildProtection, 1.5)])),
        priority: Some(BTreeMap::from([(CaseType::LookedAfter, 30.0)])),
        oversight_cap: Some(40.0),
        move_penalty: Some(5.0),
        overload_penalty: Some(2.0),
        cross_team: Some(false),
        cross_team_penalty: Some(3.0),
        fairness_penalty: Some(0.5),
        return_bonus: Some(4.0),
        waiting_priority: Some(1.0),
        aliases: Some(BTreeMap::from([("Snr Prac".to_string(), "senior social worker".to_string())])),
    };
    let mut m = small_team();
    m.policy = Some(policy);
    let x = model_workbook("m", &m).unwrap();
    assert_eq!(parse_workbook("a.xlsx", &x, None).unwrap().model, m);
    // The council's words as policy settings too (the writer puts them in the aliases sheet).
    let x = book(&[
        ("workers", &[&["id", "role", "team"], &["W1", "Snr.Prac", "North"]]),
        ("cases", &[&["id", "type", "team"], &["C1", "looked_after", "North"]]),
        ("policy", &[&["setting", "value"], &["aliases.Snr.Prac", "senior practitioner"]]),
    ]);
    let s = parse_workbook("b.xlsx", &x, None).unwrap();
    assert_eq!(s.model.workers[0].role, Role::SeniorSocialWorker);
}

#[test]
fn every_mistake_of_a_policy_sheet_is_named_at_once_at_its_row_and_column_in_plain_words() {
    let policy: &[&[&str]] = &[
        &["setting", "value"],
        &["caps.social_worker", "20"],
        &["oversight_cap", "eighteen"],
        &["overload_penalty", "eighteen"],
        &["move_penalty", "-3"],
        &["caps.social_worker", "lots"],
        &["cross_team", "maybe"],
        &["may_hold.care_leaver", "personal_adviser; wizard"],
        &["caps", "12"],
        &["fairness_penalty", "1e308"],
        &["Sklls", "1"],
        &["targets.social wrker", "3"],
    ];
    let x = book(&[
        ("workers", &[&["id", "role", "team", "fte"], &["W1", "social_worker", "North", "1.5"]]),
        ("cases", &[&["id", "type", "team"], &["C1", "looked_after", "North"]]),
        ("policy", policy),
    ]);
    let e = parse_workbook("b.xlsx", &x, None).unwrap_err();
    let lines: Vec<String> = match e {
        caseload::error::Error::Inputs { errors, more: 0 } => errors.iter().map(|e| e.to_string()).collect(),
        e => panic!("{e}"),
    };
    let p = "b.xlsx, sheet policy: ";
    let want = [
        "b.xlsx, sheet workers: row 2, column fte: fte must be above 0 and at most 1, got 1.5".to_string(),
        format!("{p}row 3, column value: oversight_cap: \"eighteen\" is not a number; give a number such as 20"),
        format!("{p}row 4, column value: overload_penalty: \"eighteen\" is not a number"),
        format!("{p}row 5, column value: move_penalty must be a number >= 0, got -3"),
        format!("{p}row 6, column setting: \"caps.social_worker\" is given twice (also in row 2); keep one"),
        format!("{p}row 6, column value: caps.social_worker: \"lots\" is not a number"),
        format!("{p}row 7, column value: cross_team: \"maybe\" is not true or false"),
        format!("{p}row 8, column value: may_hold.care_leaver: unknown role \"wizard\""),
        format!("{p}row 9, column setting: caps is set one role at a time: name the role after a dot, such as caps.social_worker"),
        format!("{p}row 10, column value: fairness_penalty is 1e308, above the limit of 1e9"),
        format!("{p}row 11, column setting: unknown setting \"Sklls\""),
        format!("{p}row 12, column setting: unknown role \"social wrker\" in the setting \"targets.social wrker\" (did you mean "),
    ];
    for (i, w) in want.iter().enumerate() {
        assert!(lines.get(i).is_some_and(|l| l.starts_with(w.as_str())), "{w}\nnot line {i} of\n{lines:#?}");
    }
    assert_eq!(lines.len(), want.len(), "{lines:#?}");
    for l in &lines {
        for jargon in ["invalid type", "expected", "f64", "variant", "000000000"] {
            assert!(!l.contains(jargon), "{jargon} in {l}");
        }
    }

    // A value the checks refuse, with no other mistake, is placed at its row too.
    for (setting, said) in [
        ("oversight_cap", "row 2, column value: oversight_cap must be a number >= 0, got -3"),
        ("caps.social_worker", "row 2, column value: caps.social_worker: caps must be a number >= 0, got -3"),
    ] {
        let x = book(&[
            ("workers", &[&["id", "role", "team"], &["W1", "social_worker", "North"]]),
            ("cases", &[&["id", "type", "team"], &["C1", "looked_after", "North"]]),
            ("policy", &[&["setting", "value"], &[setting, "-3"]]),
        ]);
        let e = parse_workbook("b.xlsx", &x, None).unwrap().validate().unwrap_err().to_string();
        assert_eq!(e, format!("{p}{said}"));
    }
}

#[test]
fn the_proposal_workbook_has_frozen_filtered_headers_formats_and_no_formulas() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let m = small_team();
    // A name that a spreadsheet would run as a formula if written as one.
    let old = m.workers[0].id.clone();
    let new = "=HYPERLINK(\"http://x\",\"W\")".to_string();
    let json = String::from_utf8(caseload::write::to_json(&m))
        .unwrap()
        .replace(&format!("\"{old}\""), &serde_json::to_string(&new).unwrap());
    let m: ModelFile = caseload::read::parse_model("m", json.as_bytes()).unwrap();
    assert_eq!(m.workers[0].id, new);
    std::fs::write(d.join("m.json"), caseload::write::to_json(&m)).unwrap();
    let o = run(d, &["allocate", "m.json", "-o", "p.json", "--xlsx", "out.xlsx", "-q"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let x = std::fs::read(d.join("out.xlsx")).unwrap();
    let wb = part(&x, "xl/workbook.xml");
    for name in ["allocations", "unallocated", "workers", "moves"] {
        assert!(wb.contains(&format!("name=\"{name}\"")), "{name} sheet missing: {wb}");
    }
    for i in 1..=4 {
        let sheet = part(&x, &format!("xl/worksheets/sheet{i}.xml"));
        assert!(sheet.contains("state=\"frozen\""), "sheet {i} header not frozen");
        assert!(sheet.contains("<autoFilter"), "sheet {i} without a filter");
        assert!(sheet.contains("<col "), "sheet {i} without column widths");
        assert!(!sheet.contains("<f>"), "sheet {i} holds a formula");
    }
    assert!(part(&x, "xl/styles.xml").contains("formatCode=\"0%\""));
    // The workbook reads back: every case once, the formula-like id as plain text.
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(x)).unwrap();
    use calamine::Reader;
    let alloc = book.worksheet_range("allocations").unwrap();
    let un = book.worksheet_range("unallocated").unwrap();
    assert_eq!(alloc.height() - 1 + un.height() - 1, m.cases.len());
    let texts: Vec<String> = alloc.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect();
    assert!(texts.iter().any(|t| t == &m.workers[0].id), "{texts:?}");
    let p: serde_json::Value = serde_json::from_slice(&std::fs::read(d.join("p.json")).unwrap()).unwrap();
    let moved = p["allocations"].as_array().unwrap().iter().filter(|a| a["change"] == "moved").count()
        + p["unallocated"].as_array().unwrap().iter().filter(|u| u.get("current_worker").is_some()).count();
    assert_eq!(book.worksheet_range("moves").unwrap().height() - 1, moved);
}

#[test]
fn convert_goes_workbook_to_csv_and_back_losslessly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let model = root().join("models/small_team.json").display().to_string();
    assert_eq!(code(&run(d, &["convert", &model, "--xlsx", "a.xlsx", "-q"])), 0);
    let o = run(d, &["convert", "--workbook", "a.xlsx", "--csv-dir", "csv", "-q"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run(
        d,
        &[
            "convert",
            "--workers",
            "csv/workers.csv",
            "--cases",
            "csv/cases.csv",
            "--policy",
            "csv/policy.json",
            "--xlsx",
            "b.xlsx",
            "-o",
            "b.json",
            "-q",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let b = parse_workbook("b", &std::fs::read(d.join("b.xlsx")).unwrap(), None).unwrap();
    assert_eq!(b.model, small_team());
    assert_eq!(
        caseload::read::parse_model("b", &std::fs::read(d.join("b.json")).unwrap()).unwrap(),
        small_team()
    );
    // The workbook's own policy sheet and --policy together are refused.
    let o = run(d, &["convert", "--workbook", "a.xlsx", "--policy", "csv/policy.json", "-o", "c.json"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("policy once"), "{}", stderr(&o));
}

#[test]
fn whatif_and_pseudonymise_take_a_workbook_too() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let model = root().join("models/small_team.json").display().to_string();
    assert_eq!(code(&run(d, &["convert", &model, "--xlsx", "team.xlsx", "-q"])), 0);
    let o =
        run(d, &["whatif", "--workbook", "team.xlsx", "--fill-vacancies", "0..=1", "--json", "w.json", "-q"]);
    assert!(matches!(code(&o), 0 | 3), "{}", stderr(&o));
    assert!(d.join("w.json").exists());
    std::fs::write(d.join("key"), [7u8; 32]).unwrap();
    let o = run(d, &["pseudonymise", "--workbook", "team.xlsx", "--key", "key", "-o", "pseudo.json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let from_book = std::fs::read(d.join("pseudo.json")).unwrap();
    let o = run(d, &["pseudonymise", &model, "--key", "key", "-o", "pseudo2.json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(from_book, std::fs::read(d.join("pseudo2.json")).unwrap());
}
