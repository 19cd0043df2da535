"""Type stubs of the native module ``covar._covar`` (see ``covar`` for the documented API)."""

from typing import List, Optional

import numpy as np

__version__: str
BACKENDS: List[str]
SOFTENING_KERNELS: List[str]

class KernelError(ValueError):
    """An input covar cannot sum; the message names the array, the index and the field."""

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
