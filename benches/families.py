#!/usr/bin/env python3
"""Writes the model families of issue 23 that `caseload generate` cannot make by itself: it
generates a model with `caseload generate`, then rewrites case weights and posts' FTE.

    benches/families.py decimals SEED OUT.json   # 140 cases, 10 posts, 25% siblings; each weight a
                                                 # points score (type-based) over 5.3 hours, to 7 decimals
    benches/families.py points SEED OUT.json     # 2,000 cases, 125 posts, 8 teams, 25% siblings; weights
                                                 # on a points scheme in 0.05 steps (0.35 to 2.35),
                                                 # 25% of posts part-time (FTE 0.5, 0.6 or 0.8)
    benches/families.py fte SEED OUT.json        # 900 cases, 56 posts, 4 teams, type weights, 25%
                                                 # siblings, 30% of posts part-time: caps such as 0.6 x 18

The same seed gives the same bytes. `--binary PATH` names the caseload binary (default: the
release build of this checkout).
"""
import argparse
import json
import os
import random
import subprocess

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Points by type (a made-up scheme of the usual shape): statutory work scores higher.
POINTS = {"child_protection": (8, 14), "looked_after": (5, 10), "child_in_need": (2, 6), "care_leaver": (2, 5)}
FAMILIES = {
    # (cases, posts, teams, generate flags)
    "decimals": (140, 10, 1, ["--weights", "--groups", "0.25"]),
    "points": (2000, 125, 8, ["--weights", "--groups", "0.25"]),
    "fte": (900, 56, 4, ["--weights", "--groups", "0.25"]),
}


def write(binary, family, seed, out, cases=None, posts=None, teams=None, cross_team=False):
    """Writes one model of `family` to `out`; sizes default to the family's own, and
    `cross_team` sets the policy's `cross_team` (through `caseload generate --cross-team`)."""
    n, p, t, flags = FAMILIES[family]
    n, p, t = cases or n, posts or p, teams or t
    subprocess.run([binary, "generate", "--cases", str(n), "--workers", str(p), "--teams", str(t),
                    "--seed", str(seed), "-o", out] + flags + (["--cross-team"] if cross_team else []),
                   check=True)
    with open(out) as f:
        m = json.load(f)
    rng = random.Random(seed * 7919 + len(family))
    if family == "decimals":
        for c in m["cases"]:
            lo, hi = POINTS[c["type"]]
            c["weight"] = round(rng.randint(lo, hi) / 5.3, 7)
    if family == "points":
        for c in m["cases"]:
            c["weight"] = round(0.35 + 0.05 * rng.randint(0, 40), 2)
    if family in ("points", "fte"):
        share = 0.25 if family == "points" else 0.3
        for w in m["workers"]:
            if w.get("status", "active") == "active" and rng.random() < share:
                w["fte"] = rng.choice([0.5, 0.6, 0.8])
    with open(out, "w") as f:
        json.dump(m, f, indent=1)
        f.write("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("family", choices=sorted(FAMILIES))
    ap.add_argument("seed", type=int)
    ap.add_argument("out")
    ap.add_argument("--binary", default=os.path.join(REPO, "target", "release", "caseload"))
    a = ap.parse_args()
    write(a.binary, a.family, a.seed, a.out)


if __name__ == "__main__":
    main()
