//! The district path's programmes (src/solve/lp.rs): the compact relaxation with the sibling
//! groups' columns pooled has the same optimum as the relaxation with a column for every group
//! at every worker, and so does the programme with only the group columns the pooled solution
//! uses and each group's own team's. The first makes the district's bound true; the second
//! means its search loses nothing at the root.

use crate::common;

use caseload::solve::lp;
use common::*;
use std::process::Command;

/// Every part of `m` with sibling groups: (full, pooled, restricted) relaxation optima, and
/// whether the pooled programme pooled any group's columns.
fn optima(m: &caseload::model::Model) -> Vec<(f64, f64, f64, bool)> {
    let eligibility = caseload::rules::eligibility(m);
    let problem = caseload::formulate::formulate(m, &eligibility);
    let mut out = Vec::new();
    for part in problem.parts.iter().filter(|p| !p.groups.is_empty()) {
        let full = lp::solve_relaxation(&lp::build(m, part)).unwrap().objective;
        let pooled = lp::build_pooled(m, part);
        let relaxed = lp::solve_relaxation(&pooled).unwrap();
        let mut keep = lp::home_columns(m, part);
        lp::pooled_use(part, &pooled, &relaxed.values, &mut keep);
        let restricted = lp::solve_relaxation(&lp::build_only(m, part, &keep)).unwrap().objective;
        let pooling =
            pooled.cols.iter().any(|c| matches!(c, lp::Col::GroupPool { .. } | lp::Col::GroupMarket { .. }));
        out.push((full, relaxed.objective, restricted, pooling));
    }
    out
}

fn assert_same(name: &str, (full, pooled, restricted, _): (f64, f64, f64, bool)) {
    let tol = 1e-6 * full.abs().max(1.0);
    assert!((full - pooled).abs() <= tol, "{name}: full relaxation {full}, pooled {pooled}");
    assert!(
        (restricted - pooled).abs() <= tol,
        "{name}: pooled relaxation {pooled}, restricted {restricted}"
    );
}

#[test]
fn pooling_group_columns_keeps_the_relaxations_optimum_on_random_models() {
    let (mut parts, mut pooling) = (0, 0);
    for seed in 0..400 {
        for shape in [Shape::MEDIUM, Shape::MEDIUM_ODD] {
            let model = generate(seed, shape);
            let Ok(m) = caseload::load_model_bytes("model.json", &to_bytes(&model)) else { continue };
            for o in optima(&m) {
                assert_same(&format!("seed {seed} {shape:?}"), o);
                parts += 1;
                pooling += o.3 as u32;
            }
        }
    }
    assert!(pooling > parts / 10, "only {pooling} of {parts} parts with groups pooled any column");
}

#[test]
fn pooling_group_columns_keeps_the_relaxations_optimum_on_cross_team_districts() {
    let dir = tempfile::tempdir().unwrap();
    let mut pooling = 0;
    for (cases, workers, teams, seed) in [(300, 20, 2, 1), (300, 20, 2, 2), (500, 32, 2, 1), (800, 50, 3, 7)]
    {
        let path = dir.path().join(format!("d{cases}_{seed}.json"));
        let out = Command::new(env!("CARGO_BIN_EXE_caseload"))
            .args(["generate", "--weights", "--groups", "0.2", "--cross-team", "--cases"])
            .args([
                cases.to_string(),
                "--workers".into(),
                workers.to_string(),
                "--teams".into(),
                teams.to_string(),
            ])
            .args(["--seed".to_string(), seed.to_string(), "-o".into()])
            .arg(&path)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let m = caseload::load_model(&path).unwrap();
        for o in optima(&m) {
            assert_same(&format!("{cases} cases, seed {seed}"), o);
            pooling += o.3 as u32;
        }
    }
    assert!(pooling > 0, "no district pooled any group column");
}
