#!/bin/bash
# Session 14: the .deb's JVM options with and without a young generation capped at 8 MB (-Xmn8m),
# cached and blocked workloads, alternated, the order swapped each round, 3 pinned runs of 10 s,
# with a GC log per server (-Xlog:gc) to count collections under load.
cd /work/main
. packaging/src/deb/files/default
opts="$HEARTH_JAVA_OPTS"
grep -qE '\[(always|madvise)\]' /sys/kernel/mm/transparent_hugepage/enabled && opts="$opts -XX:+UseTransparentHugePages"
R=bench/results/2026-11-27-session14/young
cp packaging/target/hearth.jar /tmp/hearth-s14.jar
for r in ${ROUNDS:-1 2}; do
  for j in base young8; do
    [ $((r % 2)) = 0 ] && j=$([ $j = base ] && echo young8 || echo base)
    extra=""; [ $j = young8 ] && extra="-Xmn8m"
    uptime > $R/load-$j-$r.txt
    env HEARTH_JAR=/tmp/hearth-s14.jar HEARTH_JVM_OPTS="$opts $extra -Xlog:gc:file=/tmp/s14/gc-$j-$r-%p.log" HEARTH_ENV="MALLOC_ARENA_MAX=2" \
      TARGETS=ours WORKLOADS="cached blocked" MODES=pinned REPS=3 DURATION=10 WITH_NOLIST=0 \
      WARM_SECS=15 OUT=/tmp/hb-s14-$j-$r bench/run-dnsperf.sh > $R/$j-$r.md 2> $R/$j-$r.log
  done
done
echo ALLDONE > /tmp/hb-s14-young.done
