#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Read a JUnit XML report as a CI system would and check it.

    junit-check.py [-v] REPORT [SUITE...]

With -v prints the number of suites, tests, failures and errors the
report's attributes give, and one line per <testsuite>; otherwise it prints
only problems.  Fails (exit 1) if a count attribute
disagrees with the <testcase> elements under it, if two suites share a name,
if a SUITE named on the command line is missing, or if any test failed.
Standard library only.
"""
import sys
import xml.etree.ElementTree as ET


def main(argv):
    verbose = len(argv) > 1 and argv[1] == '-v'
    if verbose:
        argv = argv[:1] + argv[2:]
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    out = print if verbose else (lambda *a, **k: None)
    root = ET.parse(argv[1]).getroot()
    suites = [root] if root.tag == 'testsuite' else root.findall('testsuite')
    problems = []
    seen = {}
    totals = [0, 0, 0]
    out('%-16s %6s %9s %7s' % ('suite', 'tests', 'failures', 'errors'))
    for s in suites:
        name = s.get('name', '')
        cases = s.findall('testcase')
        counted = (len(cases),
                   sum(1 for c in cases if c.find('failure') is not None),
                   sum(1 for c in cases if c.find('error') is not None))
        claimed = tuple(int(s.get(k, '0'))
                        for k in ('tests', 'failures', 'errors'))
        out('%-16s %6d %9d %7d' % ((name,) + claimed))
        if claimed != counted:
            problems.append('%s: attributes say %s tests/failures/errors, '
                            'its testcases %s' % (name, claimed, counted))
        if name in seen:
            problems.append('two suites named %r' % name)
        seen[name] = s
        names = [c.get('name', '') for c in cases]
        if len(set(names)) != len(names) or '' in names:
            problems.append('%s: testcase names missing or repeated' % name)
        for i in range(3):
            totals[i] += counted[i]
    # Quiet when all is well: the test run's own totals stay its last line.
    out('%s: %d suites, %d tests, %d failures, %d errors'
        % (argv[1], len(suites), totals[0], totals[1], totals[2]))
    for want in argv[2:]:
        if want not in seen:
            problems.append('suite %r is not in the report' % want)
    if totals[1] or totals[2]:
        problems.append('%d failures, %d errors' % (totals[1], totals[2]))
    for p in problems:
        print('junit-check: ' + p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
