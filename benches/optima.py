#!/usr/bin/env python3
"""Recomputes the HiGHS optima of tests/data/hard_weighted.json.

For each entry, regenerates its model with `caseload generate <args>` (release build), builds the
independent naive MIP of benches/compare.py from the JSON alone, solves it with HiGHS to proven
optimality, and rewrites the entry's "optimum". Entries HiGHS does not prove are dropped (with a
message), so the test only ever compares against proven optima. Run once after changing the list:

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


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--binary", default=os.path.join(REPO, "target", "release", "caseload"))
    ap.add_argument("--time-limit", type=float, default=600.0, help="seconds per model for HiGHS")
    a = ap.parse_args()
    compare.ensure_venv()
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
