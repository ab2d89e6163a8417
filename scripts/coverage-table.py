#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""coverage-table.py LINES.txt BRANCHES.txt - one table of line and branch
coverage per file from gcovr's two text reports (lines, and -b), the model
summed as one row too, then the project's goals, met or not.  Exits 1 when
a goal is missed."""
import re
import sys

ROW = re.compile(r"^(\S+)?\s+(\d+)\s+(\d+)\s+(\d+)%\s*(.*)$")

# (file or prefix, metric, minimum percent)
GOALS = [
    ("mm/migrate_device.c", "lines", 100.0),
    ("mm/migrate_device.c", "branches", 95.0),
    ("drivers/dmirror.c", "lines", 90.0),
]


def parse(path):
    """{file: (total, covered, missing)} from a gcovr --txt report."""
    rows, pending = {}, None
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith(("-", "File", "Directory", " ")) and \
               not ROW.match(line):
                continue
            m = ROW.match(line)
            if not m:
                pending = line.strip()  # a long name, numbers on the next line
                continue
            name = m.group(1) or pending
            pending = None
            if name and name != "TOTAL":
                rows[name] = (int(m.group(2)), int(m.group(3)), m.group(5))
    return rows


def pct(cov, tot):
    return 100.0 * cov / tot if tot else 100.0


def main(lines_txt, branches_txt):
    lines, branches = parse(lines_txt), parse(branches_txt)
    groups = [("mm/migrate_device.c", ["mm/migrate_device.c"]),
              ("drivers/dmirror.c", ["drivers/dmirror.c"]),
              ("model/ (all files)",
               [f for f in lines if f.startswith("model/")])]
    result = {}
    print("%-22s %16s %18s" % ("", "lines", "branches"))
    for label, files in groups:
        lt = sum(lines.get(f, (0, 0, ""))[0] for f in files)
        lc = sum(lines.get(f, (0, 0, ""))[1] for f in files)
        bt = sum(branches.get(f, (0, 0, ""))[0] for f in files)
        bc = sum(branches.get(f, (0, 0, ""))[1] for f in files)
        result[label] = {"lines": pct(lc, lt), "branches": pct(bc, bt)}
        print("%-22s %6d/%-6d %5.1f%% %6d/%-6d %5.1f%%" %
              (label, lc, lt, pct(lc, lt), bc, bt, pct(bc, bt)))
    print()
    for f in ("mm/migrate_device.c", "drivers/dmirror.c"):
        if f in lines and lines[f][2]:
            print("%s: lines not run: %s" % (f, lines[f][2]))
    print()
    missed = 0
    for name, metric, goal in GOALS:
        got = result[name][metric]
        ok = got >= goal
        missed += not ok
        print("goal: %-20s %-8s >= %5.1f%%: %5.1f%% %s" %
              (name, metric, goal, got, "met" if ok else "MISSED"))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
