//! An exact 0/1 knapsack over real weights with a convex cost of load, for weights that have
//! no small common unit (a points score divided by hours, caps scaled by FTE): the per-worker
//! subproblem of [`super::lagrange`] when a grid over load levels would be too fine.
//!
//! It keeps the Pareto list of partial choices (Nemhauser and Ullmann): states `(load, g)`
//! with `g` the value taken less the cost of the load. A state with no more load and no less
//! `g` than another dominates it: whatever is added to both, the convex cost rises at least as
//! much on the heavier one, so the lighter stays at least as good. The pieces are taken best
//! value per weight first, and a state is dropped when even the fractional knapsack over the
//! pieces still to come (each priced at the cost's slope at the state's load, a bound since
//! the cost is convex) cannot lift it to the best state found (Martello and Toth's bound, over
//! a Pareto list). No weight is rounded: the answer is exact for the weights given, with loads
//! compared to the cap within [`EPS`], as the rules compare them.

use crate::rules::EPS;

/// One 0/1 choice: take it whole or not at all.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Piece {
    /// Load it adds (> 0).
    pub weight: f64,
    /// Value it adds.
    pub value: f64,
}

/// The best choice found.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Choice {
    /// Indices of the pieces taken, ascending.
    pub take: Vec<usize>,
    /// Their load.
    pub load: f64,
    /// Their value less the cost of the load: `sum value - cost(load)`.
    pub g: f64,
    /// States examined: the work done, deterministic.
    pub work: u64,
    /// A proven upper bound on the best `g`: `g` itself when `exact`.
    pub bound: f64,
    /// The list stayed within its allowance of states, so the choice is the optimum.
    pub exact: bool,
}

/// Two objective values closer than this count as equal.
const TIE: f64 = crate::tolerance::TIE;

/// One state of the list: where it came from, so the choice can be read back.
#[derive(Clone, Copy)]
struct State {
    load: f64,
    /// Value taken.
    value: f64,
    /// `value - cost(load)`.
    g: f64,
    /// Index of the state this one extends, or `u32::MAX` for the empty choice.
    parent: u32,
    /// Piece added to the parent.
    piece: u32,
}

/// The best subset of `pieces` with load at most `cap` (within [`EPS`]): it maximises the
/// value taken less `cost(load)`. `cost` must be convex in load, and `slope(l)` at most its
/// slope just above `l` (so `cost(l + e) >= cost(l) + e x slope(l)`); `slope` only prunes, and a
/// smaller one is always safe.
///
/// At most about `max_states` states are made (memory bound): past them the search stops, and
/// the choice is the best state of the list, with `exact` false and `bound` the most any
/// completion of the list's states could reach (the fractional bound of each, a proven bound).
pub(super) fn best(
    pieces: &[Piece],
    cap: f64,
    cost: &dyn Fn(f64) -> f64,
    slope: &dyn Fn(f64) -> f64,
    max_states: usize,
) -> Choice {
    let density = |i: usize| pieces[i].value / pieces[i].weight;
    let mut order: Vec<usize> = (0..pieces.len()).filter(|&i| pieces[i].weight <= cap + EPS).collect();
    order.sort_by(|&a, &b| density(b).total_cmp(&density(a)).then(a.cmp(&b)));
    // Prefix sums over that order, for the fractional bound of what is still to come.
    let mut sum_w = vec![0.0; order.len() + 1];
    let mut sum_v = vec![0.0; order.len() + 1];
    for (n, &i) in order.iter().enumerate() {
        sum_w[n + 1] = sum_w[n] + pieces[i].weight;
        sum_v[n + 1] = sum_v[n] + pieces[i].value;
    }
    let dens: Vec<f64> = order.iter().map(|&i| density(i)).collect();
    // The most a state at `load` can still gain from the pieces from position `from` on.
    let gain_bound = |from: usize, load: f64| -> f64 {
        let s = slope(load);
        let room = cap - load + EPS;
        let rest = &dens[from..];
        let worth = from + rest.partition_point(|&d| d > s);
        let fits = from + sum_w[from..].partition_point(|&w| w - sum_w[from] <= room).max(1) - 1;
        let t = worth.min(fits);
        let mut g = sum_v[t] - sum_v[from] - s * (sum_w[t] - sum_w[from]);
        if t < worth {
            g += (room - (sum_w[t] - sum_w[from])).max(0.0) * (dens[t] - s);
        }
        g.max(0.0)
    };
    // A greedy choice (best value per weight first, each piece taken when it fits and adds)
    // is worth at least this: with it the bound prunes from the first piece on.
    let (mut load, mut value, mut best_g) = (0.0, 0.0, -cost(0.0));
    for &i in &order {
        let (l, v) = (load + pieces[i].weight, value + pieces[i].value);
        if l <= cap + EPS && v - cost(l) > best_g {
            (load, value, best_g) = (l, v, v - cost(l));
        }
    }
    let mut states = vec![State { load: 0.0, value: 0.0, g: -cost(0.0), parent: u32::MAX, piece: u32::MAX }];
    let mut list: Vec<u32> = vec![0];
    let mut work = 1u64 + order.len() as u64;
    // Past the allowance of states: the most a completion of the list can reach.
    let mut cut: Option<f64> = None;
    for (pos, &i) in order.iter().enumerate() {
        if states.len() > max_states {
            let reach = list.iter().map(|&s| {
                let s = states[s as usize];
                s.g + gain_bound(pos, s.load)
            });
            cut = Some(reach.fold(best_g, f64::max));
            break;
        }
        let p = pieces[i];
        let mut next: Vec<u32> = Vec::with_capacity(list.len() * 2);
        let (mut a, mut b) = (0usize, 0usize);
        // Merge the list and the list with the piece added, in order of load.
        loop {
            let old = list.get(a).map(|&s| states[s as usize]);
            let new = list.get(b).map(|&s| states[s as usize]).filter(|s| s.load + p.weight <= cap + EPS);
            let (state, index) = match (old, new) {
                (None, None) => break,
                (Some(o), Some(n)) if n.load + p.weight < o.load => (None, b),
                (Some(_), _) => {
                    a += 1;
                    (Some(list[a - 1]), 0)
                }
                (None, Some(_)) => (None, b),
            };
            let (load, value, g, id) = match state {
                Some(id) => {
                    let s = states[id as usize];
                    (s.load, s.value, s.g, Some(id))
                }
                None => {
                    b += 1;
                    let from = states[list[index] as usize];
                    let (load, value) = (from.load + p.weight, from.value + p.value);
                    (load, value, value - cost(load), None)
                }
            };
            work += 1;
            if g + gain_bound(pos + 1, load) < best_g - TIE * best_g.abs().max(1.0) {
                continue;
            }
            best_g = best_g.max(g);
            // Dominated by the last state kept (no more load, no less value): dropped.
            if let Some(&last) = next.last() {
                if g <= states[last as usize].g + TIE {
                    continue;
                }
            }
            // It dominates the states kept at the same load.
            while next.last().is_some_and(|&s| states[s as usize].load >= load - TIE) {
                next.pop();
            }
            let id = id.unwrap_or_else(|| {
                states.push(State { load, value, g, parent: list[index], piece: i as u32 });
                (states.len() - 1) as u32
            });
            next.push(id);
        }
        list = next;
    }
    // The list rises in both load and value: its last state is the best.
    let top = *list.last().unwrap_or(&0);
    let mut take = Vec::new();
    let mut s = top;
    while s != u32::MAX && states[s as usize].parent != u32::MAX {
        take.push(states[s as usize].piece as usize);
        s = states[s as usize].parent;
    }
    take.sort_unstable();
    let (load, g) = (states[top as usize].load, states[top as usize].g);
    Choice { take, load, g, work, bound: cut.unwrap_or(g).max(g), exact: cut.is_none() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::SplitMix64;
    use crate::model::Policy;
    use crate::objective;

    /// The best subset by trying every one.
    fn brute(pieces: &[Piece], cap: f64, cost: &dyn Fn(f64) -> f64) -> f64 {
        (0..1u32 << pieces.len())
            .filter_map(|mask| {
                let (mut load, mut value) = (0.0, 0.0);
                for (_, p) in pieces.iter().enumerate().filter(|(i, _)| mask >> i & 1 == 1) {
                    load += p.weight;
                    value += p.value;
                }
                (load <= cap + EPS).then(|| value - cost(load))
            })
            .fold(f64::NEG_INFINITY, f64::max)
    }

    /// A weight with up to seven decimals, as a points score over hours gives.
    fn decimal_weight(g: &mut SplitMix64) -> f64 {
        ((0.3 + 2.2 * g.unit()) * 1e7).round() / 1e7
    }

    /// Random pieces with weights of seven decimals (some summed, as a sibling group's are),
    /// values of either sign, caps scaled by FTE, and the overload and fairness terms as the
    /// cost: the choice is the brute-force optimum, its load within the cap and its g what its
    /// pieces are worth.
    #[test]
    fn agrees_with_brute_force_on_decimal_weights_and_fte_scaled_caps() {
        let mut g = SplitMix64::new(23);
        for case in 0..400 {
            let n = g.below(13);
            let pieces: Vec<Piece> = (0..n)
                .map(|_| {
                    let members = if g.chance(0.25) { 2 + g.below(3) } else { 1 };
                    let weight: f64 = (0..members).map(|_| decimal_weight(&mut g)).sum();
                    Piece { weight, value: (g.unit() * 140.0 - 20.0) * members as f64 }
                })
                .collect();
            let fte: f64 = [1.0, 0.8, 0.6, 0.5][g.below(4)];
            let cap = 18.0 * fte;
            let target = (15.0 * fte).min(cap);
            let mut p = Policy::england();
            p.overload_penalty = [0.0, 5.0, 30.0][g.below(3)];
            p.fairness_penalty = [0.0, 0.0, 2.0, 25.0][g.below(4)];
            let fixed = if g.chance(0.3) { decimal_weight(&mut g) } else { 0.0 };
            let cost = |l: f64| objective::load_cost(&p, target, fixed + l);
            let slope = |l: f64| objective::load_slope(&p, target, fixed + l);
            let got = best(&pieces, cap, &cost, &slope, usize::MAX);
            assert!(got.exact && got.bound == got.g, "case {case}");
            let want = brute(&pieces, cap, &cost);
            assert!(
                (got.g - want).abs() <= 1e-9 * want.abs().max(1.0),
                "case {case}: {} against {want}",
                got.g
            );
            let load: f64 = got.take.iter().map(|&i| pieces[i].weight).sum();
            let value: f64 = got.take.iter().map(|&i| pieces[i].value).sum();
            assert!(load <= cap + EPS && (load - got.load).abs() <= 1e-9, "case {case}");
            assert!((value - cost(load) - got.g).abs() <= 1e-9 * got.g.abs().max(1.0), "case {case}");
        }
    }

    /// The slope is a lower bound on how fast the cost rises: cost(l + e) >= cost(l) + e x
    /// slope(l), at whole loads, at target and between them.
    #[test]
    fn the_load_slope_never_overstates_the_cost_of_more_load() {
        let mut g = SplitMix64::new(5);
        for _ in 0..2000 {
            let mut p = Policy::england();
            p.overload_penalty = g.unit() * 40.0;
            p.fairness_penalty = [0.0, g.unit() * 30.0][g.below(2)];
            let target = [0.0, 9.0, 10.8, 14.4, 18.0][g.below(5)];
            let l = g.unit() * 20.0;
            let e = [g.unit() * 1e-3, g.unit(), g.unit() * 8.0][g.below(3)];
            let rise = objective::load_cost(&p, target, l + e) - objective::load_cost(&p, target, l);
            assert!(rise >= e * objective::load_slope(&p, target, l) - 1e-9, "{l} {e} {target}");
        }
    }

    /// With too few states allowed the list stops early: the choice is lawful and worth what it
    /// says, and its bound is a proven bound on the optimum (never below it).
    #[test]
    fn a_list_out_of_states_gives_a_lawful_choice_and_a_proven_bound() {
        let mut g = SplitMix64::new(41);
        let mut cut = 0;
        for case in 0..300 {
            let pieces: Vec<Piece> = (0..4 + g.below(9))
                .map(|_| Piece { weight: decimal_weight(&mut g), value: g.unit() * 100.0 - 10.0 })
                .collect();
            let cap = [5.4, 10.8, 18.0][g.below(3)];
            let mut p = Policy::england();
            p.overload_penalty = [0.0, 30.0][g.below(2)];
            p.fairness_penalty = [0.0, 2.0][g.below(2)];
            let cost = |l: f64| objective::load_cost(&p, cap * 0.8, l);
            let slope = |l: f64| objective::load_slope(&p, cap * 0.8, l);
            let got = best(&pieces, cap, &cost, &slope, 1 + g.below(6));
            let want = brute(&pieces, cap, &cost);
            let load: f64 = got.take.iter().map(|&i| pieces[i].weight).sum();
            let value: f64 = got.take.iter().map(|&i| pieces[i].value).sum();
            assert!(load <= cap + EPS, "case {case}");
            assert!((value - cost(load) - got.g).abs() <= 1e-9 * got.g.abs().max(1.0), "case {case}");
            assert!(got.g <= want + 1e-9 * want.abs().max(1.0), "case {case}");
            assert!(got.bound >= want - 1e-9 * want.abs().max(1.0), "case {case}: {} < {want}", got.bound);
            if got.exact {
                assert!((got.g - want).abs() <= 1e-9 * want.abs().max(1.0), "case {case}");
            } else {
                cut += 1;
            }
        }
        assert!(cut > 50, "only {cut} lists ran out of states");
    }

    #[test]
    fn nothing_fits_in_no_room_and_nothing_worth_less_than_nothing_is_taken() {
        let pieces = [Piece { weight: 0.4285714, value: 50.0 }, Piece { weight: 1.0, value: -3.0 }];
        let zero = |_: f64| 0.0;
        assert_eq!(best(&pieces, 0.0, &zero, &zero, usize::MAX).take, Vec::<usize>::new());
        let got = best(&pieces, 10.8, &zero, &zero, usize::MAX);
        assert_eq!((got.take, got.g), (vec![0], 50.0));
    }
}
