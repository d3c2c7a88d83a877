#!/bin/bash
# Session 11: blocked workload, Hearth (98f61f8) and pdns-recursor alternated, 3 rounds,
# on a quiet machine (load average checked before each run).
cd /work/main
for r in 1 2 3; do
  uptime > /tmp/hb-s11-load-$r.txt
  env HEARTH_JAR=/work/abjars/s11-start.jar TARGETS=ours WORKLOADS="blocked" MODES=pinned REPS=3 \
    DURATION=10 WITH_NOLIST=0 WARM_SECS=15 OUT=/tmp/hb-s11-ours-$r bench/run-dnsperf.sh \
    > /tmp/hb-s11-ours-$r.md 2> /tmp/hb-s11-ours-$r.log
  env TARGETS=pdns-recursor WORKLOADS="blocked" MODES=pinned REPS=3 DURATION=10 WITH_NOLIST=0 \
    OUT=/tmp/hb-s11-pdns-$r bench/run-dnsperf.sh > /tmp/hb-s11-pdns-$r.md 2> /tmp/hb-s11-pdns-$r.log
done
echo ALLDONE > /tmp/hb-s11.done
