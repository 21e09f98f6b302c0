#!/usr/bin/env python3
"""The planner on real code: `make bench-planner`.

Downloads two released versions of a pure-Python library with its tests from PyPI (sdists,
nothing committed), diffs the library's files in GitHub's `patch` shape, plans mutants with this
commit's planner and with an earlier one's, applies each mutant to the newer version and runs
the library's own tests under a time limit (three times the baseline's, at least 60 s). Prints,
per planner: planned, killed, survived, compile error and timeout, and how many of the
survivors are unproductive: inside a string or comment, or on an arid line. Writes the numbers
to bench/planner/results.json.
"""
import argparse
import concurrent.futures
import difflib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import tokenize
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORK = os.path.join(ROOT, ".build-bench", "planner")


def sdist(package, version):
    """The sdist's extracted folder, downloaded once from PyPI's simple index."""
    folder = os.path.join(WORK, f"{package}-{version}")
    if os.path.isdir(folder):
        return folder
    page = urllib.request.urlopen(f"https://pypi.org/simple/{package}/", timeout=60).read().decode()
    name = package.replace("-", "_")
    match = re.search(rf'href="([^"#]*{re.escape(name)}-{re.escape(version)}\.tar\.gz)', page)
    if not match:
        sys.exit(f"bench-planner: no sdist of {package} {version} on PyPI")
    data = urllib.request.urlopen(match.group(1), timeout=120).read()
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        top = archive.getnames()[0].split("/")[0]
        archive.extractall(WORK, filter="data")
    shutil.move(os.path.join(WORK, top), folder)
    return folder


def changed_files(old, new, package_dir):
    """The library's changed Python files as GitHub lists them: filename, status, patch, text."""
    files = []
    for folder, _, names in os.walk(os.path.join(new, package_dir)):
        for name in sorted(names):
            if not name.endswith(".py"):
                continue
            path = os.path.relpath(os.path.join(folder, name), new)
            after = open(os.path.join(new, path), encoding="utf-8").read()
            before_path = os.path.join(old, path)
            before = open(before_path, encoding="utf-8").read() if os.path.exists(before_path) else ""
            if before == after:
                continue
            lines = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=3)
            patch = "\n".join(line for line in lines if not line.startswith(("---", "+++")))
            files.append({"filename": path, "status": "modified" if before else "added", "patch": patch,
                          "source": after})
    return files


def build_planner(label, commit):
    """Compiles main.swift with the Workflow sources of `commit` (None: the working tree)."""
    binary = os.path.join(WORK, f"plan-{label}")
    sources = os.path.join(WORK, f"workflow-{label}")
    shutil.rmtree(sources, ignore_errors=True)
    os.makedirs(sources)
    if commit:
        archive = subprocess.run(["git", "-C", ROOT, "archive", commit, "Sources/Workflow"], capture_output=True,
                                 check=True).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(sources, filter="data")
        workflow = os.path.join(sources, "Sources", "Workflow")
    else:
        workflow = os.path.join(ROOT, "Sources", "Workflow")
    swift = [os.path.join(workflow, name) for name in sorted(os.listdir(workflow)) if name.endswith(".swift")]
    helper = "source-before.swift" if commit else "source-now.swift"
    here = os.path.join(ROOT, "bench", "planner")
    subprocess.run(["swiftc", "-O", "-module-name", "Plan", *swift, os.path.join(here, "main.swift"),
                    os.path.join(here, helper), "-o", binary], check=True)
    return binary


def plan(binary, files, limit):
    answer = subprocess.run([binary, str(limit)], input=json.dumps(files).encode(), capture_output=True, check=True)
    return json.loads(answer.stdout)


def run_tests(tree, test_command, limit):
    """'passed', 'failed' or 'timeout', and the seconds taken."""
    started = time.monotonic()
    try:
        done = subprocess.run(test_command, shell=True, cwd=tree, capture_output=True, timeout=limit)
    except subprocess.TimeoutExpired:
        return "timeout", time.monotonic() - started
    return ("passed" if done.returncode == 0 else "failed"), time.monotonic() - started


def judge(mutant, new, test_command, limit, label):
    """The mutant's status on a fresh copy of the newer version."""
    tree = os.path.join(WORK, f"run-{label}-{mutant['id']}")
    shutil.rmtree(tree, ignore_errors=True)
    shutil.copytree(new, tree)
    try:
        path = os.path.join(tree, mutant["path"])
        lines = open(path, encoding="utf-8").read().split("\n")
        if lines[mutant["line"] - 1] != mutant["original"]:
            return "not applied"
        lines[mutant["line"] - 1] = mutant["replacement"]
        text = "\n".join(lines)
        try:
            compile(text, path, "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            return "compile error"
        open(path, "w", encoding="utf-8").write(text)
        tests, _ = run_tests(tree, test_command, limit)
        return {"passed": "survived", "failed": "killed", "timeout": "timeout"}[tests]
    finally:
        shutil.rmtree(tree, ignore_errors=True)


ARID = re.compile(
    r"^\s*(assert\b|raise\b|from\s+\S+\s+import\b|import\b|@overload|if TYPE_CHECKING|[A-Z][A-Z0-9_]*\s*=[^=])"
    r"|warnings\.warn\(|logging\.|logger\.|\blog\.|pragma: no cover|^\s*(msg|message|error|reason)\s*=\s*[rfbu]*['\"]"
    r"|^\s*[rfbu]*['\"].*['\"][\s,)+]*$")


def unproductive_lines(path):
    """Line numbers inside a string or comment spanning lines, or holding only a string or comment."""
    text = open(path, encoding="utf-8").read()
    inside = set()
    code_lines = set()
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        kind, start, end = token.type, token.start[0], token.end[0]
        if kind == tokenize.STRING and end > start:
            inside.update(range(start, end + 1))
        elif kind == tokenize.COMMENT:
            inside.add(start)
        elif kind not in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.STRING,
                          tokenize.ENDMARKER):
            code_lines.update(range(start, end + 1))
    lines = text.split("\n")
    string_only = {number for number in range(1, len(lines) + 1) if number not in code_lines}
    return inside | string_only, lines


def kind_of(mutant, new, cache):
    if mutant["path"] not in cache:
        cache[mutant["path"]] = unproductive_lines(os.path.join(new, mutant["path"]))
    inside, lines = cache[mutant["path"]]
    if mutant["line"] in inside:
        return "string or comment"
    if ARID.search(lines[mutant["line"] - 1]):
        return "arid"
    return "code"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", default="more-itertools")
    parser.add_argument("--import-name", default="more_itertools")
    parser.add_argument("--old", default="10.7.0")
    parser.add_argument("--new", default="10.8.0")
    parser.add_argument("--limit", type=int, default=40, help="mutants planned per planner (the tenant's maxMutants)")
    parser.add_argument("--before", default="f5f7d4f", help="the commit whose planner is 'before'")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--tests", default="python3 -m unittest discover -s tests -t .")
    parser.add_argument("--out", default=os.path.join(ROOT, "bench", "planner", "results.json"))
    args = parser.parse_args()
    os.makedirs(WORK, exist_ok=True)
    old, new = sdist(args.package, args.old), sdist(args.package, args.new)
    files = changed_files(old, new, args.import_name)
    added = sum(1 for f in files for line in f["patch"].split("\n") if line.startswith("+"))
    print(f"{args.package} {args.old} → {args.new}: {len(files)} changed files, {added} added lines")
    baseline, seconds = run_tests(new, args.tests, 3600)
    if baseline != "passed":
        sys.exit(f"bench-planner: the library's tests do not pass unmodified ({baseline})")
    limit = max(60, 3 * seconds)
    print(f"baseline tests: {seconds:.1f} s, so each mutant's limit is {limit:.0f} s")
    results = {"package": args.package, "old": args.old, "new": args.new, "baselineSeconds": round(seconds, 1),
               "limit": args.limit, "planners": {}}
    cache = {}
    for label, commit in (("before", args.before), ("after", None)):
        mutants = plan(build_planner(label, commit), files, args.limit)
        kinds = {m["id"]: kind_of(m, new, cache) for m in mutants}
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            statuses = dict(zip([m["id"] for m in mutants],
                                pool.map(lambda m: judge(m, new, args.tests, limit, label), mutants)))
        survivors = [m for m in mutants if statuses[m["id"]] == "survived"]
        unproductive = [m for m in survivors if kinds[m["id"]] != "code"]
        row = {
            "planned": len(mutants),
            "onCode": sum(1 for kind in kinds.values() if kind == "code"),
            "inStringsOrComments": sum(1 for kind in kinds.values() if kind == "string or comment"),
            "onAridLines": sum(1 for kind in kinds.values() if kind == "arid"),
            **{status: sum(1 for s in statuses.values() if s == status)
               for status in ("killed", "survived", "compile error", "timeout", "not applied")},
            "unproductiveSurvivors": len(unproductive),
            "survivors": [f"{m['path']}:{m['line']} {m['operator']} [{kinds[m['id']]}]" for m in survivors],
        }
        results["planners"][label] = row
    print_table(results)
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(results, out, indent=2)
        out.write("\n")


def print_table(results):
    rows = ["planned", "onCode", "inStringsOrComments", "onAridLines", "killed", "survived", "compile error",
            "timeout", "unproductiveSurvivors"]
    before, after = results["planners"]["before"], results["planners"]["after"]
    print(f"\n| {results['package']} {results['old']} → {results['new']} | before | after |")
    print("|---|---|---|")
    for row in rows:
        print(f"| {row} | {before[row]} | {after[row]} |")
    for label, planner in results["planners"].items():
        share = planner["unproductiveSurvivors"] / planner["survived"] if planner["survived"] else 0
        broken = planner["compile error"] / planner["planned"] if planner["planned"] else 0
        print(f"{label}: unproductive survivors {share:.0%}, compile errors {broken:.1%}")


if __name__ == "__main__":
    main()
