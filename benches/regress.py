#!/usr/bin/env python3
"""A fixed set of weighted and cross-team models, and two builds compared on it: what a change to
the solver does to proposals, bounds, proofs, time and memory, with the default flags.

    python3 benches/regress.py models DIR [BINARY]         # writes the 37 models (under a second)
    python3 benches/regress.py run BINARY DIR OUT.jsonl    # one line per model (about 4 min)
    python3 benches/regress.py diff A.jsonl B.jsonl        # what changed from A to B

The models are the side-by-side families (benches/side_by_side.py, through `caseload generate`
and benches/families.py; the same seed gives the same model): cross-team districts of 1,500,
2,000 and 3,000 cases, `fte-cross` and `fte`, points schemes of 1,000 and 2,000 cases,
`decimals` and `decimals-cross`, and two own-team models. `run` runs `BINARY allocate MODEL
-o P` on each in turn with the default flags (no --time-limit, no --node-limit), and records
the exit status, wall time, peak RSS (GNU time), objective, bound, proof and nodes; it
appends, so give a new OUT (or delete it). Time it on a quiet machine: on this project's shared
machine, inside `flock /tmp/cargo.lock`. Objectives, bounds and proofs are exact and the same
on every run; times are single runs.

`diff` prints each model's times and peaks side by side and flags every objective, bound or
proof that changed, then the totals. Exit status 0 either way (it is a measurement).
"""
import json
import os
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import side_by_side  # noqa: E402

# (name, side-by-side family, cases, seeds)
SET = [
    ("dist2k", "district", 2000, [1, 2]),
    ("d1500", "district", 1500, [21, 22, 23, 24, 25, 26, 27, 28]),
    ("d3000", "district", 3000, [21, 22, 23]),
    ("ftex", "fte-cross", 900, [1, 2, 3, 4, 5, 6]),
    ("fte", "fte", 900, [1, 2, 3]),
    ("points", "points", 2000, [1, 2]),
    ("points-1000", "points", 1000, [1, 2, 3]),
    ("dcx", "decimals-cross", 320, [1, 2, 3, 4, 5]),
    ("dec", "decimals", 140, [1, 2, 3]),
    ("own2k", "own", 2000, [1, 2]),
]


def models(out, binary):
    os.makedirs(out, exist_ok=True)
    for name, family, cases, seeds in SET:
        for seed in seeds:
            path = os.path.join(out, "%s-%d.json" % (name, seed))
            if not os.path.exists(path):
                side_by_side.FAMILIES[family][2](cases, seed, path, binary)


def run(binary, folder, out):
    files = sorted(f for f in os.listdir(folder) if f.endswith(".json"))
    with tempfile.TemporaryDirectory() as tmp:
        proposal = os.path.join(tmp, "p.json")
        for f in files:
            started = time.time()
            r = subprocess.run(["/usr/bin/time", "-f", "%M", binary, "allocate", os.path.join(folder, f),
                                "-o", proposal, "-q"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
            wall = time.time() - started
            peak_kb = int(r.stderr.strip().split("\n")[-1])
            rec = {"model": f[:-5], "rc": r.returncode, "t": round(wall, 2), "mb": peak_kb // 1024}
            if r.returncode in (0, 3):
                with open(proposal) as p:
                    p = json.load(p)
                rec.update(obj=p["objective"], bound=p["bound"], opt=p["optimal"],
                           nodes=p["summary"]["provenance"].get("nodes"))
                os.remove(proposal)
            with open(out, "a") as o:
                o.write(json.dumps(rec) + "\n")
            print(json.dumps(rec), flush=True)


def diff(a_path, b_path):
    def load(p):
        with open(p) as f:
            return {r["model"]: r for r in map(json.loads, f)}
    a, b = load(a_path), load(b_path)
    ta = tb = 0.0
    pa = pb = 0
    for m in sorted(a):
        if m not in b:
            continue
        x, y = a[m], b[m]
        ta, tb = ta + x["t"], tb + y["t"]
        pa, pb = pa + bool(x.get("opt")), pb + bool(y.get("opt"))
        flags = []
        if x["rc"] != y["rc"]:
            flags.append("EXIT %s->%s" % (x["rc"], y["rc"]))
        for key, label in (("obj", "OBJ"), ("bound", "BOUND")):
            if key in x and key in y and abs(x[key] - y[key]) > 1e-6:
                flags.append("%s %+.2f" % (label, y[key] - x[key]))
        if x.get("opt") != y.get("opt"):
            flags.append("PROOF %s->%s" % (x.get("opt"), y.get("opt")))
        print("%-18s %8.2f s %8.2f s %5d MB %5d MB  %s" % (m, x["t"], y["t"], x["mb"], y["mb"], " ".join(flags)))
    print("total %.1f s -> %.1f s; proven %d -> %d" % (ta, tb, pa, pb))


def main():
    usage = __doc__.split("\n\n")[1]
    args = sys.argv[1:]
    if args[:1] == ["models"] and len(args) in (2, 3):
        binary = args[2] if len(args) == 3 else os.path.join(os.path.dirname(HERE), "target", "release", "caseload")
        models(args[1], binary)
    elif args[:1] == ["run"] and len(args) == 4:
        run(args[1], args[2], args[3])
    elif args[:1] == ["diff"] and len(args) == 3:
        diff(args[1], args[2])
    else:
        sys.exit("usage:\n" + usage)


if __name__ == "__main__":
    main()
