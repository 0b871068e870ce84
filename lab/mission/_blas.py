"""One BLAS thread for the geometry's matrix products (:func:`one_blas_thread`).

The time-grid geometry multiplies (chunk, 10) coefficient matrices by (10, 3E) time functions
(:func:`lab.orbits.core.circular_shell_states`) and (St, 3) station verticals by (3, chunk E)
positions: products with an inner dimension of 3 or 10, a few million outputs each. More BLAS
threads add little to those but a synchronisation per product, and on a shared machine (the
lab's 2-core classroom server, a Dask worker next to others) a descheduled BLAS thread stalls
every product: 30,000 satellites took 4-16 s with NumPy's two OpenBLAS threads under load and
2.2-2.5 s with one (measured with ``benchmarks/bench_scale.py``).

:func:`one_blas_thread` sets OpenBLAS's thread count **for the calling thread only**
(``openblas_set_num_threads_local``, OpenBLAS >= 0.3.27, the library NumPy's wheels bundle) and
restores it afterwards; other threads (a Dask worker's) keep theirs. Where that function is
not found (another BLAS), it does nothing. Results do not depend on it (OpenBLAS computes each
output of these products in one thread either way; tests compare with and without).
"""

from __future__ import annotations

import ctypes
import glob
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import numpy as np

__all__ = ["one_blas_thread"]


@lru_cache(maxsize=1)
def _set_local_threads() -> Any:
    """OpenBLAS's ``openblas_set_num_threads_local`` of NumPy's bundled library, or None."""
    libs = os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs", "*openblas*")
    for path in sorted(glob.glob(libs)):
        try:
            fn = ctypes.CDLL(path).openblas_set_num_threads_local
        except (OSError, AttributeError):
            continue
        fn.argtypes, fn.restype = [ctypes.c_int], ctypes.c_int
        return fn
    return None


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Run the block with one OpenBLAS thread in this thread (see the module docstring)."""
    fn = _set_local_threads()
    if fn is None:
        yield
        return
    previous = fn(1)
    try:
        yield
    finally:
        fn(max(int(previous), 1))
