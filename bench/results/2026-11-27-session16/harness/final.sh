#!/bin/bash
# Session 16, the session's final build (05de30d, then with HeapRelease repeating a System.gc() that the GC locker turned away: final2*) in the harness with the .deb's options as they
# are now (-Xms16m), huge pages, a GC log: all in one process, and DNS only (--http off). The
# harness starts each server on an empty data directory and runs it without a class-data archive.
cd /work/main
. packaging/src/deb/files/default
opts="$HEARTH_JAVA_OPTS"
grep -qE '\[(always|madvise)\]' /sys/kernel/mm/transparent_hugepage/enabled && opts="$opts -XX:+UseTransparentHugePages"
R=/work/main/bench/results/2026-11-27-session16/harness
for j in ${CONFIGS:-final final-dns}; do
  extra=""; case $j in *-dns) extra="--http off";; esac
  uptime > $R/load-$j.txt
  env HEARTH_JAR=/tmp/s16/hearth-head.jar HEARTH_JVM_OPTS="$opts -Xlog:gc:file=$R/gc-$j-%p.log" HEARTH_EXTRA="$extra" \
    HEARTH_ENV="MALLOC_ARENA_MAX=2" TARGETS=ours WORKLOADS="cached blocked" MODES=pinned REPS=3 \
    DURATION=10 WITH_NOLIST=0 WARM_SECS=15 OUT=/tmp/hb-s16-$j \
    bench/run-dnsperf.sh > $R/$j.md 2> $R/$j.log
done
echo ALLDONE > /tmp/hb-s16-final.done
