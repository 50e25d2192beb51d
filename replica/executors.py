"""Executors for scans: where the points of a scan run.

* ``None`` / ``"process"`` — :class:`concurrent.futures.ProcessPoolExecutor` on the local cores;
* ``"serial"`` — in the driver process (:class:`SerialExecutor`);
* ``"thread"`` — a thread pool;
* ``"dask"`` — a :mod:`dask.distributed` ``LocalCluster`` (``workers`` processes) or the cluster
  at ``scheduler="tcp://host:port"``; a ``distributed.Client`` may be passed directly;
* any :class:`concurrent.futures.Executor` instance (left open for the caller).
"""
from __future__ import annotations

import concurrent.futures as cf
import os

from ._process import process_pool
from .errors import ReplicaInputError, check_workers

__all__ = ["SerialExecutor", "make_executor"]



class SerialExecutor(cf.Executor):
    """Runs each task at submit time in the calling process (a concurrent.futures Executor)."""

    _max_workers = 1

    def submit(self, fn, /, *args, **kwargs):
        fut = cf.Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # delivered through the future like any executor
            fut.set_exception(exc)
        return fut


def make_executor(executor=None, *, workers: int | None = None, scheduler: str | None = None):
    """Return ``(executor, slots, close)``: a concurrent.futures Executor, how many tasks to keep
    in flight, and a function that shuts down what this call started."""
    ncpu = os.cpu_count() or 1
    local = not (scheduler is not None or type(executor).__name__ == "Client"
                 or isinstance(executor, cf.Executor))
    workers = check_workers("workers", workers, local=local)
    if scheduler is not None and executor in (None, "dask"):
        executor = "dask"
    if isinstance(executor, cf.Executor):
        slots = getattr(executor, "_max_workers", None) or workers or ncpu
        return executor, 2 * int(slots), lambda: None
    if executor is None or executor == "process":
        n = int(workers or ncpu)
        ex = process_pool(n)     # workers exit when this driver dies (no orphans)
        return ex, 2 * n, lambda: ex.shutdown(wait=True, cancel_futures=True)
    if executor == "serial":
        return SerialExecutor(), 1, lambda: None
    if executor == "thread":
        n = int(workers or ncpu)
        ex = cf.ThreadPoolExecutor(max_workers=n)
        return ex, 2 * n, lambda: ex.shutdown(wait=True, cancel_futures=True)
    if executor == "dask" or type(executor).__name__ == "Client":
        try:
            import distributed
        except ImportError:
            raise ReplicaInputError("executor='dask' needs dask.distributed "
                                    "(pip install 'replica[cluster]')") from None
        closers = []
        if isinstance(executor, distributed.Client):
            client = executor
        elif scheduler is not None:
            try:
                client = distributed.Client(scheduler, timeout="20s")
            except OSError as exc:
                raise ReplicaInputError(f"cannot reach the dask scheduler {scheduler}: "
                                        f"{exc}") from None
            closers.append(client.close)
        else:
            cluster = distributed.LocalCluster(n_workers=int(workers or ncpu),
                                               threads_per_worker=1, processes=True,
                                               dashboard_address=None)
            client = distributed.Client(cluster)
            closers += [client.close, cluster.close]
        nthreads = sum(client.nthreads().values()) or int(workers or 1)

        def close():
            for c in closers:
                try:
                    c()
                except Exception:  # shutting down a cluster must not mask the scan's outcome
                    pass
        return client.get_executor(pure=False), 2 * nthreads, close
    raise ReplicaInputError(f"unknown executor {executor!r}; use 'serial', 'process', 'dask', "
                            "a concurrent.futures.Executor or a distributed.Client")
