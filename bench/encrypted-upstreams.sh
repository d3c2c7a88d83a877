#!/bin/bash
# Hearth forwarding cache misses to the same local unbound over plain DNS, DNS over TLS and DNS
# over HTTPS: what the encrypted transports cost on the forwarding path. unbound answers every
# name from a static local zone (NXDOMAIN), so the upstream's own work is the same in all three;
# each query name is unique, so every query is a Hearth cache miss. Needs dnsperf, unbound,
# openssl and a built jar (mvn -B -q package -DskipTests).
#
#   bench/encrypted-upstreams.sh            # SECS=15 RUNS=3 CLIENTS=... override
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
out=${OUT:-/tmp/hearth-bench-enc}
secs=${SECS:-15}
runs=${RUNS:-3}
rm -rf "$out"; mkdir -p "$out"
cd "$out"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
  -days 2 -subj "/CN=bench CA" -addext basicConstraints=critical,CA:TRUE \
  -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout srv.key -out srv.csr \
  -subj "/CN=127.0.0.1" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > ext
openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 2 \
  -extfile ext 2>/dev/null
cat > unbound.conf <<CONF
server:
  num-threads: 1
  interface: 127.0.0.1@5401
  interface: 127.0.0.1@5402
  interface: 127.0.0.1@5403
  port: 5401
  tls-port: 5402
  https-port: 5403
  tls-service-key: "$out/srv.key"
  tls-service-pem: "$out/srv.pem"
  access-control: 127.0.0.0/8 allow
  do-ip6: no
  username: ""
  chroot: ""
  directory: "$out"
  pidfile: ""
  use-syslog: no
  logfile: "$out/unbound.log"
  module-config: "iterator"
  local-zone: "test." nodefault
  local-zone: "bench.test." static
  incoming-num-tcp: 100
  http-max-streams: 200
CONF
/usr/sbin/unbound -d -c unbound.conf &
ub=$!
hp=
trap 'kill $ub $hp 2>/dev/null || true' EXIT
python3 -c "
import random
with open('queries','w') as f:
    for i in range(3_000_000):
        f.write('m%d-%x.bench.test A\n' % (i, random.getrandbits(32)))
"
sleep 1
for transport in plain tls https; do
  case $transport in
    plain) addr="127.0.0.1:5401" ;;
    tls) addr="tls://127.0.0.1:5402" ;;
    https) addr="https://127.0.0.1:5403/dns-query" ;;
  esac
  printf 'upstream:\n  servers:\n    - {address: "%s"%s}\n' "$addr" \
    "$([ $transport = plain ] || echo ", ca_file: \"$out/ca.pem\"")" > "hearth-$transport.yaml"
  rm -rf data; mkdir data
  java -jar "$repo/packaging/target/hearth.jar" serve --dns 127.0.0.1:5400 --rate-limit 0 \
    --http off --data-dir data --config "hearth-$transport.yaml" > "hearth-$transport.log" 2>&1 &
  hp=$!
  for _ in $(seq 1 100); do dig +short +time=1 -p 5400 @127.0.0.1 warm.bench.test >/dev/null 2>&1 && break; sleep 0.2; done
  # Warm-up (JIT, connections), then the measured runs; each run reads fresh names.
  dnsperf -s 127.0.0.1 -p 5400 -d queries -l 5 -c 8 -q 200 > "warm-$transport.txt" 2>&1 || true
  for r in $(seq 1 "$runs"); do
    sed -n "$(( r * 600000 + 1 )),$(( (r + 1) * 600000 ))p" queries > q.$r
    dnsperf -s 127.0.0.1 -p 5400 -d q.$r -l "$secs" -c 8 -q 200 > "run-$transport-$r.txt" 2>&1 || true
    qps=$(awk '/Queries per second/ {print $4}' "run-$transport-$r.txt")
    lat=$(awk '/Average Latency/ {print $4}' "run-$transport-$r.txt")
    lost=$(awk '/Queries lost/ {print $3}' "run-$transport-$r.txt")
    echo "$transport run $r: $qps qps, average latency $lat s, lost $lost"
  done
  kill $hp; wait $hp 2>/dev/null || true
done
# The anchor: dnsperf straight to unbound over the same transports, same names (unbound's own
# ceiling on this machine; dnsperf keeps its connections open as Hearth does).
for transport in udp dot doh; do
  case $transport in
    udp) port=5401 ;;
    dot) port=5402 ;;
    doh) port=5403 ;;
  esac
  for r in $(seq 1 "$runs"); do
    dnsperf -m $transport -s 127.0.0.1 -p $port -d q.$r -l "$secs" -c 8 -q 200 > "direct-$transport-$r.txt" 2>&1 || true
    qps=$(awk '/Queries per second/ {print $4}' "direct-$transport-$r.txt")
    lat=$(awk '/Average Latency/ {print $4}' "direct-$transport-$r.txt")
    echo "unbound direct $transport run $r: $qps qps, average latency $lat s"
  done
done
