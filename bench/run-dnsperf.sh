#!/bin/bash
# Side-by-side dnsperf run of Hearth and the anchor resolvers with the shared harness
# (../shared/bench/run-anchors.sh). Needs dnsperf, nsd (and unbound, dnsdist, pdns-recursor for
# the anchors) from Debian, and a built jar: mvn -B -q package -DskipTests.
#
#   bench/run-dnsperf.sh                 # canned ours pdns-recursor dnsdist unbound
#   TARGETS="canned ours" bench/run-dnsperf.sh
#
# Results go to $OUT (default /tmp/hearth-bench/results); bench/RESULTS.md quotes them.
# Hearth has no blocklist engine yet, so the "blocked" workload is skipped and the harness's
# blocked-name probe is told to expect NOERROR (the upstream's wildcard answers them).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
harness=${HARNESS:-$repo/../shared/bench}
out=${OUT:-/tmp/hearth-bench}
mkdir -p "$out/results" "$out/run" "$out/data"
cp "$repo/packaging/target/hearth.jar" "$out/hearth.jar"
export DATA=$out/data RUN=$out/run RES=$out/results
export OURS_CMD="java -jar $out/hearth.jar serve --dns {listen}:{port} --upstream {upstream} --rate-limit 0 --threads 1 --data-dir {rundir}/data"
export OURS_CMD_NOLIST="$OURS_CMD"
export OURS_PORT=5330 OURS_BLOCK_RCODE=NOERROR
export TARGETS="${TARGETS:-canned ours pdns-recursor dnsdist unbound}"
export WORKLOADS="${WORKLOADS:-cached mix}" WARM_SECS="${WARM_SECS:-30}"
cd "$harness"
exec ./run-anchors.sh
