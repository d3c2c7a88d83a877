#!/bin/bash
# Session 9 A/B: before (d1fe8b5) and after (4fa75ab) the ListSet change, alternated, then
# pdns-recursor with the same settings. Jars: /work/abjars/{pre-listset,listset}.jar.
cd /work/main
for r in 1 2; do
  for j in pre-listset listset; do
    env HEARTH_JAR=/work/abjars/$j.jar TARGETS=ours WORKLOADS="cached blocked" MODES=pinned REPS=3 \
      DURATION=10 WITH_NOLIST=0 WARM_SECS=15 OUT=/tmp/hb-s9-$j-$r bench/run-dnsperf.sh \
      > /tmp/hb-s9-$j-$r.md 2> /tmp/hb-s9-$j-$r.log
  done
done
env TARGETS=pdns-recursor WORKLOADS="cached blocked" MODES=pinned REPS=3 DURATION=10 WITH_NOLIST=0 \
  OUT=/tmp/hb-s9-pdns bench/run-dnsperf.sh > /tmp/hb-s9-pdns.md 2> /tmp/hb-s9-pdns.log
echo ALLDONE > /tmp/hb-s9.done
