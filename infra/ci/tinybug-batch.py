#!/usr/bin/env python3
"""Tests a batch of Tinybug mutants one after the other in one CI run.

The mutants come as base64 JSON in $TINYBUG_MUTANTS (an array, each with `id`, `path`, `line`,
`original`, `replacement`, `operator`), the time limit per mutant in seconds in
$TINYBUG_MUTANT_TIMEOUT (empty: none). For each mutant, on the tree as checked out: apply it
(exactly as apply-mutant.py does: the line must still match and the file must still parse), run
the test command (exactly as tinybug-tests.py does) under the time limit, write
tinybug-results/mutants/<id>/outcome.json and the JUnit files into tinybug-results/mutants/<id>/junit/,
then put the file back and go on with the next. Tinybug settles each mutant from its own folder:
a mutant that did not apply is CompileError, one past its time limit Timeout, and one without a
folder (the run died before it) goes into a later batch.

Exit code: 0 once every mutant has its outcome (the run's conclusion decides nothing); 2 for bad
input.
"""
import base64
import importlib.util
import json
import os
import shutil
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# The scripts it loads are run from the CI's checkout: leave no __pycache__ beside them.
sys.dont_write_bytecode = True


def load(name, file):
    spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, file))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


apply_mutant = load("apply_mutant", "apply-mutant.py")
tinybug_tests = load("tinybug_tests", "tinybug-tests.py")


def batch():
    encoded = os.environ.get("TINYBUG_MUTANTS", "").strip()
    try:
        mutants = json.loads(base64.b64decode(encoded, validate=True))
        assert isinstance(mutants, list)
        return [(int(m["id"]), m) for m in mutants]
    except (ValueError, KeyError, TypeError, AssertionError) as error:
        print(f"tinybug: TINYBUG_MUTANTS is not a base64 JSON array of mutants: {error}", file=sys.stderr)
        sys.exit(2)


def time_limit():
    text = os.environ.get("TINYBUG_MUTANT_TIMEOUT", "").strip()
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value > 0 else None


def mutated(mutant):
    """The file's path, its text before and with the mutant, or why the mutant does not apply."""
    full, before, after, _, problem = apply_mutant.mutate(
        mutant["path"], int(mutant["line"]), mutant["original"], mutant["replacement"])
    return full, before, after, problem


def write_outcome(folder, outcome):
    with open(os.path.join(folder, "outcome.json"), "w", encoding="utf-8") as written:
        json.dump(outcome, written)


def test_one(identifier, mutant, results, limit, command):
    folder = os.path.join(results, "mutants", str(identifier))
    junit = os.path.join(folder, "junit")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(junit)
    full, before, after, problem = mutated(mutant)
    if problem:
        print(f"tinybug: m{identifier}: {problem}; not applied", file=sys.stderr)
        write_outcome(folder, {"applied": False, "tests": "error", "seconds": 0})
        return
    with open(full, "w", encoding="utf-8", newline="") as target:
        target.write(after)
    try:
        environment = dict(os.environ, TINYBUG_JUNIT_DIR=os.path.abspath(junit), TINYBUG_COVERAGE_DIR=os.devnull)
        started = time.time()
        status, timed_out = tinybug_tests.run(command, environment, limit)
        seconds = round(time.time() - started, 1)
        if not os.listdir(junit):
            # Reports the tools leave in their usual places, written by this mutant's run only.
            fresh = [p for p in tinybug_tests.found(tinybug_tests.JUNIT_PATTERNS) if os.path.getmtime(p) >= started]
            tinybug_tests.gather(fresh, junit)
        tests = "timeout" if timed_out else ("passed" if status == 0 else "failed")
        write_outcome(folder, {"applied": True, "tests": tests, "seconds": seconds})
        print(f"tinybug: m{identifier} {mutant['path']}:{mutant['line']}: {tests} in {seconds}s", file=sys.stderr)
    finally:
        with open(full, "w", encoding="utf-8", newline="") as target:
            target.write(before)


def main():
    mutants = batch()
    results = os.environ.get("TINYBUG_RESULTS", "tinybug-results")
    command = os.environ.get("TINYBUG_TEST_COMMAND") or "make test"
    limit = time_limit()
    for identifier, mutant in mutants:
        test_one(identifier, mutant, results, limit, command)
    shutil.rmtree(os.path.join(results, "coverage"), ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
