#!/usr/bin/python3
"""readme_test.py BUILD_DIR: the README's walk-through, run as written in a
scratch copy of the tree (build/ pointing at BUILD_DIR): every command of
its ```sh blocks under "Using flowc" must succeed, the two mistakes it
describes must give the diagnostics it shows, byte for byte, and the
--list-params output it shows must be what flowc prints."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

root = os.getcwd()
build = os.path.abspath(sys.argv[1])
readme = open(os.path.join(root, "README.md")).read()
walk = readme[readme.index("## Using flowc"):]
walk = walk[:walk.index("\n## ", 3)]
blocks = re.findall(r"```(sh)?\n(.*?)```", walk, re.S)
checks = failed = 0


def check(name, ok, detail=""):
    global checks, failed
    checks += 1
    if not ok:
        failed += 1
        print(f"FAIL {name}" + (f"\n{detail}" if detail else ""))


def sh(cmd, cwd):
    r = subprocess.run(["bash", "-c", cmd], cwd=cwd, capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


def fresh():
    d = tempfile.mkdtemp()
    shutil.copytree(os.path.join(root, "specs"), os.path.join(d, "specs"))
    os.symlink(build, os.path.join(d, "build"))
    return d


scratch = []
try:
    # the first command: prints nothing and exits 0
    d = fresh(); scratch.append(d)
    first = blocks[0][1].strip()
    rc, out, err = sh(first, d)
    check("README: the check of the example prints nothing and exits 0", rc == 0 and not out and not err,
          out + err)
    # the two mistakes, each shown with the diagnostic it gives (exit 1)
    mistakes = [
        ("file_rep misspelt as file_ref", "specs/examples/lume/flow_of_flows.yaml",
         "      file_rep:", "      file_ref:", blocks[1][1]),
        ("text1 declared int", "specs/examples/lume/flow3.yaml", "  text1: string", "  text1: int",
         blocks[2][1]),
    ]
    for name, path, old, new, shown in mistakes:
        d = fresh(); scratch.append(d)
        p = os.path.join(d, path)
        text = open(p).read()
        check(f"README: the spec to edit for '{name}' holds what it says", old in text)
        open(p, "w").write(text.replace(old, new, 1))
        rc, out, err = sh(first + " --color=never", d)
        check(f"README: '{name}' exits 1", rc == 1, out + err)
        check(f"README: '{name}' says what the README shows", err == shown,
              f"  README:\n{shown}  flowc:\n{err}")
    # --list-params, shown with its command
    d = fresh(); scratch.append(d)
    shown = blocks[3][1]
    cmd, expected = shown.split("\n", 1)
    rc, out, err = sh(cmd[2:], d)
    check("README: --list-params prints what the README shows", rc == 0 and out == expected,
          f"  README:\n{expected}  flowc:\n{out}{err}")
    # the run, command after command, in one directory
    d = fresh(); scratch.append(d)
    lines = [l for l in blocks[4][1].splitlines() if l.strip()]
    for line in lines:
        rc, out, err = sh(line, d)
        check(f"README: `{line[:70]}` succeeds", rc == 0, out + err)
    check("README: the last command prints true", out.strip() == "true", out)
    check("README: the run writes what the README says", all(
        os.path.exists(os.path.join(d, f)) for f in ("out/flow1_res.txt", ".flowrun/results.db",
                                                       "plan.svg", "plan.json")))
finally:
    for d in scratch:
        shutil.rmtree(d, ignore_errors=True)
print(f"readme: {checks} checks, {failed} failed")
sys.exit(1 if failed else 0)
