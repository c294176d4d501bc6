#!/usr/bin/env python3
"""Checks the profiles of the tree against schema/smc-profile.schema.json and `smc validate`.

  check_profiles.py --repo ROOT schema-accepts     every profile (profiles/vsxi, profiles/library,
                                                   and every one the golden tests use) passes
  check_profiles.py --repo ROOT schema-rejects     the invalid fixtures the schema can express fail
                                                   it, each at the fragment that makes it invalid
  check_profiles.py --repo ROOT schema-cases       small inline profiles, each accepted or rejected
                                                   as docs/profiles.md says
  check_profiles.py --repo ROOT --smc SMC smc-validate
                                                   every profile passes `smc validate`; the library
                                                   ones pass `smc validate --strict`
"""
import argparse
import glob
import json
import os
import subprocess
import sys

from jsonschema import Draft202012Validator

TIMEOUT_SECONDS = 60

# tests/invalid fixtures the schema can express, with the JSON pointer of a fragment the
# schema must reject. Not listed, because JSON Schema cannot express them (see the schema's
# description): bad-regex (RE2 syntax), duplicate-key (a parsed object has no duplicates),
# syntax-error (not JSON), reqmethod-status-codes* (a warning, or a rule-level relation
# smc checks), and Output's \N references.
SCHEMA_REJECTS = {
    "unknown-operator.json": "/Rules/0/Conditions/0/Operator",
    "unknown-msgtype.json": "/Rules/0/MsgType",
    "unknown-replacetype.json": "/Rules/0/ReplaceDefs/0/ReplaceType",
    "unknown-enums.json": "/Rules/0/Action",
    "output-crlf.json": "/Rules/0/ReplaceDefs/1/Output",
    "dialog-identity-edits.json": "/Rules/0/ReplaceDefs/0",
    "from-delete.json": "/Rules/0/ReplaceDefs/0",
    "from-tag-regex.json": "/Rules/0/ReplaceDefs/0/Regex1",
    "content-length-edit.json": "/Rules/0/ReplaceDefs/0",
    "wrong-types.json": "/ProfileID",
    "missing-required.json": "",
    "several-errors.json": "/1/Rules/0",
    "bad-rspcodelist.json": "/Rules/0/RspCodeList",
    "numeric-divide-by-zero.json": "/Rules/0/ReplaceDefs/0/Numeric/Divide",
}



def _profile(condition=None, replace_def=None, **rule_keys):
    rule = {"Action": "REPLACE_MSG",
            "ReplaceDefs": [replace_def or {"ReplaceType": "DELETE_LINES", "Header": "Allow"}]}
    if condition:
        rule["Conditions"] = [condition]
    rule.update(rule_keys)
    return {"ProfileID": 1, "ProfileName": "t", "Rules": [rule]}


def _findsub(**keys):
    return dict({"ReplaceType": "FINDSUB_LINES", "Header": "Allow", "Regex1": "a"}, **keys)


# (name, instance, accepted?): the rules of docs/profiles.md the schema expresses.
SCHEMA_CASES = [
    ("keys and enumerated values in any case",
     {"profileid": "x", "rules": [{"action": "replace_msg", "msgtype": "response",
                                   "replacedefs": [{"replacetype": "delete_lines", "HEADER": "allow:"}]}]}, True),
    ("an array of profiles", [_profile(), _profile()], True),
    ("an unknown key (a warning in smc)", dict(_profile(), Extra=1), True),
    ("ProfileID that is not an integer or a string", {"ProfileID": 1.5, "Rules": []}, False),
    ("a rule without Action", {"ProfileID": 1, "Rules": [{"ReplaceDefs": []}]}, False),
    ("an unknown MsgType in lower case", _profile(msgtype="reply"), False),
    ("RspCodeList codes, ranges and classes", _profile(RspCodeList="1xx, 200-299,486"), True),
    ("RspCodeList code out of 100-699", _profile(RspCodeList="700"), False),
    ("Header with Scope BODY", _profile({"Scope": "BODY", "Header": "Allow"}), False),
    ("no Header with the default Scope", _profile({"Operator": "EXISTS"}), False),
    ("Scope body without Header", _profile({"Scope": "body", "Operator": "MATCHES", "RightOperand": "x"}), True),
    ("RegEx2 without Regex1", _profile({"Header": "Allow", "RegEx2": "x"}), False),
    ("LT with a RightOperand that is not an integer", _profile({"Header": "A", "Operator": "LT", "RightOperand": "abc"}), False),
    ("LT with integers", _profile({"Header": "A", "Operator": "lt", "RightOperand": "+5"}), True),
    ("EXISTS with a RightOperand", _profile({"Header": "A", "Operator": "EXISTS", "RightOperand": "x"}), False),
    ("FINDSUB_LINES without Output or Numeric", _profile(replace_def=_findsub()), False),
    ("FINDSUB_LINES with Output and Numeric", _profile(replace_def=_findsub(Output="b", Numeric={"Add": 1})), False),
    ("FINDSUB_LINES with Numeric", _profile(replace_def=_findsub(Numeric={"divide": 2, "MIN": 90})), True),
    ("Position on FINDSUB_LINES", _profile(replace_def=_findsub(Output="b", Position="FIRST")), False),
    ("Numeric Divide 0", _profile(replace_def=_findsub(Numeric={"Divide": 0})), False),
    ("ADD_LINE with a regex", _profile(replace_def={"ReplaceType": "ADD_LINE", "Header": "A", "Regex1": "x", "Output": "y"}), False),
    ("ADD_LINE FIRST", _profile(replace_def={"ReplaceType": "ADD_LINE", "Header": "A", "Output": "y", "Position": "first"}), True),
    ("Output with NUL", _profile(replace_def={"ReplaceType": "REPLACE_LINES", "Header": "A", "Output": "a\u0000b"}), False),
    ("an edit of Via written ' v: '", _profile(replace_def=_findsub(Header=" v: ", Output="b")), False),
    ("a rewrite of the To URI", _profile(replace_def=_findsub(Header="To", Regex1="sip:1", Output="sip:+1")), True),
    ("REPLACE_LINES on To (compact t)", _profile(replace_def={"ReplaceType": "REPLACE_LINES", "Header": "t", "Output": "x"}), False),
]


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def validator(repo):
    schema = load_json(os.path.join(repo, "schema/smc-profile.schema.json"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def tree_profiles(repo):
    """Every profile file of the tree, relative to repo: the shipped ones and the golden ones."""
    paths = set()
    for pattern in ("profiles/vsxi/*.json", "profiles/library/*.json", "tests/golden/profiles/*.json"):
        paths.update(os.path.relpath(p, repo) for p in glob.glob(os.path.join(repo, pattern)))
    for listing in glob.glob(os.path.join(repo, "tests/golden/cases/*/profiles")):
        with open(listing, encoding="utf-8") as f:
            paths.update(line.strip() for line in f if line.strip() and not line.startswith("#"))
    return sorted(paths)


def pointer(path):
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def leaf_errors(errors):
    for error in errors:
        if error.context:
            yield from leaf_errors(error.context)
        else:
            yield error


def schema_accepts(repo):
    v = validator(repo)
    failures = 0
    profiles = tree_profiles(repo)
    for rel in profiles:
        path = os.path.join(repo, rel)
        if not os.path.exists(path):
            print("FAIL %s: listed by a golden case but missing" % rel)
            failures += 1
            continue
        errors = list(v.iter_errors(load_json(path)))
        for error in errors:
            print("FAIL %s: %s: %s" % (rel, pointer(error.absolute_path), error.message[:300]))
        failures += bool(errors)
    print("%d profiles checked, %d rejected" % (len(profiles), failures))
    return 1 if failures or not profiles else 0


def schema_rejects(repo):
    v = validator(repo)
    failures = 0
    for name, where in sorted(SCHEMA_REJECTS.items()):
        rel = "tests/invalid/" + name
        errors = list(v.iter_errors(load_json(os.path.join(repo, rel))))
        places = sorted({pointer(e.absolute_path) for e in leaf_errors(errors)} |
                        {pointer(e.absolute_path) for e in errors})
        if not errors:
            print("FAIL %s: the schema accepts it" % rel)
            failures += 1
        elif not any(p == where or p.startswith(where + "/") for p in places):
            print("FAIL %s: rejected, but not at %s (at %s)" % (rel, where or '""', ", ".join(places)))
            failures += 1
        else:
            print("ok   %s: rejected at %s" % (rel, where or '""'))
    return 1 if failures else 0


def schema_cases(repo):
    v = validator(repo)
    failures = 0
    for name, instance, accepted in SCHEMA_CASES:
        if v.is_valid(instance) != accepted:
            print("FAIL %s: %s" % (name, "rejected" if accepted else "accepted"))
            failures += 1
    print("%d cases, %d failed" % (len(SCHEMA_CASES), failures))
    return 1 if failures else 0


def smc_validate(repo, smc):
    def run(args):
        result = subprocess.run([smc, "validate"] + args, cwd=repo, capture_output=True,
                                stdin=subprocess.DEVNULL, timeout=TIMEOUT_SECONDS)
        print("$ smc validate " + " ".join(args) + "  -> exit %d" % result.returncode)
        sys.stdout.write(result.stdout.decode("utf-8", "replace"))
        return result

    failures = 0
    everything = tree_profiles(repo)
    if run(everything).returncode != 0:
        failures += 1
    library = sorted(os.path.relpath(p, repo) for p in glob.glob(os.path.join(repo, "profiles/library/*.json")))
    strict = run(["--strict"] + library)
    if strict.returncode != 0 or strict.stdout:
        failures += 1
    if failures:
        print("FAIL: a profile of the tree does not pass smc validate")
    return 1 if failures or not library else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", required=True)
    parser.add_argument("--smc")
    parser.add_argument("check", choices=["schema-accepts", "schema-rejects", "schema-cases", "smc-validate"])
    opts = parser.parse_args()
    if opts.check == "schema-accepts":
        return schema_accepts(opts.repo)
    if opts.check == "schema-rejects":
        return schema_rejects(opts.repo)
    if opts.check == "schema-cases":
        return schema_cases(opts.repo)
    if not opts.smc:
        parser.error("smc-validate needs --smc")
    return smc_validate(opts.repo, opts.smc)


if __name__ == "__main__":
    sys.exit(main())
