"""covar.fmm3d against fmm3dpy's conventions, and against fmm3dpy itself where it is installed."""

import numpy as np
import pytest

import covar.fmm3d as fmm
from reference import laplace as reference

FOUR_PI = 4 * np.pi


def cloud(n, nd=1, seed=0):
    rng = np.random.default_rng(seed)
    sources = rng.random((3, n))
    charges = rng.standard_normal(n) if nd == 1 else rng.standard_normal((nd, n))
    return sources, charges


def rel(a, b):
    return float(np.abs(a - b).max() / np.abs(b).max())


@pytest.mark.parametrize("nd", [1, 3])
def test_shapes_and_the_four_pi_convention(nd):
    sources, charges = cloud(500, nd, seed=1)
    targets = np.random.default_rng(2).random((3, 40)) + 1.5
    out = fmm.lfmm3d(eps=1e-10, sources=sources, charges=charges, targets=targets, pg=2, pgt=2, nd=nd)
    lead = () if nd == 1 else (nd,)
    assert out.pot.shape == lead + (500,)
    assert out.grad.shape == lead + (3, 500)
    assert out.pottarg.shape == lead + (40,)
    assert out.gradtarg.shape == lead + (3, 40)
    assert out.hess is None and out.ier == 0
    pot, grad = reference(sources.T, charges)
    tpot, tgrad = reference(sources.T, charges, targets.T)
    sq = (lambda a: a[0]) if nd == 1 else (lambda a: a)
    assert rel(out.pot, sq(pot) / FOUR_PI) < 1e-9
    assert rel(out.grad, sq(np.moveaxis(grad, -1, -2)) / FOUR_PI) < 1e-9
    assert rel(out.pottarg, sq(tpot) / FOUR_PI) < 1e-9
    assert rel(out.gradtarg, sq(np.moveaxis(tgrad, -1, -2)) / FOUR_PI) < 1e-9
    direct = fmm.l3ddir(sources=sources, targets=targets, charges=charges, pgt=2, nd=nd)
    assert rel(direct.pottarg, sq(tpot) / FOUR_PI) < 1e-13
    assert rel(out.gradtarg, direct.gradtarg) < 1e-9
    assert fmm.comperr(ntest=40, out=out, outex=direct, pgt=2, nd=nd) < 1e-9


def test_potential_only_levels():
    sources, charges = cloud(100, seed=3)
    out = fmm.lfmm3d(eps=1e-6, sources=sources, charges=charges, pg=1)
    assert out.pot.shape == (100,) and out.grad is None and out.pottarg is None


def test_what_covar_does_not_compute_says_so():
    sources, charges = cloud(10, seed=4)
    with pytest.raises(NotImplementedError, match="dipoles"):
        fmm.lfmm3d(eps=1e-6, sources=sources, dipvec=np.ones((3, 10)), pg=1)
    with pytest.raises(NotImplementedError, match="Hessians"):
        fmm.lfmm3d(eps=1e-6, sources=sources, charges=charges, pg=3)
    with pytest.raises(ValueError, match=r"charges has shape \(10,\), expected \(2, 10\)"):
        fmm.lfmm3d(eps=1e-6, sources=sources, charges=charges, pg=1, nd=2)
    with pytest.raises(ValueError, match=r"sources has shape \(10, 3\), expected \(3, n\)"):
        fmm.lfmm3d(eps=1e-6, sources=sources.T, charges=charges, pg=1)
    with pytest.warns(UserWarning, match="nothing to compute"):
        fmm.lfmm3d(eps=1e-6, sources=sources, charges=charges)


@pytest.mark.parametrize("nd", [1, 2])
def test_against_fmm3dpy_itself(nd):
    fmm3dpy = pytest.importorskip("fmm3dpy")
    sources, charges = cloud(2000, nd, seed=5)
    targets = np.random.default_rng(6).random((3, 50))
    ours = fmm.lfmm3d(eps=1e-9, sources=sources, charges=charges, pg=2, nd=nd)
    theirs = fmm3dpy.lfmm3d(eps=1e-9, sources=sources, charges=charges, pg=2, nd=nd)
    assert ours.pot.shape == theirs.pot.shape and ours.grad.shape == theirs.grad.shape
    assert rel(ours.pot, theirs.pot) < 1e-8
    assert rel(ours.grad, theirs.grad) < 1e-8
    ours = fmm.lfmm3d(eps=1e-9, sources=sources, charges=charges, targets=targets, pgt=2, nd=nd)
    theirs = fmm3dpy.lfmm3d(eps=1e-9, sources=sources, charges=charges, targets=targets, pgt=2, nd=nd)
    assert ours.gradtarg.shape == theirs.gradtarg.shape
    assert rel(ours.pottarg, theirs.pottarg) < 1e-8
    assert rel(ours.gradtarg, theirs.gradtarg) < 1e-8
