"""covar: Laplace (1/r) sums on numpy arrays.

Potentials and gradients of ``nd`` channels of charges, exact (SIMD direct
sums, the same bits for any number of threads) or fast (a multipole
backend at a set tolerance), on every core without OpenMP, with the GIL
released while the sums run.

Conventions (as covar's command line and Rust API)::

    phi^c(t)      = sum_j q^c_j G(|t - r_j|)
    grad phi^c(t) = d phi^c / dt

with ``G = 1/r`` (no ``1/(4 pi)``), softened by ``softening`` (a
Plummer-equivalent length) with the kernel ``kernel``; at the sources the
term ``j = i`` is left out. The gradient is the true gradient of the
potential: the Coulomb field is ``E = -grad phi``, the gravitational
acceleration of masses ``m`` with ``G = 1`` is ``+grad phi``.

Example:

>>> import numpy as np, covar
>>> r = np.array([[0.0, 0, 0], [1.0, 0, 0], [0.0, 2, 0]])
>>> q = np.array([1.0, -1.0, 2.0])
>>> phi, grad = covar.laplace(r, q)
>>> phi.round(6)
array([0.      , 1.894427, 0.052786])
>>> grad[0].round(6)  # -1 at x = 1 and 2 at y = 2 seen from the origin
array([-1. ,  0.5,  0. ])
"""

from __future__ import annotations

from typing import NamedTuple, Optional, Sequence, Tuple

import numpy as np

from . import _covar
from ._covar import BACKENDS, SOFTENING_KERNELS, KernelError, RunError, isas

__version__: str = _covar.__version__

__all__ = [
    "BACKENDS",
    "SOFTENING_KERNELS",
    "Fields",
    "KernelError",
    "RunError",
    "Simulation",
    "FitResult",
    "covariance_product",
    "fit",
    "isas",
    "laplace",
    "vector_potential",
]


class Fields(NamedTuple):
    """What :func:`laplace` returns: ``phi, grad = covar.laplace(...)``."""

    potential: np.ndarray
    """``(nt,)`` for one channel of charges, ``(nd, nt)`` for ``nd``."""
    gradient: Optional[np.ndarray]
    """``(nt, 3)`` or ``(nd, nt, 3)``; ``None`` when ``gradient=False``."""


def _as_f64(name: str, a, allow_bool: bool = False) -> np.ndarray:
    """``a`` as a C-contiguous float64 array, copied only if it is not one.

    Raises ``TypeError`` for values that are not real numbers and
    ``ValueError`` where float64 would change a value (large integers,
    long double), so that no precision is lost silently.
    """
    arr = np.asarray(a)
    kind = arr.dtype.kind
    if kind not in ("fiub" if allow_bool else "fiu"):
        raise TypeError(
            f"{name} has dtype {arr.dtype}: expected real numbers (float64, or a type float64 holds exactly)"
        )
    out = np.ascontiguousarray(arr, dtype=np.float64)
    lossy = (kind in "iu" and arr.dtype.itemsize > 4) or (kind == "f" and arr.dtype.itemsize > 8)
    if lossy and not np.array_equal(out.astype(arr.dtype), arr):
        bad = int(np.flatnonzero(out.astype(arr.dtype).ravel() != arr.ravel())[0])
        index = tuple(int(i) for i in np.unravel_index(bad, arr.shape))
        raise ValueError(
            f"{name}: element {index} ({arr.ravel()[bad].item()}) "
            "has no exact float64 value; convert it explicitly"
        )
    return out


def _points(name: str, a) -> np.ndarray:
    """``(n, 3)`` coordinates as float64, C-contiguous."""
    arr = _as_f64(name, a)
    if arr.ndim != 2 or arr.shape[1] != 3:
        raise ValueError(f"{name} has shape {arr.shape}, expected (n, 3)")
    return arr


def _out(name: str, a, shape: Tuple[int, ...]) -> np.ndarray:
    """A caller's output array: float64, C-contiguous, writeable, ``shape``."""
    if not isinstance(a, np.ndarray):
        raise TypeError(f"out: {name} must be a numpy array, not {type(a).__name__}")
    if a.dtype != np.float64 or not a.flags.c_contiguous or not a.flags.writeable:
        raise ValueError(f"out: {name} must be a writeable, C-contiguous float64 array")
    if a.shape != shape:
        raise ValueError(f"out: {name} has shape {a.shape}, expected {shape}")
    return a


def laplace(
    sources,
    charges,
    targets=None,
    *,
    softening: float = 0.0,
    kernel: str = "plummer",
    backend: str = "direct",
    tol: float = 1e-6,
    gradient: bool = True,
    threads: Optional[int] = None,
    isa: Optional[str] = None,
    out: Optional[Sequence[np.ndarray]] = None,
) -> Fields:
    """Potentials and gradients of charges at targets (by default, at the sources).

    Parameters
    ----------
    sources : (n, 3) array_like
        Source positions.
    charges : (n,) or (nd, n) array_like
        One or ``nd`` channels of source values (charges, masses, ...).
    targets : (nt, 3) array_like, optional
        Where to evaluate. ``None``: at the sources, each leaving itself out.
    softening : float
        Plummer-equivalent softening length ``s >= 0`` (``G(0) = 1/s``).
        With ``s = 0`` a target on a source is an error naming both.
    kernel : {"plummer", "spline", "wendland-c2"}
        The softened kernel; ``spline`` and ``wendland-c2`` are exactly
        ``1/r`` beyond ``2.8 s`` and ``3 s``.
    backend : {"direct", "fast", "naive"}
        ``direct``: exact to round-off, SIMD, the same bits for any number
        of threads. ``fast``: tree / multipole sums, relative error below
        ``tol``. ``naive``: the textbook double loop (a reference).
    tol : float
        Accuracy of the fast backend, in (0, 1).
    gradient : bool
        Also compute the gradients.
    threads : int, optional
        Number of threads; ``None`` uses every core.
    isa : str, optional
        Instruction set (one of :func:`isas`); ``None``: the fastest, or
        the environment variable ``COVAR_ISA``.
    out : (potential, gradient), optional
        Arrays to write into, shaped as the result (``gradient`` may be
        ``None`` when ``gradient=False``).

    Returns
    -------
    Fields
        ``(potential, gradient)``: ``(nt,)`` and ``(nt, 3)`` for charges of
        shape ``(n,)``; ``(nd, nt)`` and ``(nd, nt, 3)`` for ``(nd, n)``.

    Raises
    ------
    KernelError
        (a ``ValueError``) a non-finite coordinate or charge, coincident
        points with softening 0, a bad softening or tolerance; the message
        names the array, the index and the field.
    ValueError, TypeError
        Wrong shapes or types.

    Examples
    --------
    >>> import numpy as np, covar
    >>> rng = np.random.default_rng(1)
    >>> r, m = rng.random((1000, 3)), np.full(1000, 1e-3)
    >>> phi, g = covar.laplace(r, m, softening=0.01, kernel="spline")
    >>> phi_f, g_f = covar.laplace(r, m, softening=0.01, kernel="spline", backend="fast", tol=1e-8)
    >>> bool(np.abs(phi_f - phi).max() < 1e-7 * np.abs(phi).max())
    True
    """
    src = _points("sources", sources)
    n = src.shape[0]
    q = _as_f64("charges", charges)
    single = q.ndim == 1
    if single:
        q = q.reshape(1, -1)
    if q.ndim != 2 or q.shape[1] != n:
        raise ValueError(
            f"charges has shape {np.shape(charges)}, expected ({n},) or (nd, {n}) for {n} sources"
        )
    nd = q.shape[0]
    tgt = None if targets is None else _points("targets", targets)
    nt = n if tgt is None else tgt.shape[0]
    shape = (nt,) if single else (nd, nt)
    if out is None:
        pot = np.empty(shape)
        grad = np.empty(shape + (3,)) if gradient else None
    else:
        pot_out, grad_out = out
        pot = _out("potential", pot_out, shape)
        grad = _out("gradient", grad_out, shape + (3,)) if gradient else None
    _covar.laplace_into(
        src,
        q,
        tgt,
        pot.reshape(nd, nt),
        None if grad is None else grad.reshape(nd, nt, 3),
        softening=float(softening),
        kernel=kernel,
        backend=backend,
        tol=float(tol),
        isa=isa,
        threads=threads,
        components_last=True,
    )
    return Fields(pot, grad)


def _particles(positions, masses, charges):
    r = _points("positions", positions)
    n = r.shape[0]
    m = _as_f64("masses", masses)
    c = _as_f64("charges", charges)
    for name, a in (("masses", m), ("charges", c)):
        if a.shape != (n,):
            raise ValueError(f"{name} has shape {a.shape}, expected ({n},)")
    return r, m, c


def covariance_product(
    positions,
    masses,
    charges,
    x,
    *,
    softening: float = 0.0,
    backend: str = "direct",
    tol: float = 1e-6,
    threads: Optional[int] = None,
    isa: Optional[str] = None,
) -> np.ndarray:
    """The covariance product ``Y = K X`` of the covar model, without forming ``K``.

    ``K_ii = m_i`` and ``K_ij = q_i q_j G(|r_i - r_j|)`` (Plummer softening
    ``softening``): the model's covariance of the clusters.

    Parameters
    ----------
    positions : (n, 3) array_like
    masses : (n,) array_like
        Variances ``m_i > 0``.
    charges : (n,) array_like
    x : (n,) or (n, b) array_like
        One vector or a block of ``b`` columns.

    Returns
    -------
    numpy.ndarray
        ``K x``, shaped as ``x``.

    Examples
    --------
    >>> import numpy as np, covar
    >>> r = np.array([[0.0, 0, 0], [2.0, 0, 0]])
    >>> covar.covariance_product(r, [3.0, 5.0], [1.0, -1.0], [1.0, 1.0])
    array([2.5, 4.5])
    """
    r, m, c = _particles(positions, masses, charges)
    n = r.shape[0]
    xa = _as_f64("x", x)
    if xa.shape[:1] != (n,) or xa.ndim > 2:
        raise ValueError(f"x has shape {xa.shape}, expected ({n},) or ({n}, b)")
    block = np.ascontiguousarray(xa.reshape(n, -1).T)
    y = np.empty_like(block)
    _covar.covariance_product_into(
        r, m, c, block, y,
        softening=float(softening), backend=backend, tol=float(tol), isa=isa, threads=threads,
    )
    return y.T.reshape(xa.shape).copy()


def vector_potential(
    positions,
    masses,
    charges,
    momenta,
    *,
    softening: float = 0.0,
    gradient: bool = True,
    backend: str = "direct",
    tol: float = 1e-6,
    threads: Optional[int] = None,
    isa: Optional[str] = None,
) -> Tuple[np.ndarray, Optional[np.ndarray]]:
    """The covar model's vector potential ``A_i = sum_{j != i} q_j (P_j / m_j) G_ij``.

    Returns
    -------
    (A, J)
        ``A`` is ``(n, 3)``; ``J`` is ``(n, 3, 3)`` with
        ``J[i, c, d] = dA_i^c / dr_i^d`` (``None`` when ``gradient=False``).

    Examples
    --------
    >>> import numpy as np, covar
    >>> r = np.array([[0.0, 0, 0], [2.0, 0, 0]])
    >>> a, j = covar.vector_potential(r, [1.0, 2.0], [1.0, 1.0], [[0.0, 0, 0], [0.0, 4, 0]])
    >>> a[0]  # q_1 (P_1 / m_1) / 2
    array([0., 1., 0.])
    """
    r, m, c = _particles(positions, masses, charges)
    n = r.shape[0]
    p = _points("momenta", momenta)
    if p.shape[0] != n:
        raise ValueError(f"momenta has shape {p.shape}, expected ({n}, 3)")
    a = np.empty((3, n))
    ga = np.empty((9, n)) if gradient else None
    _covar.vector_potential_into(
        r, m, c, p, a, ga,
        softening=float(softening), backend=backend, tol=float(tol), isa=isa, threads=threads,
    )
    jac = None if ga is None else np.ascontiguousarray(ga.reshape(3, 3, n).transpose(2, 0, 1))
    return np.ascontiguousarray(a.T), jac


class Simulation:
    """A ``covar run``, stepped from Python.

    The keywords are ``covar run``'s settings under the names of its TOML
    keys, with ``_`` for ``-`` (``preset``, ``ic``, ``n``, ``seed``,
    ``integrator``, ``dt``, ``steps`` or ``t_end``, ``softening``,
    ``softening_kernel``, ``backend``, ``tol``, ``threads``, ``out``,
    ``energy_every``, ``snapshot_every``, ``checkpoint_every``,
    ``final_state``, ``overwrite``, ...; ``from_`` for ``--from``). They go
    through the same resolution and range checks as the command line's
    flags and ``--config`` file, with the same defaults, and a bad value is
    a ``ValueError`` naming the setting. The run writes what ``covar run``
    writes into ``out`` (energy log, snapshots, checkpoints,
    ``summary.json``), bit for bit: ``covar run --resume OUT`` continues a
    run checkpointed here, and :meth:`resume` one checkpointed there.

    Examples
    --------
    >>> import tempfile, covar
    >>> out = tempfile.mkdtemp()
    >>> sim = covar.Simulation(ic="kepler", dt=0.01, steps=100, out=out, overwrite=True)
    >>> sim.integrate(steps=40)
    40
    >>> round(sim.time, 12)
    0.4
    >>> sim.integrate()  # the rest
    60
    >>> report = sim.finish()
    >>> report["steps"], report["max_rel_h_error"] < 1e-3
    (100, True)
    """

    def __init__(self, *, progress: bool = False, **settings) -> None:
        self._session = _covar.Session(settings, progress)

    @classmethod
    def from_arrays(cls, positions, momenta, masses, charges, *, out="covar-out",
                    overwrite: bool = False, progress: bool = False, **settings) -> "Simulation":
        """A run of the particles given as arrays: positions and canonical momenta
        ``(n, 3)``, masses and charges ``(n,)``; the other keywords as for
        :class:`Simulation`.

        The particles are written to ``OUT/initial.csv`` (every value to 17
        significant digits, so exactly) and the run reads them from there,
        as ``covar run --from OUT/initial.csv`` would; ``run.toml`` names the
        file, so the run can be repeated from the command line. The command
        line's checks apply (a mass <= 0 or a non-finite value is an error
        naming the line and column of that file).
        """
        r = _points("positions", positions)
        n = r.shape[0]
        p = _points("momenta", momenta)
        m = _as_f64("masses", masses)
        q = _as_f64("charges", charges)
        for name, a, shape in (("momenta", p, (n, 3)), ("masses", m, (n,)), ("charges", q, (n,))):
            if a.shape != shape:
                raise ValueError(f"{name} has shape {a.shape}, expected {shape} for {n} positions")
        import pathlib

        folder = pathlib.Path(out)
        path = folder / "initial.csv"
        if path.exists() and not overwrite:
            raise ValueError(f"{path} exists (an earlier run's particles): pass overwrite=True or another out")
        folder.mkdir(parents=True, exist_ok=True)
        table = np.column_stack([r, p, m, q])
        np.savetxt(path, table, delimiter=",", header="x,y,z,px,py,pz,m,q", comments="", fmt="%.17g")
        return cls(from_=path, out=folder, overwrite=overwrite, progress=progress, **settings)

    @classmethod
    def resume(cls, out, *, threads: Optional[int] = None, progress: bool = False) -> "Simulation":
        """Continues the run in ``out`` from its checkpoint, as ``covar run --resume OUT``."""
        sim = cls.__new__(cls)
        sim._session = _covar.Session.resume(out, threads, progress)
        return sim

    def integrate(self, steps: Optional[int] = None, *, t_end: Optional[float] = None,
                  callback=None, every: int = 1) -> int:
        """Takes ``steps`` steps, or steps until ``t_end``, or (neither) the rest of the run.

        ``callback(sim)``, if given, is called every ``every`` steps; if it
        returns ``False`` the integration stops there. The GIL is released
        during the steps, and Ctrl-C stops at a step boundary. Returns the
        number of steps taken.
        """
        left = self.steps - self.step
        if steps is not None and t_end is not None:
            raise ValueError("give steps or t_end, not both")
        if t_end is not None:
            steps = max(0, int(np.ceil((float(t_end) - self.time) / self.dt - 1e-9)))
        if steps is None:
            steps = left
        if steps < 0:
            raise ValueError(f"steps is {steps}, expected >= 0")
        if steps > left:
            raise ValueError(
                f"{steps} steps asked and {left} left: the run has {self.steps} steps "
                "(its steps or t_end setting); start a longer one"
            )
        if every < 1:
            raise ValueError(f"every is {every}, expected >= 1")
        done = 0
        while done < steps:
            chunk = min(every, steps - done) if callback is not None else steps - done
            done += self._session.advance(chunk)
            if callback is not None and callback(self) is False:
                break
        return done

    @property
    def step(self) -> int:
        """Steps taken (counting those before a resumed run's checkpoint)."""
        return self._session.step

    @property
    def steps(self) -> int:
        """The run's number of steps."""
        return self._session.steps

    @property
    def dt(self) -> float:
        """The time step."""
        return self._session.dt

    @property
    def time(self) -> float:
        """Simulated time."""
        return self._session.time

    @property
    def out(self):
        """The output folder (a ``pathlib.Path``)."""
        return self._session.out

    @property
    def settings(self) -> str:
        """The settings as ``covar run`` saves them (``run.toml``)."""
        return self._session.settings_toml

    @property
    def positions(self) -> np.ndarray:
        """``(n, 3)`` positions, a copy."""
        return self._session.state()[0]

    @property
    def momenta(self) -> np.ndarray:
        """``(n, 3)`` canonical momenta, a copy."""
        return self._session.state()[1]

    @property
    def masses(self) -> np.ndarray:
        """``(n,)`` masses, a copy."""
        return self._session.state()[2]

    @property
    def charges(self) -> np.ndarray:
        """``(n,)`` charges, a copy."""
        return self._session.state()[3]

    @property
    def ids(self) -> np.ndarray:
        """``(n,)`` particle ids, a copy."""
        return self._session.state()[4]

    def energy(self) -> dict:
        """``H``, its parts ``t_part`` and ``u``, ``rel_h_error`` against ``H(0)``,
        ``|sum P|`` and ``|sum r x P|`` of the current state (one Laplace sum)."""
        return self._session.energy()

    def checkpoint(self):
        """Writes a checkpoint of the current step into :attr:`out` and returns its path."""
        return self._session.checkpoint()

    def finish(self) -> dict:
        """Ends a run whose steps are all taken: writes the final state (with
        ``final_state``) and ``summary.json``, and returns the summary."""
        import json

        return json.loads(self._session.finish())


class FitResult(NamedTuple):
    """What :func:`fit` returns."""

    positions: np.ndarray
    """``(n, 3)`` positions of the fitted particles (one per cluster)."""
    masses: np.ndarray
    """``(n,)`` masses: the clusters' variances."""
    charges: np.ndarray
    """``(n,)`` charges: ``+-sqrt(m)``, the sign of each cluster's correlation."""
    clusters: list
    """Per cluster: ``id``, ``size``, ``members`` (column indices), ``signs``,
    ``mass``, ``charge``, ``mean``, ``position``."""
    report: dict
    """``covar fit``'s whole report: clusters, residuals, the loss (exact,
    first order, the seed's closed form, stochastic), timings."""


def fit(
    data,
    *,
    threshold: float = 0.5,
    min_correlation: float = 0.01,
    eps: Optional[float] = None,
    softening: float = 0.0,
    dense_limit: int = 2000,
    stochastic: bool = False,
    probes: int = 32,
    lanczos_steps: int = 40,
    seed: int = 1,
    backend: str = "direct",
    tol: float = 1e-6,
    threads: Optional[int] = None,
) -> FitResult:
    """Clusters, particles and the seed's loss from binary measurements, as ``covar fit``.

    Parameters
    ----------
    data : (T, M) array_like
        ``T`` time steps of ``M`` binary variables: -1/+1 or 0/1 (or bool),
        one encoding throughout.
    threshold, min_correlation, eps, softening, dense_limit, stochastic, probes,
    lanczos_steps, seed, backend, threads
        ``covar fit``'s options of the same names (``covar fit --help``), with
        the same defaults and ranges.
    tol : float
        Accuracy of the fast backend, where ``backend="fast"``.

    Returns
    -------
    FitResult
        The particles as arrays (ready for :class:`Simulation`'s ``from_``
        through a file, or for :func:`covariance_product`), the clusters and
        the full report.

    Examples
    --------
    >>> import numpy as np, covar
    >>> rng = np.random.default_rng(0)
    >>> hidden = rng.choice([-1, 1], size=(4000, 2))
    >>> flips = rng.random((4000, 6)) < 0.1
    >>> data = np.repeat(hidden, 3, axis=1) * np.where(flips, -1, 1)
    >>> result = covar.fit(data)
    >>> [c["members"] for c in result.clusters]
    [[0, 1, 2], [3, 4, 5]]
    >>> result.masses.shape, result.positions.shape
    ((2,), (2, 3))
    """
    values = _as_f64("data", data, allow_bool=True)
    if values.ndim != 2:
        raise ValueError(f"data has shape {values.shape}, expected (T, M): T rows of M variables")
    import json

    text, positions, masses, charges = _covar.fit_array(
        values,
        threshold=float(threshold),
        min_correlation=float(min_correlation),
        eps=None if eps is None else float(eps),
        softening=float(softening),
        dense_limit=int(dense_limit),
        stochastic=bool(stochastic),
        probes=int(probes),
        lanczos_steps=int(lanczos_steps),
        seed=int(seed),
        backend=backend,
        tol=float(tol),
        threads=threads,
    )
    report = json.loads(text)
    return FitResult(positions, masses, charges, report["clusters"], report)
