//! Bad input, through the real binary: every invalid model exits with status 2, names the file
//! and the place in it, and writes no proposal (an existing one is left untouched).

use crate::common;

use common::*;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// A small valid model: a social worker, an assistant supervised by them, an absent worker.
fn base() -> Value {
    json!({
        "version": 1,
        "workers": [
            { "id": "W1", "role": "social_worker", "team": "North", "cap": 3 },
            { "id": "W2", "role": "social_work_assistant", "team": "North", "supervisor": "W1" },
            { "id": "W3", "role": "social_worker", "team": "North", "status": "absent" },
            { "id": "W4", "role": "social_worker", "team": "South" }
        ],
        "cases": [
            { "id": "C1", "type": "child_in_need", "team": "North" },
            { "id": "C2", "type": "looked_after", "team": "North" },
            { "id": "C3", "type": "child_protection", "team": "North", "current_worker": "W1" }
        ]
    })
}

fn with(edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut v = base();
    edit(&mut v);
    to_bytes(&v)
}

/// Runs `allocate` and `check` on the bytes; both must refuse with status 2, name the file and
/// every fragment of `place` in stderr, and leave no proposal behind (and an old one intact).
fn refused(bytes: &[u8], place: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let model = write_file(dir.path(), "model.json", bytes);
    let out = dir.path().join("proposal.json");
    let o = run(&[&"allocate", &model, &"-o", &out], &[]);
    let msg = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(o.status.code(), Some(2), "allocate should refuse: {}", text(&o));
    assert!(msg.contains(&model.display().to_string()), "the message should name the file: {msg}");
    for p in place {
        assert!(msg.contains(p), "the message should name {p:?}: {msg}");
    }
    assert!(!out.exists(), "no proposal may be written for invalid input");
    assert_no_stray_files(dir.path(), &["model.json"]);

    // An existing proposal stays as it was.
    std::fs::write(&out, b"precious").unwrap();
    let o = run(&[&"allocate", &model, &"-o", &out], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert_eq!(std::fs::read(&out).unwrap(), b"precious");
    assert_no_stray_files(dir.path(), &["model.json", "proposal.json"]);

    // check refuses the same model the same way.
    let o = run(&[&"check", &model], &[]);
    assert_eq!(o.status.code(), Some(2), "check should refuse: {}", text(&o));
    let msg = String::from_utf8_lossy(&o.stderr).to_string();
    for p in place {
        assert!(msg.contains(p), "check's message should name {p:?}: {msg}");
    }
}

fn assert_no_stray_files(dir: &Path, expected: &[&str]) {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut want: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(names, want, "no temporary or partial files may be left behind");
}

#[test]
fn the_base_model_is_valid() {
    // Every other test here breaks this model in one place; it must be valid as it stands.
    let m = caseload::load_model_bytes("base.json", &to_bytes(&base()));
    assert!(m.is_ok(), "{:?}", m.err());
}

// --- Unknown fields ---

#[test]
fn refuses_an_unknown_top_level_field() {
    refused(&with(|v| v["verison"] = json!(1)), &["verison"]);
}

#[test]
fn refuses_an_unknown_worker_field() {
    refused(&with(|v| v["workers"][1]["capp"] = json!(4)), &["workers[1]", "capp"]);
}

#[test]
fn refuses_an_unknown_case_field() {
    refused(&with(|v| v["cases"][2]["pinned_to"] = json!("W1")), &["cases[2]", "pinned_to"]);
}

#[test]
fn refuses_an_unknown_policy_field() {
    refused(
        &with(|v| v["policy"] = json!({ "move_penalty": 5, "overlaod_penalty": 3 })),
        &["policy", "overlaod_penalty"],
    );
}

#[test]
fn refuses_an_unknown_role_in_a_policy_map() {
    refused(&with(|v| v["policy"] = json!({ "caps": { "wizard": 3 } })), &["policy.caps", "wizard"]);
}

// --- Identity and references ---

#[test]
fn refuses_a_duplicate_worker_id() {
    refused(&with(|v| v["workers"][3]["id"] = json!("W1")), &["workers[3].id", "W1"]);
}

#[test]
fn refuses_a_duplicate_case_id() {
    refused(&with(|v| v["cases"][2]["id"] = json!("C1")), &["cases[2].id", "C1"]);
}

#[test]
fn refuses_an_empty_id() {
    refused(&with(|v| v["cases"][1]["id"] = json!("")), &["cases[1].id"]);
}

#[test]
fn refuses_a_current_worker_who_does_not_exist() {
    refused(&with(|v| v["cases"][1]["current_worker"] = json!("W99")), &["cases[1].current_worker", "W99"]);
}

#[test]
fn refuses_a_supervisor_who_does_not_exist() {
    refused(&with(|v| v["workers"][1]["supervisor"] = json!("W77")), &["workers[1].supervisor", "W77"]);
}

#[test]
fn refuses_an_excluded_worker_who_does_not_exist() {
    refused(&with(|v| v["cases"][0]["exclude"] = json!(["W1", "W55"])), &["cases[0].exclude", "W55"]);
}

// --- Enums and types ---

#[test]
fn refuses_an_unknown_role() {
    refused(&with(|v| v["workers"][0]["role"] = json!("wizard")), &["workers[0].role", "wizard"]);
}

#[test]
fn refuses_an_unknown_case_type() {
    refused(&with(|v| v["cases"][1]["type"] = json!("looked-after")), &["cases[1].type", "looked-after"]);
}

#[test]
fn refuses_an_unknown_status() {
    refused(&with(|v| v["workers"][2]["status"] = json!("on_leave")), &["workers[2].status", "on_leave"]);
}

#[test]
fn refuses_a_number_given_as_text() {
    refused(&with(|v| v["workers"][0]["cap"] = json!("3")), &["workers[0].cap"]);
}

#[test]
fn refuses_a_worker_without_a_team() {
    refused(
        &with(|v| {
            v["workers"][1].as_object_mut().unwrap().remove("team");
        }),
        &["workers[1]", "team"],
    );
}

#[test]
fn refuses_a_model_without_cases() {
    refused(
        &with(|v| {
            v.as_object_mut().unwrap().remove("cases");
        }),
        &["cases"],
    );
}

// --- Numbers out of range ---

#[test]
fn refuses_fte_of_zero() {
    refused(&with(|v| v["workers"][0]["fte"] = json!(0)), &["workers[0].fte"]);
}

#[test]
fn refuses_fte_above_one() {
    refused(&with(|v| v["workers"][3]["fte"] = json!(1.2)), &["workers[3].fte"]);
}

#[test]
fn refuses_negative_fte() {
    refused(&with(|v| v["workers"][1]["fte"] = json!(-0.5)), &["workers[1].fte"]);
}

#[test]
fn refuses_a_negative_case_weight() {
    refused(&with(|v| v["cases"][1]["weight"] = json!(-1)), &["cases[1].weight"]);
}

#[test]
fn refuses_a_case_weight_of_zero() {
    refused(&with(|v| v["cases"][0]["weight"] = json!(0)), &["cases[0].weight"]);
}

#[test]
fn refuses_a_negative_priority() {
    refused(&with(|v| v["cases"][2]["priority"] = json!(-5)), &["cases[2].priority"]);
}

#[test]
fn refuses_a_negative_worker_cap() {
    refused(&with(|v| v["workers"][0]["cap"] = json!(-1)), &["workers[0].cap"]);
}

#[test]
fn refuses_a_negative_worker_target() {
    refused(&with(|v| v["workers"][3]["target"] = json!(-2)), &["workers[3].target"]);
}

#[test]
fn refuses_a_negative_oversight_cap() {
    refused(&with(|v| v["workers"][0]["oversight_cap"] = json!(-3)), &["workers[0].oversight_cap"]);
}

#[test]
fn refuses_a_negative_policy_cap() {
    refused(
        &with(|v| v["policy"] = json!({ "caps": { "social_worker": -1 } })),
        &["policy.caps.social_worker"],
    );
}

#[test]
fn refuses_a_negative_policy_weight() {
    refused(
        &with(|v| v["policy"] = json!({ "weights": { "looked_after": -2 } })),
        &["policy.weights.looked_after"],
    );
}

#[test]
fn refuses_a_negative_policy_priority() {
    refused(
        &with(|v| v["policy"] = json!({ "priority": { "care_leaver": -1 } })),
        &["policy.priority.care_leaver"],
    );
}

#[test]
fn refuses_a_negative_penalty() {
    refused(&with(|v| v["policy"] = json!({ "move_penalty": -10 })), &["policy.move_penalty"]);
}

// --- Pins ---

#[test]
fn refuses_pinned_without_a_current_worker() {
    refused(&with(|v| v["cases"][0]["pinned"] = json!(true)), &["cases[0].pinned"]);
}

#[test]
fn refuses_a_pin_to_a_role_that_may_not_hold_the_case() {
    // A looked-after child pinned to a social work assistant.
    refused(
        &with(|v| {
            v["cases"][1]["current_worker"] = json!("W2");
            v["cases"][1]["pinned"] = json!(true);
        }),
        &["cases[1].pinned"],
    );
}

#[test]
fn refuses_a_pin_to_an_absent_worker() {
    refused(
        &with(|v| {
            v["cases"][0]["current_worker"] = json!("W3");
            v["cases"][0]["pinned"] = json!(true);
        }),
        &["cases[0].pinned", "W3"],
    );
}

#[test]
fn refuses_a_pin_to_another_team() {
    refused(
        &with(|v| {
            v["cases"][2]["current_worker"] = json!("W4");
            v["cases"][2]["pinned"] = json!(true);
        }),
        &["cases[2].pinned"],
    );
}

#[test]
fn refuses_a_pin_to_a_worker_without_the_needed_skill() {
    refused(
        &with(|v| {
            v["cases"][2]["needs"] = json!(["bsl"]);
            v["cases"][2]["pinned"] = json!(true);
        }),
        &["cases[2].pinned", "bsl"],
    );
}

#[test]
fn refuses_a_pin_to_an_excluded_worker() {
    refused(
        &with(|v| {
            v["cases"][2]["exclude"] = json!(["W1"]);
            v["cases"][2]["pinned"] = json!(true);
        }),
        &["cases[2].pinned"],
    );
}

#[test]
fn refuses_a_pin_to_an_unsupervised_assistant() {
    refused(
        &with(|v| {
            v["workers"][1]["supervisor"] = json!("W3"); // absent
            v["cases"][0]["current_worker"] = json!("W2");
            v["cases"][0]["pinned"] = json!(true);
        }),
        &["cases[0].pinned"],
    );
}

#[test]
fn refuses_pins_that_together_exceed_the_cap() {
    // W1's cap is 3; four cases pinned to W1.
    refused(
        &with(|v| {
            v["cases"][2]["pinned"] = json!(true);
            let cases = v["cases"].as_array_mut().unwrap();
            for i in 4..=6 {
                cases.push(json!({ "id": format!("C{i}"), "type": "child_in_need", "team": "North",
                                   "current_worker": "W1", "pinned": true }));
            }
        }),
        &["cases[5].pinned", "cap"],
    );
}

#[test]
fn refuses_pins_that_together_exceed_the_supervisors_oversight_cap() {
    refused(
        &with(|v| {
            v["workers"][0]["oversight_cap"] = json!(1);
            for i in [0, 1] {
                v["cases"][i]["type"] = json!("child_in_need");
                v["cases"][i]["current_worker"] = json!("W2");
                v["cases"][i]["pinned"] = json!(true);
            }
        }),
        &["cases[1].pinned", "oversight"],
    );
}

#[test]
fn refuses_siblings_pinned_to_different_workers() {
    refused(
        &with(|v| {
            v["workers"][3]["team"] = json!("North");
            v["cases"][0]["current_worker"] = json!("W4");
            for i in [0, 2] {
                v["cases"][i]["group"] = json!("smith");
                v["cases"][i]["pinned"] = json!(true);
            }
        }),
        &["cases[0].pinned", "smith"],
    );
}

#[test]
fn refuses_a_pin_whose_unpinned_sibling_may_not_go_to_that_worker() {
    // C3 is pinned to W1, so its sibling C1 must go to W1 too (rule 9), but C1 excludes W1:
    // no lawful allocation exists.
    refused(
        &with(|v| {
            v["cases"][2]["pinned"] = json!(true);
            v["cases"][2]["group"] = json!("smith");
            v["cases"][0]["group"] = json!("smith");
            v["cases"][0]["exclude"] = json!(["W1"]);
        }),
        &["cases[2].pinned", "C1"],
    );
}

#[test]
fn refuses_a_pin_whose_unpinned_sibling_would_take_the_worker_over_cap() {
    // W1 (cap 3) holds pinned C3; its three siblings must follow: load 4.
    refused(
        &with(|v| {
            v["cases"][2]["pinned"] = json!(true);
            v["cases"][2]["group"] = json!("smith");
            let cases = v["cases"].as_array_mut().unwrap();
            for i in 4..=6 {
                cases.push(json!({ "id": format!("C{i}"), "type": "child_in_need", "team": "North", "group": "smith" }));
            }
        }),
        &["cases[2].pinned", "cap"],
    );
}

// --- Files that are not a model at all ---

#[test]
fn refuses_malformed_json_naming_the_line() {
    refused(b"{\"version\": 1,\n \"workers\": [,\n \"cases\": []}", &["line 2"]);
}

#[test]
fn refuses_a_model_written_as_an_array_of_its_fields() {
    // serde reads a struct from an array, field by field in declaration order: this passed.
    let b = base();
    let array = json!([1, {}, b["workers"], b["cases"]]);
    refused(&to_bytes(&array), &["line 1, column 1", "JSON array", "not a JSON object"]);
    refused(b"  \"version\"", &["line 1", "expected a JSON object"]);
}

#[test]
fn refuses_a_worker_case_or_reduction_written_as_an_array() {
    refused(
        &with(|v| v["workers"][3] = json!(["W4", "social_worker", "South"])),
        &["workers[3]", "an array"],
    );
    refused(&with(|v| v["cases"][0] = json!(["C1", "child_in_need", "North"])), &["cases[0]", "an array"]);
    refused(
        &with(|v| v["workers"][0]["reductions"] = json!([[2, "2026-01-01", "2026-12-31"]])),
        &["workers[0].reductions[0]", "an array"],
    );
    // A list where a skill's text belongs: the typed reading's own refusal, at its place.
    refused(&with(|v| v["cases"][0]["needs"] = json!([["urdu"]])), &["cases[0].needs[0]", "a list"]);
}

#[test]
fn refuses_a_policy_written_as_an_array() {
    refused(&with(|v| v["policy"] = json!([])), &["policy", "an array"]);
    refused(&with(|v| v["policy"] = json!([{ "social_worker": 2 }])), &["policy", "an array"]);
}

/// `caseload check` of proposal `p` (written as `p.json`) against the base model, in `dir`.
fn check_base(dir: &Path, p: &Value) -> std::process::Output {
    let model = write_file(dir, "model.json", &to_bytes(&base()));
    let proposal = write_file(dir, "p.json", &to_bytes(p));
    run(&[&"check", &model, &proposal], &[])
}

/// The proposal was read and judged: its only breaches are the reasons its unallocated cases
/// leave out (exit status 1).
fn read_and_judged(o: &std::process::Output) {
    assert_eq!(o.status.code(), Some(1), "{}", text(o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("unallocated case C1 has no reason"), "{}", text(o));
}

#[test]
fn a_proposal_entry_written_as_an_array_is_refused_not_read_by_position() {
    let dir = tempfile::tempdir().unwrap();
    let p = json!({ "allocations": [["C3", "W1"]], "unallocated": [{ "case": "C1" }, { "case": "C2" }] });
    let o = check_base(dir.path(), &p);
    let msg = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(msg.contains("p.json: allocations[0]") && msg.contains("an array"), "{msg}");
    // The same allocation written by name is read, so the refusal above is of the array alone.
    let p = json!({ "allocations": [{ "case": "C3", "worker": "W1" }], "unallocated": [{ "case": "C1" }, { "case": "C2" }] });
    read_and_judged(&check_base(dir.path(), &p));
}

/// SPEC section 5: more fields may be added to a proposal. A field caseload does not read, even
/// one holding lists of lists, in the proposal or in an allocation, leaves it readable.
#[test]
fn a_proposal_with_fields_of_a_later_version_holding_lists_of_lists_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let p = json!({
        "extra": [[1, 2], [3]],
        "allocations": [{ "case": "C3", "worker": "W1", "history": [["W2", "2026-01-01"]] }],
        "unallocated": [{ "case": "C1" }, { "case": "C2" }]
    });
    read_and_judged(&check_base(dir.path(), &p));
}

#[test]
fn broken_json_inside_an_object_names_the_object_never_a_question_mark() {
    for (bytes, place) in [
        (
            &b"{\"version\": 1, \"workers\": [{\"id\": \"W1\",}], \"cases\": []}"[..],
            "workers[0]: trailing comma (line 1",
        ),
        (b"{\"version\": 1 \"workers\": []}", "line 1, column 15: expected"),
        (
            b"{\"version\": 1, \"policy\": {\"caps\": {\"social_worker\": 4,}}}",
            "policy.caps: trailing comma (line 1",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let model = write_file(dir.path(), "model.json", bytes);
        let o = run(&[&"allocate", &model, &"-o", &dir.path().join("p.json")], &[]);
        let msg = String::from_utf8_lossy(&o.stderr).to_string();
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(msg.contains(&format!("model.json: {place}")), "{place}: {msg}");
        assert!(!msg.contains("?"), "{msg}");
    }
}

#[test]
fn refuses_bytes_that_are_not_utf8() {
    refused(b"{\"version\": 1,\n \"workers\": [{\"id\": \"W\xff\"}], \"cases\": []}", &["line 2", "UTF-8"]);
}

#[test]
fn refuses_an_empty_file() {
    refused(b"", &["line 1"]);
}

#[test]
fn refuses_a_json_value_that_is_not_an_object() {
    refused(b"[1, 2, 3]", &["line 1"]);
}

#[test]
fn refuses_version_two() {
    refused(&with(|v| v["version"] = json!(2)), &["version"]);
}

/// An exporter that writes every number as a float writes `"version": 1.0`: it is version 1,
/// and the proposal is the one the same model with `"version": 1` gets. Other numbers with a
/// fraction, a version 2 written so, and text are refused with the words they always had.
#[test]
fn a_version_written_as_a_decimal_equal_to_one_is_version_one() {
    let dir = tempfile::tempdir().unwrap();
    let plain = to_bytes(&base());
    let text_of = String::from_utf8(plain.clone()).unwrap();
    assert!(text_of.contains("\"version\": 1,"), "{text_of}");
    let allocate = |name: &str, bytes: &[u8]| {
        let model = write_file(dir.path(), name, bytes);
        let out = dir.path().join(format!("{name}.proposal.json"));
        let o = run(&[&"allocate", &model, &"-o", &out, &"--date", &"2026-12-01"], &[]);
        (o, out)
    };
    let (o, out) = allocate("one.json", &plain);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // The same proposal but for the hash of the model's bytes, which differ.
    let read = |out: PathBuf| {
        let mut p: Value = serde_json::from_slice(&std::fs::read(out).unwrap()).unwrap();
        p["summary"].as_object_mut().unwrap().remove("model_hash");
        p
    };
    let want = read(out);
    for one in ["1.0", "1e0", "1.00", "10e-1"] {
        let bytes = text_of.replace("\"version\": 1,", &format!("\"version\": {one},"));
        let (o, out) = allocate("decimal.json", bytes.as_bytes());
        assert_eq!(o.status.code(), Some(0), "version {one}: {}", text(&o));
        let got = read(out);
        for key in ["version", "allocations", "unallocated", "summary", "objective"] {
            assert_eq!(got[key], want[key], "version {one}: {key}");
        }
    }
    for (bad, said) in [
        ("1.5", "invalid type: floating point `1.5`, expected a whole number"),
        ("2.0", "invalid type: floating point `2.0`, expected a whole number"),
        ("0.9999", "invalid type: floating point `0.9999`, expected a whole number"),
        ("\"1\"", "invalid type: string \"1\", expected a whole number"),
        ("-1", "invalid value: integer `-1`, expected a whole number"),
        ("2", "version 2 is not supported; this program reads version 1"),
    ] {
        let bytes = text_of.replace("\"version\": 1,", &format!("\"version\": {bad},"));
        refused(bytes.as_bytes(), &["version", said]);
    }
}

#[test]
fn refuses_a_model_without_a_version() {
    refused(
        &with(|v| {
            v.as_object_mut().unwrap().remove("version");
        }),
        &["version"],
    );
}

#[test]
fn refuses_a_missing_model_file() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("nowhere.json");
    let out = dir.path().join("proposal.json");
    let o = run(&[&"allocate", &model, &"-o", &out], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nowhere.json"));
    assert!(!out.exists());
}

#[test]
fn a_valid_model_writes_a_proposal_over_an_existing_file() {
    // The counterpart of every test above: the same harness, valid input, status 0.
    let dir = tempfile::tempdir().unwrap();
    let model = write_file(dir.path(), "model.json", &to_bytes(&base()));
    let out = write_file(dir.path(), "proposal.json", b"old");
    let o = run(&[&"allocate", &model, &"-o", &out], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(v["version"], 1);
    assert_no_stray_files(dir.path(), &["model.json", "proposal.json"]);
}

#[test]
fn refuses_a_field_given_twice() {
    let bytes = br#"{"version": 1,
 "workers": [{"id": "W1", "role": "social_worker", "team": "North", "team": "South"}],
 "cases": []}"#;
    refused(bytes, &["workers[0]", "team"]);
}

#[test]
fn refuses_a_number_too_large_to_represent() {
    let bytes = br#"{"version": 1,
 "workers": [{"id": "W1", "role": "social_worker", "team": "North", "cap": 1e999}],
 "cases": []}"#;
    refused(bytes, &["workers[0].cap"]);
}

#[test]
fn refuses_a_sibling_group_pinned_over_the_supervisors_oversight_cap() {
    // The pinned case C1 drags its sibling C2 to the assistant W2: two cases of oversight
    // against W1's oversight cap of 1.
    refused(
        &with(|v| {
            v["workers"][0]["oversight_cap"] = json!(1);
            v["cases"][1]["type"] = json!("child_in_need");
            for i in [0, 1] {
                v["cases"][i]["group"] = json!("smith");
            }
            v["cases"][0]["current_worker"] = json!("W2");
            v["cases"][0]["pinned"] = json!(true);
        }),
        &["cases[0].pinned", "oversight"],
    );
}

#[test]
fn every_mistake_of_a_model_file_is_reported_in_one_run_in_file_order() {
    let json = br#"{"version": 1, "policy": {"move_penalty": -1},
      "workers": [{"id": "W1", "role": "social_worker", "team": "N", "fte": 2},
                  {"id": "W1", "role": "social_worker", "team": "N"},
                  {"id": "W3", "role": "social_work_assistant", "team": "N", "supervisor": "W9"}],
      "cases": [{"id": "C1", "type": "looked_after", "team": "N", "current_worker": "W7", "weight": 0},
                {"id": "C2", "type": "looked_after", "team": "N", "pinned": true}]}"#;
    let e = caseload::load_model_bytes("m.json", json).unwrap_err();
    assert!(e.is_invalid_input());
    let text = e.to_string();
    assert!(text.starts_with("7 problems in the input"), "{text}");
    let places = [
        "m.json: policy.move_penalty:",
        "m.json: workers[0].fte:",
        "m.json: workers[1].id:",
        "m.json: workers[2].supervisor:",
        "m.json: cases[0].weight:",
        "m.json: cases[0].current_worker:",
        "m.json: cases[1].pinned:",
    ];
    let mut at = 0;
    for p in places {
        at += text[at..].find(p).unwrap_or_else(|| panic!("{p} not in order in {text}")) + p.len();
    }
}

#[test]
fn a_flood_of_mistakes_is_cut_at_fifty_and_counted() {
    let cases: Vec<String> = (0..80)
        .map(|i| format!(r#"{{"id": "C{i}", "type": "looked_after", "team": "N", "weight": -1}}"#))
        .collect();
    let json = format!(r#"{{"version": 1, "workers": [], "cases": [{}]}}"#, cases.join(","));
    let text = caseload::load_model_bytes("m.json", json.as_bytes()).unwrap_err().to_string();
    assert!(text.starts_with("80 problems"), "{text}");
    assert_eq!(text.matches("must be a number > 0").count(), 50);
    assert!(text.contains("and 30 more"), "{text}");
}

/// A policy weight or priority out of range is named once, at the policy: the cases of that
/// type that give none of their own are not blamed too (their cells are empty), and a case's
/// own bad weight still is.
#[test]
fn a_bad_policy_weight_is_named_at_the_policy_not_on_every_case() {
    let bytes = with(|v| {
        v["policy"] = json!({ "weights": { "looked_after": 0 }, "priority": { "child_in_need": 1e12 } });
        v["cases"][2]["weight"] = json!(-1);
    });
    refused(&bytes, &["policy.weights.looked_after", "policy.priority.child_in_need", "cases[2].weight"]);
    let dir = tempfile::tempdir().unwrap();
    let model = write_file(dir.path(), "model.json", &bytes);
    let o = run(&[&"check", &model], &[]);
    let msg = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(msg.contains("3 problems"), "{msg}");
    assert!(!msg.contains("cases[0]") && !msg.contains("cases[1]"), "{msg}");
}

/// Smaller mistakes the red team found: each names its file or its flags.
#[test]
fn an_empty_referral_a_short_key_and_two_inputs_from_standard_input_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let model = write_file(d, "m.json", &to_bytes(&base()));
    let referral = write_file(d, "ref.json", b"  \n");
    let o = run(&[&"recommend", &model, &"--referral", &referral, &"-q"], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("ref.json: line 1: the file is empty"), "{}", text(&o));
    let key = write_file(d, "k.bin", b"short");
    let out = d.join("out.json");
    let o = run(&[&"pseudonymise", &model, &"--key", &key, &"-o", &out], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("k.bin: --key: the key is 5 bytes"), "{}", text(&o));
    assert!(!out.exists());
    let o = run(&[&"allocate", &"--workers", &"-", &"--cases", &"-", &"-o", &out, &"-q"], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("--workers and --cases all name standard input"), "{}", text(&o));
}

/// Two inputs from standard input are refused by one check for every command, naming each as
/// it was given: a spreadsheet flag with a proposal or a referral was let through, and the
/// second read found standard input empty ("the sheet is empty", of a sheet that was not).
#[test]
fn every_command_refuses_two_inputs_from_standard_input_naming_both() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let model = write_file(d, "m.json", &to_bytes(&base()));
    let cases = write_file(d, "cases.csv", b"id,type,team\nC1,looked_after,North\n");
    let p = write_file(d, "p.json", b"{}");
    let out = d.join("out.json");
    let both = |o: &std::process::Output, names: &str| {
        assert_eq!(o.status.code(), Some(2), "{}", text(o));
        let want = format!("caseload: {names} all name standard input (-); only one input can come from it");
        assert!(text(o).contains(&want), "{}", text(o));
    };
    both(&run(&[&"compare", &"-", &"-", &p], &[]), "MODEL and A");
    both(&run(&[&"compare", &model, &"-", &"-"], &[]), "A and B");
    both(&run(&[&"compare", &"--workers", &"-", &"--cases", &cases, &"-", &p], &[]), "--workers and A");
    both(&run(&[&"recommend", &"-", &"--referral", &"-"], &[]), "MODEL and --referral");
    both(
        &run(&[&"recommend", &"-", &"--type", &"CP", &"--team", &"North", &"--proposal", &"-"], &[]),
        "MODEL and --proposal",
    );
    both(
        &run(&[&"recommend", &"--workers", &"-", &"--cases", &cases, &"--referral", &"-"], &[]),
        "--workers and --referral",
    );
    both(&run(&[&"check", &"-", &"-"], &[]), "MODEL and PROPOSAL");
    both(&run(&[&"check", &"--workers", &"-", &"--cases", &cases, &"-"], &[]), "--workers and PROPOSAL");
    both(
        &run(&[&"whatif", &"--workers", &"-", &"--cases", &"-", &"--policy", &"-"], &[]),
        "--workers, --cases and --policy",
    );
    both(&run(&[&"pseudonymise", &"-", &"--key", &"-", &"-o", &out], &[]), "MODEL and --key");
    both(
        &run(&[&"convert", &"--workers", &"-", &"--cases", &"-", &"-o", &out], &[]),
        "--workers and --cases",
    );
    assert!(!out.exists());
}

/// A map keyed by case type or role (`may_hold`, `caps`) with a bad value names the map, never
/// a `?` where the key would be.
#[test]
fn a_bad_value_in_a_map_keyed_by_type_or_role_names_the_map() {
    for (policy, place) in [
        (json!({ "may_hold": { "child_in_need": ["xx"] } }), "policy.may_hold: unknown variant `xx`"),
        (json!({ "caps": { "social_worker": "x" } }), "policy.caps"),
    ] {
        let bytes = with(|v| v["policy"] = policy);
        refused(&bytes, &[place, "(line "]);
        let dir = tempfile::tempdir().unwrap();
        let model = write_file(dir.path(), "model.json", &bytes);
        let o = run(&[&"check", &model], &[]);
        assert!(!text(&o).contains('?'), "{}", text(&o));
    }
}
