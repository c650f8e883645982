//! Which vacant posts to fill first: a greedy by marginal objective, solved part by part.
//!
//!
//! **Greedy.** Each step tries one post of every class of interchangeable vacant posts (same
//! role, team, fte, cap, target, skills, supervisor, oversight cap and agency, and named by no
//! case or worker), keeps the one that raises the objective most (ties: fewer unallocated cases, then
//! the lowest id). A step only re-solves the piece of the post chosen before it. The choices are
//! nested, so the objective never falls as posts are filled; a candidate that would leave more
//! cases unallocated is taken only when every candidate would, so the unallocated count does not
//! rise either.
//!
//! **Lazy.** A candidate is solved only while a bound computed without solving ([`Engine::ideal`]:
//! every case someone may hold allocated, only unavoidable moves paid) says it could still beat
//! or tie the best candidate solved so far; two at a time, so the same candidates are solved
//! whatever the number of threads. A team already at that bound, which the post cannot raise,
//! needs no solve at all. In a piece whose solve is not proven (a cross-team district, where
//! that bound is far above every candidate's optimum), the candidates are first bounded by
//! their relaxations alone ([`Engine::relaxed_bounds`], a sixth of a solve there), solved in
//! the order of those bounds, and only while they could still win: the same choice, fewer
//! solves.
//!
//! **How far from exact.** The best choice of N posts is an integer programme; the greedy is not
//! guaranteed to find it. [`FillRun::upper`] bounds it from above, to say how much objective the
//! greedy can have missed: per piece, no posts gives the base optimum, one post at most the best
//! single post (its solve, or its bound when it was never solved), and more posts at most filling
//! all of the piece's vacancies; a knapsack over pieces gives the bound for N. Filling more posts
//! never lowers a piece's optimum unless a fairness penalty charges an empty post
//! ([`Ideal::monotone`]); then every vacancy filled bounds no choice of fewer, and the piece's
//! [`Engine::ideal`] with every vacancy filled stands in for it (as it does for the candidates'
//! bounds), and no team is taken as already at its bound without a solve.

use super::piece::sorted;
pub use super::piece::{check_context, solve_file, Engine, Ideal, Key, Piece, PieceResult, Seeded};
use crate::error::Error;
use crate::error::Result;
use crate::model::{Model, ModelFile, Status};
use crate::{explain, rules, validate};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

impl Engine<'_> {
    /// Names of the workers referred to by a case (current worker, exclusion) or as a
    /// supervisor: such a vacant post is not interchangeable with any other.
    fn referenced(&self) -> BTreeSet<&str> {
        let f = &self.ctx.file;
        let mut r: BTreeSet<&str> = BTreeSet::new();
        for c in &f.cases {
            r.extend(c.current_worker.as_deref());
            r.extend(c.exclude.iter().map(String::as_str));
        }
        r.extend(f.workers.iter().filter_map(|w| w.supervisor.as_deref()));
        r
    }

    /// The class of a vacant post: posts of one class are interchangeable.
    fn class_key(&self, w: usize, referenced: &BTreeSet<&str>) -> String {
        let x = &self.ctx.file.workers[w];
        if referenced.contains(x.id.as_str()) {
            return format!("#{}", x.id);
        }
        let mut skills = x.skills.clone();
        skills.sort();
        skills.dedup();
        let bits = |v: Option<f64>| v.map(f64::to_bits);
        format!(
            "{}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
            self.piece_of_worker[w],
            x.role,
            x.team,
            bits(x.fte),
            bits(x.cap),
            bits(x.target),
            skills,
            x.supervisor,
            bits(x.oversight_cap),
            x.agency
        )
    }

    /// Runs the greedy for up to `max_n` posts. `tick` is called after each step.
    pub fn greedy(&self, max_n: usize, tick: &(dyn Fn() + Sync)) -> Result<FillRun> {
        let np = self.pieces.len();
        let referenced = self.referenced();
        let mut classes: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for w in self.vacant() {
            classes.entry(self.class_key(w, &referenced)).or_default().push(w);
        }
        // Members in id order; the representative of a class is its first member left.
        let mut classes: Vec<Vec<usize>> = classes.into_values().collect();
        let mut left: Vec<usize> = vec![0; classes.len()];
        let base_keys: Vec<Key> = (0..np).map(|p| (p, Vec::new())).collect();
        let all_keys: Vec<Key> = (0..np).map(|p| (p, sorted(&self.pieces[p].vacant))).collect();
        // The pieces as they are and, when posts are to be filled, with every vacancy filled:
        // solved side by side (on a district, two solves of one piece at once).
        let mut first = base_keys.clone();
        if max_n > 0 {
            first.extend(all_keys.iter().cloned());
        }
        self.ensure(&first)?;
        let mut cur: Vec<Arc<PieceResult>> = base_keys.iter().map(|k| self.get(k)).collect::<Result<_>>()?;
        // Bounds, not values: a search the node limit stopped bounds its piece by its gap.
        let base: Vec<f64> = cur.iter().map(|r| r.bound()).collect();
        let mut chosen_in: Vec<Vec<usize>> = vec![Vec::new(); np];
        let mut best_single: Vec<Option<f64>> = vec![None; np];
        // Every piece with all of its vacancies filled: by monotonicity no post in a piece can
        // add more than that (unless a fairness penalty charges empty posts: below), which
        // prunes pieces close to it; also the bound's last term.
        if max_n > 0 && self.stop_requested() {
            return Ok(FillRun { stopped: true, ..FillRun::default() });
        }
        // Where a fairness penalty charges a filled post's empty load, filling more posts may
        // lower the optimum: every vacancy filled bounds no choice of fewer. The ideal of every
        // vacancy filled (no fairness term, every case someone may hold allocated) does: it
        // bounds any choice of posts, and adding posts only raises it.
        // `full`: the bound of exactly every vacancy filled, whatever the policy; `floor`: what a
        // choice of posts in a piece is at least, when filling never lowers the optimum.
        let (full, all, floor) = if max_n > 0 {
            let full: Vec<f64> =
                all_keys.iter().map(|k| self.get(k).map(|r| r.bound())).collect::<Result<_>>()?;
            let ideals: Vec<Ideal> = all_keys.iter().map(|k| self.ideal(k)).collect::<Result<_>>()?;
            let all = ideals.iter().zip(&full).map(|(i, &f)| if i.monotone { f } else { i.value }).collect();
            let floor = ideals
                .iter()
                .zip(&base)
                .map(|(i, &b)| if i.monotone { b } else { f64::NEG_INFINITY })
                .collect();
            (full, all, floor)
        } else {
            (base.clone(), base.clone(), base.clone())
        };
        let mut steps: Vec<Step> = Vec::new();
        let mut stopped = false;
        let f = &self.ctx.file;
        'steps: for _ in 0..max_n {
            if self.stop_requested() {
                stopped = true;
                break;
            }
            let cands: Vec<(usize, usize, Key)> = classes
                .iter_mut()
                .enumerate()
                .filter(|(k, c)| left[*k] < c.len())
                .map(|(k, c)| {
                    let w = c[left[k]];
                    let p = self.piece_of_worker[w];
                    let mut set = chosen_in[p].clone();
                    set.push(w);
                    set.sort_unstable();
                    (k, w, (p, set))
                })
                .collect();
            if cands.is_empty() {
                break;
            }
            // Lazy evaluation: a candidate is solved only while its upper bound could still
            // beat (or tie) the best candidate solved so far. Two at a time, whatever the
            // number of threads, so the same candidates are solved on any machine.
            let cur_ideal: Vec<Option<Ideal>> = {
                let touched: BTreeSet<usize> = cands.iter().map(|c| c.2 .0).collect();
                (0..np)
                    .map(|p| {
                        if touched.contains(&p) {
                            self.ideal(&(p, chosen_in[p].clone())).map(Some)
                        } else {
                            Ok(None)
                        }
                    })
                    .collect::<Result<_>>()?
            };
            let mut scored: Vec<Cand> = Vec::with_capacity(cands.len());
            for (k, w, key) in cands {
                let p = key.0;
                let ideal = self.ideal(&key)?;
                let c = &cur[p];
                // A solve of the key that started from the current allocation (or did as well).
                let solved = self.cached_from(&key, Some(c))?;
                let saturated = cur_ideal[p].as_ref().is_some_and(|ci| {
                    ci.positive
                        && ci.monotone
                        && c.objective >= ci.value - tol(ci.value)
                        && ideal.value <= c.objective + tol(c.objective)
                });
                let known = match &solved {
                    Some(r) => Some((r.objective, r.unallocated as i64 - c.unallocated as i64, r.bound())),
                    // The piece is already as good as it can be, and this post cannot raise
                    // that ceiling: the optimum with it is the same, and (every priority being
                    // positive) exactly the structural cases stay unallocated.
                    None if saturated => {
                        Some((c.objective, ideal.structural as i64 - c.unallocated as i64, c.objective))
                    }
                    None => None,
                };
                scored.push(Cand {
                    k,
                    w,
                    key,
                    ub: ideal.value.min(all[p] + tol(all[p])),
                    known,
                    solved,
                    relaxed: false,
                });
            }
            loop {
                // Until a known candidate keeps the unallocated count, any unknown one might be
                // the only one that does, and so win: solve them all.
                let any_safe = scored.iter().any(|s| s.known.is_some_and(|k| k.1 <= 0));
                let best = best_of(&scored, &cur, f).filter(|_| any_safe);
                let mut open: Vec<usize> = (0..scored.len())
                    .filter(|&i| {
                        let s = &scored[i];
                        s.known.is_none()
                            && best.is_none_or(|b| gain_key(s.ub - cur[s.key.0].objective) >= b.0)
                    })
                    .collect();
                if open.is_empty() {
                    break;
                }
                // Candidates in pieces their solves could not prove are bounded by their
                // relaxations before they are solved (when more than one pair of them is open,
                // or one candidate is known to set the mark): on a cross-team district the
                // bound of the post's own placement (every case someone may hold allocated) is
                // far above every candidate's optimum, the relaxation's within a fraction of a
                // percent, and a relaxation costs a sixth of a solve. Solved in the order of
                // those bounds, the first pair is likely to hold the best, which rules out most
                // of the rest.
                let unrelaxed: Vec<usize> = open
                    .iter()
                    .copied()
                    .filter(|&i| !scored[i].relaxed && !cur[scored[i].key.0].optimal)
                    .collect();
                if self.relaxed_pruning && (best.is_some() || unrelaxed.len() > 2) && !unrelaxed.is_empty() {
                    let keys: Vec<Key> = unrelaxed.iter().map(|&i| scored[i].key.clone()).collect();
                    if self.stop_requested() {
                        stopped = true;
                        break 'steps;
                    }
                    for (&i, b) in unrelaxed.iter().zip(self.relaxed_bounds(&keys)?) {
                        scored[i].ub = scored[i].ub.min(b + tol(b));
                        scored[i].relaxed = true;
                    }
                    continue;
                }
                open.sort_by(|&a, &b| {
                    scored[b]
                        .ub
                        .total_cmp(&scored[a].ub)
                        .then(f.workers[scored[a].w].id.cmp(&f.workers[scored[b].w].id))
                });
                open.truncate(2);
                if self.stop_requested() {
                    stopped = true;
                    break 'steps;
                }
                // Each from the current allocation of its piece: the post only adds capacity.
                let keys: Vec<Seeded> = open
                    .iter()
                    .map(|&i| (scored[i].key.clone(), Some(Arc::clone(&cur[scored[i].key.0]))))
                    .collect();
                self.ensure_from(&keys)?;
                for i in open {
                    let r = self.get_from(&scored[i].key, Some(&cur[scored[i].key.0]))?;
                    let c = &cur[scored[i].key.0];
                    scored[i].known =
                        Some((r.objective, r.unallocated as i64 - c.unallocated as i64, r.bound()));
                    scored[i].solved = Some(r);
                }
            }
            for s in &scored {
                let p = s.key.0;
                if chosen_in[p].is_empty() {
                    // What one post can reach in the piece: exact when known, else the bound.
                    let v = s.known.map_or(s.ub, |k| k.2);
                    let b = best_single[p].get_or_insert(v);
                    *b = b.max(v);
                }
            }
            let best = best_of(&scored, &cur, f).map(|b| b.1);
            let Some(i) = best else { break };
            let Cand { k, w, key, known, solved, .. } = scored.swap_remove(i);
            let r = match solved {
                Some(r) => r,
                None => self.get_from(&key, Some(&cur[key.0]))?,
            };
            let _ = known;
            let gain = r.objective - cur[key.0].objective;
            let more = r.unallocated as i64 - cur[key.0].unallocated as i64;
            left[k] += 1;
            let p = key.0;
            chosen_in[p] = key.1;
            cur[p] = r;
            steps.push(Step { post: w, gain, cases: -more });
            tick();
        }
        classes.clear();
        let mut upper = Vec::new();
        if !steps.is_empty() {
            upper = knapsack_bound(
                &base,
                &floor,
                &best_single,
                &all,
                &full,
                &self.pieces.iter().map(|p| p.vacant.len()).collect::<Vec<_>>(),
                steps.len(),
            );
        }
        Ok(FillRun { steps, upper, stopped })
    }
}

/// A candidate post in one greedy step.
struct Cand {
    k: usize,
    w: usize,
    key: Key,
    /// Upper bound on the piece's objective with the post.
    ub: f64,
    /// Objective, change in unallocated cases and proven bound, once known.
    known: Option<(f64, i64, f64)>,
    solved: Option<Arc<PieceResult>>,
    /// `ub` includes the bound of the piece's relaxation with the post.
    relaxed: bool,
}

fn tol(x: f64) -> f64 {
    crate::tolerance::relative(crate::tolerance::OBJECTIVE, x)
}

/// Objective gains compared at 1e-6, so float noise never decides a tie.
fn gain_key(g: f64) -> i64 {
    (g * 1e6).round() as i64
}

/// The best candidate whose outcome is known: most objective gained, then fewest unallocated,
/// then lowest id; one that would leave more cases unallocated only if every known one would.
/// Returns its gain key and index.
fn best_of(scored: &[Cand], cur: &[Arc<PieceResult>], f: &ModelFile) -> Option<(i64, usize)> {
    let known = |s: &Cand| s.known.map(|(v, more, _)| (gain_key(v - cur[s.key.0].objective), more));
    let any_safe = scored.iter().filter_map(known).any(|(_, more)| more <= 0);
    scored
        .iter()
        .enumerate()
        .filter_map(|(i, s)| known(s).map(|(g, more)| (i, g, more)))
        .filter(|&(_, _, more)| !any_safe || more <= 0)
        .min_by(|a, b| {
            b.1.cmp(&a.1)
                .then(a.2.cmp(&b.2))
                .then(f.workers[scored[a.0].w].id.cmp(&f.workers[scored[b.0].w].id))
        })
        .map(|(i, g, _)| (g, i))
}

/// One greedy step.
#[derive(Clone, Debug)]
pub struct Step {
    /// The post filled (index into the context file).
    pub post: usize,
    /// Objective gained.
    pub gain: f64,
    /// Cases newly allocated.
    pub cases: i64,
}

/// The outcome of the greedy.
#[derive(Clone, Debug, Default)]
pub struct FillRun {
    /// Posts in the order filled.
    pub steps: Vec<Step>,
    /// `upper[n]`: an upper bound on the objective of the best choice of `n` posts, for
    /// `n` in `0..=steps.len()` (empty when no post is filled).
    pub upper: Vec<f64>,
    /// Ctrl-C or the deadline stopped the greedy before it filled every post asked for.
    pub stopped: bool,
}

/// Knapsack over pieces of per-piece upper bounds (see the module docs): `all[p]` bounds any
/// choice of posts in piece `p`, `full[p]` the one of every vacancy filled; a bound below
/// `floor[p]` (the piece's base bound where filling never lowers the optimum) is raised to it.
fn knapsack_bound(
    base: &[f64],
    floor: &[f64],
    single: &[Option<f64>],
    all: &[f64],
    full: &[f64],
    vacant: &[usize],
    max_n: usize,
) -> Vec<f64> {
    // Where filling never lowers an optimum, a bound for `n` posts bounds fewer too, and `dp`
    // starts at zero for every `n` (posts left unused); else exactly `n` posts are filled.
    let monotone = floor.iter().all(|f| *f > f64::NEG_INFINITY);
    let mut dp: Vec<f64> =
        (0..=max_n).map(|n| if monotone || n == 0 { 0.0 } else { f64::NEG_INFINITY }).collect();
    for p in 0..base.len() {
        let u = |k: usize| -> f64 {
            if k == 0 {
                base[p]
            } else if k == vacant[p] {
                full[p].min(all[p]).max(floor[p])
            } else if k == 1 {
                single[p].unwrap_or(all[p]).min(all[p]).max(floor[p])
            } else {
                all[p].max(floor[p])
            }
        };
        let mut next = vec![f64::NEG_INFINITY; max_n + 1];
        for (n, slot) in next.iter_mut().enumerate() {
            for k in 0..=n.min(vacant[p]) {
                *slot = slot.max(dp[n - k] + u(k));
            }
        }
        dp = next;
    }
    // Monotone: more posts can never be worse than fewer. Where a fairness penalty can make
    // them worse, each `n` keeps the bound of exactly `n` posts.
    if !monotone {
        return dp;
    }
    for n in 1..dp.len() {
        dp[n] = dp[n].max(dp[n - 1]);
    }
    dp
}

impl Engine<'_> {
    /// The piece keys of the scenario with the first `n` greedy posts filled.
    pub fn keys_after(&self, run: &FillRun, n: usize) -> Vec<Key> {
        let mut sets: Vec<Vec<usize>> = vec![Vec::new(); self.pieces.len()];
        for s in &run.steps[..n.min(run.steps.len())] {
            sets[self.piece_of_worker[s.post]].push(s.post);
        }
        sets.into_iter().enumerate().map(|(p, s)| (p, sorted(&s))).collect()
    }

    /// The whole scenario with the first `n` greedy posts filled: its model file and proposal,
    /// put together from the pieces. `bytes` are hashed as the model's bytes when given;
    /// otherwise the scenario file's JSON is.
    pub fn compose(
        &self,
        run: &FillRun,
        n: usize,
        name: &str,
        bytes: Option<&[u8]>,
    ) -> Result<(ModelFile, crate::proposal::Proposal)> {
        let mut file = self.ctx.file.clone();
        for s in &run.steps[..n.min(run.steps.len())] {
            file.workers[s.post].status = Some(Status::Active);
        }
        let own;
        let bytes = match bytes {
            Some(b) => b,
            None => {
                own = crate::write::to_json(&file);
                &own[..]
            }
        };
        let m: Model = validate::validate_on(name, &file, bytes, self.ctx.as_of)?;
        let mut assignment = vec![None; m.cases.len()];
        let mut facts =
            explain::SolveFacts { optimal: true, solver: crate::solver_name(), ..Default::default() };
        for key in self.keys_after(run, n) {
            let r = self.get(&key)?;
            for (id, w) in r.cases.iter().zip(&r.workers) {
                let c = m
                    .case_index(id)
                    .ok_or_else(|| Error::Solver(format!("case {id} lost between pieces")))?;
                assignment[c] = *w;
            }
            facts.optimal &= r.optimal;
            facts.gap += r.gap;
            facts.parts += r.parts;
            facts.integer_parts += r.integer_parts;
            facts.nodes += r.nodes;
        }
        let el = rules::eligibility(&m);
        Ok((file, explain::proposal(&m, &el, &assignment, &facts)))
    }
}
