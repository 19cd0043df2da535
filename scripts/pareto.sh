#!/usr/bin/env bash
# Time against achieved accuracy (the Pareto front FMMs are compared by):
# covar fast, fmm3dpy (native OpenMP build and PyPI wheel) and pytreegrav on
# the same points, in one run, and a PNG of it.
#
# Problem: N points uniform in [0, 1)^3, masses 1/N (gravity: the one
# problem all three codes solve), potential + gradient (pytreegrav:
# accelerations only), THREADS threads (the wheel is serial). Every code reads
# the same points (covar through `covar fields --from`). Each point is one
# setting: covar's --tol, fmm3dpy's eps, pytreegrav's theta. Times are wall
# seconds of one evaluation, the median of 3 after a warm-up (one call after
# the warm-up when a call takes more than 30 s); errors are relative L2
# errors of the accelerations at CHECK random particles against exact f64
# direct sums (covar: its own `--check`; the peers: numpy).
#
# Usage: scripts/pareto.sh [--n "1e5 1e6"] [--threads 2] [--check 200]
#                          [--no-wheel] [--quick]
#   --quick   three settings per code and N = 1e5 only (a few minutes)
# Environment: PEERS_DIR, PEERS_VENV as for compare-fast.sh.
# Results: target/pareto/ (JSON, the table in table.txt, pareto.png).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PEERS="${PEERS_DIR:-$ROOT/../shared/tools/peers}"
export PEERS_VENV="${PEERS_VENV:-$HOME/.cache/covar-peers-venv}"
NS="1e5 1e6"
THREADS=2
CHECK=200
WHEEL=1
COVAR_TOLS="1e-2 1e-3 1e-4 1e-5 1e-6 1e-7 1e-8 1e-9 1e-10"
FMM_EPS="1e-2,1e-3,1e-4,1e-6,1e-8,1e-10"
THETAS="1.0,0.85,0.7,0.55,0.4,0.3"
die() { echo "pareto.sh: $*" >&2; exit 1; }
note() { echo "pareto.sh: $*" >&2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --n) NS="${2:?--n needs a value}"; shift 2 ;;
    --threads) THREADS="${2:?--threads needs a value}"; shift 2 ;;
    --check) CHECK="${2:?--check needs a value}"; shift 2 ;;
    --no-wheel) WHEEL=0; shift ;;
    --quick) NS=1e5; COVAR_TOLS="1e-3 1e-6 1e-9"; FMM_EPS="1e-3,1e-6,1e-9"; THETAS="1.0,0.7,0.4"; shift ;;
    -h|--help) sed -n '2,/^set /{/^#/p}' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
VPY="$PEERS_VENV/bin/python"
[ -d "$PEERS" ] || die "peers folder not found at $PEERS (set PEERS_DIR)"
export PEERS_DIR="$(cd "$PEERS" && pwd)"
if ! "$VPY" -c 'import numpy, fmm3dpy, pytreegrav' 2>/dev/null; then
  note "setting up the peers (bash $PEERS_DIR/setup.sh; minutes)"
  bash "$PEERS_DIR/setup.sh" >&2 || die "the peers could not be installed"
fi
"$VPY" -c 'import matplotlib' 2>/dev/null || "$VPY" -m pip install -q matplotlib >&2 \
  || die "matplotlib could not be installed into $PEERS_VENV"
NATIVE=1
[ -d "$PEERS_VENV/opt/fmm3dpy-native/fmm3dpy" ] \
  || { note "no native fmm3dpy build (setup.sh needs gfortran): skipping it"; NATIVE=0; }

OUT="$ROOT/target/pareto"
rm -rf "$OUT"
mkdir -p "$OUT"
note "building covar (cargo build --release)"
(cd "$ROOT" && cargo build --release --quiet -p covar) || die "cargo build failed"
COVAR="$ROOT/target/release/covar"
PY="$ROOT/scripts/pareto.py"

for n in $NS; do
  N=$(python3 -c 'import sys; print(int(float(sys.argv[1])))' "$n")
  pts="$OUT/points_$N.npy"
  "$VPY" "$PY" points "$N" 1 "$pts"
  last=0
  for tol in $COVAR_TOLS; do
    # Like the peers: median of 3 after a warm-up, one call when calls are long.
    reps=3
    python3 -c 'import sys; sys.exit(float(sys.argv[1]) <= 30)' "$last" || reps=1
    note "covar fast, N = $N, tol $tol"
    "$COVAR" fields --from "$pts" --backend fast --nd 1 --tol "$tol" --threads "$THREADS" \
      --check "$CHECK" --warmup 1 --reps "$reps" --json >"$OUT/covar_${N}_$tol.json"
    last=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["seconds"])' "$OUT/covar_${N}_$tol.json")
  done
  note "pytreegrav, N = $N (numba compiles first)"
  NUMBA_NUM_THREADS=$THREADS "$VPY" "$PY" peer pytreegrav "$pts" --params "$THETAS" --check "$CHECK" \
    --out "$OUT/pytreegrav_$N.jsonl"
  if [ "$NATIVE" = 1 ]; then
    note "fmm3dpy native (OpenMP), N = $N"
    PEERS_NATIVE=1 OMP_NUM_THREADS=$THREADS "$VPY" "$PY" peer fmm3d "$pts" --params "$FMM_EPS" \
      --check "$CHECK" --out "$OUT/fmm3d-native_$N.jsonl"
  fi
  if [ "$WHEEL" = 1 ]; then
    note "fmm3dpy wheel (serial), N = $N"
    OMP_NUM_THREADS=1 "$VPY" "$PY" peer fmm3d "$pts" --params "$FMM_EPS" --check "$CHECK" \
      --out "$OUT/fmm3d-wheel_$N.jsonl"
  fi
  rm -f "$pts"
done
# The machine, for the figure's title: CPU model, covar's instruction set, date.
cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)
isa=$(python3 -c 'import glob, json, sys; print(json.load(open(sorted(glob.glob(sys.argv[1] + "/covar_*.json"))[0]))["isa"])' "$OUT")
echo "${cpu:-unknown CPU}, covar on $isa, $(nproc) cores, $(date -u +%Y-%m-%d)" >"$OUT/machine.txt"
"$VPY" "$PY" plot "$OUT" "$OUT/pareto.png" | tee "$OUT/table.txt"
