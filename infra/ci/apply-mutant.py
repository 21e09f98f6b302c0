#!/usr/bin/env python3
"""Applies one Tinybug mutant to the checked-out repository, or refuses.

The mutant comes base64-encoded JSON in $TINYBUG_MUTANT (or the first argument): path, line,
original, replacement, operator. An empty value is the baseline: nothing to apply.
The line must still read exactly `original`; otherwise the PR moved on and the job must not
count as a test result, so the script exits 3 and changes nothing. The mutated file must still
parse where a checker is at hand (Python's own compiler for .py, `node --check` for JavaScript);
otherwise it exits 3 too, and Tinybug reports the mutant as CompileError, never as killed. With
--check it only checks.

Exit codes: 0 applied (or baseline), 2 bad input, 3 the mutant does not apply.
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile


def fail(code, message):
    print(f"tinybug: {message}", file=sys.stderr)
    sys.exit(code)


def load_mutant(encoded):
    try:
        mutant = json.loads(base64.b64decode(encoded, validate=True))
        return mutant["path"], int(mutant["line"]), mutant["original"], mutant["replacement"]
    except (ValueError, KeyError, TypeError) as error:
        fail(2, f"TINYBUG_MUTANT is not a base64 JSON mutant: {error}")


def parses(path, text):
    """None if the text parses (or no checker is at hand), else why it does not."""
    if path.endswith(".py"):
        try:
            compile(text, path, "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as error:
            return f"{error.__class__.__name__}: {error}"
        return None
    extension = os.path.splitext(path)[1]
    if extension in (".js", ".mjs", ".cjs") and shutil.which("node"):
        # Beside the original, so the package's own module settings apply.
        folder = os.path.dirname(os.path.abspath(path)) or "."
        with tempfile.NamedTemporaryFile("w", suffix=extension, dir=folder, delete=False, encoding="utf-8") as copy:
            copy.write(text)
        try:
            checked = subprocess.run(["node", "--check", copy.name], capture_output=True, text=True, timeout=60)
        except subprocess.TimeoutExpired:
            return None
        finally:
            os.unlink(copy.name)
        if checked.returncode == 0:
            return None
        lines = checked.stderr.strip().splitlines()
        return lines[-1] if lines else f"node --check exited {checked.returncode}"
    return None


def breaks_parsing(path, before, after):
    """Why the mutant stops a file that parsed from parsing; None when it does not (or the
    file never parsed with the checkers at hand: JSX, newer syntax)."""
    problem = parses(path, after)
    if problem is None or parses(path, before) is not None:
        return None
    return problem


def mutate(path, line, original, replacement):
    """The file's full path, its text before and with the mutant, and no exit code or problem; or
    the exit code (2 a path outside the repository, 3 the mutant does not apply) and why."""
    root = os.path.realpath(os.getcwd())
    full = os.path.realpath(os.path.join(root, path))
    if os.path.isabs(path) or not full.startswith(root + os.sep):
        return None, None, None, 2, f"the mutant's path {path!r} is outside the repository"
    try:
        with open(full, encoding="utf-8", newline="") as source:
            before = source.read()
    except OSError as error:
        return None, None, None, 3, f"cannot read {path}: {error}"
    lines = before.split("\n")
    if not 1 <= line <= len(lines):
        return None, None, None, 3, f"{path} has no line {line}"
    current = lines[line - 1]
    ending = "\r" if current.endswith("\r") else ""
    if current[: len(current) - len(ending)] != original:
        return None, None, None, 3, f"{path}:{line} no longer reads {original!r} (it reads {current!r})"
    lines[line - 1] = replacement + ending
    after = "\n".join(lines)
    problem = breaks_parsing(path, before, after)
    if problem:
        return None, None, None, 3, f"{path}:{line} would not parse with the mutant ({problem})"
    return full, before, after, None, None


def main(argv):
    check_only = "--check" in argv
    args = [a for a in argv if a != "--check"]
    encoded = args[0] if args else os.environ.get("TINYBUG_MUTANT", "")
    if not encoded.strip():
        print("tinybug: baseline, nothing to apply")
        return 0
    path, line, original, replacement = load_mutant(encoded)
    full, _, after, code, problem = mutate(path, line, original, replacement)
    if problem:
        fail(code, problem if code == 2 else f"{problem}; not applied")
    if check_only:
        print(f"tinybug: {path}:{line} matches and parses; the mutant applies")
        return 0
    with open(full, "w", encoding="utf-8", newline="") as target:
        target.write(after)
    print(f"tinybug: {path}:{line}: {original.strip()} -> {replacement.strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
