#!/usr/bin/env python3
"""schema/smc-config.schema.json against configurations, and against `smc validate --config`:

- the shipped default (profiles/smc-proxy.json) and tests/schema-config/valid/*.json pass
  the schema; every tests/schema-config/invalid/*.json fails it;
- with --smc: the shipped default passes `smc validate --config`, and every invalid fixture
  that smc checks too is refused by it (exit 1).

  check_config_schema.py --repo ROOT [--smc SMC]
"""
import argparse
import glob
import json
import os
import subprocess
import sys

from jsonschema import Draft202012Validator


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", required=True)
    ap.add_argument("--smc")
    args = ap.parse_args()
    with open(os.path.join(args.repo, "schema/smc-config.schema.json")) as f:
        schema = json.load(f)
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    fixtures = os.path.join(args.repo, "tests/schema-config")
    valid = [os.path.join(args.repo, "profiles/smc-proxy.json")] + sorted(
        glob.glob(os.path.join(fixtures, "valid/*.json")))
    invalid = sorted(glob.glob(os.path.join(fixtures, "invalid/*.json")))
    if len(valid) < 2 or not invalid:
        print("fixtures missing")
        return 1
    failures = 0
    for path in valid:
        errors = list(validator.iter_errors(json.load(open(path))))
        for e in errors:
            print(f"{path}: should pass the schema: /{'/'.join(map(str, e.absolute_path))}: {e.message}")
        failures += bool(errors)
    for path in invalid:
        if validator.is_valid(json.load(open(path))):
            print(f"{path}: should fail the schema, passes")
            failures += 1
    if args.smc:
        default = os.path.join(args.repo, "profiles/smc-proxy.json")
        r = subprocess.run([args.smc, "validate", "--config", default],
                           capture_output=True, text=True, timeout=60, cwd=args.repo)
        if r.returncode != 0:
            print(f"smc validate --config {default}: exit {r.returncode}\n{r.stdout}{r.stderr}")
            failures += 1
        for path in invalid:
            # An unknown key is only a warning for smc (as for profiles): --strict refuses it.
            r = subprocess.run([args.smc, "validate", "--strict", "--config", path],
                               capture_output=True, text=True, timeout=60, cwd=args.repo)
            if r.returncode != 1:
                print(f"smc validate --strict --config {path}: exit {r.returncode}, expected 1\n{r.stdout}{r.stderr}")
                failures += 1
    print(f"{len(valid)} valid and {len(invalid)} invalid configurations checked, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
