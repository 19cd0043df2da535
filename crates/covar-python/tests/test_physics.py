"""The covar model's quantities against dense numpy formulas."""

import numpy as np
import pytest

import covar


def system(n, seed):
    rng = np.random.default_rng(seed)
    r = rng.random((n, 3)) * 10.0
    m = rng.uniform(1.0, 3.0, n)
    q = rng.choice([-1.0, 1.0], n) * np.sqrt(m)
    p = rng.standard_normal((n, 3))
    return r, m, q, p


def green(r, s):
    d = r[:, None, :] - r[None, :, :]
    d2 = np.sum(d * d, axis=-1) + s * s
    np.fill_diagonal(d2, 1.0)
    g = 1.0 / np.sqrt(d2)
    np.fill_diagonal(g, 0.0)
    return g


@pytest.mark.parametrize("softening", [0.0, 0.3])
@pytest.mark.parametrize("backend", ["direct", "fast"])
def test_covariance_product_is_dense_k_times_x(softening, backend):
    r, m, q, _ = system(400, seed=1)
    k = np.outer(q, q) * green(r, softening) + np.diag(m)
    x = np.random.default_rng(2).standard_normal((400, 3))
    y = covar.covariance_product(r, m, q, x, softening=softening, backend=backend, tol=1e-9)
    assert y.shape == (400, 3)
    bound = 1e-13 if backend == "direct" else 1e-8
    assert np.abs(y - k @ x).max() < bound * np.abs(k @ x).max()
    y1 = covar.covariance_product(r, m, q, x[:, 1], softening=softening, backend=backend, tol=1e-9)
    assert y1.shape == (400,)
    assert np.abs(y1 - y[:, 1]).max() <= bound * np.abs(y).max()


def test_vector_potential_and_its_jacobian():
    r, m, q, p = system(300, seed=3)
    s = 0.2
    g = green(r, s)
    a, jac = covar.vector_potential(r, m, q, p, softening=s)
    u = p / m[:, None]
    ref = g @ (q[:, None] * u)
    assert np.abs(a - ref).max() < 1e-13 * np.abs(ref).max()
    # Jacobian by central differences of the dense formula, particle 17.
    i, h = 17, 1e-5
    for d in range(3):
        plus, minus = r.copy(), r.copy()
        plus[i, d] += h
        minus[i, d] -= h
        fd = ((green(plus, s) @ (q[:, None] * u))[i] - (green(minus, s) @ (q[:, None] * u))[i]) / (2 * h)
        assert np.abs(jac[i, :, d] - fd).max() < 1e-7 * np.abs(fd).max()
    a2, none = covar.vector_potential(r, m, q, p, softening=s, gradient=False)
    assert none is None
    np.testing.assert_array_equal(a2, a)


def test_bad_masses_name_the_particle():
    r, m, q, p = system(10, seed=4)
    m[6] = -1.0
    with pytest.raises(covar.KernelError, match="particle 6: field `mass`"):
        covar.covariance_product(r, m, q, np.ones(10))
    with pytest.raises(ValueError, match=r"masses has shape \(9,\)"):
        covar.vector_potential(r, m[:9], q, p)
