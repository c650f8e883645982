//! A committed corpus of hard weighted models (sibling groups, type weights, some cross-team,
//! some with a low social-worker target so the overload penalty bites), each one whose integer
//! parts needed more than one branch-and-bound node. The models are regenerated from their saved
//! `caseload generate` arguments; their optima were computed once by HiGHS on the independent
//! naive MIP of benches/compare.py (benches/optima.py) and are stored in
//! tests/data/hard_weighted.json. The default build with the CLI's default node limit must prove
//! each optimum, match HiGHS's objective exactly, and propose an allocation `check` accepts.

use std::path::Path;
use std::process::Command;

fn corpus() -> Vec<(String, Vec<String>, f64)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/hard_weighted.json");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let args =
                e["args"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_string()).collect();
            (e["name"].as_str().unwrap().to_string(), args, e["optimum"].as_f64().unwrap())
        })
        .collect()
}

/// Generates every corpus model into a temporary directory and hands each, with its name and
/// HiGHS's optimum, to `each`.
fn for_each_model(each: impl Fn(&str, &caseload::model::Model, f64)) {
    let entries = corpus();
    assert!(!entries.is_empty(), "the corpus is empty");
    let dir = tempfile::tempdir().unwrap();
    for (name, args, optimum) in entries {
        let path = dir.path().join(format!("{name}.json"));
        let out = Command::new(env!("CARGO_BIN_EXE_caseload"))
            .arg("generate")
            .args(&args)
            .arg("-o")
            .arg(&path)
            .output()
            .unwrap();
        assert!(out.status.success(), "{name}: generate failed: {}", String::from_utf8_lossy(&out.stderr));
        let model = caseload::load_model(&path).expect("the generated model validates");
        each(&name, &model, optimum);
    }
}

/// `check` finds nothing wrong with the proposal.
fn assert_checked(name: &str, model: &caseload::model::Model, proposal: &caseload::proposal::Proposal) {
    let written = caseload::write::to_json(proposal);
    let parsed = caseload::check::parse_proposal(name, &written).unwrap();
    let breaches = caseload::check::check_proposal(model, &parsed);
    assert!(breaches.is_empty(), "{name}: check finds breaches: {breaches:?}");
}

#[test]
fn every_hard_weighted_model_is_solved_to_the_highs_optimum_and_passes_check() {
    for_each_model(|name, model, optimum| {
        let limits = caseload::solve::Limits {
            node_limit: Some(caseload::solve::DEFAULT_NODE_LIMIT),
            ..Default::default()
        };
        let proposal = caseload::allocate(model, limits).expect("allocates");
        assert!(proposal.optimal, "{name}: not proven optimal within the default node limit");
        let tol = 1e-6 * optimum.abs().max(1.0);
        assert!(
            (proposal.objective - optimum).abs() <= tol,
            "{name}: objective {} but HiGHS's optimum is {optimum}",
            proposal.objective
        );
        assert_checked(name, model, &proposal);
    });
}

/// The district path (the bound from the relaxation with the groups' columns pooled, the
/// search over the group columns it uses), forced onto every corpus model: its proposals are
/// lawful, and its bounds hold against HiGHS's optima.
#[test]
fn on_the_district_path_every_hard_weighted_model_gets_a_bound_at_or_above_the_highs_optimum() {
    for_each_model(|name, model, optimum| {
        for node_limit in [1, caseload::solve::DEFAULT_NODE_LIMIT] {
            let limits = caseload::solve::Limits {
                node_limit: Some(node_limit),
                district_columns: Some(0),
                ..Default::default()
            };
            let proposal = caseload::allocate(model, limits).expect("allocates");
            let tol = 1e-6 * optimum.abs().max(1.0);
            assert!(
                proposal.bound >= optimum - tol,
                "{name}, node limit {node_limit}: bound {} below HiGHS's optimum {optimum}",
                proposal.bound
            );
            assert!(
                proposal.objective <= optimum + tol,
                "{name}, node limit {node_limit}: objective {} above HiGHS's optimum {optimum}",
                proposal.objective
            );
            if proposal.optimal {
                assert!(
                    (proposal.objective - optimum).abs() <= tol,
                    "{name}: proven at {}",
                    proposal.objective
                );
            }
            assert_checked(name, model, &proposal);
        }
    });
}
