#!/bin/bash
# Session 15: blocked and cached workloads in the harness, before (1c6638e: the list's table on
# the heap) and after (the table served from a read-only mapping of its saved file; the harness
# starts each server on an empty data directory, so the list is parsed, saved and then swapped
# for its mapped copy within a second of ready). The .deb's JVM options with huge pages, a GC log
# per server; alternated, the order swapped each round, 3 pinned runs of 10 s after 15 s of warm-up.
# Third (gc): the mapped build plus one System.gc() after the list parsed at start is swapped for
# its mapped copy (/tmp/s15/hearth-gc.jar). Fourth (mapped-mn8): the mapped build with a young
# generation of 8 MB (-Xmn8m), which session 14 found to cost four times as many full
# collections under load while the table was on the heap. Rounds 3-4 (CONFIGS="base final"):
# the session's final build (/tmp/s15/hearth-final.jar: gc, and -XX:-ShrinkHeapInSteps in the
# .deb's options, which all configurations then read).
cd /work/main
. packaging/src/deb/files/default
opts="$HEARTH_JAVA_OPTS"
grep -qE '\[(always|madvise)\]' /sys/kernel/mm/transparent_hugepage/enabled && opts="$opts -XX:+UseTransparentHugePages"
R=/work/main/bench/results/2026-11-27-session15/harness
for r in ${ROUNDS:-1 2}; do
  order=${CONFIGS:-base mapped gc mapped-mn8}
  [ $((r % 2)) = 0 ] && order=$(echo $order | tr ' ' '\n' | tac | tr '\n' ' ')
  for j in $order; do
    uptime > $R/load-$j-$r.txt
    extra=""; [ $j = mapped-mn8 ] && extra="-Xmn8m"
    env HEARTH_JAR=/tmp/s15/hearth-${j%-mn8}.jar HEARTH_JVM_OPTS="$opts $extra -Xlog:gc:file=$R/gc-$j-$r-%p.log" \
      HEARTH_ENV="MALLOC_ARENA_MAX=2" TARGETS=ours WORKLOADS="cached blocked" MODES=pinned REPS=3 \
      DURATION=10 WITH_NOLIST=0 WARM_SECS=15 OUT=/tmp/hb-s15-$j-$r \
      bench/run-dnsperf.sh > $R/$j-$r.md 2> $R/$j-$r.log
  done
done
echo ALLDONE > /tmp/hb-s15.done
