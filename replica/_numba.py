"""The project's single switch around :func:`numba.njit`.

Every compiled kernel in replica is declared with :func:`jit` from this module, so that

* compiled machine code is cached on disk (``cache=True``): a second process does not recompile;
* ``REPLICA_DISABLE_JIT=1`` in the environment turns every kernel into plain Python (for debugging,
  coverage, or to compare the compiled path with the reference path).

Kernels are small, pure functions of floats and numpy arrays; they never hold state.
"""
from __future__ import annotations

import os

__all__ = ["jit", "JIT_ENABLED"]

JIT_ENABLED = os.environ.get("REPLICA_DISABLE_JIT", "0").lower() not in ("1", "true", "yes")


def jit(*args, **kwargs):
    """Decorator: ``numba.njit(cache=True, fastmath=False)`` unless JIT is disabled.

    Usable bare (``@jit``) or with numba options (``@jit(parallel=False)``). ``fastmath`` stays off:
    the special functions rely on IEEE semantics (error-free transformations, infinities).
    """
    def wrap(func):
        if not JIT_ENABLED:
            return func
        import numba

        opts = {"cache": True, "nogil": True}
        opts.update(kwargs)
        return numba.njit(**opts)(func)

    if len(args) == 1 and callable(args[0]) and not kwargs:
        return wrap(args[0])
    return wrap
