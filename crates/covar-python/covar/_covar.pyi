"""Type stubs of the native module ``covar._covar`` (see ``covar`` for the documented API)."""

from os import PathLike
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Union

import numpy as np

__version__: str
BACKENDS: List[str]
SOFTENING_KERNELS: List[str]

class KernelError(ValueError):
    """An input covar cannot sum; the message names the array, the index and the field."""

class RunError(RuntimeError):
    """A run that failed while stepping or writing its files."""

class Session:
    """A ``covar run`` between two steps (see ``covar.Simulation``)."""

    def __init__(self, settings: Optional[Dict[str, Any]] = None, progress: bool = False) -> None: ...
    @staticmethod
    def resume(dir: Union[str, PathLike], threads: Optional[int] = None, progress: bool = False) -> "Session": ...
    def advance(self, steps: int) -> int: ...
    @property
    def step(self) -> int: ...
    @property
    def steps(self) -> int: ...
    @property
    def dt(self) -> float: ...
    @property
    def time(self) -> float: ...
    @property
    def out(self) -> Path: ...
    @property
    def settings_toml(self) -> str: ...
    def state(self) -> Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]: ...
    def energy(self) -> Dict[str, Any]: ...
    def checkpoint(self) -> Path: ...
    def finish(self) -> str: ...

def fit_array(
    data: np.ndarray,
    *,
    threshold: float,
    min_correlation: float,
    eps: Optional[float],
    softening: float,
    dense_limit: int,
    stochastic: bool,
    probes: int,
    lanczos_steps: int,
    seed: int,
    backend: str,
    tol: float,
    threads: Optional[int],
) -> Tuple[str, np.ndarray, np.ndarray, np.ndarray]: ...

def isas() -> List[str]:
    """The instruction sets this CPU can run, slowest first."""

def laplace_into(
    sources: np.ndarray,
    charges: np.ndarray,
    targets: Optional[np.ndarray],
    potential: np.ndarray,
    gradient: Optional[np.ndarray],
    *,
    softening: float,
    kernel: str,
    backend: str,
    tol: float,
    isa: Optional[str],
    threads: Optional[int],
    components_last: bool,
) -> None: ...
def covariance_product_into(
    positions: np.ndarray,
    masses: np.ndarray,
    charges: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    *,
    softening: float,
    backend: str,
    tol: float,
    isa: Optional[str],
    threads: Optional[int],
) -> None: ...
def vector_potential_into(
    positions: np.ndarray,
    masses: np.ndarray,
    charges: np.ndarray,
    momenta: np.ndarray,
    a: np.ndarray,
    grad_a: Optional[np.ndarray],
    *,
    softening: float,
    backend: str,
    tol: float,
    isa: Optional[str],
    threads: Optional[int],
) -> None: ...
