//! Every mistake of the sheets in one run: a missing column is one error and the other columns
//! are still checked; the same mistake in many rows is one line listing the rows; a misspelt
//! header gets a "did you mean".

use caseload::sheets::read::parse_sheets;

fn problems(w: &str, c: &str) -> Vec<String> {
    let e = parse_sheets(("workers.csv", w.as_bytes()), ("cases.csv", c.as_bytes()), None).unwrap_err();
    match e {
        caseload::error::Error::Inputs { errors, more } => {
            assert_eq!(more, 0);
            errors.iter().map(|e| e.to_string()).collect()
        }
        e => vec![e.to_string()],
    }
}

#[test]
fn a_missing_column_is_one_error_and_the_other_columns_are_still_checked() {
    let w = "id,Rol,team,agency\nW1,social worker,North,maybe\nW2,social worker,North,no\n";
    let c = "id,type,weight\nC1,CPX,1\nC2,CPX,heavy\nC3,CPX,1\nC4,LAC,1\nC5,Adoption,1\n";
    let p = problems(w, c);
    let has = |s: &str| p.iter().filter(|l| l.contains(s)).count();
    // The misspelt header: named with its suggestion, and the missing column once.
    assert_eq!(has("unknown column \"Rol\" (did you mean \"role\"?)"), 1, "{p:#?}");
    assert_eq!(has("workers.csv: row 1: no column \"role\""), 1, "{p:#?}");
    assert_eq!(has("cases.csv: row 1: no column \"team\""), 1, "{p:#?}");
    assert_eq!(has("column role"), 0, "no row is blamed for the missing role column: {p:#?}");
    assert_eq!(has("column team"), 0, "no row is blamed for the missing team column: {p:#?}");
    // The other columns are still read.
    assert_eq!(has("workers.csv: row 2, column agency: \"maybe\" is not true or false"), 1, "{p:#?}");
    assert_eq!(has("cases.csv: row 3, column weight: \"heavy\" is not a number"), 1, "{p:#?}");
    // One mistake in three rows is one line listing them, with the suggestion.
    assert_eq!(
        has("cases.csv: rows 2, 3 and 4, column type: unknown value \"CPX\" (did you mean \"CP\""),
        1,
        "{p:#?}"
    );
    assert_eq!(has("cases.csv: row 6, column type: unknown value \"Adoption\";"), 1, "{p:#?}");
    assert_eq!(p.len(), 7, "{p:#?}");
}

/// The same mistake in more rows than are listed (a team filled down ahead of 30 new rows,
/// their ids and types empty) is one line a column, counting every row, and the count of
/// problems is the count of those lines.
#[test]
fn the_same_mistake_in_many_rows_counts_every_row_and_every_line_once() {
    let w = "id,role,team\nW1,SW,North\n";
    let mut c = String::from("id,type,team\nC1,CIN,North\n");
    c.push_str(&",,North\n".repeat(30));
    let p = problems(w, &c);
    assert_eq!(p.len(), 2, "{p:#?}");
    for column in ["id", "type"] {
        let line = format!(
            "cases.csv: rows 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14 and 18 more, column {column}: empty"
        );
        assert!(p.iter().any(|l| l.starts_with(&line)), "{line}: {p:#?}");
    }
    let e = parse_sheets(("workers.csv", w.as_bytes()), ("cases.csv", c.as_bytes()), None)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("2 problems in the input"), "{e}");
    assert!(!e.contains("only the first"), "{e}");
}

#[test]
fn the_same_reference_mistake_in_many_rows_is_one_line_after_validation() {
    let w = "id,role,team\nW1,SW,North\n";
    let mut c = String::from("id,type,team,current_worker\n");
    for i in 0..20 {
        c.push_str(&format!("C{i:02},CIN,North,W9\n"));
    }
    let s = parse_sheets(("workers.csv", w.as_bytes()), ("cases.csv", c.as_bytes()), None).unwrap();
    let e = s.validate().unwrap_err().to_string();
    assert!(
        e.starts_with("cases.csv: rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13 and 8 more, column current_worker: no worker \"W9\""),
        "{e}"
    );
}

use crate::sheets_common::{code, run, stderr};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet};

/// A cell as a person types it: a number when it reads as one, else text.
fn put(ws: &mut Worksheet, row: u32, col: u16, v: &str) {
    if v.is_empty() {
        return;
    }
    match v.parse::<f64>() {
        Ok(x) if !v.starts_with('W') && !v.starts_with('C') => ws.write_number(row, col, x).unwrap(),
        _ => ws.write_string(row, col, v).unwrap(),
    };
}

/// A workbook of a workers sheet and a cases sheet, each from rows of typed cells; `cases`
/// may hide rows and put a filter on the sheet.
fn workbook(workers: &[&[&str]], cases: &[&[&str]], hidden: &[u32], filter: bool) -> Vec<u8> {
    let mut wb = Workbook::new();
    for (name, rows) in [("workers", workers), ("cases", cases)] {
        let ws = wb.add_worksheet();
        ws.set_name(name).unwrap();
        for (i, r) in rows.iter().enumerate() {
            for (j, v) in r.iter().enumerate() {
                put(ws, i as u32, j as u16, v);
            }
        }
        if name == "cases" {
            for h in hidden {
                // Rows as a spreadsheet numbers them, from 1.
                ws.set_row_hidden(h - 1).unwrap();
            }
            if filter {
                ws.autofilter(0, 0, rows.len() as u32 - 1, rows[0].len() as u16 - 1).unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

const WORKERS: [&str; 6] = ["id", "role", "team", "fte", "skills", "supervisor"];
const CASES: [&str; 5] = ["id", "type", "team", "weight", "current_worker"];

#[test]
fn a_workbook_with_seven_mistakes_in_two_sheets_is_refused_once_naming_all_seven() {
    let workers: &[&[&str]] = &[
        &["id", "role", "team", "fte", "Sklls", "supervisor"],
        &["W01", "team manager", "North", "1", "", ""],
        &["W02", "social worker", "North", "1.5", "", "W01"],
        &["W03", "Senior Practioner", "North", "1", "", "W01"],
        &["W04", "social worker", "North", "1", "", "W0l"],
        &["W10", "social worker", "North", "1", "", "W01"],
    ];
    let cases: &[&[&str]] = &[
        &CASES,
        &["C1", "CP", "North", "1", "W02"],
        &["C2", "Child in ned", "North", "1", ""],
        &["C3", "CIN", "North", "1", "W99"],
        // W03's row does not read (its role); a reference to W03 is no mistake.
        &["C4", "CLA", "North", "-1", "W03"],
        &["C5", "CLA", "North", "1", ""],
    ];
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("team.xlsx"), workbook(workers, cases, &[], false)).unwrap();
    let o = run(d, &["allocate", "--workbook", "team.xlsx", "-o", "p.json", "--xlsx", "meeting.xlsx"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(!d.join("p.json").exists() && !d.join("meeting.xlsx").exists(), "nothing is written");
    let err = stderr(&o);
    let w = "team.xlsx, sheet workers: ";
    let c = "team.xlsx, sheet cases: ";
    let seven = [
        format!("{w}row 1, column 5: unknown column \"Sklls\" (did you mean \"skills\"?)"),
        format!("{w}row 3, column fte: fte must be above 0 and at most 1, got 1.5"),
        format!("{w}row 4, column role: unknown value \"Senior Practioner\" (did you mean \"senior practitioner\"?)"),
        format!("{w}row 5, column supervisor: no worker \"W0l\" (did you mean \"W01\"?)"),
        format!("{c}row 3, column type: unknown value \"Child in ned\" (did you mean \"child in need\"?)"),
        format!("{c}row 4, column current_worker: no worker \"W99\"; add the worker"),
        format!("{c}row 5, column weight: weight must be a number > 0, got -1"),
    ];
    for m in &seven {
        assert_eq!(err.matches(m.as_str()).count(), 1, "{m}\nin\n{err}");
    }
    assert!(err.contains("7 problems in the input"), "{err}");
    assert_eq!(err.lines().filter(|l| l.starts_with("  team.xlsx")).count(), 7, "{err}");
    assert!(!err.contains("W03\""), "an unread worker is still a worker: {err}");
    // The seven are named in the order of the workbook: sheet by sheet, row by row.
    let at: Vec<usize> = seven.iter().filter_map(|m| err.find(m.as_str())).collect();
    assert!(at.windows(2).all(|p| p[0] < p[1]), "{err}");
}

#[test]
fn reference_mistakes_found_beside_cell_mistakes_are_grouped_by_rows_too() {
    let w = "id,role,team\nW1,SW,North\nW2,Sosial worker,North\n";
    let mut c = String::from("id,type,team,current_worker,weight\n");
    for i in 0..5 {
        c.push_str(&format!("C{i},CIN,North,W9,1\n"));
    }
    c.push_str("C9,CIN,North,W2,0\n");
    let p = problems(w, &c);
    assert_eq!(p.len(), 3, "{p:#?}");
    assert!(p[0].starts_with("workers.csv: row 3, column role: unknown value \"Sosial worker\""), "{p:#?}");
    assert!(
        p[1].starts_with("cases.csv: rows 2, 3, 4, 5 and 6, column current_worker: no worker \"W9\""),
        "{p:#?}"
    );
    assert!(p[2].starts_with("cases.csv: row 7, column weight: weight must be a number > 0"), "{p:#?}");
}

#[test]
fn without_the_workers_id_column_references_are_not_blamed() {
    let w = "ident,role,team\nW1,SW,North\n";
    let c = "id,type,team,current_worker\nC1,CIN,North,W1\n";
    let p = problems(w, c);
    assert!(p.iter().all(|l| !l.contains("current_worker")), "{p:#?}");
    assert!(p.iter().any(|l| l.contains("no column \"id\"")), "{p:#?}");
}

#[test]
fn a_worker_row_with_a_value_beyond_its_columns_is_still_a_worker_in_csv_and_workbook() {
    // W2's row has a value past the named columns (a ragged CSV line, a stray workbook cell):
    // the row is refused, but W2 is still a worker, so the cases and the reduction that name
    // W2 are not blamed too. One real reference mistake (Nobody) is still named.
    let w = "id,role,team,skills\nW1,SW,North,\nW2,SW,North,,,extra\n";
    let c = "id,type,team,current_worker\nC1,CIN,North,W2\nC2,CIN,North,W2\nC3,CIN,North,Nobody\n";
    let r = "worker,amount,from,to\nW2,2,2026-01-01,2026-12-31\n";
    let e = caseload::sheets::read::parse_sheets_with(
        ("workers.csv", w.as_bytes()),
        ("cases.csv", c.as_bytes()),
        None,
        Some(("reductions.csv", r.as_bytes())),
        None,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("workers.csv: row 3, column 6: a value beyond the 4 named columns"), "{e}");
    assert!(e.contains("cases.csv: row 4, column current_worker: no worker \"Nobody\""), "{e}");
    assert!(!e.contains("\"W2\""), "a worker whose row has a mistake is still a worker: {e}");
    assert!(e.contains("2 problems"), "{e}");

    // The command, from CSV files.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("workers.csv"), w).unwrap();
    std::fs::write(d.join("cases.csv"), c).unwrap();
    let o = run(d, &["allocate", "--workers", "workers.csv", "--cases", "cases.csv", "-o", "p.json"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("workers.csv: row 3, column 6: a value beyond"), "{err}");
    assert!(!err.contains("\"W2\""), "a worker whose row has a mistake is still a worker: {err}");

    // The same in a workbook: a stray cell two columns past W2's row.
    let workers: &[&[&str]] = &[
        &["id", "role", "team", "skills"],
        &["W1", "SW", "North", ""],
        &["W2", "SW", "North", "", "", "stray"],
    ];
    let cases: &[&[&str]] = &[
        &["id", "type", "team", "current_worker"],
        &["C1", "CIN", "North", "W2"],
        &["C2", "CIN", "North", "W2"],
        &["C3", "CIN", "North", "Nobody"],
    ];
    std::fs::write(d.join("team.xlsx"), workbook(workers, cases, &[], false)).unwrap();
    let o = run(d, &["allocate", "--workbook", "team.xlsx", "-o", "p.json"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("team.xlsx, sheet workers: row 3, column 6: a value beyond"), "{err}");
    assert!(
        err.contains("team.xlsx, sheet cases: row 4, column current_worker: no worker \"Nobody\""),
        "{err}"
    );
    assert!(!err.contains("\"W2\""), "a worker whose row has a mistake is still a worker: {err}");
}

fn json_error(workers: &str, cases: &str) -> String {
    let text = format!(r#"{{"version": 1, "workers": [{workers}], "cases": [{cases}]}}"#);
    caseload::load_model_bytes("m.json", text.as_bytes()).unwrap_err().to_string()
}

#[test]
fn a_json_reference_one_slip_from_a_worker_gets_a_did_you_mean() {
    let workers = r#"{"id": "W10", "role": "social_worker", "team": "N"},
        {"id": "W11", "role": "team_manager", "team": "N"},
        {"id": "W12", "role": "social_worker", "team": "N", "supervisor": "Wl1"}"#;
    let e =
        json_error(workers, r#"{"id": "C1", "type": "child_in_need", "team": "N", "current_worker": "W1O"}"#);
    assert!(e.contains("m.json: workers[2].supervisor: no worker \"Wl1\" (did you mean \"W11\"?)"), "{e}");
    assert!(e.contains("m.json: cases[0].current_worker: no worker \"W1O\" (did you mean \"W10\"?)"), "{e}");
    // Ties are all listed, in id order; a far id gets no guess.
    let cases = r#"{"id": "C1", "type": "child_in_need", "team": "N", "previous_workers": ["W1"], "exclude": ["Zed"]}"#;
    let e = json_error(
        r#"{"id": "W11", "role": "social_worker", "team": "N"}, {"id": "W10", "role": "social_worker", "team": "N"}"#,
        cases,
    );
    assert!(
        e.contains("cases[0].previous_workers[0]: no worker \"W1\" (did you mean \"W10\" or \"W11\"?)"),
        "{e}"
    );
    assert!(e.contains("cases[0].exclude: exclude[0]: no worker \"Zed\"; add the worker"), "{e}");
}

#[test]
fn a_pin_on_a_mistyped_worker_names_the_worker_it_may_mean() {
    let workers = r#"{"id": "SW01", "role": "social_worker", "team": "N"}"#;
    let e = json_error(
        workers,
        r#"{"id": "C1", "type": "child_in_need", "team": "N", "current_worker": "SWO1", "pinned": true}"#,
    );
    assert!(e.contains("cases[0].current_worker: no worker \"SWO1\" (did you mean \"SW01\"?)"), "{e}");
}

#[test]
fn hidden_and_filtered_rows_are_read_and_counted_in_a_warning() {
    let workers: &[&[&str]] = &[&["id", "role", "team"], &["W1", "social worker", "North"]];
    let mut rows: Vec<Vec<String>> = vec![CASES[..3].iter().map(|s| s.to_string()).collect()];
    for i in 2..=12 {
        rows.push(vec![format!("C{i:02}"), "CIN".into(), "North".into()]);
    }
    let cases: Vec<Vec<&str>> = rows.iter().map(|r| r.iter().map(String::as_str).collect()).collect();
    let cases: Vec<&[&str]> = cases.iter().map(Vec::as_slice).collect();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (name, filter, said) in [
        (
            "filtered.xlsx",
            true,
            "3 rows of sheet cases are hidden by a filter; they were read: rows 7, 9 and 12",
        ),
        ("hidden.xlsx", false, "3 rows of sheet cases are hidden; they were read: rows 7, 9 and 12"),
    ] {
        std::fs::write(d.join(name), workbook(workers, &cases, &[7, 9, 12], filter)).unwrap();
        let o = run(d, &["allocate", "--workbook", name, "-o", "p.json", "--report", "r.html"]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains(&format!("{name}: {said} [hidden_rows]")), "{err}");
        let p: serde_json::Value = serde_json::from_slice(&std::fs::read(d.join("p.json")).unwrap()).unwrap();
        assert_eq!(
            p["allocations"].as_array().map(Vec::len).unwrap_or(0)
                + p["unallocated"].as_array().map(Vec::len).unwrap_or(0),
            11,
            "every row is read"
        );
        assert!(p["warnings"].to_string().contains(said), "the proposal lists it: {}", p["warnings"]);
        let report = std::fs::read_to_string(d.join("r.html")).unwrap();
        assert!(report.contains("hidden"), "the report lists it");
        // `convert` reads the same workbook into a model file, and says so too; `--strict`
        // makes it an error, as it does for `allocate`.
        let o = run(d, &["convert", "--workbook", name, "-o", "m.json", "-q"]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert!(stderr(&o).contains(&format!("{name}: {said} [hidden_rows]")), "{}", stderr(&o));
        let o = run(d, &["convert", "--workbook", name, "-o", "m2.json", "--strict"]);
        assert_eq!(code(&o), 2, "{}", stderr(&o));
        assert!(!d.join("m2.json").exists());
    }
    // A hidden header row or an empty hidden row hides no entry.
    std::fs::write(d.join("header.xlsx"), workbook(workers, &cases, &[1, 14], false)).unwrap();
    let o = run(d, &["allocate", "--workbook", "header.xlsx", "-o", "p.json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!stderr(&o).contains("hidden"), "{}", stderr(&o));
}

/// A cases sheet whose `waiting_since` (or `weight`) column holds a date cell.
fn dated_book(column: &str) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("workers").unwrap();
    for (j, v) in ["id", "role", "team", "W1", "social worker", "North"].iter().enumerate() {
        put(ws, (j / 3) as u32, (j % 3) as u16, v);
    }
    let ws = wb.add_worksheet();
    ws.set_name("cases").unwrap();
    for (j, v) in ["id", "type", "team", column, "C1", "CIN", "North"].iter().enumerate() {
        put(ws, (j / 4) as u32, (j % 4) as u16, v);
    }
    let day = ExcelDateTime::from_ymd(2026, 11, 2).unwrap();
    ws.write_datetime_with_format(1, 3, &day, &Format::new().set_num_format("dd/mm/yyyy")).unwrap();
    wb.save_to_buffer().unwrap()
}

#[test]
fn waiting_since_as_a_date_cell_is_read_as_the_day() {
    let s = caseload::sheets::workbook::parse_workbook("w.xlsx", &dated_book("Waiting since"), None).unwrap();
    assert_eq!(s.model.cases[0].waiting_since.as_deref(), Some("2026-11-02"));
    // In a column that holds no day, a date cell is still refused, once.
    let e = caseload::sheets::workbook::parse_workbook("w.xlsx", &dated_book("weight"), None).unwrap_err();
    let e = e.to_string();
    assert_eq!(e.matches("date").count(), 1, "{e}");
    assert!(e.starts_with("w.xlsx, sheet cases: row 2, column weight: the cell holds a date or time"), "{e}");
}

#[test]
fn a_near_miss_team_in_a_workbook_is_placed_at_its_row_and_column() {
    let workers: &[&[&str]] =
        &[&WORKERS[..3], &["W1", "social worker", "North"], &["W2", "social worker", "T01"]];
    let cases: &[&[&str]] =
        &[&CASES[..3], &["C1", "CIN", "North"], &["C2", "CIN", "North"], &["C3", "CP", "T0l"]];
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("team.xlsx"), workbook(workers, cases, &[], false)).unwrap();
    let o = run(d, &["allocate", "--workbook", "team.xlsx", "-o", "p.json"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("team.xlsx, sheet cases: row 4, column team: the team \"T0l\""), "{err}");
    assert!(err.contains("did you mean \"T01\"?"), "{err}");
    assert!(!d.join("p.json").exists());
}

/// A near-miss is named in the same run as the mistakes of cells: a workbook with an fte out of
/// range and a case's team typed "T0l" names both at once, each at its row; with
/// `--allow-near-misses` only the cell mistake is left. A team written in a worker row that did
/// not read still counts as staffed.
#[test]
fn a_cell_mistake_and_a_near_miss_team_are_named_in_one_run() {
    let workers: &[&[&str]] = &[
        &WORKERS[..4],
        &["W1", "social worker", "North", "1"],
        &["W2", "social worker", "T01", "1.5"],
        &["W3", "social worker", "T01", "1"],
        &["W4", "social worker", "T02", "many"],
    ];
    let cases: &[&[&str]] = &[
        &CASES[..3],
        &["C1", "CIN", "North"],
        &["C2", "CP", "T0l"],
        &["C3", "CIN", "T02"],
        &["C4", "CIN", "Nort"],
    ];
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("team.xlsx"), workbook(workers, cases, &[], false)).unwrap();
    let o = run(d, &["allocate", "--workbook", "team.xlsx", "-o", "p.json"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(!d.join("p.json").exists(), "nothing is written");
    let err = stderr(&o);
    let w = "team.xlsx, sheet workers: ";
    let c = "team.xlsx, sheet cases: ";
    assert!(
        err.contains(&format!("{w}row 3, column fte: fte must be above 0 and at most 1, got 1.5")),
        "{err}"
    );
    assert!(err.contains(&format!("{w}row 5, column fte")), "{err}");
    assert!(err.contains(&format!("{c}row 3, column team: the team \"T0l\"")), "{err}");
    assert!(err.contains("did you mean \"T01\"?"), "{err}");
    assert!(err.contains(&format!("{c}row 5, column team: the team \"Nort\"")), "{err}");
    // T02's only worker did not read (fte "many"): its case is no near-miss of T01 or T02.
    assert!(!err.contains("\"T02\" of"), "{err}");
    // Let through knowingly: the cell mistakes alone.
    let o = run(d, &["allocate", "--workbook", "team.xlsx", "-o", "p.json", "--allow-near-misses"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains(&format!("{w}row 3, column fte")), "{err}");
    assert!(!err.contains("near-miss"), "{err}");
}

/// An empty `--reductions` or `--aliases` file (an export that failed) is refused, not read
/// as none; a header alone gives none, knowingly.
#[test]
fn an_empty_reductions_or_aliases_file_is_refused_but_a_header_alone_is_none() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("w.csv"), "id,role,team\nW1,SW,North\n").unwrap();
    std::fs::write(d.join("c.csv"), "id,type,team\nC1,CIN,North\n").unwrap();
    for (flag, header) in [("--reductions", "worker,amount,from,to\n"), ("--aliases", "word,means\n")] {
        for (name, text) in [("empty.csv", ""), ("blank.csv", "\u{feff}\n \n")] {
            std::fs::write(d.join(name), text).unwrap();
            let o =
                run(d, &["allocate", "--workers", "w.csv", "--cases", "c.csv", flag, name, "-o", "p.json"]);
            assert_eq!(code(&o), 2, "{flag} {name}: {}", stderr(&o));
            assert!(stderr(&o).contains(&format!("{name}: row 1: the file is empty")), "{}", stderr(&o));
            assert!(!d.join("p.json").exists());
        }
        std::fs::write(d.join("header.csv"), header).unwrap();
        let o = run(
            d,
            &["allocate", "--workers", "w.csv", "--cases", "c.csv", flag, "header.csv", "-o", "p.json"],
        );
        assert_eq!(code(&o), 0, "{flag}: {}", stderr(&o));
        std::fs::remove_file(d.join("p.json")).unwrap();
    }
}

/// Under `--strict` a warning about one spreadsheet is named under that spreadsheet, not under
/// the workers' file.
#[test]
fn a_strict_warning_is_named_under_the_file_it_is_about() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("w.csv"), "id,role,team\nW1,SW,North\n").unwrap();
    std::fs::write(d.join("c.csv"), "Cases export\nid,type,team\nC1,CIN,North\n").unwrap();
    let o = run(d, &["allocate", "--workers", "w.csv", "--cases", "c.csv", "-o", "p.json", "--strict"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.starts_with("caseload: c.csv: warning title_rows: row 1"), "{err}");
    assert!(!d.join("p.json").exists());
}

/// The report's warnings box is headed for every kind of warning, not for near-misses alone,
/// and names each warning's kind in words; its count agrees with its noun.
#[test]
fn the_reports_warnings_box_fits_hidden_rows_and_every_other_warning() {
    let cases: &[&[&str]] = &[&CASES[..3], &["C1", "CIN", "North"], &["C2", "CIN", "North"]];
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let one: &[&[&str]] = &[&WORKERS[..3], &["W1", "social worker", "North"]];
    let two: &[&[&str]] =
        &[&WORKERS[..3], &["W1", "social worker", "North"], &["W2", "social worker", "South"]];
    for (workers, heading, labels) in [
        (one, "Check before you rely on this proposal (1 warning)", &["Hidden rows were read:"][..]),
        (
            two,
            "Check before you rely on this proposal (2 warnings)",
            &["Hidden rows were read:", "A team with workers but no cases:"][..],
        ),
    ] {
        std::fs::write(d.join("team.xlsx"), workbook(workers, cases, &[3], true)).unwrap();
        let o = run(d, &["allocate", "--workbook", "team.xlsx", "-o", "p.json", "--report", "r.html"]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let report = std::fs::read_to_string(d.join("r.html")).unwrap();
        assert!(report.contains(heading), "{heading}");
        for l in labels {
            assert!(report.contains(l), "{l}");
        }
        assert!(report.contains("1 row of sheet cases is hidden by a filter; it was read: row 3"));
        assert!(!report.contains("Near-misses that are almost always"), "the old heading is gone");
    }
}

/// Every problem of sheets read with a reductions CSV, as lines.
fn problems_with_reductions(w: &str, c: &str, r: &str) -> Vec<String> {
    let read = caseload::sheets::read::parse_sheets_with(
        ("workers.csv", w.as_bytes()),
        ("cases.csv", c.as_bytes()),
        None,
        Some(("reductions.csv", r.as_bytes())),
        None,
    );
    let e = match read {
        Ok(s) => s.validate().unwrap_err(),
        Err(e) => e,
    };
    match e {
        caseload::error::Error::Inputs { errors, .. } => errors.iter().map(|e| e.to_string()).collect(),
        e => vec![e.to_string()],
    }
}

#[test]
fn a_reductions_days_are_checked_in_their_cells_with_every_other_mistake() {
    let w = "id,role,team\nW1,SW,North\nW2,SW,North\n";
    let c = "id,type,team\nC1,CIN,North\n";
    // Row 2: a day in words and an empty `to`; row 3: `to` before `from`; row 4: a month 13.
    let r =
        "worker,amount,from,to\nW1,2,next monday,\nW2,1,2026-12-10,2026-12-01\nW1,1,2026-13-01,2027-01-01\n";
    let p = problems_with_reductions(w, c, r);
    let has = |s: &str| p.iter().filter(|l| l.contains(s)).count();
    assert_eq!(has("reductions.csv: row 2, column from: \"next monday\" is not a date"), 1, "{p:#?}");
    assert_eq!(has("reductions.csv: row 2, column to: empty"), 1, "{p:#?}");
    assert_eq!(has("reductions.csv: row 3, column to: the reduction ends on 2026-12-01, before it starts on 2026-12-10"), 1, "{p:#?}");
    assert_eq!(
        has("reductions.csv: row 4, column from: \"2026-13-01\" is not a date: there is no month 13"),
        1,
        "{p:#?}"
    );
    assert_eq!(p.len(), 4, "{p:#?}");
}

/// A mistake in a worker's row hides none of the reductions sheet's: the reductions of the
/// workers that read are checked with them, and one of a worker whose row did not read is
/// checked on its own (its amount and days), in the same run.
#[test]
fn a_workers_mistake_hides_none_of_the_reductions_mistakes() {
    let w = "id,role,team,status\nW1,SW,North,on holiday\nW2,SW,North,\n";
    let c = "id,type,team\nC1,CIN,North\n";
    let r = "worker,amount,from,to\nW2,-1,2026-12-10,2026-12-01\nW1,0,2026-12-10,2026-12-01\n";
    let p = problems_with_reductions(w, c, r);
    let has = |s: &str| p.iter().filter(|l| l.contains(s)).count();
    assert_eq!(has("workers.csv: row 2, column status: unknown value \"on holiday\""), 1, "{p:#?}");
    for (row, got) in [(2, "-1"), (3, "0")] {
        let amount = format!(
            "reductions.csv: row {row}, column amount: a reduction's amount must be a number > 0, got {got}"
        );
        assert_eq!(has(&amount), 1, "{p:#?}");
    }
    let to = "reductions.csv: rows 2 and 3, column to: the reduction ends on 2026-12-01, before it starts on 2026-12-10";
    assert_eq!(has(to), 1, "{p:#?}");
    assert_eq!(p.len(), 4, "{p:#?}");
}

/// A near-miss team is named in the same run as the model's own mistakes (a weight of -1, a
/// worker that does not exist, an id used twice), not only beside mistakes of cells.
#[test]
fn a_near_miss_team_is_named_with_the_models_own_mistakes() {
    let w = "id,role,team\nW1,SW,North\n";
    for (other, says) in [
        ("C2,CIN,North,-1,", "row 3, column weight: weight must be a number > 0"),
        ("C2,CIN,North,1,W9", "row 3, column current_worker: no worker \"W9\""),
        ("C2,CIN,North,1,\nC2,CIN,North,1,", "row 4, column id: id \"C2\" is used again"),
    ] {
        let c = format!("id,type,team,weight,current_worker\nC1,CIN,Noth,1,\n{other}\n");
        let read = caseload::sheets::read::parse_sheets_checked(
            ("workers.csv", w.as_bytes()),
            ("cases.csv", c.as_bytes()),
            None,
            None,
            None,
            true,
        );
        let e = match read {
            Ok(s) => s.validate().unwrap_err(),
            Err(e) => e,
        }
        .to_string();
        assert!(e.contains("cases.csv: row 2, column team: the team \"Noth\""), "{other}: {e}");
        assert!(e.contains(&format!("cases.csv: {says}")), "{other}: {e}");
    }
}

#[test]
fn a_workers_name_written_where_its_id_belongs_is_told_whose_it_is() {
    let w = "id,role,team,name\nW1,SW,North,Ann Smith\nW2,SW,North,Bob Jones\nW3,SW,North,Bob Jones\n";
    let c = "id,type,team,current_worker\nC1,CIN,North,ann  SMITH\nC2,CIN,North,Bob Jones\nC3,CIN,North,Cat Lee\n";
    let s = caseload::sheets::read::parse_sheets(
        ("workers.csv", w.as_bytes()),
        ("cases.csv", c.as_bytes()),
        None,
    )
    .unwrap();
    let e = s.validate().unwrap_err().to_string();
    assert!(e.contains("row 2, column current_worker: no worker \"ann  SMITH\": that is the name of worker \"W1\"; write its id, \"W1\""), "{e}");
    assert!(e.contains("row 3, column current_worker: no worker \"Bob Jones\": that is the name of workers \"W2\", \"W3\"; give the id of the one meant"), "{e}");
    assert!(e.contains("row 4, column current_worker: no worker \"Cat Lee\"; add the worker"), "{e}");
}

#[test]
fn a_status_and_an_fte_are_read_in_the_words_a_spreadsheet_gives() {
    use caseload::model::Status;
    let w = "id,role,team,status,fte\nW1,SW,North,On leave,60%\nW2,SW,North,off-sick,\nW3,SW,North,Vacancy,80 %\nW4,SW,North,in post,1\nW5,SW,North,Maternity Leave,\n";
    let c = "id,type,team\nC1,CIN,North\n";
    let s = caseload::sheets::read::parse_sheets(
        ("workers.csv", w.as_bytes()),
        ("cases.csv", c.as_bytes()),
        None,
    )
    .unwrap();
    let status: Vec<Option<Status>> = s.model.workers.iter().map(|w| w.status).collect();
    let a = Some(Status::Absent);
    assert_eq!(status, vec![a, a, Some(Status::Vacant), Some(Status::Active), a]);
    let fte: Vec<Option<f64>> = s.model.workers.iter().map(|w| w.fte).collect();
    assert_eq!(fte, vec![Some(0.6), None, Some(0.8), Some(1.0), None]);
    // In a file of decimal commas, a percentage's number is read as the file's other numbers.
    let w = "id;role;team;fte\nW1;SW;North;62,5%\n";
    let s = caseload::sheets::read::parse_sheets(
        ("workers.csv", w.as_bytes()),
        ("cases.csv", b"id;type;team\n"),
        None,
    )
    .unwrap();
    assert_eq!(s.model.workers[0].fte, Some(0.625));
    // Not a percentage, and not a status: named as before.
    let w = "id,role,team,status,fte\nW1,SW,North,gone fishing,60 percent\n";
    let p = problems(w, c);
    assert!(p.iter().any(|l| l.contains("column status: unknown value \"gone fishing\"; use one of active, vacant, absent (on leave, off sick, leaving)")), "{p:#?}");
    assert!(p.iter().any(|l| l.contains("column fte: \"60 percent\" is not a number")), "{p:#?}");
}

#[test]
fn a_number_with_a_word_or_a_percent_sign_says_what_to_write() {
    let w = "id,role,team,cap\nW1,SW,North,18 cases\nW2,SW,North,\n";
    let c = "id,type,team,priority\nC1,CIN,North,50%\n";
    let r = "worker,amount,from,to\nW2,50%,2026-12-01,2026-12-31\n";
    let p = problems_with_reductions(w, c, r);
    let has = |s: &str| p.iter().filter(|l| l.contains(s)).count();
    assert_eq!(
        has("row 2, column cap: \"18 cases\" is not a number; write the number alone, 18"),
        1,
        "{p:#?}"
    );
    assert_eq!(has("row 2, column priority: \"50%\" is not a number; a percentage is read in fte only: write the priority as a number"), 1, "{p:#?}");
    assert_eq!(has("row 2, column amount: \"50%\" is not a number; a percentage is read in fte only: write the amount in caseload units"), 1, "{p:#?}");
}

#[test]
fn a_number_too_large_for_a_float_is_named_by_the_limit_not_told_to_write_itself() {
    // `1e400` and four hundred nines parse to infinity: they were "not a number; write the
    // number alone, 1" (the digits before the `e`) and "write the number alone, 999...9" (the
    // cell itself). `0x10` was told to write 0.
    let nines = "9".repeat(400);
    let w = format!("id,role,team,cap,target\nW1,SW,North,1e400,0x10\nW2,SW,North,{nines},-1e999\n");
    let c = "id,type,team\nC1,CIN,North\n";
    let p = problems(&w, c);
    let has = |s: &str| p.iter().filter(|l| l.contains(s)).count();
    assert_eq!(
        has(
            "row 2, column cap: \"1e400\" is above the limit of 1e9 on numbers in a model; use smaller units"
        ),
        1,
        "{p:#?}"
    );
    assert_eq!(has(&format!("row 3, column cap: \"{nines}\" is above the limit of 1e9")), 1, "{p:#?}");
    assert_eq!(has("row 3, column target: \"-1e999\" is below -1e9, past the limit of 1e9"), 1, "{p:#?}");
    assert!(p.iter().any(|l| l.ends_with("row 2, column target: \"0x10\" is not a number")), "{p:#?}");
    assert!(!p.iter().any(|l| l.contains("write the number alone")), "{p:#?}");
}
