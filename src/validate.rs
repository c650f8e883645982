//! Validation: turns a [`ModelFile`] into a checked [`Model`] (defined in [`crate::model`]) with every default filled in, or
//! refuses it with the file, the place (`cases[17].current_worker`) and what to do.
//!
//! Each check is a small function named after what it checks. Checks run in file order, so the
//! first error reported is the first one in the file.

use crate::error::{Error, Result};
use crate::model::{Case, Group, Worker};
use crate::model::{CaseInput, ModelFile, Policy, PolicyInput, WorkerInput};
use crate::rules;
use crate::util::sha256_hex;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The checked model, at its old path: the solver files (`solve`, `lp`, `formulate`, `highs`) still
/// import it from here until they move into `solve/` (issue 9); new code uses [`crate::model::Model`].
#[doc(no_inline)]
pub use crate::model::Model;

/// Validates a parsed model file. `file` names it in messages; `bytes` are hashed for audit.
pub fn validate(file: &str, input: &ModelFile, bytes: &[u8]) -> Result<Model> {
    let err = |place: String, problem: String| Error::input(file, place, problem);
    check_version(input.version).map_err(|p| err("version".into(), p))?;
    let policy_in = input.policy.clone().unwrap_or_default();
    check_policy(&policy_in).map_err(|(place, p)| err(format!("policy.{place}"), p))?;
    let policy = Policy::from_input(&policy_in);

    let worker_ids = unique_ids(input.workers.iter().map(|w| w.id.as_str()), "workers")
        .map_err(|(place, p)| err(place, p))?;
    let case_ids =
        unique_ids(input.cases.iter().map(|c| c.id.as_str()), "cases").map_err(|(place, p)| err(place, p))?;

    let mut teams: BTreeSet<&str> = BTreeSet::new();
    teams.extend(input.workers.iter().map(|w| w.team.as_str()));
    teams.extend(input.cases.iter().map(|c| c.team.as_str()));
    let teams: Vec<String> = teams.into_iter().map(String::from).collect();
    let team_index = |t: &str| teams.binary_search_by(|x| x.as_str().cmp(t)).unwrap_or(0);

    // Sorted order of workers by id: file index -> model index.
    let worker_rank = rank(&worker_ids);
    let case_rank = rank(&case_ids);
    let worker_index: WorkerIndex =
        worker_ids.iter().enumerate().map(|(i, id)| (id.clone(), worker_rank[i])).collect();

    let mut workers: Vec<Option<Worker>> = vec![None; input.workers.len()];
    for (i, w) in input.workers.iter().enumerate() {
        let place = |f: &str| format!("workers[{i}].{f}");
        let worker = check_worker(w, &policy, &worker_index).map_err(|(f, p)| err(place(f), p))?;
        workers[worker_rank[i]] = Some(Worker { team: team_index(&w.team), ..worker });
    }
    let workers: Vec<Worker> = workers.into_iter().flatten().collect();

    let mut group_names: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, c) in input.cases.iter().enumerate() {
        if let Some(g) = &c.group {
            group_names.entry(g.as_str()).or_default().push(case_rank[i]);
        }
    }
    let groups: Vec<Group> = group_names
        .iter()
        .map(|(name, members)| {
            let mut members = members.clone();
            members.sort_unstable();
            Group { name: name.to_string(), members }
        })
        .collect();
    let group_index: HashMap<&str, usize> = group_names.keys().enumerate().map(|(i, n)| (*n, i)).collect();

    let mut cases: Vec<Option<Case>> = vec![None; input.cases.len()];
    for (i, c) in input.cases.iter().enumerate() {
        let place = |f: &str| format!("cases[{i}].{f}");
        let case = check_case(c, &policy, &worker_index).map_err(|(f, p)| err(place(f), p))?;
        let group = c.group.as_deref().and_then(|g| group_index.get(g).copied());
        cases[case_rank[i]] = Some(Case { team: team_index(&c.team), group, ..case });
    }
    let cases: Vec<Case> = cases.into_iter().flatten().collect();

    let model = Model { policy, teams, workers, cases, groups, hash: sha256_hex(bytes) };
    // Rule 10: a pinned allocation must itself be lawful.
    let file_index: Vec<usize> = invert(&case_rank);
    check_pins(&model).map_err(|(c, p)| err(format!("cases[{}].pinned", file_index[c]), p))?;
    Ok(model)
}

fn check_version(v: u32) -> std::result::Result<(), String> {
    if v == 1 {
        Ok(())
    } else {
        Err(format!("version {v} is not supported; this program reads version 1"))
    }
}

fn finite_at_least(v: f64, min: f64, what: &str) -> std::result::Result<(), String> {
    if !v.is_finite() || v < min {
        Err(format!("{what} must be a number >= {min}, got {v}"))
    } else {
        Ok(())
    }
}

fn positive(v: f64, what: &str) -> std::result::Result<(), String> {
    if !v.is_finite() || v <= 0.0 {
        Err(format!("{what} must be a number > 0, got {v}"))
    } else {
        Ok(())
    }
}

fn check_policy(p: &PolicyInput) -> std::result::Result<(), (String, String)> {
    for (name, map) in [("caps", &p.caps), ("targets", &p.targets)] {
        for (role, v) in map.iter().flatten() {
            finite_at_least(*v, 0.0, name).map_err(|e| (format!("{name}.{}", role.name()), e))?;
        }
    }
    for (t, v) in p.weights.iter().flatten() {
        positive(*v, "a weight").map_err(|e| (format!("weights.{}", t.name()), e))?;
    }
    for (t, v) in p.priority.iter().flatten() {
        finite_at_least(*v, 0.0, "a priority").map_err(|e| (format!("priority.{}", t.name()), e))?;
    }
    for (name, v) in [
        ("oversight_cap", p.oversight_cap),
        ("move_penalty", p.move_penalty),
        ("overload_penalty", p.overload_penalty),
        ("cross_team_penalty", p.cross_team_penalty),
    ] {
        if let Some(v) = v {
            finite_at_least(v, 0.0, name).map_err(|e| (name.to_string(), e))?;
        }
    }
    Ok(())
}

/// Checks ids are non-empty and unique; returns them in file order.
fn unique_ids<'a>(
    ids: impl Iterator<Item = &'a str>,
    list: &str,
) -> std::result::Result<Vec<String>, (String, String)> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut out = Vec::new();
    for (i, id) in ids.enumerate() {
        if id.trim().is_empty() {
            return Err((format!("{list}[{i}].id"), "the id is empty; give every entry an id".into()));
        }
        if let Some(first) = seen.insert(id, i) {
            return Err((
                format!("{list}[{i}].id"),
                format!("id {id:?} is used again (first at {list}[{first}]); ids must be unique"),
            ));
        }
        out.push(id.to_string());
    }
    Ok(out)
}

/// rank[i] = position of file entry i when sorted by id.
fn rank(ids: &[String]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..ids.len()).collect();
    order.sort_by(|&a, &b| ids[a].cmp(&ids[b]));
    invert(&order)
}

fn invert(p: &[usize]) -> Vec<usize> {
    let mut inv = vec![0; p.len()];
    for (i, &x) in p.iter().enumerate() {
        inv[x] = i;
    }
    inv
}

/// Worker id -> model index (workers sorted by id).
type WorkerIndex = HashMap<String, usize>;

fn worker_ref(id: &str, index: &WorkerIndex) -> std::result::Result<usize, String> {
    index.get(id).copied().ok_or_else(|| format!("no worker {id:?}; add the worker or remove the reference"))
}

fn check_worker(
    w: &WorkerInput,
    policy: &Policy,
    index: &WorkerIndex,
) -> std::result::Result<Worker, (&'static str, String)> {
    let fte = w.fte.unwrap_or(1.0);
    if !fte.is_finite() || fte <= 0.0 || fte > 1.0 {
        return Err(("fte", format!("fte must be above 0 and at most 1, got {fte}")));
    }
    if let Some(c) = w.cap {
        finite_at_least(c, 0.0, "cap").map_err(|e| ("cap", e))?;
    }
    if let Some(t) = w.target {
        finite_at_least(t, 0.0, "target").map_err(|e| ("target", e))?;
    }
    if let Some(o) = w.oversight_cap {
        finite_at_least(o, 0.0, "oversight_cap").map_err(|e| ("oversight_cap", e))?;
    }
    let supervisor = match &w.supervisor {
        Some(s) => Some(worker_ref(s, index).map_err(|e| ("supervisor", e))?),
        None => None,
    };
    let cap = w.cap.unwrap_or_else(|| policy.caps.get(&w.role).copied().unwrap_or(0.0) * fte);
    let target =
        w.target.unwrap_or_else(|| policy.targets.get(&w.role).copied().unwrap_or(0.0) * fte).min(cap);
    let mut skills = w.skills.clone();
    skills.sort();
    skills.dedup();
    Ok(Worker {
        id: w.id.clone(),
        role: w.role,
        team: 0,
        fte,
        cap,
        target,
        skills,
        supervisor,
        oversight_cap: w.oversight_cap.unwrap_or(policy.oversight_cap),
        status: w.status.unwrap_or_default(),
        agency: w.agency.unwrap_or(false),
    })
}

fn check_case(
    c: &CaseInput,
    policy: &Policy,
    index: &WorkerIndex,
) -> std::result::Result<Case, (&'static str, String)> {
    let weight = c.weight.unwrap_or_else(|| policy.weights.get(&c.case_type).copied().unwrap_or(1.0));
    positive(weight, "weight").map_err(|e| ("weight", e))?;
    let priority = c.priority.unwrap_or_else(|| policy.priority.get(&c.case_type).copied().unwrap_or(0.0));
    finite_at_least(priority, 0.0, "priority").map_err(|e| ("priority", e))?;
    let current_worker = match &c.current_worker {
        Some(s) => Some(worker_ref(s, index).map_err(|e| ("current_worker", e))?),
        None => None,
    };
    let pinned = c.pinned.unwrap_or(false);
    if pinned && current_worker.is_none() {
        return Err((
            "pinned",
            "a pinned case needs a current_worker to stay with; add one or remove pinned".into(),
        ));
    }
    let mut exclude = Vec::with_capacity(c.exclude.len());
    for (j, x) in c.exclude.iter().enumerate() {
        exclude.push(worker_ref(x, index).map_err(|e| ("exclude", format!("exclude[{j}]: {e}")))?);
    }
    exclude.sort_unstable();
    exclude.dedup();
    let mut needs = c.needs.clone();
    needs.sort();
    needs.dedup();
    Ok(Case {
        id: c.id.clone(),
        case_type: c.case_type,
        team: 0,
        weight,
        priority,
        current_worker,
        pinned,
        group: None,
        needs,
        exclude,
    })
}

/// Rule 10: every pinned case must be lawful where it is pinned, together with the other pins
/// and with the unpinned siblings that rule 9 makes follow it to the same worker.
/// Returns the (model) index of the first offending case and the problem.
fn check_pins(m: &Model) -> std::result::Result<(), (usize, String)> {
    let mut load = vec![0.0; m.workers.len()];
    let mut oversight = vec![0.0; m.workers.len()];
    let mut counted = vec![false; m.cases.len()];
    for (ci, c) in m.cases.iter().enumerate() {
        let Some(w) = c.current_worker.filter(|_| c.pinned) else { continue };
        if let Err(block) = rules::check_permitted(m, ci, w) {
            return Err((
                ci,
                format!(
                    "case {:?} is pinned to {:?}, but {}; unpin it or fix the worker",
                    c.id,
                    m.workers[w].id,
                    block.describe(m, ci, w)
                ),
            ));
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
                    return Err((ci, format!(
                        "case {:?} is pinned to {:?} but its sibling {:?} in group {:?} is pinned to another worker; siblings go to one worker",
                        c.id, m.workers[w].id, o.id, m.groups[g].name
                    )));
                }
                if let Err(block) = rules::check_permitted(m, other, w) {
                    return Err((ci, format!(
                        "case {:?} is pinned to {:?}, so its sibling {:?} in group {:?} must go there too, but {}; unpin it or change the group",
                        c.id, m.workers[w].id, o.id, m.groups[g].name, block.describe(m, other, w)
                    )));
                }
                placed.push(other);
            }
        }
        let worker = &m.workers[w];
        let overseer = rules::overseer(m, w);
        for x in placed {
            if std::mem::replace(&mut counted[x], true) {
                continue;
            }
            let weight = m.cases[x].weight;
            load[w] += weight;
            if load[w] > worker.cap + rules::EPS {
                return Err((ci, format!(
                    "the cases pinned to {:?} (with their siblings) weigh {} in all, above its cap of {}; unpin some or raise the cap",
                    worker.id, load[w], worker.cap
                )));
            }
            if let Some(s) = overseer {
                oversight[s] += weight;
                if oversight[s] > m.workers[s].oversight_cap + rules::EPS {
                    return Err((ci, format!(
                        "the cases pinned to workers supervised by {:?} (with their siblings) weigh {} in all, above its oversight cap of {}; unpin some or raise the oversight cap",
                        m.workers[s].id, oversight[s], m.workers[s].oversight_cap
                    )));
                }
            }
        }
    }
    Ok(())
}
