#!/usr/bin/env bash
# Fuzzes covar's readers for a bounded time each: the checkpoint reader
# (`checkpoint`) and the `--config` parser with the settings' range checks
# (`config`). Crashes land in fuzz/artifacts/<target>/; the corpus grows in
# fuzz/corpus/<target>/ (seeded from fuzz/seeds/<target>/).
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default: 60, both)
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and a nightly compiler; on a
# stable toolchain RUSTC_BOOTSTRAP=1 stands in for nightly (set here). Set
# FUZZ_SANITIZER=none where the address sanitizer does not build.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(checkpoint config)
sanitizer=${FUZZ_SANITIZER:-address}

command -v cargo-fuzz >/dev/null || {
    echo "cargo-fuzz not found: cargo install cargo-fuzz" >&2
    exit 1
}
export RUSTC_BOOTSTRAP=1

cd fuzz
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t"
    cp -n "seeds/$t"/* "corpus/$t/" 2>/dev/null || true
    printf '\n==> fuzz %s for %s s (sanitizer %s)\n' "$t" "$seconds" "$sanitizer"
    cargo fuzz run --sanitizer "$sanitizer" "$t" "corpus/$t" -- \
        -max_total_time="$seconds" -print_final_stats=1
done
