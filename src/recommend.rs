//! `caseload recommend`: for one child's case (in the model, or a new referral), every worker
//! who may lawfully take it, ranked by the optimum of the whole model with the case placed on
//! that worker, and for every worker who may not, the rule that stops them.
//!
//! Placing case `c` on worker `w` is a model transform, not a change to the solver: `c` is
//! pinned to `w` (its siblings follow it there, rule 9) and the model is solved by
//! [`crate::solve_model`] under the same [`Limits`] as `allocate`. The allocation found is then
//! judged by the objective of the *original* model ([`objective::terms`]), so the case's real
//! current worker decides the move penalty.
//!
//! Only the part of the problem that holds `c` feels where `c` goes: the formulation's parts
//! are independent, and pinning `c` to one of its own permitted workers only takes room from
//! that worker (and its supervisor's oversight), all inside `c`'s part. So the model is solved
//! once as it is, and for each permitted worker only a sub-model is solved: every worker, the
//! cases of `c`'s part and every fixed (pinned) case. Its solver parts are exactly the parts
//! the whole transformed model would have for those cases, so putting its allocation into the
//! model's optimum gives the optimum of the whole transformed model.
//!
//! Whether `w` may take `c` at all is asked of [`rules`]: rules 1 to 6 for the case and every
//! sibling ([`rules::check_permitted`]), rule 10 when the case or a sibling is pinned
//! elsewhere, and rules 7 and 8 with the pinned cases ([`Usage`]). Each refusal names its rule
//! in the words of [`crate::words::breach`] (which asks [`Rule::words`]).

use crate::check;
use crate::error::{Error, Result};
use crate::explain::round9;
use crate::formulate::{self, Problem};
use crate::model::{CaseInput, CaseType, Model, ModelFile};
use crate::objective;
use crate::proposal::{Change, ObjectiveTerms};
use crate::rules::{self, Rule, Usage};
use crate::solve::Limits;
use crate::warnings::quoted as q;
use rayon::prelude::*;
use serde::Serialize;

/// What `recommend` found for one case.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct Recommendation {
    /// The first line of the table, in words: the first choice of `workers` (every worker
    /// tied with it named, and why it comes first), and any child that choice would displace.
    pub headline: String,
    /// The case's id.
    pub case: String,
    /// Its type.
    #[serde(rename = "type")]
    pub case_type: CaseType,
    /// Its team.
    pub team: String,
    /// Its weight.
    pub weight: f64,
    /// Who holds it today, if anyone.
    pub current_worker: Option<String>,
    /// True when the case is a new referral, added to the model for this question only.
    pub referral: bool,
    /// True when every objective below was proven optimal.
    pub optimal: bool,
    /// What `allocate` does with the case left free: the model's optimum and where it puts the
    /// case (`null`: it stays unallocated).
    pub allocate: Baseline,
    /// Every worker who may lawfully take the case, best first.
    pub workers: Vec<Candidate>,
    /// Every worker who may not, by worker id, with the rule that stops them.
    pub not_permitted: Vec<NotPermitted>,
}

/// The model's own optimum, with the case free to go anywhere or nowhere.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct Baseline {
    /// The optimum of the whole model.
    pub objective: f64,
    /// Where that optimum puts the case (`null`: unallocated).
    pub worker: Option<String>,
    /// Proven optimal.
    pub optimal: bool,
}

/// One worker who may take the case, and the best allocation with the case there.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct Candidate {
    /// Worker id.
    pub worker: String,
    /// Team of the worker.
    pub team: String,
    /// The optimum of the whole model with the case (and its siblings) placed on this worker.
    pub objective: f64,
    /// How far below the first choice's objective (0 for the first).
    pub below_best: f64,
    /// The worker's load in that allocation.
    pub load_after: f64,
    /// `load_after` as a percentage of the worker's target (`null` when the target is 0).
    pub percent_after: Option<f64>,
    /// The worker's target (manageable caseload).
    pub target: f64,
    /// The worker's cap.
    pub cap: f64,
    /// The weight of the cases the worker holds today (`current_worker`), this case aside.
    pub load_today: f64,
    /// What placing the case here is for the child: kept, moved or new.
    pub change: Change,
    /// True when the worker held the case before (`previous_workers`): the child would return
    /// to someone it knows.
    pub returns: bool,
    /// The objective of that allocation, term by term.
    pub objective_terms: ObjectiveTerms,
    /// Proven optimal.
    pub optimal: bool,
    /// Every other child whose worker in that allocation differs from `allocate`'s optimum
    /// (the case's siblings aside): it leaves that worker for another, or is left with none.
    pub displaced: Vec<Displaced>,
    /// The whole allocation (worker index of each case of the model), for callers that want
    /// to write or check it; not serialised.
    #[serde(skip)]
    pub assignment: Vec<Option<usize>>,
}

/// A child who would leave its worker in `allocate`'s optimum because of where the case goes.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct Displaced {
    /// The child's case id.
    pub case: String,
    /// Its worker in `allocate`'s optimum.
    pub from: String,
    /// Its worker with the case placed (`null`: it would have none).
    pub to: Option<String>,
}

/// A worker who may not take the case.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct NotPermitted {
    /// Worker id.
    pub worker: String,
    /// The rule's code, `rule1` .. `rule11`.
    pub rule: String,
    /// The rule in words (as `check` words a breach of it).
    pub reason: String,
    /// What makes it so for this worker and case.
    pub detail: String,
}

/// Why worker `w` may not take case `c`: the rule, and the facts in words.
fn verdict(
    m: &Model,
    c: usize,
    w: usize,
    fixed: &[Option<usize>],
    pinned_usage: &Usage,
) -> Option<(Rule, String)> {
    let case = &m.cases[c];
    let worker = &m.workers[w];
    let group = case.group.map(|g| &m.groups[g]);
    let siblings: Vec<usize> =
        group.map_or(Vec::new(), |g| g.members.iter().copied().filter(|&o| o != c).collect());
    if let Some(w0) = fixed[c] {
        if w0 == w {
            return None;
        }
        if case.pinned {
            return Some((Rule::Pin, format!("case {} is pinned to {}", q(&case.id), q(&m.workers[w0].id))));
        }
        let pinned = siblings.iter().copied().find(|&o| m.cases[o].pinned).unwrap_or(c);
        return Some((
            Rule::Siblings,
            format!(
                "its sibling {} in group {} is pinned to {}, and siblings go to one worker",
                q(&m.cases[pinned].id),
                q(group.map_or("", |g| g.name.as_str())),
                q(&m.workers[w0].id)
            ),
        ));
    }
    if let Err(block) = rules::check_permitted(m, c, w) {
        return Some((block.rule(), crate::words::block(&block, m, c, w)));
    }
    for &o in &siblings {
        if let Err(block) = rules::check_permitted(m, o, w) {
            return Some((
                Rule::Siblings,
                format!(
                    "its sibling {} in group {} must go to {} too, but {}",
                    q(&m.cases[o].id),
                    q(group.map_or("", |g| g.name.as_str())),
                    q(&worker.id),
                    crate::words::block(&block, m, o, w)
                ),
            ));
        }
    }
    let weight: f64 = case.weight + siblings.iter().map(|&o| m.cases[o].weight).sum::<f64>();
    let with = if siblings.is_empty() {
        "this case".to_string()
    } else {
        format!("this case and its {}", crate::words::count(siblings.len(), "sibling", "siblings"))
    };
    match pinned_usage.fits(m, w, weight) {
        Ok(()) => None,
        Err(Rule::Cap) => Some((
            Rule::Cap,
            format!(
                "with {with} and the cases pinned to it, {} would carry {} against a cap of {}",
                worker.id,
                round9(pinned_usage.load[w] + weight),
                worker.cap
            ),
        )),
        Err(rule) => {
            let s = rules::overseer(m, w).unwrap_or(w);
            Some((
                rule,
                format!(
                    "with {with} and the pinned cases, {} would oversee {} of its supervisees' cases against an oversight cap of {}",
                    m.workers[s].id,
                    round9(pinned_usage.oversight[s] + weight),
                    m.workers[s].oversight_cap
                ),
            ))
        }
    }
}

/// Every worker's verdict for case `c`: the permitted workers, and the others with their rule.
pub fn permitted_workers(m: &Model, c: usize) -> (Vec<usize>, Vec<NotPermitted>) {
    let fixed = formulate::fixed_cases(m);
    let pinned_usage = Usage::of(m, &fixed);
    let mut yes = Vec::new();
    let mut no = Vec::new();
    for w in 0..m.workers.len() {
        match verdict(m, c, w, &fixed, &pinned_usage) {
            None => yes.push(w),
            Some((rule, detail)) => no.push(NotPermitted {
                worker: m.workers[w].id.clone(),
                rule: rule.code(),
                reason: crate::words::breach(&rule.code()),
                detail,
            }),
        }
    }
    (yes, no)
}

/// The cases whose allocation can depend on where case `c` goes: those of the formulation part
/// that holds `c`, and every fixed case (they take room). `None` when `c` is in no part.
fn region(m: &Model, problem: &Problem, c: usize) -> Option<Vec<bool>> {
    let part = problem.parts.iter().find(|p| {
        p.classes.iter().any(|k| k.cases.binary_search(&c).is_ok())
            || p.groups.iter().any(|g| g.cases.contains(&c))
    })?;
    let mut keep: Vec<bool> = problem.fixed.iter().map(Option::is_some).collect();
    for x in part.classes.iter().flat_map(|k| &k.cases).chain(part.groups.iter().flat_map(|g| &g.cases)) {
        keep[*x] = true;
    }
    if let Some(g) = m.cases[c].group {
        m.groups[g].members.iter().for_each(|&x| keep[x] = true);
    }
    Some(keep)
}

/// The model with only the kept cases (every worker, so worker indices match), and the model
/// index of each of its cases.
fn sub_model(m: &Model, keep: &[bool]) -> (Model, Vec<usize>) {
    let old: Vec<usize> = (0..m.cases.len()).filter(|&c| keep[c]).collect();
    let mut new_of = vec![usize::MAX; m.cases.len()];
    for (i, &o) in old.iter().enumerate() {
        new_of[o] = i;
    }
    let mut groups = Vec::new();
    let mut group_of = vec![None; m.groups.len()];
    for (g, grp) in m.groups.iter().enumerate() {
        let members: Vec<usize> = grp.members.iter().filter(|&&x| keep[x]).map(|&x| new_of[x]).collect();
        if !members.is_empty() {
            group_of[g] = Some(groups.len());
            groups.push(crate::model::Group { name: grp.name.clone(), members });
        }
    }
    let cases = old
        .iter()
        .map(|&o| {
            let mut case = m.cases[o].clone();
            case.group = case.group.and_then(|g| group_of[g]);
            case
        })
        .collect();
    let mut sub = Model { cases: Vec::new(), groups: Vec::new(), ..m.clone() };
    sub.cases = cases;
    sub.groups = groups;
    (sub, old)
}

/// A model in which case `c` is pinned to worker `w` (its siblings follow it, rule 9).
pub fn placed(m: &Model, c: usize, w: usize) -> Model {
    let mut out = m.clone();
    out.cases[c].pinned = true;
    out.cases[c].current_worker = Some(w);
    out
}

/// How to answer: the solver's limits, whether the case is a new referral, and an optimum
/// already known for the model.
#[derive(Clone, Debug, Default)]
pub struct Options<'a> {
    /// The limits of every solve, as for `allocate`.
    pub limits: Limits<'a>,
    /// The case is a new referral, added by [`with_referral`] for this question only.
    pub referral: bool,
    /// A proven optimal allocation of the model (say, the proposal `allocate` wrote), by case
    /// index; for a referral, of the model without it (the referral `None`). The parts of the
    /// model that the case does not touch are taken from it instead of being solved again.
    /// See [`known_from_proposal`].
    pub known: Option<Vec<Option<usize>>>,
}

/// Ranks every worker for case `c` of the model (see the module's documentation).
pub fn recommend(m: &Model, c: usize, limits: Limits) -> Result<Recommendation> {
    recommend_with(m, c, &Options { limits, ..Options::default() })
}

/// The allocation of the model with case `c` free, its value, and whether it is proven optimal.
fn baseline(
    m: &Model,
    problem: &Problem,
    sub: &Option<(Model, Vec<usize>)>,
    o: &Options,
) -> Result<(Vec<Option<usize>>, bool)> {
    let Some(known) = &o.known else {
        let s = crate::solve_model(m, o.limits)?;
        return Ok((s.assignment, s.facts.optimal));
    };
    if known.len() != m.cases.len() {
        return Err(Error::Solver("the known allocation does not match the model".into()));
    }
    let mut a = known.clone();
    if !o.referral {
        return Ok((a, true));
    }
    // The referral's part is new: solve it with the referral free.
    for (x, f) in problem.fixed.iter().enumerate() {
        if f.is_some() {
            a[x] = *f;
        }
    }
    let mut optimal = true;
    if let Some((sm, old)) = sub {
        let s = crate::solve_model(sm, o.limits)?;
        for (i, &x) in old.iter().enumerate() {
            a[x] = s.assignment[i];
        }
        optimal = s.facts.optimal;
    }
    Ok((a, optimal))
}

/// The members of case `c`'s sibling group (or `c` alone).
fn members(m: &Model, c: usize) -> Vec<usize> {
    m.cases[c].group.map_or(vec![c], |g| m.groups[g].members.clone())
}

/// Cases moved to new workers (`None`: unallocated).
type Moves = Vec<(usize, Option<usize>)>;

/// Small changes to a lawful allocation, valued without valuing the whole allocation again.
struct Local<'a> {
    m: &'a Model,
    base: &'a [Option<usize>],
    usage: Usage,
}

impl Local<'_> {
    /// What moving each listed case to its new worker (or to none) adds to the objective, or
    /// `None` when the result breaks a rule. The cases must be distinct, and a sibling group
    /// must move whole. Exact for the terms of SPEC section 4; the caller confirms the result
    /// with [`objective::terms`].
    fn gain(&self, changes: &[(usize, Option<usize>)]) -> Option<f64> {
        let m = self.m;
        let mut gain = 0.0;
        let mut load: Vec<(usize, f64)> = Vec::new();
        let bump = |list: &mut Vec<(usize, f64)>, w: usize, d: f64| match list.iter_mut().find(|x| x.0 == w) {
            Some(x) => x.1 += d,
            None => list.push((w, d)),
        };
        for &(x, to) in changes {
            let from = self.base[x];
            if from == to {
                continue;
            }
            let weight = m.cases[x].weight;
            if let Some(f) = from {
                gain -= objective::case_value(m, x, f);
                bump(&mut load, f, -weight);
            }
            if let Some(t) = to {
                rules::check_permitted(m, x, t).ok()?;
                gain += objective::case_value(m, x, t);
                bump(&mut load, t, weight);
            }
        }
        let mut oversight: Vec<(usize, f64)> = Vec::new();
        for &(w, d) in &load {
            let worker = &m.workers[w];
            let (old, new) = (self.usage.load[w], self.usage.load[w] + d);
            if d > 0.0 && !rules::within(new, worker.cap) {
                return None;
            }
            gain -= objective::marginal_cost(&m.policy, worker, old, d);
            if let Some(s) = rules::overseer(m, w) {
                bump(&mut oversight, s, d);
            }
        }
        for &(s, d) in &oversight {
            if d > 0.0 && !rules::within(self.usage.oversight[s] + d, m.workers[s].oversight_cap) {
                return None;
            }
        }
        Some(gain)
    }
}

/// The best ejection chain for a single case `c` moving to a full worker `w`: `w` passes one of
/// its children (of the same weight) to another worker, who passes one on, and so on, until the
/// last child goes to the place `c` left, to a worker with room, or out of allocation. Each
/// worker in between keeps its load, so only the ends can break a cap, and
/// [`Local::gain`] judges them. The chain is a shortest path (Bellman-Ford) over workers, each
/// step costing what moving that child loses; the optimum has no cycle of gain, so the shortest
/// path is a simple one. Only children of `region` (the case's part) move.
fn ejection_chain(
    m: &Model,
    el: &rules::Eligibility,
    region: &[usize],
    local: &Local,
    c: usize,
    w: usize,
) -> Option<Moves> {
    let case = &m.cases[c];
    if case.group.is_some() {
        return None;
    }
    let base = local.base;
    let none = m.workers.len();
    let node = |a: Option<usize>| a.unwrap_or(none);
    let value = |x: usize, at: usize| if at == none { 0.0 } else { objective::case_value(m, x, at) };
    // Steps: (from, to, child, loss).
    let mut steps: Vec<(usize, usize, usize, f64)> = Vec::new();
    for &x in region {
        let k = &m.cases[x];
        if x == c || k.pinned || k.group.is_some() || (k.weight - case.weight).abs() > rules::EPS {
            continue;
        }
        let from = node(base[x]);
        for &to in el.workers(x).iter().chain(std::iter::once(&none)) {
            if to != from {
                steps.push((from, to, x, value(x, from) - value(x, to)));
            }
        }
    }
    let mut dist = vec![f64::INFINITY; none + 1];
    let mut pred: Vec<Option<usize>> = vec![None; none + 1];
    dist[w] = 0.0;
    for _ in 0..=none {
        let mut changed = false;
        for (i, &(from, to, _, loss)) in steps.iter().enumerate() {
            if from != none
                && dist[from].is_finite()
                && dist[from] + loss < dist[to] - crate::tolerance::EQUAL
                && to != w
            {
                dist[to] = dist[from] + loss;
                pred[to] = Some(i);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let mut best: Option<(f64, Moves)> = None;
    for end in (0..=none).filter(|&t| t != w && dist[t].is_finite()) {
        let mut chain = vec![(c, Some(w))];
        let mut at = end;
        let mut seen = vec![false; m.cases.len()];
        while at != w {
            let (from, to, x, _) = steps[pred[at]?];
            if std::mem::replace(&mut seen[x], true) || chain.len() > none + 1 {
                break;
            }
            chain.push((x, (to != none).then_some(to)));
            at = from;
        }
        if at != w {
            continue;
        }
        if let Some(g) = local.gain(&chain) {
            if best.as_ref().is_none_or(|b| g > b.0) {
                best = Some((g, chain));
            }
        }
    }
    best.map(|b| b.1)
}

/// The best lawful allocation with case `c` (and its siblings) on worker `w` found near `base`,
/// the model's optimum, with its objective: the case moved to `w`, and then perhaps one other
/// child (or sibling group) moved into the place it left, or one of `w`'s moved elsewhere, or
/// both, or an ejection chain ([`ejection_chain`]). `None` when none of these is lawful. No
/// allocation with the case on `w` can score more than the optimum with it free, so one that
/// scores as much is optimal; one that reaches the relaxation's bound ([`upper_bound`]) is too.
fn best_nearby(
    m: &Model,
    el: &rules::Eligibility,
    region: &[usize],
    base: &[Option<usize>],
    base_value: f64,
    c: usize,
    w: usize,
) -> Option<(f64, Vec<Option<usize>>)> {
    if base[c] == Some(w) {
        return Some((base_value, base.to_vec()));
    }
    let local = Local { m, base, usage: Usage::of(m, base) };
    let group = members(m, c);
    let place: Vec<(usize, Option<usize>)> = group.iter().map(|&x| (x, Some(w))).collect();
    // What else may move: single cases and whole sibling groups, none pinned, the case aside.
    let mut items: Vec<Vec<usize>> = (0..m.cases.len())
        .filter(|&x| x != c && !m.cases[x].pinned && m.cases[x].group.is_none())
        .map(|x| vec![x])
        .collect();
    items.extend(
        m.groups
            .iter()
            .filter(|g| !g.members.contains(&c) && g.members.iter().all(|&x| !m.cases[x].pinned))
            .map(|g| g.members.clone()),
    );
    let moving = |item: usize, to: Option<usize>| -> Vec<(usize, Option<usize>)> {
        items[item].iter().map(|&x| (x, to)).collect()
    };
    let with = |extra: &[&[(usize, Option<usize>)]]| -> Vec<(usize, Option<usize>)> {
        let mut t = place.clone();
        extra.iter().for_each(|e| t.extend_from_slice(e));
        t
    };
    let best = |mut scored: Vec<(f64, usize, Option<usize>)>| -> Vec<(usize, Option<usize>)> {
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
        scored.into_iter().take(4).map(|x| (x.1, x.2)).collect()
    };
    // Another child (or sibling group) takes the place the case leaves: the best few, judged
    // with the case gone.
    let into_place: Vec<(usize, Option<usize>)> = match base[c] {
        Some(a) => {
            let gone: Vec<(usize, Option<usize>)> = group.iter().map(|&x| (x, None)).collect();
            best(
                (0..items.len())
                    .filter(|&i| base[items[i][0]] != Some(a))
                    .filter_map(|i| {
                        let mut t = gone.clone();
                        t.extend(moving(i, Some(a)));
                        local.gain(&t).map(|g| (g, i, Some(a)))
                    })
                    .collect(),
            )
        }
        None => Vec::new(),
    };
    // One of w's children (or sibling groups) goes to another worker: the best few, judged
    // with the case there.
    let out_of_w = best(
        (0..items.len())
            .filter(|&i| base[items[i][0]] == Some(w))
            .flat_map(|i| (0..m.workers.len()).filter(move |&v| v != w).map(move |v| (i, Some(v))))
            .filter_map(|(i, v)| local.gain(&with(&[&moving(i, v)])).map(|g| (g, i, v)))
            .collect(),
    );
    let mut tries: Vec<Vec<(usize, Option<usize>)>> = vec![place.clone()];
    tries.extend(into_place.iter().map(|&(i, to)| with(&[&moving(i, to)])));
    tries.extend(out_of_w.iter().map(|&(i, to)| with(&[&moving(i, to)])));
    for &(i, to) in &into_place {
        for &(j, v) in out_of_w.iter().filter(|x| x.0 != i) {
            tries.push(with(&[&moving(i, to), &moving(j, v)]));
        }
    }
    if let Some(t) = ejection_chain(m, el, region, &local, c, w) {
        tries.push(t);
    }
    // The best first, each confirmed on the whole allocation by the objective and the rules.
    let mut scored: Vec<(f64, Moves)> =
        tries.into_iter().filter_map(|t| local.gain(&t).map(|g| (g, t))).collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (_, t) in scored.into_iter().take(8) {
        let mut a = base.to_vec();
        for &(x, to) in &t {
            a[x] = to;
        }
        if check::check_rules(m, &a).is_empty() {
            let v = objective::value(&objective::terms(m, &a));
            return Some((v, a));
        }
    }
    None
}

/// An upper bound on the objective of model `m`: the fixed cases' value, and for each part of
/// its formulation the optimum of the part's linear relaxation in place of its value empty
/// (the identity `solve::export` documents).
fn upper_bound(m: &Model) -> Result<f64> {
    let el = rules::eligibility(m);
    let problem = formulate::formulate(m, &el);
    let mut bound = objective::value(&objective::terms(m, &problem.fixed));
    for part in &problem.parts {
        let empty = crate::solve::PartAlloc {
            counts: part.classes.iter().map(|k| vec![0; k.workers.len()]).collect(),
            groups: vec![None; part.groups.len()],
        };
        let lp = crate::solve::lp::build(m, part);
        let relaxation = crate::solve::lp::solve_relaxation(&lp).map_err(Error::Solver)?;
        bound += relaxation.objective - crate::solve::value(m, part, &empty);
    }
    Ok(bound)
}

/// Allocation `a` (case `c` placed) with as few children moved from `base` (`allocate`'s
/// optimum) as can be had at the same objective: children or sibling groups that differ are
/// put back where `base` has them, up to three at a time (one of them perhaps left without a
/// worker instead, which shortens a chain of moves), whenever that stays lawful, loses nothing
/// and leaves fewer children moved. An optimum is seldom unique; this keeps one that disturbs
/// few children, so that those [`Candidate::displaced`] names move because of the case, not
/// by a tie.
fn fewer_moves(m: &Model, c: usize, base: &[Option<usize>], a: Vec<Option<usize>>) -> Vec<Option<usize>> {
    let mine = members(m, c);
    let items = |a: &[Option<usize>]| -> Vec<Vec<usize>> {
        let mut seen = vec![false; m.cases.len()];
        let mut out = Vec::new();
        for x in (0..m.cases.len()).filter(|&x| a[x] != base[x] && !mine.contains(&x)) {
            if !seen[x] {
                let item = members(m, x);
                item.iter().for_each(|&y| seen[y] = true);
                out.push(item);
            }
        }
        out
    };
    let value = |a: &[Option<usize>]| objective::value(&objective::terms(m, a));
    let start = value(&a);
    let tol = crate::tolerance::relative(crate::tolerance::EQUAL, start);
    let mut cur = a.clone();
    for _ in 0..8 {
        let list = items(&cur);
        let n = list.len();
        let back = |i: usize| -> Moves { list[i].iter().map(|&x| (x, base[x])).collect() };
        let out = |i: usize| -> Moves { list[i].iter().map(|&x| (x, None)).collect() };
        // Each try: the items put back, and perhaps one of them (the last) left out instead.
        let mut sets: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
        if n <= 60 {
            sets.extend((0..n).flat_map(|i| (i + 1..n).map(move |j| vec![i, j])));
        }
        if n <= 12 {
            sets.extend(
                (0..n).flat_map(|i| (i + 1..n).flat_map(move |j| (j + 1..n).map(move |k| vec![i, j, k]))),
            );
        }
        let mut tries: Vec<Moves> = Vec::new();
        for set in &sets {
            tries.push(set.iter().flat_map(|&i| back(i)).collect());
            for (o, &i) in set.iter().enumerate().filter(|_| set.len() > 1) {
                let mut t: Moves =
                    set.iter().enumerate().filter(|&(p, _)| p != o).flat_map(|(_, &j)| back(j)).collect();
                t.extend(out(i));
                tries.push(t);
            }
        }
        let local = Local { m, base: &cur, usage: Usage::of(m, &cur) };
        // Every case of a try differs from `base` now: fewer move when one goes back.
        let found = tries
            .into_iter()
            .find(|t| t.iter().any(|&(x, to)| to == base[x]) && local.gain(t).is_some_and(|g| g >= -tol));
        let Some(t) = found else { break };
        t.iter().for_each(|&(x, to)| cur[x] = to);
    }
    if cur != a && check::check_rules(m, &cur).is_empty() && value(&cur) >= start - tol {
        cur
    } else {
        a
    }
}

/// The children (other than case `c` and its siblings) that `a` takes from their worker in
/// `base`, by case id.
fn displaced(m: &Model, c: usize, base: &[Option<usize>], a: &[Option<usize>]) -> Vec<Displaced> {
    let mine = members(m, c);
    let mut out: Vec<Displaced> = (0..m.cases.len())
        .filter(|x| !mine.contains(x))
        .filter_map(|x| {
            let from = base[x]?;
            (a[x] != Some(from)).then(|| Displaced {
                case: m.cases[x].id.clone(),
                from: m.workers[from].id.clone(),
                to: a[x].map(|w| m.workers[w].id.clone()),
            })
        })
        .collect();
    out.sort_by(|p, q| p.case.cmp(&q.case));
    out
}

/// Names in words: `A`, `A and B`, `A, B and C`.
fn and_list(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The headline of a ranking: the first of its rows, the rows tied with it and what puts it
/// first (the order of the rows: load after as a share of target, then id), and the children
/// the first choice displaces. Derived from `r.workers` alone, so it says what the table says.
pub fn headline(r: &Recommendation) -> String {
    use crate::report::num;
    let what = if r.referral { "referral" } else { "case" };
    let Some(first) = r.workers.first() else {
        return format!(
            "no worker may take {what} {}: each of the {} is stopped by a rule",
            r.case,
            if r.not_permitted.len() == 1 {
                "1 worker".to_string()
            } else {
                format!("{} workers", r.not_permitted.len())
            }
        );
    };
    let tied: Vec<&Candidate> = r.workers.iter().take_while(|x| x.objective == first.objective).collect();
    let mut out = if tied.len() == 1 {
        let next = r.workers.get(1).map_or(String::new(), |x| {
            format!(", {} above {}", num(first.objective - x.objective), x.worker)
        });
        format!("{what} {}: first choice {} (objective {}{next})", r.case, first.worker, num(first.objective))
    } else {
        let ids: Vec<&str> = tied.iter().map(|x| x.worker.as_str()).collect();
        let share = |x: &Candidate| x.percent_after.unwrap_or(f64::INFINITY);
        let same = tied[1..].iter().filter(|x| share(x) == share(first)).count();
        let pct = first.percent_after.map_or("no target".to_string(), |p| format!("{p:.0}%"));
        let why = if same == 0 {
            format!("the lowest load after as a share of target ({pct})")
        } else if same == tied.len() - 1 {
            "id".to_string()
        } else {
            format!("the lowest load after as a share of target ({pct}), then id")
        };
        format!(
            "{what} {}: {} score the same (objective {}); {} first by {why}",
            r.case,
            and_list(&ids),
            num(first.objective),
            first.worker
        )
    };
    if !first.displaced.is_empty() {
        let said: Vec<String> = first
            .displaced
            .iter()
            .take(3)
            .map(|d| match &d.to {
                Some(to) => format!("{} would move from {} to {to}", d.case, d.from),
                None => format!("{} would then have no worker", d.case),
            })
            .collect();
        let said: Vec<&str> = said.iter().map(String::as_str).collect();
        out += &format!("; {}", and_list(&said));
        let more = first.displaced.len().saturating_sub(3);
        if more > 0 {
            out += &format!(
                " (and {more} other {} would leave their worker)",
                if more == 1 { "child" } else { "children" }
            );
        }
    }
    out
}

/// [`recommend`] with [`Options`].
pub fn recommend_with(m: &Model, c: usize, o: &Options) -> Result<Recommendation> {
    let case = m.cases.get(c).ok_or_else(|| Error::Usage(format!("no case number {c} in the model")))?;
    let (permitted, not_permitted) = permitted_workers(m, c);
    let el = rules::eligibility(m);
    let problem = formulate::formulate(m, &el);
    let sub = match region(m, &problem, c) {
        Some(keep) => Some(sub_model(m, &keep)),
        // Fixed in place (pinned, or a sibling of a pinned case): the model's optimum is the
        // answer for its one permitted worker.
        None if problem.fixed[c].is_some() => None,
        // In no part, yet free: solve the whole model with the case placed.
        None => Some((m.clone(), (0..m.cases.len()).collect())),
    };
    let (base, base_optimal) = baseline(m, &problem, &sub, o)?;
    let all: Vec<usize> = (0..m.cases.len()).collect();
    let region_cases: &[usize] = sub.as_ref().map_or(&all, |s| &s.1);
    let base_value = objective::value(&objective::terms(m, &base));
    // The case placed on each permitted worker: the optimum itself where it can be had without
    // a search, else the case's part solved again with the case pinned there.
    let placed_runs: Vec<(usize, Vec<Option<usize>>, bool)> = permitted
        .par_iter()
        .map(|&w| {
            let near =
                if base_optimal { best_nearby(m, &el, region_cases, &base, base_value, c, w) } else { None };
            if let Some((v, a)) = &near {
                if *v >= base_value - crate::tolerance::relative(crate::tolerance::EQUAL, base_value) {
                    return Ok((w, a.clone(), true));
                }
            }
            match &sub {
                Some((sm, old)) => {
                    let sc =
                        old.binary_search(&c).map_err(|_| Error::Solver("case lost from its part".into()))?;
                    let pm = placed(sm, sc, w);
                    // An allocation nearby that reaches the relaxation's bound is optimal.
                    if let Some((_, a)) = near {
                        let bound = upper_bound(&pm)?;
                        let mine: Vec<Option<usize>> = old.iter().map(|&x| a[x]).collect();
                        let v = objective::value(&objective::terms(&pm, &mine));
                        if v >= bound - crate::solve::GAP * bound.abs().max(1.0) {
                            return Ok((w, a, true));
                        }
                    }
                    let s = crate::solve_model(&pm, o.limits)?;
                    let mut a = base.clone();
                    for (i, &x) in old.iter().enumerate() {
                        a[x] = s.assignment[i];
                    }
                    Ok((w, a, s.facts.optimal && base_optimal))
                }
                None => Ok((w, base.clone(), base_optimal)),
            }
        })
        .collect::<Result<Vec<_>>>()?;
    let placed_runs: Vec<(usize, Vec<Option<usize>>, bool)> = placed_runs
        .into_par_iter()
        .map(|(w, a, optimal)| (w, fewer_moves(m, c, &base, a), optimal))
        .collect();
    let base_value = round9(base_value);
    let today = Usage::of(m, &check::today(m));
    let mut workers: Vec<Candidate> = placed_runs
        .into_iter()
        .map(|(w, assignment, optimal)| {
            let terms = objective::terms(m, &assignment);
            let load_after = round9(Usage::of(m, &assignment).load[w]);
            let worker = &m.workers[w];
            let mine = if case.current_worker == Some(w) { case.weight } else { 0.0 };
            Candidate {
                worker: worker.id.clone(),
                team: m.teams[worker.team].clone(),
                objective: round9(objective::value(&terms)),
                below_best: 0.0,
                load_after,
                percent_after: (worker.target > 0.0).then(|| round9(100.0 * load_after / worker.target)),
                target: worker.target,
                cap: worker.cap,
                load_today: round9(today.load[w] - mine),
                change: Change::of(case.current_worker, w),
                returns: m.returns(c, w),
                objective_terms: terms,
                optimal,
                displaced: displaced(m, c, &base, &assignment),
                assignment,
            }
        })
        .collect();
    workers.sort_by(|a, b| {
        b.objective
            .total_cmp(&a.objective)
            .then(
                a.percent_after.unwrap_or(f64::INFINITY).total_cmp(&b.percent_after.unwrap_or(f64::INFINITY)),
            )
            .then(a.worker.cmp(&b.worker))
    });
    let best = workers.first().map_or(0.0, |x| x.objective);
    for x in &mut workers {
        x.below_best = round9(best - x.objective);
    }
    let mut r = Recommendation {
        headline: String::new(),
        case: case.id.clone(),
        case_type: case.case_type,
        team: m.teams[case.team].clone(),
        weight: case.weight,
        current_worker: case.current_worker.map(|w| m.workers[w].id.clone()),
        referral: o.referral,
        optimal: base_optimal && workers.iter().all(|x| x.optimal),
        allocate: Baseline {
            objective: base_value,
            worker: base[c].map(|w| m.workers[w].id.clone()),
            optimal: base_optimal,
        },
        workers,
        not_permitted,
    };
    r.headline = headline(&r);
    Ok(r)
}

/// The allocation of a proposal of the model `as_is` (the bytes of a proposal file named
/// `file`), to use as [`Options::known`] for `m`: `as_is` itself, or `as_is` with a referral
/// added (the referral gets `None`). The proposal must be one `allocate` wrote for this model:
/// the model's hash, no breach of any kind, and proven optimal.
pub fn known_from_proposal(as_is: &Model, m: &Model, file: &str, bytes: &[u8]) -> Result<Vec<Option<usize>>> {
    let p = crate::sheets::meeting::read_proposal(file, bytes, as_is)?;
    if p.rows.is_some() {
        return Err(Error::input(
            file,
            "file",
            "a meeting workbook does not say its allocation is proven optimal (it may have been edited); give the proposal file (JSON) `caseload allocate` wrote for this model, or leave out --proposal",
        ));
    }
    let again = "give the proposal `caseload allocate` wrote for this model, or leave out --proposal";
    // The hash as read with the proposal: the file read again as a JSON value took ten times
    // its size (1.4 GB for a proposal with 120 MB of a later version's field).
    let hash = p.summary.as_ref().and_then(|s| s.model_hash.as_deref());
    if hash.is_some_and(|h| h != as_is.hash) {
        return Err(Error::input(
            file,
            "summary.model_hash",
            format!("the proposal was written for another model (or another version of it); {again}"),
        ));
    }
    let breaches = check::check_proposal(as_is, &p);
    if let Some(b) = breaches.first() {
        return Err(Error::input(
            file,
            "allocations",
            format!("the proposal does not fit the model: {} ({} breach(es) in all, see `caseload check`); {again}", b.message, breaches.len()),
        ));
    }
    if p.optimal != Some(true) {
        return Err(Error::input(file, "optimal", format!("the proposal is not proven optimal; {again}")));
    }
    let a = check::assignment(as_is, &p);
    Ok(m.cases.iter().map(|case| as_is.case_index(&case.id).and_then(|x| a[x])).collect())
}

/// The model with a new referral added: `file` (read from `bytes`, named `model_name`) with
/// `referral` appended, validated as one model for the day `as_of` (as
/// [`crate::validate::validate_on`]). Errors in the referral name `source` and the
/// referral's own field, through `place` (a file gives `needs[0]`, flags give `--needs`).
/// Returns the model and the referral's index in it.
pub fn with_referral(
    model_name: &str,
    file: &ModelFile,
    bytes: &[u8],
    referral: &CaseInput,
    source: &str,
    place: &dyn Fn(&str) -> String,
    as_of: Option<crate::model::AsOf>,
) -> Result<(Model, usize)> {
    if let Some(i) = file.cases.iter().position(|x| x.id == referral.id) {
        return Err(Error::input(
            source,
            place("id"),
            format!(
                "the model already has a case {} (cases[{i}]); give the referral an id of its own",
                q(&referral.id)
            ),
        ));
    }
    // A worker the referral names must be one of the model's: say which is meant.
    let ids: Vec<String> = file.workers.iter().map(|w| w.id.clone()).collect();
    let named = referral
        .current_worker
        .iter()
        .map(|w| ("current_worker".to_string(), w))
        .chain(referral.exclude.iter().enumerate().map(|(i, w)| (format!("exclude[{i}]"), w)))
        .chain(
            referral.previous_workers.iter().enumerate().map(|(i, w)| (format!("previous_workers[{i}]"), w)),
        );
    let mut errs = crate::error::Errors::new();
    let known: std::collections::HashSet<&str> = ids.iter().map(String::as_str).collect();
    let mut near = crate::vocabulary::Nearest::new(ids.iter().cloned());
    for (field, w) in named {
        if !known.contains(w.as_str()) {
            errs.push(Error::input(
                source,
                place(&field),
                format!(
                    "no worker {} in the model{}; give a worker id of the model",
                    q(w),
                    near.did_you_mean(w)
                ),
            ));
        }
    }
    errs.finish()?;
    let mut with = file.clone();
    with.cases.push(referral.clone());
    let at = format!("cases[{}]", file.cases.len());
    let m = crate::validate::validate_on(model_name, &with, bytes, as_of)
        .map_err(|e| referral_error(e, &at, source, place))?;
    let c = m
        .case_index(&referral.id)
        .ok_or_else(|| Error::Solver("the referral was lost in validation".into()))?;
    Ok((m, c))
}

/// The near-misses of a referral (case `c` of `m`, the model with it added), as a model's are
/// refused ([`crate::warnings::near_misses`]): a team no worker is in, a needed skill no worker
/// has, or a sibling group no other case is in, that is one slip from one that exists. Each is
/// an input error at the referral's field (`--team`, `--needs`, `--group` for flags), naming
/// every suggestion; `--allow-near-misses` skips this.
pub fn referral_near_misses(m: &Model, c: usize, source: &str, place: &dyn Fn(&str) -> String) -> Result<()> {
    let case = &m.cases[c];
    let mut errs = crate::error::Errors::new();
    let go_on = "or give --allow-near-misses to go on knowingly";
    if !m.workers.iter().any(|w| w.team == case.team) {
        let staffed: std::collections::BTreeSet<&str> =
            m.workers.iter().map(|w| m.teams[w.team].as_str()).collect();
        let staffed: Vec<String> = staffed.into_iter().map(String::from).collect();
        let team = &m.teams[case.team];
        if !crate::vocabulary::slips(team, &staffed).is_empty() {
            errs.push(Error::input(
                source,
                place("team"),
                format!(
                    "no worker is in the team {}, so the child could have no worker; it is a near-miss{}. Correct the team, {go_on}",
                    q(team),
                    crate::vocabulary::did_you_mean(team, &staffed)
                ),
            ));
        }
    }
    let skills: std::collections::BTreeSet<&str> =
        m.workers.iter().flat_map(|w| w.skills.iter().map(String::as_str)).collect();
    let skills: Vec<String> = skills.into_iter().map(String::from).collect();
    for need in case.needs.iter().filter(|n| !skills.contains(n)) {
        if !crate::vocabulary::slips(need, &skills).is_empty() {
            errs.push(Error::input(
                source,
                place("needs"),
                format!(
                    "no worker has the skill {}, so the child could have no worker; it is a near-miss{}. Write the skill as the workers have it, {go_on}",
                    q(need),
                    crate::vocabulary::did_you_mean(need, &skills)
                ),
            ));
        }
    }
    if let Some(g) = case.group.filter(|&g| m.groups[g].members == [c]) {
        let others: Vec<String> =
            m.groups.iter().filter(|x| x.members != [c]).map(|x| x.name.clone()).collect();
        let name = &m.groups[g].name;
        if !crate::vocabulary::slips(name, &others).is_empty() {
            errs.push(Error::input(
                source,
                place("group"),
                format!(
                    "no other case is in the sibling group {}, so the child would not go with its siblings; it is a near-miss{}. Correct the group, {go_on}",
                    q(name),
                    crate::vocabulary::did_you_mean(name, &others)
                ),
            ));
        }
    }
    errs.finish()
}

/// The index of case `id` of the model, or an error that names the nearest case ids.
pub fn case_named(m: &Model, id: &str) -> Result<usize> {
    m.case_index(id).ok_or_else(|| {
        let ids: Vec<String> = m.cases.iter().map(|x| x.id.clone()).collect();
        Error::Usage(format!(
            "--case: no case {} in the model{}; give a case id of the model, or a new referral with --referral or --type",
            q(id),
            crate::vocabulary::did_you_mean(id, &ids)
        ))
    })
}

/// An error of the model with the referral, placed in the referral.
fn referral_error(e: Error, at: &str, source: &str, place: &dyn Fn(&str) -> String) -> Error {
    match e {
        Error::Inputs { errors, more } => Error::Inputs {
            errors: errors.into_iter().map(|e| referral_error(e, at, source, place)).collect(),
            more,
        },
        Error::Input { place: p, problem, .. } if p.starts_with(at) => {
            let field = p[at.len()..].trim_start_matches('.');
            Error::input(source, place(if field.is_empty() { "id" } else { field }), problem)
        }
        // The referral made another part of the model invalid (a sibling pinned where the
        // referral may not go): say so at the referral.
        Error::Input { place: p, problem, file } => {
            Error::input(source, place("group"), format!("with the referral added, {file}: {p}: {problem}"))
        }
        e => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(json: &str) -> Model {
        crate::load_model_bytes("m.json", json.as_bytes()).unwrap()
    }

    #[test]
    fn a_worker_without_the_needed_skill_is_refused_by_rule_four() {
        let m = model(
            r#"{"version": 1, "workers": [{"id": "A", "role": "social_worker", "team": "N", "skills": ["bsl"]},
                {"id": "B", "role": "social_worker", "team": "N"}],
              "cases": [{"id": "C", "type": "looked_after", "team": "N", "needs": ["bsl"]}]}"#,
        );
        let r = recommend(&m, 0, Limits::default()).unwrap();
        assert_eq!(r.workers.iter().map(|w| w.worker.as_str()).collect::<Vec<_>>(), ["A"]);
        assert_eq!(r.not_permitted.len(), 1);
        assert_eq!(r.not_permitted[0].rule, "rule4");
        assert!(r.not_permitted[0].detail.contains("bsl"), "{:?}", r.not_permitted);
    }

    #[test]
    fn a_case_pinned_elsewhere_is_refused_by_rule_ten() {
        let m = model(
            r#"{"version": 1, "workers": [{"id": "A", "role": "social_worker", "team": "N"},
                {"id": "B", "role": "social_worker", "team": "N"}],
              "cases": [{"id": "C", "type": "looked_after", "team": "N", "current_worker": "A", "pinned": true}]}"#,
        );
        let r = recommend(&m, 0, Limits::default()).unwrap();
        assert_eq!(r.workers[0].worker, "A");
        assert_eq!(r.workers[0].objective, r.allocate.objective);
        assert_eq!(r.not_permitted[0].rule, "rule10");
    }

    #[test]
    fn a_full_worker_is_refused_by_rule_seven_only_when_pins_fill_it() {
        let m = model(
            r#"{"version": 1, "workers": [{"id": "A", "role": "social_worker", "team": "N", "cap": 1},
                {"id": "B", "role": "social_worker", "team": "N", "cap": 1}],
              "cases": [{"id": "C", "type": "looked_after", "team": "N", "current_worker": "A", "pinned": true},
                        {"id": "D", "type": "looked_after", "team": "N", "current_worker": "B"}]}"#,
        );
        let r = recommend(&m, 1, Limits::default()).unwrap();
        assert_eq!(r.workers.iter().map(|w| w.worker.as_str()).collect::<Vec<_>>(), ["B"]);
        assert_eq!(r.not_permitted[0].rule, "rule7");
        assert_eq!(r.workers[0].change, Change::Kept);
    }
}
