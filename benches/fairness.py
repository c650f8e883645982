#!/usr/bin/env python3
"""What fairness_penalty does to a model: one default `caseload allocate` per setting, and per
team the highest load percentage and the spread (README "Fair workloads").

    python3 benches/fairness.py [MODEL ...] [--pen 0,2,5,10,20]
"""
import collections, json, os, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "caseload")


def run(model, pen, tmp):
    m = json.loads(json.dumps(model))
    m.setdefault("policy", {})["fairness_penalty"] = pen
    src, out = os.path.join(tmp, "m.json"), os.path.join(tmp, "p.json")
    json.dump(m, open(src, "w"))
    subprocess.run([BIN, "allocate", src, "-o", out], check=True, capture_output=True)
    p = json.load(open(out))
    team = {w["id"]: w["team"] for w in model["workers"]}
    per = collections.defaultdict(list)
    for w in p["workers"]:
        if w["status"] == "active" and w["target"] > 0:
            per[team[w["worker"]]].append(100 * w["load"] / w["target"])
    by_reason = p["summary"]["unallocated_by_reason"]
    return p, {t: (max(v), max(v) - min(v)) for t, v in per.items()}, by_reason


def main():
    args = sys.argv[1:]
    pens = [0, 2, 5, 10, 20]
    if "--pen" in args:
        i = args.index("--pen")
        pens = [float(x) for x in args[i + 1].split(",")]
        del args[i : i + 2]
    models = args or [os.path.join(ROOT, "models", f) for f in ("birmingham_2010.json", "birmingham_2014.json")]
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    print("| model | `fairness_penalty` | optimal | unallocated | fairness_cost | moved | teams whose highest load % fell | mean over teams of the highest load % | worst load % | mean spread within a team |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for path in models:
            model = json.load(open(path))
            base = None
            for pen in pens:
                p, teams, by_reason = run(model, pen, tmp)
                base = base or teams
                fell = sum(teams[t][0] < base[t][0] - 1e-9 for t in teams)
                rose = sum(teams[t][0] > base[t][0] + 1e-9 for t in teams)
                n = len(teams)
                change = "-" if pen == pens[0] else f"{fell} of {n}" + (f" ({rose} rose)" if rose else "")
                print(f"| {os.path.basename(path)[:-5]} | {pen:g} | {p['optimal']} | {p['summary']['cases']['unallocated']} "
                      f"| {by_reason.get('fairness_cost', 0)} | {p['summary']['moves']['moved']} | {change} "
                      f"| {sum(v[0] for v in teams.values()) / n:.1f} | {max(v[0] for v in teams.values()):.1f} "
                      f"| {sum(v[1] for v in teams.values()) / n:.1f} |")


if __name__ == "__main__":
    main()
