//! The exact searches of an unproven incumbent's neighbourhoods (`solve/lns.rs`: two teams'
//! workers freed, everything else kept), on searches stopped after one node: on three-team
//! models small enough for the brute force (decimal weights, FTE-scaled caps, sibling groups,
//! cross-team work) no proposal beats the optimum, and on small generated districts the
//! neighbourhoods run and find better allocations; every proposal keeps every rule (the test's
//! own oracle and `check` agree) and states its true objective and a bound no lower.

use crate::common;

use common::*;
use std::sync::atomic::{AtomicU64, Ordering};

/// Three teams, three or four workers, up to 11 cases: small enough to search exhaustively.
const THREE_TEAMS: Shape = Shape {
    min_workers: 3,
    max_workers: 4,
    min_cases: 8,
    max_cases: 11,
    teams: 3,
    pin_chance: 0.1,
    odd: false,
};

/// [`generate_decimal`], its workers and cases dealt round the three teams (a sibling group
/// kept together) and cross-team work allowed, so that one part spans three teams.
fn three_teams(seed: u64, shape: Shape) -> serde_json::Value {
    const NAMES: [&str; 3] = ["North", "South", "East"];
    let mut model = generate_decimal(seed, shape);
    for (i, w) in model["workers"].as_array_mut().into_iter().flatten().enumerate() {
        w["team"] = serde_json::json!(NAMES[i % 3]);
    }
    let mut of_group: std::collections::BTreeMap<String, usize> = Default::default();
    for (i, c) in model["cases"].as_array_mut().into_iter().flatten().enumerate() {
        let t = match c.get("group").and_then(|g| g.as_str()) {
            Some(g) => *of_group.entry(g.to_string()).or_insert(i % 3),
            None => i % 3,
        };
        c["team"] = serde_json::json!(NAMES[t]);
    }
    if model.get("policy").is_none() {
        model["policy"] = serde_json::json!({});
    }
    model["policy"]["cross_team"] = serde_json::json!(true);
    model
}

fn models() -> u64 {
    if cfg!(debug_assertions) {
        300
    } else {
        1500
    }
}

/// Runs the model with `limits`; checks the proposal is lawful by the test's oracle and by
/// `check`, and states its true objective and a bound no lower; returns (optimal, objective).
fn run_checked(seed: u64, model: &serde_json::Value, limits: caseload::solve::Limits) -> Option<(bool, f64)> {
    let tm = TModel::from_json(model);
    let m = caseload::load_model_bytes("model.json", &to_bytes(model)).ok()?;
    let p = caseload::allocate(&m, limits).unwrap();
    let out = caseload::write::to_json(&p);
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let dump = serde_json::to_string(model).unwrap();
    let a = assignment_of(&tm, &v);
    assert_eq!(tm.breach(&a), None, "seed {seed}: an unlawful proposal\n{dump}");
    let found = breaches(&m, &out);
    assert!(found.is_empty(), "seed {seed}: check finds {found:?}\n{dump}");
    let objective = v["objective"].as_f64().unwrap();
    let bound = v["bound"].as_f64().unwrap();
    assert!(close(tm.objective(&a), objective), "seed {seed}: stated objective {objective}\n{dump}");
    assert!(bound >= objective - 1e-6 * objective.abs().max(1.0), "seed {seed}: bound {bound}\n{dump}");
    Some((v["optimal"] == true, objective))
}

/// Counts the trace's lines for searches of neighbourhoods and for their gains.
#[derive(Default)]
struct Seen {
    runs: AtomicU64,
    gains: AtomicU64,
}

impl Seen {
    fn see(&self, e: &caseload::solve::Event) {
        if let caseload::solve::Event::Trace(t) = e {
            if t.trim_start().starts_with("neighbourhoods:") {
                self.runs.fetch_add(1, Ordering::Relaxed);
            }
            if t.trim_start().starts_with("neighbourhood:") {
                self.gains.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// On three-team models of up to 11 cases the brute force finds the optimum: a stopped
/// search's proposal (polished, and its neighbourhoods searched where the search leaves it
/// unproven) is lawful and never beats it.
#[test]
fn neighbourhoods_of_a_stopped_search_never_pass_the_brute_force_optimum() {
    let limits = caseload::solve::Limits { node_limit: Some(1), ..caseload::solve::Limits::default() };
    let mut tried = 0;
    for seed in 0..models() / 3 {
        let model = three_teams(seed, THREE_TEAMS);
        let Some((best, _)) = TModel::from_json(&model).brute_force() else { continue };
        let Some((optimal, objective)) = run_checked(seed, &model, limits) else { continue };
        let slack = 1e-6 * best.abs().max(1.0);
        assert!(objective <= best + slack, "seed {seed}: {objective} beats the optimum {best}");
        assert!(
            !optimal || close(objective, best),
            "seed {seed}: claims optimal at {objective}, optimum {best}"
        );
        tried += 1;
    }
    assert!(tried > models() / 6, "only {tried} models solved");
}

/// Small cross-team districts as `caseload generate` writes them (four teams, type weights,
/// sibling groups): a search stopped after one node leaves most of them unproven, and their
/// neighbourhoods run, improve some, and every proposal keeps every rule.
#[test]
fn neighbourhoods_of_small_districts_keep_every_rule_and_find_better_allocations() {
    let seen = Seen::default();
    let see = |e: &caseload::solve::Event| seen.see(e);
    let stopped = caseload::solve::Limits {
        node_limit: Some(1),
        observer: Some(caseload::solve::Observer(&see)),
        trace: true,
        ..caseload::solve::Limits::default()
    };
    for seed in 0..12 {
        let options = caseload::generate::GenerateOptions {
            cases: 60 + 10 * seed as usize,
            workers: 8,
            teams: 4,
            seed,
            weights: true,
            groups: 0.3,
            cross_team: true,
            ..Default::default()
        };
        let file = caseload::generate::generate(&options).unwrap();
        let model: serde_json::Value = serde_json::from_slice(&caseload::write::to_json(&file)).unwrap();
        run_checked(seed, &model, stopped).expect("a generated model loads");
    }
    let (runs, gains) = (seen.runs.into_inner(), seen.gains.into_inner());
    eprintln!("{runs} searches of neighbourhoods, {gains} gains");
    assert!(
        runs >= 6 && gains >= 3,
        "{runs} searches of neighbourhoods, {gains} gains: the test proves little"
    );
}
