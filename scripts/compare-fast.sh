#!/usr/bin/env bash
# Compares covar's fast backend with its peers, side by side in one run:
#
#   1. Fields: uniform cube, nd = 4 channels, potential + gradient at every
#      particle (targets = sources), tolerance / eps TOL, THREADS threads:
#      covar fast, fmm3dpy's lfmm3d from its PyPI wheel (serial), and
#      fmm3dpy built from source with OpenMP and -march=native (setup.sh
#      builds it where gfortran exists).
#   2. Gravity: N_GRAV positive equal masses, nd = 1, accelerations:
#      pytreegrav's Accel at theta = 0.7 against covar fast at the largest
#      tolerance (of 30, 10, 5, 3, 2, 1, 0.1 and 0.01 times pytreegrav's error, at
#      most 0.5) whose RMS force error is at most pytreegrav's.
#
# Times are wall seconds of one evaluation; errors are relative L2 over 200
# random particles against exact f64 direct sums (each code's own check:
# `covar fields --check`, and the peers' numpy direct sum). The inputs are
# the same distribution and N, not the same points: covar's cube is
# [-1/2, 1/2)^3 with charges +-1 (exactly neutral) and channels q, q u with
# u uniform in [-1, 1)^3; the peers' is [0, 1)^3 with q ~ U(-1, 1) and
# u ~ N(0, 1) (peers_common.py). For gravity both use masses 1/N.
#
# covar's field runs are timed on their first evaluation in the process (no
# warm-up), its gravity runs (seconds each) as the median of 3 after a
# warm-up, like the peers' short calls; a
# peer call that takes less than PEER_SINGLE seconds is timed as the median
# of 3 calls after a warm-up, a longer one once (fmm3d_bench.py and
# treegrav_bench.py --max-seconds). pytreegrav's numba compile (~20 s) is
# not timed.
#
# Usage: scripts/compare-fast.sh [--n "1e5 1e6"] [--tol 1e-6] [--threads 2]
#                                [--check 200] [--gravity-n 1e6] [--gravity-theta T]
#                                [--no-wheel] [--no-native] [--no-gravity]
#                                [--peer-single S] [--peer-timeout S]
#   --n             particle counts of the field comparison (default "1e5 1e6")
#   --tol           covar's --tol and fmm3dpy's eps (default 1e-6)
#   --covar-tol     covar's --tol alone in the field comparison (default: --tol); the
#                   target compares codes at an achieved error, and covar's is far below its --tol
#   --threads       threads of every code (default 2)
#   --check         particles the errors are measured at (default 200)
#   --gravity-n     N of the gravity comparison (default 1e6)
#   --gravity-theta covar's --theta in the gravity comparison (default: covar's)
#   --no-wheel      skip fmm3dpy's PyPI wheel (about 165 s at N = 1e6)
#   --no-native     skip the native fmm3dpy build
#   --no-gravity    skip the pytreegrav comparison
#   --peer-single   peer calls longer than this many seconds are timed once (default 30)
#   --peer-timeout  stop a peer run after this many seconds (default 1800)
# Environment: PEERS_DIR (default ../shared/tools/peers beside the repository),
# PEERS_VENV (the peers' venv, default ~/.cache/covar-peers-venv), PEERS_BUILD
# (where setup.sh builds its C programs, default target/peers-build).
# Results (JSON lines) go to target/compare-fast/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PEERS="${PEERS_DIR:-$ROOT/../shared/tools/peers}"
export PEERS_VENV="${PEERS_VENV:-$HOME/.cache/covar-peers-venv}"
export PEERS_BUILD="${PEERS_BUILD:-$ROOT/target/peers-build}"
NS="1e5 1e6"
TOL=1e-6
THREADS=2
CHECK=200
NGRAV=1e6
GTHETA=""
CTOL=""
WHEEL=1
NATIVE=1
GRAVITY=1
PEER_SINGLE=30
PEER_TIMEOUT=1800

die() { echo "compare-fast.sh: $*" >&2; exit 1; }
note() { echo "compare-fast.sh: $*" >&2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --n) NS="${2:?--n needs a value}"; shift 2 ;;
    --tol) TOL="${2:?--tol needs a value}"; shift 2 ;;
    --covar-tol) CTOL="${2:?--covar-tol needs a value}"; shift 2 ;;
    --threads) THREADS="${2:?--threads needs a value}"; shift 2 ;;
    --check) CHECK="${2:?--check needs a value}"; shift 2 ;;
    --gravity-n) NGRAV="${2:?--gravity-n needs a value}"; shift 2 ;;
    --gravity-theta) GTHETA="${2:?--gravity-theta needs a value}"; shift 2 ;;
    --no-wheel) WHEEL=0; shift ;;
    --no-native) NATIVE=0; shift ;;
    --no-gravity) GRAVITY=0; shift ;;
    --peer-single) PEER_SINGLE="${2:?--peer-single needs a value}"; shift 2 ;;
    --peer-timeout) PEER_TIMEOUT="${2:?--peer-timeout needs a value}"; shift 2 ;;
    -h|--help) sed -n '2,/^set /{/^#/p}' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
command -v python3 >/dev/null || die "python3 is needed to read the JSON results"
# Whole numbers, also written as 1e5.
whole() { python3 -c 'import sys; v = float(sys.argv[1]); assert v >= 1 and v == int(v); print(int(v))' "$1" 2>/dev/null \
  || die "'$1' is not a whole number >= 1"; }
N_LIST=""
for n in $NS; do N_LIST="$N_LIST $(whole "$n")"; done
NGRAV=$(whole "$NGRAV")
THREADS=$(whole "$THREADS")
CHECK=$(whole "$CHECK")
python3 -c 'import sys; v = float(sys.argv[1]); assert 0 < v < 1' "$TOL" 2>/dev/null || die "--tol must be in (0, 1), got '$TOL'"
CTOL="${CTOL:-$TOL}"

OUT="$ROOT/target/compare-fast"
mkdir -p "$OUT"
# Results of earlier runs must not reach this run's tables.
rm -f "$OUT"/*.json "$OUT"/*.jsonl "$OUT"/*.rss
echo "building covar (cargo build --release)" >&2
(cd "$ROOT" && cargo build --release --quiet -p covar) || die "cargo build failed"
COVAR="$ROOT/target/release/covar"

# The peers: their venv, set up by setup.sh when it is missing.
VPY="$PEERS_VENV/bin/python"
peers_ok() { [ -x "$VPY" ] && "$VPY" -c 'import numpy, fmm3dpy, pytreegrav' 2>/dev/null; }
HAVE_PEERS=0
if [ ! -d "$PEERS" ]; then
  note "peers folder not found at $PEERS (set PEERS_DIR): reporting covar's numbers only"
else
  PEERS="$(cd "$PEERS" && pwd)"
  if ! peers_ok; then
    note "setting up the peers (bash $PEERS/setup.sh, log in $OUT/setup.log; minutes)"
    bash "$PEERS/setup.sh" >"$OUT/setup.log" 2>&1 || true
  fi
  if peers_ok; then
    HAVE_PEERS=1
  else
    note "the peers could not be installed (see $OUT/setup.log): reporting covar's numbers only"
  fi
fi
NATIVE_DIR="$PEERS_VENV/opt/fmm3dpy-native"
if [ "$HAVE_PEERS" = 1 ] && [ "$NATIVE" = 1 ] && [ ! -d "$NATIVE_DIR/fmm3dpy" ]; then
  note "no native fmm3dpy build at $NATIVE_DIR (setup.sh needs gfortran): skipping it"
  NATIVE=0
fi

# covar fields --json, with its peak memory where GNU time exists.
covar_fields() { # out.json args...
  local out="$1"; shift
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f '%M' -o "$out.rss" "$COVAR" fields "$@" --json >"$out" || die "covar fields $* failed"
  else
    "$COVAR" fields "$@" --json >"$out" || die "covar fields $* failed"
    echo "" >"$out.rss"
  fi
}

# One fmm3d_bench.py run; its JSON lines go to the file named first.
fmm3d() { # out.jsonl build n
  timeout "$PEER_TIMEOUT" "$VPY" "$PEERS/fmm3d_bench.py" --build "$2" --n "$3" --eps "$TOL" \
    --dist uniform --threads "$THREADS" --nd 4 --pg 2 --ntarg "$CHECK" \
    --max-seconds "$PEER_SINGLE" --long-seconds "$PEER_SINGLE" --out "$1" >&2 \
    || note "fmm3dpy ($2) at N = $3 failed or timed out"
}

# 1. Fields.
for n in $N_LIST; do
  note "covar fast, N = $n, nd = 4, tol = $CTOL"
  covar_fields "$OUT/covar_$n.json" --backend fast --ic cube --n "$n" --nd 4 --tol "$CTOL" \
    --threads "$THREADS" --check "$CHECK"
  if [ "$HAVE_PEERS" = 1 ] && [ "$WHEEL" = 1 ]; then
    note "fmm3dpy wheel, N = $n (serial; about 165 s at N = 1e6)"
    fmm3d "$OUT/wheel_$n.jsonl" wheel "$n"
  fi
  if [ "$HAVE_PEERS" = 1 ] && [ "$NATIVE" = 1 ]; then
    note "fmm3dpy native (OpenMP, -march=native), N = $n"
    fmm3d "$OUT/native_$n.jsonl" native "$n"
  fi
done

# 2. Gravity.
GRAV_TOLS=""
if [ "$GRAVITY" = 1 ]; then
  if [ "$HAVE_PEERS" = 1 ]; then
    note "pytreegrav Accel, N = $NGRAV, theta = 0.7 (numba compiles first, ~20 s)"
    timeout "$PEER_TIMEOUT" "$VPY" "$PEERS/treegrav_bench.py" --n "$NGRAV" --theta 0.7 \
      --dist uniform --threads "$THREADS" --ntarg "$CHECK" --max-seconds "$PEER_SINGLE" \
      --long-seconds "$PEER_SINGLE" --out "$OUT/treegrav.jsonl" >&2 \
      || note "pytreegrav failed or timed out"
  fi
  target=$(python3 - "$OUT/treegrav.jsonl" <<'EOF'
import json, sys
try:
    rows = [json.loads(l) for l in open(sys.argv[1])]
    print(next(r["relL2"] for r in rows if r.get("status") == "ok" and r.get("func") == "Accel"))
except Exception:
    print("")
EOF
)
  # covar's tolerance: from 30x pytreegrav's error down, until covar's RMS
  # force error is at most pytreegrav's (without pytreegrav: 1e-3 only).
  start=${target:-1e-3}
  scales="30 10 5 3 2 1 0.1 0.01"
  [ -z "$target" ] && scales=1
  theta_arg=()
  [ -n "$GTHETA" ] && theta_arg=(--theta "$GTHETA")
  for scale in $scales; do
    tol=$(python3 -c 'import sys; print(f"{min(0.5, float(sys.argv[1]) * float(sys.argv[2])):.3g}")' "$start" "$scale")
    note "covar fast gravity, N = $NGRAV, nd = 1, tol = $tol"
    covar_fields "$OUT/covar_grav_$tol.json" --backend fast --ic cube --charges mass --n "$NGRAV" \
      --nd 1 --tol "$tol" "${theta_arg[@]}" --threads "$THREADS" --check "$CHECK" --reps 3 --warmup 1
    GRAV_TOLS="$GRAV_TOLS $tol"
    [ -z "$target" ] && break
    ok=$(python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); print(int(r["rel_l2_grad"] <= float(sys.argv[2])))' \
      "$OUT/covar_grav_$tol.json" "$target")
    [ "$ok" = 1 ] && break
  done
fi

# The tables.
python3 - "$OUT" "$TOL" "$THREADS" "$CHECK" "$NGRAV" "$N_LIST" "$GRAV_TOLS" "$(nproc)" <<'EOF'
import json, os, sys
out, tol, threads, check, ngrav, ns, grav_tols, cores = sys.argv[1:9]
ns = [int(n) for n in ns.split()]

def jsonl(path):
    try:
        return [r for r in (json.loads(l) for l in open(path)) if r.get("status") == "ok"]
    except (OSError, ValueError):
        return []

def covar(path):
    try:
        r = json.load(open(path))
    except (OSError, ValueError):
        return None
    try:
        kib = int(open(path + ".rss").read().strip())
        r["rss_gib"] = kib / 2**20
    except (OSError, ValueError):
        r["rss_gib"] = None
    return r

def e(v):
    return f"{'-':>9}" if v is None else f"{v:>9.2e}"

print()
print(f"Fields: uniform cube, nd = 4, potential + gradient at all N particles, tol / eps = {tol}, "
      f"{threads} threads ({cores} cores); errors: relative L2 at {check} random particles")
print(f"{'N':>9} {'code':<28} {'time s':>9} {'err pot':>9} {'err grad':>9} {'max pot':>9} "
      f"{'max grad':>9} {'peak GiB':>8} {'time/covar':>10}")
ratios = []
for n in ns:
    c = covar(os.path.join(out, f"covar_{n}.json"))
    if c is None:
        continue
    t0 = c["seconds"]
    order = c["fast"]["order"]
    rss = "-" if c["rss_gib"] is None else f"{c['rss_gib']:.2f}"
    ctol = c["fast"]["tolerance"]
    print(f"{n:>9} {f'covar fast (tol {ctol:g}, p {order})':<28} {t0:>9.3f} {e(c['rel_l2_pot'])} "
          f"{e(c['rel_l2_grad'])} {e(c['max_rel_pot'])} {e(c['max_rel_grad'])} {rss:>8} {1:>10.2f}")
    for build, label in (("wheel", "fmm3dpy wheel (serial)"), ("native", "fmm3dpy native (OpenMP)")):
        rows = jsonl(os.path.join(out, f"{build}_{n}.jsonl"))
        if not rows:
            continue
        r = rows[0]
        ratio = r["time_s"] / t0
        ratios.append((n, build, ratio))
        print(f"{n:>9} {label:<28} {r['time_s']:>9.3f} {e(r['relL2_pot'])} {e(r['relL2_grad'])} "
              f"{'-':>9} {'-':>9} {'-':>8} {ratio:>10.2f}")
for n, build, ratio in ratios:
    print(f"  N = {n}: fmm3dpy {build} / covar fast = {ratio:.2f}")

grav = jsonl(os.path.join(out, "treegrav.jsonl"))
accel = next((r for r in grav if r.get("func") == "Accel"), None)
runs = [(t, covar(os.path.join(out, f"covar_grav_{t}.json"))) for t in grav_tols.split()]
runs = [(t, r) for t, r in runs if r is not None]
if accel or runs:
    print()
    print(f"Gravity: uniform cube, N = {ngrav}, masses 1/N, nd = 1, {threads} threads; "
          f"error: RMS (relative L2) of the accelerations at {check} random particles")
    print(f"{'code':<44} {'time s':>9} {'err force':>9} {'time/pytreegrav':>15}")
    ta = accel["time_s"] if accel else None
    if accel:
        print(f"{'pytreegrav Accel, theta = 0.7 (accel only)':<44} {ta:>9.3f} {e(accel['relL2'])} {1:>15.2f}")
    for t, r in runs:
        label = f"covar fast, tol {t} (order {r['fast']['order']}, pot + grad)"
        rel = "-" if ta is None else f"{r['seconds'] / ta:.2f}"
        print(f"{label:<44} {r['seconds']:>9.3f} {e(r['rel_l2_grad'])} {rel:>15}")
    if accel and runs:
        t, r = runs[-1]
        verdict = "<=" if r["rel_l2_grad"] <= accel["relL2"] else ">"
        print(f"  covar (tol {t}) force error {r['rel_l2_grad']:.2e} {verdict} pytreegrav's "
              f"{accel['relL2']:.2e}; pytreegrav / covar time = {ta / r['seconds']:.2f}")
print()
print("Inputs: same distribution and N, not the same points (covar: [-1/2, 1/2)^3, charges +-1, "
      "u ~ U[-1, 1); peers: [0, 1)^3, q ~ U(-1, 1), u ~ N(0, 1)).")
print(f"Raw results: {out}")
EOF
