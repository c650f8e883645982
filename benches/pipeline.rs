//! Criterion benchmarks of each stage of the pipeline on generated models:
//! parse+validate, eligibility, formulate, solve, explain, write.
//!
//! Sizes 300 / 2,000 / 5,000 / 20,000 cases (one post per 16 cases, one team per 15 posts);
//! policies: `own` (own team, unit weights), `cross` (cross-team, unit weights) and
//! `weighted` (own team, type weights, 20% of cases in sibling groups).
//!
//! Solves known to take more than a few seconds are left out unless CASELOAD_BENCH_FULL=1:
//! cross-team at 20,000 cases (about 30 s), and weighted-with-siblings beyond 2,000 cases.
//! Weighted solves run under a 2 s limit (`solve_2s`), because the exact search on them can take
//! minutes; their time is that of the limit or of the proof, whichever comes first.
//!
//! Run: `cargo bench --bench pipeline` (a few minutes), or filter: `cargo bench -- own/2000`.

use caseload::explain::SolveFacts;
use caseload::generate::{generate, GenerateOptions};
use caseload::solve::Limits;
use caseload::{explain, formulate, rules, solve, write};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use std::hint::black_box;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, PartialEq)]
enum Policy {
    Own,
    Cross,
    Weighted,
}

impl Policy {
    fn name(self) -> &'static str {
        match self {
            Policy::Own => "own",
            Policy::Cross => "cross",
            Policy::Weighted => "weighted",
        }
    }
}

fn model_bytes(cases: usize, policy: Policy) -> Vec<u8> {
    let workers = (cases / 16).max(3);
    let args = GenerateOptions {
        cases,
        workers,
        teams: (workers / 15).max(1),
        seed: 1,
        vacant_share: 0.1,
        weights: policy == Policy::Weighted,
        groups: if policy == Policy::Weighted { 0.2 } else { 0.0 },
        cross_team: policy == Policy::Cross,
        mix: vec![],
        cap: vec![],
        target: vec![],
    };
    write::to_json(&generate(&args).expect("the generator accepts these arguments"))
}

/// The command line's defaults: the node limit, no deadline (weighted models are proven).
fn limits(_policy: Policy) -> Limits<'static> {
    Limits { node_limit: Some(caseload::solve::DEFAULT_NODE_LIMIT), ..Limits::default() }
}

fn stages(c: &mut Criterion) {
    let full = std::env::var_os("CASELOAD_BENCH_FULL").is_some();
    for cases in [300usize, 2_000, 5_000, 20_000] {
        for policy in [Policy::Own, Policy::Cross, Policy::Weighted] {
            let solve_it = full
                || match policy {
                    Policy::Own => true,
                    Policy::Cross => cases <= 5_000,
                    Policy::Weighted => cases <= 2_000,
                };
            let bytes = model_bytes(cases, policy);
            let mut g = c.benchmark_group(format!("{}/{cases}", policy.name()));
            g.sample_size(10)
                .warm_up_time(Duration::from_millis(300))
                .measurement_time(Duration::from_secs(1));

            g.bench_function("parse_validate", |b| {
                b.iter(|| caseload::load_model_bytes("bench", black_box(&bytes)).expect("valid"))
            });
            let m = caseload::load_model_bytes("bench", &bytes).expect("valid");
            g.bench_function("eligibility", |b| b.iter(|| rules::eligibility(black_box(&m))));
            let el = rules::eligibility(&m);
            g.bench_function("formulate", |b| b.iter(|| formulate::formulate(black_box(&m), &el)));
            let problem = formulate::formulate(&m, &el);
            if solve_it {
                let name = if policy == Policy::Weighted { "solve_2s" } else { "solve" };
                g.bench_function(name, |b| {
                    b.iter(|| solve::solve(black_box(&m), &problem, limits(policy)).expect("solves"))
                });
            }
            // Explain and write need an assignment: the solver's, under a short limit when
            // the solve is not benchmarked (explain's cost hardly depends on which one).
            let lim = if solve_it {
                limits(policy)
            } else {
                Limits { deadline: Some(Instant::now() + Duration::from_secs(2)), ..Limits::default() }
            };
            let solved = solve::solve(&m, &problem, lim).expect("solves");
            let facts = SolveFacts { optimal: solved.optimal, gap: solved.gap, ..SolveFacts::default() };
            g.bench_function("explain", |b| {
                b.iter(|| explain::proposal(black_box(&m), &el, &solved.assignment, &facts))
            });
            let proposal = explain::proposal(&m, &el, &solved.assignment, &facts);
            g.bench_function("write", |b| {
                b.iter_batched(|| (), |()| write::to_json(black_box(&proposal)), BatchSize::SmallInput)
            });
            g.finish();
        }
    }
}

criterion_group!(benches, stages);
criterion_main!(benches);
