#!/bin/bash
# Session 16: the .deb's options (-Xms64m) against the same with -Xms16m (a young generation that
# starts at ~5 MB and grows with the old generation), the harness's cached and blocked workloads,
# 3 pinned runs of 10 s after 15 s of warm-up, a GC log per server, the order swapped each round.
cd /work/main
. packaging/src/deb/files/default
opts="$HEARTH_JAVA_OPTS"
grep -qE '\[(always|madvise)\]' /sys/kernel/mm/transparent_hugepage/enabled && opts="$opts -XX:+UseTransparentHugePages"
R=/work/main/bench/results/2026-11-27-session16/harness
for r in ${ROUNDS:-1 2}; do
  order=${CONFIGS:-ship xms16}
  [ $((r % 2)) = 0 ] && order=$(echo $order | tr ' ' '\n' | tac | tr '\n' ' ')
  for j in $order; do
    uptime > $R/load-$j-$r.txt
    o="$opts"; [ $j = xms16 ] && o=$(echo "$opts" | sed 's/-Xms64m/-Xms16m/')
    env HEARTH_JAR=${JAR:-/tmp/s16/hearth.jar} HEARTH_JVM_OPTS="$o -Xlog:gc:file=$R/gc-$j-$r-%p.log" \
      HEARTH_ENV="MALLOC_ARENA_MAX=2" TARGETS=ours WORKLOADS="cached blocked" MODES=pinned REPS=3 \
      DURATION=10 WITH_NOLIST=0 WARM_SECS=15 OUT=/tmp/hb-s16-$j-$r \
      bench/run-dnsperf.sh > $R/$j-$r.md 2> $R/$j-$r.log
  done
done
echo ALLDONE > /tmp/hb-s16.done
