#!/bin/bash
# Session 11: the .deb's JVM options against the same plus native-heap trimming and two malloc
# arenas, blocked workload, alternated twice (same jar).
cd /work/main
P="-XX:+UseSerialGC -Xms64m -Xmx1g -XX:+ExitOnOutOfMemoryError"
for r in 1 2; do
  env HEARTH_JAR=/work/abjars/s11-b.jar HEARTH_JVM_OPTS="$P" TARGETS=ours WORKLOADS="cached blocked" \
    MODES=pinned REPS=3 DURATION=10 WITH_NOLIST=0 WARM_SECS=15 OUT=/tmp/hb-s11-packaged-$r \
    bench/run-dnsperf.sh > /tmp/hb-s11-packaged-$r.md 2> /tmp/hb-s11-packaged-$r.log
  env HEARTH_JAR=/work/abjars/s11-b.jar HEARTH_JVM_OPTS="$P -XX:TrimNativeHeapInterval=5000" \
    HEARTH_ENV="MALLOC_ARENA_MAX=2" TARGETS=ours WORKLOADS="cached blocked" \
    MODES=pinned REPS=3 DURATION=10 WITH_NOLIST=0 WARM_SECS=15 OUT=/tmp/hb-s11-trim-$r \
    bench/run-dnsperf.sh > /tmp/hb-s11-trim-$r.md 2> /tmp/hb-s11-trim-$r.log
done
echo ALLDONE > /tmp/hb-s11-trim.done
# Round 3 (run afterwards, blocked only, the other order):
#   trim first, then packaged, OUT=/tmp/hb-s11-{trim,packaged}-3
