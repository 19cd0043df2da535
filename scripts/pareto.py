#!/usr/bin/env python3
"""Helpers of scripts/pareto.sh: the shared point set, the peers' runs on it,
and the plot of time against achieved error.

  pareto.py points N SEED FILE.npy
      N points uniform in [0, 1)^3 with masses = charges = 1/N, written as
      covar's .npy snapshot (the layout `covar fields --from` reads).
  pareto.py peer {pytreegrav,fmm3d} FILE.npy --params P1,P2,... --check K --out F.jsonl
      One peer on those points: pytreegrav's Accel at each theta, or
      fmm3dpy's lfmm3d (nd = 1, charges = masses, pg = 2) at each eps (the
      build is the one on sys.path: PEERS_NATIVE=1 puts the native build
      first). Each call is timed as the median of 3 after a warm-up, or once
      after the warm-up when the warm-up took more than 30 s. The error is the
      relative L2 error of the gradient (the acceleration) at K random
      particles against an exact float64 direct sum (peers_common.direct_at).
  pareto.py plot DIR FILE.png
      Reads DIR/covar_N_TOL.json and DIR/{pytreegrav,fmm3d-wheel,fmm3d-native}_N.jsonl,
      prints the table and draws one panel per N: wall seconds against the
      achieved relative L2 force error, log-log; DIR/machine.txt (CPU,
      instruction set, date), when present, heads the table and titles the
      figure.

PEERS_DIR names the peers folder (for peers_common.py).
"""
import glob
import json
import os
import sys

SINGLE = 30.0  # a warm-up longer than this many seconds: time one call after it


def points(n, seed, path):
    import numpy as np
    rng = np.random.default_rng(seed)
    pos = rng.random((n, 3))
    rec = np.zeros(n, dtype=[("id", "<u8")] + [(k, "<f8") for k in ("x", "y", "z", "px", "py", "pz", "m", "q")])
    rec["id"] = np.arange(n)
    rec["x"], rec["y"], rec["z"] = pos.T
    rec["m"] = rec["q"] = 1.0 / n
    np.save(path, rec)


def timed(call):
    """Median wall seconds of the call (3 after a warm-up, or 1 when the
    warm-up took more than SINGLE seconds) and its last result."""
    import time
    t0 = time.perf_counter()
    out = call()
    warm = time.perf_counter() - t0
    times = []
    for _ in range(1 if warm > SINGLE else 3):
        t0 = time.perf_counter()
        out = call()
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2], out


def peer(name, path, params, check, out_path):
    import numpy as np
    sys.path.insert(0, os.environ["PEERS_DIR"])
    from peers_common import direct_at, rel_l2
    rec = np.load(path)
    pos = np.stack([rec["x"], rec["y"], rec["z"]], axis=1)
    m = np.ascontiguousarray(rec["m"])
    n = len(m)
    idx = np.random.default_rng(3000 + n).choice(n, size=min(check, n), replace=False)
    _, ref = direct_at(pos, m[None, :], idx)
    ref = ref[0]  # (3, k): the gradient of sum_j m_j / r_ij, = the acceleration
    rows = []
    if name == "pytreegrav":
        import pytreegrav
        threads = int(os.environ.get("NUMBA_NUM_THREADS", "1"))
        # numba compiles on the first call: not timed.
        small = pos[: min(n, 4096)]
        pytreegrav.Accel(small, m[: len(small)], theta=0.7, parallel=threads > 1, method="tree")
        for theta in params:
            secs, acc = timed(lambda: pytreegrav.Accel(pos, m, theta=theta, parallel=threads > 1,
                                                      method="tree", G=1.0))
            rows.append(dict(code="pytreegrav", label=f"theta {theta:g}", param=theta, N=n, threads=threads,
                             seconds=secs, rel_l2_grad=rel_l2(np.asarray(acc)[idx].T, ref)))
    else:
        if os.environ.get("PEERS_NATIVE") == "1":
            venv = os.environ.get("PEERS_VENV", os.path.expanduser("~/.cache/covar-peers-venv"))
            sys.path.insert(0, os.path.join(venv, "opt", "fmm3dpy-native"))
        import fmm3dpy
        build = "native" if os.environ.get("PEERS_NATIVE") == "1" else "wheel"
        src = np.asfortranarray(pos.T)
        # lfmm3d sums c / r (no 1 / (4 pi)); checked against the reference's scale once
        ref_pot8, _ = direct_at(pos, m[None, :], idx[:8])
        for eps in params:
            secs, out = timed(lambda: fmm3dpy.lfmm3d(eps=eps, sources=src, charges=m, pg=2))
            grad = np.asarray(out.grad).reshape(3, n)[:, idx]
            pot = np.asarray(out.pot)[idx]
            k = float(np.vdot(pot[:8], ref_pot8[0]) / np.vdot(ref_pot8[0], ref_pot8[0]))
            k = 1.0 if abs(k - 1.0) < abs(k - 1.0 / (4 * np.pi)) else 1.0 / (4 * np.pi)
            rows.append(dict(code=f"fmm3dpy {build}", label=f"eps {eps:g}", param=eps, N=n,
                             threads=int(os.environ.get("OMP_NUM_THREADS", "1")), seconds=secs,
                             rel_l2_grad=rel_l2(grad / k, ref)))
    with open(out_path, "a") as f:
        for r in rows:
            print(json.dumps(r), file=f, flush=True)
            print(f"  {r['code']:<18} {r['label']:<12} {r['seconds']:9.3f} s  force error {r['rel_l2_grad']:.2e}",
                  file=sys.stderr)


def load(folder):
    rows = []
    for p in sorted(glob.glob(os.path.join(folder, "covar_*.json"))):
        r = json.load(open(p))
        f = r["fast"]
        rows.append(dict(code="covar fast", label=f"tol {f['tolerance']:g} (p {f['order']})",
                         param=f["tolerance"], N=r["n"], threads=r["threads"], seconds=r["seconds"],
                         rel_l2_grad=r["rel_l2_grad"]))
    for p in sorted(glob.glob(os.path.join(folder, "*.jsonl"))):
        rows += [json.loads(line) for line in open(p) if line.strip()]
    return rows


def pareto_front(rows):
    """The rows no other row beats in both time and error."""
    return [r for r in rows if not any(o["seconds"] < r["seconds"] and o["rel_l2_grad"] < r["rel_l2_grad"]
                                       for o in rows)]


def plot(folder, png):
    rows = load(folder)
    if not rows:
        sys.exit(f"pareto.py: no results in {folder}")
    ns = sorted({r["N"] for r in rows})
    machine_file = os.path.join(folder, "machine.txt")
    machine = open(machine_file).read().strip() if os.path.exists(machine_file) else "machine not recorded"
    print(f"machine: {machine}")
    codes = ["covar fast", "fmm3dpy native", "fmm3dpy wheel", "pytreegrav"]
    style = {"covar fast": ("tab:red", "o"), "fmm3dpy native": ("tab:blue", "s"),
             "fmm3dpy wheel": ("tab:cyan", "D"), "pytreegrav": ("tab:green", "^")}
    for n in ns:
        print(f"\nN = {n}: uniform cube, masses 1/N, accelerations (gradient), relative L2 error")
        print(f"{'code':<16} {'setting':<18} {'time s':>9} {'force error':>11}  on front")
        here = [r for r in rows if r["N"] == n]
        front = pareto_front(here)
        for c in codes:
            for r in sorted((r for r in here if r["code"] == c), key=lambda r: r["rel_l2_grad"]):
                print(f"{c:<16} {r['label']:<18} {r['seconds']:>9.3f} {r['rel_l2_grad']:>11.2e}  "
                      f"{'*' if r in front else ''}")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(ns), figsize=(6.2 * len(ns), 4.8), squeeze=False)
    for ax, n in zip(axes[0], ns):
        for c in codes:
            # In the order of the setting (loosest first), as a user turns the knob.
            pts = [(r["rel_l2_grad"], r["seconds"], r["threads"]) for r in
                   sorted((r for r in rows if r["N"] == n and r["code"] == c), key=lambda r: -r["param"])]
            if not pts:
                continue
            colour, marker = style[c]
            threads = pts[0][2]
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker=marker, color=colour,
                    label=f"{c} ({threads} thread{'s' if threads > 1 else ''})")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("achieved relative L2 error of the accelerations")
        ax.set_ylabel("wall seconds per evaluation")
        exp = int(round(__import__("math").log10(n)))
        ax.set_title(f"N = $10^{{{exp}}}$, uniform masses, potential + acceleration" if n == 10 ** exp
                     else f"N = {n}")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("Time against achieved accuracy (lower left is better;\npoints joined in the order "
                 f"of each code's setting)\n{machine}", fontsize=10)
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    print(f"\nplot: {png}")


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "points":
        points(int(float(sys.argv[2])), int(sys.argv[3]), sys.argv[4])
    elif cmd == "peer":
        args = sys.argv[2:]
        opts = dict(zip(args[2::2], args[3::2]))
        peer(args[0], args[1], [float(x) for x in opts["--params"].split(",")], int(opts["--check"]),
             opts["--out"])
    elif cmd == "plot":
        plot(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
