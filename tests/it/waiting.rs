//! Waiting is remembered (README "Waiting"): among allocations of equal objective the child who
//! has waited longer is allocated first, then the child whom fewer workers may hold, then by
//! id; `policy.waiting_priority` raises a waiting child's priority per whole week waited; the
//! proposal says since when and for how many weeks each child without a worker has waited.
//! Models are read for [`GEN_DATE`] (2026-11-15).

use crate::common;

use common::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;

fn worker(id: &str, cap: f64, skills: &[&str]) -> Value {
    json!({ "id": id, "role": "social_worker", "team": "North", "cap": cap, "skills": skills })
}

fn case(id: &str, ty: &str, since: Option<&str>, needs: &[&str]) -> Value {
    let mut c = json!({ "id": id, "type": ty, "team": "North" });
    if let Some(s) = since {
        c["waiting_since"] = json!(s);
    }
    if !needs.is_empty() {
        c["needs"] = json!(needs);
    }
    c
}

fn model(workers: Vec<Value>, cases: Vec<Value>) -> Value {
    json!({ "version": 1, "workers": workers, "cases": cases })
}

/// Allocates, checks the proposal with `check`, and returns it with its allocated case ids.
fn solve(m: &Value) -> (Value, BTreeSet<String>) {
    let (loaded, p, bytes) = allocate(m);
    assert_eq!(breaches(&loaded, &bytes), vec![], "check finds breaches in\n{p:#}");
    assert_eq!(p["optimal"], true);
    let tm = TModel::from_json_at(m, Some(GEN_DATE));
    let a = assignment_of(&tm, &p);
    assert_eq!(tm.breach(&a), None);
    let stated = p["objective"].as_f64().unwrap();
    assert!(close(tm.objective(&a), stated), "objective {stated} vs the oracle's {}", tm.objective(&a));
    let best = tm.brute_force().map(|b| b.0);
    if let Some(best) = best.filter(|_| tm.cases.len() <= 8) {
        assert!(close(stated, best), "objective {stated}, brute-force optimum {best}");
    }
    let ids = p["allocations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["case"].as_str().unwrap().to_string())
        .collect();
    (p, ids)
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

#[test]
fn allocates_the_child_who_has_waited_longer_when_two_are_otherwise_equal() {
    // One slot, two children alike but for waiting; the one later by id waited.
    let (p, got) = solve(&model(
        vec![worker("W1", 1.0, &[])],
        vec![case("C1", "child_in_need", None, &[]), case("C2", "child_in_need", Some("2026-10-04"), &[])],
    ));
    assert_eq!(got, set(&["C2"]));
    // The other child says since when it waits: from the day of the allocation, 0 weeks.
    let u = &p["unallocated"][0];
    assert_eq!((u["case"].as_str(), u["waiting_since"].as_str()), (Some("C1"), Some(GEN_DATE)));
    assert_eq!(u["weeks_waiting"], 0);
    // Swap who waited: the outcome swaps.
    let (p, got) = solve(&model(
        vec![worker("W1", 1.0, &[])],
        vec![case("C1", "child_in_need", Some("2026-10-04"), &[]), case("C2", "child_in_need", None, &[])],
    ));
    assert_eq!(got, set(&["C1"]));
    let u = &p["unallocated"][0];
    assert_eq!(u["case"], "C2");
    // Both waited: the earlier wait wins, whatever the ids say; 2026-10-04 to 2026-11-15 is
    // 42 days, 6 weeks.
    let (p, got) = solve(&model(
        vec![worker("W1", 1.0, &[])],
        vec![
            case("C1", "child_in_need", Some("2026-10-04"), &[]),
            case("C2", "child_in_need", Some("2026-09-20"), &[]),
        ],
    ));
    assert_eq!(got, set(&["C2"]));
    assert_eq!(p["unallocated"][0]["waiting_since"], "2026-10-04");
    assert_eq!(p["unallocated"][0]["weeks_waiting"], 6);
}

#[test]
fn within_one_merged_class_the_longest_waiting_children_are_allocated() {
    let dates = ["2026-06-01", "2026-07-13", "2026-09-02", "2026-11-01", "2026-11-14", "2026-11-15"];
    for seed in 0..12u64 {
        let mut rng = Rng::new(seed);
        let mut order: Vec<usize> = (0..7).collect();
        rng.shuffle(&mut order);
        // Seven alike children, three slots among two workers; child order[i] gets the i-th
        // date (the last one none at all).
        let cases: Vec<Value> = (0..7)
            .map(|i| {
                let rank = order.iter().position(|&x| x == i).unwrap();
                case(&format!("C{i}"), "child_in_need", dates.get(rank).copied(), &[])
            })
            .collect();
        let (_, got) = solve(&model(vec![worker("W1", 2.0, &[]), worker("W2", 1.0, &[])], cases));
        let want: BTreeSet<String> = order[..3].iter().map(|i| format!("C{i}")).collect();
        assert_eq!(got, want, "seed {seed}: order {order:?}");
    }
}

#[test]
fn a_child_with_a_scarce_need_is_not_left_behind_when_it_has_waited_as_long() {
    // Two slots: W01 (no Urdu) and W09 (the one Urdu speaker). Either both ordinary children
    // are allocated, or the child needing Urdu goes to W09 and one ordinary child to W01: the
    // same objective. Ids alone would pick the ordinary children (C1, C2 before C3).
    let workers = || vec![worker("W01", 1.0, &[]), worker("W09", 1.0, &["urdu"])];
    let cases = |ordinary: &str, urdu: &str| {
        vec![
            case("C1", "child_in_need", Some(ordinary), &[]),
            case("C2", "child_in_need", Some(ordinary), &[]),
            case("C3", "child_in_need", Some(urdu), &["urdu"]),
        ]
    };
    // All waited as long: fewer workers may hold C3, so it is allocated, with Urdu.
    let (p, got) = solve(&model(workers(), cases("2026-10-01", "2026-10-01")));
    assert!(got.contains("C3") && got.len() == 2, "{got:?}");
    let on_w09 = p["allocations"].as_array().unwrap().iter().find(|a| a["case"] == "C3").unwrap();
    assert_eq!(on_w09["worker"], "W09");
    // C3 waited longer: the same.
    let (_, got) = solve(&model(workers(), cases("2026-11-08", "2026-10-01")));
    assert!(got.contains("C3"), "{got:?}");
    // The ordinary children waited longer: they are allocated and C3 waits, with a reason that
    // names the need that blocks it and the one worker who has it.
    let (p, got) = solve(&model(workers(), cases("2026-09-01", "2026-10-01")));
    assert_eq!(got, set(&["C1", "C2"]));
    let u = &p["unallocated"][0];
    assert_eq!(u["case"], "C3");
    assert_eq!(u["weeks_waiting"], 6);
    let reason = &u["reasons"][0];
    assert_eq!(reason["code"], "at_capacity");
    let message = reason["message"].as_str().unwrap();
    assert!(
        message.contains("urdu") && message.contains("W09") && message.contains("the only one"),
        "{message}"
    );
}

#[test]
fn a_child_with_a_scarce_need_wins_through_an_exchange_of_a_third_child() {
    // W01 and W09 (the one Urdu speaker) have room for one each. C1 may go to either, C2 (who
    // must not have W09) only to W01, C3 (Urdu) only to W09: every lawful choice allocates two
    // (C1 and C2, C1 and C3, or C2 and C3) at the same objective. By waiting, C3 first, then
    // C1: C1 to W01 and C3 to W09.
    let workers = vec![worker("W01", 1.0, &[]), worker("W09", 1.0, &["urdu"])];
    let mut c2 = case("C2", "child_in_need", Some("2026-10-01"), &[]);
    c2["exclude"] = json!(["W09"]);
    let cases = vec![
        case("C1", "child_in_need", Some("2026-09-01"), &[]),
        c2,
        case("C3", "child_in_need", Some("2026-08-01"), &["urdu"]),
    ];
    let (p, got) = solve(&model(workers, cases));
    assert_eq!(got, set(&["C1", "C3"]), "C3 and C1 waited longest");
    assert_eq!(p["unallocated"][0]["case"], "C2");
}

#[test]
fn waiting_priority_raises_a_waiting_child_above_a_new_referral_when_large_enough() {
    // One slot: a new looked-after referral (priority 100) and a child in need (40) waiting
    // since 2026-08-23, 12 weeks before the day.
    let m = |per_week: f64| {
        let mut m = model(
            vec![worker("W1", 1.0, &[])],
            vec![case("A", "looked_after", None, &[]), case("B", "child_in_need", Some("2026-08-23"), &[])],
        );
        m["policy"] = json!({ "waiting_priority": per_week });
        m
    };
    let (p, got) = solve(&m(6.0));
    assert_eq!(got, set(&["B"]), "40 + 6 x 12 = 112 > 100");
    assert_eq!(p["objective"], 112.0);
    assert_eq!(p["summary"]["policy"]["waiting_priority"], 6.0);
    let (_, got) = solve(&m(4.0));
    assert_eq!(got, set(&["A"]), "40 + 4 x 12 = 88 < 100");
    let (p, got) = solve(&m(0.0));
    assert_eq!(got, set(&["A"]));
    assert!(p["summary"]["policy"].get("waiting_priority").is_none(), "0 is left out of the proposal");
}

#[test]
fn waiting_priority_must_be_a_finite_number_at_least_zero() {
    let mut m = model(vec![worker("W1", 1.0, &[])], vec![case("A", "looked_after", None, &[])]);
    m["policy"] = json!({ "waiting_priority": -1.0 });
    let e = load_dated(&to_bytes(&m)).unwrap_err();
    assert!(e.is_invalid_input() && e.to_string().contains("policy.waiting_priority"), "{e}");
}

#[test]
fn waiting_priority_needs_a_day_to_count_weeks_to() {
    let mut m = model(vec![worker("W1", 1.0, &[])], vec![case("A", "looked_after", Some("2026-01-05"), &[])]);
    m["policy"] = json!({ "waiting_priority": 2.0 });
    let e = caseload::load_model_bytes("m.json", &to_bytes(&m)).unwrap_err();
    assert!(e.to_string().contains("policy.waiting_priority"), "{e}");
    assert!(load_dated(&to_bytes(&m)).is_ok());
}

#[test]
fn waiting_priority_zero_changes_no_proposal_of_the_shipped_models() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    for name in ["small_team.json", "fair_team.json", "report_demo.json", "reductions_demo.json"] {
        let mut m: Value = serde_json::from_slice(&std::fs::read(dir.join(name)).unwrap()).unwrap();
        let (_, before, _) = allocate(&m);
        if m.get("policy").is_none() {
            m["policy"] = json!({});
        }
        m["policy"]["waiting_priority"] = json!(0.0);
        let (_, mut after, _) = allocate(&m);
        // The model's bytes differ, so its hash does; nothing else may.
        after["summary"]["model_hash"] = before["summary"]["model_hash"].clone();
        assert_eq!(before, after, "{name}");
    }
}

#[test]
fn breaking_ties_by_waiting_never_costs_objective_on_random_models() {
    // The same models with and without waiting_since (and no waiting_priority): the objective
    // is the same, the proposal lawful, and waiting changes only who is allocated among equals.
    let mut rng = Rng::new(20);
    for seed in 0..150u64 {
        let plain = generate(seed, Shape::BRUTE);
        let mut waiting = plain.clone();
        for c in waiting["cases"].as_array_mut().unwrap() {
            if rng.chance(0.5) {
                c["waiting_since"] =
                    json!(rng.pick(&["2026-05-04", "2026-10-31", "2026-11-09", "2026-11-30"]));
            }
        }
        let (Ok(m0), Ok(m1)) = (load_dated(&to_bytes(&plain)), load_dated(&to_bytes(&waiting))) else {
            continue;
        };
        let p0 = caseload::allocate(&m0, caseload::solve::Limits::default()).unwrap();
        let p1 = caseload::allocate(&m1, caseload::solve::Limits::default()).unwrap();
        assert!(p0.optimal && p1.optimal, "seed {seed}");
        assert!(close(p0.objective, p1.objective), "seed {seed}: {} vs {}", p0.objective, p1.objective);
        let bytes = caseload::write::to_json(&p1);
        assert_eq!(breaches(&m1, &bytes), vec![], "seed {seed}");
        let again =
            caseload::write::to_json(&caseload::allocate(&m1, caseload::solve::Limits::default()).unwrap());
        assert_eq!(bytes, again, "seed {seed}: not the same proposal twice");
        for u in &p1.unallocated {
            assert!(u.waiting_since.is_some() && u.weeks_waiting.is_some(), "seed {seed}: {u:?}");
        }
    }
}

#[test]
fn proposals_with_waiting_are_byte_identical_for_one_and_four_threads() {
    let dir = tempfile::tempdir().unwrap();
    for seed in [3u64, 11, 29] {
        let mut m = generate(
            seed,
            Shape { min_cases: 30, max_cases: 60, min_workers: 4, max_workers: 9, ..Shape::BRUTE },
        );
        let mut rng = Rng::new(seed);
        for c in m["cases"].as_array_mut().unwrap() {
            if rng.chance(0.6) {
                c["waiting_since"] = json!(rng.pick(&["2026-05-04", "2026-10-31", "2026-11-09"]));
            }
        }
        let path = write_file(dir.path(), &format!("m{seed}.json"), &to_bytes(&m));
        let mut outs = Vec::new();
        for threads in ["1", "4"] {
            let out = dir.path().join(format!("m{seed}.t{threads}.json"));
            let o = run(
                &[&"allocate", &path, &"-o", &out, &"--quiet", &"--date", &GEN_DATE],
                &[("RAYON_NUM_THREADS", threads)],
            );
            if o.status.code() == Some(2) {
                break; // refused (pins that break a rule): nothing to compare
            }
            assert_eq!(o.status.code(), Some(0), "{}", text(&o));
            outs.push(std::fs::read(&out).unwrap());
        }
        if outs.len() == 2 {
            assert_eq!(outs[0], outs[1], "seed {seed}");
        }
    }
}

#[test]
fn names_and_notes_are_carried_into_the_proposal_the_csvs_and_the_report() {
    let mut m = model(
        vec![worker("W1", 1.0, &[]), worker("W2", 0.0, &[])],
        vec![case("C1", "child_in_need", Some("2026-10-04"), &[]), case("C2", "child_in_need", None, &[])],
    );
    m["workers"][0]["name"] = json!("Jo Bloggs");
    m["workers"][0]["notes"] = json!("back from leave");
    m["cases"][0]["name"] = json!("Amy");
    m["cases"][1]["name"] = json!("Ben");
    m["cases"][1]["notes"] = json!("court date soon");
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "m.json", &to_bytes(&m));
    let (out, csv, report) = (dir.path().join("p.json"), dir.path().join("csv"), dir.path().join("r.html"));
    let o = run(
        &[
            &"allocate",
            &path,
            &"-o",
            &out,
            &"--csv",
            &csv,
            &"--report",
            &report,
            &"--date",
            &GEN_DATE,
            &"--quiet",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let p: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(p["summary"]["date"], GEN_DATE);
    assert_eq!(p["allocations"][0]["name"], "Amy");
    assert_eq!(p["unallocated"][0]["name"], "Ben");
    assert_eq!(p["workers"][0]["name"], "Jo Bloggs");
    assert!(p["workers"][1].get("name").is_none());
    let check = run(&[&"check", &path, &out], &[]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check));
    let read = |f: &str| String::from_utf8(std::fs::read(csv.join(f)).unwrap()).unwrap();
    let unallocated = read("unallocated.csv");
    let header = unallocated.lines().next().unwrap();
    assert!(header.ends_with("waiting_since,weeks_waiting,name,notes"), "{header}");
    assert!(unallocated.contains(&format!("{GEN_DATE},0,Ben,court date soon")), "{unallocated}");
    assert!(read("allocations.csv").contains("Amy"));
    assert!(read("workers.csv").contains("Jo Bloggs,back from leave"));
    let html = String::from_utf8(std::fs::read(&report).unwrap()).unwrap();
    for words in ["Amy", "Ben", "Jo Bloggs", "court date soon", "15 November 2026", "(new this week)"] {
        assert!(html.contains(words), "the report does not say {words:?}");
    }
}

#[test]
fn a_model_without_waiting_gives_a_proposal_without_names_or_waiting_dates_of_its_own() {
    // No waiting_since and no names: allocations and workers carry no new fields.
    let (p, _) = solve(&model(
        vec![worker("W1", 1.0, &[])],
        vec![case("C1", "child_in_need", None, &[]), case("C2", "child_in_need", None, &[])],
    ));
    assert!(p["allocations"][0].get("name").is_none());
    assert!(p["workers"][0].get("name").is_none());
    assert_eq!(p["allocations"][0]["case"], "C1", "ties by id, as before");
}

#[test]
fn check_reads_the_model_for_the_day_the_proposal_records_so_weeks_waited_agree() {
    // Made for 2026-11-15 and checked a month later: the weeks (and so the priorities and the
    // objective) are those of the proposal's day, not of the day of the check.
    let mut m = model(
        vec![worker("W1", 1.0, &[])],
        vec![case("A", "looked_after", None, &[]), case("B", "child_in_need", Some("2026-08-23"), &[])],
    );
    m["policy"] = json!({ "waiting_priority": 6.0 });
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "m.json", &to_bytes(&m));
    let out = dir.path().join("p.json");
    let o = run(&[&"allocate", &path, &"-o", &out, &"--date", &GEN_DATE, &"--quiet"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let p: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(p["objective"], 112.0);
    // 2026-12-15: 16 weeks waited by then, which would make the stated objective wrong.
    let later = [("SOURCE_DATE_EPOCH", "1797292800")];
    let check = run(&[&"check", &path, &out], &later);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check));
    let stated_later = run(&[&"check", &path, &out, &"--date", &"2026-12-15"], &later);
    assert_eq!(stated_later.status.code(), Some(1), "read for a later day, the objective differs");
}

#[test]
fn spreadsheets_with_waiting_and_a_priority_per_week_convert_and_allocate() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let w = write_file(d, "workers.csv", b"id,role,team,name\nW1,social_worker,North,Jo\n");
    let c = write_file(
        d,
        "cases.csv",
        b"id,type,team,waiting_since,name\nC1,child_in_need,North,2026-10-01,Amy\nC2,looked_after,North,,Ben\n",
    );
    let p = write_file(d, "policy.json", br#"{"waiting_priority": 2}"#);
    let model = d.join("m.json");
    let o = run(&[&"convert", &"--workers", &w, &"--cases", &c, &"--policy", &p, &"-o", &model], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = d.join("p.json");
    let o = run(&[&"allocate", &model, &"-o", &out, &"--date", &"2026-12-01", &"--quiet"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    // 2026-10-01 to 2026-12-01 is 61 days, 8 whole weeks: 40 + 2 x 8 for C1, 100 for C2.
    assert_eq!(v["objective"], 156.0);
}

/// Every lawful allocation of a small test model, with its objective.
fn every_allocation(tm: &TModel) -> Vec<(f64, Vec<Option<usize>>)> {
    let (nc, nw) = (tm.cases.len(), tm.workers.len());
    let mut out = Vec::new();
    let mut a: Vec<Option<usize>> = vec![None; nc];
    fn go(
        tm: &TModel,
        c: usize,
        nw: usize,
        a: &mut Vec<Option<usize>>,
        out: &mut Vec<(f64, Vec<Option<usize>>)>,
    ) {
        if c == a.len() {
            if tm.breach(a).is_none() {
                out.push((tm.objective(a), a.clone()));
            }
            return;
        }
        for x in std::iter::once(None).chain((0..nw).map(Some)) {
            if x.is_some_and(|w| !tm.permitted(c, w)) {
                continue;
            }
            a[c] = x;
            go(tm, c + 1, nw, a, out);
        }
        a[c] = None;
    }
    go(tm, 0, nw, &mut a, &mut out);
    out
}

#[test]
fn among_optimal_allocations_the_earliest_waiting_children_are_allocated_on_small_models() {
    // By exhaustion, on small random models with waiting (no sibling groups, whose members the
    // exchanges leave alone): of all optimal allocations, the proposal allocates the children
    // that come first in the order of README "Waiting" (earlier waiting_since, then fewer
    // permitted workers, then id): the earliest child on which two optimal sets of as many
    // children differ is in the proposal's.
    let day = iso_days(GEN_DATE);
    let mut compared = 0;
    let mut missed = Vec::new();
    let models = std::env::var("CASELOAD_WAITING_MODELS").ok().and_then(|s| s.parse().ok()).unwrap_or(400u64);
    for seed in 0..models {
        let mut m = generate(seed, Shape { max_cases: 7, ..Shape::BRUTE });
        let mut rng = Rng::new(seed ^ 77);
        for c in m["cases"].as_array_mut().unwrap() {
            c.as_object_mut().unwrap().remove("group");
            if rng.chance(0.6) {
                c["waiting_since"] =
                    json!(rng.pick(&["2026-05-04", "2026-10-31", "2026-11-09", "2026-11-30"]));
            }
        }
        if m["cases"].as_array().unwrap().iter().all(|c| c.get("waiting_since").is_none()) {
            continue; // no waiting recorded: ties are broken as before waiting existed
        }
        let tm = TModel::from_json_at(&m, Some(GEN_DATE));
        let Ok(loaded) = load_dated(&to_bytes(&m)) else { continue };
        let p = caseload::allocate(&loaded, caseload::solve::Limits::default()).unwrap();
        let v: Value = serde_json::from_slice(&caseload::write::to_json(&p)).unwrap();
        let got = assignment_of(&tm, &v);
        let all = every_allocation(&tm);
        let best = all.iter().map(|x| x.0).fold(f64::MIN, f64::max);
        // The order of README "Waiting".
        let start = |c: usize| -> i64 {
            let since =
                m["cases"].as_array().unwrap().iter().find(|x| x["id"] == tm.cases[c].id.as_str()).unwrap();
            since.get("waiting_since").and_then(Value::as_str).map_or(day, |s| iso_days(s).min(day))
        };
        let permitted = |c: usize| (0..tm.workers.len()).filter(|&w| tm.permitted(c, w)).count();
        let mut order: Vec<usize> = (0..tm.cases.len()).collect();
        order.sort_by_key(|&c| (start(c), permitted(c), c));
        let rank_key = |a: &[Option<usize>]| -> Vec<bool> { order.iter().map(|&c| a[c].is_some()).collect() };
        // Of the optimal allocations that allocate as many children (allocating a child worth
        // nothing is a tie too, but not one between children).
        let count = |a: &[Option<usize>]| a.iter().filter(|x| x.is_some()).count();
        let wanted = all
            .iter()
            .filter(|x| close(x.0, best) && count(&x.1) == count(&got))
            .map(|x| rank_key(&x.1))
            .max()
            .unwrap();
        if rank_key(&got) != wanted {
            missed.push(seed);
        }
        compared += 1;
    }
    assert!(compared > 100, "only {compared} models compared");
    // The exchanges are local (one child out, one in, with at most one case moved between
    // them): a model whose best set needs more rearranged (seen once in 20,000 seeds, with a
    // large fairness penalty; 1 of 17,890 compared) keeps a set the exchanges cannot improve.
    // At most 1 in 1,000 (none in the default 400 seeds).
    assert!(
        missed.len() * 1000 <= compared,
        "{} of {compared} models missed: seeds {missed:?}",
        missed.len()
    );
}

/// A day typed a year early (`--date 2025-12-07` for 2026-12-07) while a child already waits
/// since 2026-11-02: `allocate` and `accept` refuse it, naming the child, rather than record a
/// new referral as waiting since a day before the waits already recorded (which would count 53
/// weeks next week and take the only place). Without a day named, nothing is judged.
#[test]
fn a_day_before_a_wait_already_recorded_is_refused_at_allocate_and_at_accept() {
    let mut m = model(
        vec![worker("W1", 1.0, &[])],
        vec![
            json!({ "id": "C1", "type": "child_in_need", "team": "North", "current_worker": "W1" }),
            case("NEW", "child_in_need", None, &[]),
            case("OLD", "child_in_need", Some("2026-11-02"), &[]),
        ],
    );
    m["policy"] = json!({ "waiting_priority": 5.0 });
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let path = write_file(d, "m.json", &to_bytes(&m));
    let (p, next) = (d.join("p.json"), d.join("next.json"));
    let o = run(&[&"allocate", &path, &"-o", &p, &"--date", &"2025-12-07", &"-q"], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("m.json: cases[2].waiting_since: 2026-11-02, after 2025-12-07"),
        "{}",
        text(&o)
    );
    assert!(!p.exists());
    let o = run(&[&"allocate", &path, &"-o", &p, &"--date", &"2026-12-07", &"-q"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let check = run(&[&"check", &path, &p], &[]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check));
    let o = run(&[&"accept", &path, &p, &"-o", &next, &"--date", &"2025-12-07"], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("cases[2].waiting_since") && text(&o).contains("a year typed wrong"),
        "{}",
        text(&o)
    );
    assert!(!next.exists());
    let o = run(&[&"accept", &path, &p, &"-o", &next], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v: Value = serde_json::from_slice(&std::fs::read(&next).unwrap()).unwrap();
    assert_eq!(v["cases"][1]["waiting_since"], "2026-12-07");
    // Today by default (2026-10-01 here) judges nothing: the meeting may be ahead of it.
    let o = run(&[&"check", &next], &[("SOURCE_DATE_EPOCH", "1790812800")]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

/// A case system exports `waiting_since` as a time (`2026-11-30 09:15`, `2026-11-30T09:15:00Z`,
/// an Excel date-time cell): each was refused at its place. Each reads as the day it is written
/// on, from a model file, CSV, a workbook's text cell and its date-time cell alike; what is no
/// day or time is still refused, with the words it had.
#[test]
fn a_wait_exported_as_a_time_stamp_is_read_as_its_day_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let stamps = ["2026-11-30 09:15", "2026-11-30 09:15:00", "2026-11-30T09:15:00", "2026-11-30T09:15:00Z"];
    // The day of the one child left waiting, in the proposal.
    let waited = |args: &[&dyn AsRef<std::ffi::OsStr>]| -> String {
        let out = d.join("p.json");
        let mut all: Vec<&dyn AsRef<std::ffi::OsStr>> = args.to_vec();
        all.extend([&"-o" as &dyn AsRef<std::ffi::OsStr>, &out, &"--date", &"2026-12-07", &"-q"]);
        let o = run(&all, &[]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let p: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
        let u = p["unallocated"].as_array().unwrap();
        assert_eq!(u.len(), 1, "{p}");
        u[0]["waiting_since"].as_str().unwrap().to_string()
    };
    for stamp in stamps {
        let m = model(vec![], vec![case("C1", "child_in_need", Some(stamp), &[])]);
        let path = write_file(d, "m.json", &to_bytes(&m));
        assert_eq!(waited(&[&"allocate", &path, &"--allow-empty"]), "2026-11-30", "{stamp}");
        let w = write_file(d, "workers.csv", b"id,role,team\n");
        let c = write_file(
            d,
            "cases.csv",
            format!("id,type,team,waiting_since\nC1,CIN,North,{stamp}\n").as_bytes(),
        );
        let csv =
            [&"allocate" as &dyn AsRef<std::ffi::OsStr>, &"--workers", &w, &"--cases", &c, &"--allow-empty"];
        assert_eq!(waited(&csv), "2026-11-30", "{stamp}");
    }
    // A workbook: the stamp as text, and as an Excel date-time cell with its time of day.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("workers").unwrap();
    for (j, h) in ["id", "role", "team"].iter().enumerate() {
        ws.write_string(0, j as u16, *h).unwrap();
    }
    let ws = wb.add_worksheet();
    ws.set_name("cases").unwrap();
    for (j, h) in ["id", "type", "team", "waiting_since"].iter().enumerate() {
        ws.write_string(0, j as u16, *h).unwrap();
    }
    for (i, id) in ["C1", "C2"].iter().enumerate() {
        for (j, v) in [*id, "CIN", "North"].iter().enumerate() {
            ws.write_string(1 + i as u32, j as u16, *v).unwrap();
        }
    }
    ws.write_string(1, 3, "2026-11-30T09:15:00Z").unwrap();
    let time = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 11, 30).unwrap().and_hms(9, 15, 0).unwrap();
    let shown = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy hh:mm");
    ws.write_datetime_with_format(2, 3, &time, &shown).unwrap();
    let book = write_file(d, "team.xlsx", &wb.save_to_buffer().unwrap());
    let out = d.join("p.json");
    let o = run(
        &[&"allocate", &"--workbook", &book, &"-o", &out, &"--date", &"2026-12-07", &"-q", &"--allow-empty"],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let p: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let days: Vec<&str> =
        p["unallocated"].as_array().unwrap().iter().map(|u| u["waiting_since"].as_str().unwrap()).collect();
    assert_eq!(days, ["2026-11-30", "2026-11-30"], "{p}");
    // Garbage is refused at its place, as before.
    for bad in ["2026-11-30 garbage", "2026-11-30 25:00", "30/11/2026 09:15"] {
        let m = model(vec![], vec![case("C1", "child_in_need", Some(bad), &[])]);
        let path = write_file(d, "m.json", &to_bytes(&m));
        let o = run(&[&"allocate", &path, &"-o", &out, &"--allow-empty"], &[]);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        let said = format!("cases[0].waiting_since: {bad:?} is not a date; write it as YYYY-MM-DD");
        assert!(text(&o).contains(&said), "{said} in {}", text(&o));
    }
}

/// `accept --date` a day ahead (the meeting planned for tomorrow) records a new wait from that
/// day; `allocate` run today without `--date` does not judge it, but `check` took the day the
/// proposal records (today) as named and refused `allocate`'s own proposal, exit 2 ("after").
/// The recorded day is now read for, not judged: the loop checks; `--date` is still judged.
#[test]
fn check_accepts_the_proposal_allocate_writes_after_an_accept_dated_ahead() {
    let today = [("SOURCE_DATE_EPOCH", "1796515200")]; // 2026-12-06
    let m = model(
        vec![worker("W1", 1.0, &[])],
        vec![
            json!({ "id": "C1", "type": "child_in_need", "team": "North", "current_worker": "W1" }),
            case("C2", "child_in_need", None, &[]),
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let path = write_file(d, "m.json", &to_bytes(&m));
    let (p0, next, p1) = (d.join("p0.json"), d.join("next.json"), d.join("p1.json"));
    let ok = |args: &[&dyn AsRef<std::ffi::OsStr>]| {
        let o = run(args, &today);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    };
    ok(&[&"allocate", &path, &"-o", &p0, &"-q"]);
    ok(&[&"accept", &path, &p0, &"-o", &next, &"--date", &"2026-12-07", &"-q"]);
    let v: Value = serde_json::from_slice(&std::fs::read(&next).unwrap()).unwrap();
    assert_eq!(v["cases"][1]["waiting_since"], "2026-12-07", "{v}");
    ok(&[&"allocate", &next, &"-o", &p1, &"-q"]);
    let p: Value = serde_json::from_slice(&std::fs::read(&p1).unwrap()).unwrap();
    assert_eq!(p["summary"]["date"], "2026-12-06");
    ok(&[&"check", &next, &p1]);
    ok(&[&"compare", &next, &p1, &p1, &"-q"]);
    // A day named to check itself is judged, as by allocate.
    let o = run(&[&"check", &next, &p1, &"--date", &"2026-12-06"], &today);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("cases[1].waiting_since: 2026-12-07, after 2026-12-06"), "{}", text(&o));
}
