#!/bin/bash
# Round 3 of the session 9 A/B: blocked workload only, the two builds and pdns-recursor in turn.
cd /work/main
for j in pre-listset listset; do
  env HEARTH_JAR=/work/abjars/$j.jar TARGETS=ours WORKLOADS="blocked" MODES=pinned REPS=3 \
    DURATION=10 WITH_NOLIST=0 WARM_SECS=15 OUT=/tmp/hb-s9-$j-3 bench/run-dnsperf.sh \
    > /tmp/hb-s9-$j-3.md 2> /tmp/hb-s9-$j-3.log
done
env TARGETS=pdns-recursor WORKLOADS="blocked" MODES=pinned REPS=3 DURATION=10 WITH_NOLIST=0 \
  OUT=/tmp/hb-s9-pdns-3 bench/run-dnsperf.sh > /tmp/hb-s9-pdns-3.md 2> /tmp/hb-s9-pdns-3.log
echo ALLDONE > /tmp/hb-s9-3.done
