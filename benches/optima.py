#!/usr/bin/env python3
"""Recomputes the HiGHS optima of tests/data/hard_weighted.json and tests/data/shipped_optima.json.

For each entry, regenerates its model with `caseload generate <args>` (release build), builds the
independent naive MIP of benches/compare.py from the JSON alone, solves it with HiGHS to proven
optimality, and rewrites the entry's "optimum". Entries HiGHS does not prove are dropped (with a
message), so the test only ever compares against proven optima.

With --shipped it does the same for the large example models in models/ (those whose byte
goldens were replaced by invariants): tests/data/shipped_optima.json maps each file name to the
optimum HiGHS proves for it, and tests/it/models.rs holds every proposal to it.
Run once after changing the list or a model:

    target/compare-venv/bin/python benches/optima.py [--binary target/release/caseload]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import compare  # noqa: E402

DATA = os.path.join(REPO, "tests", "data", "hard_weighted.json")
SHIPPED = os.path.join(REPO, "tests", "data", "shipped_optima.json")
# Example models too large for byte goldens; their optimum is pinned instead.
LARGE = ["birmingham_2010.json", "birmingham_2014.json", "whatif_birmingham_like.json"]


def shipped(time_limit):
    optima = {}
    for name in LARGE:
        with open(os.path.join(REPO, "models", name)) as f:
            model = json.load(f)
        r = compare.build_and_solve(model, time_limit)
        if r["status"] != "Optimal":
            sys.exit(f"{name}: HiGHS {r['status']}; no optimum recorded")
        optima[name] = r["objective"]
        print(f"{name}: optimum {r['objective']:.6f} in {r['solve_s']:.2f}s")
    with open(SHIPPED, "w") as f:
        json.dump(optima, f, indent=1, sort_keys=True)
        f.write("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--binary", default=os.path.join(REPO, "target", "release", "caseload"))
    ap.add_argument("--time-limit", type=float, default=600.0, help="seconds per model for HiGHS")
    ap.add_argument("--shipped", action="store_true", help="the large models of models/ instead")
    a = ap.parse_args()
    compare.ensure_venv()
    if a.shipped:
        shipped(a.time_limit)
        return
    with open(DATA) as f:
        entries = json.load(f)
    kept = []
    with tempfile.TemporaryDirectory() as tmp:
        for e in entries:
            path = os.path.join(tmp, e["name"] + ".json")
            subprocess.run([a.binary, "generate", *e["args"], "-o", path], check=True)
            with open(path) as f:
                model = json.load(f)
            r = compare.build_and_solve(model, a.time_limit)
            if r["status"] != "Optimal":
                print(f"{e['name']}: HiGHS {r['status']}; dropped", file=sys.stderr)
                continue
            e["optimum"] = r["objective"]
            print(f"{e['name']}: optimum {r['objective']:.6f} in {r['solve_s']:.2f}s")
            kept.append(e)
    with open(DATA, "w") as f:
        json.dump(kept, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
