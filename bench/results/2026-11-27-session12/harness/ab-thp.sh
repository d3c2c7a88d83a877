#!/bin/bash
# Session 12: blocked workload, the .deb's JVM options with and without -XX:+UseTransparentHugePages,
# alternated, 2 rounds of 3 runs each; the jar of a5497f4+ (selftest; query path unchanged).
cd /work/main
. packaging/src/deb/files/default
R=bench/results/2026-11-27-session12/harness
for r in ${ROUNDS:-1 2}; do
  for cfg in off thp; do
    [ $((r % 2)) = 0 ] && cfg=$([ $cfg = off ] && echo thp || echo off)
    opts="$HEARTH_JAVA_OPTS"; [ $cfg = thp ] && opts="$opts -XX:+UseTransparentHugePages"
    uptime > $R/load-$cfg-$r.txt
    env HEARTH_JVM_OPTS="$opts" HEARTH_ENV="MALLOC_ARENA_MAX=2" TARGETS=ours WORKLOADS="blocked" \
      MODES=pinned REPS=3 DURATION=10 WITH_NOLIST=0 WARM_SECS=15 OUT=/tmp/hb-s12-$cfg-$r \
      bench/run-dnsperf.sh > $R/$cfg-$r.md 2> $R/$cfg-$r.log
  done
done
echo ALLDONE > /tmp/hb-s12-thp.done
