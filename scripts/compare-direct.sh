#!/usr/bin/env bash
# Compares covar's direct backend with the plain C direct-sum reference
# (../shared/tools/peers/direct.c), side by side in one run, and naive with
# direct. Both compute, at every particle, potential and gradient of nd
# channels over all others (targets = sources), in f64; throughput is pair
# interactions per second, N (N - 1) per evaluation.
#
# Usage: scripts/compare-direct.sh [--n N] [--nd "1 4"] [--threads "1 2"]
#                                  [--reps R] [--rounds K] [--no-naive]
#                                  [--march ARCH --isa ISA]
#   --n        particles (default 16384)
#   --nd       channel counts to compare (default "1 4")
#   --threads  thread counts to compare (default "1 2")
#   --reps     timed evaluations per run, median reported (default 5; one
#              untimed warm-up precedes them in both programs)
#   --rounds   runs of each program per row, interleaved C, covar, C, covar,
#              ...; the best run of each counts (default 2)
#   --no-naive skip the naive line (naive takes seconds at N = 16384)
#   --march    gcc's -march for the C reference (default native); with
#   --isa      covar's instruction set (default the best this CPU has), the
#              two compare one instruction set on a CPU that has more, e.g.
#              --march x86-64-v3 --isa avx2 on an AVX-512 machine
# Environment: PEERS_DIR overrides the folder holding direct.c.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PEERS="${PEERS_DIR:-$ROOT/../shared/tools/peers}"
N=16384
NDS="1 4"
THREADS="1 2"
REPS=5
ROUNDS=2
NAIVE=1
MARCH=native
ISA=""

die() { echo "compare-direct.sh: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
  case "$1" in
    --n) N="${2:?--n needs a value}"; shift 2 ;;
    --nd) NDS="${2:?--nd needs a value}"; shift 2 ;;
    --threads) THREADS="${2:?--threads needs a value}"; shift 2 ;;
    --reps) REPS="${2:?--reps needs a value}"; shift 2 ;;
    --rounds) ROUNDS="${2:?--rounds needs a value}"; shift 2 ;;
    --no-naive) NAIVE=0; shift ;;
    --march) MARCH="${2:?--march needs a value}"; shift 2 ;;
    --isa) ISA="${2:?--isa needs a value}"; shift 2 ;;
    -h|--help) sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
for v in "$N" "$REPS" "$ROUNDS" $NDS $THREADS; do
  [[ "$v" =~ ^[1-9][0-9]*$ ]] || die "'$v' is not a positive whole number"
done
[ "$N" -ge 2 ] || die "--n must be at least 2 (the C reference needs a pair)"
for nd in $NDS; do
  [ "$nd" = 1 ] || [ "$nd" = 4 ] || die "--nd values must be 1 or 4, got $nd"
done

[ -d "$PEERS" ] && PEERS="$(cd "$PEERS" && pwd)"
SRC="$PEERS/direct.c"
[ -f "$SRC" ] || die "C reference not found at $SRC
  (it lives in ../shared/tools/peers/ beside the repository; set PEERS_DIR to its folder)"
command -v gcc >/dev/null || die "gcc is needed to build the C reference"
command -v python3 >/dev/null || die "python3 is needed to read covar's JSON"

# Build both programs.
BUILD="$ROOT/target/compare-direct"
[[ "$MARCH" =~ ^[a-z0-9_.-]+$ ]] || die "'$MARCH' is not a -march value"
C_BIN="$BUILD/direct_fast_$MARCH"
mkdir -p "$BUILD"
if [ ! -x "$C_BIN" ] || [ "$SRC" -nt "$C_BIN" ]; then
  echo "building the C reference: gcc -O3 -march=$MARCH -fopenmp -fno-math-errno" >&2
  gcc -O3 -march="$MARCH" -fopenmp -fno-math-errno -o "$C_BIN" "$SRC" -lm \
    || die "gcc failed to build $SRC"
fi
echo "building covar (cargo build --release)" >&2
(cd "$ROOT" && cargo build --release --quiet -p covar) || die "cargo build failed"
COVAR="$ROOT/target/release/covar"

# One run of each program; each prints "RATE ISA".
c_run() { # nd threads
  local line
  line="$("$C_BIN" fast "$N" "$1" "$2" "$REPS")" || die "the C reference failed: $line"
  python3 -c '
import sys
kv = dict(f.split("=", 1) for f in sys.argv[1].split() if "=" in f)
print(kv["pairs_per_s"], kv["isa"])' "$line"
}
covar_run() { # backend nd threads reps warmup
  local json
  local isa=()
  if [ -n "$ISA" ] && [ "$1" = direct ]; then isa=(--isa "$ISA"); fi
  json="$("$COVAR" fields --ic cube --n "$N" --backend "$1" --nd "$2" --threads "$3" \
          --reps "$4" --warmup "$5" "${isa[@]}" --json)" || die "covar fields failed"
  python3 -c '
import json, sys
r = json.loads(sys.argv[1])
print(r["pairs_per_second"], r["isa"] or "-")' "$json"
}
best() { python3 -c 'import sys; print(max(float(v) for v in sys.argv[1:]))' "$@"; }
fmt() { python3 -c 'import sys; print(" ".join(f"{float(v):.3e}" for v in sys.argv[1:]))' "$@"; }

echo "direct sums at N = $N, targets = sources, potential + gradient, f64"
echo "machine: $(nproc) cores; best of $ROUNDS interleaved runs, each the median of $REPS evaluations"
printf '%8s %4s %8s %14s %14s %8s\n' N nd threads "C pairs/s" "covar pairs/s" covar/C
C_ISA="" COVAR_ISA=""
for nd in $NDS; do
  for t in $THREADS; do
    c_rates=() v_rates=()
    for _ in $(seq "$ROUNDS"); do
      out=$(c_run "$nd" "$t")
      read -r rate C_ISA <<<"$out"
      c_rates+=("$rate")
      out=$(covar_run direct "$nd" "$t" "$REPS" 1)
      read -r rate COVAR_ISA <<<"$out"
      v_rates+=("$rate")
    done
    c=$(best "${c_rates[@]}")
    v=$(best "${v_rates[@]}")
    ratio=$(python3 -c "print(f'{$v / $c:.2f}')")
    out=$(fmt "$c" "$v")
    read -r cf vf <<<"$out"
    printf '%8s %4s %8s %14s %14s %8s\n' "$N" "$nd" "$t" "$cf" "$vf" "$ratio"
  done
done
echo "C reference: $SRC ($C_ISA build, -march=$MARCH); covar: direct backend ($COVAR_ISA)"
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')"

if [ "$NAIVE" = 1 ]; then
  all=$(nproc)
  out=$(covar_run naive 4 1 1 0)
  read -r naive _ <<<"$out"
  out=$(covar_run direct 4 "$all" "$REPS" 1)
  read -r direct _ <<<"$out"
  out=$(fmt "$naive" "$direct")
  read -r nf df <<<"$out"
  ratio=$(python3 -c "print(f'{$direct / $naive:.1f}')")
  echo "naive (1 thread) vs direct ($all threads), N = $N, nd = 4: $nf vs $df pairs/s = ${ratio}x"
fi
