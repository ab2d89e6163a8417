#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check the options of the devmig command end to end.

    check-cli.py PATH-TO-DEVMIG VERSION

Each check runs the command, reads its --json output (or its exit status and
text) and compares it with what the options ask for.  Standard library only.
"""
import json
import os
import subprocess
import sys
import tempfile

failures = []


def run(devmig, *args):
    p = subprocess.run([devmig] + list(args), capture_output=True, text=True,
                       timeout=300)
    return p.returncode, p.stdout, p.stderr


def check(cond, what):
    if not cond:
        failures.append(what)


# Scripts `devmig run` must refuse (status 2), and the message it must give.
BAD_SCRIPTS = [
    ('mmap a -4 anon rw',
     "p.scn:1: mmap: page count '-4': negative numbers are not allowed"),
    ('mmap a 4 anon rw\nread a -1 2',
     "p.scn:2: read: offset '-1': negative numbers are not allowed"),
    ('mmap a 4 anon rw\nwrite a 0 -2 i',
     "p.scn:2: write: page count '-2': negative numbers are not allowed"),
    ('fork c\n@c exit -1',
     "p.scn:2: exit: exit code '-1': negative numbers are not allowed"),
    ('mmap a 4 anon rwx',
     "p.scn:1: mmap: protection 'rwx': execute permission is not "
     "modelled (expected none|r|rw)"),
    ('mmap a 4 anon rw\nmprotect a rwx',
     "p.scn:2: mprotect: protection 'rwx': execute permission"),
    ('mmap a 4 anon rw-',
     "p.scn:1: mmap: unknown protection 'rw-' (expected none|r|rw)"),
    ('mmap a 4 anon w',
     "p.scn:1: mmap: write-only protection is not supported (use rw)"),
    ('fork c\n@c mmap a 4 anon rw\n@c pin a\n@c exit',
     "p.scn:4: exit: process 'c' still holds a pin"),
]


def check_parse_errors(devmig):
    devmig = os.path.abspath(devmig)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, 'p.scn')
        for body, msg in BAD_SCRIPTS:
            with open(path, 'w') as f:
                f.write(body + '\n')
            p = subprocess.run([devmig, 'run', 'p.scn'], cwd=d,
                               capture_output=True, text=True, timeout=60)
            check(p.returncode == 2 and p.stderr.startswith(msg),
                  'run refuses %r with %r (got %d: %r)' %
                  (body, msg, p.returncode, p.stderr.strip()))
        # A negative-looking pattern is still a pattern, not a number.
        with open(path, 'w') as f:
            f.write('mmap a 4 anon rw\nwrite a -i+3\nread a 0 2\n')
        p = subprocess.run([devmig, 'run', 'p.scn'], cwd=d,
                           capture_output=True, text=True, timeout=60)
        check(p.returncode == 0 and 'data=-i+3*2' in p.stdout,
              'write a -i+3 still parses')


def main(argv):
    devmig, version = argv[1], argv[2]

    rc, out, _ = run(devmig, '--version')
    check(rc == 0 and out.strip() == 'devmig ' + version, '--version')

    rc, out, _ = run(devmig, '--help')
    for opt in ('--size', '--device', '--devices', '--thp', '--device-memory',
                '--steps', '--repeat', '--seed', '--json', 'Examples:'):
        check(rc == 0 and opt in out, '--help lists ' + opt)

    for bad in (['--size'], ['--size=3'], ['--devices', '0'], ['--thp=huge'],
                ['--steps', 'to-dev,'], ['--repeat=0'], ['--nope']):
        rc, _, err = run(devmig, *bad)
        check(rc == 2 and 'devmig:' in err, 'refuses ' + ' '.join(bad))

    # Both spellings, two devices, a step list run twice.
    for size in (['--size=4M'], ['--size', '4M']):
        rc, out, _ = run(devmig, *size, '--devices', '2', '--json',
                         '--steps=to-dev,fault-back', '--repeat', '2')
        r = json.loads(out)
        check(rc == 0 and r['ok'] and r['size'] == 4 << 20 and
              r['devices'] == 2, ' '.join(size) + ': result')
        check([(s['step'], s['pass']) for s in r['steps']] ==
              [('to-dev', 1), ('fault-back', 1), ('to-dev', 2),
               ('fault-back', 2)], ' '.join(size) + ': steps')
        check(all(s['pages'] == 1024 and s['mismatches'] == 0
                  for s in r['steps']), ' '.join(size) + ': pages moved')
        check(r['steps'][1]['faults'] >= 1024, 'fault-back faults')

    # Device memory below the range: what fits moves, the rest stays.
    rc, out, _ = run(devmig, '--size=8M', '--device-memory=4M', '--json',
                     '--steps', 'to-dev,to-sys')
    r = json.loads(out)
    check(rc == 0 and r['ok'], 'exhaustion: result')
    check(r['steps'][0]['device_memory_exhausted'] and
          r['steps'][0]['pages'] == 1024, 'exhaustion: 4M of 8M moved')
    check(r['steps'][1]['pages'] == 1024, 'exhaustion: 4M came back')
    check(r['device_allocations_refused'] > 0, 'exhaustion: refusals')

    # THP always, coherent memory.
    rc, out, _ = run(devmig, '--size=4M', '--thp=always', '--device',
                     'coherent', '--json')
    r = json.loads(out)
    check(rc == 0 and r['ok'] and r['thp'] == 'always' and
          r['device_type'] == 'coherent', 'thp always, coherent')

    check_parse_errors(devmig)

    for f in failures:
        print('check-cli: FAILED: ' + f, file=sys.stderr)
    print('devmig command: %d checks failed' % len(failures)
          if failures else 'devmig command: options checked')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
