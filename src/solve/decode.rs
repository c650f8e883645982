//! From a solved programme's column values back to an allocation of the part.

use super::allocation::empty_alloc;
use super::lp::{Col, Lp};
use super::PartAlloc;
use crate::formulate::Part;

/// The allocation of integral column values, or None if any must-be-whole column is fractional.
pub fn integral(lp: &Lp, part: &Part, values: &[f64]) -> Option<PartAlloc> {
    let whole = (0..values.len())
        .all(|j| !lp.is_integer(j) || (values[j] - values[j].round()).abs() <= crate::tolerance::INTEGRAL);
    whole.then(|| decode(lp, part, values))
}

/// Turns (rounded-down) column values into an allocation that keeps every row.
pub fn decode(lp: &Lp, part: &Part, values: &[f64]) -> PartAlloc {
    let mut a = empty_alloc(part);
    let fl = |x: f64| (x + crate::tolerance::INTEGRAL).floor().max(0.0) as u32;
    let nh = lp.hubs.len();
    let mut inflow: Vec<Vec<(usize, u32)>> = vec![Vec::new(); nh];
    let mut outflow: Vec<Vec<(usize, u32)>> = vec![Vec::new(); nh];
    let mut market_in: Vec<Vec<(usize, u32)>> = vec![Vec::new(); lp.markets.len()];
    let mut market_out: Vec<Vec<(usize, u32)>> = vec![Vec::new(); lp.markets.len()];
    for (j, col) in lp.cols.iter().enumerate() {
        match *col {
            Col::Keep { k, w } | Col::Return { k, w } => {
                let pos = part.classes[k].workers.iter().position(|&x| x == w);
                if let Some(p) = pos {
                    a.counts[k][p] += fl(values[j]);
                }
            }
            Col::ClassHub { k, h } => inflow[h].push((k, fl(values[j]))),
            Col::ClassMarket { k, mk } => market_in[mk].push((k, fl(values[j]))),
            Col::MarketHub { mk, h } => market_out[mk].push((h, fl(values[j]))),
            Col::HubWorker { h, w } => outflow[h].push((w, fl(values[j]))),
            Col::Group { g, j: jj } if values[j] > 0.5 && a.groups[g].is_none() => a.groups[g] = Some(jj),
            _ => {}
        }
    }
    // A market passes its classes on to hubs: attribute them in order.
    for mk in 0..lp.markets.len() {
        for (k, h, n) in match_flows(&market_in[mk], &market_out[mk]) {
            inflow[h].push((k, n));
        }
    }
    for h in 0..nh {
        for (k, w, n) in match_flows(&inflow[h], &outflow[h]) {
            if let Some(p) = part.classes[k].workers.iter().position(|&x| x == w) {
                a.counts[k][p] += n;
            }
        }
    }
    a
}

/// Matches what flows into a node with what flows out, in order: (source, destination, count).
/// Surplus on either side (from rounding) is dropped.
pub(super) fn match_flows(ins: &[(usize, u32)], outs: &[(usize, u32)]) -> Vec<(usize, usize, u32)> {
    let mut outs = outs.to_vec();
    let mut matched = Vec::new();
    let mut oi = 0;
    for &(src, mut n) in ins {
        while n > 0 && oi < outs.len() {
            let take = n.min(outs[oi].1);
            if take > 0 {
                matched.push((src, outs[oi].0, take));
                outs[oi].1 -= take;
                n -= take;
            }
            if outs[oi].1 == 0 {
                oi += 1;
            }
        }
    }
    matched
}
