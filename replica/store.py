"""The resumable scan store: one SQLite file per scan, one row per finished point.

Pattern: append-only, self-describing results (STYLE pattern 9). Every point a scan finishes is
written at once, in its own transaction, by the driver process only; the file is in WAL mode,
so a scan killed at any moment (even ``kill -9``) keeps every committed row and rerunning the
same scan recomputes only what is missing.

Layout of the file (stdlib :mod:`sqlite3`, readable by any SQLite client)::

    meta(key TEXT PRIMARY KEY, value TEXT)
        identity       canonical JSON of the scan's identity (model, fixed parameters, grid spec)
        identity_hash  sha256 of that JSON (first 16 hex digits)
        created, replica_version, format
    points(key TEXT PRIMARY KEY,          -- canonical JSON of the point's parameters
           path INTEGER, step INTEGER,    -- which continuation path, position along it
           params TEXT, results TEXT,     -- JSON objects (floats round-trip exactly)
           status TEXT, message TEXT,     -- "ok" | "failed" | "nonfinite"; failure reason
           residual REAL, halvings INTEGER, elapsed REAL,
           version TEXT, timestamp TEXT)

The identity guards the file: opening it for a *different* scan (another model, other fixed
parameters or another grid) raises :class:`StoreMismatchError` before anything is written.

Loading back: :func:`load` (or :meth:`ScanStore.load`) returns a dict of numpy columns in grid
order (path, step) — or a pandas DataFrame with ``as_frame=True`` when pandas is installed.
Numeric result columns hold NaN where a row has no value (a failed point): the ``status`` and
``message`` columns say why, so such a NaN is never silent.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import sqlite3
import urllib.parse
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np

from .errors import ReplicaInputError

__all__ = ["ScanStore", "StoreMismatchError", "load", "identity_hash", "point_key",
           "canonical_json", "STATUSES"]

FORMAT = "replica-scan-store/1"
STATUSES = ("ok", "failed", "nonfinite")
#: columns of every row, in the order :func:`load` returns them (before parameters and results)
META_COLUMNS = ("path", "step", "status", "message", "residual", "halvings", "elapsed",
                "version", "timestamp", "key")


class StoreMismatchError(ReplicaInputError):
    """The store file belongs to another scan (or is not a scan store); nothing was written."""


def _plain(v):
    """Plain JSON-able Python value (numpy scalars/arrays -> float/int/list)."""
    if isinstance(v, Mapping):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, np.ndarray):
        return _plain(v.tolist())
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return float(v)
    return v


def canonical_json(obj) -> str:
    """Deterministic JSON (sorted keys, repr-exact floats): the basis of keys and hashes."""
    return json.dumps(_plain(obj), sort_keys=True, separators=(",", ":"), allow_nan=True)


def identity_hash(identity: Mapping) -> str:
    return hashlib.sha256(canonical_json(identity).encode()).hexdigest()[:16]


def point_key(params: Mapping) -> str:
    """The primary key of a point: its parameters as canonical JSON."""
    return canonical_json(params)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def _diff(a: Mapping, b: Mapping, prefix="") -> list[str]:
    out = []
    for k in sorted(set(a) | set(b)):
        va, vb = a.get(k, "<absent>"), b.get(k, "<absent>")
        if isinstance(va, Mapping) and isinstance(vb, Mapping):
            out += _diff(va, vb, prefix + k + ".")
        elif canonical_json(va) != canonical_json(vb):
            sa, sb = canonical_json(va), canonical_json(vb)
            sa = sa if len(sa) < 60 else sa[:57] + "..."
            sb = sb if len(sb) < 60 else sb[:57] + "..."
            out.append(f"{prefix}{k}: stored {sa} vs requested {sb}")
    return out


class ScanStore:
    """One scan's SQLite store.

    ``ScanStore(path, identity)`` creates the file (or reopens it to resume). If the file already
    holds a scan with a different identity, :class:`StoreMismatchError` is raised and the file is
    left untouched. ``identity=None`` opens an existing store read-only (for loading).
    ``path=None`` or ``":memory:"`` keeps the table in memory (no resume).
    """

    def __init__(self, path, identity: Mapping | None = None):
        self.path = None if path in (None, ":memory:") else Path(path)
        self._lock_fd = None
        readonly = identity is None
        if readonly and (self.path is None or not self.path.exists()):
            raise ReplicaInputError(f"no scan store at {path!s}")
        if self.path is not None:
            self._check_place(self.path, readonly)
        if self.path is not None and self.path.exists():
            self._check_is_store(self.path)
        if self.path is not None and not readonly:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._lock()
        try:
            if readonly:
                self._con = _connect_readonly(self.path)
            else:
                target = ":memory:" if self.path is None else str(self.path)
                self._con = sqlite3.connect(target, timeout=30.0, isolation_level=None)
        except sqlite3.Error as exc:
            self._unlock()
            raise ReplicaInputError(f"cannot open scan store {path!s}: {exc}") from None
        try:
            if readonly:
                self.identity = json.loads(self._meta("identity"))
            else:
                self._init(identity)
        except sqlite3.Error as exc:
            self.close()
            raise ReplicaInputError(f"{path!s} is not a readable replica scan store ({exc}); "
                                    "nothing was written") from None
        except Exception:
            self.close()
            raise

    # -- opening ------------------------------------------------------------------------------
    @staticmethod
    def _check_place(path: Path, readonly: bool) -> None:
        """A store is a regular file (or absent) under directories (refused before anything
        is created or computed)."""
        if path.exists() and not path.is_file():
            raise ReplicaInputError(f"store {path} is not a regular file (a directory or a "
                                    "device); give a file name")
        if not readonly:
            for parent in path.parents:
                if parent.exists():
                    if not parent.is_dir():
                        raise ReplicaInputError(f"store {path}: {parent} is a file, not a "
                                                "directory")
                    break

    def _lock(self) -> None:
        """Exclusive advisory lock (flock) on the store file for the life of this writer: a
        second scan on the same file is refused instead of racing (released by the kernel when
        the process ends, even by kill -9). SQLite's own locks are POSIX record locks, which
        flock does not disturb."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - non-POSIX: no cross-process guard
            return
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise ReplicaInputError(f"cannot open store {self.path}: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise ReplicaInputError(f"store {self.path} is in use by another running scan; wait "
                                    "for it to finish (then rerun to resume) or use another "
                                    "file") from None
        self._lock_fd = fd

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)   # after the SQLite connection: see _lock
            self._lock_fd = None

    @staticmethod
    def _check_is_store(path: Path) -> None:
        """Refuse (before any write) a file that is not a replica scan store: another file, an
        SQLite file of something else, a truncated or corrupted store."""
        try:
            with open(path, "rb") as fh:
                head = fh.read(16)
        except OSError as exc:
            raise ReplicaInputError(f"cannot read store {path}: {exc.strerror}") from None
        if head and head != b"SQLite format 3\x00":
            raise StoreMismatchError(f"{path} exists and is not a replica scan store "
                                     "(not an SQLite file); refusing to touch it")
        if not head:
            return  # empty file: treat as new
        try:
            con = _connect_readonly(path)
            try:
                tables = {r[0] for r in con.execute(
                    "SELECT name FROM sqlite_master WHERE type='table'")}
                fmt = None
                if "meta" in tables:
                    row = con.execute("SELECT value FROM meta WHERE key='format'").fetchone()
                    fmt = row and row[0]
                ok = con.execute("PRAGMA quick_check").fetchone()
            finally:
                con.close()
        except sqlite3.Error as exc:
            raise StoreMismatchError(f"{path} is not a readable SQLite file ({exc}): truncated "
                                     "or corrupted; refusing to touch it") from None
        if tables and fmt != FORMAT:
            raise StoreMismatchError(f"{path} is an SQLite file but not a replica scan store "
                                     f"(tables {sorted(tables)}); refusing to touch it")
        if not tables:
            raise StoreMismatchError(f"{path} is an SQLite file without tables (not a scan "
                                     "store, or a truncated one); refusing to touch it")
        if not ok or ok[0] != "ok":
            raise StoreMismatchError(f"{path} is a corrupted scan store (integrity check: "
                                     f"{ok[0] if ok else 'no answer'}); refusing to touch it")

    def _meta(self, key):
        row = self._con.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else row[0]

    def _init(self, identity: Mapping) -> None:
        identity = json.loads(canonical_json(identity))
        con = self._con
        con.execute("BEGIN IMMEDIATE")   # the check and the creation in one write transaction
        try:
            self._init_locked(identity)
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise
        if con.in_transaction:
            con.execute("COMMIT")
        if self.path is not None:
            con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")

    def _init_locked(self, identity: Mapping) -> None:
        con = self._con
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "meta" in tables:
            stored = json.loads(self._meta("identity"))
            if identity_hash(stored) != identity_hash(identity):
                diff = "; ".join(_diff(stored, identity)) or "identities differ"
                raise StoreMismatchError(
                    f"store {self.path} belongs to a different scan ({diff}); nothing was "
                    "written — use another --store file, or rerun the original command to resume")
            self.identity = stored
            return
        from . import __version__

        con.execute("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT)")
        con.execute("""CREATE TABLE points(
            key TEXT PRIMARY KEY, path INTEGER, step INTEGER, params TEXT, results TEXT,
            status TEXT, message TEXT, residual REAL, halvings INTEGER, elapsed REAL,
            version TEXT, timestamp TEXT)""")
        con.executemany("INSERT INTO meta VALUES (?, ?)", [
            ("format", FORMAT), ("identity", canonical_json(identity)),
            ("identity_hash", identity_hash(identity)), ("created", _now()),
            ("replica_version", __version__)])
        self.identity = identity

    # -- writing ------------------------------------------------------------------------------
    def write(self, *, params: Mapping, results: Mapping, status: str, message: str = "",
              residual=None, path: int = 0, step: int = 0, halvings: int = 0,
              elapsed: float = 0.0) -> None:
        """Write one finished point and commit at once (one transaction per row)."""
        if status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {status!r}")
        from . import __version__

        res = None if residual is None else float(residual)
        self._con.execute("BEGIN IMMEDIATE")
        self._con.execute(
            "INSERT OR REPLACE INTO points VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (point_key(params), int(path), int(step), canonical_json(params),
             canonical_json(results), status, str(message), res, int(halvings),
             float(elapsed), __version__, _now()))
        self._con.execute("COMMIT")

    # -- reading ------------------------------------------------------------------------------
    def finished(self, *, include_failed: bool = True) -> dict[str, dict]:
        """Finished rows by point key (``include_failed=False`` leaves failures to be retried)."""
        q = "SELECT key, params, results, status, message FROM points"
        if not include_failed:
            q += " WHERE status='ok'"
        return {k: {"params": json.loads(p), "results": json.loads(r), "status": s, "message": m}
                for k, p, r, s, m in self._con.execute(q)}

    def __len__(self) -> int:
        return int(self._con.execute("SELECT COUNT(*) FROM points").fetchone()[0])

    def rows(self) -> list[dict]:
        """All rows as dicts, in grid order (path, step)."""
        cur = self._con.execute(
            "SELECT key, path, step, params, results, status, message, residual, halvings, "
            "elapsed, version, timestamp FROM points ORDER BY path, step, key")
        out = []
        for (key, path, step, params, results, status, message, residual, halvings, elapsed,
             version, ts) in cur:
            out.append(dict(key=key, path=path, step=step, params=json.loads(params),
                            results=json.loads(results), status=status, message=message,
                            residual=residual, halvings=halvings, elapsed=elapsed,
                            version=version, timestamp=ts))
        return out

    def load(self, *, as_frame: bool = False, status: str | Iterable[str] | None = None):
        """All rows as a dict of numpy columns (or a pandas DataFrame with ``as_frame=True``).

        Columns: the meta columns (``path, step, status, message, residual, halvings, elapsed,
        version, timestamp, key``), then every parameter, then every result (a result whose name
        is also a parameter's is stored as ``result.<name>``; a result that repeats a meta
        column's value, such as ``residual``, is not repeated). ``status="ok"`` keeps only the
        rows with that status. The columns are described in :mod:`replica.export`.
        """
        return _columns(self.rows(), as_frame=as_frame, status=status)

    def close(self) -> None:
        con = getattr(self, "_con", None)
        if con is not None:
            con.close()
        self._unlock()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _connect_readonly(path: Path) -> sqlite3.Connection:
    """A read-only connection through a URI with the path percent-quoted (names with #, ?, %
    are file names, not URI syntax). On read-only media a WAL store cannot get its shared-memory
    file: it is then opened ``immutable`` when no write-ahead log is pending (a finished scan),
    and refused with a message when one is (an interrupted scan on a read-only disk)."""
    uri = "file:" + urllib.parse.quote(str(Path(path).absolute()))
    con = None
    try:
        con = sqlite3.connect(uri + "?mode=ro", uri=True, timeout=30.0, isolation_level=None)
        con.execute("SELECT name FROM sqlite_master LIMIT 1").fetchall()
        return con
    except sqlite3.OperationalError:
        if con is not None:
            con.close()
        if os.access(Path(path).absolute().parent, os.W_OK):
            raise
    wal = Path(str(path) + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise ReplicaInputError(f"store {path} lies in a read-only directory with an unfinished "
                                f"write-ahead log ({wal.name}); copy the store and its -wal file "
                                "to a writable directory to read it")
    return sqlite3.connect(uri + "?immutable=1", uri=True, timeout=30.0, isolation_level=None)


def _column(values: list):
    """numpy column: float64 (NaN = missing, see status) for numbers, object otherwise."""
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return np.array(values, dtype=object) if len(present) < len(values) else np.array(values)
    if present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        if all(isinstance(v, int) for v in present) and len(present) == len(values):
            return np.array(values, dtype=np.int64)
        return np.array([math.nan if v is None else float(v) for v in values], dtype=float)
    return np.array(values, dtype=object)


def _columns(rows: list[dict], *, as_frame=False, status=None):
    if status is not None:
        keep = {status} if isinstance(status, str) else set(status)
        rows = [r for r in rows if r["status"] in keep]
    pnames, rnames = [], []
    for r in rows:
        for k in r["params"]:
            if k not in pnames:
                pnames.append(k)
    for r in rows:
        for k in r["results"]:
            if k not in rnames:
                rnames.append(k)
    cols = {k: _column([r[k] for r in rows]) for k in META_COLUMNS}
    for k in pnames:
        cols[k] = _column([r["params"].get(k) for r in rows])
    for k in rnames:
        if k in META_COLUMNS and all(r["results"].get(k) in (None, r[k]) for r in rows):
            continue  # the same number as the meta column (e.g. residual): not repeated
        name = f"result.{k}" if k in cols else k
        cols[name] = _column([r["results"].get(k) for r in rows])
    if as_frame:
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("as_frame=True needs pandas (pip install pandas); without it, "
                              "load() returns a dict of numpy arrays") from None
        return pd.DataFrame(cols)
    return cols


def load(path, *, as_frame: bool = False, status=None):
    """Load a scan store in one call: dict of numpy columns (or a DataFrame, ``as_frame=True``)."""
    with ScanStore(path) as st:
        return st.load(as_frame=as_frame, status=status)


def store_identity(path) -> dict:
    """The identity recorded in an existing store (model, fixed parameters, grid spec)."""
    with ScanStore(path) as st:
        return dict(st.identity)
