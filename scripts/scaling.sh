#!/usr/bin/env bash
# Calibrates the scaling model of docs/scaling.md on this machine and draws
# it: one run of each of
#   direct    covar fields --ic cube --n N_DIRECT --nd 4 --threads 1
#             (one core's pair rate, potential + gradient),
#   fast      covar fields --backend fast --ic cube --n N_FAST --nd 4
#             --tol TOL --threads THREADS (core-seconds per particle, the
#             share of tree build and upward pass, multipole bytes per cell),
#   ranks     mpirun -np 2 covar fields --ic cube --n N_RANKS --nd 4
#             --threads 1 (bytes to and from rank 0 per evaluation),
#   fast over ranks  the fast run as 2 ranks of THREADS / 2 threads (the
#             overhead of repeating the tree and upward pass on each rank),
# then scripts/scaling.py: the calibration (calibration.json), the model's
# table (table.md) and its curves (scaling.png), for 16 to 256 nodes of 64
# cores on 200 Gb/s InfiniBand (scaling.py's options change them).
#
# Needs Open MPI (apt-get install libopenmpi-dev openmpi-bin libclang-dev)
# and python3 with matplotlib.
#
# Usage: scripts/scaling.sh [--quick] [--out DIR]
#   --quick   N_DIRECT 20000, N_FAST 2e5, N_RANKS 20000 (under a minute)
#             instead of 1e5, 1e6, 1e5
# Results: target/scaling/ by default.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/target/scaling"
N_DIRECT=100000
N_FAST=1000000
N_RANKS=100000
TOL=1e-5
THREADS=2
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) N_DIRECT=20000 N_FAST=200000 N_RANKS=20000; shift ;;
        --out) OUT="$2"; shift 2 ;;
        *) echo "unknown option $1 (see the header of $0)" >&2; exit 2 ;;
    esac
done
mkdir -p "$OUT"

cargo build --release --locked --features mpi --manifest-path "$ROOT/Cargo.toml"
covar="$ROOT/target/release/covar"
model="$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
isa=$(grep -o -w 'avx512f\|avx2\|asimd' /proc/cpuinfo | sort -u | tr '\n' ' ')
echo "$model (${isa% }), $(nproc) cores" >"$OUT/cpu.txt"
echo "CPU: $(cat "$OUT/cpu.txt")"

echo "direct, one thread, N $N_DIRECT"
"$covar" fields --ic cube --n "$N_DIRECT" --nd 4 --threads 1 --json >"$OUT/direct.json"
echo "fast, $THREADS threads, N $N_FAST, tolerance $TOL"
"$covar" fields --backend fast --ic cube --n "$N_FAST" --nd 4 --tol "$TOL" \
    --threads "$THREADS" --json >"$OUT/fast.json"
echo "direct over 2 ranks of 1 thread, N $N_RANKS"
OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
    mpirun --oversubscribe --bind-to none -np 2 \
    "$covar" fields --ic cube --n "$N_RANKS" --nd 4 --threads 1 --json >"$OUT/ranks.json"
echo "fast over 2 ranks of $((THREADS / 2)) thread(s), N $N_FAST"
OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
    mpirun --oversubscribe --bind-to none -np 2 \
    "$covar" fields --backend fast --ic cube --n "$N_FAST" --nd 4 --tol "$TOL" \
    --threads $((THREADS / 2)) --json >"$OUT/fast-ranks.json"

python3 "$ROOT/scripts/scaling.py" calibrate "$OUT" "$OUT/calibration.json" >/dev/null
python3 "$ROOT/scripts/scaling.py" model "$OUT/calibration.json" "$OUT/scaling.png" | tee "$OUT/table.md"
