//! Models on which the branch-and-bound once took far longer than their size suggests (22,000
//! and 120,000 nodes before strong branching at every depth; about 1,000 and 12,000 now). Each
//! test asserts what the proposal must be (proven optimal, lawful, truthful, no better
//! neighbour), with no time or node limit.

use crate::common;

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
fn proves_a_fifteen_case_model_optimal() {
    solve_and_judge("slow_search_15_cases.json");
}

#[test]
fn proves_a_forty_one_case_county_model_optimal() {
    solve_and_judge("slow_search_41_cases.json");
}
