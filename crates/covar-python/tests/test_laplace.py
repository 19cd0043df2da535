"""covar.laplace against plain numpy sums, on every backend and instruction set."""

import threading
import time

import numpy as np
import pytest

import covar
from reference import laplace as reference

KERNELS = ["plummer", "spline", "wendland-c2"]


def cloud(n, seed=0):
    """Points in the unit cube with charges of both signs summing to zero."""
    rng = np.random.default_rng(seed)
    r = rng.random((n, 3))
    q = rng.standard_normal(n)
    q -= q.mean()
    return r, q


def rel(a, b):
    """Largest error relative to the largest reference value."""
    return float(np.abs(a - b).max() / np.abs(b).max())


@pytest.mark.parametrize("isa", covar.isas())
@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("softening", [0.0, 0.05])
def test_direct_matches_the_double_loop(isa, kernel, softening):
    # Every lane tail and the first tile edges of every instruction set.
    for n in [1, 2, 3, 5, 8, 9, 17, 33, 64, 129]:
        r, q = cloud(n, seed=n)
        phi, grad = covar.laplace(r, q, softening=softening, kernel=kernel, isa=isa)
        ref_phi, ref_grad = reference(r, q, softening=softening, kernel=kernel)
        assert phi.shape == (n,) and grad.shape == (n, 3)
        if n == 1:
            assert phi[0] == 0.0 and not grad.any()
            continue
        # Round-off of n terms: a few ulps per term at most.
        assert rel(phi, ref_phi[0]) < 1e-13, (n, isa)
        assert rel(grad, ref_grad[0]) < 1e-13, (n, isa)


@pytest.mark.parametrize("kernel", KERNELS)
def test_channels_and_targets(kernel):
    r, _ = cloud(300, seed=1)
    rng = np.random.default_rng(2)
    q = rng.standard_normal((4, 300))
    t = rng.random((77, 3)) * 1.2 - 0.1
    phi, grad = covar.laplace(r, q, t, softening=0.02, kernel=kernel)
    ref_phi, ref_grad = reference(r, q, t, softening=0.02, kernel=kernel)
    assert phi.shape == (4, 77) and grad.shape == (4, 77, 3)
    assert rel(phi, ref_phi) < 1e-13
    assert rel(grad, ref_grad) < 1e-13
    # A channel alone: the same sums to round-off (a block of 4 scales
    # the separation before the charge, one channel the charge first).
    phi1, grad1 = covar.laplace(r, q[2], t, softening=0.02, kernel=kernel)
    np.testing.assert_array_equal(phi1, phi[2])
    assert rel(grad1, grad[2]) < 1e-14


@pytest.mark.parametrize("tol", [1e-3, 1e-6, 1e-9])
def test_fast_within_its_tolerance(tol):
    r, q = cloud(6000, seed=3)
    exact = covar.laplace(r, q)
    fast = covar.laplace(r, q, backend="fast", tol=tol)
    # The fast backend's tolerance bounds the error relative to the largest value.
    assert rel(fast.potential, exact.potential) < tol
    assert rel(fast.gradient, exact.gradient) < tol


def test_naive_backend_agrees():
    r, q = cloud(200, seed=4)
    a = covar.laplace(r, q, backend="naive", softening=0.01, kernel="spline")
    b = covar.laplace(r, q, softening=0.01, kernel="spline")
    assert rel(a.potential, b.potential) < 1e-13
    assert rel(a.gradient, b.gradient) < 1e-13


def test_same_bits_for_any_number_of_threads():
    r, q = cloud(3001, seed=5)
    runs = [covar.laplace(r, q, softening=0.01, threads=k) for k in (1, 2, 3)]
    for phi, grad in runs[1:]:
        np.testing.assert_array_equal(phi, runs[0].potential)
        np.testing.assert_array_equal(grad, runs[0].gradient)
    fast = [covar.laplace(r, q, backend="fast", threads=k) for k in (1, 2, 3)]
    for phi, grad in fast[1:]:
        np.testing.assert_array_equal(phi, fast[0].potential)
        np.testing.assert_array_equal(grad, fast[0].gradient)


def test_potential_only_and_out():
    r, q = cloud(100, seed=6)
    phi, grad = covar.laplace(r, q, gradient=False)
    assert grad is None
    pot, g = np.full(100, np.nan), np.full((100, 3), np.nan)
    res = covar.laplace(r, q, out=(pot, g))
    assert res.potential is pot and res.gradient is g
    np.testing.assert_array_equal(pot, phi)
    with pytest.raises(ValueError, match="out: potential has shape"):
        covar.laplace(r, q, out=(np.empty(99), g))
    with pytest.raises(ValueError, match="C-contiguous float64"):
        covar.laplace(r, q, out=(np.empty(100, dtype=np.float32), g))


def test_inputs_are_coerced_without_loss():
    r, q = cloud(50, seed=7)
    ref = covar.laplace(r, q)
    # Fortran order, a strided view and small integers are converted exactly.
    np.testing.assert_array_equal(covar.laplace(np.asfortranarray(r), q).potential, ref.potential)
    wide = np.zeros((50, 6))
    wide[:, ::2] = r
    np.testing.assert_array_equal(covar.laplace(wide[:, ::2], q).potential, ref.potential)
    ints = np.arange(150, dtype=np.int64).reshape(50, 3)
    np.testing.assert_array_equal(
        covar.laplace(ints, q).potential, covar.laplace(ints.astype(np.float64), q).potential
    )
    # float32 is widened exactly: the same as widening it first.
    r32 = r.astype(np.float32)
    np.testing.assert_array_equal(
        covar.laplace(r32, q).potential, covar.laplace(r32.astype(np.float64), q).potential
    )
    big = ints.copy()
    big[7, 1] = 2**60 + 1
    with pytest.raises(ValueError, match=r"sources: element \(7, 1\).*no exact float64"):
        covar.laplace(big, q)
    with pytest.raises(TypeError, match="complex"):
        covar.laplace(r.astype(complex), q)


def test_errors_name_the_index_and_the_field():
    r, q = cloud(20, seed=8)
    bad = r.copy()
    bad[13, 1] = np.nan
    with pytest.raises(covar.KernelError, match=r"source 13: field `y` is NaN"):
        covar.laplace(bad, q)
    qbad = q.copy()
    qbad[4] = np.inf
    with pytest.raises(ValueError, match=r"source 4: field `channel 0` is inf"):
        covar.laplace(r, qbad)
    twin = r.copy()
    twin[11] = twin[3]
    with pytest.raises(ValueError, match="sources 3 and 11 are at the same position"):
        covar.laplace(twin, q)
    # Softened, coincident points are fine.
    assert np.isfinite(covar.laplace(twin, q, softening=0.01).potential).all()
    with pytest.raises(ValueError, match="target 2 is at the position of source 5"):
        covar.laplace(r, q, np.array([[2.0, 2, 2], [3.0, 3, 3], r[5]]))
    with pytest.raises(ValueError, match=r"charges has shape \(19,\)"):
        covar.laplace(r, q[:19])
    with pytest.raises(ValueError, match=r"sources has shape \(20, 2\)"):
        covar.laplace(r[:, :2], q)
    with pytest.raises(ValueError, match="softening length is -1"):
        covar.laplace(r, q, softening=-1.0)
    with pytest.raises(ValueError, match="unknown softening kernel"):
        covar.laplace(r, q, kernel="gauss")
    with pytest.raises(ValueError, match="unknown backend"):
        covar.laplace(r, q, backend="tree")
    with pytest.raises(ValueError, match="tolerance"):
        covar.laplace(r, q, backend="fast", tol=2.0)
    with pytest.raises(ValueError, match="threads must be at least 1"):
        covar.laplace(r, q, threads=0)
    with pytest.raises(ValueError, match="unknown"):
        covar.laplace(r, q, isa="sse9")


def test_the_gil_is_released_during_the_sums():
    r, q = cloud(15000, seed=9)
    window = {}

    def work():
        window["start"] = time.perf_counter()
        covar.laplace(r, q, threads=1)
        window["end"] = time.perf_counter()

    worker = threading.Thread(target=work)
    ticks = []
    worker.start()
    while worker.is_alive():
        ticks.append(time.perf_counter())
    worker.join()
    inside = [t for t in ticks if window["start"] <= t <= window["end"]]
    call = window["end"] - window["start"]
    assert call > 0.05, "the sum is too short to tell"
    # Held GIL: this thread would stop for the whole call. Released: it runs
    # on, pausing at most for the interpreter's switch interval.
    gaps = np.diff([window["start"], *inside, window["end"]])
    assert gaps.max() < 0.5 * call, (gaps.max(), call)


@pytest.mark.parametrize("backend", ["direct", "fast"])
def test_the_same_bits_as_the_rust_api(tmp_path, backend):
    """covar.laplace against `covar fields --from` on the same particles: the
    sum of the potentials, added in order, bit for bit."""
    import functools
    import operator
    import subprocess

    from test_run import covar_bin

    r, q = cloud(3000, seed=11)
    table = np.column_stack([r, np.zeros((3000, 3)), np.ones(3000), q])
    path = tmp_path / "particles.csv"
    np.savetxt(path, table, delimiter=",", header="x,y,z,px,py,pz,m,q", comments="", fmt="%.17g")
    out = subprocess.run(
        [covar_bin(), "fields", "--from", str(path), "--backend", backend, "--tol", "1e-6",
         "--threads", "2", "--json"] if backend == "fast" else
        [covar_bin(), "fields", "--from", str(path), "--threads", "2", "--json"],
        check=True, capture_output=True, text=True,
    ).stdout
    import json

    rust = json.loads(out)["potential_sum"]
    phi = covar.laplace(r, q, backend=backend, tol=1e-6, threads=2).potential
    ours = functools.reduce(operator.add, phi.tolist(), -0.0)
    assert ours == rust, (ours, rust)
