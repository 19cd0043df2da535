"""Plain numpy sums, written from DESIGN.md's formulas, as the tests' reference."""

import numpy as np


def kernel_terms(r, s, kernel):
    """``G(r)`` and ``F(r) = -G'(r) / r`` of a softening kernel, elementwise (``r > 0``)."""
    r = np.asarray(r, dtype=np.float64)
    if kernel == "plummer" or s == 0.0:
        d2 = r * r + s * s
        g = 1.0 / np.sqrt(d2)
        return g, g / d2
    h = {"spline": 2.8, "wendland-c2": 3.0}[kernel] * s
    u = r / h
    g = 1.0 / r
    dg = -1.0 / (r * r)
    if kernel == "spline":
        a = u < 0.5
        b = (u >= 0.5) & (u < 1.0)
        ua, ub = u[a], u[b]
        g[a] = (14 / 5 - 16 / 3 * ua**2 + 48 / 5 * ua**4 - 32 / 5 * ua**5) / h
        dg[a] = (-32 / 3 * ua + 192 / 5 * ua**3 - 32 * ua**4) / h**2
        g[b] = (16 / 5 - 1 / (15 * ub) - 32 / 3 * ub**2 + 16 * ub**3 - 48 / 5 * ub**4 + 32 / 15 * ub**5) / h
        dg[b] = (1 / (15 * ub**2) - 64 / 3 * ub + 48 * ub**2 - 192 / 5 * ub**3 + 32 / 3 * ub**4) / h**2
    else:
        a = u < 1.0
        ua = u[a]
        g[a] = (3 - 7 * ua**2 + 21 * ua**4 - 28 * ua**5 + 15 * ua**6 - 3 * ua**7) / h
        dg[a] = (-14 * ua + 84 * ua**3 - 140 * ua**4 + 90 * ua**5 - 21 * ua**6) / h**2
    return g, -dg / r


def laplace(sources, charges, targets=None, softening=0.0, kernel="plummer"):
    """Potential ``(nd, nt)`` and gradient ``(nd, nt, 3)`` by the double loop."""
    sources = np.asarray(sources, dtype=np.float64)
    q = np.atleast_2d(np.asarray(charges, dtype=np.float64))
    at_sources = targets is None
    t = sources if at_sources else np.asarray(targets, dtype=np.float64)
    d = sources[None, :, :] - t[:, None, :]  # (nt, n, 3): r_j - t
    r = np.sqrt(np.sum(d * d, axis=-1))
    if at_sources:
        np.fill_diagonal(r, 1.0)
    g, f = kernel_terms(r, softening, kernel)
    if at_sources:
        np.fill_diagonal(g, 0.0)
        np.fill_diagonal(f, 0.0)
    pot = q @ g.T
    grad = np.einsum("cj,ij,ijk->cik", q, f, d)
    return pot, grad
