//! Seeded synthetic models (`caseload generate`): realistic mixes of roles, part-time posts,
//! supervision, today's allocations, vacancies, skills, exclusions, pins and sibling groups.
//!
//! The same options and seed give the same bytes on every run and every platform: the generator
//! uses its own small PRNG ([`SplitMix64`]), never a crate whose streams may change between
//! versions. Every model it writes validates; pins are only placed where they are lawful.

use crate::error::{Error, Result};
use crate::model::{CaseInput, CaseType, ModelFile, Policy, PolicyInput, Role, Status, WorkerInput};
use crate::rules;
use std::collections::BTreeMap;

/// What to generate (the command layer's `caseload generate` flags, lowered). The default is
/// empty (no cases, no posts): set what a model needs and take the rest with `..Default`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GenerateOptions {
    /// Number of cases (children).
    pub cases: usize,
    /// Number of posts (workers), filled or vacant.
    pub workers: usize,
    /// Number of teams.
    pub teams: usize,
    /// Seed of the pseudo-random generator: the same seed gives the same bytes.
    pub seed: u64,
    /// Share of posts that are vacant (0 to 1).
    pub vacant_share: f64,
    /// Type-based case weights (child_protection 1.5, looked_after 1.0, child_in_need 0.5,
    /// care_leaver 0.5) in the policy; without it every case weighs 1.
    pub weights: bool,
    /// Share of cases in sibling groups of 2 to 4 cases of one team (0 to 1).
    pub groups: f64,
    /// Allow cross-team allocation in the policy.
    pub cross_team: bool,
    /// Relative mix of case types, e.g. `--mix child_in_need=3639 --mix looked_after=1999`
    /// (default: child_in_need 45, child_protection 15, looked_after 28, care_leaver 12). When
    /// the numbers add up to --cases they are exact counts.
    pub mix: Vec<(CaseType, f64)>,
    /// Policy cap for a role, e.g. `--cap social_worker=40` (repeatable).
    pub cap: Vec<(Role, f64)>,
    /// Policy target for a role, e.g. `--target social_worker=18` (repeatable).
    pub target: Vec<(Role, f64)>,
}

pub use crate::util::SplitMix64;

/// Splits `total` into integer parts proportional to `shares` (largest remainder, ties by index).
pub fn apportion(total: usize, shares: &[f64]) -> Vec<usize> {
    let sum: f64 = shares.iter().sum();
    if shares.is_empty() || sum <= 0.0 {
        return vec![0; shares.len()];
    }
    let exact: Vec<f64> = shares.iter().map(|s| s / sum * total as f64).collect();
    let mut out: Vec<usize> = exact.iter().map(|x| x.floor() as usize).collect();
    let given: usize = out.iter().sum();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (exact[a] - exact[a].floor(), exact[b] - exact[b].floor());
        rb.partial_cmp(&ra).unwrap_or(std::cmp::Ordering::Equal).then(a.cmp(&b))
    });
    for &i in order.iter().take(total.saturating_sub(given)) {
        out[i] += 1;
    }
    out
}

const LANGUAGES: [&str; 5] = ["urdu", "punjabi", "bengali", "polish", "bsl"];

/// Role mix of the posts of a team after its manager, as shares.
const ROLE_MIX: [(Role, f64); 6] = [
    (Role::SeniorSocialWorker, 0.12),
    (Role::SocialWorker, 0.55),
    (Role::NewlyQualifiedSocialWorker, 0.13),
    (Role::SocialWorkAssistant, 0.08),
    (Role::FamilySupportWorker, 0.06),
    (Role::PersonalAdviser, 0.06),
];

const DEFAULT_MIX: [(CaseType, f64); 4] = [
    (CaseType::ChildInNeed, 45.0),
    (CaseType::ChildProtection, 15.0),
    (CaseType::LookedAfter, 28.0),
    (CaseType::CareLeaver, 12.0),
];

/// The most cases or workers one generated model may have: as many as a model may hold
/// ([`crate::limits::MAX_ROWS`], the rows of one sheet), refused before anything is made.
pub const MAX_CASES: usize = crate::limits::MAX_ROWS;

fn check_args(a: &GenerateOptions) -> Result<()> {
    let usage = |m: String| Err(Error::Usage(m));
    if a.cases > MAX_CASES || a.workers > MAX_CASES {
        return usage(format!(
            "--cases and --workers are limited to {} (the rows of one sheet); split the model by team",
            crate::limits::count(MAX_CASES)
        ));
    }
    if a.workers == 0 {
        return usage("--workers must be at least 1".into());
    }
    if a.teams == 0 {
        return usage("--teams must be at least 1".into());
    }
    if a.teams > a.workers {
        return usage(format!(
            "--teams ({}) must not exceed --workers ({}): every team needs a post",
            a.teams, a.workers
        ));
    }
    for (name, v) in [("--vacant-share", a.vacant_share), ("--groups", a.groups)] {
        if !(v.is_finite() && (0.0..=1.0).contains(&v)) {
            return usage(format!("{name} must be a share between 0 and 1, got {}", crate::words::given(v)));
        }
    }
    if !a.mix.is_empty() && a.mix.iter().map(|m| m.1).sum::<f64>() <= 0.0 {
        return usage("--mix must give at least one case type a share above 0".into());
    }
    Ok(())
}

fn width(n: usize) -> usize {
    n.max(1).to_string().len().max(3)
}

/// Builds a synthetic model. Deterministic in the arguments (the output path aside).
pub fn generate(a: &GenerateOptions) -> Result<ModelFile> {
    check_args(a)?;
    let mut rng = SplitMix64::new(a.seed);
    let policy_in = policy_input(a);
    let policy = Policy::from_input(&policy_in);

    // Teams of uneven size: posts shared out by weights drawn from 0.7 to 1.3, at least one each.
    let team_names: Vec<String> = (1..=a.teams).map(|t| format!("Team{t:02}")).collect();
    let team_w: Vec<f64> = (0..a.teams).map(|_| 0.7 + 0.6 * rng.unit()).collect();
    let mut posts = apportion(a.workers - a.teams, &team_w);
    posts.iter_mut().for_each(|p| *p += 1);

    // Workers: each team has a manager first, then a role mix.
    let ww = width(a.workers);
    let mut workers: Vec<WorkerInput> = Vec::with_capacity(a.workers);
    let mut team_of_worker: Vec<usize> = Vec::with_capacity(a.workers);
    let role_shares: Vec<f64> = ROLE_MIX.iter().map(|r| r.1).collect();
    for (t, &n) in posts.iter().enumerate() {
        for k in 0..n {
            let role = if k == 0 { Role::TeamManager } else { ROLE_MIX[rng.weighted(&role_shares)].0 };
            let fte = if rng.chance(0.8) { None } else { Some([0.5, 0.6, 0.8][rng.below(3)]) };
            let skills = if rng.chance(0.1) {
                vec![LANGUAGES[rng.below(LANGUAGES.len())].to_string()]
            } else {
                vec![]
            };
            let agency = matches!(role, Role::SocialWorker | Role::SeniorSocialWorker) && rng.chance(0.1);
            workers.push(WorkerInput {
                id: format!("W{:0ww$}", workers.len() + 1),
                role,
                team: team_names[t].clone(),
                fte,
                cap: None,
                target: None,
                skills,
                supervisor: None,
                oversight_cap: None,
                status: None,
                agency: agency.then_some(true),
                reductions: vec![],
                name: None,
                notes: None,
            });
            team_of_worker.push(t);
        }
    }

    // Vacancies: an exact share of posts other than managers; then about 3% absent.
    let mut others: Vec<usize> =
        (0..workers.len()).filter(|&w| workers[w].role != Role::TeamManager).collect();
    rng.shuffle(&mut others);
    let vacant = ((a.vacant_share * a.workers as f64).round() as usize).min(others.len());
    let absent = ((0.03 * a.workers as f64).round() as usize).min(others.len() - vacant);
    for &w in &others[..vacant] {
        workers[w].status = Some(Status::Vacant);
        workers[w].agency = None;
    }
    for &w in &others[vacant..vacant + absent] {
        workers[w].status = Some(Status::Absent);
    }

    // Supervision: assistants and family support workers are supervised by a qualified worker of
    // their team, usually the manager or a senior, sometimes one who is away.
    // Each team's seniors and qualified workers, listed once: a list per supervised worker
    // made one team of 160,000 posts a minute's work.
    let mut by_team: Vec<Vec<usize>> = vec![Vec::new(); a.teams];
    let mut senior: Vec<Vec<usize>> = vec![Vec::new(); a.teams];
    let mut qualified: Vec<Vec<usize>> = vec![Vec::new(); a.teams];
    for (s, &t) in team_of_worker.iter().enumerate() {
        by_team[t].push(s);
        if matches!(workers[s].role, Role::TeamManager | Role::SeniorSocialWorker) {
            senior[t].push(s);
        }
        if policy.may_supervise(workers[s].role) {
            qualified[t].push(s);
        }
    }
    for w in 0..workers.len() {
        if !policy.is_supervised(workers[w].role) {
            continue;
        }
        let t = team_of_worker[w];
        let senior = &senior[t];
        // Never the worker itself (a role both supervised and supervising).
        let others: Vec<usize>;
        let qualified = if policy.may_supervise(workers[w].role) {
            others = qualified[t].iter().copied().filter(|&s| s != w).collect();
            &others
        } else {
            &qualified[t]
        };
        let pool = if !senior.is_empty() && rng.chance(0.8) { senior } else { qualified };
        if !pool.is_empty() {
            workers[w].supervisor = Some(workers[pool[rng.below(pool.len())]].id.clone());
        }
    }

    // Cases: team sizes follow the posts, with noise; types by the mix.
    let mix: Vec<(CaseType, f64)> = if a.mix.is_empty() { DEFAULT_MIX.to_vec() } else { a.mix.clone() };
    let type_counts = apportion(a.cases, &mix.iter().map(|m| m.1).collect::<Vec<_>>());
    let mut types: Vec<CaseType> = Vec::with_capacity(a.cases);
    for (i, &n) in type_counts.iter().enumerate() {
        types.extend(std::iter::repeat_n(mix[i].0, n));
    }
    rng.shuffle(&mut types);
    let case_w: Vec<f64> = posts.iter().map(|&p| p as f64 * (0.8 + 0.4 * rng.unit())).collect();
    let case_counts = apportion(a.cases, &case_w);
    let cw = width(a.cases);
    let mut cases: Vec<CaseInput> = Vec::with_capacity(a.cases);
    let mut team_of_case: Vec<usize> = Vec::with_capacity(a.cases);
    for (t, &n) in case_counts.iter().enumerate() {
        for _ in 0..n {
            cases.push(CaseInput::new(
                format!("C{:0cw$}", cases.len() + 1),
                types[cases.len()],
                team_names[t].clone(),
            ));
            team_of_case.push(t);
        }
    }

    // Today's allocation: about 85% of cases have a worker of their team whose role may hold
    // them, full-timers more often; some of those posts are now vacant or absent.
    for (c, case) in cases.iter_mut().enumerate() {
        if !rng.chance(0.85) {
            continue;
        }
        let team = &by_team[team_of_case[c]];
        let able: Vec<usize> =
            team.iter().copied().filter(|&w| policy.may_hold(workers[w].role, case.case_type)).collect();
        if able.is_empty() {
            continue;
        }
        let fte: Vec<f64> = able.iter().map(|&w| workers[w].fte.unwrap_or(1.0)).collect();
        case.current_worker = Some(workers[able[rng.weighted(&fte)]].id.clone());
    }

    // Needs: about 3% of cases need a language, usually one spoken in their team.
    for (c, case) in cases.iter_mut().enumerate() {
        if !rng.chance(0.03) {
            continue;
        }
        let spoken: Vec<&String> =
            by_team[team_of_case[c]].iter().flat_map(|&w| workers[w].skills.iter()).collect();
        let lang = if !spoken.is_empty() && rng.chance(0.8) {
            spoken[rng.below(spoken.len())].clone()
        } else {
            LANGUAGES[rng.below(LANGUAGES.len())].to_string()
        };
        case.needs = vec![lang];
    }

    // Exclusions: about 0.5% of cases may not go to one worker of their team.
    for (c, case) in cases.iter_mut().enumerate() {
        if rng.chance(0.005) {
            let team = &by_team[team_of_case[c]];
            case.exclude = vec![workers[team[rng.below(team.len())]].id.clone()];
        }
    }

    // Sibling groups: share F of each team's cases in groups of 2 to 4 with one current worker.
    if a.groups > 0.0 {
        let mut next = 1usize;
        let mut team_cases: Vec<Vec<usize>> = vec![Vec::new(); a.teams];
        for (c, &t) in team_of_case.iter().enumerate() {
            team_cases[t].push(c);
        }
        for members in team_cases.iter_mut() {
            rng.shuffle(members);
            let want = (a.groups * members.len() as f64).round() as usize;
            let mut i = 0;
            while want - i.min(want) >= 2 {
                let size = (2 + rng.below(3)).min(want - i);
                let mut group: Vec<usize> = members[i..i + size].to_vec();
                group.sort_unstable();
                let current = cases[group[0]].current_worker.clone();
                for &c in &group {
                    cases[c].group = Some(format!("G{next:06}"));
                    if cases[c].current_worker.is_some() {
                        cases[c].current_worker = current.clone();
                    }
                }
                next += 1;
                i += size;
            }
        }
    }

    let mut file = ModelFile {
        version: 1,
        policy: (policy_in != PolicyInput::default()).then_some(policy_in),
        workers,
        cases,
    };
    place_pins(&mut file, &mut rng)?;
    Ok(file)
}

fn policy_input(a: &GenerateOptions) -> PolicyInput {
    let mut p = PolicyInput::default();
    if a.weights {
        p.weights = Some(BTreeMap::from([
            (CaseType::ChildProtection, 1.5),
            (CaseType::LookedAfter, 1.0),
            (CaseType::ChildInNeed, 0.5),
            (CaseType::CareLeaver, 0.5),
        ]));
    }
    if a.cross_team {
        p.cross_team = Some(true);
    }
    if !a.cap.is_empty() {
        p.caps = Some(a.cap.iter().copied().collect());
    }
    if !a.target.is_empty() {
        p.targets = Some(a.target.iter().copied().collect());
    }
    p
}

/// Pins about 2% of cases that have a current worker, only where the pin is lawful: the worker
/// is permitted (rules 1-6), the pinned load fits its cap and the supervisor's oversight cap
/// (rules 7-8, with the rules' own tolerance).
/// Cases in sibling groups are never pinned.
fn place_pins(file: &mut ModelFile, rng: &mut SplitMix64) -> Result<()> {
    let bytes = crate::write::to_json(file);
    let m = crate::load_model_bytes("generated model", &bytes)?;
    let mut usage = rules::Usage::empty(&m);
    for case in file.cases.iter_mut() {
        if case.group.is_some() || !rng.chance(0.02) {
            continue;
        }
        let (Some(c), Some(w)) =
            (m.case_index(&case.id), case.current_worker.as_deref().and_then(|w| m.worker_index(w)))
        else {
            continue;
        };
        if rules::check_permitted(&m, c, w).is_err() {
            continue;
        }
        let weight = m.cases[c].weight;
        if usage.fits(&m, w, weight).is_err() {
            continue;
        }
        usage.add(&m, w, weight);
        case.pinned = Some(true);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(cases: usize, workers: usize, teams: usize, seed: u64) -> GenerateOptions {
        GenerateOptions {
            cases,
            workers,
            teams,
            seed,
            vacant_share: 0.16,
            weights: false,
            groups: 0.0,
            cross_team: false,
            mix: vec![],
            cap: vec![],
            target: vec![],
        }
    }

    fn bytes(a: &GenerateOptions) -> Vec<u8> {
        crate::write::to_json(&generate(a).unwrap())
    }

    #[test]
    fn a_share_out_of_range_is_quoted_compactly() {
        let mut a = args(10, 5, 1, 1);
        a.vacant_share = 1e308;
        let e = check_args(&a).unwrap_err().to_string();
        assert!(e.contains("--vacant-share must be a share between 0 and 1, got 1e308"), "{e}");
        a.vacant_share = 0.1;
        a.groups = -1e-320;
        let e = check_args(&a).unwrap_err().to_string();
        assert!(e.contains("--groups must be a share between 0 and 1, got -1e-320"), "{e}");
    }

    #[test]
    fn same_seed_gives_the_same_bytes_and_another_seed_does_not() {
        let mut a = args(500, 40, 3, 7);
        a.groups = 0.2;
        a.weights = true;
        assert_eq!(bytes(&a), bytes(&a));
        let mut b = a.clone();
        b.seed = 8;
        assert_ne!(bytes(&a), bytes(&b));
    }

    #[test]
    fn every_generated_model_validates() {
        for seed in 0..12 {
            let mut a = args(50 + 97 * seed as usize, 3 + 5 * seed as usize, 1 + (seed as usize % 4), seed);
            a.weights = seed % 2 == 0;
            a.groups = [0.0, 0.1, 0.3, 1.0][seed as usize % 4];
            a.cross_team = seed % 3 == 0;
            a.vacant_share = [0.0, 0.16, 0.5, 1.0][(seed as usize / 2) % 4];
            if seed == 5 {
                a.cap = vec![(Role::SocialWorker, 40.0)];
                a.target = vec![(Role::SocialWorker, 18.0)];
            }
            let b = bytes(&a);
            let m = crate::load_model_bytes("generated", &b).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
            assert_eq!(m.cases.len(), a.cases);
            assert_eq!(m.workers.len(), a.workers);
        }
    }

    #[test]
    fn mix_given_as_counts_is_exact_and_vacancies_are_an_exact_share() {
        let mut a = args(5638, 375, 10, 2010);
        a.mix = vec![(CaseType::ChildInNeed, 3639.0), (CaseType::LookedAfter, 1999.0)];
        let f = generate(&a).unwrap();
        let la = f.cases.iter().filter(|c| c.case_type == CaseType::LookedAfter).count();
        assert_eq!(la, 1999);
        let vacant = f.workers.iter().filter(|w| w.status == Some(Status::Vacant)).count();
        assert_eq!(vacant, 60);
    }

    #[test]
    fn groups_hold_two_to_four_cases_of_one_team() {
        let mut a = args(400, 30, 3, 3);
        a.groups = 0.5;
        let f = generate(&a).unwrap();
        let mut groups: BTreeMap<&str, Vec<&CaseInput>> = BTreeMap::new();
        for c in &f.cases {
            if let Some(g) = &c.group {
                groups.entry(g).or_default().push(c);
            }
        }
        assert!(!groups.is_empty());
        for members in groups.values() {
            assert!((2..=4).contains(&members.len()));
            assert!(members.iter().all(|c| c.team == members[0].team));
        }
    }

    #[test]
    fn refuses_nonsense_arguments_with_a_message() {
        let mut a = args(10, 0, 1, 1);
        assert!(matches!(generate(&a), Err(Error::Usage(_))));
        a.cases = usize::MAX;
        assert!(matches!(generate(&a), Err(Error::Usage(_))));
        a.cases = 10;
        // Above the rows a model may hold: refused before anything is made.
        a.workers = MAX_CASES + 1;
        let Err(Error::Usage(m)) = generate(&a) else { panic!("more posts than a model holds") };
        assert!(m.contains("1,048,576"), "{m}");
        a.workers = 5;
        a.vacant_share = 1.5;
        assert!(matches!(generate(&a), Err(Error::Usage(_))));
    }
}
