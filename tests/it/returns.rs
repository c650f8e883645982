//! `policy.return_bonus` (docs/guide.md, "Previous workers"): a child may go back to a worker who held
//! them before, when the policy says that is worth something, and never at the price of a rule.

use crate::common;

use common::*;
use serde_json::{json, Value};

/// W1 holds nothing; W2 holds `held` children at a target and cap of 4; the new referral C9 was
/// W2's before.
fn referral(held: usize, bonus: f64) -> Value {
    let mut cases: Vec<Value> = (0..held)
        .map(|i| json!({"id": format!("C{i}"), "type": "looked_after", "team": "North", "current_worker": "W2", "pinned": true}))
        .collect();
    cases.push(json!({"id": "C9", "type": "looked_after", "team": "North", "previous_workers": ["W2"]}));
    json!({"version": 1,
        "policy": {"caps": {"social_worker": 6}, "targets": {"social_worker": 4}, "return_bonus": bonus},
        "workers": [{"id": "W1", "role": "social_worker", "team": "North"},
                    {"id": "W2", "role": "social_worker", "team": "North"}],
        "cases": cases})
}

fn placed(v: &Value, case: &str) -> (String, bool) {
    let a = v["allocations"].as_array().unwrap().iter().find(|a| a["case"] == case).unwrap();
    (a["worker"].as_str().unwrap().to_string(), a["returns"] == true)
}

fn solve(model: &Value) -> Value {
    let (m, v, bytes) = allocate(model);
    assert!(breaches(&m, &bytes).is_empty());
    let tm = TModel::from_json(model);
    let a = assignment_of(&tm, &v);
    let (best, _) = tm.brute_force().unwrap();
    assert!(close(tm.objective(&a), v["objective"].as_f64().unwrap()));
    assert!(close(best, v["objective"].as_f64().unwrap()), "best {best}, proposal {}", v["objective"]);
    v
}

#[test]
fn without_a_return_bonus_a_referral_goes_to_the_emptier_worker_on_a_tie() {
    let v = solve(&referral(3, 0.0));
    assert_eq!(placed(&v, "C9"), ("W1".to_string(), false));
    assert!(v["summary"]["objective_terms"].get("return_bonus").is_none());
    assert!(v["summary"]["policy"].get("return_bonus").is_none());
}

#[test]
fn a_return_bonus_sends_a_referral_back_to_the_worker_who_knew_the_child() {
    let v = solve(&referral(3, 5.0));
    assert_eq!(placed(&v, "C9"), ("W2".to_string(), true));
    assert_eq!(v["summary"]["objective_terms"]["return_bonus"], 5.0);
}

#[test]
fn a_return_bonus_smaller_than_the_overload_it_causes_does_not_send_the_child_back() {
    // W2 is at target: taking C9 costs the overload penalty 20, more than the bonus of 5.
    let v = solve(&referral(4, 5.0));
    assert_eq!(placed(&v, "C9"), ("W1".to_string(), false));
    // A bonus of 25 outweighs it.
    let v = solve(&referral(4, 25.0));
    assert_eq!(placed(&v, "C9"), ("W2".to_string(), true));
}

#[test]
fn a_negative_return_bonus_is_an_input_error_with_its_place() {
    let e = caseload::load_model_bytes("model.json", &to_bytes(&referral(1, -1.0))).unwrap_err();
    assert!(e.is_invalid_input());
    assert!(e.to_string().contains("return_bonus"), "{e}");
}
