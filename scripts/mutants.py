#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""mutants.py - mutation testing of the subject and the driver.

Each mutant of tests/mutants/*.txt is one plausible defect: exact original
text of a source file and its replacement.  For each, the mutated file is
compiled into its own build directory (build-mut/<id>/), linked with the
baseline library (only the mutated object replaced) and the baseline test
objects, and the suites are run until one fails.  A failing suite, a crash
or a hang (the per-test watchdog DEVMIG_TEST_TIMEOUT, or the outer timeout)
kills the mutant; a mutant that passes everything survived.  Mutants marked
"equivalent:" cannot change behaviour (the reason is given) and are not run.

Usage: mutants.py [-j N] [--keep] [id-pattern...]
  environment: CC, KCFLAGS, LDLIBS (from the Makefile), MUT_BASE (baseline
  build dir with libdevmig.a and libdmirror.a), MUT_TESTS (test binaries, in run order).
Exit status: 0 when no mutant survived and every mutant built; 1 otherwise.
"""
import fnmatch
import glob
import os
import shlex
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "build-mut")
TEST_TIMEOUT = 20       # seconds per test, inside a binary (its watchdog)
BINARY_TIMEOUT = 120    # seconds per test binary


class Mutant:
    def __init__(self, mid, where):
        self.id = mid
        self.where = where
        self.file = None
        self.why = None
        self.equivalent = None
        self.orig = None
        self.repl = None


def parse(path):
    """Blocks: '== id', 'file:', 'why:', optional 'equivalent:', then the
    original text after a '---' line and the replacement after '+++'."""
    mutants = []
    cur = None
    section = None
    with open(path) as f:
        lines = f.read().split("\n")
    for n, line in enumerate(lines, 1):
        if line.startswith("== "):
            cur = Mutant(line[3:].strip(), "%s:%d" % (path, n))
            mutants.append(cur)
            section = None
        elif cur is None or (section is None and
                             (line.startswith("#") or not line.strip())):
            continue
        elif section is None and line.startswith("file:"):
            cur.file = line[5:].strip()
        elif section is None and line.startswith("why:"):
            cur.why = line[4:].strip()
        elif section is None and line.startswith("equivalent:"):
            cur.equivalent = line[11:].strip()
        elif line == "---":
            section = "orig"
            cur.orig = []
        elif line == "+++":
            section = "repl"
            cur.repl = []
        elif section == "orig":
            cur.orig.append(line)
        elif section == "repl":
            cur.repl.append(line)
        else:
            sys.exit("%s:%d: unexpected line: %s" % (path, n, line))
    for m in mutants:
        # A block ends at the next '==' or at the end of the file; trailing
        # blank lines belong to neither text.
        for part in ("orig", "repl"):
            text = getattr(m, part)
            if text is None or m.file is None or m.why is None:
                sys.exit("%s: incomplete mutant %s" % (m.where, m.id))
            while text and not text[-1].strip():
                text.pop()
            setattr(m, part, "\n".join(text))
    return mutants


def check_applies(m):
    with open(os.path.join(ROOT, m.file)) as f:
        src = f.read()
    n = src.count(m.orig)
    if n != 1:
        return "original text found %d times in %s" % (n, m.file)
    if m.orig == m.repl:
        return "replacement equals the original"
    return None


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, **kw)


def build(m, env):
    """Mutated object, library and test binaries under build-mut/<id>/."""
    d = os.path.join(OUT, m.id)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, "tests"))
    src_path = os.path.join(d, os.path.basename(m.file))
    with open(os.path.join(ROOT, m.file)) as f:
        src = f.read()
    with open(src_path, "w") as f:
        f.write(src.replace(m.orig, m.repl))
    obj = os.path.join(d, os.path.basename(m.file)[:-2] + ".o")
    cc = shlex.split(env["CC"])
    kcflags = shlex.split(env["KCFLAGS"])
    # The copy includes its neighbours' headers ("internal.h") by -I.
    inc = ["-I" + os.path.join(ROOT, os.path.dirname(m.file))]
    r = run(cc + kcflags + inc + ["-c", src_path, "-o", obj], cwd=ROOT)
    if r.returncode:
        return None, r.stdout.decode(errors="replace")
    # The driver is a library of its own beside libdevmig.
    libs = []
    for name in ("libdmirror.a", "libdevmig.a"):
        libs.append(os.path.join(d, name))
        shutil.copy(os.path.join(env["MUT_BASE"], name), libs[-1])
    mutated = libs[0] if m.file.startswith("drivers/") else libs[1]
    r = run(["ar", "r", mutated, obj])
    if r.returncode:
        return None, r.stdout.decode(errors="replace")
    tests = []
    for t in env["MUT_TESTS"].split():
        out = os.path.join(d, "tests", os.path.basename(t))
        r = run(cc + kcflags + [t + ".o"] + libs + ["-o", out] +
                shlex.split(env["LDLIBS"]), cwd=ROOT)
        if r.returncode:
            return None, r.stdout.decode(errors="replace")
        tests.append(out)
    return tests, None


def test(m, tests):
    """The first suite that fails, and how; None if all pass."""
    env = dict(os.environ, DEVMIG_TEST_TIMEOUT=str(TEST_TIMEOUT))
    for t in tests:
        try:
            r = run([t], env=env, timeout=BINARY_TIMEOUT, cwd=ROOT)
        except subprocess.TimeoutExpired:
            return "%s: hung" % os.path.basename(t)
        if r.returncode:
            out = r.stdout.decode(errors="replace").splitlines()
            failed = [l.split()[-1] for l in out
                      if l.startswith("[  FAILED  ]") and
                      not l.split()[-1].endswith(")")] or \
                     [l.split()[-1] for l in out if l.startswith("[  ERROR   ]")]
            what = failed[0] if failed else "exit status %d" % r.returncode
            return "%s: %s" % (os.path.basename(t), what)
    return None


def one(m, env, keep):
    t0 = time.time()
    tests, err = build(m, env)
    if tests is None:
        return m, "stillborn", err.strip().splitlines()[-1] if err else "", 0
    why = test(m, tests)
    if not keep:
        shutil.rmtree(os.path.join(OUT, m.id), ignore_errors=True)
    return m, "killed" if why else "SURVIVED", why or "", time.time() - t0


def main(argv):
    jobs, keep, pats = 2, False, []
    i = 0
    while i < len(argv):
        if argv[i] == "-j":
            jobs = int(argv[i + 1])
            i += 1
        elif argv[i].startswith("-j"):
            jobs = int(argv[i][2:])
        elif argv[i] == "--keep":
            keep = True
        else:
            pats.append(argv[i])
        i += 1
    env = os.environ
    mutants = []
    for p in sorted(glob.glob(os.path.join(ROOT, "tests/mutants/*.txt"))):
        mutants += parse(p)
    ids = [m.id for m in mutants]
    dups = {x for x in ids if ids.count(x) > 1}
    if dups:
        sys.exit("duplicate mutant ids: %s" % " ".join(sorted(dups)))
    bad = 0
    for m in mutants:
        err = check_applies(m)
        if err:
            print("%s %s: %s" % (m.where, m.id, err))
            bad += 1
    if bad:
        return 1
    if pats:
        mutants = [m for m in mutants
                   if any(fnmatch.fnmatch(m.id, p) for p in pats)]
    live = [m for m in mutants if not m.equivalent]
    equiv = [m for m in mutants if m.equivalent]
    counts = {"killed": 0, "SURVIVED": 0, "stillborn": 0}
    t0 = time.time()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for m, verdict, why, secs in pool.map(lambda x: one(x, env, keep),
                                              live):
            counts[verdict] += 1
            print("%-10s %-28s %5.1fs  %s" % (verdict, m.id, secs,
                                              why if why else m.why),
                  flush=True)
    for m in equiv:
        print("%-10s %-28s         %s" % ("equivalent", m.id, m.equivalent))
    print("mutants: %d killed, %d survived, %d equivalent, %d stillborn "
          "(%d in all, %.0f s)" %
          (counts["killed"], counts["SURVIVED"], len(equiv),
           counts["stillborn"], len(mutants), time.time() - t0))
    return 1 if counts["SURVIVED"] or counts["stillborn"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
