#!/usr/bin/env python3
"""Check an HDF5 snapshot of `covar run --snapshot-format hdf5` with h5py.

    python3 scripts/check_hdf5_snapshot.py covar-out/snapshot_2000.hdf5 \
        --final-state final.csv [--step 2000 --dt 0.005]

Checks the GADGET/SWIFT layout (the Header attributes, the PartType1
datasets, their shapes and types) and, with --final-state, that the
positions, canonical momenta, masses and charges are bit for bit those of the
CSV final state the same run wrote (the snapshot of its last step).
Velocities must be CanonicalMomenta / Masses, exactly. Exits 1 on the first
difference, naming the field and the particle.

Reading a snapshot in your own code:

    import h5py
    with h5py.File("covar-out/snapshot_2000.hdf5", "r") as f:
        t = f["Header"].attrs["Time"]
        r = f["PartType1/Coordinates"][:]        # (N, 3) positions
        P = f["PartType1/CanonicalMomenta"][:]   # (N, 3) canonical momenta
        m = f["PartType1/Masses"][:]             # (N,)
        q = f["PartType1/Charges"][:]            # (N,)
"""

import argparse
import sys

import h5py
import numpy as np


class Mismatch(Exception):
    pass


def same_bits(name, got, want):
    got = np.ascontiguousarray(got, dtype=np.float64)
    want = np.ascontiguousarray(want, dtype=np.float64)
    if got.shape != want.shape:
        raise Mismatch(f"{name}: shape {got.shape}, expected {want.shape}")
    differ = np.flatnonzero(got.view(np.uint64) != want.view(np.uint64))
    if differ.size:
        k = differ[0]
        row = k // (got.shape[1] if got.ndim == 2 else 1)
        raise Mismatch(
            f"{name}: {differ.size} values differ; first at particle {row}: "
            f"{got.flat[k]!r} in the snapshot, {want.flat[k]!r} expected"
        )


def attr(group, name):
    if name not in group.attrs:
        raise Mismatch(f"{group.name}: no attribute {name}")
    return group.attrs[name]


def check(path, final_state, step, dt):
    with h5py.File(path, "r") as f:
        for g in ("Header", "PartType1", "Parameters"):
            if g not in f:
                raise Mismatch(f"no group {g}")
        h = f["Header"]
        p = f["PartType1"]
        n = int(attr(h, "NumPart_ThisFile")[1])
        expect = {
            "NumPart_ThisFile": [0, n, 0, 0, 0, 0],
            "NumPart_Total": [0, n % 2**32, 0, 0, 0, 0],
            "NumPart_Total_HighWord": [0, n >> 32, 0, 0, 0, 0],
            "MassTable": [0.0] * 6,
            "NumFilesPerSnapshot": 1,
            "Redshift": 0.0,
            "Flag_DoublePrecision": 1,
            "Dimension": 3,
        }
        for name, want in expect.items():
            got = attr(h, name)
            if not np.array_equal(np.asarray(got), np.asarray(want)):
                raise Mismatch(f"Header/{name} is {got!r}, expected {want!r}")
        for name in ("Flag_Sfr", "Flag_Cooling", "Flag_StellarAge", "Flag_Metals", "Flag_Feedback"):
            attr(h, name)
        shapes = {
            "Coordinates": ((n, 3), np.float64),
            "Velocities": ((n, 3), np.float64),
            "CanonicalMomenta": ((n, 3), np.float64),
            "Masses": ((n,), np.float64),
            "Charges": ((n,), np.float64),
            "ParticleIDs": ((n,), np.uint64),
        }
        data = {}
        for name, (shape, dtype) in shapes.items():
            if name not in p:
                raise Mismatch(f"no dataset PartType1/{name}")
            ds = p[name]
            if ds.shape != shape or ds.dtype != dtype:
                raise Mismatch(f"PartType1/{name}: {ds.shape} {ds.dtype}, expected {shape} {np.dtype(dtype)}")
            data[name] = ds[:]
        r, P, m = data["Coordinates"], data["CanonicalMomenta"], data["Masses"]
        if not np.array_equal(data["ParticleIDs"], np.arange(n, dtype=np.uint64)):
            raise Mismatch("PartType1/ParticleIDs is not 0..N")
        if not np.all(m > 0):
            raise Mismatch(f"PartType1/Masses: particle {int(np.argmin(m))} has mass {m.min()!r}")
        same_bits("PartType1/Velocities", data["Velocities"], P / m[:, None])
        box = float(attr(h, "BoxSize"))
        if not np.all(np.abs(r) < box / 2):
            raise Mismatch(f"Header/BoxSize {box} does not hold every particle in [-BoxSize/2, BoxSize/2]")
        params = f["Parameters"].attrs
        code = params.get("Code")
        if isinstance(code, bytes):
            code = code.decode()
        if code != "covar":
            raise Mismatch(f"Parameters/Code is {code!r}, expected 'covar'")
        if step is not None:
            if int(params["Step"]) != step:
                raise Mismatch(f"Parameters/Step is {params['Step']}, expected {step}")
            if dt is not None and float(h.attrs["Time"]) != step * dt:
                raise Mismatch(f"Header/Time is {h.attrs['Time']!r}, expected {step * dt!r}")

        if final_state is not None:
            csv = np.loadtxt(final_state, delimiter=",", skiprows=1, ndmin=2, dtype=np.float64)
            with open(final_state) as fh:
                header = fh.readline().strip()
            if header != "x,y,z,px,py,pz,m,q":
                raise Mismatch(f"{final_state}: header {header!r}")
            if csv.shape[0] != n:
                raise Mismatch(f"{final_state} has {csv.shape[0]} particles, the snapshot {n}")
            same_bits("PartType1/Coordinates", r, csv[:, 0:3])
            same_bits("PartType1/CanonicalMomenta", P, csv[:, 3:6])
            same_bits("PartType1/Masses", m, csv[:, 6])
            same_bits("PartType1/Charges", data["Charges"], csv[:, 7])
        t = float(h.attrs["Time"])
    against = f", equal bit for bit to {final_state}" if final_state else ""
    print(f"ok: {path}: {n} particles, t = {t!r}, GADGET/SWIFT layout{against}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("snapshot")
    ap.add_argument("--final-state", help="the CSV final state of the same run")
    ap.add_argument("--step", type=int, help="the step the snapshot must be of")
    ap.add_argument("--dt", type=float, help="the run's time step (Time must be step * dt)")
    a = ap.parse_args()
    try:
        check(a.snapshot, a.final_state, a.step, a.dt)
    except Mismatch as e:
        print(f"{a.snapshot}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
