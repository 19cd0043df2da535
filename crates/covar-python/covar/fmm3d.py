"""A drop-in for fmm3dpy's Laplace routines: change one import.

::

    import fmm3dpy as fmm           # before
    import covar.fmm3d as fmm       # after
    out = fmm.lfmm3d(eps=1e-6, sources=sources, charges=charges, pg=2)

Shapes, keywords and conventions are fmm3dpy's: ``sources`` is ``(3, n)``,
``charges`` ``(n,)`` or ``(nd, n)``, and the kernel is ``1/(4 pi r)``, so
``out.pot`` is covar's potential divided by ``4 pi`` and ``out.grad`` (shape
``(3, n)`` or ``(nd, 3, n)``) its gradient divided by ``4 pi``. The sums run
on covar's fast backend with ``tol = eps`` (every core, the GIL released);
:func:`l3ddir` runs the exact direct backend.

Differences from fmm3dpy, each raising an exception rather than returning
something else:

- dipoles (``dipvec``) and Hessians (``pg=3``, ``pgt=3``) are not computed
  by covar: ``NotImplementedError``;
- a target on a source is an error (``covar.KernelError``, naming both),
  where FMM3D leaves the pair out;
- invalid input (non-finite values, bad shapes) raises ``ValueError``
  instead of an ``AssertionError`` or a crash.

``pg`` and ``pgt`` may both be set, to different levels (fmm3dpy requires
them equal).

>>> import numpy as np
>>> import covar.fmm3d as fmm
>>> sources = np.array([[0.0, 1.0], [0.0, 0.0], [0.0, 0.0]])
>>> out = fmm.lfmm3d(eps=1e-9, sources=sources, charges=np.array([1.0, 2.0]), pg=2)
>>> bool(np.isclose(out.pot[0], 2.0 / (4 * np.pi)))
True
>>> out.grad.shape
(3, 2)
"""

from __future__ import annotations

import warnings
from typing import Optional

import numpy as np

from . import _as_f64, laplace

__all__ = ["Output", "lfmm3d", "l3ddir", "comperr"]

_FOUR_PI = 4.0 * np.pi


class Output:
    """Results, as fmm3dpy's ``Output``: unset fields are ``None``."""

    pot: Optional[np.ndarray] = None
    grad: Optional[np.ndarray] = None
    hess: Optional[np.ndarray] = None
    pottarg: Optional[np.ndarray] = None
    gradtarg: Optional[np.ndarray] = None
    hesstarg: Optional[np.ndarray] = None
    ier: int = 0


def _transposed_points(name: str, a) -> np.ndarray:
    arr = _as_f64(name, a)
    if arr.ndim == 1 and arr.shape[0] == 3:
        arr = arr.reshape(3, 1)
    if arr.ndim != 2 or arr.shape[0] != 3:
        raise ValueError(f"{name} has shape {arr.shape}, expected (3, n)")
    return arr.T


def _charges(charges, nd: int, n: int) -> np.ndarray:
    if charges is None:
        raise ValueError("charges are required (covar computes no dipole fields)")
    q = _as_f64("charges", charges)
    expected = (n,) if nd == 1 else (nd, n)
    if nd < 1 or q.shape != expected:
        raise ValueError(f"charges has shape {q.shape}, expected {expected} for nd = {nd}")
    return q


def _check_level(name: str, level: int) -> None:
    if level == 3:
        raise NotImplementedError(f"{name}=3 asks for Hessians, which covar does not compute")
    if level not in (0, 1, 2):
        raise ValueError(f"{name} is {level}, expected 0, 1 or 2")


def _evaluate(sources, charges, targets, level, backend, eps, threads):
    fields = laplace(
        sources,
        charges,
        targets,
        backend=backend,
        tol=eps,
        gradient=level >= 2,
        threads=threads,
    )
    pot = fields.potential
    pot /= _FOUR_PI
    grad = None
    if fields.gradient is not None:
        # covar: (..., n, 3); fmm3dpy: (..., 3, n).
        grad = np.ascontiguousarray(np.moveaxis(fields.gradient, -1, -2))
        grad /= _FOUR_PI
    return pot, grad


def lfmm3d(
    *,
    eps: float,
    sources,
    charges=None,
    dipvec=None,
    targets=None,
    pg: int = 0,
    pgt: int = 0,
    nd: int = 1,
    threads: Optional[int] = None,
) -> Output:
    """Laplace sums ``u(x) = sum_j c_j / (4 pi |x - x_j|)`` and their gradients, as fmm3dpy.

    Parameters are fmm3dpy's (``eps``: requested relative precision;
    ``pg``/``pgt``: 1 potential, 2 potential and gradient, at the sources /
    at the targets), plus ``threads`` (``None``: every core).
    """
    if dipvec is not None:
        raise NotImplementedError("dipvec: covar computes charge (monopole) sums only, not dipoles")
    _check_level("pg", pg)
    _check_level("pgt", pgt)
    src = _transposed_points("sources", sources)
    q = _charges(charges, nd, src.shape[0])
    out = Output()
    if pg == 0 and (pgt == 0 or targets is None):
        warnings.warn("nothing to compute: set pg, or pgt with targets", stacklevel=2)
        return out
    if pg > 0:
        out.pot, out.grad = _evaluate(src, q, None, pg, "fast", eps, threads)
    if pgt > 0 and targets is not None:
        tgt = _transposed_points("targets", targets)
        out.pottarg, out.gradtarg = _evaluate(src, q, tgt, pgt, "fast", eps, threads)
    return out


def l3ddir(
    *,
    sources,
    targets,
    charges=None,
    dipvec=None,
    pgt: int = 1,
    nd: int = 1,
    thresh: float = 1e-16,
    threads: Optional[int] = None,
) -> Output:
    """The same sums at ``targets`` by covar's exact direct backend, as fmm3dpy's ``l3ddir``.

    ``thresh`` is accepted for compatibility; a target closer to a source
    than round-off is an error here rather than a skipped pair.
    """
    del thresh
    if dipvec is not None:
        raise NotImplementedError("dipvec: covar computes charge (monopole) sums only, not dipoles")
    _check_level("pgt", pgt)
    src = _transposed_points("sources", sources)
    q = _charges(charges, nd, src.shape[0])
    out = Output()
    if pgt > 0:
        tgt = _transposed_points("targets", targets)
        out.pottarg, out.gradtarg = _evaluate(src, q, tgt, pgt, "direct", 0.5, threads)
    return out


def comperr(*, ntest: int, out: Output, outex: Output, pg: int = 0, pgt: int = 0, nd: int = 1) -> float:
    """Relative l2 error of ``out`` against ``outex`` over the first ``ntest`` points, as fmm3dpy's ``comperr``."""
    num = 0.0
    den = 0.0
    pairs = []
    if pg > 0:
        pairs.append((out.pot, outex.pot))
    if pg >= 2:
        pairs.append((out.grad, outex.grad))
    if pgt > 0:
        pairs.append((out.pottarg, outex.pottarg))
    if pgt >= 2:
        pairs.append((out.gradtarg, outex.gradtarg))
    for got, ref in pairs:
        got = np.asarray(got)[..., :ntest]
        ref = np.asarray(ref)[..., :ntest]
        num += float(np.sum((got - ref) ** 2))
        den += float(np.sum(ref**2))
    return float(np.sqrt(num / den)) if den > 0 else float(np.sqrt(num))
