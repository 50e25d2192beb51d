"""The command line under careless and hostile input (issue 22), at CI size.

* every sub-command (found by walking the parser) explains itself: a one-line description, a
  help text for every option with its default, no reStructuredText markup in ``--help``;
* a seeded corpus of valid invocations over the documented ranges, and their mutants
  (non-numbers, NaN/inf, malformed JSON, missing arguments), run in-process;
* the absurd sizes and budgets of the issue, each in a subprocess under a 4 GiB address-space
  limit and a timeout.

Every case must end with exit 0, 2 or 3, no traceback, one-line messages, finite JSON and the
physical bounds (see ``tests/fuzz_cli.py``; ``python tests/fuzz_cli.py --cases 400`` is the
larger run).
"""
from __future__ import annotations

import argparse
import contextlib
import io
import random
import signal

import pytest

import fuzz_cli as F

RST = ("``", ":mod:", ":func:", ":class:", ":meth:", ".. math", "::\n")


@contextlib.contextmanager
def _deadline(seconds):
    def boom(*_):
        raise TimeoutError(f"case took more than {seconds} s")
    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _help_text(path):
    from replica.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(list(path[1:]) + ["--help"]) == 0
    return out.getvalue()


def test_every_subcommand_and_option_explains_itself():
    from replica.cli import build_parser, iter_parsers

    seen = 0
    for path, p, text in iter_parsers(build_parser()):
        name = " ".join(path)
        assert p.description and p.description.strip(), f"{name}: no description"
        first = p.description.strip().splitlines()[0]
        assert len(first) > 10, f"{name}: description {first!r} says nothing"
        for action in p._actions:
            if isinstance(action, (argparse._HelpAction, argparse._VersionAction,
                                   argparse._SubParsersAction)):
                continue
            label = "/".join(action.option_strings) or action.dest
            assert action.help and action.help.strip(), f"{name} {label}: no help text"
        text = _help_text(path)
        for mark in RST:
            assert mark not in text, f"{name} --help shows RST markup {mark!r}"
        for action in p._actions:
            d = action.default
            if (action.option_strings and d is not None and d is not False
                    and d is not argparse.SUPPRESS and action.nargs != 0
                    and not isinstance(action, argparse._HelpAction)):
                assert "default" in (p.formatter_class(prog="x")._get_help_string(action)
                                     .lower()), f"{name} {action.option_strings}: default not shown"
        seen += 1
    assert seen >= 25     # 16 command groups and their sub-commands


def test_model_is_validated_the_same_way_everywhere():
    from replica.cli import main

    msgs = []
    for argv in (["gardner", "--model", "bogus", "--alpha", "1"],
                 ["capacity", "--model", "bogus"],
                 ["local-entropy", "--model", "bogus", "--alpha", "1", "--kappa-ref", "0"],
                 ["local-energy", "--model", "bogus", "--alpha", "1", "--kappa", "0",
                  "--sigma", "0.1"],
                 ["threshold", "capacity", "--model", "bogus"]):
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            assert main(argv) == 2
        msgs.append(err.getvalue().strip())
    import re

    form = re.compile(r"^replica: error: argument --model: unknown model 'bogus'; choose one "
                      r"of [a-z0-9-]+(, [a-z0-9-]+)*$")
    assert all(form.match(m) and "binary, spherical" in m for m in msgs), msgs


def test_valid_corpus(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)      # a mutated --store value must not land in the checkout
    cases = F.valid_cases(tmp_path)
    verdicts = []
    for case in cases:
        with _deadline(120):
            verdicts.append(F.judge(case, *F.run_case(case)))
    defects = [(" ".join(v.case.argv), v.defects, v.stderr[-300:]) for v in verdicts
               if v.defects]
    assert not defects
    # valid input gives results (the documented refusals of the corpus aside)
    assert sum(v.rc == 0 for v in verdicts) >= len(verdicts) - 4


def test_mutants_in_process(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)      # a mutated --store value (e.g. '[[null]]') is a relative path
    rng = random.Random(22)
    cases = []
    for base in F.valid_cases(tmp_path):
        cases += F.mutations(base.argv, rng, 2, values=F.BAD_FOR_FAST, in_process=True)
    verdicts = []
    for case in cases:
        with _deadline(120):
            verdicts.append(F.judge(case, *F.run_case(case)))
    defects = [(" ".join(v.case.argv), v.defects, v.stderr[-300:]) for v in verdicts
               if v.defects]
    assert not defects
    errors = [v for v in verdicts if v.rc == 2]
    assert len(errors) >= len(verdicts) // 2
    for v in errors:            # refusals are one line naming what was wrong
        lines = [s for s in v.stderr.splitlines() if s.startswith("replica: error")]
        assert len(lines) == 1, v.stderr


@pytest.mark.slow
def test_hostile_sizes_under_memory_limit(tmp_path):
    verdicts = F.run_all(F.hostile_cases(tmp_path), jobs=2)
    defects = [(" ".join(v.case.argv)[:120], v.rc, v.defects, v.stderr[-300:])
               for v in verdicts if v.defects]
    assert not defects
    # every one of them is refused up front (exit 2) with one line, or answered
    for v in verdicts:
        assert v.rc in (0, 2, 3), v.case.argv
        if v.rc:
            assert len([s for s in v.stderr.splitlines() if s.strip()]) == 1, v.stderr


def test_closed_form_command_starts_without_numpy():
    """`replica capacity --model spherical` needs only the math module: building the parser of
    every command and answering must not import numpy, scipy or numba (start-up time; measured
    in the README, not asserted)."""
    import subprocess
    import sys

    code = ("import sys, io, contextlib; from replica.cli import main; "
            "out = io.StringIO()\n"
            "with contextlib.redirect_stdout(out): rc = main(['capacity', '--model', "
            "'spherical', '--kappa', '-1', '--json'])\n"
            "heavy = sorted(m for m in ('numpy', 'scipy', 'numba') if m in sys.modules)\n"
            "print(rc, heavy)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=120, cwd=str(F.ROOT), env={**__import__("os").environ,
                                                          "PYTHONPATH": str(F.ROOT)})
    assert r.stdout.strip() == "0 []", r.stdout + r.stderr
