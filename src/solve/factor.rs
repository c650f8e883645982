//! The basis of a large master as a product of eta matrices: `B^-1 = E_k ... E_1`, each `E`
//! the identity with one column replaced. A refactorisation is a sparse LU factorisation
//! `B = L U` (Markowitz pivoting with a threshold; a master's start, shortfall and surplus
//! columns are singletons and cost nothing), kept as the etas of `L^-1` (one per pivot that
//! eliminates anything) and of `U^-1` (the columns of `U` as they stand); a pivot of the
//! simplex appends one eta (the product form of the update). FTRAN (`B^-1 a`) and BTRAN
//! (`c B^-1`) then cost the nonzeros of the etas, not the square of the rows as an explicit
//! inverse's update does.

use std::cell::RefCell;

/// An entry is accepted as a pivot of the factorisation only if it is at least this share of
/// the largest entry of its column in the active rows (threshold pivoting).
const THRESHOLD: f64 = 0.1;
/// Columns and rows of fewest entries whose entries a refactorisation weighs as its next pivot.
const SEARCH: usize = 4;
/// Eta entries smaller than this are dropped (they are round-off).
const DROP: f64 = 1e-14;
/// Entries per row of a basis the refactorisation's scratch keeps room for between calls.
const KEEP_PER_ROW: usize = 16;
/// Smallest pivot element accepted.
const PIVOT_TOL: f64 = crate::tolerance::PIVOT;

/// The basis is numerically singular: some column has no usable pivot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Singular;

/// `B^-1` as a product of etas.
#[derive(Clone, Debug)]
pub(super) struct Factor {
    rows: usize,
    /// Eta `k` replaces column `pivot[k]` of the identity by `alpha` (the FTRAN of the column
    /// that entered): `scale[k]` is one over the pivot element `alpha[pivot[k]]`, and
    /// `index`/`value[start[k]..start[k + 1]]` hold minus the other entries of `alpha`. The eta
    /// column itself is those times `scale[k]`, with `scale[k]` on the diagonal.
    pivot: Vec<usize>,
    scale: Vec<f64>,
    start: Vec<usize>,
    index: Vec<usize>,
    value: Vec<f64>,
    /// Etas of the last refactorisation; those after it are the pivots' updates.
    base: usize,
}

impl Factor {
    /// The identity (the start basis).
    pub fn identity(rows: usize) -> Self {
        Factor {
            rows,
            pivot: Vec::new(),
            scale: Vec::new(),
            start: vec![0],
            index: Vec::new(),
            value: Vec::new(),
            base: 0,
        }
    }

    /// Etas appended by pivots since the last refactorisation.
    pub fn updates(&self) -> usize {
        self.pivot.len() - self.base
    }

    /// Nonzeros of the etas appended since the last refactorisation.
    pub fn update_nonzeros(&self) -> usize {
        self.index.len() - self.start[self.base]
    }

    /// Nonzeros of every eta (diagonals included).
    pub fn nonzeros(&self) -> usize {
        self.index.len() + self.pivot.len()
    }

    /// Appends the eta of a pivot on row `r` of the column `alpha` (`B^-1 a_q`, with
    /// `alpha[r]` away from zero): the basis with `a_q` in position `r`.
    pub fn push(&mut self, r: usize, alpha: &[f64]) {
        let p = alpha[r];
        for (i, &a) in alpha.iter().enumerate() {
            if i != r && a.abs() > DROP {
                self.index.push(i);
                self.value.push(-a);
            }
        }
        self.pivot.push(r);
        self.scale.push(1.0 / p);
        self.start.push(self.index.len());
    }

    /// `x <- B^-1 x`; returns the multiply-adds done (an eta whose pivot entry of `x` is zero
    /// costs one look).
    pub fn ftran(&self, x: &mut [f64]) -> u64 {
        debug_assert_eq!(x.len(), self.rows);
        let mut work = self.pivot.len() as u64;
        for k in 0..self.pivot.len() {
            let p = self.pivot[k];
            let xp = x[p];
            if xp == 0.0 {
                continue;
            }
            let xp = xp * self.scale[k];
            x[p] = xp;
            let range = self.start[k]..self.start[k + 1];
            work += range.len() as u64;
            for (&i, &v) in self.index[range.clone()].iter().zip(&self.value[range]) {
                x[i] += v * xp;
            }
        }
        work
    }

    /// `z <- z B^-1` (`z` a row vector); returns the multiply-adds done (every eta's entries).
    pub fn btran(&self, z: &mut [f64]) -> u64 {
        for k in (0..self.pivot.len()).rev() {
            let p = self.pivot[k];
            let range = self.start[k]..self.start[k + 1];
            let s: f64 =
                self.index[range.clone()].iter().zip(&self.value[range]).map(|(&i, &v)| v * z[i]).sum();
            z[p] = (z[p] + s) * self.scale[k];
        }
        self.nonzeros() as u64
    }

    /// Factorises the basis whose columns are `columns` (rows, coefficients), as many as the
    /// rows, by sparse Gaussian elimination `B = L U`: the factor (the etas of `L^-1` in
    /// elimination order, then those of `U^-1` from the last pivot back, each `U` eta a column
    /// of `U` as it stands, without fill), the row (position) each column takes, and the
    /// multiply-adds done. Each pivot is the entry of least Markowitz cost (the other entries of
    /// its row times those of its column) among a few columns and rows with the fewest entries,
    /// and at least [`THRESHOLD`] of its column's largest. The active submatrix lives in this
    /// thread's [`Active`], whose buffers the next refactorisation reuses.
    pub fn factorise(
        rows: usize,
        columns: &[(&[usize], &[f64])],
    ) -> Result<(Factor, Vec<usize>, u64), Singular> {
        ACTIVE.with(|active| active.borrow_mut().factorise(rows, columns))
    }
}

thread_local! {
    /// The active submatrix of this thread's last factorisation: its buffers are allocated
    /// once, not at every refactorisation (nor for every row of one).
    static ACTIVE: RefCell<Active> = RefCell::new(Active::default());
}

/// No place: a column outside the pivot row.
const NOWHERE: usize = usize::MAX;

/// Counts below this have a bitset each in [`Keys`]; higher ones share an ordered set, so the
/// bitsets' memory stays `BITSET_COUNTS * n / 64` words whatever the densest row or column.
const BITSET_COUNTS: usize = 64;

/// A set of indices below `n` by (entries, index), as a bitset of the indices for each count of
/// entries below [`BITSET_COUNTS`] (and an ordered set of pairs above it): an index moves between
/// low counts in constant time, and the first few in order are read from the lowest counts up
/// (instead of one `BTreeSet` of pairs, whose searches cost more than the elimination they
/// order; the sparsest rows and columns, which the search reads, have low counts).
#[derive(Debug, Default)]
struct Keys {
    /// Words of 64 indices in each count's bitset.
    words: usize,
    /// Count `k`'s bitset is `bits[k * words..(k + 1) * words]`.
    bits: Vec<u64>,
    /// Indices in each count's bitset.
    size: Vec<usize>,
    /// (count, index) of the indices whose count is [`BITSET_COUNTS`] or more.
    high: std::collections::BTreeSet<(usize, usize)>,
    len: usize,
}

impl Keys {
    /// Empties the set, for indices below `n`.
    fn reset(&mut self, n: usize) {
        self.words = n.div_ceil(64);
        self.bits.clear();
        self.size.clear();
        self.high.clear();
        self.len = 0;
    }

    fn insert(&mut self, (count, i): (usize, usize)) {
        if count >= BITSET_COUNTS {
            if self.high.insert((count, i)) {
                self.len += 1;
            }
            return;
        }
        if count >= self.size.len() {
            self.size.resize(count + 1, 0);
            self.bits.resize((count + 1) * self.words, 0);
        }
        let word = &mut self.bits[count * self.words + i / 64];
        if *word & (1 << (i % 64)) == 0 {
            *word |= 1 << (i % 64);
            self.size[count] += 1;
            self.len += 1;
        }
    }

    fn remove(&mut self, (count, i): (usize, usize)) {
        if count >= BITSET_COUNTS {
            let removed = self.high.remove(&(count, i));
            debug_assert!(removed, "a count set out of step: ({count}, {i}) is not in it");
            self.len -= usize::from(removed);
            return;
        }
        debug_assert!(
            count < self.size.len() && self.bits[count * self.words + i / 64] & (1 << (i % 64)) != 0,
            "a count set out of step: ({count}, {i}) is not in it"
        );
        if count < self.size.len() {
            let word = &mut self.bits[count * self.words + i / 64];
            if *word & (1 << (i % 64)) != 0 {
                *word &= !(1 << (i % 64));
                self.size[count] -= 1;
                self.len -= 1;
            }
        }
    }

    /// Appends to `out` the first `search` indices by (count, index).
    fn first(&self, search: usize, out: &mut Vec<usize>) {
        let mut left = search.min(self.len);
        for (count, &size) in self.size.iter().enumerate() {
            if left == 0 {
                return;
            }
            if size == 0 {
                continue;
            }
            let set = &self.bits[count * self.words..(count + 1) * self.words];
            for (w, &word) in set.iter().enumerate() {
                let mut b = word;
                while b != 0 && left > 0 {
                    out.push(w * 64 + b.trailing_zeros() as usize);
                    b &= b - 1;
                    left -= 1;
                }
            }
        }
        out.extend(self.high.iter().take(left).map(|&(_, i)| i));
    }
}

/// The active submatrix of a factorisation. Every entry is stored once (its row, column and
/// value, in `e_row`, `e_col`, `e_val`); each row and each column lists its entries' numbers, so
/// an entry's value is read from either side without a search. A column's list may still hold
/// entries of rows already pivoted (skipped, and dropped when the list is next read, the order
/// of the rest kept); `row_count` and `col_count` count the active entries.
#[derive(Debug, Default)]
struct Active {
    e_row: Vec<usize>,
    e_col: Vec<usize>,
    e_val: Vec<f64>,
    row_list: Vec<Vec<usize>>,
    col_list: Vec<Vec<usize>>,
    row_count: Vec<usize>,
    col_count: Vec<usize>,
    row_done: Vec<bool>,
    col_done: Vec<bool>,
    /// The active columns and rows by (entries, index): the Markowitz search reads the first few.
    col_keys: Keys,
    row_keys: Keys,
    /// Columns left with one active entry (pivots of no cost), the next on top.
    singles: Vec<usize>,
    /// The pivot row's entries (column, value), and each column's place in it ([`NOWHERE`] if
    /// none): the dense work row the eliminated rows are updated with.
    prow: Vec<(usize, f64)>,
    place: Vec<usize>,
    /// Which of the pivot row's entries the row being eliminated already has.
    hit: Vec<bool>,
    /// The entries of the pivot column in the other active rows.
    below: Vec<usize>,
    /// The Markowitz search's candidate entries, and the columns' largest entries it has read
    /// (negative: not yet read).
    cands: Vec<usize>,
    firsts: Vec<usize>,
    col_max: Vec<f64>,
    max_read: Vec<usize>,
    /// Each pivot (row, column, value) and its row's other entries (U's), from `u_start[k]`.
    pivots: Vec<(usize, usize, f64)>,
    u_start: Vec<usize>,
    u_col: Vec<usize>,
    u_val: Vec<f64>,
    /// U's entries by column (row, value), column `c`'s from `by_col_start[c]`.
    by_col_start: Vec<usize>,
    by_col: Vec<(usize, f64)>,
}

impl Active {
    /// Empties the buffers for a factorisation of `n` columns on `n` rows (capacity kept).
    fn reset(&mut self, n: usize) {
        // The scratch lives as long as its thread: what a much larger basis left is given back
        // (kept up to four times what this one is likely to need, so sizes that alternate do
        // not allocate every time).
        let keep = KEEP_PER_ROW * n.max(64);
        self.e_row.clear();
        self.e_col.clear();
        self.e_val.clear();
        for v in [&mut self.e_row, &mut self.e_col] {
            if v.capacity() > 4 * keep {
                v.shrink_to(keep);
            }
        }
        if self.e_val.capacity() > 4 * keep {
            self.e_val.shrink_to(keep);
        }
        for lists in [&mut self.row_list, &mut self.col_list] {
            if lists.len() > 4 * n.max(64) {
                lists.truncate(n);
                lists.shrink_to_fit();
            }
            if lists.len() < n {
                lists.resize_with(n, Vec::new);
            }
            lists[..n].iter_mut().for_each(Vec::clear);
        }
        for counts in [&mut self.row_count, &mut self.col_count] {
            counts.clear();
            counts.resize(n, 0);
        }
        for done in [&mut self.row_done, &mut self.col_done] {
            done.clear();
            done.resize(n, false);
        }
        self.col_keys.reset(n);
        self.row_keys.reset(n);
        self.singles.clear();
        self.prow.clear();
        self.place.clear();
        self.place.resize(n, NOWHERE);
        self.col_max.clear();
        self.col_max.resize(n, -1.0);
        self.max_read.clear();
        self.pivots.clear();
        self.u_start.clear();
        self.u_col.clear();
        self.u_val.clear();
    }

    /// Adds entry `a` at row `i`, column `c`.
    fn add(&mut self, i: usize, c: usize, a: f64) {
        let e = self.e_val.len();
        self.e_row.push(i);
        self.e_col.push(c);
        self.e_val.push(a);
        self.row_list[i].push(e);
        self.col_list[c].push(e);
        self.row_count[i] += 1;
        self.col_count[c] += 1;
    }

    /// Drops from column `c`'s list the entries of rows already pivoted (the rest in order).
    fn prune(&mut self, c: usize) {
        let (e_row, row_done) = (&self.e_row, &self.row_done);
        self.col_list[c].retain(|&e| !row_done[e_row[e]]);
    }

    /// See [`Factor::factorise`].
    fn factorise(
        &mut self,
        rows: usize,
        columns: &[(&[usize], &[f64])],
    ) -> Result<(Factor, Vec<usize>, u64), Singular> {
        let n = columns.len();
        if n != rows {
            return Err(Singular);
        }
        self.reset(n);
        let mut work = 0u64;
        for (k, (idx, val)) in columns.iter().enumerate() {
            for (&i, &a) in idx.iter().zip(val.iter()) {
                if a != 0.0 {
                    self.add(i, k, a);
                }
            }
            work += idx.len() as u64;
        }
        for c in 0..n {
            self.col_keys.insert((self.col_count[c], c));
            self.row_keys.insert((self.row_count[c], c));
        }
        self.singles.extend((0..n).rev().filter(|&c| self.col_count[c] == 1));
        let mut f = Factor::identity(rows);
        for _ in 0..n {
            let mut single = None;
            while let Some(c) = self.singles.pop() {
                if !self.col_done[c] && self.col_count[c] == 1 {
                    self.prune(c);
                    let e = self.col_list[c][0];
                    if self.e_val[e].abs() > PIVOT_TOL {
                        single = Some(e);
                        break;
                    }
                }
            }
            let e = match single {
                Some(e) => e,
                None => {
                    self.markowitz(SEARCH, &mut work).or_else(|_| self.markowitz(usize::MAX, &mut work))?
                }
            };
            self.eliminate(e, &mut f, &mut work);
        }
        // U's columns: column c's entries in the rows pivoted before it, in pivot order.
        let mut row_of = vec![0; n];
        self.by_col_start.clear();
        self.by_col_start.resize(n + 1, 0);
        for &j in &self.u_col {
            self.by_col_start[j + 1] += 1;
        }
        for c in 0..n {
            self.by_col_start[c + 1] += self.by_col_start[c];
        }
        self.by_col.clear();
        self.by_col.resize(self.u_col.len(), (0, 0.0));
        // Each column's next free place, kept in `place` (which holds these places until the
        // next `reset`).
        self.place[..n].copy_from_slice(&self.by_col_start[..n]);
        for (k, &(r, c, _)) in self.pivots.iter().enumerate() {
            row_of[c] = r;
            for t in self.u_start[k]..self.u_start.get(k + 1).copied().unwrap_or(self.u_col.len()) {
                let j = self.u_col[t];
                self.by_col[self.place[j]] = (r, self.u_val[t]);
                self.place[j] += 1;
            }
        }
        for &(r, c, a) in self.pivots.iter().rev() {
            let entries = &self.by_col[self.by_col_start[c]..self.by_col_start[c + 1]];
            if a == 1.0 && entries.is_empty() {
                continue;
            }
            for &(i, v) in entries {
                f.index.push(i);
                f.value.push(-v);
            }
            f.pivot.push(r);
            f.scale.push(1.0 / a);
            f.start.push(f.index.len());
        }
        f.base = f.pivot.len();
        work += f.nonzeros() as u64;
        Ok((f, row_of, work))
    }

    /// Pivots on entry `e`: its row leaves the active rows, its column the active columns, and
    /// the column is eliminated from the other active rows by the pivot row (an eta of `L^-1`
    /// in `f` if there are any), the updates charged to `work`.
    fn eliminate(&mut self, e: usize, f: &mut Factor, work: &mut u64) {
        let (r, c, a) = (self.e_row[e], self.e_col[e], self.e_val[e]);
        self.row_keys.remove((self.row_count[r], r));
        self.row_done[r] = true;
        self.prow.clear();
        for &x in &self.row_list[r] {
            self.prow.push((self.e_col[x], self.e_val[x]));
        }
        for (t, &(j, _)) in self.prow.iter().enumerate() {
            self.col_keys.remove((self.col_count[j], j));
            self.col_count[j] -= 1;
            if self.col_count[j] == 1 && j != c {
                self.singles.push(j);
            }
            self.place[j] = t;
        }
        self.prune(c);
        self.below.clear();
        self.below.extend_from_slice(&self.col_list[c]);
        self.hit.clear();
        self.hit.resize(self.prow.len(), false);
        let eta_start = f.index.len();
        for k in 0..self.below.len() {
            let x = self.below[k];
            let i = self.e_row[x];
            let l = self.e_val[x] / a;
            self.row_keys.remove((self.row_count[i], i));
            self.hit.iter_mut().for_each(|h| *h = false);
            let mut list = std::mem::take(&mut self.row_list[i]);
            {
                let (e_col, e_val, place, prow, hit) =
                    (&self.e_col, &mut self.e_val, &self.place, &self.prow, &mut self.hit);
                list.retain(|&y| {
                    let j = e_col[y];
                    if j == c {
                        return false;
                    }
                    let t = place[j];
                    if t != NOWHERE {
                        e_val[y] -= l * prow[t].1;
                        hit[t] = true;
                    }
                    true
                });
            }
            self.row_list[i] = list;
            self.row_count[i] -= 1;
            for t in 0..self.prow.len() {
                let (j, v) = self.prow[t];
                if j != c && !self.hit[t] {
                    self.add(i, j, -l * v);
                }
            }
            self.row_keys.insert((self.row_count[i], i));
            *work += (self.row_count[i] + self.prow.len()) as u64;
            f.index.push(i);
            f.value.push(-l);
        }
        if f.index.len() > eta_start {
            f.pivot.push(r);
            f.scale.push(1.0);
            f.start.push(f.index.len());
        }
        self.col_done[c] = true;
        self.col_list[c].clear();
        self.u_start.push(self.u_col.len());
        for &(j, v) in &self.prow {
            self.place[j] = NOWHERE;
            if j != c {
                self.col_keys.insert((self.col_count[j], j));
                self.u_col.push(j);
                self.u_val.push(v);
            }
        }
        self.pivots.push((r, c, a));
    }

    /// The next pivot (an entry) when no column has a single entry left: of the entries of the
    /// `search` active columns and rows with the fewest entries, one at least [`THRESHOLD`] of
    /// its column's largest with the least Markowitz cost (ties: the larger entry, then the
    /// lower row and column). The caller asks with [`SEARCH`], then with them all if none of
    /// those will do.
    fn markowitz(&mut self, search: usize, work: &mut u64) -> Result<usize, Singular> {
        // Charged as the scan over every active column and row it replaces, so that the
        // budget, and with it every proposal, is what it was.
        *work += (self.col_keys.len + self.row_keys.len) as u64;
        let mut cands = std::mem::take(&mut self.cands);
        cands.clear();
        let mut firsts = std::mem::take(&mut self.firsts);
        firsts.clear();
        self.col_keys.first(search, &mut firsts);
        for &c in &firsts {
            self.prune(c);
            cands.extend_from_slice(&self.col_list[c]);
        }
        firsts.clear();
        self.row_keys.first(search, &mut firsts);
        for &i in &firsts {
            cands.extend_from_slice(&self.row_list[i]);
        }
        self.firsts = firsts;
        let mut best: Option<(usize, f64, usize, usize, usize)> = None;
        for &x in &cands {
            let (i, c) = (self.e_row[x], self.e_col[x]);
            let mut big = self.col_max[c];
            if big < 0.0 {
                self.prune(c);
                big = self.col_list[c].iter().map(|&y| self.e_val[y].abs()).fold(0.0, f64::max);
                // Charged as the row scans that read them before, as the search's scan above.
                *work += self.col_list[c].iter().map(|&y| self.row_count[self.e_row[y]] as u64).sum::<u64>();
                self.col_max[c] = big;
                self.max_read.push(c);
            }
            let a = self.e_val[x].abs();
            if a <= PIVOT_TOL || a < THRESHOLD * big {
                continue;
            }
            let cost = (self.row_count[i] - 1) * (self.col_count[c] - 1);
            let better = best.is_none_or(|(bc, ba, bi, bk, _)| {
                cost.cmp(&bc).then(ba.total_cmp(&a)).then(i.cmp(&bi)).then(c.cmp(&bk)).is_lt()
            });
            if better {
                best = Some((cost, a, i, c, x));
            }
        }
        for &c in &self.max_read {
            self.col_max[c] = -1.0;
        }
        self.max_read.clear();
        self.cands = cands;
        best.map(|b| b.4).ok_or(Singular)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::SplitMix64;

    /// A dense copy of the basis with `columns` in positions `rows_of` (`b[i][r]`).
    fn dense(m: usize, columns: &[(Vec<usize>, Vec<f64>)], rows_of: &[usize]) -> Vec<Vec<f64>> {
        let mut b = vec![vec![0.0; m]; m];
        for (k, (idx, val)) in columns.iter().enumerate() {
            for (&i, &a) in idx.iter().zip(val) {
                b[i][rows_of[k]] += a;
            }
        }
        b
    }

    /// A random sparse basis as the master's are: unit and shortfall columns on some rows, and
    /// columns of two to five entries (one on a row of their own kind) on the rest, so that it
    /// is nonsingular with high probability.
    fn random_basis(g: &mut SplitMix64, m: usize) -> Vec<(Vec<usize>, Vec<f64>)> {
        (0..m)
            .map(|k| {
                if g.chance(0.4) {
                    return (vec![k], vec![if g.chance(0.3) { -1.0 } else { 1.0 }]);
                }
                let mut idx = vec![k];
                let mut val = vec![1.0 + g.below(3) as f64];
                for _ in 0..1 + g.below(4) {
                    let i = g.below(m);
                    if !idx.contains(&i) {
                        idx.push(i);
                        val.push((g.below(7) as f64 - 3.0) * 0.5);
                    }
                }
                (idx, val)
            })
            .collect()
    }

    /// Pivots `column` into the basis (`columns`, basic in rows `rows_of`) in the position of
    /// its image's largest entry, as the simplex would; false (nothing changed) when that entry
    /// is too small to pivot on.
    fn pivot_in(
        f: &mut Factor,
        columns: &mut [(Vec<usize>, Vec<f64>)],
        rows_of: &mut [usize],
        column: (Vec<usize>, Vec<f64>),
    ) -> bool {
        let m = rows_of.len();
        let mut alpha = vec![0.0; m];
        for (&i, &v) in column.0.iter().zip(&column.1) {
            alpha[i] += v;
        }
        f.ftran(&mut alpha);
        let r = (0..m).max_by(|&a, &b| alpha[a].abs().total_cmp(&alpha[b].abs()).then(b.cmp(&a))).unwrap();
        if alpha[r].abs() < 1e-3 {
            return false;
        }
        f.push(r, &alpha);
        let k = rows_of.iter().position(|&p| p == r).unwrap();
        columns[k] = column;
        rows_of[k] = r;
        true
    }

    fn views(columns: &[(Vec<usize>, Vec<f64>)]) -> Vec<(&[usize], &[f64])> {
        columns.iter().map(|(i, v)| (i.as_slice(), v.as_slice())).collect()
    }

    fn times(b: &[Vec<f64>], x: &[f64]) -> Vec<f64> {
        b.iter().map(|row| row.iter().zip(x).map(|(a, v)| a * v).sum()).collect()
    }

    fn times_left(z: &[f64], b: &[Vec<f64>]) -> Vec<f64> {
        let m = z.len();
        (0..m).map(|c| (0..m).map(|i| z[i] * b[i][c]).sum()).collect()
    }

    fn close(a: &[f64], b: &[f64]) -> bool {
        a.iter().zip(b).all(|(x, y)| (x - y).abs() <= 1e-8 * (1.0 + y.abs()))
    }

    /// FTRAN and BTRAN of a factorised random sparse basis, and of the same basis after
    /// pivots' etas, solve `B x = a` and `z B = c` (checked by multiplying back).
    #[test]
    fn ftran_and_btran_solve_with_the_basis() {
        let mut g = SplitMix64::new(5);
        let mut solved = 0;
        for case in 0..300 {
            let m = 1 + g.below(40);
            let mut columns = random_basis(&mut g, m);
            let Ok((mut f, mut rows_of, _)) = Factor::factorise(m, &views(&columns)) else { continue };
            solved += 1;
            for step in 0..6 {
                let b = dense(m, &columns, &rows_of);
                let a: Vec<f64> = (0..m).map(|_| g.below(9) as f64 - 4.0).collect();
                let mut x = a.clone();
                f.ftran(&mut x);
                assert!(close(&times(&b, &x), &a), "case {case} step {step}: FTRAN");
                let c: Vec<f64> = (0..m).map(|_| g.below(9) as f64 - 4.0).collect();
                let mut z = c.clone();
                f.btran(&mut z);
                assert!(close(&times_left(&z, &b), &c), "case {case} step {step}: BTRAN");
                // A pivot: a new column replaces the one in the position of its largest entry.
                let column = random_basis(&mut g, m).swap_remove(g.below(m));
                if !pivot_in(&mut f, &mut columns, &mut rows_of, column) {
                    break;
                }
            }
            assert_eq!(f.updates() + f.base, f.pivot.len());
        }
        assert!(solved > 200, "only {solved} bases were nonsingular");
    }

    /// A basis with two equal columns, or a row no column touches, is singular.
    #[test]
    fn a_singular_basis_is_detected() {
        let cols = vec![(vec![0, 1], vec![1.0, 2.0]), (vec![0, 1], vec![1.0, 2.0]), (vec![2], vec![1.0])];
        assert_eq!(Factor::factorise(3, &views(&cols)).err(), Some(Singular));
        let cols = vec![(vec![0, 1], vec![1.0, 2.0]), (vec![0, 1], vec![3.0, 1.0]), (vec![1], vec![1.0])];
        assert_eq!(Factor::factorise(3, &views(&cols)).err(), Some(Singular));
        // Dependent through three columns: a3 = a1 + a2.
        let cols = vec![
            (vec![0, 1], vec![1.0, 1.0]),
            (vec![1, 2], vec![1.0, 1.0]),
            (vec![0, 1, 2], vec![1.0, 2.0, 1.0]),
        ];
        assert_eq!(Factor::factorise(3, &views(&cols)).err(), Some(Singular));
        let cols = vec![(vec![0], vec![1.0]), (vec![0], vec![-1.0])];
        assert_eq!(Factor::factorise(2, &views(&cols)).err(), Some(Singular));
    }

    #[test]
    fn empty_and_one_row_bases_and_a_shrunk_scratch_factorise() {
        let (f, _, _) = Factor::factorise(0, &[]).expect("the empty basis");
        assert_eq!(f.nonzeros(), 0);
        let cols = vec![(vec![0], vec![-4.0])];
        let (f, _, _) = Factor::factorise(1, &views(&cols)).expect("a 1-row basis");
        let mut x = vec![2.0];
        f.ftran(&mut x);
        assert!((x[0] + 0.5).abs() < 1e-15, "{x:?}");
        let cols = vec![(vec![0], vec![0.0])];
        assert_eq!(Factor::factorise(1, &views(&cols)).err(), Some(Singular));
        // A large basis, then a small one: the scratch gives most of its room back and the
        // small one still factorises as a fresh scratch would.
        let mut g = SplitMix64::new(7);
        let big = random_basis(&mut g, 600);
        Factor::factorise(600, &views(&big)).ok();
        let small = random_basis(&mut g, 20);
        let a = Factor::factorise(20, &views(&small)).map(|(_, p, w)| (p, w));
        let fresh = std::thread::spawn(move || Factor::factorise(20, &views(&small)).map(|(_, p, w)| (p, w)))
            .join()
            .expect("the thread");
        assert_eq!(a, fresh);
        ACTIVE.with(|s| assert!(s.borrow().row_list.len() <= 4 * 64, "kept {}", s.borrow().row_list.len()));
    }

    /// `B y = a` by dense Gaussian elimination with partial pivoting (`b[i][r]`), None if a
    /// pivot is below 1e-12.
    fn dense_solve(b: &[Vec<f64>], a: &[f64]) -> Option<Vec<f64>> {
        let m = a.len();
        let mut t: Vec<Vec<f64>> =
            b.iter().zip(a).map(|(row, &v)| row.iter().copied().chain([v]).collect()).collect();
        for c in 0..m {
            let p = (c..m).max_by(|&x, &y| t[x][c].abs().total_cmp(&t[y][c].abs()))?;
            if t[p][c].abs() < 1e-12 {
                return None;
            }
            t.swap(p, c);
            for r in c + 1..m {
                let l = t[r][c] / t[c][c];
                if l != 0.0 {
                    let (top, rest) = t.split_at_mut(r);
                    for (x, &p) in rest[0][c..].iter_mut().zip(&top[c][c..]) {
                        *x -= l * p;
                    }
                }
            }
        }
        let mut y = vec![0.0; m];
        for c in (0..m).rev() {
            let s: f64 = (c + 1..m).map(|k| t[c][k] * y[k]).sum();
            y[c] = (t[c][m] - s) / t[c][c];
        }
        Some(y)
    }

    fn transpose(b: &[Vec<f64>]) -> Vec<Vec<f64>> {
        (0..b.len()).map(|c| b.iter().map(|row| row[c]).collect()).collect()
    }

    /// Whether `x` is `y` to a millionth of `y`'s largest entry (and at least a millionth).
    fn near(x: &[f64], y: &[f64]) -> bool {
        let scale = y.iter().fold(1.0f64, |a, v| a.max(v.abs()));
        x.iter().zip(y).all(|(a, b)| (a - b).abs() <= 1e-6 * scale)
    }

    /// A basis of one of several shapes: `0` the master's (as [`random_basis`]), `1` a permuted
    /// identity with signs and scales (every column a singleton), `2` mostly singletons with a
    /// few columns of several entries, `3` dense-ish columns (about half their entries) with a
    /// dominant entry on a permuted diagonal.
    fn shaped_basis(g: &mut SplitMix64, m: usize, shape: usize) -> Vec<(Vec<usize>, Vec<f64>)> {
        let mut perm: Vec<usize> = (0..m).collect();
        g.shuffle(&mut perm);
        match shape {
            0 => random_basis(g, m),
            1 => perm
                .iter()
                .map(|&i| (vec![i], vec![(1 + g.below(4)) as f64 * if g.chance(0.5) { -0.5 } else { 0.5 }]))
                .collect(),
            _ => perm
                .iter()
                .map(|&d| {
                    let (share, tries) = if shape == 2 { (0.85, 3) } else { (0.0, m) };
                    let mut idx = vec![d];
                    let mut val = vec![m as f64 * (1.0 + g.unit())];
                    if g.chance(share) {
                        return (idx, val);
                    }
                    for _ in 0..tries {
                        let i = g.below(m);
                        if !idx.contains(&i) && (shape == 2 || g.chance(0.5)) {
                            idx.push(i);
                            val.push(g.unit() * 2.0 - 1.0);
                        }
                    }
                    (idx, val)
                })
                .collect(),
        }
    }

    /// FTRAN and BTRAN of factorised bases of many sizes and shapes give what a dense solve
    /// with partial pivoting gives, before and after a few pivots' etas.
    #[test]
    fn ftran_and_btran_agree_with_a_dense_solve() {
        let mut g = SplitMix64::new(23);
        let mut compared = [0; 4];
        for case in 0..400 {
            let shape = case % 4;
            let m = if case % 25 == 0 { 120 + g.below(80) } else { 1 + g.below(60) };
            let mut columns = shaped_basis(&mut g, m, shape);
            let Ok((mut f, mut rows_of, _)) = Factor::factorise(m, &views(&columns)) else {
                assert_eq!(shape, 0, "case {case}: a basis of shape {shape} is nonsingular");
                continue;
            };
            for step in 0..4 {
                let b = dense(m, &columns, &rows_of);
                let a: Vec<f64> =
                    (0..m).map(|_| if g.chance(0.3) { g.below(9) as f64 - 4.0 } else { 0.0 }).collect();
                let Some(y) = dense_solve(&b, &a) else { break };
                let mut x = a.clone();
                f.ftran(&mut x);
                assert!(near(&x, &y), "case {case} (shape {shape}, {m} rows) step {step}: FTRAN");
                let c: Vec<f64> = (0..m).map(|_| g.below(9) as f64 - 4.0).collect();
                let w = dense_solve(&transpose(&b), &c).expect("the transpose is as regular");
                let mut z = c.clone();
                f.btran(&mut z);
                assert!(near(&z, &w), "case {case} (shape {shape}, {m} rows) step {step}: BTRAN");
                compared[shape] += 1;
                // A pivot: a column of the same shape replaces the one in the position of its
                // image's largest entry.
                let column = shaped_basis(&mut g, m, shape).swap_remove(g.below(m));
                if !pivot_in(&mut f, &mut columns, &mut rows_of, column) {
                    break;
                }
            }
        }
        assert!(compared.iter().all(|&n| n > 150), "too few comparisons: {compared:?}");
    }

    /// A factorisation in buffers that earlier ones (of other sizes, and a singular one) left
    /// behind gives bit for bit the factor, positions and work of one in fresh buffers.
    #[test]
    fn reused_buffers_give_the_fresh_factors() {
        let mut g = SplitMix64::new(7);
        let mut reused = Active::default();
        let singular = vec![(vec![0, 1], vec![1.0, 2.0]), (vec![0, 1], vec![1.0, 2.0]), (vec![2], vec![1.0])];
        let mut same = 0;
        for case in 0..120 {
            if case % 10 == 3 {
                assert_eq!(reused.factorise(3, &views(&singular)).err(), Some(Singular));
            }
            let m = 1 + g.below(if case % 2 == 0 { 80 } else { 15 });
            let columns = shaped_basis(&mut g, m, case % 4);
            let fresh = Active::default().factorise(m, &views(&columns));
            let again = reused.factorise(m, &views(&columns));
            match (fresh, again) {
                (Ok((f, rows_f, work_f)), Ok((h, rows_h, work_h))) => {
                    assert_eq!((rows_f, work_f), (rows_h, work_h), "case {case}");
                    assert_eq!(
                        (&f.pivot, &f.start, &f.index, f.base),
                        (&h.pivot, &h.start, &h.index, h.base)
                    );
                    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                    assert_eq!(bits(&f.scale), bits(&h.scale), "case {case}");
                    assert_eq!(bits(&f.value), bits(&h.value), "case {case}");
                    same += 1;
                }
                (fresh, again) => assert_eq!(fresh.err(), again.err(), "case {case}"),
            }
        }
        assert!(same > 90, "only {same} bases were nonsingular");
    }

    /// A random basis with one column a combination of two others, or with a row no column
    /// touches, is singular.
    #[test]
    fn a_random_dependent_basis_is_singular() {
        let mut g = SplitMix64::new(11);
        for case in 0..200 {
            let m = 3 + g.below(50);
            let mut columns = shaped_basis(&mut g, m, 2 + case % 2);
            let (p, q) = (g.below(m), g.below(m));
            let k = (0..m).find(|&k| k != p && k != q).unwrap();
            if case % 3 == 0 {
                // Row `k` emptied: every column loses its entry there.
                for (idx, val) in &mut columns {
                    if let Some(t) = idx.iter().position(|&i| i == k) {
                        idx.remove(t);
                        val.remove(t);
                    }
                }
            } else {
                let mut dense = vec![0.0; m];
                for (&i, &v) in columns[p].0.iter().zip(&columns[p].1) {
                    dense[i] += 2.0 * v;
                }
                for (&i, &v) in columns[q].0.iter().zip(&columns[q].1) {
                    dense[i] -= v;
                }
                columns[k] = (0..m).filter(|&i| dense[i] != 0.0).map(|i| (i, dense[i])).unzip();
            }
            assert_eq!(Factor::factorise(m, &views(&columns)).err(), Some(Singular), "case {case}");
        }
    }

    /// Nearly dependent columns (`e_0 + e_1` and `e_0 + (1 + eps) e_1`): the factorisation
    /// either rejects the basis or solves with it to the accuracy its condition allows.
    #[test]
    fn a_nearly_singular_basis_is_rejected_or_accurate() {
        for k in 3..16 {
            let eps = 10f64.powi(-k);
            let cols =
                vec![(vec![0, 1], vec![1.0, 1.0]), (vec![0, 1], vec![1.0, 1.0 + eps]), (vec![2], vec![1.0])];
            match Factor::factorise(3, &views(&cols)) {
                Err(Singular) => assert!(eps < 1e-8, "eps {eps}: a usable basis rejected"),
                Ok((f, rows_of, _)) => {
                    let b = dense(3, &cols, &rows_of);
                    let a = [1.0, 2.0, 3.0];
                    let mut x = a.to_vec();
                    f.ftran(&mut x);
                    let back = times(&b, &x);
                    assert!(
                        back.iter().zip(&a).all(|(u, v)| (u - v).abs() <= 1e-15 / eps),
                        "eps {eps}: {back:?}"
                    );
                }
            }
        }
    }

    /// The count bitsets give the first indices by (count, index) as a `BTreeSet` of the
    /// pairs does, through random inserts and removals.
    #[test]
    fn keys_order_as_a_btree_set() {
        let mut g = SplitMix64::new(3);
        let mut keys = Keys::default();
        for case in 0..50 {
            let n = 1 + g.below(300);
            keys.reset(n);
            let mut reference = std::collections::BTreeSet::new();
            let mut count = vec![None; n];
            for _ in 0..4 * n {
                let i = g.below(n);
                match count[i] {
                    Some(k) if g.chance(0.4) => {
                        keys.remove((k, i));
                        reference.remove(&(k, i));
                        count[i] = None;
                    }
                    old => {
                        if let Some(k) = old {
                            keys.remove((k, i));
                            reference.remove(&(k, i));
                        }
                        // Mostly low counts, some past the bitsets' (the ordered set's).
                        let k = if g.chance(0.2) { BITSET_COUNTS - 2 + g.below(140) } else { g.below(12) };
                        keys.insert((k, i));
                        reference.insert((k, i));
                        count[i] = Some(k);
                    }
                }
                let search = [1, 4, usize::MAX][g.below(3)];
                let mut first = Vec::new();
                keys.first(search, &mut first);
                let expected: Vec<usize> = reference.iter().take(search).map(|&(_, i)| i).collect();
                assert_eq!(first, expected, "case {case}");
                assert_eq!(keys.len, reference.len());
            }
        }
    }
}
