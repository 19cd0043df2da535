#!/usr/bin/env bash
# Checks covar for aarch64-unknown-linux-gnu (clippy) and runs the kernel's
# tests under qemu-aarch64: the SIMD layer's NEON path against the naive oracle,
# the fast backend's accuracy cases (COVAR_TEST_QUICK: a quarter of the
# points), the direct sums' thread-count determinism, the analytic and error
# cases. Needs the Rust target (rustup target add aarch64-unknown-linux-gnu),
# a cross linker and qemu-user (Debian: apt-get install gcc-aarch64-linux-gnu
# qemu-user); it installs them where it can, and where it cannot it says so
# in one line and exits 0. The tests run optimized (--release): under
# emulation the unoptimized build took 15 minutes of the CI's 2 cores.
#
# Usage: scripts/test-aarch64.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

TARGET=aarch64-unknown-linux-gnu
skip() { echo "aarch64 tests skipped: $*"; exit 0; }

if ! rustup target list --installed 2>/dev/null | grep -qx "$TARGET"; then
    rustup target add "$TARGET" >/dev/null 2>&1 || skip "rustup cannot add the $TARGET target"
fi
if ! command -v qemu-aarch64 >/dev/null || ! command -v aarch64-linux-gnu-gcc >/dev/null; then
    as_root=()
    if [ "$(id -u)" -ne 0 ]; then as_root=(sudo -n); fi
    if command -v apt-get >/dev/null && "${as_root[@]}" apt-get update -qq >/dev/null 2>&1; then
        DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq \
            qemu-user gcc-aarch64-linux-gnu >/dev/null 2>&1 || true
    fi
    command -v qemu-aarch64 >/dev/null && command -v aarch64-linux-gnu-gcc >/dev/null \
        || skip "qemu-user and gcc-aarch64-linux-gnu could not be installed"
fi

export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="qemu-aarch64 -L /usr/aarch64-linux-gnu"
export CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc
export COVAR_TEST_QUICK=1
# NEON alone: the scalar path is the same Rust code as on x86-64, where the
# native tests cover it, and under emulation it doubled this script's time.
export COVAR_TEST_ISAS=neon
# Optimized, but without the release profile's link-time optimization and
# single codegen unit, which make the build for the emulated target slower
# and its code hardly faster: the kernel's hot loops are inlined either way.
export CARGO_PROFILE_RELEASE_LTO=false
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16

# The program is checked for aarch64 (clippy compiles every crate it
# uses), not built: only the kernel has code of its own per architecture,
# and the kernel's tests below run that code. (The program's optimized
# build for aarch64 took over 3 minutes of the CI's 2 cores.)
echo "clippy on the kernel (the NEON path) and the covar program for $TARGET, warnings denied"
cargo clippy --locked -p covar-kernel -p covar --all-targets --target "$TARGET" -- -D warnings

# The fast backend's thread-count determinism is skipped here: the order of
# its sums is fixed by the tree, not by the instruction set, the native run
# checks it, and `threads` checks the NEON direct sums for any thread count.
# Under emulation it ran over a minute of fast_accuracy's three. The M2L
# methods' accuracy is skipped too: the translations are plain Rust, the
# same on every architecture, and the native run checks both methods.
cargo test --release --locked -p covar-kernel --target "$TARGET" --lib \
    --test direct_vs_naive --test threads --test errors --test analytic --test fast_accuracy \
    -- --skip same_bits_for_any_thread_count --skip any_m2l_method_is_within_the_tolerance
