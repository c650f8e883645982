//! `caseload check`, through the binary: a good proposal passes (status 0); hand-edited
//! proposals fail (status 1) with the breach named; without a proposal, today's allocation is
//! audited.

use crate::common;

use common::*;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn model() -> Value {
    json!({
        "version": 1,
        "workers": [
            { "id": "W1", "role": "social_worker", "team": "North", "cap": 2 },
            { "id": "W2", "role": "social_worker", "team": "North", "cap": 3 },
            { "id": "W3", "role": "social_work_assistant", "team": "North", "supervisor": "W1" },
            { "id": "W4", "role": "social_worker", "team": "South" }
        ],
        "cases": [
            { "id": "C1", "type": "child_protection", "team": "North", "current_worker": "W1", "pinned": true },
            { "id": "C2", "type": "looked_after", "team": "North", "group": "smith" },
            { "id": "C3", "type": "looked_after", "team": "North", "group": "smith" },
            { "id": "C4", "type": "child_in_need", "team": "North" },
            { "id": "C5", "type": "child_in_need", "team": "North", "current_worker": "W2" },
            { "id": "C6", "type": "looked_after", "team": "North", "needs": ["bsl"] },
            { "id": "C7", "type": "child_protection", "team": "North" }
        ]
    })
}

struct Fixture {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    model: PathBuf,
    proposal: Value,
}

/// Writes the model, allocates it with the binary and reads the proposal back.
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let model = write_file(&path, "model.json", &to_bytes(&model()));
    let out = path.join("proposal.json");
    let o = run(&[&"allocate", &model, &"-o", &out], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let proposal = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    Fixture { _dir: dir, dir: path, model, proposal }
}

/// Runs `check --json` on a proposal; returns the status and the breach codes.
fn check(f: &Fixture, proposal: &Value) -> (Option<i32>, Vec<Value>) {
    let p = write_file(&f.dir, "edited.json", &to_bytes(proposal));
    let o = run(&[&"check", &f.model, &p, &"--json"], &[]);
    let breaches: Vec<Value> =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|_| panic!("JSON breaches: {}", text(&o)));
    (o.status.code(), breaches)
}

fn assert_breach(f: &Fixture, edited: &Value, code: &str, about: &str) {
    let (status, breaches) = check(f, edited);
    assert_eq!(status, Some(1), "check should find breaches: {breaches:?}");
    assert!(
        breaches
            .iter()
            .any(|b| b["code"] == code && (b["case"] == about || b["worker"] == about || about.is_empty())),
        "expected a {code} breach about {about:?}, got {breaches:#?}"
    );
}

fn position(p: &Value, list: &str, case: &str) -> usize {
    p[list]
        .as_array()
        .unwrap()
        .iter()
        .position(|a| a["case"] == case)
        .unwrap_or_else(|| panic!("{case} not in {list}"))
}

fn set_worker(p: &mut Value, case: &str, worker: &str) {
    let i = position(p, "allocations", case);
    p["allocations"][i]["worker"] = json!(worker);
}

#[test]
fn passes_the_proposal_allocate_wrote() {
    let f = fixture();
    let out = f.dir.join("proposal.json");
    let o = run(&[&"check", &f.model, &out], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("no breaches"));
    let (status, breaches) = check(&f, &f.proposal);
    assert_eq!((status, breaches.len()), (Some(0), 0));
    // The fixture is what the edits below assume.
    assert_eq!(f.proposal["unallocated"].as_array().unwrap().len(), 1, "{}", f.proposal);
    assert_eq!(f.proposal["unallocated"][0]["case"], "C6");
}

#[test]
fn finds_a_case_left_out_of_the_proposal() {
    let f = fixture();
    let mut p = f.proposal.clone();
    let i = position(&p, "allocations", "C4");
    p["allocations"].as_array_mut().unwrap().remove(i);
    assert_breach(&f, &p, "missing", "C4");
}

#[test]
fn finds_an_unallocated_case_left_out_of_the_proposal() {
    let f = fixture();
    let mut p = f.proposal.clone();
    p["unallocated"] = json!([]);
    assert_breach(&f, &p, "missing", "C6");
}

#[test]
fn finds_a_case_listed_twice() {
    let f = fixture();
    let mut p = f.proposal.clone();
    let dup = json!({ "case": "C4", "type": "child_in_need", "team": "North",
                     "reasons": [ { "code": "at_capacity", "message": "full" } ] });
    p["unallocated"].as_array_mut().unwrap().push(dup);
    assert_breach(&f, &p, "duplicate", "C4");
}

#[test]
fn finds_a_case_that_is_not_in_the_model() {
    let f = fixture();
    let mut p = f.proposal.clone();
    p["allocations"].as_array_mut().unwrap().push(json!({ "case": "C99", "worker": "W2", "change": "new" }));
    assert_breach(&f, &p, "unknown", "C99");
}

#[test]
fn finds_a_worker_who_is_not_in_the_model() {
    let f = fixture();
    let mut p = f.proposal.clone();
    set_worker(&mut p, "C4", "W99");
    assert_breach(&f, &p, "unknown", "C4");
}

#[test]
fn finds_a_worker_over_cap() {
    let f = fixture();
    let mut p = f.proposal.clone();
    for c in ["C2", "C3", "C4", "C5", "C7"] {
        set_worker(&mut p, c, "W2");
    }
    assert_breach(&f, &p, "rule7", "W2");
}

#[test]
fn finds_a_child_protection_case_given_to_an_assistant() {
    let f = fixture();
    let mut p = f.proposal.clone();
    set_worker(&mut p, "C7", "W3");
    assert_breach(&f, &p, "rule2", "C7");
}

#[test]
fn finds_a_case_given_to_another_team() {
    let f = fixture();
    let mut p = f.proposal.clone();
    set_worker(&mut p, "C7", "W4");
    assert_breach(&f, &p, "rule3", "C7");
}

#[test]
fn finds_split_siblings() {
    let f = fixture();
    let mut p = f.proposal.clone();
    let w = p["allocations"][position(&p, "allocations", "C2")]["worker"].as_str().unwrap().to_string();
    set_worker(&mut p, "C3", if w == "W1" { "W2" } else { "W1" });
    assert_breach(&f, &p, "rule9", "");
}

#[test]
fn finds_a_pinned_case_moved() {
    let f = fixture();
    let mut p = f.proposal.clone();
    set_worker(&mut p, "C1", "W2");
    assert_breach(&f, &p, "rule10", "C1");
}

#[test]
fn finds_a_pinned_case_left_unallocated() {
    let f = fixture();
    let mut p = f.proposal.clone();
    let i = position(&p, "allocations", "C1");
    p["allocations"].as_array_mut().unwrap().remove(i);
    p["unallocated"].as_array_mut().unwrap().insert(
        0,
        json!({ "case": "C1", "type": "child_protection", "team": "North",
                "reasons": [ { "code": "at_capacity", "message": "full" } ] }),
    );
    assert_breach(&f, &p, "rule10", "C1");
}

#[test]
fn finds_a_false_reason() {
    let f = fixture();
    let mut p = f.proposal.clone();
    // C6 is unallocated because nobody speaks BSL, not because workers are full.
    p["unallocated"][0]["reasons"] = json!([ { "code": "at_capacity", "message": "everyone is full" } ]);
    assert_breach(&f, &p, "reason", "C6");
}

#[test]
fn finds_an_unknown_reason_code() {
    let f = fixture();
    let mut p = f.proposal.clone();
    p["unallocated"][0]["reasons"] = json!([ { "code": "lazy", "message": "?" } ]);
    assert_breach(&f, &p, "reason", "C6");
}

#[test]
fn finds_an_unallocated_case_without_a_reason() {
    let f = fixture();
    let mut p = f.proposal.clone();
    p["unallocated"][0]["reasons"] = json!([]);
    assert_breach(&f, &p, "reason", "C6");
}

#[test]
fn finds_a_wrong_objective() {
    let f = fixture();
    let mut p = f.proposal.clone();
    p["objective"] = json!(p["objective"].as_f64().unwrap() + 1.0);
    assert_breach(&f, &p, "objective", "");
}

#[test]
fn finds_a_wrong_load() {
    let f = fixture();
    let mut p = f.proposal.clone();
    p["workers"][1]["load"] = json!(p["workers"][1]["load"].as_f64().unwrap() + 0.5);
    assert_breach(&f, &p, "load", "W2");
}

#[test]
fn finds_a_wrong_change_label() {
    let f = fixture();
    let mut p = f.proposal.clone();
    let i = position(&p, "allocations", "C1");
    p["allocations"][i]["change"] = json!("moved");
    assert_breach(&f, &p, "change", "C1");
}

#[test]
fn finds_allocations_out_of_order() {
    let f = fixture();
    let mut p = f.proposal.clone();
    p["allocations"].as_array_mut().unwrap().reverse();
    assert_breach(&f, &p, "order", "");
}

#[test]
fn prints_breaches_in_words_without_json() {
    let f = fixture();
    let mut p = f.proposal.clone();
    set_worker(&mut p, "C1", "W2");
    let path = write_file(&f.dir, "edited.json", &to_bytes(&p));
    let o = run(&[&"check", &f.model, &path], &[]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("pinned case moved (SPEC rule 10)") && out.contains("C1") && out.contains("breaches"),
        "{out}"
    );
}

#[test]
fn refuses_a_proposal_that_is_not_json_with_status_2() {
    let f = fixture();
    let path = write_file(&f.dir, "broken.json", b"{\"allocations\": [");
    let o = run(&[&"check", &f.model, &path], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("broken.json"));
}

// --- Today's allocation ---

fn audit(dir: &Path, model: Value) -> (Option<i32>, Vec<Value>, String) {
    let path = write_file(dir, "today.json", &to_bytes(&model));
    let o = run(&[&"check", &path, &"--json"], &[]);
    let breaches: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap_or_else(|_| panic!("{}", text(&o)));
    let words = run(&[&"check", &path], &[]);
    (o.status.code(), breaches, String::from_utf8_lossy(&words.stdout).into_owned())
}

#[test]
fn audit_of_today_finds_looked_after_children_held_by_unqualified_staff() {
    let dir = tempfile::tempdir().unwrap();
    let (status, breaches, words) = audit(
        dir.path(),
        json!({
            "version": 1,
            "workers": [
                { "id": "W1", "role": "social_worker", "team": "North" },
                { "id": "W2", "role": "family_support_worker", "team": "North", "supervisor": "W1" }
            ],
            "cases": [
                { "id": "C1", "type": "looked_after", "team": "North", "current_worker": "W2" },
                { "id": "C2", "type": "looked_after", "team": "North", "current_worker": "W1" },
                { "id": "C3", "type": "child_in_need", "team": "North", "current_worker": "W2" }
            ]
        }),
    );
    assert_eq!(status, Some(1));
    assert_eq!(breaches.len(), 1, "{breaches:#?}");
    assert_eq!((&breaches[0]["code"], &breaches[0]["case"]), (&json!("rule2"), &json!("C1")));
    assert!(words.contains("1 looked-after child held by staff who may not hold them"), "{words}");
}

#[test]
fn audit_of_today_finds_workers_over_cap() {
    let dir = tempfile::tempdir().unwrap();
    let (status, breaches, _) = audit(
        dir.path(),
        json!({
            "version": 1,
            "policy": { "caps": { "social_worker": 2 } },
            "workers": [
                { "id": "W1", "role": "social_worker", "team": "North" },
                { "id": "W2", "role": "social_worker", "team": "North", "fte": 0.5 }
            ],
            "cases": [
                { "id": "C1", "type": "child_protection", "team": "North", "current_worker": "W1" },
                { "id": "C2", "type": "child_protection", "team": "North", "current_worker": "W1" },
                { "id": "C3", "type": "child_in_need", "team": "North", "current_worker": "W2" },
                { "id": "C4", "type": "child_in_need", "team": "North", "current_worker": "W2" }
            ]
        }),
    );
    assert_eq!(status, Some(1));
    let codes: Vec<(&Value, &Value)> = breaches.iter().map(|b| (&b["code"], &b["worker"])).collect();
    assert_eq!(codes, vec![(&json!("rule7"), &json!("W2"))], "W1 is at cap 2, W2 over its 0.5 x 2");
}

#[test]
fn audit_of_today_finds_assistants_without_a_qualified_supervisor() {
    let dir = tempfile::tempdir().unwrap();
    let (status, breaches, _) = audit(
        dir.path(),
        json!({
            "version": 1,
            "workers": [
                { "id": "W1", "role": "social_worker", "team": "North", "status": "absent" },
                { "id": "W2", "role": "social_work_assistant", "team": "North", "supervisor": "W1" },
                { "id": "W3", "role": "social_work_assistant", "team": "North" },
                { "id": "W4", "role": "social_work_assistant", "team": "North", "supervisor": "W5" },
                { "id": "W5", "role": "social_worker", "team": "North" }
            ],
            "cases": [
                { "id": "C1", "type": "child_in_need", "team": "North", "current_worker": "W2" },
                { "id": "C2", "type": "child_in_need", "team": "North", "current_worker": "W3" },
                { "id": "C3", "type": "child_in_need", "team": "North", "current_worker": "W4" }
            ]
        }),
    );
    assert_eq!(status, Some(1));
    let mut got: Vec<(String, String)> = breaches
        .iter()
        .map(|b| (b["code"].as_str().unwrap().into(), b["case"].as_str().unwrap_or("").into()))
        .collect();
    got.sort();
    assert_eq!(got, vec![("rule6".into(), "C1".into()), ("rule6".into(), "C2".into())]);
}

#[test]
fn audit_of_today_finds_a_supervisor_overseeing_too_much() {
    let dir = tempfile::tempdir().unwrap();
    let (status, breaches, _) = audit(
        dir.path(),
        json!({
            "version": 1,
            "workers": [
                { "id": "W1", "role": "senior_social_worker", "team": "North", "oversight_cap": 1.5 },
                { "id": "W2", "role": "social_work_assistant", "team": "North", "supervisor": "W1" },
                { "id": "W3", "role": "family_support_worker", "team": "North", "supervisor": "W1" }
            ],
            "cases": [
                { "id": "C1", "type": "child_in_need", "team": "North", "current_worker": "W2" },
                { "id": "C2", "type": "child_in_need", "team": "North", "current_worker": "W3" }
            ]
        }),
    );
    assert_eq!(status, Some(1));
    assert!(breaches.iter().any(|b| b["code"] == "rule8" && b["worker"] == "W1"), "{breaches:#?}");
}

#[test]
fn audit_of_a_lawful_today_finds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (status, breaches, words) = audit(
        dir.path(),
        json!({
            "version": 1,
            "workers": [ { "id": "W1", "role": "social_worker", "team": "North", "cap": 2 } ],
            "cases": [
                { "id": "C1", "type": "looked_after", "team": "North", "current_worker": "W1", "pinned": true },
                { "id": "C2", "type": "child_protection", "team": "North", "current_worker": "W1" },
                { "id": "C3", "type": "child_in_need", "team": "North" }
            ]
        }),
    );
    assert_eq!((status, breaches.len()), (Some(0), 0), "{breaches:#?}");
    assert!(words.contains("3 cases, 1 with no worker"), "{words}");
}

#[test]
fn a_proposal_of_another_format_version_is_refused_as_a_model_of_one_is() {
    let f = fixture();
    assert_eq!(f.proposal["version"], 1, "allocate writes version 1");
    for version in [json!(2), json!("1"), json!(1.5)] {
        let mut p = f.proposal.clone();
        p["version"] = version.clone();
        let path = write_file(&f.dir, "edited.json", &to_bytes(&p));
        for cmd in ["check", "accept"] {
            let out = f.dir.join("next.json");
            let o = match cmd {
                "check" => run(&[&"check", &f.model, &path], &[]),
                _ => run(&[&"accept", &f.model, &path, &"-o", &out], &[]),
            };
            assert_eq!(o.status.code(), Some(2), "{cmd} {version}: {}", text(&o));
            assert!(
                text(&o).contains("edited.json: version") && text(&o).contains("version 1 only"),
                "{}",
                text(&o)
            );
            assert!(!out.exists());
        }
    }
    // Written as a decimal equal to one by a tool that writes every number so: version 1.
    let mut p = f.proposal.clone();
    p["version"] = json!(1.0);
    assert!(String::from_utf8(to_bytes(&p)).unwrap().contains("\"version\": 1.0"));
    let (status, breaches) = check(&f, &p);
    assert_eq!(status, Some(0), "{breaches:?}");
    // Without a version (a proposal written by hand), as before.
    let mut p = f.proposal.clone();
    p.as_object_mut().unwrap().remove("version");
    let (status, breaches) = check(&f, &p);
    assert_eq!(status, Some(0), "{breaches:?}");
}
