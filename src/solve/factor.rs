//! The basis of a large master as a product of eta matrices: `B^-1 = E_k ... E_1`, each `E`
//! the identity with one column replaced. A refactorisation is a sparse LU factorisation
//! `B = L U` (Markowitz pivoting with a threshold; a master's start, shortfall and surplus
//! columns are singletons and cost nothing), kept as the etas of `L^-1` (one per pivot that
//! eliminates anything) and of `U^-1` (the columns of `U` as they stand); a pivot of the
//! simplex appends one eta (the product form of the update). FTRAN (`B^-1 a`) and BTRAN
//! (`c B^-1`) then cost the nonzeros of the etas, not the square of the rows as an explicit
//! inverse's update does.

use std::collections::BTreeSet;

/// An entry is accepted as a pivot of the factorisation only if it is at least this share of
/// the largest entry of its column in the active rows (threshold pivoting).
const THRESHOLD: f64 = 0.1;
/// Columns and rows of fewest entries whose entries a refactorisation weighs as its next pivot.
const SEARCH: usize = 4;
/// Eta entries smaller than this are dropped (they are round-off).
const DROP: f64 = 1e-14;
/// Smallest pivot element accepted.
const PIVOT_TOL: f64 = crate::tolerance::PIVOT;

/// A pivot of the elimination: its row, its column, its value, and the rest of its row (the
/// entries of `U` in that row).
type Pivot = (usize, usize, f64, Vec<(usize, f64)>);

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
    /// and at least [`THRESHOLD`] of its column's largest.
    pub fn factorise(
        rows: usize,
        columns: &[(&[usize], &[f64])],
    ) -> Result<(Factor, Vec<usize>, u64), Singular> {
        let n = columns.len();
        if n != rows {
            return Err(Singular);
        }
        let mut work = 0u64;
        // The active submatrix: each row's entries (column, value); each column's rows.
        let mut row_entries: Vec<Vec<(usize, f64)>> = vec![Vec::new(); rows];
        let mut col_rows: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (k, (idx, val)) in columns.iter().enumerate() {
            for (&i, &a) in idx.iter().zip(val.iter()) {
                if a != 0.0 {
                    row_entries[i].push((k, a));
                    col_rows[k].push(i);
                }
            }
            work += idx.len() as u64;
        }
        let mut col_done = vec![false; n];
        // The active columns and rows by (entries, index): the Markowitz search reads the first
        // few in order instead of sorting them all at every pivot.
        let mut col_keys: BTreeSet<(usize, usize)> = (0..n).map(|c| (col_rows[c].len(), c)).collect();
        let mut row_keys: BTreeSet<(usize, usize)> = (0..rows).map(|i| (row_entries[i].len(), i)).collect();
        let mut f = Factor::identity(rows);
        // Each pivot: its row, column and value, and the rest of its row (U's entries).
        let mut pivots: Vec<Pivot> = Vec::with_capacity(n);
        let mut mark: Vec<Option<usize>> = vec![None; n];
        let value_at =
            |entries: &Vec<(usize, f64)>, c: usize| entries.iter().find(|e| e.0 == c).map_or(0.0, |e| e.1);
        // Columns with one entry left: pivots of no cost, taken first.
        let mut singles: Vec<usize> = (0..n).rev().filter(|&c| col_rows[c].len() == 1).collect();
        for _ in 0..n {
            let mut single = None;
            while let Some(c) = singles.pop() {
                if !col_done[c] && col_rows[c].len() == 1 {
                    let i = col_rows[c][0];
                    if value_at(&row_entries[i], c).abs() > PIVOT_TOL {
                        single = Some((i, c));
                        break;
                    }
                }
            }
            let (r, c) = match single {
                Some(p) => p,
                None => {
                    let mut search =
                        |n| Self::markowitz(n, &row_entries, &col_rows, &col_keys, &row_keys, &mut work);
                    search(SEARCH).or_else(|_| search(usize::MAX))?
                }
            };
            // Eliminate column c from the other active rows by row r.
            row_keys.remove(&(row_entries[r].len(), r));
            let pivot_row = std::mem::take(&mut row_entries[r]);
            let a = value_at(&pivot_row, c);
            for &(j, _) in &pivot_row {
                col_keys.remove(&(col_rows[j].len(), j));
                col_rows[j].retain(|&i| i != r);
                col_keys.insert((col_rows[j].len(), j));
                if col_rows[j].len() == 1 && j != c {
                    singles.push(j);
                }
            }
            for (t, &(j, _)) in pivot_row.iter().enumerate() {
                mark[j] = Some(t);
            }
            let eliminate: Vec<usize> = col_rows[c].clone();
            let eta_start = f.index.len();
            for &i in &eliminate {
                let l = value_at(&row_entries[i], c) / a;
                let mut hit = vec![false; pivot_row.len()];
                row_keys.remove(&(row_entries[i].len(), i));
                let entries = &mut row_entries[i];
                entries.retain(|e| e.0 != c);
                for e in entries.iter_mut() {
                    if let Some(t) = mark[e.0] {
                        e.1 -= l * pivot_row[t].1;
                        hit[t] = true;
                    }
                }
                for (t, &(j, v)) in pivot_row.iter().enumerate() {
                    if j != c && !hit[t] {
                        entries.push((j, -l * v));
                        col_keys.remove(&(col_rows[j].len(), j));
                        col_rows[j].push(i);
                        col_keys.insert((col_rows[j].len(), j));
                    }
                }
                row_keys.insert((entries.len(), i));
                work += (entries.len() + pivot_row.len()) as u64;
                f.index.push(i);
                f.value.push(-l);
            }
            for &(j, _) in &pivot_row {
                mark[j] = None;
            }
            if f.index.len() > eta_start {
                f.pivot.push(r);
                f.scale.push(1.0);
                f.start.push(f.index.len());
            }
            col_keys.remove(&(col_rows[c].len(), c));
            col_rows[c].clear();
            col_done[c] = true;
            let rest: Vec<(usize, f64)> = pivot_row.into_iter().filter(|e| e.0 != c).collect();
            pivots.push((r, c, a, rest));
        }
        // U's columns: column c's entries in the rows pivoted before it.
        let mut u_cols: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
        let mut row_of = vec![0; n];
        for &(r, c, _, ref rest) in &pivots {
            row_of[c] = r;
            for &(j, v) in rest {
                u_cols[j].push((r, v));
            }
        }
        for &(r, c, a, _) in pivots.iter().rev() {
            if a == 1.0 && u_cols[c].is_empty() {
                continue;
            }
            for &(i, v) in &u_cols[c] {
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

    /// The next pivot of [`Self::factorise`] when no column has a single entry left: of the
    /// entries of the `search` active columns and rows with the fewest entries, one at least
    /// [`THRESHOLD`] of its column's largest with the least Markowitz cost (ties: the larger
    /// entry, then the lower row and column). The caller asks with [`SEARCH`], then with them
    /// all if none of those will do.
    fn markowitz(
        search: usize,
        row_entries: &[Vec<(usize, f64)>],
        col_rows: &[Vec<usize>],
        col_keys: &BTreeSet<(usize, usize)>,
        row_keys: &BTreeSet<(usize, usize)>,
        work: &mut u64,
    ) -> Result<(usize, usize), Singular> {
        let value_at = |i: usize, c: usize| row_entries[i].iter().find(|e| e.0 == c).map_or(0.0, |e| e.1);
        // Charged as the scan over every active column and row it replaces, so that the
        // budget, and with it every proposal, is what it was.
        *work += (col_keys.len() + row_keys.len()) as u64;
        let mut cands: Vec<(usize, usize)> = Vec::new();
        for &(_, c) in col_keys.iter().take(search) {
            cands.extend(col_rows[c].iter().map(|&i| (i, c)));
        }
        for &(_, i) in row_keys.iter().take(search) {
            cands.extend(row_entries[i].iter().map(|&(c, _)| (i, c)));
        }
        let mut best: Option<(usize, f64, usize, usize)> = None;
        let mut col_max: Vec<(usize, f64)> = Vec::new();
        for (i, c) in cands {
            let big = match col_max.iter().find(|e| e.0 == c) {
                Some(e) => e.1,
                None => {
                    let b = col_rows[c].iter().map(|&r| value_at(r, c).abs()).fold(0.0, f64::max);
                    *work += col_rows[c].iter().map(|&r| row_entries[r].len() as u64).sum::<u64>();
                    col_max.push((c, b));
                    b
                }
            };
            let a = value_at(i, c).abs();
            if a <= PIVOT_TOL || a < THRESHOLD * big {
                continue;
            }
            let cost = (row_entries[i].len() - 1) * (col_rows[c].len() - 1);
            let better = best.is_none_or(|(bc, ba, bi, bk)| {
                cost.cmp(&bc).then(ba.total_cmp(&a)).then(i.cmp(&bi)).then(c.cmp(&bk)).is_lt()
            });
            if better {
                best = Some((cost, a, i, c));
            }
        }
        best.map(|(_, _, i, c)| (i, c)).ok_or(Singular)
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
                let (idx, val) = random_basis(&mut g, m).swap_remove(g.below(m));
                let mut alpha = vec![0.0; m];
                for (&i, &v) in idx.iter().zip(&val) {
                    alpha[i] += v;
                }
                f.ftran(&mut alpha);
                let r = (0..m)
                    .max_by(|&a, &b| alpha[a].abs().total_cmp(&alpha[b].abs()).then(b.cmp(&a)))
                    .unwrap();
                if alpha[r].abs() < 1e-3 {
                    break;
                }
                f.push(r, &alpha);
                let k = rows_of.iter().position(|&p| p == r).unwrap();
                columns[k] = (idx, val);
                rows_of[k] = r;
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
}
