//! Models on which the branch-and-bound takes far longer than their size suggests. Each test
//! asserts what the proposal must be (proven optimal, lawful, truthful, no better neighbour),
//! with no time limit; they are ignored until the search is fixed, because in a debug build
//! they run for minutes.

mod common;

use common::*;
use serde_json::Value;

fn solve_and_judge(file: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(file);
    let model: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let tm = TModel::from_json(&model);
    let (m, p, bytes) = allocate(&model);
    assert_eq!(p["optimal"], true);
    let a = assignment_of(&tm, &p);
    assert_eq!(tm.breach(&a), None);
    assert!(close(tm.objective(&a), p["objective"].as_f64().unwrap()));
    assert_eq!(tm.improving_neighbour(&a), None);
    assert!(breaches(&m, &bytes).is_empty());
}

#[test]
#[ignore = "solver: ~22,000 branch-and-bound nodes to prove a 15-case, 6-worker model optimal (7.7 s release, minutes in debug); reported to the lead"]
fn proves_a_fifteen_case_model_optimal() {
    solve_and_judge("slow_search_15_cases.json");
}

#[test]
#[ignore = "solver: a 41-case, 16-worker model is not proven optimal in 120 s release (gap 3.5% after 10 s); reported to the lead"]
fn proves_a_forty_one_case_county_model_optimal() {
    solve_and_judge("slow_search_41_cases.json");
}
