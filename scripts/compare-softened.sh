#!/usr/bin/env bash
# Softened gravity at scale, side by side in one run: covar's fast backend
# with spline softening against the same run unsoftened, against the direct
# backend (timed on --check particles and scaled), and against pytreegrav's
# Accel with the same kernel at its accuracy. The same points (a Plummer
# sphere, masses 1/N) for every code. What is measured and how:
# scripts/compare_softened.py.
#
# Usage: scripts/compare-softened.sh [--n "1e5 1e6"] [--softening 0.01]
#                                    [--tol 1e-6] [--check 200] [--threads 2]
#                                    [--no-pytreegrav]
# Environment: PEERS_DIR (default ../shared/tools/peers beside the
# repository: its setup.sh makes the Python venv with numpy and pytreegrav,
# its peers_common.py generates the Plummer sphere), PEERS_VENV (default
# ~/.cache/covar-peers-venv). Results (JSON lines, then a table) go to
# stdout and target/compare-softened/results.jsonl.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PEERS="${PEERS_DIR:-$ROOT/../shared/tools/peers}"
export PEERS_VENV="${PEERS_VENV:-$HOME/.cache/covar-peers-venv}"
die() { echo "compare-softened.sh: $*" >&2; exit 1; }
case "${1:-}" in
  -h|--help) sed -n '2,/^set /{/^#/p}' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
[ -d "$PEERS" ] || die "peers folder not found at $PEERS (set PEERS_DIR)"
PEERS="$(cd "$PEERS" && pwd)"
VPY="$PEERS_VENV/bin/python"
OUT="$ROOT/target/compare-softened"
mkdir -p "$OUT"
if ! { [ -x "$VPY" ] && "$VPY" -c 'import numpy, pytreegrav' 2>/dev/null; }; then
  echo "compare-softened.sh: setting up the peers (log in $OUT/setup.log; minutes)" >&2
  PEERS_FMM3D_NATIVE=0 bash "$PEERS/setup.sh" >"$OUT/setup.log" 2>&1 || true
  "$VPY" -c 'import numpy, pytreegrav' 2>/dev/null || die "the peers could not be installed (see $OUT/setup.log)"
fi
echo "building covar (cargo build --release)" >&2
(cd "$ROOT" && cargo build --release --quiet -p covar) || die "cargo build failed"
"$VPY" "$ROOT/scripts/compare_softened.py" --covar "$ROOT/target/release/covar" --peers "$PEERS" \
  --out "$OUT" "$@" | tee "$OUT/results.jsonl"
