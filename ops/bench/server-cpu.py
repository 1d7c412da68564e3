#!/usr/bin/env python3
"""CPU seconds a database server spends while a benchmark phase runs, read from /proc.

Usage: server-cpu.py <server pid>   (runs until SIGINT or SIGTERM, then prints its figures and exits)

The server is the process <pid> and its children: PostgreSQL's postmaster and its backends, or mariadbd (one
process, its threads included in its own figures). Total = utime + stime of the server process and of each live
child, plus the server's cutime + cstime, which the kernel adds a child's time to when the server reaps it, so
sessions that end during the phase still count. Printed: `total <seconds>` (end minus start), then `<class>
<seconds>` per kind of process, sampled every 0.2 s (a child that ends between samples loses its last 0.2 s there;
the total is exact). A PostgreSQL child's class is its title's first word ("walsender", "checkpointer", ...) or
"backend" for a client session; mariadbd is one class.
"""
import os
import signal
import sys
import time

TICKS = os.sysconf("SC_CLK_TCK")


def stat(pid):
    """(ppid, utime+stime, cutime+cstime) in ticks, or None when the process is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
    except OSError:
        return None
    fields = s[s.rindex(")") + 2:].split()  # after "pid (comm) ": state ppid ...
    return int(fields[1]), int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])


def title_class(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            title = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "gone"
    if title.startswith("postgres: "):
        words = title.split()
        # "postgres: walsender ...", "postgres: checkpointer", "postgres: app bench 127.0.0.1(4242) idle"
        if len(words) >= 2 and words[1] in ("walsender", "checkpointer", "background", "walwriter", "autovacuum",
                                            "logical", "logger", "archiver", "stats", "startup", "parallel"):
            return words[1]
        return "backend"
    return os.path.basename(title.split()[0]) if title else "?"


def children(server):
    out = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = stat(int(name))
            if st and st[0] == server:
                out.append(int(name))
    return out


def total(server):
    st = stat(server)
    if st is None:
        return None
    t = st[1] + st[2]
    for c in children(server):
        cs = stat(c)
        if cs:
            t += cs[1]
    return t


def main():
    server = int(sys.argv[1])
    start = total(server)
    first, last, kinds = {}, {}, {}
    stopping = []
    signal.signal(signal.SIGINT, lambda *_: stopping.append(1))
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    seen_before = set(children(server))
    while not stopping:
        for c in [server] + children(server):
            st = stat(c)
            if st is None:
                continue
            if c not in first:
                # a child already there at the start counts from the first sample; a new one from zero
                first[c] = st[1] if c in seen_before or c == server else 0
                kinds[c] = "server" if c == server else title_class(c)
            last[c] = st[1]
        time.sleep(0.2)
    end = total(server)
    print(f"total {((end or start) - start) / TICKS:.2f}")
    per = {}
    for c, t in last.items():
        per[kinds[c]] = per.get(kinds[c], 0) + t - first[c]
    for k, t in sorted(per.items(), key=lambda kv: -kv[1]):
        print(f"{k} {t / TICKS:.2f}")


if __name__ == "__main__":
    main()
