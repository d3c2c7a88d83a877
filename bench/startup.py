#!/usr/bin/env python3
"""One timed start of `hearth serve` (used by bench/startup.sh; stdlib only).

Starts the JVM itself (so t0 is the exec and the PID is the JVM's), polls a blocked name over UDP
every --every ms (one query in flight, --every ms to answer) until the answer is NXDOMAIN, reads
VmRSS from /proc/PID/status then and --rss-after seconds later, stops the server with SIGTERM (by
PID) and prints one TSV line:

  label  mode  ready_ms  rss_ready_kb  rss_after_kb  polls  exit_code

Every line the server writes (stdout and stderr) is saved to --log with the milliseconds since
exec in front, which is the start-up timeline.
"""
import argparse
import os
import random
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time


def query(name, qid):
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.rstrip(".").split("."):
        q += bytes([len(label)]) + label.encode("ascii")
    return q + b"\x00" + struct.pack(">HH", 1, 1)


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return -1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--label", required=True)
    ap.add_argument("--mode", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--name", required=True, help="a listed name: ready when it gets NXDOMAIN")
    ap.add_argument("--every", type=float, default=20.0, help="poll period, ms")
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--rss-after", type=float, default=5.0)
    ap.add_argument("--log", required=True)
    ap.add_argument("--jcmd", action="append", default=[],
                    help="jcmd command run against the JVM after --rss-after (e.g. 'VM.native_memory"
                         " summary' with -XX:NativeMemoryTracking=summary); output goes to --log")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.connect(("127.0.0.1", a.port))
    logf = open(a.log, "w")
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)

    def pump():
        for raw in proc.stdout:
            ms = (time.monotonic() - t0) * 1000
            logf.write(f"{ms:9.1f} {raw.decode('utf-8', 'replace').rstrip()}\n")
            logf.flush()

    th = threading.Thread(target=pump, daemon=True)
    th.start()

    period = a.every / 1000.0
    ready_ms = -1.0
    polls = 0
    rcode_seen = None
    while time.monotonic() - t0 < a.timeout:
        if proc.poll() is not None:
            break
        qid = random.randrange(65536)
        start = time.monotonic()
        polls += 1
        try:
            sock.send(query(a.name, qid))
        except OSError:
            pass
        deadline = start + period
        done = False
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            r, _, _ = select.select([sock], [], [], left)
            if not r:
                break
            try:
                data = sock.recv(4096)
            except ConnectionRefusedError:
                continue  # nothing listens yet (ICMP port unreachable)
            if len(data) >= 4 and struct.unpack(">H", data[:2])[0] == qid:
                rcode_seen = data[3] & 0x0F
                if rcode_seen == 3:
                    ready_ms = (time.monotonic() - t0) * 1000
                    done = True
                break
        if done:
            break
        left = deadline - time.monotonic()
        if left > 0:
            time.sleep(left)

    rss_ready = rss_kb(proc.pid) if ready_ms >= 0 else -1
    if ready_ms >= 0 and a.rss_after > 0:
        time.sleep(a.rss_after)
    rss_after = rss_kb(proc.pid) if ready_ms >= 0 else -1
    for jc in a.jcmd:
        if proc.poll() is None:
            out = subprocess.run(["jcmd", str(proc.pid)] + jc.split(), capture_output=True,
                                 text=True, timeout=60).stdout
            logf.write(f"# jcmd {jc}\n" + "".join(f"# {l}\n" for l in out.splitlines()))
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    th.join(timeout=5)
    logf.write(f"# ready_ms={ready_ms:.1f} last_rcode={rcode_seen} polls={polls}"
               f" exit={proc.returncode}\n")
    logf.close()
    print(f"{a.label}\t{a.mode}\t{ready_ms:.1f}\t{rss_ready}\t{rss_after}\t{polls}"
          f"\t{proc.returncode}", flush=True)
    return 0 if ready_ms >= 0 else 1


if __name__ == "__main__":
    sys.exit(main())
