//! Pieces: the independent parts of a scenario, solved on their own and put back together.
//!
//! Without cross-team allocation a case can only go to a worker of its
//! own team, so the objective is a sum over *pieces*: teams, joined when a worker's supervisor
//! is in another team (oversight caps tie them) or a sibling group spans teams. Filling a post changes only its piece's
//! optimum. A piece is solved as a model of its own: every worker of the context (so worker
//! indices match the whole model) and only the piece's cases. Its solver parts are exactly the
//! whole model's parts for those cases, so the pieces' allocations put together are the whole
//! model's allocation, case for case (the tests compare them with `allocate`). With
//! cross-team allocation the whole model is one piece.

use super::build::Context;
use crate::error::{Error, Result};
use crate::model::AsOf;
use crate::model::{ModelFile, Policy, Status};
use crate::solve::Limits;
use crate::validate;
use crate::{objective, rules};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

/// The solved allocation of one piece.
#[derive(Clone, Debug)]
pub struct PieceResult {
    /// Case ids of the piece, sorted.
    pub cases: Vec<String>,
    /// Worker (index in the id-sorted worker list) of each case, if allocated.
    pub workers: Vec<Option<usize>>,
    /// The piece's objective.
    pub objective: f64,
    /// Its unallocated cases.
    pub unallocated: usize,
    /// Proven optimal.
    pub optimal: bool,
    /// Solver parts.
    pub parts: usize,
    /// Parts that needed an integer search.
    pub integer_parts: usize,
    /// Branch-and-bound nodes.
    pub nodes: u64,
    /// Proven bound minus value.
    pub gap: f64,
    /// The objective of the seed its search started from, if any.
    pub seeded: Option<f64>,
}

impl PieceResult {
    /// A proven upper bound on the piece's objective (its objective plus the search's gap).
    pub fn bound(&self) -> f64 {
        self.objective + self.gap
    }
}

/// Solves a (piece) model file with `allocate`'s pipeline ([`crate::solve_model`]) under the
/// same limits, returning the case-level allocation.
pub fn solve_file(f: &ModelFile, as_of: Option<AsOf>, limits: Limits) -> Result<PieceResult> {
    solve_file_from(f, as_of, limits, None)
}

/// [`solve_file`], its search started from `seed`: the allocation of a scenario with the same
/// workers and cases and no more capacity (fewer posts filled, lower caps), which is lawful
/// here, so the answer is never worse than it wherever the objective keeps the seed's value
/// (no fairness term; see `docs/guide.md`).
pub fn solve_file_from(
    f: &ModelFile,
    as_of: Option<AsOf>,
    limits: Limits,
    seed: Option<&PieceResult>,
) -> Result<PieceResult> {
    let m = validate::validate_on("scenario", f, b"", as_of)?;
    let start: Option<Vec<Option<usize>>> = seed.map(|seed| {
        m.cases
            .iter()
            .map(|c| match seed.cases.binary_search(&c.id) {
                Ok(i) => seed.workers[i].filter(|&w| w < m.workers.len()),
                Err(_) => None,
            })
            .collect()
    });
    // Exactly `allocate`'s pipeline, from the seed where there is one.
    let s = crate::solve_model_from(&m, limits, start.as_deref())?;
    let (f, objective) = (&s.facts, objective::value(&objective::terms(&m, &s.assignment)));
    Ok(PieceResult {
        cases: m.cases.iter().map(|c| c.id.clone()).collect(),
        unallocated: s.assignment.iter().filter(|a| a.is_none()).count(),
        optimal: f.optimal,
        parts: f.parts,
        integer_parts: f.integer_parts,
        nodes: f.nodes,
        gap: f.gap,
        workers: s.assignment,
        objective,
        seeded: seed.map(|x| x.objective),
    })
}

/// Whether Ctrl-C or the deadline asks the whole run to stop (a node limit does not: it bounds
/// each part's search and the run goes on).
pub fn stop_requested(limits: &Limits) -> bool {
    limits.deadline.is_some_and(|d| std::time::Instant::now() >= d)
        || limits.stop.is_some_and(|s| s.load(std::sync::atomic::Ordering::Relaxed))
}

/// A piece: teams whose optima are independent of every other piece.
#[derive(Clone, Debug)]
pub struct Piece {
    /// Team names, sorted.
    pub teams: Vec<String>,
    /// Cases (indices into the context file).
    pub cases: Vec<usize>,
    /// Vacant posts (indices into the context file), sorted by id.
    pub vacant: Vec<usize>,
}

/// Key of a cached piece solve: piece and the filled posts in it, sorted.
pub type Key = (usize, Vec<usize>);

/// A key to solve, with the allocation to start its search from (see [`solve_file_from`]).
pub type Seeded = (Key, Option<Arc<PieceResult>>);

/// A solve whose objective is below its seed's: the seed's search did better.
/// A solve already started from a seed as good is left as it is (the fairness term can make
/// the seed worth less here than where it came from).
fn below(r: &PieceResult, seed: Option<&PieceResult>) -> bool {
    seed.is_some_and(|s| {
        let less =
            |x: f64| x < s.objective - crate::tolerance::relative(crate::tolerance::OBJECTIVE, s.objective);
        less(r.objective) && r.seeded.is_none_or(less)
    })
}

/// Solves the pieces of one context, caching each distinct set of filled posts.
pub struct Engine<'a> {
    /// The context.
    pub ctx: &'a Context,
    /// Its pieces.
    pub pieces: Vec<Piece>,
    /// Piece of each worker (index into the context file).
    pub piece_of_worker: Vec<usize>,
    /// The limits every solve runs under.
    pub limits: Limits<'a>,
    /// Rule candidate posts out by their relaxations' bounds before solving them (see
    /// `whatif::fill`); on by default. Off, every candidate the cheap bound of
    /// [`Engine::ideal`] cannot rule out is solved: the same choices, more solves (the tests
    /// compare the two).
    pub relaxed_pruning: bool,
    cache: Mutex<HashMap<Key, Arc<PieceResult>>>,
    ideals: Mutex<HashMap<Key, Ideal>>,
    relaxed: Mutex<HashMap<Key, f64>>,
    /// Full solves made so far ([`Engine::solves`]).
    solves: std::sync::atomic::AtomicUsize,
}

/// A bound on a piece's objective computed without solving (see [`Engine::ideal`]).
#[derive(Clone, Debug)]
pub struct Ideal {
    /// The bound.
    pub value: f64,
    /// Cases no active worker may hold.
    pub structural: usize,
    /// Every case has a positive priority.
    pub positive: bool,
    /// Filling a post never lowers the piece's optimum: true unless a fairness penalty charges
    /// a filled post's empty load (`fairness_penalty x target` for a post left empty), when
    /// filling a post nobody can give work to costs that much.
    pub monotone: bool,
}

impl<'a> Engine<'a> {
    /// Splits a context into pieces. The context model must be valid (see [`check_context`]).
    pub fn new(ctx: &'a Context, limits: Limits<'a>) -> Engine<'a> {
        let f = &ctx.file;
        let teams: Vec<String> = f
            .workers
            .iter()
            .map(|w| w.team.clone())
            .chain(f.cases.iter().map(|c| c.team.clone()))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let team = |t: &str| teams.binary_search_by(|x| x.as_str().cmp(t)).unwrap_or(0);
        let ids: HashMap<&str, usize> =
            f.workers.iter().enumerate().map(|(i, w)| (w.id.as_str(), i)).collect();
        let cross = Policy::from_input(&f.policy.clone().unwrap_or_default()).cross_team;
        let mut uf = crate::util::UnionFind::new(teams.len());
        for w in &f.workers {
            if cross {
                uf.union(0, team(&w.team));
            }
            if let Some(s) = w.supervisor.as_deref().and_then(|s| ids.get(s)) {
                uf.union(team(&w.team), team(&f.workers[*s].team));
            }
        }
        // A sibling group goes to one worker or none: its teams are solved together (with
        // cross-team allocation off, a group spanning teams can never be placed, and it must
        // stay so).
        let mut group_team: HashMap<&str, usize> = HashMap::new();
        for c in &f.cases {
            if cross {
                uf.union(0, team(&c.team));
            }
            if let Some(g) = c.group.as_deref() {
                let first = *group_team.entry(g).or_insert_with(|| team(&c.team));
                uf.union(first, team(&c.team));
            }
        }
        let mut piece_of_root: BTreeMap<usize, usize> = BTreeMap::new();
        let mut pieces: Vec<Piece> = Vec::new();
        let mut piece_of_team = vec![0; teams.len()];
        for t in 0..teams.len() {
            let r = uf.find(t);
            let p = *piece_of_root.entry(r).or_insert_with(|| {
                pieces.push(Piece { teams: Vec::new(), cases: Vec::new(), vacant: Vec::new() });
                pieces.len() - 1
            });
            pieces[p].teams.push(teams[t].clone());
            piece_of_team[t] = p;
        }
        for (i, c) in f.cases.iter().enumerate() {
            pieces[piece_of_team[team(&c.team)]].cases.push(i);
        }
        let piece_of_worker: Vec<usize> = f.workers.iter().map(|w| piece_of_team[team(&w.team)]).collect();
        let mut vacant: Vec<usize> =
            (0..f.workers.len()).filter(|&w| f.workers[w].status == Some(Status::Vacant)).collect();
        vacant.sort_by(|&a, &b| f.workers[a].id.cmp(&f.workers[b].id));
        for w in vacant {
            pieces[piece_of_worker[w]].vacant.push(w);
        }
        Engine {
            ctx,
            limits,
            pieces,
            piece_of_worker,
            relaxed_pruning: true,
            cache: Mutex::new(HashMap::new()),
            ideals: Mutex::new(HashMap::new()),
            relaxed: Mutex::new(HashMap::new()),
            solves: Default::default(),
        }
    }

    /// Whether Ctrl-C or the deadline asks the run to stop ([`stop_requested`]).
    pub fn stop_requested(&self) -> bool {
        stop_requested(&self.limits)
    }

    /// The vacant posts of the context, sorted by id.
    pub fn vacant(&self) -> Vec<usize> {
        let f = &self.ctx.file;
        let mut v: Vec<usize> = self.pieces.iter().flat_map(|p| p.vacant.iter().copied()).collect();
        v.sort_by(|&a, &b| f.workers[a].id.cmp(&f.workers[b].id));
        v
    }

    /// The model file of piece `p` with the posts `filled` made active.
    pub fn piece_file(&self, p: usize, filled: &[usize]) -> ModelFile {
        let f = &self.ctx.file;
        let mut workers = f.workers.clone();
        for &w in filled {
            workers[w].status = Some(Status::Active);
        }
        ModelFile {
            version: f.version,
            policy: f.policy.clone(),
            workers,
            cases: self.pieces[p].cases.iter().map(|&i| f.cases[i].clone()).collect(),
        }
    }

    /// Solves every key not yet cached, in parallel.
    pub fn ensure(&self, keys: &[Key]) -> Result<()> {
        let seeded: Vec<Seeded> = keys.iter().map(|k| (k.clone(), None)).collect();
        self.ensure_from(&seeded)
    }

    /// Solves every key not yet cached, in parallel, each from its seed (see
    /// [`solve_file_from`]). A key cached with an objective below its seed's is solved again
    /// from the seed, so that a scenario with more capacity never shows a worse answer.
    pub fn ensure_from(&self, keys: &[Seeded]) -> Result<()> {
        let todo: Vec<&Seeded> = {
            let cache = self.cache.lock().map_err(|_| Error::Solver("a worker thread panicked".into()))?;
            let mut seen = BTreeSet::new();
            keys.iter()
                .filter(|(k, seed)| match cache.get(k) {
                    Some(r) => below(r, seed.as_deref()),
                    None => true,
                })
                .filter(|(k, _)| seen.insert(k))
                .collect()
        };
        let solved: Vec<Arc<PieceResult>> = todo
            .par_iter()
            .map(|((p, filled), seed)| {
                let file = self.piece_file(*p, filled);
                solve_file_from(&file, self.ctx.as_of, self.limits, seed.as_deref()).map(Arc::new)
            })
            .collect::<Result<_>>()?;
        self.solves.fetch_add(solved.len(), std::sync::atomic::Ordering::Relaxed);
        let mut cache = self.cache.lock().map_err(|_| Error::Solver("a worker thread panicked".into()))?;
        for ((k, _), r) in todo.into_iter().zip(solved) {
            cache.insert(k.clone(), r);
        }
        Ok(())
    }

    /// A proven upper bound on each key's objective from its relaxation alone
    /// ([`Limits::relaxation_only`]: every part's relaxation and heuristics, no search), the
    /// keys not asked before computed in parallel. A fraction of a full solve's time on a
    /// district, and within about a tenth of a percent of its optimum there.
    pub fn relaxed_bounds(&self, keys: &[Key]) -> Result<Vec<f64>> {
        let lock = || self.relaxed.lock().map_err(|_| Error::Solver("a worker thread panicked".into()));
        let todo: Vec<&Key> = {
            let known = lock()?;
            let mut seen = BTreeSet::new();
            keys.iter().filter(|k| !known.contains_key(*k) && seen.insert(*k)).collect()
        };
        let limits = Limits { relaxation_only: true, observer: None, trace: false, ..self.limits };
        let found: Vec<f64> = todo
            .par_iter()
            .map(|(p, filled)| {
                let file = self.piece_file(*p, filled);
                solve_file_from(&file, self.ctx.as_of, limits, None).map(|r| r.bound())
            })
            .collect::<Result<_>>()?;
        let mut known = lock()?;
        for (k, b) in todo.into_iter().zip(found) {
            known.insert(k.clone(), b);
        }
        // Every key is known by now; one that were not would bound nothing.
        Ok(keys.iter().map(|k| known.get(k).copied().unwrap_or(f64::INFINITY)).collect())
    }

    /// How many full solves this engine has made (relaxations not counted).
    pub fn solves(&self) -> usize {
        self.solves.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// A solved key (solving it if needed).
    pub fn get(&self, key: &Key) -> Result<Arc<PieceResult>> {
        self.get_from(key, None)
    }

    /// A solved key, from `seed` when it has not been solved as well as that ([`Self::ensure_from`]).
    pub fn get_from(&self, key: &Key, seed: Option<&Arc<PieceResult>>) -> Result<Arc<PieceResult>> {
        self.ensure_from(&[(key.clone(), seed.cloned())])?;
        let cache = self.cache.lock().map_err(|_| Error::Solver("a worker thread panicked".into()))?;
        cache.get(key).cloned().ok_or_else(|| Error::Solver("a piece solve went missing".into()))
    }

    /// A cached solve, if there is one.
    pub fn cached(&self, key: &Key) -> Result<Option<Arc<PieceResult>>> {
        let cache = self.cache.lock().map_err(|_| Error::Solver("a worker thread panicked".into()))?;
        Ok(cache.get(key).cloned())
    }

    /// A cached solve that is at least as good as `seed`, if there is one.
    pub fn cached_from(&self, key: &Key, seed: Option<&PieceResult>) -> Result<Option<Arc<PieceResult>>> {
        let cache = self.cache.lock().map_err(|_| Error::Solver("a worker thread panicked".into()))?;
        Ok(cache.get(key).filter(|r| !below(r, seed)).cloned())
    }

    /// An upper bound on a piece's objective, without solving: every case that some active
    /// worker may hold is allocated, no overload and no cross-team penalty, and only the moves
    /// no allocation can avoid are paid (the case's current worker may not hold it, or holds
    /// more of today's cases than fit under its cap).
    pub fn ideal(&self, key: &Key) -> Result<Ideal> {
        if let Some(i) =
            self.ideals.lock().map_err(|_| Error::Solver("a worker thread panicked".into()))?.get(key)
        {
            return Ok(i.clone());
        }
        let m = validate::validate_on("scenario", &self.piece_file(key.0, &key.1), b"", self.ctx.as_of)?;
        let el = rules::eligibility(&m);
        let mp = m.policy.move_penalty;
        let monotone = m.policy.fairness_penalty == 0.0;
        let mut ideal = Ideal { value: 0.0, structural: 0, positive: true, monotone };
        let mut held: Vec<Vec<f64>> = vec![Vec::new(); m.workers.len()];
        for (c, case) in m.cases.iter().enumerate() {
            ideal.positive &= case.priority > 0.0;
            if !el.structural[c].is_empty() {
                ideal.structural += 1;
                if case.current_worker.is_some() {
                    ideal.value -= mp;
                }
                continue;
            }
            ideal.value += case.priority;
            match case.current_worker {
                Some(w) if el.workers(c).binary_search(&w).is_ok() => held[w].push(case.weight),
                Some(_) => ideal.value -= mp,
                None => {}
            }
        }
        // A worker keeps at most as many of today's cases as fit under its cap.
        for (w, weights) in held.iter_mut().enumerate() {
            weights.sort_by(f64::total_cmp);
            let mut load = 0.0;
            let fit = weights.iter().take_while(|&&x| {
                load += x;
                rules::within(load, m.workers[w].cap)
            });
            let kept = fit.count();
            ideal.value -= mp * (weights.len() - kept) as f64;
        }
        self.ideals
            .lock()
            .map_err(|_| Error::Solver("a worker thread panicked".into()))?
            .insert(key.clone(), ideal.clone());
        Ok(ideal)
    }
}

/// Sorted copy.
pub fn sorted(v: &[usize]) -> Vec<usize> {
    let mut v = v.to_vec();
    v.sort_unstable();
    v
}

/// Validates a context's model so that a scenario that breaks a rule (a pin above a lowered
/// cap, say) is reported up front, naming the scenario.
pub fn check_context(ctx: &Context, file_name: &str) -> Result<()> {
    validate::validate_on(file_name, &ctx.file, b"", ctx.as_of).map_err(|e| in_scenario(ctx, e))?;
    Ok(())
}

fn in_scenario(ctx: &Context, e: Error) -> Error {
    if ctx.label.is_empty() {
        return e;
    }
    match e {
        Error::Input { file, place, problem } => Error::Usage(format!(
            "scenario {:?}: the changed model is invalid: {file}: {place}: {problem}",
            ctx.label
        )),
        other => other,
    }
}
