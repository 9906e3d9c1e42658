"""One BLAS thread for the API process's numpy products (the similar-ticket search, burst detection).

Why: their products are small and memory-bound, and OpenBLAS's second thread only spins on the core the web server
and the models need; measured on the 2-core test machine, a 2,500 x 384 float64 matrix-vector product took ~1.6 ms
of CPU on OpenBLAS's two threads and ~0.19 ms on one. The limit is process-wide (OpenBLAS's pthreads build).
"""

from __future__ import annotations


def one_blas_thread() -> None:
    try:
        from threadpoolctl import threadpool_limits  # scikit-learn's dependency, so always installed with it
    except ImportError:  # pragma: no cover - the products still run, on as many BLAS threads as numpy chose
        return
    threadpool_limits(1, user_api="blas")
