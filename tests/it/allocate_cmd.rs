//! `caseload allocate` through the binary: the proposal file, the summary, and the exit
//! statuses docs/reference.md documents (0 done, 3 not proven optimal, 4 cannot write, 6 alarm).

use crate::common;

use common::*;
use serde_json::{json, Value};
use std::io::Write;
use std::process::{Command, Stdio};

fn small() -> Value {
    json!({
        "version": 1,
        "workers": [ { "id": "W1", "role": "social_worker", "team": "North", "cap": 1 } ],
        "cases": [
            { "id": "C1", "type": "looked_after", "team": "North" },
            { "id": "C2", "type": "looked_after", "team": "North", "current_worker": "W1" }
        ]
    })
}

#[test]
fn writes_a_proposal_and_prints_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_file(dir.path(), "m.json", &to_bytes(&small()));
    let out = dir.path().join("p.json");
    let o = run(&[&"allocate", &model, &"-o", &out], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("2 cases: 1 allocated, 1 unallocated"), "{stdout}");
    assert!(stdout.contains(&out.display().to_string()), "{stdout}");
    let p: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    // C2 stays with W1 (moving it would cost the move penalty); C1 waits.
    assert_eq!(p["allocations"], json!([{ "case": "C2", "worker": "W1", "change": "kept" }]));
    assert_eq!(p["unallocated"][0]["case"], "C1");
    assert_eq!(p["unallocated"][0]["reasons"][0]["code"], "at_capacity");
    assert_eq!(p["summary"]["looked_after_unallocated"], 1);
}

#[test]
fn quiet_prints_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_file(dir.path(), "m.json", &to_bytes(&small()));
    let out = dir.path().join("p.json");
    let o = run(&[&"allocate", &model, &"-o", &out, &"--quiet"], &[]);
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stdout.is_empty() && o.stderr.is_empty(), "{}", text(&o));
    assert!(out.exists());
}

#[test]
fn reads_the_model_from_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("p.json");
    let mut child = Command::new(bin())
        .args(["allocate", "-", "-o"])
        .arg(&out)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&to_bytes(&small())).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let from_file = {
        let model = write_file(dir.path(), "m.json", &to_bytes(&small()));
        let out2 = dir.path().join("p2.json");
        run(&[&"allocate", &model, &"-o", &out2], &[]);
        std::fs::read(out2).unwrap()
    };
    assert_eq!(std::fs::read(&out).unwrap(), from_file, "the same bytes give the same proposal");
}

#[test]
fn exits_6_when_a_type_named_by_fail_on_unallocated_stays_unallocated() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_file(dir.path(), "m.json", &to_bytes(&small()));
    let out = dir.path().join("p.json");
    let o = run(
        &[&"allocate", &model, &"-o", &out, &"--fail-on-unallocated", &"looked_after,child_protection"],
        &[],
    );
    assert_eq!(o.status.code(), Some(6), "{}", text(&o));
    assert!(out.exists(), "the proposal is still written");
    let o = run(&[&"allocate", &model, &"-o", &out, &"--fail-on-unallocated", &"care_leaver"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[test]
fn exits_4_and_writes_nothing_when_the_output_directory_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_file(dir.path(), "m.json", &to_bytes(&small()));
    let out = dir.path().join("missing").join("p.json");
    let o = run(&[&"allocate", &model, &"-o", &out], &[]);
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    assert!(!out.exists());
}

/// A generated model whose search a zero time limit stops before optimality is proven.
fn model_needing_a_search() -> Value {
    (0..)
        .map(|seed| generate(seed, Shape::BRUTE_ODD))
        .find(|model| {
            if !TModel::from_json(model).pins_admit_lawful_allocation() {
                return false;
            }
            let m = caseload::load_model_bytes("m.json", &to_bytes(model)).unwrap();
            let limits = caseload::solve::Limits {
                deadline: Some(std::time::Instant::now()),
                ..caseload::solve::Limits::default()
            };
            !caseload::allocate(&m, limits).unwrap().optimal
        })
        .unwrap()
}

#[test]
fn exits_3_with_a_lawful_proposal_marked_not_optimal_when_the_time_limit_stops_the_search() {
    let model = model_needing_a_search();
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "m.json", &to_bytes(&model));
    let out = dir.path().join("p.json");
    let o = run(&[&"allocate", &path, &"-o", &out, &"--time-limit", &"0"], &[]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("not proven optimal"), "{}", text(&o));
    let p: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(p["optimal"], false);
    assert!(p["bound"].as_f64().unwrap() >= p["objective"].as_f64().unwrap());
    let o = run(&[&"check", &path, &out], &[]);
    assert_eq!(o.status.code(), Some(0), "the stopped proposal must pass check: {}", text(&o));

    // Without the limit the same model is solved to optimality.
    let o = run(&[&"allocate", &path, &"-o", &out], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[test]
fn refuses_a_negative_time_limit_with_status_2() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_file(dir.path(), "m.json", &to_bytes(&small()));
    let out = dir.path().join("p.json");
    let o = run(&[&"allocate", &model, &"-o", &out, &"--time-limit", &"-1"], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(!out.exists());
}

#[test]
fn a_dash_sends_the_report_the_workbook_or_a_converted_model_to_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_file(dir.path(), "m.json", &to_bytes(&small()));
    let proposal = dir.path().join("p.json");
    let dash = std::env::current_dir().unwrap().join("-");

    // allocate --report -: the page on stdout, the summary on stderr, the proposal in its file.
    let o = run(&[&"allocate", &model, &"-o", &proposal, &"--report", &"-"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(o.stdout.starts_with(b"<!DOCTYPE html>"), "stdout is the report");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("proposal written to") && stderr.contains("written standard output"), "{stderr}");
    assert!(proposal.exists());

    // allocate --xlsx -: the same bytes as the workbook written to a file.
    let book = dir.path().join("meeting.xlsx");
    let o = run(&[&"allocate", &model, &"-o", &proposal, &"--xlsx", &book, &"-q"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = run(&[&"allocate", &model, &"-o", &proposal, &"--xlsx", &"-", &"-q"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(o.stdout, std::fs::read(&book).unwrap(), "stdout holds exactly the workbook");

    // convert -o - and --xlsx -: the model file and the model workbook.
    let from_book = dir.path().join("model.xlsx");
    let o = run(&[&"convert", &model, &"--xlsx", &from_book, &"-q"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = run(&[&"convert", &model, &"--xlsx", &"-"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(o.stdout, std::fs::read(&from_book).unwrap(), "stdout holds exactly the workbook");
    assert!(String::from_utf8_lossy(&o.stderr).contains("written standard output"), "{}", text(&o));
    let o = run(&[&"convert", &"--workbook", &from_book, &"-o", &"-", &"-q"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let back: Value = serde_json::from_slice(&o.stdout).expect("stdout is the model file");
    assert_eq!(back["cases"].as_array().map(Vec::len), Some(2));

    // Two on standard output, or a directory option given `-`, are refused before anything is written.
    let fresh = dir.path().join("fresh.json");
    for args in [
        vec!["--report", "-", "--xlsx", "-"],
        vec!["--report", "-", "-o", "-"],
        vec!["--csv", "-"],
        vec!["--export-lp", "-"],
    ] {
        let mut all: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"allocate", &model, &"-o", &fresh];
        all.extend(args.iter().map(|a| a as &dyn AsRef<std::ffi::OsStr>));
        let o = run(&all, &[]);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        assert!(o.stdout.is_empty(), "{args:?}: nothing on stdout");
        assert!(!fresh.exists(), "{args:?}: no proposal written");
    }
    let o = run(&[&"convert", &model, &"--csv-dir", &"-"], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let o = run(&[&"whatif", &model, &"--proposals", &"-"], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--proposals names a directory"), "{}", text(&o));
    assert!(!dash.exists(), "no file or directory named -");
}

#[test]
fn a_dash_for_an_output_file_means_standard_output_with_the_words_on_standard_error() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_file(dir.path(), "m.json", &to_bytes(&small()));
    let file = dir.path().join("p.json");
    let o = run(&[&"allocate", &model, &"-o", &file, &"-q"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = run(&[&"allocate", &model, &"-o", &"-"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(o.stdout, std::fs::read(&file).unwrap(), "stdout holds exactly the proposal file's bytes");
    // The binary runs in the test's working directory: no file named `-` appears there.
    let dash = std::env::current_dir().unwrap().join("-");
    assert!(!dash.exists(), "no file named -");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("proposal written to standard output"), "{stderr}");

    // whatif: the JSON on stdout, the table on stderr; two outputs on stdout are refused.
    let o = run(&[&"whatif", &model, &"--json", &"-"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let json: Value = serde_json::from_slice(&o.stdout).expect("stdout is the JSON");
    assert_eq!(json["scenarios"][0]["name"], "base");
    assert!(String::from_utf8_lossy(&o.stderr).contains("scenario"), "the table goes to stderr");
    let o = run(&[&"whatif", &model, &"--json", &"-", &"--csv", &"-"], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(!dash.exists());

    // generate writes the model to stdout.
    let o = run(&[&"generate", &"--cases", &"5", &"--workers", &"2", &"-o", &"-"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let generated: Value = serde_json::from_slice(&o.stdout).expect("stdout is the model");
    assert_eq!(generated["cases"].as_array().map(Vec::len), Some(5));
}
