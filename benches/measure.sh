#!/bin/sh
# Measures the goals of issue 3 ("Speed and scale") with the release build. A few minutes on 2 cores.
# Usage: benches/measure.sh   (CARGO_TARGET_DIR is honoured; scratch files go to ${TMPDIR:-/tmp}/caseload-measure)
set -u
cd "$(dirname "$0")/.."
T=${CARGO_TARGET_DIR:-target}
cargo build --release -q || exit 1
B=$T/release/caseload
W=${TMPDIR:-/tmp}/caseload-measure
rm -rf "$W"; mkdir -p "$W"
timed() { # label, command...: wall time and peak memory of one run
    label=$1; shift
    /usr/bin/time -f "$label: %e s wall, %M KB peak, exit %x" "$@" >/dev/null 2>"$W/time.err"
    tail -1 "$W/time.err"
}
gap() { python3 -c "import json,sys; p=json.load(open(sys.argv[1])); print('   optimal', p['optimal'], 'objective', p['objective'], 'bound', p['bound'], 'gap %.4f%%' % (100*(p['bound']-p['objective'])/max(1,abs(p['bound']))))" "$1"; }

echo "== 1. Birmingham scale, unit weights, own team: caseload whole process vs HiGHS MIP solve (goal <= 1/10)"
for m in models/birmingham_2010.json models/birmingham_2014.json; do
    python3 benches/compare.py --binary "$B" --model "$m" --time-limit 300 2>&1 | grep -v '^Running HiGHS\|^Includes'
done

echo "== 2. 2,000 cases, weighted with sibling groups (goal: exact or gap < 0.1% within 10 s)"
for s in 1 2 3; do
    $B generate --cases 2000 --workers 125 --teams 8 --seed $s --weights --groups 0.2 -o "$W/w2000-$s.json"
    timed "seed $s, --time-limit 10 --node-limit 2000" $B allocate "$W/w2000-$s.json" -o "$W/w2000-$s.out.json" -q --time-limit 10 --node-limit 2000
    gap "$W/w2000-$s.out.json"
done

echo "== 3. 20,000 cases, cross-team, unit weights (goal < 5 s)"
$B generate --cases 20000 --workers 1250 --teams 83 --seed 1 --cross-team -o "$W/x20k.json"
timed "cross-team 20,000" $B allocate "$W/x20k.json" -o "$W/x20k.out.json" -q --time-limit 120
gap "$W/x20k.out.json"
$B generate --cases 20000 --workers 1250 --teams 83 --seed 1 -o "$W/o20k.json"
timed "own-team 20,000 (for comparison)" $B allocate "$W/o20k.json" -o "$W/o20k.out.json" -q

echo "== 4. England batch: 152 models, 400,000 cases (goal < 60 s, peak < 1 GiB)"
python3 benches/england.py "$B" "$W/england" >/dev/null
timed "England batch, 2 threads" $B allocate "$W/england" -o "$W/england-out" -q --time-limit 30

echo "== 5. Birmingham single model peak memory (goal < 200 MB)"
for m in models/birmingham_2010.json models/birmingham_2014.json; do
    timed "$m" $B allocate "$m" -o "$W/b.out.json" -q
done
