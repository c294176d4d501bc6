#!/usr/bin/env python3
"""Runs one invalid-profile fixture: the real `smc validate`, its stdout compared line for line.

tests/invalid/NAME.expected starts with header lines, then holds the exact stdout expected:
  exit: N          the exit status (required)
  args: ...        extra arguments before the files, separated by spaces (optional)
  files: ...       the files to validate, relative to the repository root, separated by
                   spaces (optional; default tests/invalid/NAME.json; empty: none, for a
                   fixture that validates only a --config file given in args)
smc runs from the repository root with relative paths, so the FILE of each diagnostic is
the path as given.
"""
import argparse
import os
import subprocess
import sys

TIMEOUT_SECONDS = 30
HEADERS = ("exit:", "args:", "files:")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smc", required=True, help="the smc executable")
    parser.add_argument("--repo", required=True, help="the repository root")
    parser.add_argument("name", help="the fixture name (NAME of NAME.expected)")
    opts = parser.parse_args()

    with open(os.path.join(opts.repo, "tests/invalid", opts.name + ".expected"), encoding="utf-8") as f:
        lines = f.read().splitlines()
    header = {}
    while lines and lines[0].startswith(HEADERS):
        key, _, value = lines.pop(0).partition(":")
        header[key] = value.strip()
    if "exit" not in header:
        print("FAIL: the .expected file has no 'exit:' line")
        return 1
    expected_exit = int(header["exit"])
    files = header.get("files", "tests/invalid/%s.json" % opts.name).split()
    command = [opts.smc, "validate"] + header.get("args", "").split() + files

    result = subprocess.run(command, cwd=opts.repo, stdin=subprocess.DEVNULL,
                            capture_output=True, timeout=TIMEOUT_SECONDS)
    got = result.stdout.decode("utf-8", "replace").splitlines()
    print("$ " + " ".join(command))
    failures = []
    if result.returncode != expected_exit:
        failures.append("exit status %d, expected %d" % (result.returncode, expected_exit))
    if got != lines:
        failures.append("stdout differs\n--- expected:\n" + "\n".join(lines) +
                        "\n--- got:\n" + "\n".join(got))
    if not result.stdout.endswith(b"\n") and result.stdout:
        failures.append("stdout does not end with a line end")
    if failures:
        print("stderr was:\n" + result.stderr.decode("utf-8", "replace"))
        for failure in failures:
            print("FAIL: " + failure)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
