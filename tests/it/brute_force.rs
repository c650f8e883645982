//! Optimality, proven by exhaustion: on hundreds of small random models, caseload's proposal
//! has the objective of the best lawful allocation found by trying every allocation, judged by
//! the test's own reading of SPEC sections 3 and 4 (tests/common).

use crate::common;

use common::*;

/// Models per run: fewer in debug builds so the suite stays quick. Set
/// `CASELOAD_BRUTE_MODELS` for a longer hunt.
fn models() -> u64 {
    std::env::var("CASELOAD_BRUTE_MODELS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if cfg!(debug_assertions) { 3000 } else { 20000 })
}

struct Outcome {
    refused: bool,
    unallocated: usize,
    /// Proven optimal (always, unless the check allows otherwise).
    proven: bool,
}

/// Checks one generated model; panics with the seed and the model on any failure.
fn check_seed(seed: u64, shape: Shape) -> Outcome {
    check_model(seed, generate(seed, shape))
}

/// The same, on a model with dated reductions and previous workers, read for [`GEN_DATE`].
fn check_dated_seed(seed: u64, shape: Shape) -> Outcome {
    check_model(seed, generate_dated(seed, shape))
}

/// The same, on a model with weights of many decimals, FTE-scaled caps and cross-team
/// allocation ([`generate_decimal`]).
fn check_decimal_seed(seed: u64, shape: Shape) -> Outcome {
    check_model(seed, generate_decimal(seed, shape))
}

/// The same, on a model whose objective nets out to almost nothing ([`generate_cancelling`]).
fn check_cancelling_seed(seed: u64, shape: Shape) -> Outcome {
    check_model_with(seed, generate_cancelling(seed, shape), false)
}

fn check_model(seed: u64, model: serde_json::Value) -> Outcome {
    check_model_with(seed, model, true)
}

/// Checks one model; with `must_prove`, a proposal not proven optimal fails, and without it, a
/// proposal not proven optimal must still state a bound no allocation beats.
fn check_model_with(seed: u64, model: serde_json::Value, must_prove: bool) -> Outcome {
    let tm = TModel::from_json_at(&model, Some(GEN_DATE));
    let bytes = to_bytes(&model);
    let loaded = load_dated(&bytes);
    let dump = || serde_json::to_string(&model).unwrap();
    if let Some(why) = &tm.invalid {
        // Reductions in force above a cap: validation must refuse the model.
        let e = loaded
            .err()
            .unwrap_or_else(|| panic!("seed {seed}: {why}, but the model was accepted\n{}", dump()));
        assert!(e.is_invalid_input(), "seed {seed}: {e}");
        assert!(e.to_string().contains(".reductions["), "seed {seed}: the error names no reduction: {e}");
        return Outcome { refused: true, unallocated: 0, proven: false };
    }
    let best = tm.brute_force();
    let Some((best_value, best_assignment)) = best else {
        // No lawful allocation: the pins themselves break a rule, and validation must say so.
        let e = loaded.err().unwrap_or_else(|| {
            panic!("seed {seed}: pins admit no lawful allocation, but the model was accepted\n{}", dump())
        });
        assert!(e.is_invalid_input(), "seed {seed}: {e}");
        return Outcome { refused: true, unallocated: 0, proven: false };
    };
    assert!(tm.breach(&best_assignment).is_none());
    let m = loaded.unwrap_or_else(|e| panic!("seed {seed}: a lawful model was refused: {e}\n{}", dump()));
    let p = caseload::allocate(&m, caseload::solve::Limits::default())
        .unwrap_or_else(|e| panic!("seed {seed}: allocate failed: {e}\n{}", dump()));
    let out = caseload::write::to_json(&p);
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();

    let proven = v["optimal"] == true;
    if must_prove {
        assert!(proven, "seed {seed}: not proven optimal\n{}", dump());
    } else if !proven {
        let bound = v["bound"].as_f64().unwrap_or(f64::NEG_INFINITY);
        assert!(
            bound >= best_value || close(bound, best_value),
            "seed {seed}: bound {bound} below {best_value}\n{}",
            dump()
        );
    }
    let a = assignment_of(&tm, &v);
    if let Some(b) = tm.breach(&a) {
        panic!("seed {seed}: the proposal is unlawful: {b}\n{}", dump());
    }
    let recomputed = tm.objective(&a);
    let stated = v["objective"].as_f64().unwrap();
    assert!(
        close(recomputed, stated),
        "seed {seed}: the proposal states objective {stated} but its allocations score {recomputed}\n{}",
        dump()
    );
    assert!(
        close(stated, best_value),
        "seed {seed}: objective {stated}, but the best lawful allocation scores {best_value}: {:?}\nproposal: {:?}\n{}",
        best_assignment,
        a,
        dump()
    );
    let found = breaches(&m, &out);
    assert!(found.is_empty(), "seed {seed}: check finds breaches {found:?}\n{}", dump());
    if let Some(wrong) = tm.wrong_return(&v) {
        panic!("seed {seed}: {wrong}\n{}", dump());
    }
    // The day the model was read for is recorded: every proposal says the day it is for.
    assert_eq!(v["summary"].get("date").and_then(|d| d.as_str()), Some(GEN_DATE), "seed {seed}");
    for wl in v["workers"].as_array().unwrap() {
        let w = &tm.workers[tm.worker_index(wl["worker"].as_str().unwrap())];
        assert!(
            close(wl["cap"].as_f64().unwrap(), w.cap),
            "seed {seed}: {} cap {} vs {}",
            w.id,
            wl["cap"],
            w.cap
        );
        assert!(close(wl["target"].as_f64().unwrap(), w.target), "seed {seed}: {} target", w.id);
        let stated = wl.get("reduction").and_then(|r| r.as_f64()).unwrap_or(0.0);
        assert!(
            close(stated, w.reduction) && (wl.get("reduction").is_some() == (w.reduction > 0.0)),
            "seed {seed}: {} reduction",
            w.id
        );
    }
    Outcome { refused: false, unallocated: v["unallocated"].as_array().unwrap().len(), proven }
}

fn panic_text(e: Box<dyn std::any::Any + Send>) -> String {
    e.downcast_ref::<String>()
        .cloned()
        .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

#[test]
fn proposals_score_exactly_the_best_lawful_allocation_found_by_exhaustion() {
    exhaust(Shape::BRUTE, models());
}

#[test]
fn proposals_score_exactly_the_best_lawful_allocation_with_awkward_fractions() {
    exhaust(Shape::BRUTE_ODD, models() / 2);
}

#[test]
fn proposals_score_exactly_the_best_lawful_allocation_on_larger_models() {
    // 9 to 11 cases: fewer models, each a larger search on both sides.
    exhaust(Shape::BRUTE_LARGE, models() / 5);
}

#[test]
fn proposals_score_exactly_the_best_lawful_allocation_with_dated_reductions_and_previous_workers() {
    exhaust_with(Shape::BRUTE, models() / 2, check_dated_seed);
}

#[test]
fn dated_reductions_with_awkward_fractions_also_reach_the_best_lawful_allocation() {
    exhaust_with(Shape::BRUTE_ODD, models() / 4, check_dated_seed);
}

#[test]
fn decimal_weights_fte_scaled_caps_and_cross_team_work_also_reach_the_best_lawful_allocation() {
    exhaust_with(Shape::BRUTE, models() / 2, check_decimal_seed);
}

#[test]
fn larger_models_with_decimal_weights_also_reach_the_best_lawful_allocation() {
    exhaust_with(Shape::BRUTE_LARGE, models() / 10, check_decimal_seed);
}

/// The tolerance of SPEC section 4 is relative to the whole objective: where the priorities
/// of the allocated cases and the move penalties of children whose worker is absent cancel,
/// a part proven within a tolerance relative to its own value (hundreds) may still be short
/// of the optimum (a fairness term of hundredths) by far more than that.
#[test]
fn an_objective_that_nets_out_to_almost_nothing_is_still_the_best_lawful_allocation() {
    let models = models() / 10;
    let (mut failures, mut unproven) = (Vec::new(), 0);
    for seed in 0..models {
        match std::panic::catch_unwind(|| check_cancelling_seed(seed, Shape::BRUTE_LARGE)) {
            Ok(o) => unproven += (!o.proven && !o.refused) as u64,
            Err(e) => failures.push((seed, panic_text(e))),
        }
    }
    // And each is proven: a node whose whole master fell a fairness term of a ten-thousandth
    // short of its bound (prices in the thousands, from oversight rows) once left seed 700
    // unproven.
    assert!(unproven == 0, "{unproven} of {models} models unproven");
    assert!(
        failures.is_empty(),
        "{} of {models} models fail (seeds {:?}); the first:\n{}",
        failures.len(),
        failures.iter().map(|f| f.0).collect::<Vec<_>>(),
        failures.first().map(|f| f.1.as_str()).unwrap_or_default()
    );
}

/// The model a helper's oracle campaign found the fault on: 14 children whose worker is absent,
/// priority and move penalty both 40, so the objective is only the fairness term (about
/// -0.06). The proposal was "proven" at -0.0596944 while the allocation below, found by HiGHS
/// on the campaign's own programme, is lawful and scores -0.0596667: short by 465 times 1e-6 of
/// the objective. The proposal must now score at least that allocation, within SPEC section 4's
/// tolerance of its own objective.
#[test]
fn a_team_whose_objective_is_a_fairness_term_is_proven_within_that_objective() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fairness_nets_out_14_cases.json");
    let model: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let tm = TModel::from_json(&model);
    let known = [
        ("C027", "W5"),
        ("C028", "W1"),
        ("C029", "W1"),
        ("C030", "W2"),
        ("C031", "W2"),
        ("C032", "W3"),
        ("C097", "W6"),
        ("C098", "W8"),
        ("C105", "W4"),
        ("C106", "W4"),
        ("C107", "W4"),
        ("C108", "W6"),
        ("C111", "W7"),
        ("C112", "W7"),
    ];
    let mut witness = vec![None; tm.cases.len()];
    for (c, w) in known {
        witness[tm.case_index(c)] = Some(tm.worker_index(w));
    }
    assert_eq!(tm.breach(&witness), None, "the known allocation is lawful");
    let (m, p, bytes) = allocate(&model);
    assert_eq!(p["optimal"], true);
    let a = assignment_of(&tm, &p);
    assert_eq!(tm.breach(&a), None);
    let (found, stated, better) =
        (tm.objective(&a), p["objective"].as_f64().unwrap(), tm.objective(&witness));
    assert!(close(found, stated), "stated {stated}, scores {found}");
    assert!(
        found >= better || close(found, better),
        "proven at {found}, but a lawful allocation scores {better}"
    );
    assert!(breaches(&m, &bytes).is_empty());
}

/// Five teams of children whose workers are absent, priority and move penalty both 62.5: the
/// objective is a fairness term of -0.0004. Each team's part is searched again within its share
/// of the whole objective's tolerance; one stopped a ten-millionth above its share, and the
/// proposal was reported unproven (exit 3) though the parts together were within the whole's
/// tolerance (a helper's oracle campaign; the allocation is the optimum by exhaustion there).
/// The whole is judged by what the parts together may be short.
#[test]
fn parts_within_the_whole_objectives_tolerance_together_are_proven() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fairness_nets_out_5_teams.json");
    let model: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let tm = TModel::from_json(&model);
    let (m, p, bytes) = allocate(&model);
    assert_eq!(p["optimal"], true, "{}", p["summary"]);
    let a = assignment_of(&tm, &p);
    assert_eq!(tm.breach(&a), None);
    assert!(close(tm.objective(&a), p["objective"].as_f64().unwrap()));
    assert_eq!(tm.improving_neighbour(&a), None);
    assert!(breaches(&m, &bytes).is_empty());
}

fn exhaust(shape: Shape, models: u64) {
    exhaust_with(shape, models, check_seed)
}

fn exhaust_with(shape: Shape, models: u64, check: fn(u64, Shape) -> Outcome) {
    let mut refused = 0;
    let mut with_unallocated = 0;
    let mut failures: Vec<(u64, String)> = Vec::new();
    for seed in 0..models {
        match std::panic::catch_unwind(|| check(seed, shape)) {
            Ok(o) => {
                refused += o.refused as u64;
                with_unallocated += (o.unallocated > 0) as u64;
            }
            Err(e) => failures.push((seed, panic_text(e))),
        }
    }
    if !failures.is_empty() {
        let shown: Vec<String> = failures.iter().take(3).map(|(_, m)| m.clone()).collect();
        panic!(
            "{} of {models} models fail (seeds {:?}); the first:\n{}",
            failures.len(),
            failures.iter().map(|f| f.0).collect::<Vec<_>>(),
            shown.join("\n\n")
        );
    }
    // The generator must exercise the interesting paths, or the test proves little.
    assert!(refused < models / 4, "{refused} of {models} models refused: the generator is too wild");
    assert!(
        with_unallocated > models / 5,
        "only {with_unallocated} of {models} models leave a case unallocated"
    );
}

#[test]
fn dated_generated_models_cover_reductions_in_and_out_of_force_and_returns() {
    let models = models() / 2;
    let mut seen = std::collections::BTreeMap::<&str, u64>::new();
    for seed in 0..models {
        let model = generate_dated(seed, Shape::BRUTE);
        let tm = TModel::from_json_at(&model, Some(GEN_DATE));
        let ws = model["workers"].as_array().unwrap();
        let in_force = |r: &serde_json::Value| {
            r["from"].as_str().unwrap() <= GEN_DATE && GEN_DATE <= r["to"].as_str().unwrap()
        };
        let reductions: Vec<&serde_json::Value> =
            ws.iter().flat_map(|w| w["reductions"].as_array().into_iter().flatten()).collect();
        let mut hit = |k: &'static str, b: bool| *seen.entry(k).or_default() += b as u64;
        hit("reduction in force", reductions.iter().any(|r| in_force(r)));
        hit("reduction in force from the day itself", reductions.iter().any(|r| r["from"] == GEN_DATE));
        hit("reduction in force to the day itself", reductions.iter().any(|r| r["to"] == GEN_DATE));
        hit("reduction ended the day before", reductions.iter().any(|r| r["to"] == "2026-11-14"));
        hit("reduction starting the day after", reductions.iter().any(|r| r["from"] == "2026-11-16"));
        hit(
            "two reductions in force on one worker",
            ws.iter().any(|w| {
                w["reductions"].as_array().is_some_and(|l| l.iter().filter(|r| in_force(r)).count() >= 2)
            }),
        );
        hit(
            "reduced to a cap of 0",
            tm.invalid.is_none() && tm.workers.iter().any(|w| w.reduction > 0.0 && w.cap == 0.0),
        );
        hit("reductions above the cap (refused)", tm.invalid.is_some());
        hit("previous workers", tm.cases.iter().any(|c| !c.previous.is_empty()));
        hit(
            "return bonus for previous workers",
            tm.policy.return_bonus > 0.0 && tm.cases.iter().any(|c| !c.previous.is_empty()),
        );
        hit(
            "a previous worker permitted",
            (0..tm.cases.len()).any(|c| tm.cases[c].previous.iter().any(|&w| tm.permitted(c, w))),
        );
    }
    for (k, n) in &seen {
        assert!(*n >= models / 50, "only {n} of {models} dated models have: {k}");
    }
    assert_eq!(seen.len(), 11);
}

#[test]
fn generated_models_cover_every_feature_the_rules_name() {
    // Coverage of the generator itself, counted on the models the optimality test uses.
    let models = models();
    let mut seen = std::collections::BTreeMap::<&str, u64>::new();
    for seed in 0..models {
        let model = generate(seed, Shape::BRUTE);
        let tm = TModel::from_json(&model);
        let mut hit = |k: &'static str, b: bool| *seen.entry(k).or_default() += b as u64;
        hit("sibling group", tm.groups().values().any(|g| g.len() > 1));
        hit("pin", tm.cases.iter().any(|c| c.pinned));
        hit("fractional cap", tm.workers.iter().any(|w| w.cap.fract() != 0.0));
        hit("target below cap", tm.workers.iter().any(|w| w.target < w.cap));
        hit("odd weight", tm.cases.iter().any(|c| c.weight == 0.7));
        hit("weight 1.5", tm.cases.iter().any(|c| c.weight == 1.5));
        hit("zero priority", tm.cases.iter().any(|c| c.priority == 0.0));
        hit("cross team", tm.policy.cross_team);
        hit(
            "no cross team",
            !tm.policy.cross_team && tm.workers.iter().any(|w| w.team != tm.workers[0].team),
        );
        hit("inactive worker", tm.workers.iter().any(|w| !w.active));
        hit("excluded", tm.cases.iter().any(|c| !c.exclude.is_empty()));
        hit("needs", tm.cases.iter().any(|c| !c.needs.is_empty()));
        hit("current worker", tm.cases.iter().any(|c| c.current.is_some()));
        hit(
            "supervised, qualified supervisor",
            (0..tm.workers.len()).any(|w| tm.is_supervised(w) && tm.rule6_supervised(w)),
        );
        hit(
            "supervised, no qualified supervisor",
            (0..tm.workers.len()).any(|w| tm.is_supervised(w) && !tm.rule6_supervised(w)),
        );
        hit("small oversight cap", tm.workers.iter().any(|w| w.oversight_cap < 3.0));
        hit("no move penalty", tm.policy.move_penalty == 0.0);
        hit("no overload penalty", tm.policy.overload_penalty == 0.0);
        hit("large cross-team penalty", tm.policy.cross_team_penalty > 100.0);
        hit("fairness term", tm.policy.fairness_penalty > 0.0);
    }
    for (k, n) in &seen {
        assert!(*n >= models / 50, "only {n} of {models} models have: {k}");
    }
}

/// With the search stopped at once, the proposal is still lawful and truthful: its objective
/// is what its allocations score, at most the optimum, and its bound at least the optimum.
fn check_stopped(seed: u64, shape: Shape) -> bool {
    let limits = caseload::solve::Limits {
        deadline: Some(std::time::Instant::now()),
        ..caseload::solve::Limits::default()
    };
    check_truthful(seed, shape, limits) == Some(false)
}

/// Allocates model `seed` under `limits` and checks the proposal is lawful (by the test's
/// reading of the SPEC and by `check`) and truthful: its objective is what its allocations
/// score, at most the optimum, its bound at least the optimum, and it claims optimality only
/// at the optimum. Returns whether it claims optimality (None: the model has no lawful
/// allocation).
fn check_truthful(seed: u64, shape: Shape, limits: caseload::solve::Limits) -> Option<bool> {
    check_truthful_model(seed, generate(seed, shape), limits).map(|(optimal, _)| optimal)
}

/// [`check_truthful`] on a given model; also returns whether the proposal scores the optimum.
fn check_truthful_model(
    seed: u64,
    model: serde_json::Value,
    limits: caseload::solve::Limits,
) -> Option<(bool, bool)> {
    let tm = TModel::from_json(&model);
    let (best, _) = tm.brute_force()?;
    let m = caseload::load_model_bytes("model.json", &to_bytes(&model)).unwrap();
    let p = caseload::allocate(&m, limits).unwrap();
    let out = caseload::write::to_json(&p);
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let dump = serde_json::to_string(&model).unwrap();
    let a = assignment_of(&tm, &v);
    assert_eq!(tm.breach(&a), None, "seed {seed}: an unlawful proposal\n{dump}");
    let objective = v["objective"].as_f64().unwrap();
    let bound = v["bound"].as_f64().unwrap();
    assert!(close(tm.objective(&a), objective), "seed {seed}: stated objective {objective}\n{dump}");
    assert!(
        objective <= best + 1e-6 * best.abs().max(1.0),
        "seed {seed}: {objective} beats the optimum {best}\n{dump}"
    );
    assert!(
        bound >= best - 1e-6 * best.abs().max(1.0),
        "seed {seed}: bound {bound} below the optimum {best}\n{dump}"
    );
    if v["optimal"] == true {
        assert!(close(objective, best), "seed {seed}: claims optimal at {objective}, optimum {best}\n{dump}");
    }
    let found = breaches(&m, &out);
    assert!(found.is_empty(), "seed {seed}: check finds {found:?}\n{dump}");
    Some((v["optimal"] == true, close(objective, best)))
}

/// A search the node limit stops unproven polishes its incumbent by ejection chains
/// (`solve/local.rs`): on models with decimal weights, FTE-scaled caps and cross-team work
/// stopped after one node, the proposal stays lawful and truthful, and at least 80% of those
/// left unproven still score the optimum the brute force finds.
#[test]
fn a_search_the_node_limit_stops_still_reaches_the_optimum_on_most_models() {
    let limits = caseload::solve::Limits { node_limit: Some(1), ..caseload::solve::Limits::default() };
    let (mut unproven, mut at_best) = (0u64, 0u64);
    for seed in 0..models() / 2 {
        let model = generate_decimal(seed, Shape::BRUTE_LARGE);
        if let Some((false, best)) = check_truthful_model(seed, model, limits) {
            unproven += 1;
            at_best += best as u64;
        }
    }
    assert!(unproven >= 20, "only {unproven} searches stopped unproven: the test proves little");
    // Without the polish 58 of the 87 stopped proposals scored the optimum (67%); with it,
    // 73 of 85 (86%; two more are proven).
    assert!(at_best * 5 >= unproven * 4, "{at_best} of {unproven} unproven proposals at the optimum");
}

#[test]
fn a_search_stopped_at_once_still_writes_a_lawful_proposal_with_a_true_bound() {
    let mut stopped = 0;
    for seed in 0..models() / 6 {
        stopped += check_stopped(seed, Shape::BRUTE) as u64;
        stopped += check_stopped(seed, Shape::BRUTE_ODD) as u64;
    }
    assert!(stopped > 0, "no search was ever stopped: the test proves nothing");
}

/// The district path, which large cross-team districts take (the bound from the compact
/// relaxation with the groups' columns pooled, the search over the group columns that
/// relaxation uses and each group's own team's), forced onto every small part with an integer
/// search. With one node the stated bound is the pooled relaxation's own; with the default
/// limit the tree goes on from it, and may prove.
#[test]
fn the_district_path_writes_lawful_proposals_with_true_bounds() {
    use std::sync::atomic::{AtomicU64, Ordering};
    let (taken, proven) = (AtomicU64::new(0), AtomicU64::new(0));
    let count = |e: &caseload::solve::Event| {
        if matches!(e, caseload::solve::Event::Trace(t) if t.starts_with("pooled lp:")) {
            taken.fetch_add(1, Ordering::Relaxed);
        }
    };
    let mut tried = 0;
    for seed in 0..models() / 6 {
        for shape in [Shape::BRUTE, Shape::BRUTE_LARGE] {
            for node_limit in [Some(1), Some(caseload::solve::DEFAULT_NODE_LIMIT)] {
                let limits = caseload::solve::Limits {
                    node_limit,
                    observer: Some(caseload::solve::Observer(&count)),
                    trace: true,
                    district_columns: Some(0),
                    ..caseload::solve::Limits::default()
                };
                if check_truthful(seed, shape, limits) == Some(true) {
                    proven.fetch_add(1, Ordering::Relaxed);
                }
                tried += 1;
            }
        }
    }
    let (taken, proven) = (taken.into_inner(), proven.into_inner());
    assert!(taken > tried / 20, "the district path was taken {taken} times in {tried} models");
    assert!(proven > 0, "no model was proven on the district path");
}

#[test]
fn the_test_oracles_can_tell_a_worse_allocation_from_the_best() {
    // The exhaustive search and the neighbourhood check must be able to fail: on every model
    // where the best allocation beats leaving all but the pinned cases unallocated, the
    // neighbourhood check must find an improvement from there.
    let mut improvable = 0;
    for seed in 0..300 {
        let model = generate(seed, Shape::BRUTE);
        let tm = TModel::from_json(&model);
        let Some((best, best_a)) = tm.brute_force() else { continue };
        assert_eq!(tm.improving_neighbour(&best_a), None, "seed {seed}: the optimum has a better neighbour?");
        let forced = tm.forced().unwrap();
        assert!(tm.breach(&forced).is_none());
        if tm.objective(&forced) < best - 1e-6 * best.abs().max(1.0) {
            improvable += 1;
            assert!(tm.improving_neighbour(&forced).is_some(), "seed {seed}: no neighbour found");
        }
    }
    assert!(improvable > 100);
}
