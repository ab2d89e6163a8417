#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check the ownership rules of doc/LAYOUT.md that a grep can check.

    check-layout.py

- EXPORT_SYMBOL*() is used in mm/migrate_device.c only (include/linux/
  export.h defines it);
- the driver (drivers/*.c) is a kernel-API client: it includes shadow
  kernel headers (<linux/...>, <asm/...>) and its own api/hmm_dmirror.h,
  never a model-only header (include/model/, api/devmig.h, host/).
Standard library only; run from anywhere.
"""
import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE_DIRS = ('mm', 'model', 'drivers', 'host', 'include', 'api', 'tools',
               'scenario', 'bench', 'tests', 'examples')
failures = []


def sources():
    for d in SOURCE_DIRS:
        for path in glob.glob(os.path.join(ROOT, d, '**', '*.[ch]'),
                              recursive=True):
            yield os.path.relpath(path, ROOT)


def main():
    export = re.compile(r'^\s*EXPORT_SYMBOL\w*\s*\(', re.M)
    for rel in sources():
        if rel in ('mm/migrate_device.c', 'include/linux/export.h'):
            continue
        with open(os.path.join(ROOT, rel)) as f:
            if export.search(f.read()):
                failures.append('%s uses EXPORT_SYMBOL (only '
                                'mm/migrate_device.c may)' % rel)

    include = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)
    for path in glob.glob(os.path.join(ROOT, 'drivers', '*.[ch]')):
        rel = os.path.relpath(path, ROOT)
        with open(path) as f:
            for kind, name in include.findall(f.read()):
                ok = (kind == '<' and name.split('/')[0] in ('linux', 'asm')
                      ) or name == 'hmm_dmirror.h'
                if not ok:
                    failures.append('%s includes %s (a driver includes '
                                    'kernel headers and hmm_dmirror.h only)'
                                    % (rel, kind + name +
                                       ('>' if kind == '<' else '"')))

    for f in failures:
        print('check-layout: FAILED: ' + f, file=sys.stderr)
    print('layout: %d rules broken' % len(failures)
          if failures else 'layout: EXPORT_SYMBOL and driver includes checked')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
