//! Ties between equally good allocations are broken towards even loads (SPEC section 4).

use crate::common;

use common::*;
use serde_json::{json, Value};

fn loads(p: &Value) -> Vec<f64> {
    p["workers"].as_array().unwrap().iter().map(|w| w["load"].as_f64().unwrap()).collect()
}

fn model(workers: usize, weights: &[f64]) -> Value {
    let ws: Vec<Value> = (1..=workers)
        .map(|i| json!({ "id": format!("W{i}"), "role": "social_worker", "team": "North" }))
        .collect();
    let cs: Vec<Value> = weights
        .iter()
        .enumerate()
        .map(|(i, w)| json!({ "id": format!("C{i:02}"), "type": "child_in_need", "team": "North", "weight": w }))
        .collect();
    json!({ "version": 1, "workers": ws, "cases": cs })
}

#[test]
fn splits_identical_cases_evenly_between_identical_workers() {
    let (_, p, _) = allocate(&model(2, &[1.0; 6]));
    assert_eq!(loads(&p), vec![3.0, 3.0]);
}

#[test]
fn splits_cases_among_three_identical_workers_within_one_case_of_each_other() {
    let (_, p, _) = allocate(&model(3, &[1.0; 7]));
    let l = loads(&p);
    assert_eq!(l.iter().sum::<f64>(), 7.0);
    let (lo, hi) = (l.iter().cloned().fold(f64::MAX, f64::min), l.iter().cloned().fold(0.0, f64::max));
    assert!(hi - lo <= 1.0, "{l:?}");
}

#[test]
fn evens_loads_of_mixed_weights_when_single_moves_suffice() {
    // 2 + 1 + 1: the even split is {2} and {1, 1}.
    let (_, p, _) = allocate(&model(2, &[2.0, 1.0, 1.0]));
    assert_eq!(loads(&p), vec![2.0, 2.0]);
}

#[test]
fn keeps_children_with_their_workers_rather_than_evening_loads() {
    // Evening loads is only a tie-break: moving a child costs the move penalty.
    let mut m = model(2, &[1.0; 4]);
    for c in m["cases"].as_array_mut().unwrap() {
        c["current_worker"] = json!("W1");
    }
    let (_, p, _) = allocate(&m);
    assert_eq!(loads(&p), vec![4.0, 0.0]);
    assert_eq!(p["summary"]["moves"]["kept"], 4);
}
