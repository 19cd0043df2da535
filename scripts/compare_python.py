#!/usr/bin/env python3
"""covar's Python package against the Python peers, on the same points.

1. Fields: a uniform cube of N points, nd channels (charges of both signs),
   potential and gradient at every point (fmm3dpy's ``pg=2``), eps / tol
   EPS: ``covar.fmm3d.lfmm3d`` against ``fmm3dpy.lfmm3d`` from its PyPI wheel
   (serial) and from a native build with OpenMP (where one is installed at
   $PEERS_VENV/opt/fmm3dpy-native), called with the same arrays.
2. Gravity: N_GRAV equal masses 1/N in the same cube, unsoftened
   accelerations: ``pytreegrav.Accel`` (theta 0.7, parallel with THREADS numba
   threads) against ``covar.laplace(backend="fast")`` at the largest tolerance
   of a ladder whose error is at most pytreegrav's.

3. Call overhead (``--overhead``): ``covar.laplace`` (direct, nd 1, potential
   and gradient at the sources, every core) against the same sum called
   from a Rust program's main thread (``cargo run --release -p
   covar-examples --example call_overhead``), at N = 250, 1000 and 10^5:
   medians over repetitions, interleaved rounds, the median round.

Errors are relative l2 over CHECK random points, every channel together,
against exact float64 sums (numpy, the self term left out). Every code runs
in a child process of its own (OpenMP and numba read their thread counts
once, and the wheel and the native fmm3dpy share a module name) on points
the parent wrote to one .npy file; times are wall seconds of one call
after a warm-up call on 4096 points (the median of 3 when a call takes
under 5 s).

Usage: scripts/compare_python.py [--n 1e5 1e6] [--nd 4] [--eps 1e-6]
           [--threads 2] [--check 200] [--gravity-n 1e6]
           [--no-wheel] [--no-native] [--no-gravity] [--overhead] [--json FILE]
Needs numpy and covar (pip install ./crates/covar-python); fmm3dpy and
pytreegrav where their comparisons run (each is skipped, saying so, when
it cannot be imported).
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

import numpy as np

FOUR_PI = 4.0 * np.pi


def exact(points, charges, idx):
    """Potential (nd, k) and gradient (nd, 3, k) of 1/(4 pi r) at points[idx], j != i."""
    nd = charges.shape[0]
    pot = np.zeros((nd, len(idx)))
    grad = np.zeros((nd, 3, len(idx)))
    for col, i in enumerate(idx):
        d = points - points[i]  # r_j - t
        r2 = np.einsum("jk,jk->j", d, d)
        r2[i] = np.inf
        inv = 1.0 / np.sqrt(r2)
        pot[:, col] = charges @ inv
        grad[:, :, col] = (charges * inv**3) @ d
    return pot / FOUR_PI, grad / FOUR_PI


def rel_l2(got, ref):
    return float(np.linalg.norm(got - ref) / np.linalg.norm(ref))


def timed(call):
    """Wall seconds of one call (median of 3 when it is short) and its result."""
    t0 = time.perf_counter()
    out = call()
    wall = time.perf_counter() - t0
    if wall < 5.0:
        walls = [wall]
        for _ in range(2):
            t0 = time.perf_counter()
            out = call()
            walls.append(time.perf_counter() - t0)
        wall = float(np.median(walls))
    return wall, out


def child(code, data, args):
    """Runs one code on the saved points; prints one JSON line."""
    points = np.load(data + ".points.npy")
    charges = np.load(data + ".charges.npy")
    idx = np.load(data + ".idx.npy")
    nd = charges.shape[0]
    q = charges[0] if nd == 1 else charges
    warm_pts = np.ascontiguousarray(points[:4096].T)
    warm_q = q[..., :4096]
    if code in ("covar", "wheel", "native"):
        if code == "covar":
            import covar.fmm3d as fmm

            def lfmm3d(**kw):
                return fmm.lfmm3d(threads=args.threads, **kw)

        else:
            if code == "native":
                sys.path.insert(0, os.path.join(args.peers_venv, "opt", "fmm3dpy-native"))
            import fmm3dpy

            lfmm3d = fmm3dpy.lfmm3d
        sources = np.ascontiguousarray(points.T)
        lfmm3d(eps=args.eps, sources=warm_pts, charges=warm_q, pg=2, nd=nd)
        wall, out = timed(lambda: lfmm3d(eps=args.eps, sources=sources, charges=q, pg=2, nd=nd))
        pot = np.asarray(out.pot).reshape(nd, -1)[:, idx]
        grad = np.asarray(out.grad).reshape(nd, 3, -1)[:, :, idx]
        print(json.dumps({"code": code, "wall": wall, "pot": pot.tolist(), "grad": grad.tolist()}))
        return
    # Gravity: accelerations of masses 1/N (the gradient of sum_j m_j / r).
    m = np.full(points.shape[0], 1.0 / points.shape[0])
    if code == "pytreegrav":
        import pytreegrav

        def accel():
            return pytreegrav.Accel(points, m, theta=0.7, parallel=args.threads > 1, method="tree", G=1.0)

        accel()  # numba's compilation is not timed
        wall, acc = timed(accel)
        print(json.dumps({"code": code, "wall": wall, "acc": acc[idx].tolist()}))
        return
    import covar

    tol = float(code.split(":")[1])

    def accel():
        return covar.laplace(points, m, backend="fast", tol=tol, threads=args.threads).gradient

    accel()
    wall, acc = timed(accel)
    print(json.dumps({"code": code, "wall": wall, "acc": acc[idx].tolist()}))


def overhead(args):
    import covar

    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "covar-examples", "--example",
                    "call_overhead"], cwd=root, check=True)
    exe = os.path.join(root, "target", "release", "examples", "call_overhead")
    for n, reps, rounds in [(250, 2000, 7), (1000, 300, 7), (100_000, 1, 3)]:
        r = np.random.default_rng(n).random((n, 3)) - 0.5
        q = np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
        rust, py = [], []
        for _ in range(rounds):
            out = subprocess.run([exe, str(n), str(reps)], check=True, capture_output=True, text=True).stdout
            rust.append(float(out.split("median")[1].split()[0]))
            covar.laplace(r, q)
            walls = []
            for _ in range(reps):
                t0 = time.perf_counter()
                covar.laplace(r, q)
                walls.append(time.perf_counter() - t0)
            py.append(float(np.median(walls)))
        a, b = float(np.median(rust)), float(np.median(py))
        print(f"overhead N = {n:>6}: Rust main thread {a * 1e3:9.3f} ms, covar.laplace {b * 1e3:9.3f} ms, "
              f"ratio {b / a:.3f}, difference {(b - a) * 1e6:.0f} us (rounds: Rust "
              f"{[round(x * 1e3, 3) for x in rust]}, Python {[round(x * 1e3, 3) for x in py]} ms)", flush=True)


def run_child(code, data, args):
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads), NUMBA_NUM_THREADS=str(args.threads))
    cmd = [sys.executable, os.path.abspath(__file__), "--child", code, "--data", data]
    cmd += ["--eps", str(args.eps), "--threads", str(args.threads), "--peers-venv", args.peers_venv]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["?"])[-1]
        print(f"  {code}: skipped ({last})", flush=True)
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def machine():
    model = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
            f.seek(0)
            flags = next((line for line in f if line.startswith("flags")), "")
    except OSError:
        flags = ""
    isa = "avx512" if " avx512f" in flags else "avx2" if " avx2" in flags else platform.machine()
    return f"{model} ({isa}), {os.cpu_count()} cores"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", nargs="+", default=["1e5", "1e6"])
    p.add_argument("--nd", type=int, default=4)
    p.add_argument("--eps", type=float, default=1e-6)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--check", type=int, default=200)
    p.add_argument("--gravity-n", default="1e6")
    p.add_argument("--no-wheel", action="store_true")
    p.add_argument("--no-native", action="store_true")
    p.add_argument("--no-gravity", action="store_true")
    p.add_argument("--overhead", action="store_true", help="only the call-overhead comparison")
    p.add_argument("--json", help="also write the results here, one JSON object per line")
    p.add_argument("--peers-venv", default=os.environ.get(
        "PEERS_VENV", os.path.join(os.path.expanduser("~"), ".cache", "covar-peers-venv")))
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--data", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        child(args.child, args.data, args)
        return

    print(f"machine: {machine()}; threads {args.threads}; eps {args.eps}; errors at {args.check} points")
    if args.overhead:
        overhead(args)
        return
    results = []
    tmp = tempfile.mkdtemp(prefix="covar-compare-python-")
    rng = np.random.default_rng(12345)

    def save(points, charges, idx):
        data = os.path.join(tmp, "case")
        np.save(data + ".points.npy", points)
        np.save(data + ".charges.npy", charges)
        np.save(data + ".idx.npy", idx)
        return data

    for n in (int(float(x)) for x in args.n):
        points = rng.random((n, 3))
        charges = 2.0 * rng.random((args.nd, n)) - 1.0
        idx = rng.choice(n, size=min(args.check, n), replace=False)
        data = save(points, charges, idx)
        ref_pot, ref_grad = exact(points, charges, idx)
        codes = ["covar"] + ([] if args.no_wheel else ["wheel"]) + ([] if args.no_native else ["native"])
        if "native" in codes and not os.path.isdir(os.path.join(args.peers_venv, "opt", "fmm3dpy-native")):
            print("  native: skipped (no native fmm3dpy build in PEERS_VENV/opt)")
            codes.remove("native")
        print(f"\nfields: uniform cube, N = {n:.0e}, nd = {args.nd}, pg = 2")
        base = None
        for code in codes:
            r = run_child(code, data, args)
            if r is None:
                continue
            e_pot = rel_l2(np.array(r["pot"]), ref_pot)
            e_grad = rel_l2(np.array(r["grad"]), ref_grad)
            base = base or r["wall"]
            name = {"covar": "covar.fmm3d", "wheel": "fmm3dpy (PyPI wheel)", "native": "fmm3dpy (OpenMP, native)"}[code]
            print(f"  {name:26s} {r['wall']:8.2f} s   error pot {e_pot:.1e} grad {e_grad:.1e}   "
                  f"{r['wall'] / base:5.2f}x covar's time", flush=True)
            results.append({"case": "fields", "n": n, "nd": args.nd, "code": code, "wall": r["wall"],
                            "err_pot": e_pot, "err_grad": e_grad})

    if not args.no_gravity:
        n = int(float(args.gravity_n))
        points = rng.random((n, 3))
        idx = rng.choice(n, size=min(args.check, n), replace=False)
        data = save(points, np.full((1, n), 1.0 / n), idx)
        _, ref = exact(points, np.full((1, n), 1.0 / n), idx)
        ref = ref[0].T * FOUR_PI  # (k, 3), the 1/r kernel
        print(f"\ngravity: uniform cube, N = {n:.0e}, masses 1/N, accelerations")
        tree = run_child("pytreegrav", data, args)
        if tree is not None:
            e_tree = rel_l2(np.array(tree["acc"]), ref)
            print(f"  {'pytreegrav (theta 0.7)':26s} {tree['wall']:8.2f} s   error {e_tree:.1e}", flush=True)
            results.append({"case": "gravity", "n": n, "code": "pytreegrav", "wall": tree["wall"], "err": e_tree})
            for tol in [3e-2, 1e-2, 3e-3, 1e-3, 3e-4, 1e-4]:
                r = run_child(f"covar:{tol}", data, args)
                if r is None:
                    break
                err = rel_l2(np.array(r["acc"]), ref)
                if err <= e_tree:
                    print(f"  {f'covar fast (tol {tol:g})':26s} {r['wall']:8.2f} s   error {err:.1e}   "
                          f"pytreegrav / covar = {tree['wall'] / r['wall']:.2f}", flush=True)
                    results.append({"case": "gravity", "n": n, "code": "covar", "tol": tol,
                                    "wall": r["wall"], "err": err})
                    break
    if args.json:
        with open(args.json, "w") as f:
            for r in results:
                f.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    main()
