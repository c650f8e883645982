//! Dated reductions, `--date`, `previous_workers` and the suggested actions, through the binary:
//! bad dates and over-large reductions are input errors with their place; a reduction counts
//! only on the days it is in force; the day is recorded only when it matters; `check` reads the
//! model for the day a proposal records; a return to a previous worker is marked and checked.

use crate::common;

use common::*;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// One team: W1 (cap 4, a reduction of 2 for November 2026), W2 (cap 4), W3 vacant; eight
/// children, C1..C4 with W1 today: in November two of them cannot be allocated.
fn model() -> Value {
    json!({
        "version": 1,
        "policy": { "caps": { "social_worker": 4 } },
        "workers": [
            { "id": "W1", "role": "social_worker", "team": "North",
              "reductions": [ { "amount": 2, "from": "2026-11-01", "to": "2026-11-30", "reason": "court work" } ] },
            { "id": "W2", "role": "social_worker", "team": "North" },
            { "id": "W3", "role": "social_worker", "team": "North", "status": "vacant" }
        ],
        "cases": [
            { "id": "C1", "type": "looked_after", "team": "North", "current_worker": "W1" },
            { "id": "C2", "type": "looked_after", "team": "North", "current_worker": "W1" },
            { "id": "C3", "type": "looked_after", "team": "North", "current_worker": "W1", "previous_workers": ["W2"] },
            { "id": "C4", "type": "looked_after", "team": "North", "current_worker": "W1" },
            { "id": "C5", "type": "looked_after", "team": "North", "previous_workers": ["W1"] },
            { "id": "C6", "type": "looked_after", "team": "North" },
            { "id": "C7", "type": "looked_after", "team": "North" },
            { "id": "C8", "type": "child_in_need", "team": "North" }
        ]
    })
}

/// 2026-11-15 00:00 UTC as a Unix time: "today" for the runs that give no --date.
const NOV_15: &str = "1794700800";
/// 2026-12-15 00:00 UTC.
const DEC_15: &str = "1797292800";

fn dir_with(model: &Value) -> (tempfile::TempDir, PathBuf) {
    let d = tempfile::tempdir().unwrap();
    let p = write_file(d.path(), "model.json", &to_bytes(model));
    (d, p)
}

fn allocate_at(model: &Path, out: &Path, extra: &[&str], today: &str) -> std::process::Output {
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"allocate", &model, &"-o", &out, &"-q"];
    for e in extra {
        args.push(e);
    }
    run(&args, &[("SOURCE_DATE_EPOCH", today)])
}

fn read(p: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

fn worker<'a>(p: &'a Value, id: &str) -> &'a Value {
    p["workers"].as_array().unwrap().iter().find(|w| w["worker"] == id).unwrap()
}

/// Exit status 2, the message naming the file, every place given and the words given, and no
/// proposal written.
fn refused(model: &Value, extra: &[&str], places: &[&str], words: &str) {
    let (d, path) = dir_with(model);
    let out = d.path().join("p.json");
    let o = allocate_at(&path, &out, extra, NOV_15);
    let msg = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(msg.contains("model.json"), "{msg}");
    for p in places {
        assert!(msg.contains(p), "no {p} in: {msg}");
    }
    assert!(msg.contains(words), "no {words:?} in: {msg}");
    assert!(!out.exists(), "a proposal was written for a refused model");
}

#[test]
fn a_reduction_in_force_lowers_cap_and_target_and_is_shown_in_the_proposal() {
    let (d, path) = dir_with(&model());
    let out = d.path().join("p.json");
    let o = allocate_at(&path, &out, &["--date", "2026-11-15"], DEC_15);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let p = read(&out);
    let w1 = worker(&p, "W1");
    assert_eq!(
        (w1["cap"].as_f64(), w1["target"].as_f64(), w1["reduction"].as_f64()),
        (Some(2.0), Some(2.0), Some(2.0))
    );
    assert!(w1["load"].as_f64().unwrap() <= 2.0);
    assert!(worker(&p, "W2").get("reduction").is_none(), "no reduction, no key");
    assert_eq!(p["summary"]["date"], "2026-11-15");
    let tm = TModel::from_json_at(&model(), Some("2026-11-15"));
    let a = assignment_of(&tm, &p);
    assert_eq!(tm.breach(&a), None);
    assert!(close(tm.objective(&a), tm.brute_force().unwrap().0));
}

#[test]
fn a_reduction_out_of_force_on_the_date_changes_nothing_from_the_first_day_after() {
    for (date, cap) in [("2026-10-31", 4.0), ("2026-11-01", 2.0), ("2026-11-30", 2.0), ("2026-12-01", 4.0)] {
        let (d, path) = dir_with(&model());
        let out = d.path().join("p.json");
        let o = allocate_at(&path, &out, &["--date", date], NOV_15);
        assert_eq!(o.status.code(), Some(0), "{date}: {}", text(&o));
        let p = read(&out);
        let w1 = worker(&p, "W1");
        assert_eq!(w1["cap"].as_f64(), Some(cap), "{date}");
        assert_eq!(w1.get("reduction").is_some(), cap < 4.0, "{date}");
    }
}

#[test]
fn without_date_the_day_is_today_from_source_date_epoch() {
    let (d, path) = dir_with(&model());
    let out = d.path().join("p.json");
    for (today, day, cap) in [(NOV_15, "2026-11-15", 2.0), (DEC_15, "2026-12-15", 4.0)] {
        let o = allocate_at(&path, &out, &[], today);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let p = read(&out);
        assert_eq!(p["summary"]["date"], day, "the model has reductions: the day is recorded");
        assert_eq!(worker(&p, "W1")["cap"].as_f64(), Some(cap));
    }
}

#[test]
fn the_date_the_allocation_is_for_is_recorded_today_by_default_or_as_given() {
    let mut plain = model();
    plain["workers"][0].as_object_mut().unwrap().remove("reductions");
    let (d, path) = dir_with(&plain);
    let (a, b, c) = (d.path().join("a.json"), d.path().join("b.json"), d.path().join("c.json"));
    assert_eq!(allocate_at(&path, &a, &[], NOV_15).status.code(), Some(0));
    assert_eq!(allocate_at(&path, &b, &[], DEC_15).status.code(), Some(0));
    assert_eq!(read(&a)["summary"]["date"], "2026-11-15", "no --date: today is recorded");
    assert_eq!(read(&b)["summary"]["date"], "2026-12-15", "no --date: today is recorded");
    let mut pa = read(&a);
    let mut pb = read(&b);
    for p in [&mut pa, &mut pb] {
        // The day, and the day an unallocated child starts waiting (today), differ.
        p["summary"].as_object_mut().unwrap().remove("date");
        for u in p["unallocated"].as_array_mut().unwrap() {
            u.as_object_mut().unwrap().remove("waiting_since");
        }
    }
    assert_eq!(pa, pb, "the same allocation every day but for its day");
    assert_eq!(allocate_at(&path, &c, &["--date", "2027-01-04"], NOV_15).status.code(), Some(0));
    assert_eq!(read(&c)["summary"]["date"], "2027-01-04", "a given date is recorded");
}

#[test]
fn check_reads_the_model_for_the_day_the_proposal_records() {
    let (d, path) = dir_with(&model());
    let out = d.path().join("p.json");
    // In December W1 may hold 4 again; the proposal keeps its four children with it.
    assert_eq!(allocate_at(&path, &out, &["--date", "2026-12-01"], NOV_15).status.code(), Some(0));
    assert_eq!(worker(&read(&out), "W1")["load"].as_f64(), Some(4.0));
    // Today is 15 November, but the proposal records 1 December: no breach.
    let o = run(&[&"check", &path, &out], &[("SOURCE_DATE_EPOCH", NOV_15)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // Read for 15 November, W1 is over its reduced cap.
    let o =
        run(&[&"check", &path, &out, &"--date", &"2026-11-15", &"--json"], &[("SOURCE_DATE_EPOCH", DEC_15)]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let breaches: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert!(breaches.iter().any(|b| b["code"] == "rule7" && b["worker"] == "W1"), "{breaches:?}");
    // A proposal without a recorded date is checked for today.
    let mut undated = read(&out);
    undated["summary"].as_object_mut().unwrap().remove("date");
    let p2 = write_file(d.path(), "undated.json", &to_bytes(&undated));
    let o = run(&[&"check", &path, &p2], &[("SOURCE_DATE_EPOCH", NOV_15)]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let o = run(&[&"check", &path, &p2], &[("SOURCE_DATE_EPOCH", DEC_15)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[test]
fn impossible_and_badly_written_dates_are_refused_with_their_place() {
    for (from, to, place) in [
        ("2026-02-30", "2026-03-31", "workers[0].reductions[0].from"),
        ("2026-11-01", "2026-13-01", "workers[0].reductions[0].to"),
        ("1/11/2026", "2026-11-30", "workers[0].reductions[0].from"),
        ("2026-11-01", "2026-11-31", "workers[0].reductions[0].to"),
    ] {
        let mut m = model();
        m["workers"][0]["reductions"][0]["from"] = json!(from);
        m["workers"][0]["reductions"][0]["to"] = json!(to);
        refused(&m, &["--date", "2026-11-15"], &[place], "is not a date");
    }
    let mut m = model();
    m["workers"][0]["reductions"][0]["to"] = json!("2026-10-01");
    refused(&m, &[], &["workers[0].reductions[0].to"], "before it starts");
    let mut m = model();
    m["workers"][0]["reductions"][0]["amount"] = json!(0);
    refused(&m, &[], &["workers[0].reductions[0].amount"], "> 0");
    let mut m = model();
    m["workers"][0]["reductions"][0]["hours"] = json!(3);
    refused(&m, &[], &["workers[0].reductions[0]"], "unknown field");
    // And a bad --date is a usage error.
    let (d, path) = dir_with(&model());
    let out = d.path().join("p.json");
    let o = allocate_at(&path, &out, &["--date", "2026-02-29"], NOV_15);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("--date") && text(&o).contains("28 days"), "{}", text(&o));
    assert!(!out.exists());
}

#[test]
fn overlapping_reductions_above_the_cap_name_the_one_that_tips_it_and_the_day() {
    let mut m = model();
    m["workers"][1]["reductions"] = json!([
        { "amount": 3, "from": "2026-11-01", "to": "2026-11-30" },
        { "amount": 1, "from": "2026-12-01", "to": "2026-12-31" },
        { "amount": 1.5, "from": "2026-11-10", "to": "2026-11-20" }
    ]);
    refused(&m, &["--date", "2026-11-15"], &["workers[1].reductions[2]", "2026-11-15"], "3 + 1.5 = 4.5");
    // On a day when only one is in force, the same model is fine.
    let (d, path) = dir_with(&m);
    let o = allocate_at(&path, &d.path().join("p.json"), &["--date", "2026-11-25"], NOV_15);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // A reduction down to exactly the cap leaves a cap of 0.
    m["workers"][1]["reductions"][2]["amount"] = json!(1);
    let out = d.path().join("q.json");
    let path = write_file(d.path(), "model.json", &to_bytes(&m));
    assert_eq!(allocate_at(&path, &out, &["--date", "2026-11-15"], NOV_15).status.code(), Some(0));
    assert_eq!(worker(&read(&out), "W2")["cap"].as_f64(), Some(0.0));
}

#[test]
fn pins_that_no_longer_fit_the_reduced_cap_are_the_rule_10_input_error() {
    let mut m = model();
    for c in 0..3 {
        m["cases"][c]["pinned"] = json!(true);
    }
    refused(&m, &["--date", "2026-11-15"], &["cases[", ".pinned"], "above its cap of 2");
    let (d, path) = dir_with(&m);
    let o = allocate_at(&path, &d.path().join("p.json"), &["--date", "2026-12-15"], NOV_15);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[test]
fn previous_workers_must_exist_be_listed_once_and_not_be_the_current_worker() {
    let mut m = model();
    m["cases"][4]["previous_workers"] = json!(["W9"]);
    refused(&m, &[], &["cases[4].previous_workers[0]"], "no worker \"W9\"");
    let mut m = model();
    m["cases"][4]["previous_workers"] = json!(["W1", "W2", "W1"]);
    refused(&m, &[], &["cases[4].previous_workers[2]"], "listed twice");
    let mut m = model();
    m["cases"][0]["previous_workers"] = json!(["W1"]);
    refused(&m, &[], &["cases[0].previous_workers[0]"], "current_worker");
}

#[test]
fn a_return_to_a_previous_worker_is_marked_in_the_proposal_and_the_report_and_checked() {
    let (d, path) = dir_with(&model());
    let out = d.path().join("p.json");
    let report = d.path().join("r.html");
    let o = allocate_at(&path, &out, &["--date", "2026-11-15", "--report", report.to_str().unwrap()], NOV_15);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let p = read(&out);
    let tm = TModel::from_json_at(&model(), Some("2026-11-15"));
    assert_eq!(tm.wrong_return(&p), None);
    let html = std::fs::read_to_string(&report).unwrap();
    for a in p["allocations"].as_array().unwrap().iter().filter(|a| a["returns"] == true) {
        let says = format!("returns to {}, who held them before", a["worker"].as_str().unwrap());
        assert!(html.contains(&says), "the report does not say {says}");
    }
    assert!(p["allocations"].as_array().unwrap().iter().any(|a| a["returns"] == true), "no return in {p}");
    // check: a return left unmarked, or a false one, is a breach.
    for (case, flip) in [("C5", true), ("C6", false)] {
        let mut edited = p.clone();
        for a in edited["allocations"].as_array_mut().unwrap() {
            if a["case"] == case {
                if flip {
                    a.as_object_mut().unwrap().remove("returns");
                } else {
                    a["returns"] = json!(true);
                }
            }
        }
        if edited == p {
            continue; // the case is not allocated
        }
        let e = write_file(d.path(), "edited.json", &to_bytes(&edited));
        let o = run(&[&"check", &path, &e, &"--json"], &[]);
        assert_eq!(o.status.code(), Some(1), "{case}: {}", text(&o));
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("returns") || text(&o).contains("previous"),
            "{}",
            text(&o)
        );
    }
}

#[test]
fn reductions_travel_through_csv_and_workbooks_and_allocate_as_from_the_model_file() {
    let (d, path) = dir_with(&model());
    let sheets = d.path().join("sheets");
    let book = d.path().join("m.xlsx");
    let o = run(&[&"convert", &path, &"--csv-dir", &sheets, &"--xlsx", &book, &"-q"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let csv = std::fs::read_to_string(sheets.join("reductions.csv")).unwrap();
    assert!(
        csv.contains("worker,amount,from,to,reason") && csv.contains("W1,2,2026-11-01,2026-11-30,court work"),
        "{csv}"
    );
    let (w, c, pol, r) = (
        sheets.join("workers.csv"),
        sheets.join("cases.csv"),
        sheets.join("policy.json"),
        sheets.join("reductions.csv"),
    );
    let back = d.path().join("back.json");
    let o = run(
        &[
            &"convert",
            &"--workers",
            &w,
            &"--cases",
            &c,
            &"--policy",
            &pol,
            &"--reductions",
            &r,
            &"-o",
            &back,
            &"-q",
        ],
        &[("SOURCE_DATE_EPOCH", NOV_15)],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let as_model = |v: Value| serde_json::from_value::<caseload::model::ModelFile>(v).unwrap();
    assert_eq!(as_model(read(&back)), as_model(model()), "JSON -> CSV -> JSON keeps the reductions");
    let from_book = d.path().join("book.json");
    let o =
        run(&[&"convert", &"--workbook", &book, &"-o", &from_book, &"-q"], &[("SOURCE_DATE_EPOCH", NOV_15)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(
        as_model(read(&from_book)),
        as_model(model()),
        "JSON -> workbook -> JSON keeps the reductions"
    );
    // In November the reduction counts when read from the spreadsheets as from the model file.
    let (a, b) = (d.path().join("a.json"), d.path().join("b.json"));
    assert_eq!(allocate_at(&path, &a, &["--date", "2026-11-15"], NOV_15).status.code(), Some(0));
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> =
        vec![&"allocate", &"--workbook", &book, &"-o", &b, &"-q", &"--date", &"2026-11-15"];
    let o = run(&args, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(read(&a)["allocations"], read(&b)["allocations"]);
    assert_eq!(worker(&read(&b), "W1")["cap"].as_f64(), Some(2.0));
    // A reduction of an unknown worker is refused at its row, with the near id suggested.
    std::fs::write(&r, "worker,amount,from,to\nW1,2,2026-11-01,2026-11-30\nWl,1,2026-11-01,2026-11-30\n")
        .unwrap();
    args = vec![&"allocate", &"--workers", &w, &"--cases", &c, &"--reductions", &r, &"-o", &b];
    let o = run(&args, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("reductions.csv: row 3, column worker: no worker \"Wl\""), "{}", text(&o));
    assert!(text(&o).contains("did you mean \"W1\""), "{}", text(&o));
    // A bad date is placed in the reductions sheet, not in the model.
    std::fs::write(&r, "worker,amount,from,to\nW1,2,2026-11-01,2026-11-31\n").unwrap();
    let o = run(&args, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("reductions.csv: row 2, column to"), "{}", text(&o));
    // A reductions column in the workers sheet points to the reductions sheet.
    let w = write_file(d.path(), "w.csv", b"id,role,team,reductions\nW1,social_worker,North,2\n");
    let c = write_file(d.path(), "c.csv", b"id,type,team,previous_workers\nC1,looked_after,North,W1\n");
    let o = run(&[&"allocate", &"--workers", &w, &"--cases", &c, &"-o", &d.path().join("p.json")], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("w.csv") && text(&o).contains("a reductions sheet"), "{}", text(&o));
    // previous_workers is a list column like exclude.
    let w = write_file(d.path(), "w.csv", b"id,role,team\nW1,social_worker,North\nW2,social_worker,North\n");
    let c = write_file(
        d.path(),
        "c.csv",
        b"id,type,team,current_worker,previous_workers\nC1,looked_after,North,W2,W1;W9\n",
    );
    let o = run(&[&"allocate", &"--workers", &w, &"--cases", &c, &"-o", &d.path().join("p.json")], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("c.csv") && text(&o).contains("W9"), "{}", text(&o));
}

#[test]
fn every_reason_carries_an_action_in_the_proposal_the_csv_and_the_report() {
    let (d, path) = dir_with(&model());
    let out = d.path().join("p.json");
    let csv = d.path().join("csv");
    let report = d.path().join("r.html");
    let o = allocate_at(
        &path,
        &out,
        &["--date", "2026-11-15", "--csv", csv.to_str().unwrap(), "--report", report.to_str().unwrap()],
        NOV_15,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let p = read(&out);
    let html = std::fs::read_to_string(&report).unwrap();
    let table = String::from_utf8(std::fs::read(csv.join("unallocated.csv")).unwrap()).unwrap();
    let unallocated = p["unallocated"].as_array().unwrap();
    assert!(!unallocated.is_empty());
    for u in unallocated {
        for r in u["reasons"].as_array().unwrap() {
            let action = r["action"].as_str().unwrap();
            assert!(!action.is_empty(), "{u}");
            assert!(table.contains(action), "the CSV lacks {action:?}");
            let shown = caseload::report::esc(&action[1..]);
            assert!(html.contains(&shown), "the report lacks {action:?}");
        }
    }
    // Here the team is full, with a vacant post: the action names it.
    assert!(
        unallocated
            .iter()
            .any(|u| u["reasons"][0]["action"] == "fill the vacant post W3 or raise a cap in team North"),
        "{p}"
    );
}

#[test]
fn whatif_reads_every_scenario_for_the_date_and_names_one_whose_cap_the_reduction_exceeds() {
    let (d, path) = dir_with(&model());
    let json_out = d.path().join("w.json");
    let o = run(
        &[
            &"whatif",
            &path,
            &"--cap",
            &"social_worker=4,1",
            &"--date",
            &"2026-11-15",
            &"--json",
            &json_out,
            &"-q",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("social_worker=1") || text(&o).contains("cap.social_worker"), "{}", text(&o));
    assert!(text(&o).contains("workers[0].reductions[0]"), "{}", text(&o));
    let o = run(
        &[
            &"whatif",
            &path,
            &"--fill-vacancies",
            &"0..=1",
            &"--date",
            &"2026-11-15",
            &"--json",
            &json_out,
            &"-q",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o2 = run(
        &[
            &"whatif",
            &path,
            &"--fill-vacancies",
            &"0..=1",
            &"--date",
            &"2026-12-15",
            &"--json",
            &d.path().join("w2.json"),
            &"-q",
        ],
        &[],
    );
    assert_eq!(o2.status.code(), Some(0), "{}", text(&o2));
    let unalloc = |f: &Path| -> Vec<Value> {
        read(f)["scenarios"].as_array().unwrap().iter().map(|s| s["unallocated"].clone()).collect()
    };
    let (nov, dec) = (unalloc(&json_out), unalloc(&d.path().join("w2.json")));
    assert_ne!(nov, dec, "the reduction in force in November must cost allocations: {nov:?} vs {dec:?}");
}

#[test]
fn a_batch_reads_every_model_for_the_date_given() {
    let d = tempfile::tempdir().unwrap();
    let models = d.path().join("models");
    std::fs::create_dir_all(&models).unwrap();
    write_file(&models, "a.json", &to_bytes(&model()));
    write_file(&models, "b.json", &to_bytes(&model()));
    let out = d.path().join("out");
    let o = run(
        &[&"allocate", &models, &"-o", &out, &"--date", &"2026-11-15", &"-q"],
        &[("SOURCE_DATE_EPOCH", DEC_15)],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    for name in ["a", "b"] {
        let p = read(&out.join(format!("{name}.proposal.json")));
        assert_eq!(p["summary"]["date"], "2026-11-15");
        assert_eq!(worker(&p, "W1")["cap"].as_f64(), Some(2.0));
    }
}

#[test]
fn the_library_refuses_reductions_without_a_day_rather_than_ignore_them() {
    let e = caseload::load_model_bytes("m.json", &to_bytes(&model())).unwrap_err();
    assert!(e.is_invalid_input());
    assert!(e.to_string().contains("workers[0].reductions") && e.to_string().contains("no date"), "{e}");
}

#[test]
fn pseudonymise_renames_previous_workers_and_drops_reduction_reasons() {
    let (d, path) = dir_with(&model());
    let key = write_file(d.path(), "key", b"0123456789abcdef0123456789abcdef");
    let out = d.path().join("pseudo.json");
    let o = run(&[&"pseudonymise", &path, &"--key", &key, &"-o", &out], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let p = read(&out);
    let text = serde_json::to_string(&p).unwrap();
    assert!(!text.contains("\"W1\"") && !text.contains("\"W2\"") && !text.contains("court work"), "{text}");
    let ids: Vec<&str> = p["workers"].as_array().unwrap().iter().map(|w| w["id"].as_str().unwrap()).collect();
    for c in p["cases"].as_array().unwrap() {
        for w in c["previous_workers"].as_array().into_iter().flatten() {
            assert!(ids.contains(&w.as_str().unwrap()), "{w} is not a pseudonymised worker");
        }
    }
    assert_eq!(p["workers"][0]["reductions"][0]["amount"], 2.0);
}
