"""Fuzzing the command line: a seeded corpus of valid invocations of every sub-command and their
hostile mutations, run in-process (fast, for what the parser or a validator refuses) or in a
subprocess under an address-space limit and a timeout (for what could allocate or run long).

Every case is judged by :func:`judge`: exit code in {0, 2, 3}; no traceback; on stderr only
one-line ``replica:`` messages (and progress bars); under ``--json`` valid JSON with only finite
numbers (no NaN, Infinity or "inf"/"nan" strings); and the physical bounds of the outputs
(0 <= binary entropy <= ln 2, spherical entropy <= 0, S(d) <= H2(d), counts in [0, 2^N],
local energy >= 0 around references of margin kappa >= 0).

Used by ``tests/test_fuzz_cli.py`` (a small CI corpus) and as a script for a larger run::

    python tests/fuzz_cli.py --cases 400 --seed 1 [--jobs 2]

which prints the counts (cases, results, clean errors, defects) and every defect.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import random
import re
import resource
import shlex
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
MEMORY_LIMIT = 4 << 30        # address space of a subprocess case
TIMEOUT = 90.0                # seconds of a subprocess case
LN2 = math.log(2.0)

#: valid invocations over the documented ranges, one per line: "COST | command"
#: (COST "fast" runs in-process in CI; "mid" in-process in the larger run (numba compilations
#: of tens of seconds); "slow" only in the larger run's subprocesses)
VALID = r"""
fast | gardner --model binary --alpha 0.5 --kappa 0 --json
fast | gardner --model spherical --alpha 1.5 --kappa -0.3 --json
fast | gardner --model spherical --alpha 0.5 --kappa -1e-3 --json
fast | gardner --model binary --alpha 0.3 --kappa 0.5 --method hybrid --json
fast | capacity --model spherical --kappa 0.5 --json
fast | capacity --model spherical --kappa -40 --json
fast | capacity --model binary --kappa 0 --json
fast | kappa-max --model spherical --alpha 1 --json
fast | kappa-max --model spherical --alpha 1e308 --json
fast | kappa-max --model binary --alpha 0.6 --json
fast | local-entropy --model binary --alpha 0.6 --kappa-ref max --kappa 0 --d 0.01 0.1 --json
mid  | local-entropy --model spherical --alpha 1 --kappa-ref 0.2 --d-log 0.01 0.3 3 --json
fast | local-entropy --model binary --alpha 0.6 --kappa-ref max --d 0.01 --kappa 3 --json
fast | local-entropy --model binary --alpha 0.5 --kappa-ref 0 --d-grid 0.05 0.3 3
fast | local-energy --model spherical --alpha 1 --kappa-ref max --sigma 1e-300 0.1 --json
mid  | local-energy --model spherical --alpha 1 --kappa 0 --sigma 0.1 0.5 --json
fast | local-energy --model binary --alpha 0.5 --kappa 0 --sigma 0.1 --noise flip --json
fast | enumerate --n 10 --alpha 0.5 --instances 2 --json
fast | enumerate --n 8 --alpha 0.3 --alpha 0.6 --kappa 0.2 --instances 2 --profiles --json
mid  | solve-finite --algorithm sbpi --n 51 --alpha 0.3 --json
mid  | solve-finite --algorithm sa --n 31 --alpha 0.3 --max-sweeps 50 --json
fast | solve-finite --algorithm replicated --n 21 --alpha 0.2 --y 3 --max-sweeps 30 --json
fast | train --algorithm sgd --model perceptron --N 21 --alpha 1 --epochs 3 --sigma 0.1 --noise-samples 5 --json
fast | train --algorithm rsgd --model perceptron --N 21 --alpha 1 --epochs 2 --replicas 2 --sigma 0.1 --noise-samples 5 --json
fast | gmm bayes --alpha 1 --delta 0.5 --json
fast | gmm capacity --delta 0.5 --json
fast | gmm typical --alpha 1 --delta 0.5 --json
fast | gmm max-margin --alpha 1 --delta 0.5 --json
fast | gmm compare --alpha 1 --delta 0.5 --json
fast | linear min-sharpness --depth 3 --target [[2]] --json
fast | linear min-sharpness --depth 2 --target [[0]] --json
fast | linear min-sharpness --depth 2 --target [[1,0],[0,2]] --input-cov [[1,0],[0,4]] --json
fast | reference list --json
fast | reference show spherical.alpha_c.kappa=0 --json
fast | threshold capacity --model binary --kappa 0 --json
fast | threshold capacity --model spherical --kappa -3 --json
fast | threshold kappa-max --model spherical --alpha 1 --json
fast | threshold at --model spherical --kappa -50 --json
fast | scan --model gardner-binary --param alpha=0.1:0.5:3 --fixed kappa=0 --store {tmp}/g.sqlite --executor serial --quiet --json
fast | scan --model gardner-spherical --param alpha=0.5:1.5:2 --store {tmp}/s.sqlite --executor serial --quiet
fast | scan --list-models --json
fast | figures --list --json
slow | threshold at --model spherical --kappa -1 --json
slow | threshold nonmonotonic --model binary --kappa-ref max --grid 4 --json
slow | phase-diagram --model spherical --out {tmp}/pd --quick --workers 1 --json
slow | linear experiment gd-step-size --quick --json
"""

#: invocations that must be refused (or answered) quickly without allocating: in CI these run
#: in a subprocess under the memory limit and the timeout
HOSTILE = r"""
solve-finite --algorithm sbpi --n 1000000 --alpha 0.5
train --algorithm sgd --model perceptron --N 100000
local-entropy --model binary --alpha 0.6 --kappa-ref 0 --d-grid 0.01 0.1 1000000000
threshold nonmonotonic --model binary --kappa-ref max --grid 1000000000
scan --model gardner-binary --param alpha=0.1:0.5:1000000000 --store {tmp}/big.sqlite
enumerate --n 10 --alpha 1e9
solve-finite --algorithm replicated --n 51 --alpha 0.3 --y 1000000000
linear min-sharpness --depth 1000000000 --target [[1]]
enumerate --n 10 --alpha 0.5 --instances 1000000000
train --algorithm rsgd --model perceptron --replicas 1000000000
phase-diagram --model spherical --out {tmp}/pd2 --workers 100000 --quick
solve-finite --algorithm sbpi --n 51 --alpha 3 --max-sweeps 1000000000000
linear min-sharpness --depth 3 --target {random100}
scan --model gardner-binary --param alpha=0.1:0.5:3 --store /dev/null
scan --model os:system --param alpha=0.1:0.5:3 --store {tmp}/os.sqlite
"""

#: hostile values substituted for an option's value
BAD_VALUES = ["abc", "nan", "inf", "-inf", "1e308", "-1e308", "1e-320", "0", "-1", "-1e-3",
              "1000000000", "2.5", "[[", "{}", '[["1"]]', "[[null]]", "", "max"]
#: options never dropped by a mutation: without them a cheap case becomes an expensive one
#: (every figure of the gallery, a process pool, the full-size run) rather than a hostile one
KEEP = {"--list", "--list-models", "--executor", "--quiet", "--quick", "--max-sweeps",
        "--epochs", "--instances", "--grid", "--workers", "--noise-samples", "--store"}
BAD_FOR_FAST = ["abc", "nan", "inf", "-inf", "", "[[", "{}", '[["1"]]', "[[null]]"]


@dataclass
class Case:
    argv: list
    json: bool = False
    subprocess: bool = False
    label: str = ""


@dataclass
class Verdict:
    case: Case
    rc: object
    defects: list = field(default_factory=list)
    stderr: str = ""

    @property
    def kind(self) -> str:
        if self.defects:
            return "defect"
        return "result" if self.rc == 0 else "clean error"


def _random100():
    rng = random.Random(0)
    return json.dumps([[round(rng.gauss(0, 1), 3) for _ in range(100)] for _ in range(100)])


def expand(line: str, tmp: Path) -> list:
    line = line.replace("{tmp}", str(tmp))
    argv = shlex.split(line)
    return [_random100() if a == "{random100}" else a for a in argv]


def valid_cases(tmp: Path, cost=("fast",)) -> list:
    out = []
    for line in VALID.strip().splitlines():
        c, cmd = (s.strip() for s in line.split("|", 1))
        if c in cost:
            argv = expand(cmd, tmp)
            out.append(Case(argv, json="--json" in argv, subprocess=c == "slow", label="valid"))
    return out


def hostile_cases(tmp: Path) -> list:
    return [Case(expand(l, tmp), json="--json" in l, subprocess=True, label="hostile")
            for l in HOSTILE.strip().splitlines()]


def mutations(base: list, rng: random.Random, n: int, values=BAD_VALUES,
              in_process=False) -> list:
    """``n`` mutants of ``base``: an option's value replaced by a hostile token, or a required
    option dropped."""
    idx = [i for i, a in enumerate(base) if i > 0 and base[i - 1].startswith("--")
           and not a.startswith("--")]
    opts = [i for i, a in enumerate(base) if a.startswith("--") and a != "--json"
            and a not in KEEP]
    out = []
    for _ in range(n):
        argv = list(base)
        if idx and rng.random() < 0.8:
            i = rng.choice(idx)
            argv[i] = rng.choice(values)
        elif opts:
            i = rng.choice(opts)
            j = i + 1
            while j < len(argv) and not argv[j].startswith("--"):
                j += 1
            del argv[i:j]
        out.append(Case(argv, json="--json" in argv, subprocess=not in_process,
                        label="mutant"))
    return out


def parser_leaves():
    """Every leaf sub-command of the parser: ``(path, parser)``."""
    from replica.cli import build_parser, iter_parsers

    leaves = []
    for path, p, _ in iter_parsers(build_parser()):
        if not any(isinstance(a, argparse._SubParsersAction) for a in p._actions):
            leaves.append((path, p))
    return leaves


# -- running -----------------------------------------------------------------------------------

def _limit():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    os.setsid()


def run_case(case: Case) -> tuple:
    """(rc, stdout, stderr); rc "timeout" when a subprocess case runs out of time."""
    if case.subprocess:
        env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="agg", COLUMNS="100")
        p = subprocess.Popen([PY, "-m", "replica", *case.argv], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, preexec_fn=_limit, env=env,
                             cwd=tempfile.gettempdir())   # relative paths never land in the checkout
        try:
            out, err = p.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)     # the case and any worker it started
            p.communicate()
            return "timeout", "", ""
        return p.returncode, out, err
    from replica.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main(case.argv)
        except SystemExit as exc:       # argparse: --help, or a refused argument (exit 2)
            rc = exc.code if isinstance(exc.code, int) else 2
        except BaseException as exc:    # a traceback in a subprocess: a defect
            import traceback

            err.write("Traceback (in-process)\n" + "".join(
                traceback.format_exception(type(exc), exc, exc.__traceback__)))
            rc = 1
    return rc, out.getvalue(), err.getvalue()


def _nonfinite_strings(obj, where="") -> list:
    bad = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            bad += _nonfinite_strings(v, f"{where}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            bad += _nonfinite_strings(v, f"{where}[{i}]")
    elif isinstance(obj, str) and obj.strip().lower() in ("inf", "-inf", "nan", "+inf",
                                                          "infinity", "-infinity"):
        bad.append(where)
    return bad


def _h2(d):
    return -d * math.log(d) - (1 - d) * math.log(1 - d) if 0 < d < 1 else 0.0


def physical_bounds(argv: list, data) -> list:
    """Bounds the output of a command must satisfy (empty list when all hold)."""
    bad, cmd = [], argv[0] if argv else ""
    model = argv[argv.index("--model") + 1] if "--model" in argv[:-1] else ""
    rows = data if isinstance(data, list) else [data]
    tol = 1e-9
    for r in rows:
        if not isinstance(r, dict):
            continue
        if cmd == "gardner" and "entropy" in r:
            s = r["entropy"]
            if model == "binary" and not (-tol <= s <= LN2 + tol):
                bad.append(f"binary entropy {s} outside [0, ln 2]")
            if model == "spherical" and s > tol:
                bad.append(f"spherical entropy {s} > 0")
        if cmd == "local-entropy" and "entropy" in r and "d" in r and model == "binary":
            if r["entropy"] > _h2(r["d"]) + 1e-7:
                bad.append(f"S(d={r['d']}) = {r['entropy']} > H2(d)")
        if cmd == "local-energy":
            for le in r.get("local_energy", []):
                v = le.get("local_energy")
                if r.get("kappa", -1) >= 0 and v is not None and v < -1e-12:
                    bad.append(f"local energy {v} < 0 around a margin-{r.get('kappa')} "
                               "reference")
                if v is not None and not -1 <= v <= 1:
                    bad.append(f"local energy {v} outside [-1, 1]")
        if cmd == "enumerate":
            n = int(argv[argv.index("--n") + 1])
            for inst in r.get("instances", []):
                for key in ("count", "counts"):
                    vals = inst.get(key)
                    vals = vals if isinstance(vals, list) else [vals]
                    for c in vals:
                        if isinstance(c, (int, float)) and not 0 <= c <= 2 ** n:
                            bad.append(f"count {c} outside [0, 2^{n}]")
    return bad


def judge(case: Case, rc, out: str, err: str) -> Verdict:
    v = Verdict(case, rc, stderr=err)
    if rc not in (0, 2, 3):
        v.defects.append(f"exit code {rc}")
    if "Traceback" in err or "Traceback" in out:
        v.defects.append("traceback")
    for line in err.splitlines():
        s = line.strip()
        if not s or s.startswith("replica:") or s.startswith("usage:") or "\r" in line \
                or re.search(r"\d+%\|", s) or s.startswith(("ok  ", "FAIL")):
            continue
        if s.startswith(" ") or not s.startswith("replica"):
            if not re.match(r"^[\w\s\-\[\]{},.=:<>|/()'\"]*$", s) or "Error" in s:
                v.defects.append(f"stray stderr line: {s[:120]}")
                break
    if rc == 0 and case.json and not case.argv[:1] == ["scan"]:
        def bad_constant(name):
            raise ValueError(f"non-finite JSON constant {name}")
        try:
            data = json.loads(out, parse_constant=bad_constant)
        except ValueError as exc:
            v.defects.append(f"invalid JSON: {exc}")
        else:
            nf = _nonfinite_strings(data)
            if nf:
                v.defects.append(f"non-finite strings at {nf[:3]}")
            v.defects += physical_bounds(case.argv, data)
    if rc == 0 and not case.json and re.search(r"(?<![\w.])(nan|inf)(?![\w.])", out):
        v.defects.append("nan/inf in table output")
    return v


def run_all(cases, jobs: int = 1) -> list:
    if jobs <= 1:
        return [judge(c, *run_case(c)) for c in cases]
    from concurrent.futures import ThreadPoolExecutor

    sub = [c for c in cases if c.subprocess]
    inproc = [c for c in cases if not c.subprocess]
    with ThreadPoolExecutor(jobs) as ex:
        futs = [ex.submit(run_case, c) for c in sub]
        verdicts = [judge(c, *run_case(c)) for c in inproc]
        verdicts += [judge(c, *f.result()) for c, f in zip(sub, futs)]
    return verdicts


def summary(verdicts) -> dict:
    kinds = [v.kind for v in verdicts]
    return {"cases": len(kinds), "results": kinds.count("result"),
            "clean errors": kinds.count("clean error"), "defects": kinds.count("defect")}


def main(argv=None) -> int:
    import tempfile

    ap = argparse.ArgumentParser(description="fuzz the replica CLI (a larger run)")
    ap.add_argument("--cases", type=int, default=300, help="number of mutants (default 300)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the mutations (default 1)")
    ap.add_argument("--jobs", type=int, default=2, help="subprocesses in parallel (default 2)")
    a = ap.parse_args(argv)
    rng = random.Random(a.seed)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        bases = valid_cases(tmp, cost=("fast", "mid", "slow"))
        cases = bases + hostile_cases(tmp)
        per = max(1, a.cases // len(bases))
        for b in bases:
            cases += mutations(b.argv, rng, per)
        verdicts = run_all(cases, a.jobs)
    s = summary(verdicts)
    print(json.dumps(s))
    for v in verdicts:
        if v.defects:
            print(f"DEFECT rc={v.rc} {' '.join(v.case.argv)[:160]}\n    {'; '.join(v.defects)}"
                  f"\n    {v.stderr.strip().splitlines()[-1][:200] if v.stderr.strip() else ''}")
    return 0 if not s["defects"] else 1


if __name__ == "__main__":
    sys.exit(main())
