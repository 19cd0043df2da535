#!/usr/bin/env python3
"""Read a `covar run` snapshot with numpy alone, and print what it holds.

    python3 scripts/read_snapshot.py covar-out/snapshot_2000.npy

A snapshot is a NumPy structured array, one record per particle, with the
fields id (uint64) and x, y, z, px, py, pz, m, q (float64): positions,
canonical momenta, masses and charges. So, in your own code:

    import numpy as np
    s = np.load("covar-out/snapshot_2000.npy")
    r = np.stack([s["x"], s["y"], s["z"]], axis=1)      # (N, 3) positions
    v = np.stack([s["px"], s["py"], s["pz"]], axis=1) / s["m"][:, None]

The energy log is plain CSV with a header:

    log = np.genfromtxt("covar-out/energy.csv", delimiter=",", names=True)
    log["t"], log["rel_H_error"]
"""

import sys

import numpy as np


def main(paths):
    if not paths:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    for path in paths:
        s = np.load(path)
        names = s.dtype.names
        assert names == ("id", "x", "y", "z", "px", "py", "pz", "m", "q"), names
        n = len(s)
        r = np.stack([s["x"], s["y"], s["z"]], axis=1)
        p = np.stack([s["px"], s["py"], s["pz"]], axis=1)
        m = s["m"]
        if not (np.all(np.isfinite(r)) and np.all(np.isfinite(p)) and np.all(m > 0)):
            print(f"{path}: non-finite values or non-positive masses", file=sys.stderr)
            return 1
        com = (m[:, None] * r).sum(axis=0) / m.sum()
        kinetic = 0.5 * ((p * p).sum(axis=1) / m).sum()
        print(
            f"{path}: {n} particles, ids {s['id'].min()}..{s['id'].max()}, "
            f"total mass {m.sum():.6g}, total charge {s['q'].sum():.6g}, "
            f"centre of mass ({com[0]:.3e}, {com[1]:.3e}, {com[2]:.3e}), "
            f"|sum P| {np.linalg.norm(p.sum(axis=0)):.3e}, sum |P|^2/2m {kinetic:.6g}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
