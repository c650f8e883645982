//! The basis of a large master as a product of eta matrices (the product form of the inverse):
//! `B^-1 = E_k ... E_1`, each `E` the identity with one column replaced. A refactorisation
//! builds the product from the basis columns over the identity (a master's start columns are
//! unit columns, which need no eta), in an order that keeps it sparse: singleton columns first,
//! then columns alone in some row (row singletons: no fill), then the rest (the bump) fewest
//! entries first, each on the row of the largest entry within a threshold of the column's
//! largest that the fewest other columns share. A pivot of the simplex appends one eta.
//! FTRAN (`B^-1 a`) and BTRAN (`c B^-1`) then cost the nonzeros of the etas, not the square of
//! the rows as an explicit inverse's update does.

/// An entry of a refactorised column is accepted as its pivot only if it is at least this
/// share of the column's largest entry over the rows still free (threshold pivoting).
const THRESHOLD: f64 = 0.1;
/// A row singleton's entry is its pivot if it is at least this share of that largest entry.
const SINGLETON_THRESHOLD: f64 = 0.01;
/// Eta entries smaller than this are dropped (they are round-off).
const DROP: f64 = 1e-14;
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
    /// rows: the factor, the row (position) each column takes, and the multiply-adds done.
    pub fn factorise(
        rows: usize,
        columns: &[(&[usize], &[f64])],
    ) -> Result<(Factor, Vec<usize>, u64), Singular> {
        let n = columns.len();
        if n != rows {
            return Err(Singular);
        }
        let mut f = Factor::identity(rows);
        let mut work = 0u64;
        let mut row_of: Vec<Option<usize>> = vec![None; n];
        let mut taken = vec![false; rows];
        // The columns with an entry in each row; how many of them are not yet placed; and how
        // many entries each column has in the rows not yet taken.
        let mut in_row: Vec<Vec<usize>> = vec![Vec::new(); rows];
        let mut count = vec![0usize; rows];
        let mut left = vec![0usize; n];
        for (k, (idx, _)) in columns.iter().enumerate() {
            for &i in idx.iter() {
                in_row[i].push(k);
                count[i] += 1;
            }
            left[k] = idx.len();
            work += idx.len() as u64;
        }
        // Column k goes on row r: the counts follow.
        let place = |k: usize,
                     r: usize,
                     row_of: &mut Vec<Option<usize>>,
                     taken: &mut Vec<bool>,
                     count: &mut Vec<usize>,
                     left: &mut Vec<usize>,
                     singles: &mut Vec<usize>| {
            row_of[k] = Some(r);
            taken[r] = true;
            for &i in columns[k].0 {
                count[i] -= 1;
                if count[i] == 1 && !taken[i] {
                    singles.push(i);
                }
            }
            for &c in &in_row[r] {
                if row_of[c].is_none() {
                    left[c] -= 1;
                }
            }
        };
        let mut singles: Vec<usize> = Vec::new();
        // Singleton columns (start, shortfall and surplus columns) on their own rows: over the
        // identity and each other, their etas are a scaling at most.
        let mut placed = 0;
        for (k, &(idx, val)) in columns.iter().enumerate() {
            if idx.len() != 1 {
                continue;
            }
            let (r, a) = (idx[0], val[0]);
            if taken[r] || a.abs() <= PIVOT_TOL {
                return Err(Singular);
            }
            if a != 1.0 {
                f.pivot.push(r);
                f.scale.push(1.0 / a);
                f.start.push(f.index.len());
            }
            place(k, r, &mut row_of, &mut taken, &mut count, &mut left, &mut singles);
            placed += 1;
        }
        for i in 0..rows {
            if !taken[i] && count[i] == 1 {
                singles.push(i);
            }
        }
        singles.sort_unstable_by(|a, b| b.cmp(a));
        singles.dedup();
        // Then each row singleton as it appears (no fill), else the bump's sparsest column.
        let mut x = vec![0.0; rows];
        while placed < n {
            let mut single = None;
            while let Some(i) = singles.pop() {
                if !taken[i] && count[i] == 1 {
                    single = Some(i);
                    break;
                }
            }
            let k = match single {
                Some(i) => in_row[i].iter().copied().find(|&c| row_of[c].is_none()),
                None => (0..n).filter(|&c| row_of[c].is_none()).min_by_key(|&c| (left[c], c)),
            }
            .ok_or(Singular)?;
            x.iter_mut().for_each(|v| *v = 0.0);
            for (&i, &a) in columns[k].0.iter().zip(columns[k].1) {
                x[i] += a;
            }
            work += f.ftran(&mut x) + 2 * rows as u64;
            let big = (0..rows).filter(|&i| !taken[i]).map(|i| x[i].abs()).fold(0.0f64, f64::max);
            if big <= PIVOT_TOL {
                return Err(Singular);
            }
            let r = match single {
                Some(i) if x[i].abs() >= SINGLETON_THRESHOLD * big => i,
                _ => (0..rows)
                    .filter(|&i| !taken[i] && x[i].abs() >= THRESHOLD * big)
                    .min_by(|&a, &b| {
                        count[a].cmp(&count[b]).then(x[b].abs().total_cmp(&x[a].abs())).then(a.cmp(&b))
                    })
                    .ok_or(Singular)?,
            };
            f.push(r, &x);
            place(k, r, &mut row_of, &mut taken, &mut count, &mut left, &mut singles);
            placed += 1;
        }
        f.base = f.pivot.len();
        let positions =
            row_of.into_iter().map(|r| r.ok_or(Singular)).collect::<Result<Vec<usize>, Singular>>()?;
        Ok((f, positions, work))
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
