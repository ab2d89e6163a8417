#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check kernel/kdiff.awk, make kernel-diff's verdicts, on stand-in
transcripts (part of make test): what agrees, what differs, and which
differences DIFFERENCES explains (by name, oops@FUNCTION, stale@dmirror),
and that a step's WARN flag is compared.

    check-kdiff.py

Standard library only.
"""
import os
import subprocess
import sys
import tempfile

AWK = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..',
                   'kernel', 'kdiff.awk')
failures = []

STALE = 'x.scn:4: note (step 3): a mirror found no entry (sibling)'
DIFFERENCES = """\
oops@dmirror_do_read  kernel  stand-in oops
stale@dmirror  kernel  stand-in stale entries
corpus/named.scn  kernel  stand-in named defect
"""
AGREE = ['a -> 0', 'b -> 0', 'c -> 0 data=i', 'd -> 0']
STOCK_C = ['a -> 0', 'b -> 0', 'c -> ENOENT', 'd -> 0']

# name: (stock transcript, stock status, model transcript, model stderr,
#        expected model verdict, expected to fail the run[, ours transcript
#        when not stock's])
CASES = {
    'agree': (AGREE, [], AGREE, [], 'agree', False),
    'differs': (STOCK_C, [], AGREE, [], 'DIFF', True),
    # A note at the differing step or before it explains the difference.
    'stale-at': (STOCK_C, [], AGREE, [STALE], 'kernel-bug', False),
    'stale-before': (STOCK_C, [], AGREE,
                     [STALE.replace('step 3', 'step 2')], 'kernel-bug',
                     False),
    # A note after it does not: the model was already wrong.
    'stale-after': (STOCK_C, [], AGREE,
                    [STALE.replace('step 3', 'step 4')], 'DIFF', True),
    # Both kernels read a freed page there: ours may differ from stock.
    'stale-ours': (STOCK_C, [], AGREE, [STALE], 'kernel-bug', False,
                   ['a -> 0', 'b -> 0', 'c -> 0 data=x', 'd -> 0']),
    # A stale read, then an oops: ours may read other freed bytes too,
    # from the note on, and not before it.
    'stale-then-oops': (['a -> 0', 'b -> 0', 'c -> 0 data=i'],
                        ['KMSG OOPS-1 RIP: 0010:dmirror_do_read+0x5/0x9'],
                        AGREE[:2] + ['c -> ENOENT', 'd -> 0'], [STALE],
                        'kernel-bug', False,
                        ['a -> 0', 'b -> 0', 'c -> 0 data=x']),
    'stale-then-oops-early': (['a -> 0', 'b -> 0', 'c -> 0 data=i'],
                              ['KMSG OOPS-1 RIP: 0010:dmirror_do_read+0x5'],
                              AGREE[:2] + ['c -> ENOENT', 'd -> 0'],
                              [STALE], 'kernel-bug', True,
                              ['a -> 0', 'b -> 1', 'c -> 0 data=i']),
    # The note itself is never compared.
    'note-only': (AGREE, [], AGREE, [STALE], 'agree', False),
    'oops': (['a -> 0', 'b -> 0'],
             ['KMSG OOPS-1 RIP: 0010:dmirror_do_read+0x5/0x9'],
             AGREE, [], 'kernel-bug', False),
    'named': (STOCK_C, [], AGREE, [], 'kernel-bug', False),
    'model-warns': (AGREE, [], AGREE,
                    ['WARNING: model/x.c:1: cond', 'backtrace:', '  #0 f'],
                    'agree', False),
    'model-stderr': (AGREE, [], AGREE, ['x.scn:2: something else'], 'DIFF',
                     True),
    # Whether a step warned is in the transcript, and compared.
    'warn-both': ([AGREE[0], AGREE[1] + ' WARN'] + AGREE[2:],
                  ['KMSG WARNING: CPU: 0 PID: 1 at mm/gup.c:1 f+0x1/0x2'],
                  [AGREE[0], AGREE[1] + ' WARN'] + AGREE[2:],
                  ['WARNING: model/gup.c:1: cond'], 'agree', False),
    'warn-stock-only': ([AGREE[0], AGREE[1] + ' WARN'] + AGREE[2:],
                        ['KMSG WARNING: CPU: 0 PID: 1 at mm/gup.c:1 f+0x1'],
                        AGREE, [], 'DIFF', True),
}


def write(path, lines):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(''.join(line + '\n' for line in lines))


def main():
    with tempfile.TemporaryDirectory() as d:
        names = []
        for case, (st, sst, mo, mst, _, _, *ours) in CASES.items():
            name = 'corpus/%s.scn' % case
            names.append(name)
            oops = any('OOPS' in line for line in sst)
            write(os.path.join(d, 'stock', name), st)
            write(os.path.join(d, 'stock', name + '.status'),
                  sst + ['exit oops' if oops else 'exit 0'])
            write(os.path.join(d, 'ours', name), ours[0] if ours else st)
            write(os.path.join(d, 'ours', name + '.status'),
                  sst + ['exit oops' if oops else 'exit 0'])
            write(os.path.join(d, 'model', name), mo)
            write(os.path.join(d, 'model', name + '.status'),
                  ['STDERR ' + line for line in mst] + ['exit 0'])
        write(os.path.join(d, 'list'), names)
        write(os.path.join(d, 'DIFFERENCES'), DIFFERENCES.splitlines())
        p = subprocess.run(
            ['awk', '-f', AWK, '-v', 'list=' + os.path.join(d, 'list'),
             '-v', 'model=' + os.path.join(d, 'model'),
             '-v', 'stock=' + os.path.join(d, 'stock'),
             '-v', 'ours=' + os.path.join(d, 'ours'),
             '-v', 'differences=' + os.path.join(d, 'DIFFERENCES'),
             '-v', 'disagree=' + os.path.join(d, 'disagree')],
            capture_output=True, text=True, timeout=60)
        rows = {}
        for line in p.stdout.splitlines():
            w = line.split()
            if len(w) >= 2 and w[0].startswith('corpus/'):
                rows[w[0][len('corpus/'):-len('.scn')]] = w[1]
        try:
            with open(os.path.join(d, 'disagree')) as f:
                disagree = {line.strip()[len('corpus/'):-len('.scn')]
                            for line in f}
        except FileNotFoundError:
            disagree = set()
        for case, (_, _, _, _, verdict, fails, *_) in CASES.items():
            if rows.get(case) != verdict:
                failures.append('%s: model verdict %s, expected %s'
                                % (case, rows.get(case), verdict))
            if (case in disagree) != fails:
                failures.append('%s: %s the run' % (
                    case, 'fails' if case in disagree else 'passes'))
        if p.returncode != 1:
            failures.append('exit status %d with disagreements, expected 1'
                            % p.returncode)
        if failures:
            sys.stdout.write(p.stdout + p.stderr)
    for f in failures:
        print('check-kdiff: ' + f, file=sys.stderr)
    if failures:
        return 1
    print('check-kdiff: %d verdicts of kernel/kdiff.awk as expected'
          % len(CASES))
    return 0


if __name__ == '__main__':
    sys.exit(main())
