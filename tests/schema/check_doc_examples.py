#!/usr/bin/env python3
"""Every JSON example of a rule in the docs is a real rule: wrapped in a profile, it passes
the profile schema and `smc validate --strict`.

  check_doc_examples.py --repo ROOT --smc SMC docs/migrating.md ...
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

from jsonschema import Draft202012Validator

BLOCK = re.compile(r"```json\n(.*?)```", re.S)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", required=True)
    ap.add_argument("--smc", required=True)
    ap.add_argument("docs", nargs="+")
    args = ap.parse_args()
    with open(os.path.join(args.repo, "schema/smc-profile.schema.json")) as f:
        validator = Draft202012Validator(json.load(f))
    failures, checked = 0, 0
    with tempfile.TemporaryDirectory() as tmp:
        for doc in args.docs:
            text = open(os.path.join(args.repo, doc)).read()
            for n, block in enumerate(BLOCK.findall(text)):
                where = f"{doc} json block {n + 1}"
                rule = json.loads(block)
                profile = {"ProfileID": n + 1, "ProfileName": where, "Rules": [rule]}
                errors = list(validator.iter_errors(profile))
                for e in errors:
                    print(f"{where}: schema: /{'/'.join(map(str, e.absolute_path))}: {e.message}")
                path = os.path.join(tmp, f"example{n}.json")
                with open(path, "w") as f:
                    json.dump(profile, f, indent=2)
                r = subprocess.run([args.smc, "validate", "--strict", path],
                                   capture_output=True, text=True, timeout=60)
                if r.returncode != 0:
                    print(f"{where}: smc validate --strict exit {r.returncode}:\n{r.stdout}{r.stderr}")
                failures += bool(errors) or r.returncode != 0
                checked += 1
    print(f"{checked} examples checked, {failures} failed")
    if checked == 0:
        print("no examples found: the docs have changed shape")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
