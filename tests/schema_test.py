#!/usr/bin/python3
"""schema_test.py PLAN_DIRS... : validates every plan the tests produce
against specs/plan.schema.json and the spec documents against
specs/spec.schema.json, with Debian's python3-jsonschema (a real JSON Schema
draft 2020-12 validator) and python3-yaml."""
import glob
import json
import sys

import jsonschema
import yaml

def validator(path):
    schema = json.load(open(path))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)

def errors(v, doc):
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:120]}"
            for e in v.iter_errors(doc)]

failed = 0
checked = 0
plan_v = validator("specs/plan.schema.json")
spec_v = validator("specs/spec.schema.json")

# plans: the committed ones and every one written by the golden compile cases
plans = sorted(glob.glob("tests/plans/*.json"))
for path in plans:
    checked += 1
    for e in errors(plan_v, json.load(open(path))):
        print(f"FAIL {path}: {e}")
        failed += 1
for path in sorted(glob.glob("tests/golden/cases/*.expected")):
    text = open(path).read()
    if not text.startswith('{"flows"'):
        continue
    checked += 1
    plan = json.loads(text[:text.rindex("\n[exit")])
    for e in errors(plan_v, plan):
        print(f"FAIL {path}: {e}")
        failed += 1
for d in sys.argv[1:]:
    for path in sorted(glob.glob(f"{d}/*.json")):
        checked += 1
        for e in errors(plan_v, json.load(open(path))):
            print(f"FAIL {path}: {e}")
            failed += 1

# spec documents: the examples and the golden cases that flowc accepts must
# validate; a few that flowc refuses for their shape must not
valid = sorted(glob.glob("specs/examples/*/*.yaml")) + [
    "tests/golden/cases/plan_features.yaml", "tests/golden/cases/mappings.yaml",
    "tests/golden/cases/type_mismatch_ok.yaml"]
for path in valid:
    for doc in yaml.safe_load_all(open(path)):
        checked += 1
        for e in errors(spec_v, doc):
            print(f"FAIL {path}: {e}")
            failed += 1
invalid = ["unknown_key", "wrong_kind", "missing_key", "task_action", "bad_duration",
           "unknown_uses", "bad_name", "map_type", "shell_reference"]
for name in invalid:
    path = f"tests/golden/cases/{name}.yaml"
    docs = [d for d in yaml.safe_load_all(open(path)) if d is not None]
    checked += 1
    if not any(errors(spec_v, d) for d in docs):
        print(f"FAIL {path}: the spec schema accepts what flowc refuses")
        failed += 1

print(f"schemas: {checked} documents checked, {failed} failed")
sys.exit(1 if failed else 0)
