//! The order in which the search driver ([`super::driver`], which both integer searches run on)
//! takes its open nodes: best bound first, and among equal bounds the node made first, so the
//! order of exploration depends on nothing but the nodes themselves.

use std::cmp::Ordering;

/// A node of a search tree with its bound and its tie key. In a `std::collections::BinaryHeap`
/// the highest `bound` comes out first and, among equal bounds, the lowest `seq` (the older node).
pub(super) struct Queued<T> {
    /// An upper bound on every allocation under the node.
    pub(super) bound: f64,
    /// When the node was made (a counter): breaks ties between equal bounds.
    pub(super) seq: u64,
    /// The node itself.
    pub(super) node: T,
}

impl<T> Queued<T> {
    /// The node with its bound and tie key.
    pub(super) fn new(node: T, bound: f64, seq: u64) -> Self {
        Queued { bound, seq, node }
    }
}

impl<T> PartialEq for Queued<T> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl<T> Eq for Queued<T> {}

impl<T> PartialOrd for Queued<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T> Ord for Queued<T> {
    /// Higher bound first; among equals, the older node (deterministic).
    fn cmp(&self, other: &Self) -> Ordering {
        self.bound.total_cmp(&other.bound).then(other.seq.cmp(&self.seq))
    }
}

/// The largest bound among some open nodes and `start`: what is left to prove.
pub(super) fn max_bound<'a, T: 'a>(nodes: impl IntoIterator<Item = &'a Queued<T>>, start: f64) -> f64 {
    nodes.into_iter().map(|n| n.bound).fold(start, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BinaryHeap;

    #[test]
    fn the_highest_bound_comes_first_and_equal_bounds_come_out_oldest_first() {
        let mut heap = BinaryHeap::new();
        for (name, bound, seq) in [("b", 2.0, 1), ("a", 5.0, 4), ("c", 2.0, 0), ("d", 2.0, 7), ("e", -1.0, 2)]
        {
            heap.push(Queued::new(name, bound, seq));
        }
        let order: Vec<&str> = std::iter::from_fn(|| heap.pop().map(|b| b.node)).collect();
        assert_eq!(order, ["a", "c", "b", "d", "e"]);
    }

    #[test]
    fn what_is_left_to_prove_is_the_largest_open_bound_or_the_start() {
        let open = [Queued::new((), 3.0, 0), Queued::new((), 7.5, 1)];
        assert_eq!(max_bound(&open, 1.0), 7.5);
        assert_eq!(max_bound(&open, 9.0), 9.0);
        assert_eq!(max_bound(&[] as &[Queued<()>], f64::NEG_INFINITY), f64::NEG_INFINITY);
    }
}
