//! Scenario models: the model file changed by caps, targets, demand, hires and leavers.
//!
//! A *context* is one combination of these settings; a fill sweep then makes vacant posts of
//! the context active. Everything works on [`ModelFile`], the on-disk types, so that every
//! scenario model can be written out and checked with `caseload check` like any other model.

use super::plan::Plan;
use crate::error::{Error, Result};
#[cfg(test)]
use crate::model::PolicyInput;
use crate::model::{CaseInput, CaseType, ModelFile, Policy, Role, Status, WorkerInput};
use std::collections::{BTreeMap, BTreeSet};

/// One combination of the non-fill settings and the model it gives.
#[derive(Clone, Debug)]
pub struct Context {
    /// Short label, e.g. `demand=1.5 cap.social_worker=25`; empty for the unchanged model.
    pub label: String,
    /// The same settings in words, e.g. `cap of 25 cases per social worker`
    /// ([`super::plan::settings_words`]); empty for the unchanged model.
    pub words: String,
    /// True when nothing is changed: the model as given.
    pub identity: bool,
    /// Demand factor.
    pub demand: f64,
    /// Caps set by `--cap`.
    pub caps: BTreeMap<Role, f64>,
    /// Targets set by `--target`.
    pub targets: BTreeMap<Role, f64>,
    /// Ids of the posts added by `--hire`.
    pub hired: Vec<String>,
    /// Workers made absent.
    pub absent: Vec<String>,
    /// Cases whose pin to an absent worker was dropped.
    pub pins_dropped: Vec<String>,
    /// The model file of this context.
    pub file: ModelFile,
    /// The day its models are read for (the reductions in force on it).
    pub as_of: Option<crate::model::AsOf>,
}

/// The unchanged model as a context.
pub fn identity(file: &ModelFile) -> Context {
    Context {
        label: String::new(),
        words: String::new(),
        identity: true,
        demand: 1.0,
        caps: BTreeMap::new(),
        targets: BTreeMap::new(),
        hired: Vec::new(),
        absent: Vec::new(),
        pins_dropped: Vec::new(),
        file: file.clone(),
        as_of: None,
    }
}

/// Every context of the plan, in sweep order: demand, then each `--cap` role, then each
/// `--target` role (the last varies fastest).
pub fn contexts(file: &ModelFile, plan: &Plan) -> Result<Vec<Context>> {
    // Each dimension is a list of choices; the cartesian product in order.
    let demand = if plan.demand.is_empty() { vec![1.0] } else { plan.demand.clone() };
    let mut dims: Vec<usize> = vec![demand.len()];
    dims.extend(plan.caps.iter().map(|(_, v)| v.len()));
    dims.extend(plan.targets.iter().map(|(_, v)| v.len()));
    let total: usize = dims.iter().product();
    let mut out = Vec::with_capacity(total);
    for i in 0..total {
        // Mixed-radix digits, the last dimension fastest.
        let mut rest = i;
        let mut digits = vec![0; dims.len()];
        for d in (0..dims.len()).rev() {
            digits[d] = rest % dims[d];
            rest /= dims[d];
        }
        let caps: BTreeMap<Role, f64> =
            plan.caps.iter().enumerate().map(|(j, (r, v))| (*r, v[digits[1 + j]])).collect();
        let targets: BTreeMap<Role, f64> = plan
            .targets
            .iter()
            .enumerate()
            .map(|(j, (r, v))| (*r, v[digits[1 + plan.caps.len() + j]]))
            .collect();
        out.push(context(file, plan, demand[digits[0]], caps, targets)?);
    }
    Ok(out)
}

fn number(x: f64) -> String {
    format!("{x}")
}

fn context(
    file: &ModelFile,
    plan: &Plan,
    demand: f64,
    caps: BTreeMap<Role, f64>,
    targets: BTreeMap<Role, f64>,
) -> Result<Context> {
    let mut f = file.clone();
    let mut label: Vec<String> = Vec::new();
    if demand != 1.0 {
        label.push(format!("demand={}", number(demand)));
    }
    for (r, v) in &caps {
        label.push(format!("cap.{}={}", r.name(), number(*v)));
    }
    for (r, v) in &targets {
        label.push(format!("target.{}={}", r.name(), number(*v)));
    }
    for (r, team, n) in &plan.hires {
        label.push(format!("hire={}:{}:{}", r.name(), team, n));
    }
    if !plan.absent.is_empty() {
        label.push(format!("absent={}", plan.absent.join("+")));
    }
    let pins_dropped = make_absent(&mut f, &plan.absent);
    if !caps.is_empty() || !targets.is_empty() {
        let mut policy = f.policy.clone().unwrap_or_default();
        if !caps.is_empty() {
            policy.caps.get_or_insert_with(BTreeMap::new).extend(caps.iter().map(|(r, v)| (*r, *v)));
        }
        if !targets.is_empty() {
            policy.targets.get_or_insert_with(BTreeMap::new).extend(targets.iter().map(|(r, v)| (*r, *v)));
        }
        f.policy = Some(policy);
    }
    if demand != 1.0 {
        scale_demand(&mut f, demand)?;
    }
    let hired = hire(&mut f, &plan.hires)?;
    let identity = label.is_empty();
    let words = super::plan::settings_words(demand, &caps, &targets, &plan.hires, &plan.absent);
    Ok(Context {
        label: label.join(" "),
        words,
        identity,
        demand,
        caps,
        targets,
        hired,
        absent: plan.absent.clone(),
        pins_dropped,
        file: f,
        as_of: None,
    })
}

/// Marks workers absent and drops the pins that tie cases to them (the case must be
/// reallocated). Returns the ids of the cases whose pin was dropped, sorted.
pub fn make_absent(f: &mut ModelFile, absent: &[String]) -> Vec<String> {
    let gone: BTreeSet<&str> = absent.iter().map(String::as_str).collect();
    for w in &mut f.workers {
        if gone.contains(w.id.as_str()) {
            w.status = Some(Status::Absent);
        }
    }
    let mut dropped = Vec::new();
    for c in &mut f.cases {
        if c.pinned == Some(true) && c.current_worker.as_deref().is_some_and(|w| gone.contains(w)) {
            c.pinned = None;
            dropped.push(c.id.clone());
        }
    }
    dropped.sort();
    dropped
}

/// Scales the caseload by `factor`, per team and case type so the mix stays the same: new cases
/// copy the existing ones of their team and type in id order (type, weight, priority, needs;
/// no current worker, group or exclusions), with ids `DEMAND-000001`, ...; a factor below 1
/// removes the highest ids of each team and type.
pub fn scale_demand(f: &mut ModelFile, factor: f64) -> Result<()> {
    let mut by_kind: BTreeMap<(&str, CaseType), Vec<usize>> = BTreeMap::new();
    for (i, c) in f.cases.iter().enumerate() {
        by_kind.entry((c.team.as_str(), c.case_type)).or_default().push(i);
    }
    let mut remove = vec![false; f.cases.len()];
    let mut added: Vec<CaseInput> = Vec::new();
    for idx in by_kind.values_mut() {
        idx.sort_by(|&a, &b| f.cases[a].id.cmp(&f.cases[b].id));
        let n = idx.len();
        let want = (n as f64 * factor).round() as usize;
        if want < n {
            for &i in &idx[want..] {
                remove[i] = true;
            }
        }
        for k in n..want {
            let t = &f.cases[idx[(k - n) % n]];
            added.push(CaseInput {
                id: format!("DEMAND-{:06}", added.len() + 1),
                case_type: t.case_type,
                team: t.team.clone(),
                weight: t.weight,
                priority: t.priority,
                current_worker: None,
                pinned: None,
                group: None,
                needs: t.needs.clone(),
                exclude: Vec::new(),
                previous_workers: Vec::new(),
                waiting_since: None,
                name: None,
                notes: None,
                no_agency: t.no_agency,
            });
        }
    }
    if let Some(c) = added.first().and_then(|_| f.cases.iter().find(|c| c.id.starts_with("DEMAND-"))) {
        return Err(Error::Usage(format!(
            "--demand: the model already has a case {:?}; new cases are named DEMAND-000001, ... Rename it first",
            c.id
        )));
    }
    let mut keep = 0;
    f.cases.retain(|_| {
        keep += 1;
        !remove[keep - 1]
    });
    f.cases.extend(added);
    Ok(())
}

/// Adds the posts of `--hire`; returns their ids. A supervised role gets the qualified active
/// supervisor of its team with the fewest supervisees (ties by id), if the team has one: as
/// [`pick_supervisor`] chooses, from a queue per team kept as posts are added, so a hire of
/// many posts takes time in proportion to them, not to their square.
pub fn hire(f: &mut ModelFile, hires: &[(Role, String, usize)]) -> Result<Vec<String>> {
    let policy = Policy::from_input(&f.policy.clone().unwrap_or_default());
    let mut ids = Vec::new();
    let mut existing: std::collections::HashSet<String> = f.workers.iter().map(|w| w.id.clone()).collect();
    let mut supervisees: BTreeMap<String, usize> = BTreeMap::new();
    for w in &f.workers {
        if let Some(s) = &w.supervisor {
            *supervisees.entry(s.clone()).or_default() += 1;
        }
    }
    // Each team's qualified active supervisors, fewest supervisees first, then by id.
    let mut queues: BTreeMap<String, BTreeSet<(usize, String)>> = BTreeMap::new();
    for w in &f.workers {
        if crate::rules::qualified_supervisor(&policy, w.role, w.status.unwrap_or_default()) {
            let n = supervisees.get(&w.id).copied().unwrap_or(0);
            queues.entry(w.team.clone()).or_default().insert((n, w.id.clone()));
        }
    }
    // The last number used for each role and team, so a repeated flag goes on from it.
    let mut last: BTreeMap<(Role, &str), usize> = BTreeMap::new();
    for (role, team, n) in hires {
        let k = last.entry((*role, team.as_str())).or_insert(0);
        for _ in 0..*n {
            *k += 1;
            let id = format!("HIRE-{}-{}-{}", role.name(), team, k);
            if !existing.insert(id.clone()) {
                return Err(Error::Usage(format!(
                    "--hire: the model already has a worker {}; new posts are named HIRE-ROLE-TEAM-N. Rename it first", crate::warnings::quoted(&id)
                )));
            }
            let supervisor = if policy.is_supervised(*role) {
                queues.get_mut(team).and_then(|q| q.pop_first()).map(|(n, s)| {
                    if let Some(q) = queues.get_mut(team) {
                        q.insert((n + 1, s.clone()));
                    }
                    s
                })
            } else {
                None
            };
            let post = new_post(&id, *role, team, supervisor);
            if crate::rules::qualified_supervisor(&policy, post.role, post.status.unwrap_or_default()) {
                queues.entry(team.clone()).or_default().insert((0, id.clone()));
            }
            f.workers.push(post);
            ids.push(id);
        }
    }
    Ok(ids)
}

/// A new full-time active post with the policy's cap and target for its role.
pub fn new_post(id: &str, role: Role, team: &str, supervisor: Option<String>) -> WorkerInput {
    WorkerInput {
        id: id.to_string(),
        role,
        team: team.to_string(),
        fte: None,
        cap: None,
        target: None,
        skills: Vec::new(),
        supervisor,
        oversight_cap: None,
        status: None,
        agency: None,
        reductions: Vec::new(),
        name: None,
        notes: None,
    }
}

/// The active worker of `team` in a supervisor role with the fewest supervisees, ties by id.
pub fn pick_supervisor(f: &ModelFile, policy: &Policy, team: &str) -> Option<String> {
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for w in &f.workers {
        if let Some(s) = &w.supervisor {
            *count.entry(s.as_str()).or_default() += 1;
        }
    }
    f.workers
        .iter()
        .filter(|w| {
            w.team == team && crate::rules::qualified_supervisor(policy, w.role, w.status.unwrap_or_default())
        })
        .min_by(|a, b| {
            let ca = count.get(a.id.as_str()).copied().unwrap_or(0);
            let cb = count.get(b.id.as_str()).copied().unwrap_or(0);
            ca.cmp(&cb).then(a.id.cmp(&b.id))
        })
        .map(|w| w.id.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn worker(id: &str, role: Role, team: &str) -> WorkerInput {
        new_post(id, role, team, None)
    }

    #[test]
    fn many_hires_get_the_supervisors_one_at_a_time_would_give() {
        let file = ModelFile {
            version: 1,
            policy: None,
            workers: vec![
                worker("S2", Role::SeniorSocialWorker, "North"),
                worker("S1", Role::SeniorSocialWorker, "North"),
                WorkerInput {
                    supervisor: Some("S1".into()),
                    ..worker("A0", Role::SocialWorkAssistant, "North")
                },
                worker("S3", Role::SeniorSocialWorker, "South"),
            ],
            cases: Vec::new(),
        };
        let hires = vec![
            (Role::SocialWorkAssistant, "North".to_string(), 3),
            (Role::SeniorSocialWorker, "North".to_string(), 1),
            (Role::SocialWorkAssistant, "North".to_string(), 4),
            (Role::FamilySupportWorker, "South".to_string(), 2),
        ];
        let mut fast = file.clone();
        let ids = hire(&mut fast, &hires).unwrap();
        // One at a time, each choice from the whole list of workers as it then stands.
        let mut slow = file.clone();
        let policy = Policy::from_input(&PolicyInput::default());
        let mut k: BTreeMap<(Role, String), usize> = BTreeMap::new();
        for (role, team, n) in &hires {
            for _ in 0..*n {
                let k = k.entry((*role, team.clone())).or_insert(0);
                *k += 1;
                let id = format!("HIRE-{}-{}-{}", role.name(), team, k);
                let s =
                    if policy.is_supervised(*role) { pick_supervisor(&slow, &policy, team) } else { None };
                slow.workers.push(new_post(&id, *role, team, s));
            }
        }
        assert_eq!(fast, slow);
        assert_eq!(ids.len(), 10);
        assert_eq!(ids[7], "HIRE-social_work_assistant-North-7");
    }
}
