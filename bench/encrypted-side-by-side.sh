#!/bin/bash
# DoT and DoH listener throughput next to UDP, Hearth, Unbound and dnsdist side by side, with answers
# that really come from the cache (session 7; replaces encrypted-dnsperf.sh's setup, whose
# canned responder answers EDNS queries with a NODATA that has no SOA, which Hearth rightly
# does not cache, so that script measured cache misses).
#
# - Upstream: NSD with the harness's bench. zone (as run-anchors.sh does), so every name of
#   queries-cached.txt has a cacheable answer; both servers are warmed with one UDP pass.
# - DoH is driven by h2load (nghttp2-client), a conforming HTTP/2 client, over the same 10,000
#   names as GET URLs: dnsperf 2.10's DoH client keeps one response buffer per connection and
#   hands back one DNS message per TLS read, so it loses every response that arrives in the
#   same read as another (a server that coalesces its writes, as Hearth's h2 codec does, shows
#   "HTTP/2 return codes: 200: N" with most queries "lost"; dnsperf issue 240).
# - DoT and UDP by dnsperf. Servers pinned to CPU 0 with one worker thread, clients and NSD on
#   CPU 1. Rounds alternate Hearth and Unbound; the JIT is warmed first (WARM requests of DoH).
#
#   ROUNDS=3 SECS=10 bench/encrypted-side-by-side.sh
#   SERVERS="hearth unbound" bench/encrypted-side-by-side.sh     # leave dnsdist out
#
# dnsdist (a load balancer with a packet cache, DoT and DoH listeners) forwards to the same NSD.
# Needs nsd, unbound, dnsdist, dnsperf, h2load, openssl, python3, the harness data
# (/tmp/hearth-bench/data) and a built jar. Every process it starts is stopped by PID.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
data=${DATA:-/tmp/hearth-bench/data}
out=${OUT:-/tmp/hearth-bench-side}
secs=${SECS:-10}
rounds=${ROUNDS:-3}
servers=${SERVERS:-hearth unbound dnsdist}
warm=${WARM:-150000}
mkdir -p "$out/nsd"
pids=()
cleanup() { for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$out/key.pem" \
  -out "$out/cert.pem" -days 2 -subj /CN=bench.test -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null
cp "$repo/packaging/target/hearth.jar" "$out/hearth.jar"
. "$here/lib/nsd-upstream.sh"
start_nsd_upstream "$data" "$out/nsd" 1
pids+=("$NSD_PID")
cat >"$out/unbound.conf" <<CONF
server:
  interface: 127.0.0.1@6330
  interface: 127.0.0.1@6853
  interface: 127.0.0.1@6443
  port: 6330
  tls-port: 6853
  https-port: 6443
  tls-service-key: "$out/key.pem"
  tls-service-pem: "$out/cert.pem"
  num-threads: 1
  do-daemonize: no
  chroot: ""
  username: ""
  pidfile: ""
  directory: "$out"
  use-syslog: no
  logfile: ""
  verbosity: 0
  do-not-query-localhost: no
  access-control: 127.0.0.0/8 allow
  incoming-num-tcp: 200
  msg-cache-size: 64m
  rrset-cache-size: 64m
forward-zone:
  name: "bench."
  forward-addr: 127.0.0.1@5399
CONF
taskset -c 0 unbound -d -c "$out/unbound.conf" >"$out/unbound.log" 2>&1 & pids+=($!)
cat >"$out/dnsdist.conf" <<CONF
setLocal('127.0.0.1:7330')
setACL({'127.0.0.0/8'})
newServer({address='127.0.0.1:5399'})
getPool(''):setCache(newPacketCache(200000, {maxTTL=86400}))
addTLSLocal('127.0.0.1:7853', '$out/cert.pem', '$out/key.pem')
addDOHLocal('127.0.0.1:7443', '$out/cert.pem', '$out/key.pem', '/dns-query')
CONF
case " $servers " in *" dnsdist "*)
  taskset -c 0 dnsdist -C "$out/dnsdist.conf" --supervised --disable-syslog >"$out/dnsdist.log" 2>&1 & pids+=($!) ;;
esac
rm -rf "$out/data"
taskset -c 0 java -jar "$out/hearth.jar" serve --dns 127.0.0.1:5330 --dot 127.0.0.1:5853 \
  --doh 127.0.0.1:5443 --tls-cert "$out/cert.pem" --tls-key "$out/key.pem" \
  --upstream 127.0.0.1:5399 --rate-limit 0 --threads 1 --http off \
  --data-dir "$out/data" >"$out/hearth.log" 2>&1 & pids+=($!)
wait_port() { for _ in $(seq 1 150); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.2; done; return 1; }
wait_port 5443 && wait_port 6443 && sleep 2
case " $servers " in *" dnsdist "*) wait_port 7443 ;; esac
python3 - "$data/queries-cached.txt" "$out" <<'PY'
import base64, struct, sys
names = []
for line in open(sys.argv[1]):
    n = line.split()[0]
    if n not in names[-1:]:
        names.append(n)
    if len(names) >= 10000:
        break
for port, tag in ((5443, 'hearth'), (6443, 'unbound'), (7443, 'dnsdist')):
    with open(f'{sys.argv[2]}/uris-{tag}.txt', 'w') as f:
        for n in names:
            q = struct.pack('>HHHHHH', 0, 0x0100, 1, 0, 0, 0) + b''.join(
                bytes([len(l)]) + l.encode() for l in n.rstrip('.').split('.')) + b'\0' \
                + struct.pack('>HH', 1, 1)
            b = base64.urlsafe_b64encode(q).decode().rstrip('=')
            f.write(f'https://127.0.0.1:{port}/dns-query?dns={b}\n')
PY
for p in 5330 6330 7330; do
  taskset -c 1 dnsperf -s 127.0.0.1 -p $p -d "$data/queries-cached.txt" -n 1 -c 4 -q 200 >/dev/null 2>&1 || true
done
# JIT warm-up for both (Hearth's DoH path needs ~150k requests on one pinned core).
taskset -c 1 h2load -i "$out/uris-hearth.txt" -n "$warm" -c 8 -m 12 >/dev/null 2>&1 || true
taskset -c 1 timeout 60 dnsperf -m dot -s 127.0.0.1 -p 5853 -d "$data/queries-cached.txt" -c 8 -q 100 -l 10 >/dev/null 2>&1 || true
taskset -c 1 h2load -i "$out/uris-unbound.txt" -n 20000 -c 8 -m 12 >/dev/null 2>&1 || true
taskset -c 1 h2load -i "$out/uris-dnsdist.txt" -n 20000 -c 8 -m 12 >/dev/null 2>&1 || true

dp() { # name mode port
  taskset -c 1 timeout $((secs + 30)) dnsperf -m "$2" -s 127.0.0.1 -p "$3" -d "$data/queries-cached.txt" \
    -c 8 -q 100 -l "$secs" >"$out/$1-$2-$r.txt" 2>&1 || true
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$1" "$2" "$(awk '/Queries per second/ {print $4}' "$out/$1-$2-$r.txt")" \
    "$(awk '/Queries lost/ {print $3}' "$out/$1-$2-$r.txt")" \
    "$(awk '/Average Latency/ {printf "%.3fms", $4 * 1000; exit}' "$out/$1-$2-$r.txt")"
}
h2() { # name
  local n=$(( secs * 20000 ))
  taskset -c 1 timeout $((secs * 6 + 30)) h2load -i "$out/uris-$1.txt" -n "$n" -c 8 -m 12 >"$out/$1-doh-$r.txt" 2>&1 || true
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$1" "doh(h2load)" \
    "$(awk '/^finished in/ {print $4}' "$out/$1-doh-$r.txt")" \
    "$(awk '/^requests:/ {print $10}' "$out/$1-doh-$r.txt")failed" \
    "$(awk '/^time for request:/ {print $6}' "$out/$1-doh-$r.txt")"
}
printf 'round\tserver\tmode\tqps\tlost\tmean_latency\n'
for r in $(seq 1 "$rounds"); do
  for s in $servers; do
    case $s in hearth) base=5 ;; unbound) base=6 ;; dnsdist) base=7 ;; esac
    dp $s udp ${base}330
    dp $s dot ${base}853
    h2 $s
  done
done
uptime
