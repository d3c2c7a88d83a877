#!/bin/bash
# Session 13: the whole server before (4a04aac) and after (aa698f7) the verdict-cache change,
# cached and blocked workloads, the .deb's JVM options (huge pages as the launcher decides),
# alternated, the order swapped each round, 3 pinned runs of 10 s each.
#   jars: /tmp/hearth-s13-old.jar, /tmp/hearth-s13-new.jar
cd /work/main
. packaging/src/deb/files/default
opts="$HEARTH_JAVA_OPTS"
grep -qE '\[(always|madvise)\]' /sys/kernel/mm/transparent_hugepage/enabled && opts="$opts -XX:+UseTransparentHugePages"
R=bench/results/2026-11-27-session13/harness
for r in ${ROUNDS:-1 2}; do
  for j in old new; do
    [ $((r % 2)) = 0 ] && j=$([ $j = old ] && echo new || echo old)
    uptime > $R/load-$j-$r.txt
    env HEARTH_JAR=/tmp/hearth-s13-$j.jar HEARTH_JVM_OPTS="$opts" HEARTH_ENV="MALLOC_ARENA_MAX=2" \
      TARGETS=ours WORKLOADS="cached blocked" MODES=pinned REPS=3 DURATION=10 WITH_NOLIST=0 \
      WARM_SECS=15 OUT=/tmp/hb-s13-$j-$r bench/run-dnsperf.sh > $R/$j-$r.md 2> $R/$j-$r.log
  done
done
echo ALLDONE > /tmp/hb-s13-cache.done
