#!/usr/bin/env python3
"""Would HiGHS's root cuts close a part's gap if they were rows of a Dantzig-Wolfe master?

    caseload allocate MODEL -o /dev/null --node-limit 1 --export-lp /tmp/lp
    PY benches/dw_cuts.py /tmp/lp/part-0000.json                # cuts: none, cross, all
    PY benches/dw_cuts.py /tmp/lp/part-0000.json --cuts cross   # one set, its binding cuts

PY is a Python with highspy (`target/compare-venv/bin/python`, see docs/performance.md). For one
exported part (`--export-lp`, whose columns are named), this script:

1. splits the compact programme into one block per worker (its columns: every column whose
   name gives a worker `w`; its rows: the rows of those columns alone, such as its cap) and the
   linking rest (class totals, hubs, markets, groups' single placements, oversight);
2. takes HiGHS's first root cut pool (presolve on, one node; `kCallbackMipGetCutPool`), mapped
   back to the part's own columns by name;
3. computes the Dantzig-Wolfe bound by column generation (each block's pricing problem solved
   exactly by HiGHS, the master's LP by HiGHS), with no cut, with the cuts that join two
   workers or more ("cross"), and with all of them, each cut a linking row;
4. prints each bound and, for one set, the cuts the final master prices (binding ones), by
   name.

It measures, it does not solve: the master is rebuilt every round, so it takes seconds on a
part of 20 workers and minutes on 50. The blocks here see a hub's count at a worker, not each
class's, so this bound can sit above caseload's own root (decimals-cross seed 2: 18,268.92
here, 18,265.83 caseload's); compare a set of cuts with none, both from this script.
"""
import argparse
import json
import re
import sys
import time

try:
    import highspy
    import numpy as np
except ImportError:
    sys.exit("dw_cuts.py needs highspy and numpy (pip install highspy numpy)")

INF = highspy.kHighsInf
WORKER = re.compile(r"\bw: (\d+)")


class Part:
    """One exported part: columns, rows, and which worker holds each column and row."""

    def __init__(self, path):
        with open(path) as f:
            d = json.load(f)
        self.cols = d["cols"]
        if any("name" not in c for c in self.cols):
            sys.exit(f"{path}: columns have no names; export with this version of caseload")
        self.names = [c["name"] for c in self.cols]
        self.rows = [(dict((int(a), b) for a, b in r["coefs"]), r["eq"], r["rhs"]) for r in d["rows"]]
        self.worker = {}
        for j, name in enumerate(self.names):
            m = WORKER.search(name)
            if m:
                self.worker[j] = int(m.group(1))
        self.workers = sorted(set(self.worker.values()))
        self.block_cols = {w: [j for j in range(len(self.cols)) if self.worker.get(j) == w] for w in self.workers}
        self.linking_cols = [j for j in range(len(self.cols)) if j not in self.worker]
        self.block_rows = {w: [] for w in self.workers}
        self.linking_rows = []
        for i, (coefs, _, _) in enumerate(self.rows):
            ws = {self.worker.get(j, -1) for j in coefs}
            if len(ws) == 1 and -1 not in ws:
                self.block_rows[ws.pop()].append(i)
            else:
                self.linking_rows.append(i)

    def highs(self, integer, names=False):
        """The compact programme in a new HiGHS instance (maximising)."""
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        n = len(self.cols)
        for c in self.cols:
            h.addVar(0.0, INF if c["hi"] is None else c["hi"])
        h.changeColsCost(n, np.arange(n, dtype=np.int32), np.array([c["obj"] for c in self.cols], dtype=np.double))
        for coefs, eq, rhs in self.rows:
            h.addRow(rhs if eq else -INF, rhs, len(coefs), np.array(list(coefs), dtype=np.int32),
                     np.array(list(coefs.values()), dtype=np.double))
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        if names:
            for j in range(n):
                h.passColName(j, f"c{j}")
        if integer:
            ints = [j for j, c in enumerate(self.cols) if c["integer"]]
            if ints:
                h.changeColsIntegrality(len(ints), np.array(ints, dtype=np.int32),
                                        np.array([highspy.HighsVarType.kInteger] * len(ints)))
        return h

    def joins_workers(self, coefs):
        """Whether a row over these columns is not one worker's alone."""
        return len({self.worker.get(j, -1) for j in coefs}) > 1 or any(j not in self.worker for j in coefs)


def root_cuts(part):
    """HiGHS's first root cut pool, as (upper, {column: coefficient}) over the part's columns."""
    pre = part.highs(integer=True, names=True)
    pre.presolve()
    back = [int(s[1:]) for s in pre.getPresolvedLp().col_names_]
    h = part.highs(integer=True, names=True)
    h.setOptionValue("mip_max_nodes", 1)
    pools = []
    h.cbMipGetCutPool.subscribe(lambda e: pools.append([(c.bounds, c.idxs, c.vals) for c in e.cuts]))
    h.run()
    if not pools:
        return [], h.getInfo().mip_dual_bound
    cuts = [(up, {back[i]: v for i, v in zip(idx, vals)}) for (lo, up), idx, vals in pools[0]]
    return cuts, h.getInfo().mip_dual_bound


def dw_bound(part, cuts, log=print):
    """The Dantzig-Wolfe bound with `cuts` as linking rows; the master's row prices at the end."""
    linking = [part.rows[i] for i in part.linking_rows] + [(c, False, up) for up, c in cuts]
    patterns = {w: [{}] for w in part.workers}  # every worker may hold nothing
    start = time.time()
    for rnd in range(10_000):
        value, prices, convexity = master(part, linking, patterns)
        added = 0
        for w, mu in zip(part.workers, convexity):
            gain, pattern = best_pattern(part, w, linking, prices)
            if gain - mu > 1e-6 and pattern not in patterns[w]:
                patterns[w].append(pattern)
                added += 1
        if rnd % 20 == 0 or not added:
            log(f"  round {rnd}: master {value:.4f}, {added} patterns added ({time.time() - start:.1f} s)")
        if not added:
            return value, prices[len(part.linking_rows):]
    raise RuntimeError("column generation did not converge")


def master(part, linking, patterns):
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    cols = [("link", j) for j in part.linking_cols] + [("pattern", w, p) for w in part.workers for p in patterns[w]]
    cost = []
    for c in cols:
        if c[0] == "link":
            hi = part.cols[c[1]]["hi"]
            h.addVar(0.0, INF if hi is None else hi)
            cost.append(part.cols[c[1]]["obj"])
        else:
            h.addVar(0.0, INF)
            cost.append(sum(part.cols[j]["obj"] * v for j, v in c[2].items()))
    h.changeColsCost(len(cols), np.arange(len(cols), dtype=np.int32), np.array(cost, dtype=np.double))
    for coefs, eq, rhs in linking:
        idx, val = [], []
        for at, c in enumerate(cols):
            a = coefs.get(c[1], 0.0) if c[0] == "link" else sum(coefs.get(j, 0.0) * v for j, v in c[2].items())
            if a:
                idx.append(at)
                val.append(a)
        h.addRow(rhs if eq else -INF, rhs, len(idx), np.array(idx, dtype=np.int32), np.array(val, dtype=np.double))
    for w in part.workers:
        idx = [at for at, c in enumerate(cols) if c[0] == "pattern" and c[1] == w]
        h.addRow(1.0, 1.0, len(idx), np.array(idx, dtype=np.int32), np.ones(len(idx)))
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    h.run()
    dual = list(h.getSolution().row_dual)
    return h.getInfo().objective_function_value, dual[:len(linking)], dual[len(linking):]


def best_pattern(part, w, linking, prices):
    """Worker `w`'s best lawful holding at these prices: (its value, {column: value})."""
    cols = part.block_cols[w]
    at = {j: i for i, j in enumerate(cols)}
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 1e-9)
    reduced = []
    for j in cols:
        r = part.cols[j]["obj"] - sum(p * coefs[j] for p, (coefs, _, _) in zip(prices, linking) if j in coefs)
        hi = part.cols[j]["hi"]
        h.addVar(0.0, INF if hi is None else hi)
        reduced.append(r)
    h.changeColsCost(len(cols), np.arange(len(cols), dtype=np.int32), np.array(reduced, dtype=np.double))
    for i in part.block_rows[w]:
        coefs, eq, rhs = part.rows[i]
        h.addRow(rhs if eq else -INF, rhs, len(coefs), np.array([at[j] for j in coefs], dtype=np.int32),
                 np.array(list(coefs.values()), dtype=np.double))
    ints = [at[j] for j in cols if part.cols[j]["integer"]]
    if ints:
        h.changeColsIntegrality(len(ints), np.array(ints, dtype=np.int32),
                                np.array([highspy.HighsVarType.kInteger] * len(ints)))
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    h.run()
    x = h.getSolution().col_value
    return h.getInfo().objective_function_value, {j: x[at[j]] for j in cols if abs(x[at[j]]) > 1e-9}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("part", help="a part-NNNN.json written by `allocate --export-lp`")
    ap.add_argument("--cuts", choices=["none", "cross", "all"], action="append",
                    help="which of HiGHS's root cuts join the master (repeatable; default all three)")
    args = ap.parse_args()
    part = Part(args.part)
    print(f"{len(part.cols)} columns, {len(part.workers)} workers, {len(part.linking_cols)} linking columns, "
          f"{len(part.linking_rows)} linking rows")
    lp = part.highs(integer=False)
    lp.run()
    print(f"compact LP: {lp.getInfo().objective_function_value:.4f}")
    cuts, root = root_cuts(part)
    cross = [c for c in cuts if part.joins_workers(c[1])]
    print(f"HiGHS's root: bound {root:.4f}, first pool {len(cuts)} cuts, {len(cross)} joining workers")
    sets = {"none": [], "cross": cross, "all": cuts}
    chosen = args.cuts or ["none", "cross", "all"]
    for name in chosen:
        print(f"Dantzig-Wolfe, cuts {name} ({len(sets[name])}):")
        bound, prices = dw_bound(part, sets[name])
        print(f"  bound {bound:.4f}")
        if len(chosen) == 1:
            for (up, coefs), price in zip(sets[name], prices):
                if abs(price) > 1e-7:
                    terms = " ".join(f"{v:+.4g}*{part.names[j]}" for j, v in sorted(coefs.items(), key=lambda t: part.names[t[0]]))
                    print(f"  price {price:.4f}: {terms} <= {up:g}")


if __name__ == "__main__":
    main()
