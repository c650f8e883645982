//! Who may hold what (SPEC section 3). Everything else uses this module: the formulation builds
//! its variables from [`eligibility`], [`crate::explain`] takes structural reasons from it, and
//! [`crate::check`] judges any allocation with [`check_permitted`].

use crate::model::Model;
use crate::model::Status;
use crate::proposal::ReasonCode;
use std::collections::HashMap;

/// Tolerance for comparing loads with caps.
pub const EPS: f64 = 1e-9;

/// Why one case may not go to one worker: the first of rules 1 to 6 that fails.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// Rule 1: the worker is vacant or absent.
    Inactive(Status),
    /// Rule 2: the worker's role may not hold this type of case.
    Role,
    /// Rule 3: the worker is in another team and cross-team allocation is off.
    OtherTeam,
    /// Rule 4: the worker lacks these needed skills.
    Needs(Vec<String>),
    /// Rule 5: the worker is in the case's exclude list.
    Excluded,
    /// Rule 6: the worker is in a supervised role without an active, qualified supervisor.
    Unsupervised,
}

impl Block {
    /// Plain words, for a breach or an error message.
    pub fn describe(&self, m: &Model, c: usize, w: usize) -> String {
        let worker = &m.workers[w];
        let case = &m.cases[c];
        match self {
            Block::Inactive(s) => format!(
                "{} is {}",
                worker.id,
                match s {
                    Status::Vacant => "a vacant post",
                    Status::Absent => "absent",
                    Status::Active => "active",
                }
            ),
            Block::Role => format!(
                "a {} may not hold a {} case",
                worker.role.name().replace('_', " "),
                case.case_type.words()
            ),
            Block::OtherTeam => format!(
                "{} is in team {} and the case belongs to team {}",
                worker.id, m.teams[worker.team], m.teams[case.team]
            ),
            Block::Needs(missing) => {
                format!("{} lacks the needed skill(s) {}", worker.id, missing.join(", "))
            }
            Block::Excluded => format!("{} is in the case's exclude list", worker.id),
            Block::Unsupervised => format!(
                "{} is a {} without an active, qualified supervisor",
                worker.id,
                worker.role.name().replace('_', " ")
            ),
        }
    }
}

/// Rule 6 for one worker: true when the worker is not in a supervised role, or its supervisor
/// is active and in a supervisor role.
pub fn supervision_ok(m: &Model, w: usize) -> bool {
    let worker = &m.workers[w];
    if !m.policy.is_supervised(worker.role) {
        return true;
    }
    worker.supervisor.is_some_and(|s| {
        let sup = &m.workers[s];
        sup.status == Status::Active && m.policy.may_supervise(sup.role)
    })
}

/// The supervisor whose oversight cap a worker's cases count against (rule 8), if any.
pub fn overseer(m: &Model, w: usize) -> Option<usize> {
    let worker = &m.workers[w];
    if m.policy.is_supervised(worker.role) {
        worker.supervisor
    } else {
        None
    }
}

/// Rules 1 to 6: may case `c` go to worker `w`? Checked in rule order.
pub fn check_permitted(m: &Model, c: usize, w: usize) -> Result<(), Block> {
    let worker = &m.workers[w];
    let case = &m.cases[c];
    if worker.status != Status::Active {
        return Err(Block::Inactive(worker.status));
    }
    if !m.policy.may_hold(worker.role, case.case_type) {
        return Err(Block::Role);
    }
    if worker.team != case.team && !m.policy.cross_team {
        return Err(Block::OtherTeam);
    }
    let missing: Vec<String> =
        case.needs.iter().filter(|n| worker.skills.binary_search(n).is_err()).cloned().collect();
    if !missing.is_empty() {
        return Err(Block::Needs(missing));
    }
    if case.exclude.binary_search(&w).is_ok() {
        return Err(Block::Excluded);
    }
    if !supervision_ok(m, w) {
        return Err(Block::Unsupervised);
    }
    Ok(())
}

/// Can a worker ever hold this much weight alone (its cap, and its supervisor's oversight cap)?
pub fn fits_ever(m: &Model, w: usize, weight: f64) -> bool {
    m.workers[w].cap + EPS >= weight
        && overseer(m, w).is_none_or(|s| m.workers[s].oversight_cap + EPS >= weight)
}

/// Who may hold each case, decided once per profile of cases that the rules cannot tell apart.
#[derive(Clone, Debug)]
pub struct Eligibility {
    /// Profile index of each case.
    pub case_profile: Vec<usize>,
    /// Workers permitted by rules 1 to 6 for each profile, sorted.
    pub profiles: Vec<Vec<usize>>,
    /// Per case: the structural reasons it can never be allocated (empty when it can be).
    pub structural: Vec<Vec<ReasonCode>>,
}

impl Eligibility {
    /// The workers permitted for case `c` by rules 1 to 6.
    pub fn workers(&self, c: usize) -> &[usize] {
        &self.profiles[self.case_profile[c]]
    }
}

/// Computes who may hold every case, and the structural reasons of those nobody may hold.
pub fn eligibility(m: &Model) -> Eligibility {
    let mut by_team: Vec<Vec<usize>> = vec![Vec::new(); m.teams.len()];
    for (w, worker) in m.workers.iter().enumerate() {
        by_team[worker.team].push(w);
    }
    let all: Vec<usize> = (0..m.workers.len()).collect();

    // Cases of one type, team, needs and exclusions are told apart by no rule.
    type ProfileKey<'m> = (crate::model::CaseType, usize, &'m [String], &'m [usize]);
    let mut key_to_profile: HashMap<ProfileKey, usize> = HashMap::new();
    let mut profiles: Vec<Vec<usize>> = Vec::new();
    let mut profile_reasons: Vec<Vec<ReasonCode>> = Vec::new();
    let mut case_profile = Vec::with_capacity(m.cases.len());
    for (c, case) in m.cases.iter().enumerate() {
        let key = (case.case_type, case.team, case.needs.as_slice(), case.exclude.as_slice());
        let p = *key_to_profile.entry(key).or_insert_with(|| {
            let candidates = if m.policy.cross_team { &all } else { &by_team[case.team] };
            let (workers, reasons) = permitted_and_reasons(m, c, candidates);
            profiles.push(workers);
            profile_reasons.push(reasons);
            profiles.len() - 1
        });
        case_profile.push(p);
    }

    let mut structural: Vec<Vec<ReasonCode>> =
        case_profile.iter().map(|&p| profile_reasons[p].clone()).collect();
    // Single cases heavier than any permitted worker could ever hold.
    for (c, case) in m.cases.iter().enumerate() {
        let ws = &profiles[case_profile[c]];
        if case.group.is_none() && !ws.is_empty() && !ws.iter().any(|&w| fits_ever(m, w, case.weight)) {
            structural[c].push(ReasonCode::WeightOverCap);
        }
    }
    // Sibling groups: one worker must be permitted for every member and able to hold them all.
    for g in &m.groups {
        if g.members.iter().any(|&c| m.cases[c].pinned) {
            continue; // validated: the pin itself places the whole group lawfully or is an error
        }
        let weight: f64 = g.members.iter().map(|&c| m.cases[c].weight).sum();
        let common = group_workers(&profiles, &case_profile, &g.members);
        if !common.iter().any(|&w| fits_ever(m, w, weight)) {
            for &c in &g.members {
                structural[c].push(ReasonCode::GroupUnplaceable);
            }
        }
    }
    Eligibility { case_profile, profiles, structural }
}

/// Workers permitted for every member of a group, sorted.
pub fn group_workers(profiles: &[Vec<usize>], case_profile: &[usize], members: &[usize]) -> Vec<usize> {
    let mut common: Vec<usize> = match members.first() {
        Some(&c) => profiles[case_profile[c]].clone(),
        None => return Vec::new(),
    };
    for &c in &members[1..] {
        let ws = &profiles[case_profile[c]];
        common.retain(|w| ws.binary_search(w).is_ok());
    }
    common
}

/// Filters candidates through rules 1-6 for a representative case, and when none remains says
/// which rule emptied the list (the structural reasons of SPEC section 5).
fn permitted_and_reasons(m: &Model, c: usize, candidates: &[usize]) -> (Vec<usize>, Vec<ReasonCode>) {
    let mut permitted = Vec::new();
    let (mut reachable, mut skilled, mut excluded, mut unsupervised) = (false, false, false, false);
    for &w in candidates {
        match check_permitted(m, c, w) {
            Ok(()) => permitted.push(w),
            Err(Block::Inactive(_) | Block::Role | Block::OtherTeam) => {}
            Err(Block::Needs(_)) => reachable = true,
            Err(Block::Excluded) => {
                reachable = true;
                skilled = true;
                excluded = true;
            }
            Err(Block::Unsupervised) => {
                reachable = true;
                skilled = true;
                unsupervised = true;
            }
        }
    }
    if !permitted.is_empty() {
        return (permitted, Vec::new());
    }
    let reasons = if !reachable {
        vec![ReasonCode::NoPermittedWorker]
    } else if !skilled {
        vec![ReasonCode::NeedsUnmet]
    } else {
        let mut r = Vec::new();
        if excluded {
            r.push(ReasonCode::Excluded);
        }
        // An excluded worker is reported as excluded even if also unsupervised; a worker that is
        // only unsupervised makes `unsupervised` true as well.
        if unsupervised {
            r.push(ReasonCode::Unsupervised);
        }
        r
    };
    (permitted, reasons)
}
