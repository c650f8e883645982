//! Ties by waiting: among allocations of a part with the same objective value, the one that
//! allocates the children who have waited longest (then those whom fewer workers may hold, then
//! by id; [`crate::formulate::precedence`] gives the order).
//!
//! Within a class the members allocated are already the first in that order
//! ([`super::allocation::class_members`]). Across classes this pass exchanges: a unit of one class
//! leaves a worker and a unit of a class with a child earlier in the order takes its place,
//! directly or by moving one case of a third class to the freed room. A move is made only when
//! the part's exact value ([`super::value`]) stays that of the allocation the search returned,
//! within rounding, so the tie-break never costs objective; and only when the earliest child
//! whose status changes gains a worker, so the allocated set rises strictly in the order and
//! the pass ends.

use super::allocation::{class_members, loads, value};
use super::heuristics::unit_delta;
use super::PartAlloc;
use crate::formulate::Part;
use crate::model::Model;
use crate::rules::EPS;

/// Makes objective-neutral exchanges until the earliest waiting children are allocated, screening
/// at most `moves` moves (each is a few additions; exact checks are fewer): the effort's
/// [`super::params::Effort::waiting_moves`].
pub(super) fn prefer(m: &Model, part: &Part, place: &[usize], a: &mut PartAlloc, moves: usize) {
    if part.classes.len() < 2 {
        return;
    }
    let v0 = value(m, part, a);
    let tol = crate::tolerance::GAIN * v0.abs().max(1.0);
    let mut budget = moves;
    let rank = |c: usize| place.get(c).copied().unwrap_or(usize::MAX);
    loop {
        let (load, over) = loads(part, a);
        // Per class: the earliest member left out, and the latest member allocated.
        let nk = part.classes.len();
        let mut first_out: Vec<Option<usize>> = vec![None; nk];
        let mut last_in: Vec<Option<usize>> = vec![None; nk];
        for (k, class) in part.classes.iter().enumerate() {
            let mut placed: Vec<usize> =
                class_members(m, part, k, &a.counts[k], Some(place)).into_iter().map(|(c, _)| c).collect();
            placed.sort_unstable();
            for &c in &class.cases {
                if placed.binary_search(&c).is_ok() {
                    last_in[k] = last_in[k].max(Some(rank(c)));
                } else {
                    first_out[k] = Some(first_out[k].map_or(rank(c), |r| r.min(rank(c))));
                }
            }
        }
        let mut ins: Vec<usize> = (0..nk).filter(|&k| first_out[k].is_some()).collect();
        ins.sort_by_key(|&k| (first_out[k], k));
        let mut moved = false;
        'search: for &k1 in &ins {
            let u = first_out[k1].unwrap_or(usize::MAX);
            let mut outs: Vec<usize> =
                (0..nk).filter(|&k2| k2 != k1 && last_in[k2].is_some_and(|v| v > u)).collect();
            outs.sort_by_key(|&k2| (std::cmp::Reverse(last_in[k2]), k2));
            for &k2 in &outs {
                for j2 in 0..part.classes[k2].workers.len() {
                    if a.counts[k2][j2] == 0 {
                        continue;
                    }
                    for moves in exchanges(part, a, k1, k2, j2) {
                        if budget == 0 {
                            return;
                        }
                        budget -= 1;
                        if try_moves(m, part, place, a, (&load, &over), &moves, (v0, tol)) {
                            moved = true;
                            break 'search;
                        }
                    }
                }
            }
        }
        if !moved {
            return;
        }
    }
}

/// The exchanges that take one unit of class `k2` off its worker at position `j2` and bring
/// in one unit of class `k1`: at the freed worker's place directly, at any worker of `k1`
/// (its room may allow it), or at a worker of `k1` that a unit of a third class leaves for
/// the freed worker. Each is a list of (class, position, +1 or -1).
fn exchanges(part: &Part, a: &PartAlloc, k1: usize, k2: usize, j2: usize) -> Vec<Vec<(usize, usize, i32)>> {
    let w2 = part.classes[k2].workers[j2];
    let c1 = &part.classes[k1];
    let mut out: Vec<Vec<(usize, usize, i32)>> = Vec::new();
    // Directly: the freed worker first, then any other worker of k1.
    let mut direct: Vec<usize> = (0..c1.workers.len()).collect();
    direct.sort_by_key(|&j1| (c1.workers[j1] != w2, j1));
    for &j1 in &direct {
        out.push(vec![(k2, j2, -1), (k1, j1, 1)]);
    }
    // Through a third unit: k3 moves from w1 (a worker of k1) to w2, and k1 takes its place.
    for (j1, &w1) in c1.workers.iter().enumerate() {
        if w1 == w2 {
            continue;
        }
        for (k3, c3) in part.classes.iter().enumerate() {
            let Some(from) = c3.workers.iter().position(|&x| x == w1) else { continue };
            let Some(to) = c3.workers.iter().position(|&x| x == w2) else { continue };
            let spare = if k3 == k2 && from == j2 { 1 } else { 0 };
            if a.counts[k3][from] > spare {
                out.push(vec![(k2, j2, -1), (k3, from, -1), (k3, to, 1), (k1, j1, 1)]);
            }
        }
    }
    out
}

/// Applies `moves` to `a` when they keep every row, leave the part's value unchanged (within
/// `tol` of `v0`) and allocate the earliest child whose status changes; otherwise leaves `a`
/// as it was. True when applied.
fn try_moves(
    m: &Model,
    part: &Part,
    place: &[usize],
    a: &mut PartAlloc,
    (load, over): (&[f64], &[f64]),
    moves: &[(usize, usize, i32)],
    (v0, tol): (f64, f64),
) -> bool {
    let p = &m.policy;
    let rank = |c: usize| place.get(c).copied().unwrap_or(usize::MAX);
    // Cheap screen: the item values change by unit_delta, the load costs at the workers touched.
    let before: Vec<Vec<u32>> = moves.iter().map(|&(k, _, _)| a.counts[k].clone()).collect();
    let mut delta = 0.0;
    let mut ok = true;
    let mut touched: Vec<(usize, f64)> = Vec::new();
    for &(k, j, d) in moves {
        if d < 0 && a.counts[k][j] == 0 {
            ok = false;
            break;
        }
        delta += unit_delta(m, part, a, k, j, d);
        a.counts[k][j] = (i64::from(a.counts[k][j]) + i64::from(d)) as u32;
        let w = part.classes[k].workers[j];
        let dw = part.classes[k].weight * f64::from(d);
        match touched.iter_mut().find(|t| t.0 == w) {
            Some(t) => t.1 += dw,
            None => touched.push((w, dw)),
        }
    }
    let revert = |a: &mut PartAlloc| {
        for (i, &(k, _, _)) in moves.iter().enumerate().rev() {
            a.counts[k].clone_from(&before[i]);
        }
    };
    if !ok {
        revert(a);
        return false;
    }
    let mut over_change: Vec<(usize, f64)> = Vec::new();
    for &(w, dw) in &touched {
        let r = &part.workers[w];
        delta -= r.load_cost(p, load[w] + dw) - r.load_cost(p, load[w]);
        if dw > 0.0 && load[w] + dw > r.cap + EPS {
            ok = false;
        }
        if let Some(s) = r.overseer {
            match over_change.iter_mut().find(|t| t.0 == s) {
                Some(t) => t.1 += dw,
                None => over_change.push((s, dw)),
            }
        }
    }
    ok &= over_change.iter().all(|&(s, ds)| ds <= 0.0 || over[s] + ds <= part.overseers[s].1 + EPS);
    ok &= moves.iter().all(|&(k, _, _)| {
        a.counts[k].iter().map(|&n| n as usize).sum::<usize>() <= part.classes[k].cases.len()
    });
    if !ok || delta.abs() > tol {
        revert(a);
        return false;
    }
    // Which children gain or lose a worker: the earliest of them must gain one.
    let mut classes: Vec<usize> = moves.iter().map(|&(k, _, _)| k).collect();
    classes.sort_unstable();
    classes.dedup();
    let allocated = |a: &PartAlloc, k: usize, counts: Option<&[u32]>| -> Vec<usize> {
        let mut v: Vec<usize> = class_members(m, part, k, counts.unwrap_or(&a.counts[k]), Some(place))
            .into_iter()
            .map(|(c, _)| c)
            .collect();
        v.sort_unstable();
        v
    };
    let mut earliest: Option<(usize, bool)> = None;
    for &k in &classes {
        let i = moves.iter().position(|&(x, _, _)| x == k).unwrap_or(0);
        let old = allocated(a, k, Some(&before[i]));
        let new = allocated(a, k, None);
        let lost = old.iter().filter(|c| new.binary_search(c).is_err()).map(|&c| (rank(c), false));
        let gained = new.iter().filter(|c| old.binary_search(c).is_err()).map(|&c| (rank(c), true));
        for r in lost.chain(gained) {
            earliest = Some(earliest.map_or(r, |e| e.min(r)));
        }
    }
    let gains = earliest.is_some_and(|(_, gained)| gained);
    if !gains || (value(m, part, a) - v0).abs() > tol {
        revert(a);
        return false;
    }
    true
}
