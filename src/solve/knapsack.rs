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
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Mutex;

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
    /// Value taken less the cost of the load.
    g: f64,
    /// Index of the state this one extends, or `u32::MAX` for the empty choice.
    parent: u32,
    /// Piece added to the parent.
    piece: u32,
}

/// One state of the list being merged: a copy of its [`State`]'s numbers, side by side in
/// memory, and its index there.
#[derive(Clone, Copy)]
struct Entry {
    load: f64,
    value: f64,
    g: f64,
    id: u32,
}

/// The best subset of `pieces` with load at most `cap` (within [`EPS`]): it maximises the
/// value taken less `cost(load)`. `cost` must be convex in load, and `slope(l)` at most its
/// slope just above `l` (so `cost(l + e) >= cost(l) + e x slope(l)`); `slope` only prunes, and a
/// smaller one is always safe.
///
/// At most about `max_states` states are made (memory bound): past them the search stops, and
/// the choice is the best state of the list, with `exact` false and `bound` the most any
/// completion of the list's states could reach (the fractional bound of each, a proven bound).
pub(super) fn best<C, S>(pieces: &[Piece], cap: f64, cost: &C, slope: &S, max_states: usize) -> Choice
where
    C: Fn(f64) -> f64,
    S: Fn(f64) -> f64,
{
    SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
        Ok(mut buffers) => best_in(pieces, cap, cost, slope, max_states, &mut buffers),
        Err(_) => best_in(pieces, cap, cost, slope, max_states, &mut Scratch::default()),
    })
}

/// The buffers of one [`best`]: kept by the thread from one knapsack to the next, so a search
/// that asks thousands of them allocates them once (they only ever grow).
#[derive(Default)]
struct Scratch {
    /// (density, piece) in the order the pieces are taken.
    keyed: Vec<(f64, usize)>,
    order: Vec<usize>,
    sum_w: Vec<f64>,
    sum_v: Vec<f64>,
    dens: Vec<f64>,
    states: Vec<State>,
    list: Vec<Entry>,
    next: Vec<Entry>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

fn best_in<C, S>(
    pieces: &[Piece],
    cap: f64,
    cost: &C,
    slope: &S,
    max_states: usize,
    buf: &mut Scratch,
) -> Choice
where
    C: Fn(f64) -> f64,
    S: Fn(f64) -> f64,
{
    // Best value per weight first, ties by index; each density computed once.
    let keyed = &mut buf.keyed;
    keyed.clear();
    keyed.extend(
        pieces
            .iter()
            .enumerate()
            .filter(|(_, p)| p.weight <= cap + EPS)
            .map(|(i, p)| (p.value / p.weight, i)),
    );
    keyed.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let order = &mut buf.order;
    order.clear();
    order.extend(keyed.iter().map(|&(_, i)| i));
    let n = order.len();
    // Prefix sums over that order, for the fractional bound of what is still to come.
    let (sum_w, sum_v) = (&mut buf.sum_w, &mut buf.sum_v);
    sum_w.clear();
    sum_v.clear();
    sum_w.resize(n + 1, 0.0);
    sum_v.resize(n + 1, 0.0);
    for (k, &i) in order.iter().enumerate() {
        sum_w[k + 1] = sum_w[k] + pieces[i].weight;
        sum_v[k + 1] = sum_v[k] + pieces[i].value;
    }
    let dens = &mut buf.dens;
    dens.clear();
    dens.extend(keyed.iter().map(|&(d, _)| d));
    let (order, sum_w, sum_v, dens) = (&buf.order, &buf.sum_w, &buf.sum_v, &buf.dens);
    let bound = Fractional { sum_w, sum_v, dens, cap };
    // A greedy choice (best value per weight first, each piece taken when it fits and adds)
    // is worth at least this: with it the bound prunes from the first piece on.
    let (greedy_load, mut best_g) = greedy(pieces, order, cap, cost, |_| {});
    let greedy_g = best_g;
    let g0 = -cost(0.0);
    let (states, list, next) = (&mut buf.states, &mut buf.list, &mut buf.next);
    states.clear();
    states.push(State { load: 0.0, g: g0, parent: u32::MAX, piece: u32::MAX });
    list.clear();
    list.push(Entry { load: 0.0, value: 0.0, g: g0, id: 0 });
    next.clear();
    let mut work = 1u64 + n as u64;
    // Past the allowance of states: the most a completion of the list can reach.
    let mut cut: Option<f64> = None;
    for (pos, &i) in order.iter().enumerate() {
        if states.len() > max_states {
            let reach = list.iter().map(|e| e.g + bound.gain(pos, e.load, slope(e.load)));
            cut = Some(reach.fold(best_g, f64::max));
            break;
        }
        let p = pieces[i];
        next.clear();
        let Some(first) = list.first() else { break };
        let mut at = Cursor::new(&bound, pos + 1, first.load, slope(first.load));
        let (mut a, mut b) = (0usize, 0usize);
        // Merge the list and the list with the piece added, in order of load.
        loop {
            let take_new = match (list.get(a), list.get(b).filter(|e| e.load + p.weight <= cap + EPS)) {
                (None, None) => break,
                (Some(o), Some(e)) => e.load + p.weight < o.load,
                (Some(_), None) => false,
                (None, Some(_)) => true,
            };
            let (e, parent) = if take_new {
                let from = list[b];
                b += 1;
                let (load, value) = (from.load + p.weight, from.value + p.value);
                (Entry { load, value, g: value - cost(load), id: u32::MAX }, from.id)
            } else {
                a += 1;
                (list[a - 1], u32::MAX)
            };
            work += 1;
            // Dominated by the last state kept (no more load, no less value): dropped. Only
            // the best value found may still rise, as it would through the bound's test.
            let dominated = next.last().is_some_and(|last| e.g <= last.g + TIE);
            if dominated && e.g <= best_g {
                continue;
            }
            if e.g + at.gain(&bound, e.load, slope(e.load)) < floor(best_g) {
                continue;
            }
            best_g = best_g.max(e.g);
            if dominated {
                continue;
            }
            // It dominates the states kept at the same load.
            while next.last().is_some_and(|s| s.load >= e.load - TIE) {
                next.pop();
            }
            let id = if e.id == u32::MAX {
                states.push(State { load: e.load, g: e.g, parent, piece: i as u32 });
                (states.len() - 1) as u32
            } else {
                e.id
            };
            next.push(Entry { id, ..e });
        }
        std::mem::swap(list, next);
    }
    // The list rises in both load and value: its last state is the best, unless the bound
    // pruned every state that could reach the greedy choice (seen once, in an experiment with
    // wider neighbourhoods, as a panic on an empty list; not reproduced since): then the
    // greedy choice is the answer, lawful but not proven, with the fractional bound of the
    // whole knapsack as its bound.
    if list.last().is_none_or(|e| e.g < floor(greedy_g)) {
        let mut take = Vec::new();
        greedy(pieces, order, cap, cost, |i| take.push(i));
        take.sort_unstable();
        let whole = g0 + bound.gain(0, 0.0, slope(0.0));
        let (load, g) = (greedy_load, greedy_g);
        return Choice { take, load, g, work, bound: whole.max(g), exact: false };
    }
    let top = list.last().map_or(0, |e| e.id);
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

/// The greedy choice over `order` (each piece taken when it fits under `cap` and adds to the
/// value less the cost of the load): its load and that value; `take` hears each piece taken.
fn greedy<C: Fn(f64) -> f64>(
    pieces: &[Piece],
    order: &[usize],
    cap: f64,
    cost: &C,
    mut take: impl FnMut(usize),
) -> (f64, f64) {
    let (mut load, mut value, mut best_g) = (0.0, 0.0, -cost(0.0));
    for &i in order {
        let (l, v) = (load + pieces[i].weight, value + pieces[i].value);
        if l <= cap + EPS && v - cost(l) > best_g {
            (load, value, best_g) = (l, v, v - cost(l));
            take(i);
        }
    }
    (load, best_g)
}

/// Answers already given, by their question: within one part's search the same knapsack is
/// asked again and again (the prices at a child node are its parent's, most workers' limits
/// unchanged, and every node asks each worker's knapsack at zero prices). A repeated question
/// gets the same [`Choice`], work included, so the effort counted and every answer are the
/// same whether it was remembered or not (and whatever the threads).
pub(super) struct Memo {
    answers: Mutex<Answers>,
}

/// The questions and answers a [`Memo`] holds, and the words of the questions and pieces of
/// the answers they take.
#[derive(Default)]
struct Answers {
    map: HashMap<Vec<u64>, Choice, BuildHasherDefault<Fold>>,
    words: usize,
}

/// Questions a [`Memo`] keeps at most, and words (of 8 bytes) they and their answers take at
/// most (4 MB, however many pieces a knapsack has): past either it forgets them all and starts
/// again.
const MEMO_QUESTIONS: usize = 4096;
const MEMO_WORDS: usize = 1 << 19;

impl Memo {
    pub(super) fn new() -> Self {
        Memo { answers: Mutex::new(Answers::default()) }
    }

    /// [`best`], remembered. `tag` names the cost: the same tag must mean the same `cost` and
    /// `slope` (the caller's worker, and the load it fixed before).
    pub(super) fn best<C, S>(
        &self,
        tag: &[f64],
        pieces: &[Piece],
        cap: f64,
        cost: &C,
        slope: &S,
        max_states: usize,
    ) -> Choice
    where
        C: Fn(f64) -> f64,
        S: Fn(f64) -> f64,
    {
        let mut key: Vec<u64> = Vec::with_capacity(tag.len() + 2 + 2 * pieces.len());
        key.extend(tag.iter().map(|x| x.to_bits()));
        key.extend([cap.to_bits(), max_states as u64]);
        key.extend(pieces.iter().flat_map(|p| [p.weight.to_bits(), p.value.to_bits()]));
        let known = self.answers.lock().ok().and_then(|a| a.map.get(&key).cloned());
        if let Some(choice) = known {
            return choice;
        }
        let choice = best(pieces, cap, cost, slope, max_states);
        if let Ok(mut answers) = self.answers.lock() {
            let words = key.len() + choice.take.len() + 8;
            if answers.map.len() >= MEMO_QUESTIONS || answers.words + words > MEMO_WORDS {
                answers.map.clear();
                answers.words = 0;
            }
            answers.words += words;
            answers.map.insert(key, choice.clone());
        }
        choice
    }
}

/// A quick hash for a [`Memo`]'s keys (words of bits): each word folded in by a multiply and a
/// rotation, as rustc's own FxHash does.
#[derive(Default)]
struct Fold(u64);

impl Hasher for Fold {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// A value below which a state cannot be the optimum, given one worth `best_g`.
fn floor(best_g: f64) -> f64 {
    best_g - TIE * best_g.abs().max(1.0)
}

/// The fractional knapsack over the pieces in density order (prefix sums of weight and value,
/// and each piece's density), bounding what a state can still gain (Martello and Toth).
struct Fractional<'a> {
    sum_w: &'a [f64],
    sum_v: &'a [f64],
    dens: &'a [f64],
    cap: f64,
}

impl Fractional<'_> {
    /// The most a state at `load` can still gain from the pieces from position `from` on, each
    /// priced at slope `s`: those denser than `s` in order while they fit, then the fraction of
    /// the next that fills the room.
    fn gain(&self, from: usize, load: f64, s: f64) -> f64 {
        let room = self.cap - load + EPS;
        let worth = from + self.dens[from..].partition_point(|&d| d > s);
        let base = self.sum_w[from];
        let fits = from + self.sum_w[from..].partition_point(|&w| w - base <= room).max(1) - 1;
        self.value(from, worth.min(fits), worth, room, s)
    }

    /// The bound with the pieces `from..t` whole and a fraction of piece `t` when `t < worth`.
    fn value(&self, from: usize, t: usize, worth: usize, room: f64, s: f64) -> f64 {
        let (sw, sv) = (self.sum_w, self.sum_v);
        let mut g = sv[t] - sv[from] - s * (sw[t] - sw[from]);
        if t < worth {
            g += (room - (sw[t] - sw[from])).max(0.0) * (self.dens[t] - s);
        }
        g.max(0.0)
    }
}

/// [`Fractional::gain`] for a run of states in rising load: where the last state's bound
/// stopped is where the next one's starts looking (the room only shrinks and, the cost being
/// convex, the slope only rises), so a merge pays a step per piece passed, not a search per
/// state. It steps either way, so any order of loads gives the same bounds.
struct Cursor {
    from: usize,
    /// Pieces `from..worth` are denser than the slope.
    worth: usize,
    /// Pieces `from..fits` fit in the room.
    fits: usize,
}

impl Cursor {
    fn new(f: &Fractional, from: usize, load: f64, s: f64) -> Self {
        let room = f.cap - load + EPS;
        let worth = from + f.dens[from..].partition_point(|&d| d > s);
        let base = f.sum_w[from];
        let fits = from + f.sum_w[from..].partition_point(|&w| w - base <= room).max(1) - 1;
        Cursor { from, worth, fits }
    }

    fn gain(&mut self, f: &Fractional, load: f64, s: f64) -> f64 {
        let (from, n) = (self.from, f.dens.len());
        let room = f.cap - load + EPS;
        let base = f.sum_w[from];
        while self.worth > from && f.dens[self.worth - 1].partial_cmp(&s) != Some(std::cmp::Ordering::Greater)
        {
            self.worth -= 1;
        }
        while self.worth < n && f.dens[self.worth] > s {
            self.worth += 1;
        }
        while self.fits > from && f.sum_w[self.fits] - base > room {
            self.fits -= 1;
        }
        while self.fits < n && f.sum_w[self.fits + 1] - base <= room {
            self.fits += 1;
        }
        f.value(from, self.worth.min(self.fits), self.worth, room, s)
    }
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

    /// Priced values can be large (a price near its cap) and the best choice can fill the room
    /// exactly, so the fractional bound is tight and its prefix sums round by more than the
    /// tie: the knapsack still finds the brute-force optimum (within the rounding of such
    /// values), with a lawful load and its value.
    #[test]
    fn large_priced_values_that_fill_the_room_exactly_still_give_the_optimum() {
        let mut g = SplitMix64::new(41);
        let p = Policy::england();
        for case in 0..2000 {
            let n = 1 + g.below(12);
            let scale = [1.0, 1e4, 1e7, 1e9][g.below(4)];
            let pieces: Vec<Piece> = (0..n)
                .map(|_| {
                    let weight = [0.5, 1.0, 1.5, 0.35 + 0.05 * g.below(40) as f64][g.below(4)];
                    // Near-equal densities, some exactly equal: ties and tight bounds.
                    let density = scale * (1.0 + [0.0, 1e-13, 1e-9, g.unit() * 1e-3][g.below(4)]);
                    Piece { weight, value: density * weight - [0.0, scale * 0.5][g.below(2)] }
                })
                .collect();
            let cap = [3.0, 4.5, 9.0, 18.0 * 0.6][g.below(4)];
            let cost = |l: f64| objective::load_cost(&p, 15.0, l);
            let slope = |l: f64| objective::load_slope(&p, 15.0, l);
            let got = best(&pieces, cap, &cost, &slope, usize::MAX);
            let want = brute(&pieces, cap, &cost);
            let tol = 1e-9 * want.abs().max(1.0);
            assert!(got.g >= want - tol, "case {case}: {} against {want}", got.g);
            let load: f64 = got.take.iter().map(|&i| pieces[i].weight).sum();
            let value: f64 = got.take.iter().map(|&i| pieces[i].value).sum();
            assert!(load <= cap + EPS, "case {case}");
            assert!((value - cost(load) - got.g).abs() <= tol, "case {case}");
        }
    }

    /// The thread's kept buffers, left by knapsacks of other sizes (and by one stopped at its
    /// allowance of states), give every knapsack the very choice that fresh buffers give: the
    /// same pieces, load, value, work, bound and exactness.
    #[test]
    fn kept_buffers_give_the_choice_fresh_buffers_give() {
        let mut g = SplitMix64::new(31);
        let p = Policy::england();
        for case in 0..300 {
            let n = g.below(24);
            let pieces: Vec<Piece> = (0..n)
                .map(|_| Piece { weight: decimal_weight(&mut g), value: g.unit() * 120.0 - 10.0 })
                .collect();
            let cap = 18.0 * [1.0, 0.6][g.below(2)];
            let cost = |l: f64| objective::load_cost(&p, 15.0, l);
            let slope = |l: f64| objective::load_slope(&p, 15.0, l);
            let max_states = [usize::MAX, 40][g.below(2)];
            let kept = best(&pieces, cap, &cost, &slope, max_states);
            let fresh = best_in(&pieces, cap, &cost, &slope, max_states, &mut Scratch::default());
            assert_eq!(kept, fresh, "case {case}");
            assert_eq!(kept.work, fresh.work, "case {case}");
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

    /// The cursor's bound, stepping from the last state's, is the bound searched afresh, for
    /// loads rising (as a merge gives them), falling and at random, and slopes of any kind.
    #[test]
    fn the_cursor_gives_the_fractional_bound_whatever_the_order_of_loads() {
        let mut g = SplitMix64::new(77);
        for case in 0..300 {
            let n = 1 + g.below(30);
            let mut pieces: Vec<(f64, f64)> =
                (0..n).map(|_| (decimal_weight(&mut g), g.unit() * 100.0 - 30.0)).collect();
            pieces.sort_by(|a, b| (b.1 / b.0).total_cmp(&(a.1 / a.0)));
            let (mut sum_w, mut sum_v) = (vec![0.0], vec![0.0]);
            for &(w, v) in &pieces {
                sum_w.push(sum_w.last().unwrap() + w);
                sum_v.push(sum_v.last().unwrap() + v);
            }
            let dens: Vec<f64> = pieces.iter().map(|p| p.1 / p.0).collect();
            let cap = [5.4, 10.8, 18.0][g.below(3)];
            let f = Fractional { sum_w: &sum_w, sum_v: &sum_v, dens: &dens, cap };
            let from = g.below(n + 1);
            let mut loads: Vec<f64> = (0..1 + g.below(40)).map(|_| g.unit() * (cap + EPS)).collect();
            match g.below(3) {
                0 => loads.sort_by(f64::total_cmp),
                1 => loads.sort_by(|a, b| b.total_cmp(a)),
                _ => {}
            }
            // Flat (no fairness), rising (convex) or any (the cursor must not rely on it).
            let kind = g.below(3);
            let slope = |l: f64| match kind {
                0 => 0.0,
                1 => -5.0 + l * 2.0,
                _ => 40.0 * (7.0 * l).sin(),
            };
            let mut at = Cursor::new(&f, from, loads[0], slope(loads[0]));
            for &l in &loads {
                let s = slope(l);
                assert_eq!(at.gain(&f, l, s), f.gain(from, l, s), "case {case}: load {l}");
            }
        }
    }

    /// A remembered answer is the answer, work included; another tag or other pieces are
    /// another question; and a memo that has forgotten (past its size) answers the same.
    #[test]
    fn the_memo_answers_as_the_knapsack_does() {
        let mut g = SplitMix64::new(9);
        let memo = Memo::new();
        let zero = |_: f64| 0.0;
        let steep = |l: f64| 3.0 * l;
        let rise = |_: f64| 3.0;
        let mut asked: Vec<Vec<Piece>> = Vec::new();
        for round in 0..MEMO_QUESTIONS + 200 {
            let pieces: Vec<Piece> = if round % 3 == 2 && !asked.is_empty() {
                asked[g.below(asked.len())].clone()
            } else {
                (0..g.below(12))
                    .map(|_| Piece { weight: decimal_weight(&mut g), value: g.unit() * 60.0 - 5.0 })
                    .collect()
            };
            asked.push(pieces.clone());
            let cap = [5.4, 10.8][g.below(2)];
            let flat = memo.best(&[0.0], &pieces, cap, &zero, &zero, usize::MAX);
            assert_eq!(flat, best(&pieces, cap, &zero, &zero, usize::MAX), "round {round}");
            let dear = memo.best(&[1.0], &pieces, cap, &steep, &rise, usize::MAX);
            assert_eq!(dear, best(&pieces, cap, &steep, &rise, usize::MAX), "round {round}");
        }
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
