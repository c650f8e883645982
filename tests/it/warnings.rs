//! Warnings for near-misses (on stderr, in the proposal, fatal under --strict) and empty
//! models refused unless --allow-empty. Matching itself stays exact.

use crate::sheets_common as common;

use common::{code, run, stderr};
use std::path::Path;

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

fn proposal(dir: &Path, name: &str) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join(name)).unwrap()).unwrap()
}

fn warning_codes(p: &serde_json::Value) -> Vec<String> {
    p["warnings"]
        .as_array()
        .map_or(vec![], |a| a.iter().map(|w| w["code"].as_str().unwrap().to_string()).collect())
}

fn model(workers: &str, cases: &str) -> String {
    format!(r#"{{"version": 1, "workers": [{workers}], "cases": [{cases}]}}"#)
}

#[test]
fn a_skill_differing_only_by_case_is_warned_and_still_not_matched() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "m.json",
        &model(
            r#"{"id": "W1", "role": "social_worker", "team": "North", "skills": ["urdu"]}"#,
            r#"{"id": "C1", "type": "looked_after", "team": "North", "needs": ["Urdu"]}"#,
        ),
    );
    // Without --allow-near-misses the near-miss stops the run (tests/it/near_miss.rs).
    let o = run(d, &["allocate", "m.json", "-o", "p.json", "-q", "--allow-near-misses"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("caseload: warning:") && err.contains("\"Urdu\"") && err.contains("\"urdu\""),
        "{err}"
    );
    assert!(err.contains("[skill_near_miss]"), "{err}");
    let p = proposal(d, "p.json");
    assert_eq!(warning_codes(&p), vec!["skill_near_miss"]);
    // Exact matching, as SPEC section 3 says: the child is still unallocated, for its needs.
    assert_eq!(p["unallocated"][0]["reasons"][0]["code"], "needs_unmet");

    let o = run(d, &["allocate", "m.json", "-o", "strict.json", "--strict", "--allow-near-misses"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("warning skill_near_miss"), "{}", stderr(&o));
    assert!(!d.join("strict.json").exists());
}

#[test]
fn spacing_in_a_skill_is_a_near_miss_too() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "m.json",
        &model(
            r#"{"id": "W1", "role": "social_worker", "team": "North", "skills": ["sign  language"]}"#,
            r#"{"id": "C1", "type": "looked_after", "team": "North", "needs": ["sign language"]}"#,
        ),
    );
    let o = run(dir.path(), &["check", "m.json", "--allow-near-misses"]);
    assert!(stderr(&o).contains("[skill_near_miss]"), "{}", stderr(&o));
}

#[test]
fn a_misspelt_team_with_cases_but_no_worker_is_warned_with_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "m.json",
        &model(
            r#"{"id": "W1", "role": "social_worker", "team": "Ladywood"}"#,
            r#"{"id": "C1", "type": "looked_after", "team": "Ladywood"},
               {"id": "C2", "type": "looked_after", "team": "Ladywod"}"#,
        ),
    );
    let o = run(d, &["allocate", "m.json", "-o", "p.json", "-q", "--allow-near-misses"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("team \"Ladywod\" has 1 case (\"C2\") but no active worker"), "{err}");
    assert!(err.contains("did you mean \"Ladywood\"?"), "{err}");
    assert_eq!(warning_codes(&proposal(d, "p.json")), vec!["team_without_active_worker"]);
}

#[test]
fn a_team_with_workers_but_no_cases_is_warned() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "m.json",
        &model(
            r#"{"id": "W1", "role": "social_worker", "team": "North"},
               {"id": "W2", "role": "social_worker", "team": "Nrth"},
               {"id": "W3", "role": "social_worker", "team": "South", "status": "vacant"}"#,
            r#"{"id": "C1", "type": "looked_after", "team": "North"}"#,
        ),
    );
    let o = run(dir.path(), &["allocate", "m.json", "-o", "p.json", "-q"]);
    let err = stderr(&o);
    assert!(err.contains("team \"Nrth\" has active worker \"W2\" but no cases"), "{err}");
    // A team of vacant posts only is not staffed: nothing to say about it.
    assert!(!err.contains("South"), "{err}");
    assert_eq!(warning_codes(&proposal(dir.path(), "p.json")), vec!["team_without_cases"]);
}

#[test]
fn ids_differing_only_by_case_or_unicode_normalisation_are_warned() {
    let dir = tempfile::tempdir().unwrap();
    // "Chloé" precomposed (U+00E9) and decomposed (e + U+0301).
    write(
        dir.path(),
        "m.json",
        &model(
            "{\"id\": \"Chlo\u{e9}\", \"role\": \"social_worker\", \"team\": \"North\"},
             {\"id\": \"Chloe\u{301}\", \"role\": \"social_worker\", \"team\": \"North\"}",
            r#"{"id": "C1", "type": "looked_after", "team": "North"},
               {"id": "c1", "type": "looked_after", "team": "North"}"#,
        ),
    );
    let o = run(dir.path(), &["allocate", "m.json", "-o", "p.json", "-q"]);
    let err = stderr(&o);
    assert!(err.contains("case ids \"C1\", \"c1\" differ only by case"), "{err}");
    assert!(err.contains("typed with different Unicode characters"), "{err}");
    // Shown as text, not as escapes.
    assert!(err.contains("Chloe\u{301}") && !err.contains("\\u{301}"), "{err}");
    let p = proposal(dir.path(), "p.json");
    assert_eq!(warning_codes(&p), vec!["id_near_duplicate", "id_near_duplicate"]);
}

/// Sibling groups typed two ways (`Okafor`, `okafor`) are two groups, whose children need not
/// be kept together: named, as ids are.
#[test]
fn sibling_groups_differing_only_by_case_are_warned() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "m.json",
        &model(
            r#"{"id": "W1", "role": "social_worker", "team": "North", "cap": 3},
               {"id": "W2", "role": "social_worker", "team": "North", "cap": 3}"#,
            r#"{"id": "C1", "type": "looked_after", "team": "North", "group": "Okafor"},
               {"id": "C2", "type": "looked_after", "team": "North", "group": "okafor "},
               {"id": "C3", "type": "looked_after", "team": "North", "group": "Okafor"}"#,
        ),
    );
    let o = run(dir.path(), &["allocate", "m.json", "-o", "p.json", "-q"]);
    let err = stderr(&o);
    assert!(err.contains(r#"sibling groups "Okafor", "okafor " differ only by case or spacing"#), "{err}");
    assert_eq!(warning_codes(&proposal(dir.path(), "p.json")), vec!["id_near_duplicate"]);
    let o = run(dir.path(), &["allocate", "m.json", "-o", "p.json", "-q", "--strict"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
}

/// A post whose id or name says it is vacant but whose status is left active would be given
/// children who would have nobody: named. A vacant one, or a person called Vacanti, is not.
#[test]
fn an_active_worker_named_vacant_is_warned() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "m.json",
        &model(
            r#"{"id": "VACANT-1", "role": "social_worker", "team": "North", "cap": 3},
               {"id": "W2", "role": "social_worker", "team": "North", "cap": 3, "name": "Vacancy (agency)"},
               {"id": "W3", "role": "social_worker", "team": "North", "cap": 3, "status": "vacant", "name": "VACANT"},
               {"id": "W4", "role": "social_worker", "team": "North", "cap": 3, "name": "Gio Vacanti"}"#,
            r#"{"id": "C1", "type": "looked_after", "team": "North"}"#,
        ),
    );
    let o = run(dir.path(), &["allocate", "m.json", "-o", "p.json", "-q"]);
    let err = stderr(&o);
    assert!(
        err.contains(r#"workers "VACANT-1", "W2" are active but their ids or names say the post is vacant"#),
        "{err}"
    );
    assert!(!err.contains("\"W3\"") && !err.contains("\"W4\""), "{err}");
    assert_eq!(warning_codes(&proposal(dir.path(), "p.json")), vec!["named_vacant"]);
}

/// A worker id with a `;` or a `,` is lawful in a model file, but no spreadsheet's list cell
/// (a case's `exclude` or `previous_workers`) can name it, and `accept -o next.xlsx` stopped
/// only once a child left it, a week later. It is warned of when the model is read, naming the
/// id and why; the model still runs (and `--strict` stops it, as every warning). A vacant
/// post that holds no child is not named: no child can be given it, so none can leave it.
#[test]
fn a_worker_id_a_list_cell_cannot_hold_is_warned_and_the_model_still_runs() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "m.json",
        &model(
            r#"{"id": "W;2", "role": "social_worker", "team": "North", "cap": 3},
               {"id": "Smith, J", "role": "social_worker", "team": "North", "cap": 3},
               {"id": "W3", "role": "social_worker", "team": "North", "cap": 3},
               {"id": "Post 9 (vacant, senior)", "role": "social_worker", "team": "North", "status": "vacant"}"#,
            r#"{"id": "C1", "type": "child_in_need", "team": "North", "current_worker": "W;2"}"#,
        ),
    );
    let o = run(dir.path(), &["allocate", "m.json", "-o", "p.json", "-q"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(r#"workers "Smith, J", "W;2" have a ';' or a ',' in their ids, which a spreadsheet's list cell cannot hold: a case's exclude and previous_workers cells separate workers with ';'"#),
        "{err}"
    );
    assert!(err.contains("[unlistable_worker_id]") && !err.contains("\"W3\""), "{err}");
    assert!(!err.contains("Post 9"), "{err}");
    let p = proposal(dir.path(), "p.json");
    assert_eq!(warning_codes(&p), vec!["unlistable_worker_id"]);
    assert_eq!(p["allocations"][0]["worker"], "W;2");
    let o = run(dir.path(), &["allocate", "m.json", "-o", "p2.json", "-q", "--strict"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
}

#[test]
fn a_model_without_near_misses_has_no_warnings_field() {
    let dir = tempfile::tempdir().unwrap();
    let m = common::root().join("models/small_team.json").display().to_string();
    let o = run(dir.path(), &["allocate", &m, "-o", "p.json", "-q", "--strict"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    assert!(proposal(dir.path(), "p.json").get("warnings").is_none());
}

#[test]
fn an_empty_cases_sheet_is_an_input_error_and_keeps_last_weeks_proposal() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "workers.csv", "id,role,team\nW1,social_worker,North\n");
    write(d, "cases.csv", "id,type,team\n");
    write(d, "proposal.json", "last week\n");
    let o = run(d, &["allocate", "--workers", "workers.csv", "--cases", "cases.csv", "-o", "proposal.json"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("cases.csv: row 2: there are no cases"), "{err}");
    assert!(err.contains("--allow-empty"), "{err}");
    assert_eq!(std::fs::read_to_string(d.join("proposal.json")).unwrap(), "last week\n");
    let o = run(
        d,
        &[
            "allocate",
            "--workers",
            "workers.csv",
            "--cases",
            "cases.csv",
            "-o",
            "proposal.json",
            "--allow-empty",
            "-q",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // The lone worker's team has no cases: said, not fatal.
    assert!(stderr(&o).contains("[team_without_cases]"), "{}", stderr(&o));
}

#[test]
fn an_empty_workforce_is_an_input_error_in_allocate_check_and_whatif() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "m.json", &model("", r#"{"id": "C1", "type": "looked_after", "team": "North"}"#));
    for args in [
        vec!["allocate", "m.json", "-o", "p.json"],
        vec!["check", "m.json"],
        vec!["whatif", "m.json", "--hire", "social_worker:North:1"],
    ] {
        let o = run(d, &args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("m.json: workers: there are no workers"), "{args:?}: {}", stderr(&o));
    }
    assert!(!d.join("p.json").exists());
    let o = run(d, &["check", "m.json", "--allow-empty"]);
    assert_ne!(code(&o), 2, "{}", stderr(&o));
}

#[test]
fn thousands_of_unknown_teams_are_compared_within_a_bound_and_the_rest_counted() {
    // 3,000 case teams no worker is in, against 3,000 staffed teams: every pair would be
    // 9,000,000 comparisons for each list, and took minutes with 5,000 of each.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let workers: Vec<String> = (0..3000)
        .map(|i| format!(r#"{{"id": "W{i:05}", "role": "social_worker", "team": "Team{i:05}x"}}"#))
        .collect();
    let cases: Vec<String> = (0..3000)
        .map(|i| format!(r#"{{"id": "C{i:05}", "type": "child_in_need", "team": "Team{i:05}y"}}"#))
        .collect();
    write(d, "m.json", &model(&workers.join(","), &cases.join(",")));
    let o = run(d, &["check", "m.json", "--allow-near-misses"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let err = stderr(&o);
    // The first teams are still given their nearest names; past the comparisons allowed
    // (4,194,304: 1,398 teams of 3,000 candidates each), the rest are counted, not compared.
    assert!(
        err.contains(
            r#"team "Team00000y" has 1 case ("C00000") but no active worker (did you mean "Team00000x"?)"#
        ),
        "{err}"
    );
    let limited: Vec<&str> = err.lines().filter(|l| l.ends_with("[suggestions_limited]")).collect();
    assert_eq!(limited.len(), 2, "{err}");
    assert!(
        limited[0].contains("of the 3,000 teams with cases but no active worker, 1,602 were not compared with the 3,000 staffed teams"),
        "{}",
        limited[0]
    );
    assert!(
        limited[1].contains("of the 3,000 teams with workers but no cases, 1,602 were not compared"),
        "{}",
        limited[1]
    );
}
