//! `caseload recommend`: every listed worker's objective is the optimum of the whole model with
//! the case placed there (checked against `allocate` on the model with the case pinned there
//! by hand, and against the oracle's brute force on tiny models), every refusal names a rule
//! that is true of that worker, and the command reads referrals and refuses bad ones kindly.

use crate::common;

use caseload::solve::Limits;
use common::*;
use serde_json::{json, Value};

/// The model file with case `id` pinned to `worker`: the hand-made version of placing it.
fn pinned_by_hand(model: &Value, id: &str, worker: &str) -> Value {
    let mut v = model.clone();
    for c in v["cases"].as_array_mut().unwrap() {
        if c["id"] == id {
            c["current_worker"] = json!(worker);
            c["pinned"] = json!(true);
        }
    }
    v
}

fn recommend(m: &caseload::model::Model, c: usize) -> caseload::recommend::Recommendation {
    caseload::recommend::recommend(m, c, caseload::solve::Limits::default()).expect("recommends")
}

/// Cases of a generated model worth asking about: up to `n`, spread over the file.
fn some_cases(m: &caseload::model::Model, n: usize) -> Vec<usize> {
    let step = (m.cases.len() / n.max(1)).max(1);
    (0..m.cases.len()).step_by(step).take(n).collect()
}

#[test]
fn the_first_choice_pinned_by_hand_and_allocated_scores_what_recommend_says() {
    let mut checked = 0;
    for seed in 0..100u64 {
        let shape = if seed % 2 == 0 { Shape::MEDIUM } else { Shape::MEDIUM_ODD };
        let model = generate(seed, shape);
        let Ok(m) = caseload::load_model_bytes("model.json", &to_bytes(&model)) else { continue };
        let tm = TModel::from_json(&model);
        for c in some_cases(&m, 4) {
            let r = recommend(&m, c);
            assert!(r.optimal, "seed {seed}: not proven optimal");
            let Some(first) = r.workers.first() else { continue };
            let id = &m.cases[c].id;
            let by_hand = pinned_by_hand(&model, id, &first.worker);
            let (pm, p, bytes) = allocate(&by_hand);
            assert!(
                breaches(&pm, &bytes).is_empty(),
                "seed {seed}: the pinned model's proposal breaks a rule"
            );
            // The pinned model's own objective counts no move for the case; judge its
            // allocation by the original model, where today's worker decides the move penalty.
            let a = assignment_of(&tm, &p);
            assert!(tm.breach(&a).is_none(), "seed {seed}: {:?}", tm.breach(&a));
            assert!(
                close(tm.objective(&a), first.objective),
                "seed {seed}, case {id} on {}: recommend says {}, allocate with the pin scores {}\n{}",
                first.worker,
                first.objective,
                tm.objective(&a),
                serde_json::to_string(&model).unwrap()
            );
            // The allocation recommend found is lawful in the original model and scores the same.
            let ra: Vec<Option<usize>> = tm
                .cases
                .iter()
                .map(|k| {
                    first.assignment[m.case_index(&k.id).unwrap()].map(|w| tm.worker_index(&m.workers[w].id))
                })
                .collect();
            assert!(tm.breach(&ra).is_none(), "seed {seed}: recommend's allocation: {:?}", tm.breach(&ra));
            assert!(close(tm.objective(&ra), first.objective), "seed {seed}");
            checked += 1;
        }
    }
    assert!(checked > 80, "only {checked} cases had a permitted worker");
}

#[test]
fn every_listed_workers_objective_is_the_brute_force_optimum_with_the_case_forced_there() {
    let mut listed = 0;
    let mut refused = 0;
    for seed in 0..400u64 {
        let model = generate(seed, Shape::BRUTE);
        let Ok(m) = caseload::load_model_bytes("model.json", &to_bytes(&model)) else { continue };
        let tm = TModel::from_json(&model);
        for tc in 0..tm.cases.len() {
            let c = m.case_index(&tm.cases[tc].id).unwrap();
            let r = recommend(&m, c);
            assert_eq!(
                r.workers.len() + r.not_permitted.len(),
                tm.workers.len(),
                "seed {seed}: a worker is missing"
            );
            for (tw, worker) in tm.workers.iter().enumerate() {
                let mut forced = tm.clone();
                forced.cases[tc].pinned = true;
                forced.cases[tc].current = Some(tw);
                // The brute force takes a pinned case's place as given: keep only lawful answers.
                // A pinned case may only stay where it is pinned.
                let best = forced
                    .brute_force()
                    .filter(|(_, a)| forced.breach(a).is_none())
                    .filter(|_| !tm.cases[tc].pinned || tm.cases[tc].current == Some(tw));
                let listed_as = r.workers.iter().find(|x| x.worker == worker.id);
                match (best, listed_as) {
                    (Some((_, a)), Some(x)) => {
                        // Forcing the case fixes its move penalty: the best forced allocation is
                        // the best with the case there, judged by the original model.
                        let truth = tm.objective(&a);
                        assert!(
                            close(x.objective, truth),
                            "seed {seed}: {} on {}: recommend {} but the best is {truth}\n{}",
                            tm.cases[tc].id,
                            worker.id,
                            x.objective,
                            serde_json::to_string(&model).unwrap()
                        );
                        listed += 1;
                    }
                    (None, None) => refused += 1,
                    (best, _) => panic!(
                        "seed {seed}: {} on {}: the oracle finds {} lawful allocation, recommend {}\n{}",
                        tm.cases[tc].id,
                        worker.id,
                        if best.is_some() { "a" } else { "no" },
                        if listed_as.is_some() { "lists the worker" } else { "refuses the worker" },
                        serde_json::to_string(&model).unwrap()
                    ),
                }
            }
            // Best first.
            assert!(r.workers.windows(2).all(|w| w[0].objective >= w[1].objective), "seed {seed}");
        }
    }
    assert!(listed > 300 && refused > 300, "listed {listed}, refused {refused}");
}

/// Whether the rule a refusal names is true of the case and worker, by the oracle's reading of
/// SPEC section 3; and for rules 1-6 of the case itself, that it is the first rule that fails.
fn refusal_is_true(tm: &TModel, c: usize, w: usize, rule: &str) -> bool {
    let first_failing = [
        tm.rule1_active(w),
        tm.rule2_role(c, w),
        tm.rule3_team(c, w),
        tm.rule4_skills(c, w),
        tm.rule5_not_excluded(c, w),
        tm.rule6_supervised(w),
        tm.rule11_agency(c, w),
    ]
    .iter()
    .position(|ok| !ok);
    let case = &tm.cases[c];
    let siblings: Vec<usize> = match &case.group {
        Some(g) => tm.groups()[g].iter().copied().filter(|&o| o != c).collect(),
        None => Vec::new(),
    };
    match rule {
        "rule1" | "rule2" | "rule3" | "rule4" | "rule5" | "rule6" => {
            let n: usize = rule[4..].parse().unwrap();
            first_failing == Some(n - 1)
        }
        // The case itself is lawful there; the pins (with the case there) break a cap.
        "rule7" | "rule8" => {
            let mut forced = tm.clone();
            forced.cases[c].pinned = true;
            forced.cases[c].current = Some(w);
            let broken = forced.forced().and_then(|a| forced.breach(&a)).unwrap_or_default();
            first_failing.is_none()
                && siblings.iter().all(|&o| tm.permitted(o, w))
                && broken.ends_with(if rule == "rule7" { " over cap" } else { " over oversight cap" })
        }
        "rule9" => {
            let pinned_elsewhere = !case.pinned
                && siblings.iter().any(|&o| tm.cases[o].pinned && tm.cases[o].current != Some(w));
            pinned_elsewhere || first_failing.is_none() && siblings.iter().any(|&o| !tm.permitted(o, w))
        }
        "rule10" => case.pinned && case.current != Some(w),
        "rule11" => first_failing == Some(6),
        _ => false,
    }
}

#[test]
fn every_refusal_names_a_rule_that_is_true_of_that_worker() {
    let mut seen = std::collections::BTreeSet::new();
    for seed in 0..300u64 {
        let shape = if seed % 3 == 0 { Shape::MEDIUM } else { Shape::BRUTE };
        let model = generate(seed, shape);
        let Ok(m) = caseload::load_model_bytes("model.json", &to_bytes(&model)) else { continue };
        let tm = TModel::from_json(&model);
        for tc in 0..tm.cases.len() {
            let r = recommend(&m, m.case_index(&tm.cases[tc].id).unwrap());
            for n in &r.not_permitted {
                let tw = tm.worker_index(&n.worker);
                assert!(
                    refusal_is_true(&tm, tc, tw, &n.rule),
                    "seed {seed}: {} refused {} by {} ({}), which the oracle does not find true\n{}",
                    tm.cases[tc].id,
                    n.worker,
                    n.rule,
                    n.detail,
                    serde_json::to_string(&model).unwrap()
                );
                assert!(n.reason.contains(&format!("rule {}", &n.rule[4..])), "{}", n.reason);
                seen.insert(n.rule.clone());
            }
        }
    }
    for rule in ["rule1", "rule2", "rule3", "rule4", "rule5", "rule6", "rule7", "rule9", "rule10"] {
        assert!(seen.contains(rule), "no refusal by {rule} was ever tested (seen {seen:?})");
    }
}

#[test]
fn an_optimal_proposal_given_as_known_changes_no_objective() {
    for seed in 0..40u64 {
        let model = generate(seed, Shape::MEDIUM);
        let Ok(m) = caseload::load_model_bytes("model.json", &to_bytes(&model)) else { continue };
        let (_, _, bytes) = allocate(&model);
        let known =
            caseload::recommend::known_from_proposal(&m, &m, "p.json", &bytes).expect("the proposal fits");
        for c in some_cases(&m, 3) {
            let plain = recommend(&m, c);
            let options = caseload::recommend::Options { known: Some(known.clone()), ..Default::default() };
            let fast = caseload::recommend::recommend_with(&m, c, &options).unwrap();
            let objectives = |r: &caseload::recommend::Recommendation| {
                let mut v: Vec<(String, f64)> =
                    r.workers.iter().map(|x| (x.worker.clone(), x.objective)).collect();
                v.sort_by(|a, b| a.0.cmp(&b.0));
                v
            };
            let (a, b) = (objectives(&plain), objectives(&fast));
            assert_eq!(a.len(), b.len(), "seed {seed}");
            for (x, y) in a.iter().zip(&b) {
                assert!(x.0 == y.0 && close(x.1, y.1), "seed {seed}: {x:?} vs {y:?}");
            }
            assert_eq!(plain.not_permitted, fast.not_permitted);
        }
    }
}

// --- The command ---------------------------------------------------------------------------

fn models_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models")
}

#[test]
fn a_referral_from_flags_is_ranked_as_if_it_were_in_the_model_file() {
    let dir = tempfile::tempdir().unwrap();
    let small = models_dir().join("small_team.json");
    let o = run(
        &[&"recommend", &small, &"--type", &"looked_after", &"--team", &"North", &"--json", &"-", &"-q"],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let flags: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(flags["case"], "NEW");
    assert_eq!(flags["referral"], true);
    // The same referral written into the model file by hand.
    let mut model: Value = serde_json::from_slice(&std::fs::read(&small).unwrap()).unwrap();
    model["cases"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "NEW", "type": "looked_after", "team": "North"}));
    let with = write_file(dir.path(), "with.json", &to_bytes(&model));
    let o = run(&[&"recommend", &with, &"--case", &"NEW", &"--json", &"-", &"-q"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let by_hand: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(flags["workers"], by_hand["workers"]);
    assert_eq!(flags["not_permitted"], by_hand["not_permitted"]);
    assert!(!flags["workers"].as_array().unwrap().is_empty());
    for w in flags["workers"].as_array().unwrap() {
        for key in ["worker", "objective", "load_after", "percent_after"] {
            assert!(w.get(key).is_some(), "no {key} in {w}");
        }
    }
    // A referral file, and the file without an id, give the same.
    let file = write_file(dir.path(), "r.json", br#"{"type": "looked_after", "team": "North"}"#);
    let o = run(&[&"recommend", &small, &"--referral", &file, &"--json", &"-", &"-q"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let from_file: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(from_file["workers"], flags["workers"]);
}

#[test]
fn a_bad_referral_is_refused_with_its_file_or_flag_and_the_place() {
    let dir = tempfile::tempdir().unwrap();
    let small = models_dir().join("small_team.json");
    let model: Value = serde_json::from_slice(&std::fs::read(&small).unwrap()).unwrap();
    let taken = model["cases"][0]["id"].as_str().unwrap().to_string();
    let cases: [(&[&str], &str); 6] = [
        (&["--type", "looked_after", "--team", "North", "--exclude", "NOBODY"], "--exclude"),
        (&["--type", "looked_after", "--team", "North", "--needs", "urdu,"], "--needs: empty item"),
        (
            &["--type", "looked_after", "--team", "North", "--previous-workers", ",W01"],
            "--previous-workers: empty item",
        ),
        (&["--type", "looked_after", "--team", "North", "--weight", "-1"], "--weight"),
        (&["--type", "looked_after", "--team", "North", "--id", &taken], "--id"),
        (&["--case", "NO-SUCH-CASE"], "--case"),
    ];
    for (args, place) in cases {
        let mut all: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"recommend", &small];
        all.extend(args.iter().map(|a| a as &dyn AsRef<std::ffi::OsStr>));
        let o = run(&all, &[]);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        assert!(text(&o).contains(place), "{args:?}: {}", text(&o));
        assert!(o.stdout.is_empty(), "{args:?}");
    }
    let bad =
        write_file(dir.path(), "bad.json", br#"{"type": "looked_after", "team": "North", "needz": ["bsl"]}"#);
    let o = run(&[&"recommend", &small, &"--referral", &bad], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("bad.json") && text(&o).contains("needz"), "{}", text(&o));
    let broken = write_file(dir.path(), "broken.json", b"{\"type\": \n");
    let o = run(&[&"recommend", &small, &"--referral", &broken], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("broken.json") && text(&o).contains("line 2"), "{}", text(&o));
    let json_out = dir.path().join("out.json");
    let o = run(
        &[
            &"recommend",
            &small,
            &"--type",
            &"looked_after",
            &"--team",
            &"North",
            &"--exclude",
            &"X",
            &"--json",
            &json_out,
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(!json_out.exists(), "nothing is written on invalid input");
}

#[test]
fn a_proposal_for_another_model_is_refused_as_known() {
    let dir = tempfile::tempdir().unwrap();
    let small = models_dir().join("small_team.json");
    let other = models_dir().join("report_demo.json");
    let p = dir.path().join("p.json");
    let o = run(&[&"allocate", &other, &"-o", &p, &"-q"], &[]);
    assert!(o.status.success() || o.status.code() == Some(3), "{}", text(&o));
    let model: Value = serde_json::from_slice(&std::fs::read(&small).unwrap()).unwrap();
    let id = model["cases"][0]["id"].as_str().unwrap();
    let o = run(&[&"recommend", &small, &"--case", &id, &"--proposal", &p], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("p.json"), "{}", text(&o));
}

/// The guide's `recommend` and `compare` sections (`docs/guide.md`) show commands
/// (`$ caseload ...`) followed by what they print; run in a directory that holds `models/`, each
/// prints exactly that.
#[test]
fn the_guide_examples_of_recommend_and_compare_print_what_the_guide_shows() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let guide = std::fs::read_to_string(root.join("docs/guide.md")).unwrap();
    // The two sections, each up to the next section of its level.
    let section = |heading: &str| {
        let start = guide.find(heading).unwrap_or_else(|| panic!("the guide has no `{heading}`"));
        let end = guide[start + 3..].find("\n## ").map_or(guide.len(), |i| start + 3 + i);
        &guide[start..end]
    };
    let shown = format!(
        "{}\n{}",
        section("## Who should take this child"),
        section("## Two allocations side by side")
    );
    let dir = tempfile::tempdir().unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(root.join("models"), dir.path().join("models")).unwrap();
    let mut ran = 0;
    let mut lines = shown.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(cmd) = line.strip_prefix("$ caseload ") else { continue };
        let mut shown = String::new();
        while let Some(l) = lines.peek() {
            if l.starts_with("$ ") || l.starts_with("```") {
                break;
            }
            shown += &format!("{l}\n");
            lines.next();
        }
        let o = std::process::Command::new(bin())
            .args(cmd.split_whitespace())
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(matches!(o.status.code(), Some(0 | 1)), "`{cmd}`: {}", text(&o));
        assert_eq!(
            String::from_utf8_lossy(&o.stdout),
            shown,
            "`{cmd}` prints something else than the guide shows"
        );
        ran += 1;
    }
    assert!(ran >= 4, "found only {ran} examples");
}

#[test]
fn a_worker_who_held_the_case_before_is_marked_as_one_it_returns_to() {
    let model = json!({"version": 1,
        "workers": [{"id": "A", "role": "social_worker", "team": "N"},
                    {"id": "B", "role": "social_worker", "team": "N"}],
        "cases": [{"id": "C", "type": "looked_after", "team": "N", "previous_workers": ["B"]}]});
    let m = caseload::load_model_bytes("m.json", &to_bytes(&model)).unwrap();
    let r = recommend(&m, 0);
    let returns: Vec<(&str, bool)> = r.workers.iter().map(|x| (x.worker.as_str(), x.returns)).collect();
    assert!(returns.contains(&("A", false)) && returns.contains(&("B", true)), "{returns:?}");
    // A referral given by flags says so too.
    let dir = tempfile::tempdir().unwrap();
    let mut two = model.clone();
    two["cases"] = json!([]);
    let path = write_file(dir.path(), "m.json", &to_bytes(&two));
    let o = run(
        &[
            &"recommend",
            &path,
            &"--type",
            &"looked_after",
            &"--team",
            &"N",
            &"--previous-workers",
            &"A",
            &"--json",
            &"-",
            &"--allow-empty",
            &"-q",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let a = v["workers"].as_array().unwrap().iter().find(|w| w["worker"] == "A").unwrap();
    assert_eq!(a["returns"], true);
}

/// A team of a full worker (H: 4.5 pinned and 0.5 free of a target of 5), a light one (L) and
/// a part-time one (M, target 3): the case is H's today, so without the fairness term keeping it there ranks first (it saves the
/// move penalty); with it, the light worker ranks first (H's load is far from target, and the
/// term costs H more for the case than it costs L). Free cases in both teams may move too.
/// Every listed objective is `allocate`'s on the model with the case pinned to that worker by
/// hand, judged by the original model.
#[test]
fn the_fairness_term_changes_the_ranking_as_solving_with_the_case_pinned_confirms() {
    let model = |fairness: f64| {
        let pinned = |id: &str, w: &str| {
            json!({"id": id, "type": "child_in_need", "team": "N", "weight": 1.5,
            "current_worker": w, "pinned": true})
        };
        let free = |id: &str, w: &str| {
            json!({"id": id, "type": "child_in_need", "team": "N", "weight": 0.5,
            "current_worker": w})
        };
        json!({"version": 1,
            "policy": {"caps": {"social_worker": 9}, "targets": {"social_worker": 5}, "move_penalty": 10,
                       "overload_penalty": 4, "fairness_penalty": fairness},
            "workers": [{"id": "H", "role": "social_worker", "team": "N"},
                        {"id": "L", "role": "social_worker", "team": "N"},
                        {"id": "M", "role": "social_worker", "team": "N", "fte": 0.6}],
            "cases": [pinned("P1", "H"), pinned("P2", "H"), pinned("P3", "H"), pinned("P4", "M"),
                      free("F1", "H"), free("F2", "L"), free("F3", "M"),
                      {"id": "C", "type": "looked_after", "team": "N", "weight": 1.2, "current_worker": "H"}]})
    };
    let mut rankings = Vec::new();
    for fairness in [0.0, 12.0] {
        let model = model(fairness);
        let m = caseload::load_model_bytes("model.json", &to_bytes(&model)).unwrap();
        let tm = TModel::from_json(&model);
        let c = m.case_index("C").unwrap();
        let r = recommend(&m, c);
        assert!(r.optimal, "fairness {fairness}: not proven optimal");
        assert_eq!(r.workers.len(), 3, "fairness {fairness}");
        for cand in &r.workers {
            let (pm, p, bytes) = allocate(&pinned_by_hand(&model, "C", &cand.worker));
            assert!(breaches(&pm, &bytes).is_empty(), "fairness {fairness}: {} breaks a rule", cand.worker);
            let a = assignment_of(&tm, &p);
            assert!(
                close(tm.objective(&a), cand.objective),
                "fairness {fairness}, C on {}: recommend says {}, allocate with the pin scores {}",
                cand.worker,
                cand.objective,
                tm.objective(&a)
            );
        }
        // The ranking is the order of the objectives of the model solved again with the case
        // pinned to each worker (judged by the original model), best first.
        let mut resolved: Vec<(f64, String)> = r
            .workers
            .iter()
            .map(|cand| {
                let w = m.worker_index(&cand.worker).unwrap();
                let s =
                    caseload::solve_model(&caseload::recommend::placed(&m, c, w), Limits::default()).unwrap();
                assert!(s.facts.optimal, "fairness {fairness}: the pinned solve is not proven");
                (
                    caseload::objective::value(&caseload::objective::terms(&m, &s.assignment)),
                    cand.worker.clone(),
                )
            })
            .collect();
        resolved.sort_by(|a, b| b.0.total_cmp(&a.0));
        assert!(
            resolved.windows(2).all(|p| p[0].0 > p[1].0 + 1e-6),
            "fairness {fairness}: the re-solves tie, so their order says nothing: {resolved:?}"
        );
        let by_resolve: Vec<&str> = resolved.iter().map(|x| x.1.as_str()).collect();
        let ranked: Vec<&str> = r.workers.iter().map(|w| w.worker.as_str()).collect();
        assert_eq!(ranked, by_resolve, "fairness {fairness}: the ranking is not the re-solves' order");
        rankings.push(ranked.iter().map(|x| x.to_string()).collect::<Vec<_>>());
    }
    assert_ne!(rankings[0], rankings[1], "the fairness term should change the ranking");
    assert_eq!(
        [&rankings[0][0], &rankings[1][0]],
        ["H", "L"],
        "the fairness term should move the first choice from H to L"
    );
}

/// The objectives of every permitted worker, from `recommend`, and from solving the model again
/// with the case pinned to that worker (judged by the original model, whose move penalty counts).
fn scores_and_resolves(m: &caseload::model::Model, c: usize) -> Vec<(String, f64, f64)> {
    let r = recommend(m, c);
    r.workers
        .iter()
        .map(|cand| {
            let w = m.worker_index(&cand.worker).unwrap();
            let s = caseload::solve_model(&caseload::recommend::placed(m, c, w), Limits::default()).unwrap();
            let v = caseload::objective::value(&caseload::objective::terms(m, &s.assignment));
            (cand.worker.clone(), cand.objective, v)
        })
        .collect()
}

proptest::proptest! {
    #![proptest_config(common::proptest_config(128))]

    /// On random small models (some with a fairness term), every score `recommend` gives is the
    /// objective of the model solved again with the case pinned there, and the ranking is in the
    /// order of those objectives.
    #[test]
    fn recommends_scores_are_the_objectives_of_pinned_re_solves(seed in proptest::prelude::any::<u64>()) {
        let shape = if seed % 2 == 0 { Shape::BRUTE_LARGE } else { Shape::BRUTE_ODD };
        let model = generate(seed, shape);
        let Ok(m) = caseload::load_model_bytes("model.json", &to_bytes(&model)) else { return Ok(()) };
        for c in some_cases(&m, 3) {
            let rows = scores_and_resolves(&m, c);
            for (w, score, resolve) in &rows {
                proptest::prop_assert!(
                    close(*score, *resolve),
                    "seed {seed}, case {} on {w}: recommend {score}, the pinned re-solve {resolve}",
                    m.cases[c].id
                );
            }
            proptest::prop_assert!(
                rows.windows(2).all(|p| p[0].2 >= p[1].2 - 1e-6),
                "seed {seed}: the ranking is not in the order of the re-solves: {rows:?}"
            );
        }
    }
}

/// The first line is derived from the rows: the first row's worker, every worker tied with it
/// (and nothing else) as a tie, and each child the first choice displaces. Every displaced child
/// is one whose worker in the first choice's allocation differs from `allocate`'s optimum (the
/// same solve), and every such child is listed.
#[test]
fn the_first_line_says_what_the_table_says_and_names_every_displaced_child() {
    let (mut ties, mut displacing) = (0, 0);
    for seed in 0..120u64 {
        let model = generate(seed, Shape::MEDIUM);
        let Ok(m) = caseload::load_model_bytes("model.json", &to_bytes(&model)) else { continue };
        let base = caseload::solve_model(&m, Limits::default()).unwrap().assignment;
        for c in some_cases(&m, 4) {
            let r = recommend(&m, c);
            let Some(first) = r.workers.first() else {
                assert!(r.headline.starts_with("no worker may take"), "seed {seed}: {}", r.headline);
                continue;
            };
            let (head, tail) = r.headline.split_once("; ").map_or((r.headline.as_str(), ""), |(h, t)| (h, t));
            let tied: Vec<&str> = r
                .workers
                .iter()
                .filter(|x| x.objective == first.objective)
                .map(|x| x.worker.as_str())
                .collect();
            if tied.len() > 1 {
                ties += 1;
                assert!(head.contains("score the same"), "seed {seed}: {}", r.headline);
                assert!(
                    tail.starts_with(&format!("{} first by", first.worker)),
                    "seed {seed}: {}",
                    r.headline
                );
                for x in &r.workers {
                    let named = head.split([' ', ',']).any(|t| t == x.worker);
                    assert_eq!(
                        named,
                        tied.contains(&x.worker.as_str()),
                        "seed {seed}, {}: {}",
                        x.worker,
                        r.headline
                    );
                }
            } else {
                assert!(
                    head.contains(&format!("first choice {} (", first.worker)),
                    "seed {seed}: {}",
                    r.headline
                );
            }
            let siblings: Vec<usize> = m.cases[c].group.map_or(vec![c], |g| m.groups[g].members.clone());
            let a = &first.assignment;
            let mut expected: Vec<String> = (0..m.cases.len())
                .filter(|x| !siblings.contains(x) && base[*x].is_some() && a[*x] != base[*x])
                .map(|x| m.cases[x].id.clone())
                .collect();
            expected.sort();
            let listed: Vec<String> = first.displaced.iter().map(|d| d.case.clone()).collect();
            assert_eq!(listed, expected, "seed {seed}: displaced");
            for d in first.displaced.iter().take(3) {
                let x = m.case_index(&d.case).unwrap();
                assert_eq!(Some(d.from.as_str()), base[x].map(|w| m.workers[w].id.as_str()), "seed {seed}");
                assert_eq!(d.to.as_deref(), a[x].map(|w| m.workers[w].id.as_str()), "seed {seed}");
                let said = match &d.to {
                    Some(to) => format!("{} would move from {} to {to}", d.case, d.from),
                    None => format!("{} would then have no worker", d.case),
                };
                assert!(r.headline.contains(&said), "seed {seed}: {said} missing from {}", r.headline);
            }
            displacing += usize::from(!first.displaced.is_empty());
        }
    }
    assert!(ties > 10 && displacing > 3, "ties {ties}, displacing {displacing}");
}

/// One worker with room for one of two equal children: whichever `allocate` leaves out, asking
/// for that one names the other as the child it would displace, in the first line.
#[test]
fn the_child_a_choice_would_leave_without_a_worker_is_named_first() {
    let model = json!({"version": 1,
        "workers": [{"id": "A", "role": "social_worker", "team": "N", "cap": 1}],
        "cases": [{"id": "K", "type": "child_in_need", "team": "N"},
                  {"id": "C", "type": "child_in_need", "team": "N"}]});
    let m = caseload::load_model_bytes("m.json", &to_bytes(&model)).unwrap();
    let left_out: Vec<usize> = (0..2).filter(|&c| recommend(&m, c).allocate.worker.is_none()).collect();
    assert_eq!(left_out.len(), 1, "allocate should leave exactly one of the two out");
    let (c, other) = (left_out[0], 1 - left_out[0]);
    let r = recommend(&m, c);
    assert_eq!(
        r.headline,
        format!(
            "case {}: first choice A (objective {}); {} would then have no worker",
            r.case,
            caseload::report::num(r.workers[0].objective),
            m.cases[other].id
        )
    );
}

/// The table's first line and the "allocate" line agree with the rows on a tie: every tied
/// worker is named, the first row first, and allocate's own tied choice says where it ranks.
#[test]
fn the_first_line_and_allocates_line_agree_with_the_table_on_a_tie() {
    let small = models_dir().join("small_team.json");
    let o =
        run(&[&"recommend", &small, &"--type", &"CP", &"--team", &"North", &"--date", &"2026-11-15"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    let lines: Vec<&str> = out.lines().collect();
    let rank1 = lines.iter().find(|l| l.trim_start().starts_with("1 ")).unwrap();
    let first = rank1.split_whitespace().nth(1).unwrap();
    assert!(lines[0].contains("score the same"), "{out}");
    assert!(lines[0].contains(&format!("; {first} first by id")), "{out}");
    let allocate = lines.iter().find(|l| l.starts_with("allocate, left free")).unwrap();
    if !allocate.contains(&format!("gives it to {first} ")) {
        assert!(allocate.contains(&format!("ties with the first choice, {first},")), "{out}");
    }
}

/// A flag that names something of the model is checked as the model is: a near-miss is exit 2
/// naming the suggestion (every tie), nothing written; `--allow-near-misses` lets it through;
/// unknown ids name the nearest.
#[test]
fn recommends_flags_get_the_near_miss_checks_of_a_model() {
    let dir = tempfile::tempdir().unwrap();
    let model = json!({"version": 1,
        "workers": [{"id": "W01", "role": "social_worker", "team": "T01", "skills": ["urdu"]},
                    {"id": "W02", "role": "social_worker", "team": "T02"}],
        "cases": [{"id": "C09", "type": "child_in_need", "team": "T01", "group": "smith"},
                  {"id": "C10", "type": "child_in_need", "team": "T01", "group": "smith"}]});
    let path = write_file(dir.path(), "m.json", &to_bytes(&model));
    let out = dir.path().join("r.json");
    let refused = |extra: &[&str], words: &[&str]| {
        let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"recommend", &path, &"--json", &out];
        args.extend(extra.iter().map(|x| x as &dyn AsRef<std::ffi::OsStr>));
        let o = run(&args, &[]);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", text(&o));
        for w in words {
            assert!(text(&o).contains(w), "{extra:?}: {w} missing from {}", text(&o));
        }
        assert!(!out.exists(), "{extra:?}: the JSON was written");
    };
    refused(&["--type", "CIN", "--team", "T0"], &["--team", r#"did you mean "T01" or "T02"?"#]);
    refused(&["--type", "CIN", "--team", "T0l"], &["--team", r#"did you mean "T01"?"#]);
    refused(&["--type", "CIN", "--team", "T01", "--needs", "urdo"], &["--needs", r#""urdu""#]);
    refused(&["--type", "CIN", "--team", "T01", "--group", "smlth"], &["--group", r#""smith""#]);
    refused(&["--type", "CIN", "--team", "T01", "--exclude", "W1"], &["--exclude", r#""W01""#]);
    refused(
        &["--type", "CIN", "--team", "T01", "--current-worker", "WO2"],
        &["--current-worker", r#""W02""#],
    );
    refused(
        &["--type", "CIN", "--team", "T01", "--previous-workers", "W0l"],
        &["--previous-workers", r#""W01""#],
    );
    refused(&["--case", "C9"], &["--case", r#""C09""#]);
    refused(&["--type", "lookd_after", "--team", "T01"], &["--type", "looked_after"]);
    // Everyday words for the type, and a near-miss let through knowingly.
    let o = run(
        &[
            &"recommend",
            &path,
            &"--type",
            &"CP",
            &"--team",
            &"T0l",
            &"--allow-near-misses",
            &"--json",
            &out,
            &"-q",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(v["type"], "child_protection");
    assert_eq!(v["workers"].as_array().unwrap().len(), 0, "{v}");
}

/// `recommend --type` reads a word the way the model's sheets do: a workbook's aliases sheet
/// adds the council's own words, resolved once the model is read; a word that means nothing is
/// exit 2 with the nearest words.
#[test]
fn recommend_type_reads_the_workbooks_aliases_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheets: [(&str, &[&[&str]]); 3] = [
        ("workers", &[&["id", "role", "team"], &["W1", "social worker", "North"], &["W2", "SW", "North"]]),
        ("cases", &[&["id", "type", "team"], &["C1", "CIN", "North"], &["C2", "S47 Plan", "North"]]),
        (
            "aliases",
            &[&["word", "means"], &["S47 Plan", "child_protection"], &["Child Protection Plan", "CP"]],
        ),
    ];
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(name).unwrap();
        for (i, r) in rows.iter().enumerate() {
            for (j, v) in r.iter().enumerate() {
                ws.write_string(i as u32, j as u16, *v).unwrap();
            }
        }
    }
    let book = write_file(dir.path(), "team.xlsx", &wb.save_to_buffer().unwrap());
    let ranked = |t: &str| {
        let o = run(
            &[&"recommend", &"--workbook", &book, &"--type", &t, &"--team", &"North", &"--json", &"-", &"-q"],
            &[],
        );
        (o.status.code(), o.stdout.clone(), text(&o))
    };
    let (code, canonical, e) = ranked("child_protection");
    assert_eq!(code, Some(0), "{e}");
    let v: Value = serde_json::from_slice(&canonical).unwrap();
    assert_eq!(v["type"], "child_protection");
    assert!(!v["workers"].as_array().unwrap().is_empty(), "{v}");
    for word in ["child protection plan", "S47 plan", "s47-PLAN"] {
        let (code, out, e) = ranked(word);
        assert_eq!(code, Some(0), "{word}: {e}");
        assert_eq!(out, canonical, "{word}");
    }
    // A word the workbook does not know: exit 2, placed at the flag, with the nearest word.
    let (code, out, e) = ranked("S47 Plam");
    assert_eq!(code, Some(2), "{e}");
    assert!(out.is_empty());
    assert!(e.contains("--type") && e.contains("did you mean \"S47 Plan\"?"), "{e}");
    // The council's word is the workbook's own: a model file without it refuses it.
    let m = json!({"version": 1,
        "workers": [{"id": "W1", "role": "social_worker", "team": "North"}],
        "cases": [{"id": "C1", "type": "child_in_need", "team": "North"}]});
    let path = write_file(dir.path(), "m.json", &to_bytes(&m));
    let o = run(&[&"recommend", &path, &"--type", &"S47 Plan", &"--team", &"North"], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("unknown case type \"S47 Plan\""), "{}", text(&o));
}

/// A near-miss of a model file's case is placed at its entry (`m.json: cases[1].team`) by
/// recommend and whatif, as by allocate.
#[test]
fn recommend_and_whatif_place_a_near_miss_at_the_model_files_entry() {
    let dir = tempfile::tempdir().unwrap();
    let m = json!({"version": 1,
        "workers": [{"id": "W1", "role": "social_worker", "team": "T01"}],
        "cases": [{"id": "C1", "type": "child_in_need", "team": "T01"},
                  {"id": "C2", "type": "child_protection", "team": "T0l"}]});
    let path = write_file(dir.path(), "m.json", &to_bytes(&m));
    let out = dir.path().join("p.json");
    let runs: [&[&dyn AsRef<std::ffi::OsStr>]; 3] = [
        &[&"allocate", &path, &"-o", &out, &"-q"],
        &[&"recommend", &path, &"--case", &"C1", &"-q"],
        &[&"whatif", &path, &"--cap", &"social_worker=5"],
    ];
    for args in runs {
        let o = run(args, &[]);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        let e = text(&o);
        assert!(e.contains("m.json: cases[1].team: the team \"T0l\""), "{e}");
        assert!(e.contains("did you mean \"T01\"?"), "{e}");
    }
}

/// A council's words may live in the policy (`policy.aliases`) too: a model file with them
/// lets `recommend --type` read them; a word that means nothing is an input error at its
/// place; and `convert` carries them to a workbook (its aliases sheet) and to CSV (the policy
/// file) and back without loss.
#[test]
fn policy_aliases_are_read_by_recommend_and_kept_by_convert() {
    let dir = tempfile::tempdir().unwrap();
    let model = |aliases: Value| {
        json!({"version": 1, "policy": {"aliases": aliases},
            "workers": [{"id": "W1", "role": "social_worker", "team": "North"}],
            "cases": [{"id": "C1", "type": "child_in_need", "team": "North"}]})
    };
    let m = model(json!({"S47 Plan": "child_protection", "Duty SW": "social worker"}));
    let path = write_file(dir.path(), "m.json", &to_bytes(&m));
    let ranked = |t: &str| {
        let o = run(&[&"recommend", &path, &"--type", &t, &"--team", &"North", &"--json", &"-", &"-q"], &[]);
        (o.status.code(), o.stdout.clone(), text(&o))
    };
    let (code, canonical, e) = ranked("child_protection");
    assert_eq!(code, Some(0), "{e}");
    let (code, out, e) = ranked("s47 plan");
    assert_eq!(code, Some(0), "{e}");
    assert_eq!(out, canonical);

    // A word that means nothing caseload knows: exit 2, placed in the policy.
    let bad = write_file(dir.path(), "bad.json", &to_bytes(&model(json!({"S47 Plan": "protection plan"}))));
    let o = run(&[&"allocate", &bad, &"-o", &dir.path().join("p.json")], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("policy.aliases.\"S47 Plan\""), "{}", text(&o));
    assert!(!dir.path().join("p.json").exists());

    // Round trips: JSON -> workbook -> JSON and JSON -> CSV -> JSON keep the words.
    let xlsx = dir.path().join("m.xlsx");
    let o = run(&[&"convert", &path, &"--xlsx", &xlsx], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let back = dir.path().join("back.json");
    let o = run(&[&"convert", &"--workbook", &xlsx, &"-o", &back], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v: Value = serde_json::from_slice(&std::fs::read(&back).unwrap()).unwrap();
    assert_eq!(v["policy"]["aliases"], m["policy"]["aliases"], "{v}");
    let csv = dir.path().join("csv");
    let o = run(&[&"convert", &path, &"--csv-dir", &csv], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // The spreadsheets and policy.json in `csv`, read back as a model file.
    let from_csv = |back: &std::path::Path| {
        let (w, c, p) = (csv.join("workers.csv"), csv.join("cases.csv"), csv.join("policy.json"));
        let o = run(&[&"convert", &"--workers", &w, &"--cases", &c, &"--policy", &p, &"-o", &back], &[]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        serde_json::from_slice::<Value>(&std::fs::read(back).unwrap()).unwrap()
    };
    let v = from_csv(&dir.path().join("back2.json"));
    assert_eq!(v["policy"]["aliases"], m["policy"]["aliases"], "{v}");

    // Spreadsheets written in the council's words read through the policy's aliases.
    std::fs::write(csv.join("cases.csv"), "id,type,team\nC1,S47 Plan,North\n").unwrap();
    let v = from_csv(&dir.path().join("back3.json"));
    assert_eq!(v["cases"][0]["type"], "child_protection", "{v}");
}
