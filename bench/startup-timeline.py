#!/usr/bin/env python3
"""Where a `hearth serve` start-up goes: phases from a class-load log and the server's log.

  bench/startup-timeline.py CLASSLOAD_LOG SERVER_LOG

CLASSLOAD_LOG comes from -Xlog:class+load:file=FILE:uptime (seconds since JVM start), SERVER_LOG
from bench/startup.py --log (milliseconds since exec in front of each line, last line
"# ready_ms=..."). The first time a marker class is loaded (or a log line appears) closes a phase;
classes loaded and the top packages per phase show what ran. bench/startup.sh --timeline runs it.
"""
import collections
import re
import sys

# (phase name, marker that ends it: ("class", name) or ("log", substring) or ("ready",))
MARKERS = [
    ("JVM boot, until the main class loads", ("class", "dev.hearth.cli.Hearth")),
    ("picocli parse, logging set-up, settings, data directory", ("class", "org.sqlite.JDBC")),
    ("admin store: SQLite and its native library, list sources stored in it (Jackson)",
     ("class", "dev.hearth.blocklists.ListLoader|dev.hearth.blocklists.ListStore")),
    ("list: parse+compile+save (cold) or read saved (warm)", ("log", " in force, ")),
    ("settings log, Netty event loops, epoll, pipeline, bind", ("log", "Hearth resolver listening")),
    ("upstream probe sent, first NXDOMAIN answered", ("ready",)),
]


def main():
    cl, log = sys.argv[1], sys.argv[2]
    classes = []
    for line in open(cl, errors="replace"):
        m = re.match(r"\[(\d+\.\d+)s\]\s+(?:\[\w+\]\[class,load\]\s+)?(\S+) source: (.*)", line)
        if m:
            classes.append((float(m.group(1)) * 1000, m.group(2), m.group(3)))
    logs = []
    ready = None
    for line in open(log, errors="replace"):
        m = re.match(r"\s*(\d+\.\d+) (.*)", line)
        if m:
            logs.append((float(m.group(1)), m.group(2)))
        m = re.search(r"ready_ms=(\d+\.\d+)", line)
        if m:
            ready = float(m.group(1))
    ends = []
    for name, mk in MARKERS:
        t = None
        if mk[0] == "class":
            pat = re.compile(r"^(%s)$" % mk[1])
            t = next((c[0] for c in classes if pat.match(c[1])), None)
        elif mk[0] == "log":
            t = next((l[0] for l in logs if mk[1] in l[1]), None)
        else:
            t = ready
        ends.append((name, t))
    print(f"{len(classes)} classes loaded by ready+5s"
          f" ({sum(1 for c in classes if 'shared objects file' in c[2])} from CDS archives)")
    print("| phase | from ms | to ms | took ms | classes loaded | top packages |")
    print("|---|---:|---:|---:|---:|---|")
    start = 0.0
    for name, t in ends:
        if t is None:
            print(f"| {name} | {start:.0f} | ? | ? | | |")
            continue
        inside = [c for c in classes if start <= c[0] < t]
        top = collections.Counter(".".join(c[1].split(".")[:3]) for c in inside).most_common(3)
        tops = ", ".join(f"{p} {n}" for p, n in top)
        print(f"| {name} | {start:.0f} | {t:.0f} | {t - start:.0f} | {len(inside)} | {tops} |")
        start = t


if __name__ == "__main__":
    main()
