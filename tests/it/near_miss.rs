//! A near-miss that changes a child's outcome (a case's team that no worker is in, a needed
//! skill that no worker has, close to one that exists) stops the run unless
//! --allow-near-misses; the suggestion puts look-alike characters first and lists ties.

use crate::sheets_common as common;

use common::{code, run, stderr};
use std::path::Path;

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

fn model(workers: &str, cases: &str) -> String {
    format!(r#"{{"version": 1, "workers": [{workers}], "cases": [{cases}]}}"#)
}

fn two_teams(case_team: &str) -> String {
    model(
        r#"{"id": "W0", "role": "social_worker", "team": "T00"},
           {"id": "W1", "role": "social_worker", "team": "T01"}"#,
        &format!(r#"{{"id": "C1", "type": "child_protection", "team": "{case_team}"}}"#),
    )
}

#[test]
fn a_child_protection_case_in_team_t0l_stops_the_run_and_t01_is_suggested() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "m.json", &two_teams("T0l"));
    write(d, "p.json", "last week's proposal");
    let o = run(d, &["allocate", "m.json", "-o", "p.json", "-q"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("m.json: cases[0].team: ") && err.contains("\"C1\""), "{err}");
    assert!(err.contains("did you mean \"T01\"?"), "{err}");
    assert!(!err.contains("\"T00\""), "{err}");
    assert_eq!(std::fs::read_to_string(d.join("p.json")).unwrap(), "last week's proposal");
    let o = run(d, &["allocate", "m.json", "-o", "new.json", "-q"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(!d.join("new.json").exists());
}

#[test]
fn allow_near_misses_goes_on_and_warns() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "m.json", &two_teams("T0l"));
    let o = run(d, &["allocate", "m.json", "-o", "p.json", "--allow-near-misses"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("caseload: warning:") && err.contains("[team_without_active_worker]"), "{err}");
    assert!(err.contains("did you mean \"T01\"?"), "{err}");
    // What would help: correct the team, never a post in a team that exists only as a typo.
    let p: serde_json::Value = serde_json::from_slice(&std::fs::read(d.join("p.json")).unwrap()).unwrap();
    let u = &p["unallocated"][0];
    assert_eq!(u["case"], "C1", "{p}");
    let actions: Vec<&str> =
        u["reasons"].as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert!(
        actions.iter().all(|a| a.contains("correct the case's team") && a.contains("\"T01\"")),
        "{actions:?}"
    );
    assert!(actions.iter().all(|a| !a.contains("post")), "{actions:?}");
    // check reads a model too.
    let o = run(d, &["check", "m.json"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
}

#[test]
fn ties_are_listed_not_picked() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "m.json", &two_teams("T02"));
    let o = run(d, &["allocate", "m.json", "-o", "p.json", "-q"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("did you mean \"T00\" or \"T01\"?"), "{}", stderr(&o));
}

#[test]
fn a_needed_skill_with_a_trailing_space_stops_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "m.json",
        &model(
            r#"{"id": "W1", "role": "social_worker", "team": "North", "skills": ["Urdu"]}"#,
            r#"{"id": "C1", "type": "looked_after", "team": "North", "needs": ["urdu "]}"#,
        ),
    );
    let o = run(d, &["allocate", "m.json", "-o", "p.json", "-q"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("m.json: cases[0].needs: ") && err.contains("did you mean \"Urdu\"?"), "{err}");
    assert!(!d.join("p.json").exists());
    let o = run(d, &["allocate", "m.json", "-o", "p.json", "--allow-near-misses"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("[skill_near_miss]"), "{}", stderr(&o));
}

#[test]
fn a_team_far_from_every_real_team_is_only_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "m.json", &two_teams("Northfield"));
    let o = run(d, &["allocate", "m.json", "-o", "p.json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("[team_without_active_worker]"), "{}", stderr(&o));
}

#[test]
fn shipped_models_are_not_refused_without_the_flag() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&root).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "json") {
            let o = run(dir.path(), &["check", p.to_str().unwrap()]);
            assert_ne!(code(&o), 2, "{}: {}", p.display(), stderr(&o));
        }
    }
    let s = root.join("sheets");
    let o = run(
        dir.path(),
        &[
            "check",
            "--workers",
            s.join("workers.csv").to_str().unwrap(),
            "--cases",
            s.join("cases.csv").to_str().unwrap(),
            "--policy",
            s.join("policy.json").to_str().unwrap(),
        ],
    );
    assert_ne!(code(&o), 2, "{}", stderr(&o));
}

#[test]
fn the_meeting_workbook_opens_on_a_warnings_sheet_only_when_there_are_warnings() {
    use calamine::Reader;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let names = |file: &str| {
        let bytes = std::fs::read(d.join(file)).unwrap();
        let book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        book.sheet_names()
    };
    write(d, "m.json", &two_teams("T0l"));
    let o = run(d, &["allocate", "m.json", "-o", "p.json", "--xlsx", "w.xlsx", "-q", "--allow-near-misses"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let sheets = names("w.xlsx");
    assert_eq!(sheets[0], "warnings", "{sheets:?}");
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(std::fs::read(d.join("w.xlsx")).unwrap()))
            .unwrap();
    let range = book.worksheet_range("warnings").unwrap();
    let cells: Vec<String> = range.rows().skip(1).map(|r| r[0].to_string()).collect();
    assert!(cells.contains(&"team_without_active_worker".to_string()), "{cells:?}");
    write(
        d,
        "clean.json",
        &model(
            r#"{"id": "W1", "role": "social_worker", "team": "T01"}"#,
            r#"{"id": "C1", "type": "child_protection", "team": "T01"}"#,
        ),
    );
    let o = run(d, &["allocate", "clean.json", "-o", "p2.json", "--xlsx", "c.xlsx", "-q"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!names("c.xlsx").contains(&"warnings".to_string()), "{:?}", names("c.xlsx"));
}
