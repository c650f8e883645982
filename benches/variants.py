#!/usr/bin/env python3
"""Model families beside those of `side_by_side.py`, run once each with caseload's DEFAULT flags:
wall time, peak memory, exit status, objective and bound. What it shows is that the one effort
budget bounds time and memory on shapes the side-by-side table does not hold (points schemes and
decimal weights across teams, FTE caps across six teams, the fairness term, tight caps, many
siblings, many vacancies, no move penalty), not how close to HiGHS they come.

    benches/variants.py [--binary PATH] [--dir DIR]

Models are written to DIR (default: a temporary directory) once and reused. Time it on a quiet
machine.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in benches/
import families  # noqa: E402


def generate(binary, args, path):
    subprocess.run([binary, "generate", *args, "-o", path], check=True, stdout=subprocess.DEVNULL)


def with_policy(path, **changes):
    with open(path) as f:
        m = json.load(f)
    m["policy"].update(changes)
    with open(path, "w") as f:
        json.dump(m, f)


def district(cases, seed, *extra):
    """`caseload generate` flags of a cross-team district: a post per 16 cases, a team per 250."""
    return ["--cases", str(cases), "--workers", str(round(cases / 16)), "--teams", str(max(2, round(cases / 250))),
            "--seed", str(seed), "--weights", "--groups", "0.25", "--cross-team", *extra]


# name: (what it is, how to write it)
VARIANTS = {
    "points-cross": ("points scheme in 0.05 steps, part-time posts, 1,000 cases, 4 teams, cross-team",
                     lambda b, p: families.write(b, "points", 1, p, cases=1000, posts=62, teams=4, cross_team=True)),
    "decimals-cross-640": ("7-decimal weights, 640 cases, 40 posts, 4 teams, cross-team",
                           lambda b, p: families.write(b, "decimals", 3, p, cases=640, posts=40, teams=4,
                                                       cross_team=True)),
    "fte-cross-2000": ("FTE-scaled caps, 2,000 cases, 120 posts, 6 teams, cross-team",
                       lambda b, p: families.write(b, "fte", 3, p, cases=2000, posts=120, teams=6, cross_team=True)),
    "fairness-own": ("fairness penalty 3 (no lattice), own teams, 2,000 cases, 8 teams",
                     lambda b, p: (generate(b, ["--cases", "2000", "--workers", "125", "--teams", "8", "--seed", "5",
                                                "--weights", "--groups", "0.2"], p),
                                   with_policy(p, fairness_penalty=3))),
    "fairness-district": ("fairness penalty 3 (no lattice), 1,000-case district",
                          lambda b, p: (generate(b, district(1000, 5), p), with_policy(p, fairness_penalty=3))),
    "tight-district": ("caps 18, targets 15, 1,500-case district",
                       lambda b, p: generate(b, district(1500, 7, "--cap", "social_worker=18", "--target",
                                                         "social_worker=15"), p)),
    "siblings-district": ("60% of cases in sibling groups, 1,000-case district",
                          lambda b, p: generate(b, ["--cases", "1000", "--workers", "62", "--teams", "4", "--seed",
                                                    "8", "--weights", "--groups", "0.6", "--cross-team"], p)),
    "vacant-district": ("40% of posts vacant, 1,000-case district",
                        lambda b, p: generate(b, district(1000, 9, "--vacant-share", "0.4"), p)),
    "no-move-penalty": ("move penalty 0, 1,000-case district",
                        lambda b, p: (generate(b, district(1000, 10), p), with_policy(p, move_penalty=0))),
    "district-3000": ("3,000-case district, 188 posts, 12 teams",
                      lambda b, p: generate(b, district(3000, 3), p)),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(
        os.path.dirname(HERE), "target")), "release", "caseload"))
    ap.add_argument("--dir", default=None)
    a = ap.parse_args()
    d = a.dir or tempfile.mkdtemp(prefix="caseload-variants-")
    os.makedirs(d, exist_ok=True)
    print("| model | what | wall | peak | exit | objective | bound |")
    print("|---|---|---|---|---|---|---|")
    for name, (what, write) in VARIANTS.items():
        path = os.path.join(d, name + ".json")
        if not os.path.exists(path):
            write(a.binary, path)
        out = os.path.join(d, name + ".proposal.json")
        if os.path.exists(out):
            os.remove(out)  # a failed run must not show an earlier run's figures
        t0 = time.perf_counter()
        r = subprocess.run(["/usr/bin/time", "-f", "%M", a.binary, "allocate", path, "-o", out],
                           capture_output=True, text=True)
        wall = time.perf_counter() - t0
        peak_mb = int(r.stderr.strip().splitlines()[-1]) // 1024
        try:
            with open(out) as f:
                p = json.load(f)
            obj, bound = f"{p['objective']:,.2f}", f"{p['bound']:,.2f}"
        except (OSError, ValueError, KeyError):
            obj = bound = "-"
        print(f"| {name} | {what} | {wall:.1f} s | {peak_mb} MB | {r.returncode} | {obj} | {bound} |", flush=True)


if __name__ == "__main__":
    main()
