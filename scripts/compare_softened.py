#!/usr/bin/env python3
"""Softened gravity on a Plummer sphere, side by side in one run (see
scripts/compare-softened.sh, which runs this with the peers' Python).

For each N: the same points (a Plummer sphere, masses 1/N, written as a
particle CSV file) go to

  1. covar fast at --tol, spline softening s, and the same run unsoftened
     (the ratio: what softening costs);
  2. the direct backend's time: measured at N <= 2e5, and beyond it
     N (N - 1) pairs at the pair rate measured on the first 10^5 points;
  3. pytreegrav's Accel (theta 0.7, its cubic spline with support 2.8 s, the
     same kernel as covar's `spline` with length s), timed as the median of
     3 calls after a warm-up, its relative L2 force error at K particles
     against an exact numpy sum with the same kernel;
  4. covar fast at the largest tolerance (30, 10, 5, 3, 2, 1, 0.1 times
     pytreegrav's error) whose force error is at most pytreegrav's, median
     of 3 evaluations after a warm-up.
"""
import argparse
import json
import os
import subprocess
import sys
import time


def spline_force_factor(r, h):
    """F(r) = -G'(r)/r of the cubic spline with support h (GADGET-2), numpy."""
    import numpy as np

    u = r / h
    inner = (32.0 / 3.0 - 192.0 / 5.0 * u**2 + 32.0 * u**3) / h**3
    with np.errstate(divide="ignore", invalid="ignore"):
        outer = (-1.0 / (15.0 * u**3) + 64.0 / 3.0 - 48.0 * u + 192.0 / 5.0 * u**2 - 32.0 / 3.0 * u**3) / h**3
        newton = 1.0 / r**3
    return np.where(u < 0.5, inner, np.where(u < 1.0, outer, newton))


def exact_accel(pos, m, idx, h):
    """-grad phi at particles idx: a_i = -sum_j m_j (r_i - r_j) F(|r_i - r_j|)."""
    import numpy as np

    out = np.zeros((len(idx), 3))
    for k, i in enumerate(idx):
        d = pos[i] - pos
        r = np.sqrt(np.einsum("nk,nk->n", d, d))
        f = spline_force_factor(np.where(r > 0, r, 1.0), h)
        f[i] = 0.0
        out[k] = -(m * f) @ d
    return out


def rel_l2(a, b):
    import numpy as np

    return float(np.sqrt(np.sum((a - b) ** 2) / np.sum(b**2)))


def covar_fields(covar, path, args, threads):
    cmd = [covar, "fields", "--from", path, "--threads", str(threads), "--json"] + args
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--covar", required=True)
    p.add_argument("--peers", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--n", default="1e5 1e6")
    p.add_argument("--softening", type=float, default=0.01)
    p.add_argument("--tol", type=float, default=1e-6)
    p.add_argument("--check", type=int, default=200)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--no-pytreegrav", action="store_true")
    a = p.parse_args()
    sys.path.insert(0, a.peers)
    import numpy as np
    from peers_common import plummer

    s = a.softening
    rows = []
    for n in [int(float(x)) for x in a.n.split()]:
        pos = plummer(n, seed=1000 + n)
        m = np.full(n, 1.0 / n)
        path = os.path.join(a.out, f"plummer_{n}.csv")
        with open(path, "w") as f:
            f.write("x,y,z,px,py,pz,m,q\n")
            np.savetxt(f, np.column_stack([pos, np.zeros((n, 3)), m, m]), delimiter=",", fmt="%.17g")
        row = dict(n=n, softening=s, tol=a.tol)
        common = ["--backend", "fast", "--tol", str(a.tol), "--check", str(a.check)]
        soft = covar_fields(a.covar, path, common + ["--softening", str(s), "--softening-kernel", "spline"], a.threads)
        bare = covar_fields(a.covar, path, common + ["--softening", "0"], a.threads)
        direct_path = path
        if n > 200_000:
            direct_path = os.path.join(a.out, "plummer_direct.csv")
            with open(path) as f, open(direct_path, "w") as g:
                for _ in range(100_001):
                    g.write(f.readline())
        direct = covar_fields(a.covar, direct_path, ["--backend", "direct", "--softening", str(s),
                                                     "--softening-kernel", "spline"], a.threads)
        row.update(
            covar_spline_s=soft["seconds"],
            covar_spline_err=soft["rel_l2_grad"],
            covar_bare_s=bare["seconds"],
            covar_bare_err=bare["rel_l2_grad"],
            direct_s=n * (n - 1) / direct["pairs_per_second"],
            direct_measured=direct_path == path,
            isa=soft["isa"],
        )
        if not a.no_pytreegrav:
            import pytreegrav

            h = np.full(n, 2.8 * s)
            call = lambda: pytreegrav.Accel(pos, m, softening=h, theta=0.7, parallel=True, method="tree")
            call()  # warm-up (and numba's compile)
            times = []
            for _ in range(3):
                t = time.perf_counter()
                acc = call()
                times.append(time.perf_counter() - t)
            idx = np.random.default_rng(5).choice(n, size=min(a.check, n), replace=False)
            err = rel_l2(acc[idx], exact_accel(pos, m, idx, 2.8 * s))
            row.update(pytreegrav_s=sorted(times)[1], pytreegrav_err=err)
            for scale in [30, 10, 5, 3, 2, 1, 0.1]:
                tol = float(f"{min(0.5, scale * err):.3g}")
                r = covar_fields(
                    a.covar,
                    path,
                    ["--backend", "fast", "--tol", str(tol), "--check", str(a.check), "--reps", "3", "--warmup", "1",
                     "--softening", str(s), "--softening-kernel", "spline"],
                    a.threads,
                )
                if r["rel_l2_grad"] <= err:
                    row.update(covar_matched_tol=tol, covar_matched_s=r["seconds"], covar_matched_err=r["rel_l2_grad"])
                    break
        rows.append(row)
        print(json.dumps(row), flush=True)
        os.remove(path)

    print()
    print(f"Plummer sphere, masses 1/N, spline softening s = {s} (support {2.8 * s:.3g}), potential + "
          f"gradient, {a.threads} threads; errors: relative L2 of the force at {a.check} particles")
    for r in rows:
        print(f"N = {r['n']:.0e} ({r['isa']}): covar fast tol {r['tol']:g}: softened {r['covar_spline_s']:.3f} s "
              f"(err {r['covar_spline_err']:.2e}), unsoftened {r['covar_bare_s']:.3f} s "
              f"(err {r['covar_bare_err']:.2e}): softened / unsoftened {r['covar_spline_s'] / r['covar_bare_s']:.2f}; "
              f"direct {r['direct_s']:.1f} s ({'measured' if r['direct_measured'] else 'from its rate at 1e5'}): "
              f"direct / fast {r['direct_s'] / r['covar_spline_s']:.0f}")
        if "pytreegrav_s" in r:
            line = f"    pytreegrav theta 0.7: {r['pytreegrav_s']:.3f} s (err {r['pytreegrav_err']:.2e})"
            if "covar_matched_s" in r:
                line += (f"; covar fast tol {r['covar_matched_tol']:g}: {r['covar_matched_s']:.3f} s "
                         f"(err {r['covar_matched_err']:.2e}): pytreegrav / covar "
                         f"{r['pytreegrav_s'] / r['covar_matched_s']:.2f}")
            print(line)


if __name__ == "__main__":
    main()
