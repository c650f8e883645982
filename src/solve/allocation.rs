//! A part's allocation (counts per class and worker, each group's worker): its loads, its
//! exact value, its feasibility, and the case-level assignment it stands for.

use super::PartAlloc;
use crate::formulate::Part;
use crate::model::Model;
use crate::rules::EPS;

/// Loads (free part only) of each local worker, and oversight used per overseer row.
pub(super) fn loads(part: &Part, a: &PartAlloc) -> (Vec<f64>, Vec<f64>) {
    let mut load = vec![0.0; part.workers.len()];
    for (k, class) in part.classes.iter().enumerate() {
        for (j, &w) in class.workers.iter().enumerate() {
            load[w] += class.weight * a.counts[k][j] as f64;
        }
    }
    for (g, item) in part.groups.iter().enumerate() {
        if let Some(j) = a.groups[g] {
            load[item.workers[j]] += item.weight;
        }
    }
    let mut over = vec![0.0; part.overseers.len()];
    for (w, room) in part.workers.iter().enumerate() {
        if let Some(s) = room.overseer {
            over[s] += load[w];
        }
    }
    (load, over)
}

pub(super) fn kept_count(part: &Part, k: usize, w: usize) -> u32 {
    part.classes[k].current.iter().find(|&&(cw, _)| cw == w).map_or(0, |&(_, n)| n as u32)
}

/// The part's value: priorities, keep bonuses, cross-team penalties and overload, exactly.
pub fn value(m: &Model, part: &Part, a: &PartAlloc) -> f64 {
    let mut v = 0.0;
    for (k, class) in part.classes.iter().enumerate() {
        for (j, &w) in class.workers.iter().enumerate() {
            let n = a.counts[k][j];
            if n > 0 {
                let kept = n.min(kept_count(part, k, w));
                v += part.unit_value(m, k, w, false) * n as f64 + m.policy.move_penalty * kept as f64;
            }
        }
    }
    for (g, item) in part.groups.iter().enumerate() {
        if let Some(j) = a.groups[g] {
            v += item.value[j];
        }
    }
    let (load, _) = loads(part, a);
    for (w, room) in part.workers.iter().enumerate() {
        v -= room.load_cost(&m.policy, load[w]);
    }
    v
}

pub(super) fn empty_alloc(part: &Part) -> PartAlloc {
    PartAlloc {
        counts: part.classes.iter().map(|c| vec![0; c.workers.len()]).collect(),
        groups: vec![None; part.groups.len()],
    }
}

/// True when an allocation keeps every row of the part (caps, oversight, item counts).
pub fn feasible(part: &Part, a: &PartAlloc) -> bool {
    for (k, class) in part.classes.iter().enumerate() {
        if a.counts[k].iter().map(|&n| n as usize).sum::<usize>() > class.cases.len() {
            return false;
        }
    }
    let (load, over) = loads(part, a);
    part.workers.iter().enumerate().all(|(w, r)| load[w] <= r.cap + EPS)
        && part.overseers.iter().enumerate().all(|(s, o)| over[s] <= o.1 + EPS)
}

/// Which member of class `k` goes where for the counts `counts` (one per class worker), taking
/// members in order (by `precedence` when the model records waiting, so the longest-waiting
/// are allocated; by id otherwise): each case to today's worker while that worker's count
/// lasts, then the rest. Returns (case, position in `class.workers`) of every member allocated.
pub(super) fn class_members(
    m: &Model,
    part: &Part,
    k: usize,
    counts: &[u32],
    precedence: Option<&[usize]>,
) -> Vec<(usize, usize)> {
    let class = &part.classes[k];
    let mut left: Vec<u32> = counts.to_vec();
    let mut placed = Vec::new();
    let mut rest = Vec::new();
    let mut members = class.cases.clone();
    if let Some(place) = precedence {
        members.sort_by_key(|&c| place.get(c).copied().unwrap_or(usize::MAX));
    }
    // Keeping today's worker first is what the counts' value assumes, unless keeping is worth
    // nothing (move_penalty 0): then, with waiting, the order alone decides.
    let keep_first = precedence.is_none() || m.policy.move_penalty != 0.0;
    for c in members {
        let cw = m.cases[c].current_worker.filter(|_| keep_first);
        let slot = cw.and_then(|cw| class.workers.iter().position(|&w| part.workers[w].worker == cw));
        match slot {
            Some(j) if left[j] > 0 => {
                left[j] -= 1;
                placed.push((c, j));
            }
            _ => rest.push(c),
        }
    }
    let mut it = rest.into_iter();
    for (j, n) in left.iter().enumerate() {
        for _ in 0..*n {
            if let Some(c) = it.next() {
                placed.push((c, j));
            }
        }
    }
    placed
}

/// Turns a part's counts into case-level assignments: today's worker first, then the
/// longest-waiting (with `precedence`) or by id.
pub(super) fn write_assignment(
    m: &Model,
    part: &Part,
    a: &PartAlloc,
    precedence: Option<&[usize]>,
    out: &mut [Option<usize>],
) {
    for (k, class) in part.classes.iter().enumerate() {
        for (c, j) in class_members(m, part, k, &a.counts[k], precedence) {
            out[c] = Some(part.workers[class.workers[j]].worker);
        }
    }
    for (g, item) in part.groups.iter().enumerate() {
        if let Some(j) = a.groups[g] {
            for &c in &item.cases {
                out[c] = Some(part.workers[item.workers[j]].worker);
            }
        }
    }
}
