#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check scripts/run-tests.sh on stand-in suites (part of make test).

    check-runner.py

A run with no suite, or with suites that run no test, must fail with a
message rather than pass with "0 passed, 0 failed"; a passing and a failing
suite must be counted as such.  Standard library only.
"""
import os
import stat
import subprocess
import sys
import tempfile

RUNNER = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                      'run-tests.sh')
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def run(*args):
    p = subprocess.run(['bash', RUNNER] + list(args), capture_output=True,
                       text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def suite(d, name, body):
    path = os.path.join(d, name)
    with open(path, 'w') as f:
        f.write('#!/bin/sh\n' + body)
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
    return path


def main():
    with tempfile.TemporaryDirectory() as d:
        empty = suite(d, 'empty', 'exit 0\n')
        good = suite(d, 'good', 'echo "[  PASSED  ] 2 test(s)."\n')
        bad = suite(d, 'bad', 'echo "[  PASSED  ] 1 test(s)."\n'
                    'echo "[  FAILED  ] 1 test(s), listed below:"\nexit 1\n')

        rc, _, err = run()
        check(rc == 2 and 'no test binaries given' in err, 'no suite given')
        for mode in ([], ['--tap']):
            rc, _, err = run(*mode, empty)
            check(rc == 1 and 'no tests ran' in err,
                  'a suite with no test %s' % mode)
        rc, out, _ = run(good)
        check(rc == 0 and out.endswith('2 passed, 0 failed\n'),
              'a passing suite')
        rc, out, _ = run(good, bad)
        check(rc == 1 and out.endswith('3 passed, 1 failed\n'),
              'a failing suite')
        rc, out, _ = run(empty, good)
        check(rc == 0 and out.endswith('2 passed, 0 failed\n'),
              'an empty suite beside a passing one')

    for f in failures:
        print('check-runner: FAILED: ' + f, file=sys.stderr)
    print('run-tests.sh: %d checks failed' % len(failures)
          if failures else 'run-tests.sh: checked')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
