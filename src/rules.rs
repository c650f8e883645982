//! What makes an allocation lawful: all ten rules of SPEC section 3 and the extension rule 11
//! (`no_agency`), in one place. Everything else asks this module: the formulation builds its
//! variables from [`eligibility`],
//! [`crate::validate`] checks pins with [`check_pins`] (rule 10), [`crate::explain`] takes
//! structural reasons from it and judges capacity with [`Usage`], [`crate::check`] judges any
//! allocation with [`check_permitted`] and [`Usage::breaches`], and the generator and `whatif`
//! place pins and posts with the same tests.
//!
//! The rules decide; [`crate::words`] says it. [`Rule`] gives each rule its code (`rule7`),
//! [`Block`] each refusal, [`PinBreak`] each refused pin and [`ReasonCode`] each reason, and
//! `words` gives each its words (its heading, what it means for the manager, and the sentence
//! for the family).

use crate::model::Model;
use crate::model::{Policy, Role, Status};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Tolerance for comparing loads with caps.
pub const EPS: f64 = crate::tolerance::EQUAL;

/// Whether `amount` is within `cap` (with the tolerance [`EPS`]): the one comparison of rules
/// 7 and 8.
pub fn within(amount: f64, cap: f64) -> bool {
    amount <= cap + EPS
}

/// The ten rules of SPEC section 3, numbered as there, and the extension rules after them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// 1: the worker is active.
    Active,
    /// 2: the worker's role may hold the case's type.
    Role,
    /// 3: same team, or cross-team allocation allowed.
    Team,
    /// 4: the worker has every needed skill.
    Skills,
    /// 5: the worker is not excluded.
    Exclusion,
    /// 6: a supervised worker has an active, qualified supervisor.
    Supervision,
    /// 7: load within the worker's cap.
    Cap,
    /// 8: supervisees' load within the supervisor's oversight cap.
    Oversight,
    /// 9: a sibling group goes to one worker or none.
    Siblings,
    /// 10: a pinned case stays with its current worker.
    Pin,
    /// 11 (extension): a case marked `no_agency` does not go to an agency worker.
    Agency,
}

impl Rule {
    /// Every rule, in order.
    pub const ALL: [Rule; 11] = [
        Rule::Active,
        Rule::Role,
        Rule::Team,
        Rule::Skills,
        Rule::Exclusion,
        Rule::Supervision,
        Rule::Cap,
        Rule::Oversight,
        Rule::Siblings,
        Rule::Pin,
        Rule::Agency,
    ];

    /// Its number in SPEC section 3.
    pub fn number(self) -> usize {
        Rule::ALL.iter().position(|r| *r == self).map_or(0, |i| i + 1)
    }

    /// The stable breach code: `rule1` .. `rule11`.
    pub fn code(self) -> String {
        format!("rule{}", self.number())
    }

    /// The rule of a breach code, if it is one.
    pub fn from_code(code: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.code() == code)
    }
}

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
    /// Rule 11: the case is marked `no_agency` and the worker is an agency worker.
    Agency,
}

impl Block {
    /// The rule this verdict is.
    pub fn rule(&self) -> Rule {
        match self {
            Block::Inactive(_) => Rule::Active,
            Block::Role => Rule::Role,
            Block::OtherTeam => Rule::Team,
            Block::Needs(_) => Rule::Skills,
            Block::Excluded => Rule::Exclusion,
            Block::Unsupervised => Rule::Supervision,
            Block::Agency => Rule::Agency,
        }
    }
}

/// Rule 6's test of a supervisor: active and in a supervisor role. Also asked of the raw model
/// file (`whatif --hire` picks supervisors with it).
pub fn qualified_supervisor(policy: &Policy, role: Role, status: Status) -> bool {
    status == Status::Active && policy.may_supervise(role)
}

/// Rule 6 for one worker: true when the worker is not in a supervised role, or its supervisor
/// is active and in a supervisor role.
pub fn supervision_ok(m: &Model, w: usize) -> bool {
    let worker = &m.workers[w];
    if !m.policy.is_supervised(worker.role) {
        return true;
    }
    worker.supervisor.is_some_and(|s| qualified_supervisor(&m.policy, m.workers[s].role, m.workers[s].status))
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
    if case.no_agency && worker.agency {
        return Err(Block::Agency);
    }
    Ok(())
}

/// Can a worker ever hold this much weight alone (its cap, and its supervisor's oversight cap)?
pub fn fits_ever(m: &Model, w: usize, weight: f64) -> bool {
    never_fits(m, w, weight).is_none()
}

/// Which cap stops worker `w` from ever holding `weight`, even alone: its own (rule 7) or its
/// supervisor's oversight cap (rule 8). `None` when the weight fits both.
pub fn never_fits(m: &Model, w: usize, weight: f64) -> Option<Rule> {
    if !within(weight, m.workers[w].cap) {
        Some(Rule::Cap)
    } else if overseer(m, w).is_some_and(|s| !within(weight, m.workers[s].oversight_cap)) {
        Some(Rule::Oversight)
    } else {
        None
    }
}

/// What an allocation uses of every worker's cap (rule 7: `load`) and every supervisor's
/// oversight cap (rule 8: `oversight`, the weight of the cases held by its supervisees).
#[derive(Clone, Debug, PartialEq)]
pub struct Usage {
    /// Sum of the weights of each worker's cases.
    pub load: Vec<f64>,
    /// Weight each worker oversees for its supervisees.
    pub oversight: Vec<f64>,
}

impl Usage {
    /// Nothing allocated.
    pub fn empty(m: &Model) -> Usage {
        Usage { load: vec![0.0; m.workers.len()], oversight: vec![0.0; m.workers.len()] }
    }

    /// The usage of a case-level allocation.
    pub fn of(m: &Model, assignment: &[Option<usize>]) -> Usage {
        let mut u = Usage::empty(m);
        for (c, a) in assignment.iter().enumerate() {
            if let Some(w) = *a {
                u.add(m, w, m.cases[c].weight);
            }
        }
        u
    }

    /// Gives `weight` more to worker `w` (and to its overseer's oversight).
    pub fn add(&mut self, m: &Model, w: usize, weight: f64) {
        self.load[w] += weight;
        if let Some(s) = overseer(m, w) {
            self.oversight[s] += weight;
        }
    }

    /// Would `weight` more still fit worker `w`? `Err` names the cap that stops it: the worker's
    /// own (rule 7) first, then its supervisor's oversight cap (rule 8).
    pub fn fits(&self, m: &Model, w: usize, weight: f64) -> Result<(), Rule> {
        if !within(self.load[w] + weight, m.workers[w].cap) {
            return Err(Rule::Cap);
        }
        if overseer(m, w).is_some_and(|s| !within(self.oversight[s] + weight, m.workers[s].oversight_cap)) {
            return Err(Rule::Oversight);
        }
        Ok(())
    }

    /// Every worker over its cap (rule 7) or its oversight cap (rule 8), in worker order.
    pub fn breaches(&self, m: &Model) -> Vec<(usize, Rule)> {
        let mut out = Vec::new();
        for (w, worker) in m.workers.iter().enumerate() {
            if !within(self.load[w], worker.cap) {
                out.push((w, Rule::Cap));
            }
            if !within(self.oversight[w], worker.oversight_cap) {
                out.push((w, Rule::Oversight));
            }
        }
        out
    }
}

/// Rule 10: every pinned case must be lawful where it is pinned, together with the other pins
/// and with the unpinned siblings that rule 9 makes follow it to the same worker. Returns the
/// (model) index of the first offending case and the problem, in words that say what to do.
pub fn check_pins(m: &Model) -> Result<(), (usize, PinBreak)> {
    let mut usage = Usage::empty(m);
    let mut counted = vec![false; m.cases.len()];
    for (ci, c) in m.cases.iter().enumerate() {
        let Some(w) = c.current_worker.filter(|_| c.pinned) else { continue };
        if let Err(block) = check_permitted(m, ci, w) {
            return Err((ci, PinBreak::Refused { case: ci, worker: w, block }));
        }
        // The cases this pin places: itself, and every sibling (rule 9).
        let mut placed = vec![ci];
        if let Some(g) = c.group {
            for &other in &m.groups[g].members {
                let o = &m.cases[other];
                if other == ci {
                    continue;
                }
                if o.pinned && o.current_worker != Some(w) {
                    return Err((
                        ci,
                        PinBreak::SiblingElsewhere { case: ci, worker: w, sibling: other, group: g },
                    ));
                }
                if let Err(block) = check_permitted(m, other, w) {
                    return Err((
                        ci,
                        PinBreak::SiblingRefused { case: ci, worker: w, sibling: other, group: g, block },
                    ));
                }
                placed.push(other);
            }
        }
        for x in placed {
            if std::mem::replace(&mut counted[x], true) {
                continue;
            }
            let weight = m.cases[x].weight;
            let verdict = usage.fits(m, w, weight);
            usage.add(m, w, weight);
            match verdict {
                Ok(()) => {}
                Err(Rule::Cap) => return Err((ci, PinBreak::Cap { worker: w, load: usage.load[w] })),
                Err(_) => {
                    let s = overseer(m, w).unwrap_or(w);
                    return Err((ci, PinBreak::Oversight { supervisor: s, oversight: usage.oversight[s] }));
                }
            }
        }
    }
    Ok(())
}

/// Why rule 10 refuses a model's pins (model indices); [`crate::words::pin`] says it.
#[derive(Clone, Debug, PartialEq)]
pub enum PinBreak {
    /// The pinned case may not go to its worker.
    Refused {
        /// The pinned case.
        case: usize,
        /// Its worker.
        worker: usize,
        /// Why not.
        block: Block,
    },
    /// A sibling of the pinned case is pinned to another worker.
    SiblingElsewhere {
        /// The pinned case.
        case: usize,
        /// Its worker.
        worker: usize,
        /// The sibling pinned elsewhere.
        sibling: usize,
        /// Their group.
        group: usize,
    },
    /// A sibling that must follow the pinned case may not go to its worker.
    SiblingRefused {
        /// The pinned case.
        case: usize,
        /// Its worker.
        worker: usize,
        /// The sibling that must follow.
        sibling: usize,
        /// Their group.
        group: usize,
        /// Why the sibling may not go there.
        block: Block,
    },
    /// The cases pinned to a worker weigh `load`, above its cap.
    Cap {
        /// The worker.
        worker: usize,
        /// What its pinned cases weigh.
        load: f64,
    },
    /// The cases pinned to a supervisor's supervisees weigh `oversight`, above its oversight cap.
    Oversight {
        /// The supervisor.
        supervisor: usize,
        /// What its supervisees' pinned cases weigh.
        oversight: f64,
    },
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
    /// Per team, the staffed teams it is one slip of when no worker is in it (`T0l` for
    /// `T01`): filled by the reasons on first use, once per model rather than once per case.
    pub team_slips: std::sync::OnceLock<Vec<Vec<String>>>,
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

    // Cases of one type, team, needs, exclusions and no_agency mark are told apart by no rule.
    type ProfileKey<'m> = (crate::model::CaseType, usize, &'m [String], &'m [usize], bool);
    let mut key_to_profile: HashMap<ProfileKey, usize> = HashMap::new();
    let mut profiles: Vec<Vec<usize>> = Vec::new();
    let mut profile_reasons: Vec<Vec<ReasonCode>> = Vec::new();
    let mut case_profile = Vec::with_capacity(m.cases.len());
    for (c, case) in m.cases.iter().enumerate() {
        let key = (case.case_type, case.team, case.needs.as_slice(), case.exclude.as_slice(), case.no_agency);
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
    Eligibility { case_profile, profiles, structural, team_slips: Default::default() }
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
    let (mut reachable, mut skilled, mut excluded, mut unsupervised, mut agency) =
        (false, false, false, false, false);
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
            Err(Block::Agency) => {
                reachable = true;
                skilled = true;
                agency = true;
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
        if agency {
            r.push(ReasonCode::AgencyOnly);
        }
        r
    };
    (permitted, reasons)
}

/// Stable reason codes (SPEC section 5, plus four extensions marked below).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    /// No active worker it can reach has a role that may hold this type of case.
    NoPermittedWorker,
    /// Workers of a permitted role exist, but none has every needed skill.
    NeedsUnmet,
    /// The only otherwise permitted workers are in its exclude list.
    Excluded,
    /// The only otherwise permitted workers are supervised roles without a qualified supervisor.
    Unsupervised,
    /// No single worker may lawfully hold every case of its sibling group, or none has a cap that large.
    GroupUnplaceable,
    /// Extension (rule 11): the only otherwise permitted workers are agency workers, and the case
    /// is marked `no_agency`.
    AgencyOnly,
    /// Extension: the case alone weighs more than any permitted worker's cap (or oversight cap).
    WeightOverCap,
    /// Permitted workers exist, but their capacity is taken by other cases.
    AtCapacity,
    /// The only permitted workers with room are supervised, and their supervisors' oversight is full.
    OversightAtCapacity,
    /// Permitted workers have room only above their target, where the overload penalty
    /// outweighs this case's priority.
    OnlyAboveTarget,
    /// Extension: a permitted worker has room, but the case's priority does not outweigh the
    /// cross-team penalty (or is zero).
    NotWorthAllocating,
    /// Extension: permitted workers have room, but under the fairness setting the cost of the
    /// load it adds there (with any overload) outweighs this case's priority.
    FairnessCost,
    /// Extension: the search stopped (time limit or interruption) before placing it.
    SearchStopped,
}

impl ReasonCode {
    /// Structural reasons: no extra capacity would allocate the case.
    pub fn is_structural(self) -> bool {
        matches!(
            self,
            ReasonCode::NoPermittedWorker
                | ReasonCode::NeedsUnmet
                | ReasonCode::Excluded
                | ReasonCode::Unsupervised
                | ReasonCode::GroupUnplaceable
                | ReasonCode::WeightOverCap
                | ReasonCode::AgencyOnly
        )
    }

    /// The code as written in the proposal.
    pub fn name(self) -> &'static str {
        match self {
            ReasonCode::NoPermittedWorker => "no_permitted_worker",
            ReasonCode::NeedsUnmet => "needs_unmet",
            ReasonCode::Excluded => "excluded",
            ReasonCode::Unsupervised => "unsupervised",
            ReasonCode::GroupUnplaceable => "group_unplaceable",
            ReasonCode::AgencyOnly => "agency_only",
            ReasonCode::WeightOverCap => "weight_over_cap",
            ReasonCode::AtCapacity => "at_capacity",
            ReasonCode::OversightAtCapacity => "oversight_at_capacity",
            ReasonCode::OnlyAboveTarget => "only_above_target",
            ReasonCode::NotWorthAllocating => "not_worth_allocating",
            ReasonCode::FairnessCost => "fairness_cost",
            ReasonCode::SearchStopped => "search_stopped",
        }
    }
}
