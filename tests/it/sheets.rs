//! Spreadsheets in and out: round trips, spreadsheet quirks, errors that name the file, row and
//! column, and the same optimum through the CSV path as through JSON.

use crate::sheets_common as common;

use caseload::model::{CaseInput, CaseType, ModelFile, PolicyInput, Role, Status, WorkerInput};
use caseload::sheets::read::parse_sheets;
use caseload::sheets::write::{cases_csv, policy_json, workers_csv};
use common::gen::{case_in, number, opt, unique_reductions, worker_in, Alphabet};
use common::{code, root, run, stderr};
use proptest::prelude::*;

/// The cells these tests try.
const A: Alphabet = Alphabet::CSV;

fn small_team() -> ModelFile {
    let bytes = std::fs::read(root().join("models/small_team.json")).unwrap();
    caseload::read::parse_model("small_team.json", &bytes).unwrap()
}

fn to_sheets(m: &ModelFile) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    (workers_csv("m", m).unwrap(), cases_csv("m", m).unwrap(), policy_json(m))
}

fn back(w: &[u8], c: &[u8], p: Option<&[u8]>) -> caseload::error::Result<caseload::sheets::read::Sheets> {
    parse_sheets(("workers.csv", w), ("cases.csv", c), p.map(|p| ("policy.json", p)))
}

fn worker(id: &str, role: Role, team: &str) -> WorkerInput {
    WorkerInput {
        id: id.into(),
        role,
        team: team.into(),
        fte: None,
        cap: None,
        target: None,
        skills: vec![],
        supervisor: None,
        oversight_cap: None,
        status: None,
        agency: None,
        reductions: vec![],
        name: None,
        notes: None,
    }
}

fn case(id: &str, t: CaseType, team: &str) -> CaseInput {
    CaseInput::new(id, t, team)
}

fn input_error(e: caseload::error::Error) -> (String, String, String) {
    match e {
        caseload::error::Error::Input { file, place, problem } => (file, place, problem),
        other => panic!("expected an input error, got {other}"),
    }
}

#[test]
fn model_to_csv_and_back_gives_the_same_model() {
    let m = small_team();
    let (w, c, p) = to_sheets(&m);
    let s = back(&w, &c, Some(&p)).unwrap();
    assert_eq!(s.model, m);
}

#[test]
fn csv_written_from_a_model_read_back_and_written_again_is_byte_identical() {
    let (w, c, p) = to_sheets(&small_team());
    let again = back(&w, &c, Some(&p)).unwrap().model;
    assert_eq!(workers_csv("m", &again).unwrap(), w);
    assert_eq!(cases_csv("m", &again).unwrap(), c);
    assert_eq!(policy_json(&again), p);
}

#[test]
fn a_model_without_policy_round_trips_through_an_empty_policy_file() {
    let mut m = small_team();
    m.policy = None;
    let (w, c, p) = to_sheets(&m);
    assert_eq!(String::from_utf8(p.clone()).unwrap().trim(), "{}");
    assert_eq!(back(&w, &c, Some(&p)).unwrap().model, m);
    assert_eq!(back(&w, &c, None).unwrap().model, m);
}

prop_compose! {
    fn policy_in()(caps in prop::collection::btree_map(prop::sample::select(Role::ALL.to_vec()), number(A), 1..3),
                   cross_team in opt(any::<bool>())) -> PolicyInput {
        PolicyInput { caps: Some(caps), cross_team, ..PolicyInput::default() }
    }
}

proptest! {
    #![proptest_config(crate::common::proptest_config(64))]
    #[test]
    fn any_model_a_spreadsheet_can_hold_round_trips_exactly(
        workers in prop::collection::vec(worker_in(A), 0..5),
        cases in prop::collection::vec(case_in(A), 0..6),
        policy in opt(policy_in()),
    ) {
        let m = ModelFile { version: 1, policy, workers: unique_reductions(workers), cases };
        let (w, c, p) = to_sheets(&m);
        let r = caseload::sheets::write::reductions_csv("m", &m).unwrap();
        let s = caseload::sheets::read::parse_sheets_with(
            ("workers.csv", &w), ("cases.csv", &c), Some(("policy.json", &p)), Some(("reductions.csv", &r)), None,
        ).unwrap();
        prop_assert_eq!(s.model, m);
    }
}

#[test]
fn values_a_cell_cannot_hold_are_refused_rather_than_changed() {
    let mut m = small_team();
    m.workers[1].id = " W02".into();
    let (file, place, problem) = input_error(workers_csv("model.json", &m).unwrap_err());
    assert_eq!((file.as_str(), place.as_str()), ("model.json", "workers[1].id"));
    assert!(problem.contains("space"), "{problem}");

    let mut m = small_team();
    m.cases[2].needs = vec!["a;b".into()];
    let (_, place, problem) = input_error(cases_csv("model.json", &m).unwrap_err());
    assert_eq!(place, "cases[2].needs[0]");
    assert!(problem.contains("';'"), "{problem}");

    let mut m = small_team();
    m.cases[0].group = Some(String::new());
    assert!(cases_csv("model.json", &m).is_err());
}

#[test]
fn reads_spreadsheet_quirks_bom_crlf_shuffled_headers_empty_cells_and_quotes() {
    let workers = "\u{feff}Team,ID,Role,Skills,FTE,Agency,Status\r\n\
                   \"North, East\",W1,Social Worker,\"urdu; bsl;\",0.5,YES,\r\n\
                   \"North, East\",W2,social_worker,,,no,Absent\r\n\
                   ,,,,,,\r\n";
    let cases = "\u{feff}exclude,needs,type,id,team,current_worker,pinned,weight,group\r\n\
                 W2,\"urdu;bsl\",looked_after,\"C,1\",\"North, East\",W1,1,2,\r\n\
                 ,,child_in_need,\"C \"\"2\"\"\",\"North, East\",, , ,\r\n";
    let s = back(workers.as_bytes(), cases.as_bytes(), None).unwrap();
    let mut w1 = worker("W1", Role::SocialWorker, "North, East");
    w1.skills = vec!["urdu".into(), "bsl".into()];
    w1.fte = Some(0.5);
    w1.agency = Some(true);
    let mut w2 = worker("W2", Role::SocialWorker, "North, East");
    w2.agency = Some(false);
    w2.status = Some(Status::Absent);
    let mut c1 = case("C,1", CaseType::LookedAfter, "North, East");
    c1.exclude = vec!["W2".into()];
    c1.needs = vec!["urdu".into(), "bsl".into()];
    c1.current_worker = Some("W1".into());
    c1.pinned = Some(true);
    c1.weight = Some(2.0);
    let c2 = case("C \"2\"", CaseType::ChildInNeed, "North, East");
    assert_eq!(s.model, ModelFile { version: 1, policy: None, workers: vec![w1, w2], cases: vec![c1, c2] });
    assert_eq!(s.worker_rows, vec![2, 3]);
    assert_eq!(s.case_rows, vec![2, 3]);
    s.validate().unwrap();
}

#[test]
fn reads_semicolon_csv_with_decimal_commas_as_european_excel_saves_it() {
    let workers =
        "id;role;team;fte;skills\r\nW1;social_worker;North;0,5;\"urdu;bsl\"\r\nW2;social_worker;North;1;\r\n";
    let cases = "id;type;team;weight\nC1;looked_after;North;1,5\n";
    let s = back(workers.as_bytes(), cases.as_bytes(), None).unwrap();
    assert_eq!(s.model.workers[0].fte, Some(0.5));
    assert_eq!(s.model.workers[0].skills, vec!["urdu".to_string(), "bsl".to_string()]);
    assert_eq!(s.model.workers[1].fte, Some(1.0));
    assert_eq!(s.model.cases[0].weight, Some(1.5));
    // Tab-separated text works too; a decimal comma in comma-separated CSV is still refused.
    let tabbed = "id\ttype\tteam\nC1\tlooked_after\tNorth\n";
    assert_eq!(back(workers.as_bytes(), tabbed.as_bytes(), None).unwrap().model.cases[0].id, "C1");
    // A dot between groups of three digits, in a file of decimal commas, may be a thousands
    // separator: refused, not read as 1. A dot after a leading 0 is decimals.
    let cases = "id;type;team;priority;weight\nC1;looked_after;North;1.000;0.125\nC2;looked_after;North;2.500.000;1\n";
    let e = back(workers.as_bytes(), cases.as_bytes(), None).unwrap_err().to_string();
    assert!(e.contains(r#"row 2, column priority: "1.000" could be a thousand times more or less"#), "{e}");
    assert!(e.contains(r#"row 3, column priority: "2.500.000""#), "{e}");
    assert!(!e.contains("column weight"), "{e}");
}

#[test]
fn accepts_true_false_yes_no_and_one_zero_in_any_case() {
    for (text, want) in [
        ("true", true),
        ("FALSE", false),
        ("Yes", true),
        ("no", false),
        ("Y", true),
        ("n", false),
        ("1", true),
        ("0", false),
    ] {
        let w = format!("id,role,team,agency\nW1,social_worker,N,{text}\n");
        let s = back(w.as_bytes(), b"id,type,team\n", None).unwrap();
        assert_eq!(s.model.workers[0].agency, Some(want), "{text}");
    }
    let e = back(b"id,role,team,agency\nW1,social_worker,N,maybe\n", b"id,type,team\n", None).unwrap_err();
    assert_eq!(input_error(e).1, "row 2, column agency");
}

/// A cases sheet with 16 good rows, then `row17` as spreadsheet row 18.
fn cases_with_row_18(row17: &str) -> String {
    let mut s = String::from("id,type,team,current_worker\n");
    for i in 1..=16 {
        s.push_str(&format!("C{i:02},child_in_need,North,W1\n"));
    }
    s.push_str(row17);
    s.push('\n');
    s
}

const WORKERS: &str = "id,role,team\nW1,social_worker,North\nW2,social_worker,North\n";

#[test]
fn an_unknown_current_worker_is_named_by_file_row_and_column() {
    let s =
        back(WORKERS.as_bytes(), cases_with_row_18("C99,child_in_need,North,W99").as_bytes(), None).unwrap();
    let e = s.validate().unwrap_err();
    assert!(e.is_invalid_input());
    assert_eq!(
        e.to_string(),
        "cases.csv: row 18, column current_worker: no worker \"W99\"; add the worker or remove the reference"
    );
}

#[test]
fn a_duplicate_id_names_both_rows() {
    let s =
        back(WORKERS.as_bytes(), cases_with_row_18("C03,child_in_need,North,W1").as_bytes(), None).unwrap();
    let (file, place, problem) = input_error(s.validate().unwrap_err());
    assert_eq!((file.as_str(), place.as_str()), ("cases.csv", "row 18, column id"));
    assert!(problem.contains("first at row 4"), "{problem}");
}

#[test]
fn rows_are_counted_as_a_spreadsheet_shows_them_even_after_skipped_empty_rows() {
    let cases = "id,type,team,current_worker\nC1,child_in_need,North,\n,,,\nC2,child_in_need,North,W7\n";
    let s = back(WORKERS.as_bytes(), cases.as_bytes(), None).unwrap();
    assert_eq!(input_error(s.validate().unwrap_err()).1, "row 4, column current_worker");
}

#[test]
fn parse_errors_name_the_file_row_and_column() {
    let cases = [
        ("id,type,team,weight\nC1,child_in_need,N,1.5.2\n", "row 2, column weight", "not a number"),
        ("id,type,team,weight\nC1,child_in_need,N,1,5\n", "row 2, column 5", "beyond"),
        ("id,type,team,weight\nC1,looked after kid,N,1\n", "row 2, column type", "unknown value"),
        ("id,type,team\n,child_in_need,N\n", "row 2, column id", "empty"),
        ("id,type,team,colour\nC1,child_in_need,N,red\n", "row 1, column 4", "unknown column \"colour\""),
        ("id,type\nC1,child_in_need\n", "row 1", "no column \"team\""),
        ("id,type,team,team\nC1,child_in_need,N,N\n", "row 1, column team", "twice"),
        ("id,type,team\nC1,child_in_need,N,extra\n", "row 2, column 4", "beyond"),
        ("", "row 1", "empty"),
        ("C1,child_in_need,N\n", "row 1, column 1", "the first row names the columns"),
    ];
    for (csv, place, problem) in cases {
        let (file, p, msg) = input_error(back(WORKERS.as_bytes(), csv.as_bytes(), None).unwrap_err());
        assert_eq!(file, "cases.csv", "{csv}");
        assert_eq!(p, place, "{csv}");
        assert!(msg.contains(problem), "{csv}: {msg}");
    }
    // A decimal comma gets a hint.
    let (_, _, msg) = input_error(
        back(b"id,role,team,fte\nW1,social_worker,N,\"0,5\"\n", b"id,type,team\n", None).unwrap_err(),
    );
    assert!(msg.contains("dot"), "{msg}");
    // Not UTF-8.
    let (_, place, _) =
        input_error(back(b"id,role,team\nW1,social_worker,\xff\n", b"id,type,team\n", None).unwrap_err());
    assert_eq!(place, "line 2, column 18");
}

/// A CSV saved from a sheet with a title above its header (`Team North workers,,`) is read
/// from the header below it, with a warning, as a workbook is.
#[test]
fn a_title_line_above_a_csvs_header_is_read_as_a_title() {
    let w = "Team North workers,,\nid,role,team\nW1,social_worker,N\n";
    let s = back(w.as_bytes(), b"id,type,team\nC1,child_in_need,N\n", None).unwrap();
    assert_eq!(s.worker_rows, [3]);
    let said: Vec<(&str, &str)> = s.warnings.iter().map(|w| (w.code.as_str(), w.message.as_str())).collect();
    assert_eq!(
        said,
        [(
            "title_rows",
            r#"workers.csv: row 1 ("Team North workers") stands above the header (row 2) and was not read, as a title"#
        )]
    );
}

#[test]
fn validation_errors_point_into_the_workers_sheet_and_the_policy_file() {
    let w = "id,role,team,fte,supervisor\nW1,social_worker,N,,\nW2,social_work_assistant,N,1.5,W1\n";
    let (file, place, _) =
        input_error(back(w.as_bytes(), b"id,type,team\n", None).unwrap().validate().unwrap_err());
    assert_eq!((file.as_str(), place.as_str()), ("workers.csv", "row 3, column fte"));

    let p = br#"{"caps": {"social_worker": -1}}"#;
    let (file, place, _) =
        input_error(back(WORKERS.as_bytes(), b"id,type,team\n", Some(p)).unwrap().validate().unwrap_err());
    assert_eq!((file.as_str(), place.as_str()), ("policy.json", "caps.social_worker"));

    let p = br#"{"capps": {}}"#;
    let (file, place, problem) =
        input_error(back(WORKERS.as_bytes(), b"id,type,team\n", Some(p)).unwrap_err());
    assert_eq!(file, "policy.json");
    assert_eq!(place, "capps");
    assert!(problem.contains("unknown field") && problem.contains("line 1"), "{problem}");
}

#[test]
fn a_pinned_case_that_breaks_a_rule_is_named_by_its_row() {
    let cases =
        "id,type,team,current_worker,pinned,needs\nC1,looked_after,North,W1,,\nC2,looked_after,North,W1,yes,bsl\n";
    let (file, place, problem) =
        input_error(back(WORKERS.as_bytes(), cases.as_bytes(), None).unwrap().validate().unwrap_err());
    assert_eq!((file.as_str(), place.as_str()), ("cases.csv", "row 3, column pinned"));
    assert!(problem.contains("C2"), "{problem}");
}

#[test]
fn a_model_through_csv_gives_the_same_optimum_and_proposal_as_through_json() {
    let model = "models/small_team.json";
    let bytes = std::fs::read(root().join(model)).unwrap();
    let m = caseload::read::parse_model(model, &bytes).unwrap();
    let (w, c, p) = to_sheets(&m);
    let sheets = back(&w, &c, Some(&p)).unwrap();
    let via_csv = caseload::allocate(&sheets.validate().unwrap(), Default::default()).unwrap();
    let via_json =
        caseload::allocate(&caseload::load_model_bytes(model, &bytes).unwrap(), Default::default()).unwrap();
    assert!(via_csv.optimal && via_json.optimal);
    assert_eq!(via_csv.objective, via_json.objective);
    assert_eq!(via_csv.allocations, via_json.allocations);
    assert_eq!(via_csv.unallocated, via_json.unallocated);
    // The hash is of the canonical JSON, which is what `convert` writes: the proposal from
    // that file is the same, byte for byte.
    let canonical = sheets.canonical_json();
    let via_canonical =
        caseload::allocate(&caseload::load_model_bytes("m", &canonical).unwrap(), Default::default())
            .unwrap();
    assert_eq!(caseload::write::to_json(&via_canonical), caseload::write::to_json(&via_csv));
}

#[test]
fn the_sample_spreadsheets_allocate_like_their_converted_model() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sheets = root().join("models/sheets");
    let arg = |f: &str| sheets.join(f).display().to_string();
    let o = run(
        d,
        &[
            "convert",
            "--workers",
            &arg("workers.csv"),
            "--cases",
            &arg("cases.csv"),
            "--policy",
            &arg("policy.json"),
            "-o",
            "model.json",
            "-q",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run(d, &["allocate", "model.json", "-o", "a.json", "-q"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run(
        d,
        &[
            "allocate",
            "--workers",
            &arg("workers.csv"),
            "--cases",
            &arg("cases.csv"),
            "--policy",
            &arg("policy.json"),
            "-o",
            "b.json",
            "-q",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(std::fs::read(d.join("a.json")).unwrap(), std::fs::read(d.join("b.json")).unwrap());
    // And back to spreadsheets: the same model.
    let o = run(d, &["convert", "model.json", "--csv-dir", "again", "-q"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let again = caseload::sheets::read::read_sheets(
        &d.join("again/workers.csv"),
        &d.join("again/cases.csv"),
        Some(&d.join("again/policy.json")),
    )
    .unwrap();
    let first = caseload::read::parse_model("m", &std::fs::read(d.join("model.json")).unwrap()).unwrap();
    assert_eq!(again.model, first);
}

#[test]
fn cli_bad_csv_exits_2_names_the_place_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("w.csv"), WORKERS).unwrap();
    std::fs::write(d.join("c.csv"), cases_with_row_18("C99,child_in_need,North,W99")).unwrap();
    let o = run(
        d,
        &[
            "allocate",
            "--workers",
            "w.csv",
            "--cases",
            "c.csv",
            "-o",
            "p.json",
            "--csv",
            "out",
            "--report",
            "r.html",
        ],
    );
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("c.csv: row 18, column current_worker: no worker \"W99\""), "{}", stderr(&o));
    assert!(!d.join("p.json").exists() && !d.join("out").exists() && !d.join("r.html").exists());
    let o = run(d, &["check", "--workers", "w.csv", "--cases", "c.csv"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
}

#[test]
fn cli_takes_exactly_one_of_model_and_spreadsheets() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let model = root().join("models/small_team.json").display().to_string();
    std::fs::write(d.join("w.csv"), WORKERS).unwrap();
    std::fs::write(d.join("c.csv"), "id,type,team\nC1,child_in_need,North\n").unwrap();
    for args in [
        vec!["allocate", &model, "--workers", "w.csv", "--cases", "c.csv", "-o", "p.json"],
        vec!["allocate", "--workers", "w.csv", "-o", "p.json"],
        vec!["allocate", "-o", "p.json"],
        vec!["allocate", &model, "--policy", "x.json", "-o", "p.json"],
    ] {
        let o = run(d, &args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(!d.join("p.json").exists());
    }
}

#[test]
fn cli_check_with_spreadsheets_takes_the_proposal_as_its_one_positional() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("w.csv"), WORKERS).unwrap();
    std::fs::write(
        d.join("c.csv"),
        "id,type,team,current_worker\nC1,child_in_need,North,W1\nC2,care_leaver,North,W2\n",
    )
    .unwrap();
    let o = run(d, &["allocate", "--workers", "w.csv", "--cases", "c.csv", "-o", "p.json", "-q"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run(d, &["check", "--workers", "w.csv", "--cases", "c.csv", "p.json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // Today's allocation: C2 is a care leaver held by a social worker, which is lawful; no breach.
    let o = run(d, &["check", "--workers", "w.csv", "--cases", "c.csv"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // A hand-edited proposal that gives C1 to nobody's worker is a breach.
    let p = std::fs::read_to_string(d.join("p.json"))
        .unwrap()
        .replace("\"worker\": \"W1\"", "\"worker\": \"W9\"");
    std::fs::write(d.join("bad.json"), p).unwrap();
    let o = run(d, &["check", "--workers", "w.csv", "--cases", "c.csv", "bad.json"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
}

#[test]
fn cli_refuses_to_overwrite_an_input_spreadsheet() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("workers.csv"), WORKERS).unwrap();
    std::fs::write(d.join("cases.csv"), "id,type,team\nC1,child_in_need,North\n").unwrap();
    for args in [
        vec!["allocate", "--workers", "workers.csv", "--cases", "cases.csv", "-o", "p.json", "--csv", "."],
        vec!["allocate", "--workers", "workers.csv", "--cases", "cases.csv", "-o", "./cases.csv"],
        vec![
            "allocate",
            "--workers",
            "workers.csv",
            "--cases",
            "cases.csv",
            "-o",
            "p.json",
            "--report",
            "p.json",
        ],
    ] {
        let o = run(d, &args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert_eq!(std::fs::read_to_string(d.join("workers.csv")).unwrap(), WORKERS);
        assert!(std::fs::read_to_string(d.join("cases.csv")).unwrap().starts_with("id,type"));
        assert!(!d.join("p.json").exists());
    }
    std::fs::copy(root().join("models/small_team.json"), d.join("m.json")).unwrap();
    let o = run(d, &["allocate", "m.json", "-o", "m.json"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert_eq!(
        std::fs::read(d.join("m.json")).unwrap(),
        std::fs::read(root().join("models/small_team.json")).unwrap()
    );
}

#[test]
fn cli_csv_outputs_list_every_case_and_quote_awkward_values() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("w.csv"), "id,role,team\nW1,social_worker,\"North, East\"\n").unwrap();
    std::fs::write(
        d.join("c.csv"),
        "id,type,team,needs\n\"=HYPERLINK(\"\"x\"\")\",child_in_need,\"North, East\",\n\"C,2\",child_in_need,\"North, East\",bsl\nC3,care_leaver,\"North, East\",makaton\n",
    )
    .unwrap();
    let o =
        run(d, &["allocate", "--workers", "w.csv", "--cases", "c.csv", "-o", "p.json", "--csv", "out", "-q"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let p: caseload::proposal::Proposal =
        serde_json::from_slice(&std::fs::read(d.join("p.json")).unwrap()).unwrap();
    let read = |f: &str| -> Vec<csv::StringRecord> {
        let bytes = std::fs::read(d.join("out").join(f)).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "{f} starts with a byte-order mark");
        csv::Reader::from_reader(&bytes[3..]).records().map(|r| r.unwrap()).collect()
    };
    let alloc = read("allocations.csv");
    let unalloc = read("unallocated.csv");
    assert_eq!(alloc.len(), p.allocations.len());
    assert_eq!(unalloc.len(), p.unallocated.len());
    assert_eq!(alloc.len() + unalloc.len(), 3);
    let ids: Vec<&str> = unalloc.iter().map(|r| &r[0]).collect();
    assert!(ids.contains(&"C,2") && ids.contains(&"C3"), "{ids:?}");
    for (r, u) in unalloc.iter().zip(&p.unallocated) {
        assert_eq!(&r[5], u.reasons.iter().map(|x| x.code.name()).collect::<Vec<_>>().join(";"));
        assert!(!r[6].is_empty() && r[7].contains(&u.reasons[0].message));
        assert_eq!(&r[8], caseload::words::family_message(u.reasons[0].code));
        // Beside the reasons, what would help: one action a reason.
        assert_eq!(&r[9], u.reasons.iter().map(|x| x.action.as_str()).collect::<Vec<_>>().join("; "));
        assert!(!r[9].is_empty());
    }
    // A formula-like id is shown as text in a spreadsheet, not run.
    assert_eq!(&alloc[0][0], "'=HYPERLINK(\"x\")");
    assert_eq!(&alloc[0][2], "North, East");
    let loads = read("workers.csv");
    assert_eq!(loads.len(), 1);
    assert_eq!(&loads[0][5], "1");
}

#[test]
fn convert_refuses_a_request_without_an_output_or_with_two_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let model = root().join("models/small_team.json").display().to_string();
    let o = run(dir.path(), &["convert", &model]);
    assert_eq!(code(&o), 2);
    let o = run(dir.path(), &["convert", &model, "--workers", "w.csv", "--cases", "c.csv", "-o", "x.json"]);
    assert_eq!(code(&o), 2);
    assert!(!dir.path().join("x.json").exists());
    // A model file to a model file writes it in canonical form, the same model.
    let o = run(dir.path(), &["convert", &model, "-o", "x.json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let back = std::fs::read(dir.path().join("x.json")).unwrap();
    assert_eq!(caseload::read::parse_model("x", &back).unwrap(), small_team());
}

#[test]
fn convert_from_spreadsheets_validates_and_names_the_row() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("w.csv"), WORKERS).unwrap();
    std::fs::write(d.join("c.csv"), "id,type,team,exclude\nC1,child_in_need,North,W1;W3\n").unwrap();
    let o = run(d, &["convert", "--workers", "w.csv", "--cases", "c.csv", "-o", "m.json"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("c.csv: row 2, column exclude: exclude[1]: no worker \"W3\""),
        "{}",
        stderr(&o)
    );
    assert!(!d.join("m.json").exists());
}

#[test]
fn cli_refuses_unwritable_extra_outputs_before_writing_the_proposal() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let model = root().join("models/small_team.json").display().to_string();
    std::fs::write(d.join("afile"), "x").unwrap();
    // A missing directory is a write error (4), found before the solve; the wrong kind of
    // path, a usage mistake (2).
    for (args, status) in [
        (vec!["allocate", &model, "-o", "p.json", "--csv", "afile"], 2),
        (vec!["allocate", &model, "-o", "p.json", "--report", "missing/r.html"], 4),
        (vec!["allocate", &model, "-o", "p.json", "--report", "."], 2),
    ] {
        let o = run(d, &args);
        assert_eq!(code(&o), status, "{args:?}: {}", stderr(&o));
        assert!(!d.join("p.json").exists(), "{args:?}");
    }
    let o = run(d, &["allocate", &model, "-o", "p.json", "--csv", "new/dir", "--report", "r.html"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    for f in ["p.json", "new/dir/allocations.csv", "new/dir/unallocated.csv", "new/dir/workers.csv", "r.html"]
    {
        assert!(d.join(f).is_file(), "{f}");
    }
}

#[test]
fn cli_help_shows_the_spreadsheet_options() {
    let dir = tempfile::tempdir().unwrap();
    for (cmd, opts) in [
        ("allocate", &["--workers", "--cases", "--policy", "--csv", "--report"][..]),
        ("check", &["--workers", "--cases", "--policy"][..]),
        ("convert", &["--workers", "--cases", "--policy", "--csv-dir", "--output"][..]),
    ] {
        let o = run(dir.path(), &[cmd, "--help"]);
        assert_eq!(code(&o), 0, "{cmd}: {}", stderr(&o));
        let help = String::from_utf8_lossy(&o.stdout);
        for opt in opts {
            assert!(help.contains(opt), "{cmd} --help lacks {opt}");
        }
    }
}

proptest! {
    #![proptest_config(crate::common::proptest_config(128))]
    /// Any bytes give a model or an input error, never a panic.
    #[test]
    fn arbitrary_spreadsheets_give_an_error_or_a_model_never_a_panic(
        w in prop::string::string_regex("(id,role,team(,fte|,skills|,supervisor|,status|,agency|,cap)*\r?\n)?([A-Za-z0-9_ ;\",.\r\n-]{0,20}(,[A-Za-z0-9_ ;\",.-]{0,12}){0,6}\n){0,5}").unwrap(),
        c in prop::string::string_regex("(id,type,team(,weight|,current_worker|,pinned|,group|,needs|,exclude)*\n)?([A-Za-z0-9_ ;\",.\r\n-]{0,20}(,[A-Za-z0-9_ ;\",.-]{0,12}){0,6}\n){0,5}").unwrap(),
        raw in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        for (wb, cb) in [(w.as_bytes(), c.as_bytes()), (&raw[..], c.as_bytes()), (w.as_bytes(), &raw[..])] {
            match back(wb, cb, None) {
                Ok(s) => {
                    if let Err(e) = s.validate() {
                        prop_assert!(e.is_invalid_input());
                    }
                }
                Err(e) => prop_assert!(e.is_invalid_input()),
            }
        }
    }
}
