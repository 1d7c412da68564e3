#!/usr/bin/env python3
"""cpu-by-thread.py <report-file> <command...>: runs the command (a JVM, or a launcher that execs one) and writes
to <report-file> two lines: "<elapsed> <user> <system>" seconds of the whole command (its rusage, as /usr/bin/time
-f '%e %U %S' writes it), then the CPU seconds of its threads by name (C1/C2 compiler threads, GC, copy-N, main),
read from /proc every 50 ms: a thread that ends between two readings loses at most its last 50 ms. Exits with the
command's status."""
import collections, os, re, subprocess, sys, time

report, argv = sys.argv[1], sys.argv[2:]
start = time.monotonic()
p = subprocess.Popen(argv)
tick, last = os.sysconf('SC_CLK_TCK'), {}
while True:
    pid, status, usage = os.wait4(p.pid, os.WNOHANG)
    if pid:
        break
    try:
        for tid in os.listdir(f'/proc/{p.pid}/task'):
            try:
                with open(f'/proc/{p.pid}/task/{tid}/stat') as f:
                    s = f.read()
                rest = s[s.rindex(')') + 2:].split()
                last[tid] = (s[s.index('(') + 1:s.rindex(')')], int(rest[11]) + int(rest[12]))
            except (OSError, ValueError):
                pass
    except OSError:
        pass
    time.sleep(0.05)
groups = collections.Counter()
for name, ticks in last.values():
    groups[re.sub(r'[#\- ]?\d+$', '', name).strip()] += ticks / tick
with open(report, 'w') as f:
    f.write(f'{time.monotonic() - start:.2f} {usage.ru_utime:.2f} {usage.ru_stime:.2f}\n')
    f.write(', '.join(f'{k} {v:.2f}' for k, v in groups.most_common() if v >= 0.02) + '\n')
sys.exit(os.waitstatus_to_exitcode(status))
