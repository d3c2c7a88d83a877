#!/bin/bash
# Side-by-side dnsperf run of Hearth and the anchor resolvers with the shared harness
# (../shared/bench/run-anchors.sh). Needs dnsperf, nsd (and unbound, dnsdist, pdns-recursor for
# the anchors) from Debian, and a built jar: mvn -B -q package -DskipTests.
#
#   bench/run-dnsperf.sh                 # canned ours pdns-recursor dnsdist unbound
#   TARGETS="canned ours" bench/run-dnsperf.sh
#
# Results go to $OUT (default /tmp/hearth-bench/results); bench/RESULTS.md quotes them.
# HEARTH_JAR=FILE runs another build (e.g. for an A/B); HEARTH_JVM_OPTS="..." adds JVM options and
# HEARTH_ENV="VAR=value ..." environment variables (e.g. the .deb's /etc/default/hearth). Hearth loads the harness's 1M-domain list with --blocklist and answers blocked names NXDOMAIN.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
harness=${HARNESS:-$repo/../shared/bench}
out=${OUT:-/tmp/hearth-bench}
mkdir -p "$out/results" "$out/run" "$out/data"
cp "${HEARTH_JAR:-$repo/packaging/target/hearth.jar}" "$out/hearth.jar"
export DATA=$out/data RUN=$out/run RES=$out/results
base="${HEARTH_ENV:+env $HEARTH_ENV }java ${HEARTH_JVM_OPTS:-} -jar $out/hearth.jar serve --dns {listen}:{port} --upstream {upstream} --rate-limit 0 --threads 1 --data-dir {rundir}/data ${HEARTH_EXTRA:-}"
export OURS_CMD="$base --blocklist {blocklist}"
export OURS_CMD_NOLIST="$base"
export OURS_PORT=5330 OURS_BLOCK_RCODE=NXDOMAIN
export TARGETS="${TARGETS:-canned ours pdns-recursor dnsdist unbound}"
export WORKLOADS="${WORKLOADS:-cached blocked mix}" WARM_SECS="${WARM_SECS:-30}"
cd "$harness"
exec ./run-anchors.sh
