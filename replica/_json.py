"""The package's one JSON converter: numpy values to plain Python, and a policy for non-finite
numbers.

JSON has no NaN or infinity. ``to_jsonable(obj)`` (the default ``nonfinite="raise"``) refuses
them with :class:`~replica.errors.NonFiniteResultError` naming where the value sits (e.g.
``local_energy[0].local_energy``), so a consumer never receives ``NaN``, ``Infinity``, a
``null`` standing for a number or an ``"inf"`` string. ``nonfinite="keep"`` leaves them as
floats (the scan store, whose rows record non-finite results with status ``"nonfinite"``);
``nonfinite="string"`` writes ``"nan"``, ``"inf"``, ``"-inf"`` (data caches of the gallery).

numpy is not imported here (the CLI's start-up path passes through this module): numpy arrays
and scalars are recognised by their ``tolist`` method.
"""
from __future__ import annotations

import json
import math
from collections.abc import Mapping

__all__ = ["to_jsonable", "dumps", "plain"]


def _is_numpy(obj) -> bool:
    return type(obj).__module__ == "numpy" and hasattr(obj, "tolist")


def to_jsonable(obj, *, nonfinite: str = "raise", _where: str = ""):
    """Plain-Python copy of ``obj`` (dicts, lists, str, bool, int, float, None).

    ``nonfinite``: "raise" (default), "keep" or "string" (see the module docstring).
    Keys become strings; tuples become lists; other objects are returned unchanged.
    """
    if _is_numpy(obj):
        obj = obj.tolist()
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v, nonfinite=nonfinite, _where=f"{_where}.{k}" if _where
                                    else str(k)) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v, nonfinite=nonfinite, _where=f"{_where}[{i}]")
                for i, v in enumerate(obj)]
    if isinstance(obj, bool):
        return obj
    if isinstance(obj, int):
        return int(obj)
    if isinstance(obj, float):
        v = float(obj)
        if math.isfinite(v) or nonfinite == "keep":
            return v
        if nonfinite == "string":
            return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
        from .errors import NonFiniteResultError

        raise NonFiniteResultError(f"the computed value {_where or 'result'} is not finite "
                                   f"({v}); nothing was printed")
    return obj


def plain(obj):
    """numpy -> Python, non-finite floats kept (for internal canonical JSON)."""
    return to_jsonable(obj, nonfinite="keep")


def dumps(obj, **kwargs) -> str:
    """``json.dumps`` of ``to_jsonable(obj)``: only finite numbers (raises otherwise)."""
    return json.dumps(to_jsonable(obj), allow_nan=False, **kwargs)
