#!/bin/bash
# DoT and DoH throughput next to UDP (issue 7): Hearth, Unbound and dnsdist, each forwarding to
# the harness's canned responder and answering the cached workload (every answer from the cache
# after one warm-up pass). Server pinned to CPU 0 with one worker thread, dnsperf (and the
# responder) on CPU 1. dnsperf's DoT and DoH keep -c connections open (one per client).
#
#   bench/encrypted-dnsperf.sh                      # all three targets, udp dot doh
#   TARGETS=hearth MODES="udp doh" SECS=10 bench/encrypted-dnsperf.sh
#
# Needs dnsperf (2.10, -m dot/doh), unbound, dnsdist, gcc, openssl and a built jar
# (mvn -B -q package -DskipTests). Every process it starts is stopped by PID.
#
# Caveat (session 7): the canned responder answers Hearth's EDNS queries with an uncacheable
# NODATA, so Hearth's figures here are cache misses, and dnsperf's DoH client drops responses
# that share a TLS read. Use bench/encrypted-side-by-side.sh (NSD upstream, h2load for DoH).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
harness=${HARNESS:-$repo/../shared/bench}
out=${OUT:-/tmp/hearth-bench-encrypted}
queries=${QUERIES:-/tmp/hearth-bench/data/queries-cached.txt}
secs=${SECS:-15}
clients=${CLIENTS:-8}
outstanding=${OUTSTANDING:-100}
targets=${TARGETS:-hearth unbound dnsdist}
modes=${MODES:-udp dot doh}
mkdir -p "$out"
pids=()
cleanup() { for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
[ -f "$queries" ] || { echo "no query file $queries (run the harness once, or set QUERIES)" >&2; exit 1; }
cc -O2 -o "$out/canned" "$harness/responder/canned_udp.c"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$out/key.pem" \
  -out "$out/cert.pem" -days 2 -subj /CN=bench.test -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null
cp "$repo/packaging/target/hearth.jar" "$out/hearth.jar"
taskset -c 1 "$out/canned" 127.0.0.1 5399 & pids+=($!)

wait_port() { for _ in $(seq 1 150); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.2; done; return 1; }

start() {
  case $1 in
    hearth)
      rm -rf "$out/data"
      taskset -c 0 java -jar "$out/hearth.jar" serve --dns 127.0.0.1:5330 --dot 127.0.0.1:8853 \
        --doh 127.0.0.1:8443 --tls-cert "$out/cert.pem" --tls-key "$out/key.pem" \
        --upstream 127.0.0.1:5399 --rate-limit 0 --threads 1 --http off \
        --data-dir "$out/data" >"$out/hearth.log" 2>&1 & pids+=($!) ;;
    unbound)
      cat >"$out/unbound.conf" <<CONF
server:
  interface: 127.0.0.1@5330
  interface: 127.0.0.1@8853
  interface: 127.0.0.1@8443
  tls-port: 8853
  https-port: 8443
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
  name: "."
  forward-addr: 127.0.0.1@5399
CONF
      taskset -c 0 unbound -d -c "$out/unbound.conf" >"$out/unbound.log" 2>&1 & pids+=($!) ;;
    dnsdist)
      cat >"$out/dnsdist.conf" <<CONF
setLocal("127.0.0.1:5330")
addTLSLocal("127.0.0.1:8853", "$out/cert.pem", "$out/key.pem")
addDOHLocal("127.0.0.1:8443", "$out/cert.pem", "$out/key.pem", "/dns-query")
newServer({address="127.0.0.1:5399"})
pc = newPacketCache(200000, {})
getPool(""):setCache(pc)
setACL({"127.0.0.0/8"})
CONF
      taskset -c 0 dnsdist --supervised --disable-syslog -C "$out/dnsdist.conf" >"$out/dnsdist.log" 2>&1 & pids+=($!) ;;
  esac
  wait_port 8853 && wait_port 8443
  sleep 1
}

run() { # target mode
  local extra=()
  local port=5330
  case $2 in
    dot) port=8853 ;;
    doh) port=8443; extra=(-O "doh-uri=https://127.0.0.1:8443/dns-query") ;;
  esac
  taskset -c 1 timeout $((secs + 30)) dnsperf -m "$2" -s 127.0.0.1 -p $port -d "$queries" \
    -c "$clients" -q "$outstanding" -l "$secs" "${extra[@]}" >"$out/$1-$2.txt" 2>&1 || true
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" \
    "$(awk '/Queries per second/ {print $4}' "$out/$1-$2.txt")" \
    "$(awk '/Average Latency/ {print $4; exit}' "$out/$1-$2.txt")" \
    "$(awk '/Queries lost/ {print $3}' "$out/$1-$2.txt")"
}

printf 'target\tmode\tqps\tavg_latency_s\tlost\n'
for t in $targets; do
  start "$t"
  # Warm the cache: one pass of the workload over UDP.
  taskset -c 1 dnsperf -s 127.0.0.1 -p 5330 -d "$queries" -n 1 -c 4 -q 200 >/dev/null 2>&1 || true
  for m in $modes; do
    run "$t" "$m"
  done
  kill "${pids[-1]}" 2>/dev/null || true
  wait "${pids[-1]}" 2>/dev/null || true
  sleep 1
done
