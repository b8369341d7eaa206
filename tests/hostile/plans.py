#!/usr/bin/python3
"""plans.py PLAN OUTDIR: writes hostile variants of PLAN (a plan flowc
compiled) into OUTDIR, each with its hash recomputed so that only the
hostile part can make flowrun refuse it: names that are paths, repeated
names, durations that would overflow, needs out of range, nesting deeper
than any JSON reader takes. First checks that the hash is recomputed as
flowc computes it (PLAN itself must come out unchanged)."""
import copy
import hashlib
import json
import sys


def dump(plan):
    return json.dumps(plan, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def hashed(plan, post=lambda text: text):
    """the plan's text with its hash, post applied to the text hashed and
    to the text written (a value too deep for Python's own json)"""
    plan = copy.deepcopy(plan)
    plan.pop("hash", None)
    digest = hashlib.sha256(post(dump(plan)).encode()).hexdigest()
    plan["hash"] = "sha256:" + digest
    return post(dump(plan))


def main():
    src, out = sys.argv[1], sys.argv[2]
    text = open(src, encoding="utf-8").read().rstrip("\n")
    base = json.loads(text)
    if hashed(base) != text:
        sys.exit("plans.py: the hash is not recomputed as flowc computes it")

    def variant(name, change, post=lambda text: text):
        plan = copy.deepcopy(base)
        change(plan)
        with open(f"{out}/{name}.json", "w", encoding="utf-8") as f:
            f.write(hashed(plan, post) + "\n")

    def flow(i, key, value):
        return lambda p: p["flows"][i].__setitem__(key, value)

    def task(i, j, key, value):
        return lambda p: p["flows"][i]["tasks"][j].__setitem__(key, value)

    variant("flow_dotdot", flow(0, "name", ".."))
    variant("flow_slash", flow(0, "name", "a/b"))
    variant("flow_up", flow(0, "name", "../../etc"))
    variant("flow_empty", flow(0, "name", ""))
    variant("flow_long", flow(0, "name", "f" * 101))
    variant("task_long", task(0, 0, "name", "t" * 101))
    variant("task_slash", task(0, 0, "name", "x/../../y"))
    variant("task_dot", task(0, 0, "name", "."))
    variant("flow_repeated", flow(1, "name", base["flows"][0]["name"]))
    variant("task_repeated", task(0, 1, "name", base["flows"][0]["tasks"][0]["name"]))
    variant("timeout_huge", task(0, 0, "timeout_ms", 2**63 - 1))
    variant("timeout_negative", task(0, 0, "timeout_ms", -1))
    variant("retry_delay_huge", task(0, 0, "retry_delay_ms", 9223372036854775000))
    variant("retries_huge", task(0, 0, "retries", 2**62))
    variant("needs_out_of_range", task(0, 0, "needs", [99]))
    variant("flow_needs_itself", flow(0, "needs", [0]))
    variant("with_deep", task(0, 0, "with", {"v": "DEEP"}),
            lambda text: text.replace('"DEEP"', "[" * 3000 + "]" * 3000))

    # bundles (docs/plan.md, "Bundles"): files whose paths would leave the
    # run's bundle directory or clash, and argv naming a file not there
    def files(*entries):
        def change(p):
            p["files"] = [{"path": path, "sha256": hashlib.sha256(b"x").hexdigest(),
                           "executable": False, "base64": "eA=="} for path in entries]
        return change

    variant("file_dotdot", files("../x"))
    variant("file_absolute", files("/etc/passwd"))
    variant("file_empty_component", files("a//b"))
    variant("file_dot", files("./a"))
    variant("file_trailing_slash", files("a/"))
    variant("file_nul", files("a\u0000b"))
    variant("file_repeated", files("a", "a"))
    variant("file_unsorted", files("b", "a"))
    variant("file_and_directory", files("a", "a-b", "a/b"))
    variant("file_bad_base64", lambda p: (files("a")(p), p["files"][0].__setitem__("base64", "!!")))
    variant("file_bad_sha", lambda p: (files("a")(p), p["files"][0].__setitem__("sha256", "0" * 64)))
    variant("bundled_missing", lambda p: (files("a")(p),
                                          task(0, 0, "argv", [{"bundled": "b"}])(p)))


main()
