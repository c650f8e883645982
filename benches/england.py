#!/usr/bin/env python3
"""Generates an England-sized batch: 152 local-authority models totalling 400,000 cases.

Usage: benches/england.py CASELOAD_BINARY OUT_DIR [extra caseload generate options...]

Sizes follow a skewed spread like England's 152 authorities (a few hundred cases in the smallest,
over ten thousand in the largest), scaled so the total is exactly 400,000. Each authority has about
one post per 17 cases and one team per 15 posts. Deterministic: the same arguments give the same files.
"""
import math
import os
import subprocess
import sys

TOTAL = 400_000
N = 152


def sizes():
    # A fixed log-spread of relative sizes (no random module: reproducible forever).
    rel = [math.exp(2.6 * ((i * 0.6180339887498949) % 1.0)) for i in range(N)]
    s = sum(rel)
    exact = [r / s * TOTAL for r in rel]
    out = [int(x) for x in exact]
    rest = TOTAL - sum(out)
    for i in sorted(range(N), key=lambda i: -(exact[i] - out[i]))[:rest]:
        out[i] += 1
    return out


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    binary, out_dir, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
    os.makedirs(out_dir, exist_ok=True)
    for i, cases in enumerate(sizes()):
        workers = max(3, round(cases / 17))
        teams = max(1, round(workers / 15))
        path = os.path.join(out_dir, f"la{i + 1:03}.json")
        subprocess.run([binary, "generate", "--cases", str(cases), "--workers", str(workers),
                        "--teams", str(teams), "--seed", str(i + 1), "-o", path] + extra, check=True)
    print(f"{N} models, {TOTAL} cases, sizes {min(sizes())}..{max(sizes())}, in {out_dir}")


if __name__ == "__main__":
    main()
