#!/usr/bin/env bash
# The crossover N of the fast backend against the direct one: for each N,
# one run times `covar fields` with the direct backend and with the fast one
# at each tolerance (same points, same process settings, back to back), and
# prints the time ratios and, per tolerance, the N where fast becomes faster
# (interpolated in log N between the measured sizes).
#
# Uniform cube, charges +-1 summing to zero, nd channels (default 1),
# potential + gradient at every particle, THREADS threads; each time is the
# median of REPS evaluations after one warm-up.
#
# Usage: scripts/crossover.sh [--n "1000 3000 10000 30000 100000"]
#                             [--tol "1e-3 1e-6 1e-9"] [--nd 1] [--threads 2] [--reps 3]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NS="1000 3000 10000 30000 100000"
TOLS="1e-3 1e-6 1e-9"
ND=1
THREADS=2
REPS=3
while [ $# -gt 0 ]; do
    case "$1" in
        --n) NS="$2"; shift 2 ;;
        --tol) TOLS="$2"; shift 2 ;;
        --nd) ND="$2"; shift 2 ;;
        --threads) THREADS="$2"; shift 2 ;;
        --reps) REPS="$2"; shift 2 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml" -p covar
COVAR="$ROOT/target/release/covar"
OUT="$ROOT/target/crossover"
mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"
: > "$RESULTS"

for n in $NS; do
    common=(fields --ic cube --charges neutral --n "$n" --nd "$ND" --threads "$THREADS"
            --reps "$REPS" --warmup 1 --json)
    "$COVAR" "${common[@]}" --backend direct >> "$RESULTS"
    for tol in $TOLS; do
        "$COVAR" "${common[@]}" --backend fast --tol "$tol" >> "$RESULTS"
    done
    echo "N = $n done" >&2
done

python3 - "$RESULTS" "$TOLS" <<'EOF'
import json, math, sys

rows = [json.loads(line) for line in open(sys.argv[1])]
tols = sys.argv[2].split()
direct = {r["n"]: r["seconds"] for r in rows if r["backend"] == "direct"}
fast = {(r["n"], r["fast"]["tolerance"]): r["seconds"] for r in rows if r["backend"] == "fast"}
ns = sorted(direct)
print("| N | direct (s) | " + " | ".join(f"fast {t} (s), direct/fast" for t in tols) + " |")
print("|---|---|" + "---|" * len(tols))
for n in ns:
    cells = []
    for t in tols:
        f = fast[(n, float(t))]
        cells.append(f"{f:.4g}, {direct[n] / f:.2f}")
    print(f"| {n} | {direct[n]:.4g} | " + " | ".join(cells) + " |")
print()
for t in tols:
    ratio = [(n, direct[n] / fast[(n, float(t))]) for n in ns]
    cross = None
    for (n0, r0), (n1, r1) in zip(ratio, ratio[1:]):
        if r0 < 1 <= r1:
            # log-linear interpolation of log(ratio) in log(N)
            a = math.log(r0) / (math.log(r0) - math.log(r1))
            cross = math.exp(math.log(n0) + a * (math.log(n1) - math.log(n0)))
            break
    if ratio and ratio[0][1] >= 1:
        print(f"tol {t}: fast is faster already at N = {ratio[0][0]}")
    elif cross is None:
        print(f"tol {t}: no crossover up to N = {ns[-1]}")
    else:
        print(f"tol {t}: crossover at N ~ {cross:.0f}")
EOF
