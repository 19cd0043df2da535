#!/usr/bin/env bash
# Builds the Python package (crates/covar-python) into a fresh virtual
# environment and runs its tests and doctests there.
#
#   scripts/test-python.sh [VENV]     (default: target/python-venv)
#
# Installs numpy, pytest and fmm3dpy (its wheel, to check covar.fmm3d
# against fmm3dpy itself) from PyPI; without fmm3dpy those two tests skip.
# Builds the command-line program too: covar.Simulation's tests compare
# its files with those of `covar run` and resume runs across the two.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
venv=${1:-target/python-venv}

python3 -m venv "$venv"
py="$venv/bin/python"
"$py" -m pip install -q --upgrade pip
"$py" -m pip install -q numpy pytest
"$py" -m pip install -q fmm3dpy || echo "fmm3dpy could not be installed: its comparison tests will skip"
# Without the release profile's link-time optimization and single codegen
# unit, which lengthen the build: the tests check results, not speed.
CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    "$py" -m pip install -q ./crates/covar-python
# covar.Simulation is checked against the command-line program.
cargo build --release --locked --bin covar
export COVAR_BIN="$PWD/target/release/covar"
# From the repository root, so that `covar` is the installed package and not
# the source folder beside the tests.
"$py" -m pytest -q crates/covar-python/tests
"$py" -m pytest -q --doctest-modules --pyargs covar
