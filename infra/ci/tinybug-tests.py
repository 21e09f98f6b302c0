#!/usr/bin/env python3
"""Runs the repository's test command and gathers its results into tinybug-results/.

The command is $TINYBUG_TEST_COMMAND (default: make test), run by the shell. It sees
$TINYBUG_JUNIT_DIR and $TINYBUG_COVERAGE_DIR and may write there directly, for example
`pytest --junitxml=$TINYBUG_JUNIT_DIR/pytest.xml --cov --cov-report=lcov:$TINYBUG_COVERAGE_DIR/lcov.info`.
After it, JUnit XML that the usual tools leave in their usual places (Surefire, Gradle,
jest-junit, gotestsum, nextest, `swift test --xunit-output`) is copied into junit/, and on the
baseline (no $TINYBUG_MUTANT) coverage (lcov.info, Cobertura XML) into coverage/. Tinybug reads
the folder back as the run's `tinybug-results` artifact (CONTRACT.md); a run without it is
judged by its steps.

A mutant's test run has a time limit when the mutant says one (`timeout`, in seconds: three
times the baseline's test time, at least 60): past it the command is stopped, outcome.json says
`"tests": "timeout"` and the exit code is 124, and Tinybug reports the mutant as Timeout.

Exit code: the test command's (124 past the time limit).
"""
import base64
import glob
import json
import os
import signal
import time
import shutil
import subprocess
import sys

RESULTS = os.environ.get("TINYBUG_RESULTS", "tinybug-results")
JUNIT_PATTERNS = [
    "**/surefire-reports/TEST-*.xml", "**/failsafe-reports/TEST-*.xml", "**/build/test-results/**/*.xml",
    "junit*.xml", "**/junit*.xml", "report.xml", "test-results.xml", "**/test-results/*.xml",
    "**/nextest/**/junit.xml", "xunit*.xml",
]
COVERAGE_PATTERNS = {
    "lcov.info": ["lcov.info", "coverage/lcov.info", "**/lcov.info"],
    "cobertura": ["coverage.xml", "cobertura.xml", "**/cobertura*.xml", "**/coverage.cobertura.xml"],
}
# Files larger than this are left out: Tinybug reads at most 50 MiB per run.
MAX_BYTES = 50 * 1024 * 1024


def found(patterns):
    """Files matching any pattern, outside the results folder and dependency folders."""
    seen = []
    for pattern in patterns:
        for path in sorted(glob.glob(pattern, recursive=True)):
            parts = path.split(os.sep)
            if parts[0] == RESULTS or "node_modules" in parts or ".git" in parts:
                continue
            if os.path.isfile(path) and os.path.getsize(path) <= MAX_BYTES and path not in seen:
                seen.append(path)
    return seen


def gather(paths, folder, name=None):
    for index, path in enumerate(paths):
        target = name or f"{index:03d}-" + path.replace(os.sep, "_")
        shutil.copyfile(path, os.path.join(folder, target))


def mutant_timeout():
    """The mutant's time limit in seconds, or None (the baseline, or no limit given)."""
    encoded = os.environ.get("TINYBUG_MUTANT", "").strip()
    if not encoded:
        return None
    try:
        value = json.loads(base64.b64decode(encoded, validate=True)).get("timeout")
    except (ValueError, AttributeError):
        return None
    return float(value) if isinstance(value, (int, float)) and value > 0 else None


def run(command, environment, limit):
    """The command's exit status, and whether it ran past `limit` seconds (then it is stopped)."""
    process = subprocess.Popen(command, shell=True, env=environment, start_new_session=True)
    try:
        return process.wait(timeout=limit), False
    except subprocess.TimeoutExpired:
        stop(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            stop(process.pid, signal.SIGKILL)
            process.wait()
        return 124, True


def stop(group, sig):
    try:
        os.killpg(group, sig)
    except ProcessLookupError:
        pass


def main():
    junit = os.path.join(RESULTS, "junit")
    coverage = os.path.join(RESULTS, "coverage")
    os.makedirs(junit, exist_ok=True)
    os.makedirs(coverage, exist_ok=True)
    command = os.environ.get("TINYBUG_TEST_COMMAND") or "make test"
    environment = dict(os.environ, TINYBUG_JUNIT_DIR=os.path.abspath(junit), TINYBUG_COVERAGE_DIR=os.path.abspath(coverage))
    limit = mutant_timeout()
    started = time.monotonic()
    status, timed_out = run(command, environment, limit)
    outcome = {
        "applied": True, "tests": "timeout" if timed_out else ("passed" if status == 0 else "failed"),
        "seconds": round(time.monotonic() - started, 1),
    }
    with open(os.path.join(RESULTS, "outcome.json"), "w", encoding="utf-8") as written:
        json.dump(outcome, written)
    if not os.listdir(junit):
        gather(found(JUNIT_PATTERNS), junit)
    baseline = not os.environ.get("TINYBUG_MUTANT")
    if baseline and not os.listdir(coverage):
        lcov = found(COVERAGE_PATTERNS["lcov.info"])
        if lcov:
            gather(lcov[:1], coverage, "lcov.info")
        else:
            gather([p for p in found(COVERAGE_PATTERNS["cobertura"]) if p.endswith(".xml")], coverage)
    if not baseline:
        shutil.rmtree(coverage, ignore_errors=True)
    print(f"tinybug: {len(os.listdir(junit))} JUnit files in {junit}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
