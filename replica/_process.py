"""Worker processes that do not outlive their parent.

A process pool's workers normally wait for their next task forever: when the driver is killed
(``kill -9``, a closed terminal, ``replica scan ... | tee log`` interrupted), they would linger
with parent PID 1. :func:`watch_parent` (the pools' ``initializer``) starts a daemon thread in
the worker that checks ``os.getppid()`` every half second and ends the worker with
``os._exit`` as soon as the parent that started it is gone.
"""
from __future__ import annotations

import os
import threading
import time

__all__ = ["watch_parent", "process_pool"]


def watch_parent(interval: float = 0.5) -> None:
    """Pool initializer: exit this worker when its parent process dies."""
    parent = os.getppid()

    def watch():
        while True:
            time.sleep(interval)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="replica-parent-watch", daemon=True).start()


def process_pool(workers: int, **kwargs):
    """A ``concurrent.futures.ProcessPoolExecutor`` whose workers exit with their parent."""
    import concurrent.futures as cf

    return cf.ProcessPoolExecutor(max_workers=workers, initializer=watch_parent, **kwargs)
