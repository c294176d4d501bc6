#!/usr/bin/env python3
"""Runs one golden case: the real `smc apply` on a case directory, stdout compared byte for byte.

A case is tests/golden/cases/NAME/ holding
  input.sip        the message given to smc apply
  profiles         profile paths relative to the repository root, one per line, in order
  expected.sip     what smc must print on stdout, byte for byte (empty when it must print nothing)
and optionally
  args             extra arguments, one per line, placed before the input; a line "-" makes
                   smc read input.sip from standard input instead of its path
  expected.exit    the exit status (default 0)
  expected.stderr  what smc must print on stderr, exactly
  stderr.contains  lines that must each appear somewhere in stderr
smc runs from the repository root with relative paths, so that the file names it prints do
not depend on where the tree is checked out.
"""
import argparse
import os
import subprocess
import sys

TIMEOUT_SECONDS = 30


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f if line.strip() and not line.startswith("#")]


def show(data):
    """Bytes as text with CR and LF made visible, for failure messages."""
    return data.decode("utf-8", "replace").replace("\r", "\\r").replace("\n", "\\n\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smc", required=True, help="the smc executable")
    parser.add_argument("--repo", required=True, help="the repository root")
    parser.add_argument("case", help="the case directory, relative to the repository root")
    opts = parser.parse_args()

    case_dir = os.path.join(opts.repo, opts.case)

    def case_file(name):
        return os.path.join(case_dir, name)

    command = [opts.smc, "apply"]
    for profile in read_lines(case_file("profiles")):
        command += ["--profile", profile]
    extra = read_lines(case_file("args")) if os.path.exists(case_file("args")) else []
    use_stdin = "-" in extra
    command += extra
    if not use_stdin:
        command.append(os.path.join(opts.case, "input.sip"))

    with open(case_file("input.sip"), "rb") as f:
        input_bytes = f.read()
    result = subprocess.run(command, cwd=opts.repo, input=input_bytes if use_stdin else None,
                            stdin=None if use_stdin else subprocess.DEVNULL,
                            capture_output=True, timeout=TIMEOUT_SECONDS)

    failures = []
    expected_exit = 0
    if os.path.exists(case_file("expected.exit")):
        with open(case_file("expected.exit")) as f:
            expected_exit = int(f.read().strip())
    if result.returncode != expected_exit:
        failures.append(f"exit status {result.returncode}, expected {expected_exit}")

    with open(case_file("expected.sip"), "rb") as f:
        expected_out = f.read()
    if result.stdout != expected_out:
        failures.append("stdout differs from expected.sip\n--- expected:\n" + show(expected_out) +
                        "\n--- got:\n" + show(result.stdout))

    stderr = result.stderr.decode("utf-8", "replace")
    if os.path.exists(case_file("expected.stderr")):
        with open(case_file("expected.stderr"), encoding="utf-8") as f:
            expected_err = f.read()
        if stderr != expected_err:
            failures.append("stderr differs from expected.stderr\n--- expected:\n" + expected_err +
                            "--- got:\n" + stderr)
    if os.path.exists(case_file("stderr.contains")):
        for needle in read_lines(case_file("stderr.contains")):
            if needle not in stderr:
                failures.append(f"stderr lacks: {needle}")

    print("$ " + " ".join(command))
    if failures:
        print("stderr was:\n" + stderr)
        for failure in failures:
            print("FAIL: " + failure)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
