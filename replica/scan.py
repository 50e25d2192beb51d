"""Scans over external parameters: grids, continuation paths, executors — driven from scripts.

Pattern: scans are continuation (STYLE pattern 8). A scan evaluates a *point function*

    point(params: dict, warm_start: dict | None = None) -> dict of results  (or a Solution)

over a :class:`Grid` (cartesian product of parameter axes) or explicit continuation
:class:`Paths`. Along a continuation path each point is warm-started from the previous point's
results; when a point fails, the step from the last good point is halved (intermediate points are
solved and discarded) up to ``max_halvings`` times. A point that still fails is recorded with its
reason (``status="failed"``, ``message``) — never swallowed, never fatal to the scan; the path
continues from its last good point.

Every finished point is written at once to the resumable store (:mod:`replica.store`), by the
driver process only. Rerunning the same scan on the same store recomputes nothing finished.

Parallelism: the ``executor`` argument. Paths are sequential by nature; independent paths (grid
lines, or single grid points when there is no continuation axis) run in parallel:

* ``None`` / ``"process"`` — :class:`concurrent.futures.ProcessPoolExecutor` on the local cores
  (the point function must be picklable: a module-level function or a registered model name);
* ``"serial"`` — in the driver process, one point after another;
* ``"dask"`` — a :mod:`dask.distributed` ``LocalCluster`` (``workers`` processes), or the cluster
  at ``scheduler="tcp://host:port"``; a ``distributed.Client`` may also be passed directly;
* any :class:`concurrent.futures.Executor` instance (left open for the caller to reuse).

Models: every model of the registry (:mod:`replica.models`; "gardner-binary", "fp-binary", ...)
is a scan model, its declared parameters validated before anything runs (a parameter it does not
have, or a value out of range, is a clear :class:`~replica.errors.ReplicaInputError`);
:data:`ALIASES` keeps the 0.1 names ("local-entropy-binary" = "fp-binary"), and
:func:`register_model` adds plain point functions. ``"package.module:function"`` names
any importable point function.
"""
from __future__ import annotations

import concurrent.futures as cf
import importlib
import itertools
import json as _json
import math
import sys
import time
import traceback
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np

from .errors import ReplicaInputError
from .executors import SerialExecutor, make_executor
from .store import ScanStore, point_key, _plain

__all__ = ["scan", "Grid", "Paths", "ScanResult", "ModelSpec", "MODELS", "register_model",
           "get_model", "parse_range", "parse_fixed", "linspace_axis", "make_executor",
           "SerialExecutor", "evaluate_point"]


# =============================================================================================
# Grids and continuation paths
# =============================================================================================

def linspace_axis(name: str, start: float, stop: float, num: int) -> np.ndarray:
    """``num`` equally spaced values from ``start`` to ``stop`` (both included), checked.

    Empty (num < 1), inverted (stop < start) or degenerate (start == stop with num > 1, or
    start != stop with num == 1) ranges raise ReplicaInputError naming the parameter.
    """
    for label, v in (("start", start), ("stop", stop)):
        if not isinstance(v, (int, float, np.number)) or not math.isfinite(float(v)):
            raise ReplicaInputError(f"{name}: {label} must be a finite number, got {v!r}")
    if int(num) != num or num < 1:
        raise ReplicaInputError(f"{name}: empty range (num={num}); give num >= 1 points")
    num = int(num)
    if stop < start:
        raise ReplicaInputError(f"{name}: inverted range {start}:{stop} (stop < start); write "
                                f"{stop}:{start}:{num} (continuation runs in either direction "
                                "via Paths)")
    if num > 1 and stop == start:
        raise ReplicaInputError(f"{name}: empty range {start}:{stop} with {num} points")
    if num == 1 and stop != start:
        raise ReplicaInputError(f"{name}: {start}:{stop}:1 is ambiguous; give num >= 2 or a "
                                "single value start:start:1")
    return np.linspace(float(start), float(stop), num)


def parse_range(text: str) -> tuple[str, np.ndarray]:
    """Parse ``NAME=start:stop:num`` (CLI syntax) into ``(name, values)``."""
    if "=" not in text:
        raise ReplicaInputError(f"--param expects NAME=start:stop:num, got {text!r}")
    name, spec = text.split("=", 1)
    name = name.strip()
    parts = spec.split(":")
    if not name or len(parts) != 3:
        raise ReplicaInputError(f"--param expects NAME=start:stop:num, got {text!r}")
    try:
        start, stop = float(parts[0]), float(parts[1])
        num = float(parts[2])
    except ValueError:
        raise ReplicaInputError(f"--param {name}: not numbers in {spec!r}") from None
    return name, linspace_axis(name, start, stop, num)


def parse_fixed(text: str) -> tuple[str, object]:
    """Parse ``NAME=VALUE`` (a finite number, or a word such as ``max``)."""
    if "=" not in text:
        raise ReplicaInputError(f"--fixed expects NAME=VALUE, got {text!r}")
    name, value = (s.strip() for s in text.split("=", 1))
    if not name or not value:
        raise ReplicaInputError(f"--fixed expects NAME=VALUE, got {text!r}")
    try:
        v = float(value)
    except ValueError:
        return name, value
    if not math.isfinite(v):
        raise ReplicaInputError(f"--fixed {name}: not a finite number: {value!r}")
    return name, v


@dataclass(frozen=True)
class Grid:
    """Cartesian product of parameter axes, ``Grid({"alpha": values, "kappa": values})``.

    ``along="alpha"`` makes every line of the grid along ``alpha`` a continuation path (warm
    starts, step halving); the lines are independent and run in parallel. Without ``along`` every
    point is independent. Values are used in the order given (a descending axis continues
    downwards). Axis order: the first axis varies slowest.
    """

    axes: Mapping[str, Sequence[float]]
    along: str | None = None

    def __post_init__(self):
        if not self.axes:
            raise ReplicaInputError("a grid needs at least one parameter axis")
        clean = {}
        for name, vals in self.axes.items():
            arr = np.atleast_1d(np.asarray(vals, dtype=float))
            if arr.ndim != 1 or arr.size == 0:
                raise ReplicaInputError(f"{name}: empty axis")
            if not np.all(np.isfinite(arr)):
                raise ReplicaInputError(f"{name}: non-finite values on the axis")
            if len(np.unique(arr)) != arr.size:
                raise ReplicaInputError(f"{name}: repeated values on the axis")
            clean[str(name)] = tuple(float(v) for v in arr)
        object.__setattr__(self, "axes", clean)
        if self.along is not None and self.along not in clean:
            raise ReplicaInputError(f"along={self.along!r} is not an axis of the grid "
                                    f"(axes: {list(clean)})")

    @property
    def size(self) -> int:
        return int(np.prod([len(v) for v in self.axes.values()]))

    def as_paths(self) -> list[list[dict]]:
        """The continuation paths: lists of parameter dicts (one point each without along)."""
        names = list(self.axes)
        if self.along is None:
            return [[dict(zip(names, combo))] for combo in itertools.product(*self.axes.values())]
        others = [n for n in names if n != self.along]
        out = []
        for combo in itertools.product(*(self.axes[n] for n in others)):
            base = dict(zip(others, combo))
            out.append([{**base, self.along: v} for v in self.axes[self.along]])
        return out

    def spec(self) -> dict:
        return {"kind": "grid", "axes": {k: list(v) for k, v in self.axes.items()},
                "along": self.along}


@dataclass(frozen=True)
class Paths:
    """Explicit continuation paths: a list of paths, each a list of parameter dicts.

    ``Paths.line("alpha", [0.1, 0.2, 0.3], kappa=0.0)`` is one path along alpha. The points of a
    path are solved in order with warm starts; different paths run in parallel.
    """

    paths: Sequence[Sequence[Mapping[str, float]]]

    def __post_init__(self):
        clean = []
        for i, path in enumerate(self.paths):
            if len(path) == 0:
                raise ReplicaInputError(f"path {i} is empty")
            pts = []
            for p in path:
                d = {}
                for k, v in dict(p).items():
                    try:
                        fv = float(v)
                    except (TypeError, ValueError):
                        raise ReplicaInputError(f"path {i}: {k}={v!r} is not a number") from None
                    if not math.isfinite(fv):
                        raise ReplicaInputError(f"path {i}: {k}={v!r} is not finite")
                    d[str(k)] = fv
                pts.append(d)
            keys = set(pts[0])
            if any(set(p) != keys for p in pts):
                raise ReplicaInputError(f"path {i}: all points must set the same parameters")
            clean.append(pts)
        if not clean:
            raise ReplicaInputError("no paths given")
        object.__setattr__(self, "paths", clean)

    @classmethod
    def line(cls, name: str, values: Sequence[float], **fixed) -> "Paths":
        return cls([[{**fixed, name: float(v)} for v in values]])

    @property
    def size(self) -> int:
        return sum(len(p) for p in self.paths)

    def as_paths(self) -> list[list[dict]]:
        return [list(p) for p in self.paths]

    def spec(self) -> dict:
        return {"kind": "paths", "paths": [list(p) for p in self.paths]}


# =============================================================================================
# Model registry
# =============================================================================================

@dataclass(frozen=True)
class ModelSpec:
    """A named point function with the parameters it accepts.

    ``point`` is a callable or an import path ``"module:function"`` (resolved lazily, so that
    registering a model does not import its numerics). ``params``: allowed parameter names
    (``None`` = accept any); ``required``: those that must be set; ``defaults``: filled in when
    absent. ``warm`` says whether the model uses warm starts.
    """

    name: str
    point: Callable | str
    params: tuple | None = None
    required: tuple = ()
    defaults: Mapping[str, object] = field(default_factory=dict)
    description: str = ""
    validate: Callable | None = None

    def resolve(self) -> Callable:
        return _resolve(self.point)

    def check(self, names: Iterable[str]) -> None:
        names = list(names)
        if self.params is not None:
            bad = [n for n in names if n not in self.params]
            if bad:
                raise ReplicaInputError(
                    f"model {self.name!r} has no parameter(s) {', '.join(map(repr, bad))}; "
                    f"its parameters are: {', '.join(self.params)}")
        missing = [n for n in self.required if n not in names and n not in self.defaults]
        if missing:
            raise ReplicaInputError(f"model {self.name!r} needs parameter(s) "
                                    f"{', '.join(missing)} (set them with --param or --fixed)")


def _resolve(point):
    if callable(point):
        return point
    mod, _, attr = str(point).partition(":")
    if not mod or not attr:
        raise ReplicaInputError(f"not a model name or 'module:function': {point!r}")
    try:
        obj = importlib.import_module(mod)
        for part in attr.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as exc:
        raise ReplicaInputError(f"cannot import point function {point!r}: {exc}") from None
    if not callable(obj):
        raise ReplicaInputError(f"{point!r} is not callable")
    return obj


MODELS: dict[str, ModelSpec] = {}


def register_model(name: str, point: Callable | str, params: Sequence[str] | None = None, *,
                   required: Sequence[str] = (), defaults: Mapping | None = None,
                   description: str = "") -> ModelSpec:
    """Register a point function under ``name`` (overwrites an existing registration)."""
    spec = ModelSpec(name=name, point=point, params=None if params is None else tuple(params),
                     required=tuple(required), defaults=dict(defaults or {}),
                     description=description)
    MODELS[name] = spec
    return spec


@dataclass(frozen=True)
class ProtocolPoint:
    """The point function of a model of the protocol (:mod:`replica.models`): its saddle point
    at the given parameters, warm-started from the previous point's unknowns (``_x``).
    Picklable (it carries only the model's registry name)."""

    name: str

    def __call__(self, params, warm_start=None):
        from . import models

        x0 = None
        if warm_start and isinstance(warm_start.get("_x"), (list, tuple)):
            x0 = warm_start["_x"]
        sol = models.get(self.name).saddle(params, x0=x0)
        out = _solution_dict(sol)
        out["_x"] = [float(v) for v in sol.u]
        return out


def protocol_spec(name: str) -> ModelSpec:
    """A ModelSpec for the protocol model ``name``: its declared parameters, required ones and
    defaults, and a validator applied to every scanned and fixed value before anything runs."""
    from . import models

    m = models.get(name)
    return ModelSpec(name=name, point=ProtocolPoint(name),
                     params=tuple(p.name for p in m.params),
                     required=tuple(p.name for p in m.params if p.default is None),
                     defaults={p.name: p.default for p in m.params if p.default is not None},
                     description=m.description, validate=lambda k, v: m.param(k).validate(v))


def get_model(name: str) -> ModelSpec:
    """The registered model ``name`` (a model of the protocol, :mod:`replica.models`, or a point
    function registered here), or a ModelSpec for an import path ``module:function``."""
    if name in MODELS:
        return MODELS[name]
    from . import models

    if name in ALIASES:
        spec = protocol_spec(ALIASES[name])
        return ModelSpec(name=name, point=spec.point, params=spec.params,
                         required=spec.required, defaults=spec.defaults,
                         description=spec.description, validate=spec.validate)
    if name in models.available():
        return protocol_spec(name)
    if ":" in name:
        fn = _resolve(name)
        params = getattr(fn, "PARAMS", None)
        return ModelSpec(name=name, point=name, params=None if params is None else tuple(params))
    raise ReplicaInputError(f"unknown model {name!r}; known models: {', '.join(sorted(MODELS))} "
                            "(or give a point function as 'module:function')")


# -- point functions of the registered models (module-level: picklable for process pools) ----

def _solution_dict(obj) -> dict:
    """Results dict of a Solution / result object / mapping (order parameters + thermo)."""
    from .solve import Solution

    if isinstance(obj, Solution):
        out = {**obj.order, **obj.thermo}
        out.update(residual=obj.residual_norm, iterations=obj.iterations, method=obj.method)
        return out
    if isinstance(obj, Mapping):
        return dict(obj)
    if hasattr(obj, "as_dict"):
        return dict(obj.as_dict())
    if hasattr(obj, "__dataclass_fields__"):
        import dataclasses

        return {k: v for k, v in dataclasses.asdict(obj).items()}
    if isinstance(obj, (int, float, np.floating)):
        return {"value": float(obj)}
    raise TypeError(f"cannot turn a {type(obj).__name__} into a results dict")


#: names kept from replica 0.1 for the protocol models they now are (stores keep their identity)
ALIASES = {"local-entropy-binary": "fp-binary", "local-entropy-spherical": "fp-spherical"}


# =============================================================================================
# Evaluating one point (runs in the worker)
# =============================================================================================

def evaluate_point(point, params: Mapping, warm_start=None) -> dict:
    """Run a point function and package the outcome; never raises for a failing point.

    Returns ``{"status", "results", "message", "residual", "elapsed"}``. A point function that
    raises gives ``status="failed"`` with the exception's type and message; non-finite results
    give ``status="nonfinite"`` naming the offending keys (the values are kept in the row).
    """
    t0 = time.perf_counter()
    try:
        fn = _resolve(point) if isinstance(point, str) else point
        raw = fn(dict(params), warm_start)
        results = _plain(_solution_dict(raw))
    except Exception as exc:  # recorded in the row with its reason: never swallowed
        tb = traceback.extract_tb(exc.__traceback__)
        where = f" [at {tb[-1].filename.rsplit('/', 1)[-1]}:{tb[-1].lineno}]" if tb else ""
        return {"status": "failed", "results": {}, "message": f"{type(exc).__name__}: {exc}"
                f"{where}", "residual": None, "elapsed": time.perf_counter() - t0}
    elapsed = time.perf_counter() - t0
    residual = results.get("residual")
    residual = float(residual) if isinstance(residual, (int, float)) else None
    bad = sorted(k for k, v in results.items() if isinstance(v, float) and not math.isfinite(v))
    status, message = "ok", ""
    st = results.get("status")
    if isinstance(st, str) and st not in ("ok", "converged"):
        status, message = "failed", f"point function reported status {st!r}: " \
                                    f"{results.get('message', '')}".rstrip(": ")
    elif bad:
        status, message = "nonfinite", f"non-finite result(s): {', '.join(bad)}"
    return {"status": status, "results": results, "message": message, "residual": residual,
            "elapsed": elapsed}


# =============================================================================================
# The driver
# =============================================================================================

@dataclass
class ScanResult:
    """Summary of a finished scan and the way back to its data (``.load()``)."""

    store: str | None
    identity: dict
    total: int
    already_done: int
    computed: int
    ok: int
    failed: int
    nonfinite: int
    lost: int
    elapsed: float
    evaluations: int
    _columns: dict | None = field(default=None, repr=False)

    def load(self, *, as_frame: bool = False, status=None):
        """The whole table: dict of numpy columns (or a pandas DataFrame)."""
        if self.store is None:
            cols = self._columns
            if status is not None:
                keep = {status} if isinstance(status, str) else set(status)
                mask = np.array([s in keep for s in cols["status"]], dtype=bool)
                cols = {k: v[mask] for k, v in cols.items()}
            if as_frame:
                import pandas as pd
                return pd.DataFrame(cols)
            return cols
        from .store import load
        return load(self.store, as_frame=as_frame, status=status)

    def summary(self) -> dict:
        return {"store": self.store, "total": self.total, "already_done": self.already_done,
                "computed": self.computed, "ok": self.ok, "failed": self.failed,
                "nonfinite": self.nonfinite, "lost": self.lost, "evaluations": self.evaluations,
                "elapsed_s": round(self.elapsed, 3)}


class _PathRunner:
    """Drives one continuation path: which target comes next, from which stored point.

    Each task is one *segment*, from the last stored good point B to the next target T,
    evaluated in a worker by :func:`evaluate_segment` (natural-parameter continuation with step
    halving, :func:`replica.continuation.march`; intermediate points are not stored). The warm
    start of each target is always the last stored good point, so a resumed scan repeats
    exactly what an uninterrupted one does.
    """

    def __init__(self, index, points, fixed, done, warm, max_halvings):
        self.index = index
        self.points = points            # list of dicts of varying parameters
        self.fixed = fixed
        self.done = done                # key -> stored row (finished points of the store)
        self.use_warm = warm
        self.max_halvings = max_halvings
        self.i = 0
        self.warm = None                # results of the last stored good point
        self.base = None                # its (varying) parameters
        self.aborted = False

    def full(self, p):
        return {**self.fixed, **p}

    def next_task(self):
        """(base params | None, target params, warm start, max halvings), or None when the
        path is finished."""
        if self.aborted:
            return None
        while self.i < len(self.points):
            p = self.points[self.i]
            row = self.done.get(point_key(self.full(p)))
            if row is None:
                if not self.use_warm or self.base is None:
                    return None, self.full(p), None, 0
                return self.full(self.base), self.full(p), self.warm, self.max_halvings
            if row["status"] == "ok":
                self.warm, self.base = row["results"], p
            self.i += 1
        return None

    def on_outcome(self, out):
        """Consume a segment's outcome; return the row to write."""
        p = self.points[self.i]
        row = dict(params=self.full(p), results=out["results"], status=out["status"],
                   message=out["message"], residual=out["residual"], path=self.index,
                   step=self.i, halvings=out.get("halvings", 0), elapsed=out["elapsed"])
        if out["status"] == "ok":
            self.warm, self.base = out["results"], p
        self.i += 1
        return row


def evaluate_segment(point, base, target, warm_start=None, max_halvings: int = 0) -> dict:
    """Evaluate ``point`` at ``target`` by continuation from ``base`` (a stored good point with
    results ``warm_start``): the parameters move linearly, s in [0, 1], with the step halved on
    failure (:func:`replica.continuation.march`, at most ``max_halvings`` halvings; intermediate
    points are discarded). Without a base the target is evaluated directly. Returns the outcome
    of :func:`evaluate_point` at the target plus ``halvings`` and ``evaluations``."""
    from .continuation import Lost, march

    if base is None or warm_start is None:
        out = evaluate_point(point, target, warm_start)
        out.update(halvings=0, evaluations=1)
        return out
    t0 = time.perf_counter()
    count = [0]

    def at(frac, warm):
        count[0] += 1
        params = target if frac >= 1.0 else {
            k: (base[k] + frac * (v - base[k]) if isinstance(v, float) and k in base
                and isinstance(base[k], float) else v) for k, v in target.items()}
        out = evaluate_point(point, params, warm)
        if out["status"] != "ok":
            raise _SegmentFailure(out)
        return out["results"], out

    last = None
    try:
        for frac, _, out, halvings in march(at, 0.0, 1.0, warm_start, h=1.0, grow=1.0,
                                            max_halvings=int(max_halvings), predictor=False,
                                            failures=(_SegmentFailure,)):
            last = out
    except Lost as lost:
        out = dict(lost.first.outcome)
        if lost.halvings:
            out["message"] += (f" (step from the last good point halved {lost.halvings} "
                               "times; still failing)")
        out.update(halvings=lost.halvings, evaluations=count[0],
                   elapsed=time.perf_counter() - t0)
        return out
    last = dict(last)
    last.update(halvings=halvings, evaluations=count[0], elapsed=time.perf_counter() - t0)
    return last


class _SegmentFailure(Exception):
    def __init__(self, outcome):
        self.outcome = outcome
        super().__init__(outcome.get("message", ""))


class _Progress:
    """tqdm bar (rate, ETA) or JSON lines; silent with quiet=True."""

    def __init__(self, total, initial, *, quiet, as_json, desc, stream=None):
        self.total, self.done, self.quiet, self.as_json = total, initial, quiet, as_json
        self.computed = 0
        self.t0 = time.perf_counter()
        self.stream = stream or (sys.stdout if as_json else sys.stderr)
        self.bar = None
        if not quiet and not as_json:
            from tqdm.auto import tqdm

            # delay: short scans print nothing; long ones get a bar with rate and ETA
            self.bar = tqdm(total=total, initial=initial, desc=_label(desc), unit="pt",
                            delay=1.0, file=self.stream, dynamic_ncols=True)
        self._emit({"event": "start", "total": total, "already_done": initial, "model": desc})

    def _emit(self, obj):
        if self.as_json and not self.quiet:
            self.stream.write(_json.dumps(_plain(obj), allow_nan=False, default=str) + "\n")
            self.stream.flush()

    def update(self, row):
        self.done += 1
        self.computed += 1
        if self.bar is not None:
            self.bar.update(1)
        if self.as_json and not self.quiet:
            dt = time.perf_counter() - self.t0
            rate = self.computed / dt if dt > 0 else None
            eta = (self.total - self.done) / rate if rate else None
            params = {k: (v if not isinstance(v, float) or math.isfinite(v) else str(v))
                      for k, v in row["params"].items()}
            self._emit({"event": "point", "done": self.done, "total": self.total,
                        "status": row["status"], "params": params,
                        "message": row["message"], "elapsed_s": round(row["elapsed"], 6),
                        "rate_per_s": rate, "eta_s": eta})

    def close(self, summary):
        if self.bar is not None:
            self.bar.close()
        self._emit({"event": "end", **summary})


def scan(point, grid, *, fixed: Mapping | None = None, store=None, executor=None,
         workers: int | None = None, scheduler: str | None = None, warm_start: bool = True,
         max_halvings: int = 4, retry_failed: bool = False, quiet: bool = False,
         json: bool = False, stream=None) -> ScanResult:
    """Evaluate ``point`` over ``grid`` and store every finished point at once.

    Parameters
    ----------
    point : a registered model name (see :data:`MODELS`), ``"module:function"``, or a callable
        ``point(params, warm_start=None) -> dict | Solution`` (module-level for process pools).
    grid : :class:`Grid` or :class:`Paths`; a plain dict ``{name: values}`` is a Grid.
    fixed : parameters held fixed for the whole scan (merged into every point's params).
    store : path of the SQLite store (created, or reopened to resume; must belong to this same
        scan), or None for an in-memory table.
    executor, workers, scheduler : see the module docstring.
    warm_start : pass the previous point's results along continuation paths.
    max_halvings : step halvings tried before a point on a path is recorded as failed.
    retry_failed : recompute points stored as failed (default: a rerun keeps them).
    quiet, json : progress output — tqdm bar (default), nothing, or JSON lines on ``stream``.

    The scan's identity (model, fixed parameters, grid spec, continuation settings) is recorded in
    the store; reopening the store with another identity raises StoreMismatchError.
    """
    if isinstance(grid, Mapping):
        grid = Grid(grid)
    if not isinstance(grid, (Grid, Paths)):
        raise ReplicaInputError("grid must be a Grid, Paths or a dict {name: values}")
    fixed = {str(k): v for k, v in dict(fixed or {}).items()}
    for k, v in fixed.items():
        if isinstance(v, (int, float, np.number)) and not isinstance(v, bool):
            if not math.isfinite(float(v)):
                raise ReplicaInputError(f"fixed parameter {k}={v!r} is not finite")
            fixed[k] = float(v)
    if int(max_halvings) != max_halvings or max_halvings < 0:
        raise ReplicaInputError(f"max_halvings must be a non-negative integer, got {max_halvings}")

    # -- the model and its parameters (checked before anything is opened or computed) --------
    if isinstance(point, str):
        spec = get_model(point)
        model_name, task_point = spec.name, (spec.point if isinstance(spec.point, str)
                                             else spec.point)
    elif callable(point):
        spec = ModelSpec(name=_callable_name(point), point=point,
                         params=getattr(point, "PARAMS", None))
        model_name, task_point = spec.name, point
    else:
        raise ReplicaInputError(f"point must be a model name or a callable, got {point!r}")
    paths = grid.as_paths()
    varying = list(paths[0][0])
    clash = sorted(set(varying) & set(fixed))
    if clash:
        raise ReplicaInputError(f"parameter(s) {clash} are both scanned and fixed")
    spec.check(varying + list(fixed))
    if spec.validate is not None:     # every value checked before the store is touched
        for k, v in fixed.items():
            fixed[k] = spec.validate(k, v)
        for path in paths:
            for pt in path:
                for k, v in pt.items():
                    spec.validate(k, v)
    fixed = {**{k: v for k, v in spec.defaults.items() if k not in varying}, **fixed}

    identity = {"model": model_name, "fixed": fixed, "grid": grid.spec(),
                "continuation": {"warm_start": bool(warm_start),
                                 "max_halvings": int(max_halvings)}}
    st = ScanStore(store, identity)       # raises StoreMismatchError before writing anything
    try:
        done = st.finished(include_failed=not retry_failed)
        runners = [_PathRunner(i, p, fixed, done, warm_start, int(max_halvings))
                   for i, p in enumerate(paths)]
        total = grid.size
        already = sum(1 for r in runners for p in r.points if point_key(r.full(p)) in done)
        counts = {"ok": 0, "failed": 0, "nonfinite": 0}
        lost, evaluations = [], 0
        progress = _Progress(total, already, quiet=quiet, as_json=json,
                             desc=model_name, stream=stream)
        t0 = time.perf_counter()
        todo = total - already
        if todo > 0:
            ex, slots, close = make_executor(executor, workers=workers, scheduler=scheduler)
            try:
                evaluations = _drive(ex, slots, runners, task_point, st, counts, lost, progress)
            finally:
                close()
        result = ScanResult(store=None if st.path is None else str(st.path), identity=identity,
                            total=total, already_done=already, computed=sum(counts.values()),
                            ok=counts["ok"], failed=counts["failed"],
                            nonfinite=counts["nonfinite"], lost=len(lost),
                            elapsed=time.perf_counter() - t0, evaluations=evaluations)
        if st.path is None:
            result._columns = st.load()
        progress.close(result.summary())
    finally:
        st.close()
    if lost:
        msgs = sorted({m for m in lost})
        raise RuntimeError(f"{len(lost)} task(s) lost to executor failures (not stored; rerun "
                           f"the same scan to compute them): {'; '.join(msgs)[:500]}")
    return result


def _label(model_name: str) -> str:
    """Progress-bar label in words: the model name, or a function's name without its path."""
    name = model_name.rsplit(":", 1)[-1].rsplit(".", 1)[-1]
    return f"{name.replace('_', ' ')} points"


def _callable_name(fn) -> str:
    mod = getattr(fn, "__module__", None) or "?"
    qual = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)
    return f"{mod}:{qual}"


def _drive(ex, slots, runners, task_point, st, counts, lost, progress) -> int:
    """Keep up to ``slots`` tasks in flight (one per path); write each finished row at once."""
    pending: dict = {}
    queue = iter(runners)
    evaluations = 0

    def submit(r):
        task = r.next_task()
        if task is None:
            return False
        base, params, warm, halvings = task
        try:
            fut = ex.submit(evaluate_segment, task_point, base, params, warm, halvings)
        except Exception as exc:  # e.g. a broken process pool: the points stay unstored
            lost.append(f"{type(exc).__name__}: {exc}")
            r.aborted = True
            return False
        pending[fut] = r
        return True

    def fill():
        while len(pending) < slots:
            r = next(queue, None)
            if r is None:
                return
            submit(r)

    fill()
    try:
        while pending:
            finished, _ = cf.wait(list(pending), return_when=cf.FIRST_COMPLETED)
            for fut in finished:
                r = pending.pop(fut)
                try:
                    out = fut.result()
                except Exception as exc:  # the executor failed, not the point: do not store
                    lost.append(f"{type(exc).__name__}: {exc}")
                    r.aborted = True
                    continue
                evaluations += out.get("evaluations", 1)
                row = r.on_outcome(out)
                if row is not None:
                    st.write(**row)
                    counts[row["status"]] += 1
                    progress.update(row)
                if not submit(r):
                    fill()
    except BaseException:
        for fut in pending:
            fut.cancel()
        raise
    return evaluations
