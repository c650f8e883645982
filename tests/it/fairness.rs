//! The fairness term (docs/guide.md, "Fair workloads"): off by default and then invisible, and when set,
//! a cost the proposal weighs against moves, overload and leaving children unallocated.

use crate::common;

use common::*;
use serde_json::{json, Value};

fn with_fairness(model: &Value, penalty: f64) -> Value {
    let mut m = model.clone();
    if m.get("policy").is_none() {
        m["policy"] = json!({});
    }
    m["policy"]["fairness_penalty"] = json!(penalty);
    m
}

/// The proposal without the one field that must differ when the model's bytes differ.
fn without_hash(mut v: Value) -> Value {
    v["summary"]["model_hash"] = Value::Null;
    v
}

fn percent(v: &Value, worker: &str) -> f64 {
    let w = v["workers"].as_array().unwrap().iter().find(|w| w["worker"] == worker).unwrap();
    100.0 * w["load"].as_f64().unwrap() / w["target"].as_f64().unwrap()
}

#[test]
fn a_fairness_penalty_of_zero_changes_no_example_proposal() {
    let mut seen = 0;
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/models")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let model: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        if model["policy"].get("fairness_penalty").is_some() {
            continue; // the models that use the setting (fair_team.json)
        }
        let (_, before, _) = allocate(&model);
        let (_, after, bytes) = allocate(&with_fairness(&model, 0.0));
        assert_eq!(without_hash(before), without_hash(after), "{}", path.display());
        let text = String::from_utf8(bytes).unwrap();
        assert!(!text.contains("fairness") && !text.contains("percent"), "{}", path.display());
        seen += 1;
    }
    assert!(seen >= 4, "only {seen} example models");
}

/// W1 holds eight children today at a target of 8; W2, in the same team, holds none.
fn lopsided_team() -> Value {
    let cases: Vec<Value> = (0..8)
        .map(|i| json!({"id": format!("C{i}"), "type": "child_in_need", "team": "North", "current_worker": "W1"}))
        .collect();
    json!({"version": 1,
        "policy": {"caps": {"social_worker": 8}},
        "workers": [{"id": "W1", "role": "social_worker", "team": "North"},
                    {"id": "W2", "role": "social_worker", "team": "North"}],
        "cases": cases})
}

#[test]
fn without_fairness_a_full_worker_keeps_every_child_beside_an_empty_colleague() {
    let (m, v, bytes) = allocate(&lopsided_team());
    assert_eq!(percent(&v, "W1"), 100.0);
    assert_eq!(percent(&v, "W2"), 0.0);
    assert!(breaches(&m, &bytes).is_empty());
}

#[test]
fn fairness_moves_children_from_a_full_worker_to_an_empty_one_while_it_outweighs_the_move_penalty() {
    let model = with_fairness(&lopsided_team(), 10.0);
    let (m, v, bytes) = allocate(&model);
    assert!(breaches(&m, &bytes).is_empty());
    // Each move costs 10. Moving one case from load a to load b saves fairness
    // 10 x ((2a - 1) - (2b + 1)) / 8 = 2.5 (a - b - 1): 17.5 from 8-0, 12.5 from 7-1, but only
    // 7.5 from 6-2, less than the move. So two children move and the loads stop at 6 and 2.
    assert_eq!(v["summary"]["moves"]["moved"], 2, "{v}");
    assert_eq!(percent(&v, "W1"), 75.0);
    assert_eq!(percent(&v, "W2"), 25.0);
    assert_eq!(v["workers"][0]["percent"], 75.0);
    assert_eq!(v["summary"]["spread"]["North"], 50.0);
    // The oracle's reading of the objective agrees with the proposal, and no allocation of
    // these cases does better (the test model's exhaustive search).
    let tm = TModel::from_json(&model);
    let a = assignment_of(&tm, &v);
    assert!(close(tm.objective(&a), v["objective"].as_f64().unwrap()));
    let (best, _) = tm.brute_force().unwrap();
    assert!(close(best, v["objective"].as_f64().unwrap()), "best {best}, proposal {}", v["objective"]);
}

#[test]
fn fairness_leaves_a_low_priority_child_unallocated_only_above_target_and_says_so() {
    // One worker, target 2, cap 10, no overload penalty. With fairness 10 the k-th case costs
    // 10 x ((2k - 1) / 2 - 2): a bonus up to target, then 5, 15, 25, 35, 45: the seventh child
    // in need (priority 40) costs more than it is worth.
    let cases: Vec<Value> =
        (0..8).map(|i| json!({"id": format!("C{i}"), "type": "child_in_need", "team": "North"})).collect();
    let model = json!({"version": 1,
        "policy": {"fairness_penalty": 10, "overload_penalty": 0, "caps": {"social_worker": 10},
                   "targets": {"social_worker": 2}},
        "workers": [{"id": "W1", "role": "social_worker", "team": "North"}],
        "cases": cases});
    let (m, v, bytes) = allocate(&model);
    assert!(breaches(&m, &bytes).is_empty());
    assert_eq!(v["allocations"].as_array().unwrap().len(), 6, "{v}");
    for u in v["unallocated"].as_array().unwrap() {
        assert_eq!(u["reasons"][0]["code"], "fairness_cost", "{u}");
        let tm = TModel::from_json(&model);
        let a = assignment_of(&tm, &v);
        let (load, over) = tm.loads(&a);
        let c = tm.case_index(u["case"].as_str().unwrap());
        assert_eq!(tm.true_reasons(&a, &load, &over, c), vec!["fairness_cost".to_string()]);
    }
    // Without fairness all eight fit under the cap.
    let mut plain = model.clone();
    plain["policy"]["fairness_penalty"] = json!(0);
    let (_, v0, _) = allocate(&plain);
    assert_eq!(v0["allocations"].as_array().unwrap().len(), 8);
}

#[test]
fn a_negative_fairness_penalty_is_an_input_error_with_its_place() {
    let model = with_fairness(&lopsided_team(), -1.0);
    let e = caseload::load_model_bytes("model.json", &to_bytes(&model)).unwrap_err();
    assert!(e.is_invalid_input());
    assert!(e.to_string().contains("fairness_penalty"), "{e}");
}
