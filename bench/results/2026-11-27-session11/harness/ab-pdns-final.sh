#!/bin/bash
# Session 11: blocked workload, Hearth (ce3b946, tables of any size) and pdns-recursor alternated, 3 rounds,
# on a quiet machine (load average checked before each run).
cd /work/main
for r in 1 2 3; do
  uptime > /tmp/hb-s11-final-load-$r.txt
  env HEARTH_JAR=/work/abjars/s11-c.jar TARGETS=ours WORKLOADS="blocked" MODES=pinned REPS=3 \
    DURATION=10 WITH_NOLIST=0 WARM_SECS=15 OUT=/tmp/hb-s11-final-ours-$r bench/run-dnsperf.sh \
    > /tmp/hb-s11-final-ours-$r.md 2> /tmp/hb-s11-final-ours-$r.log
  env TARGETS=pdns-recursor WORKLOADS="blocked" MODES=pinned REPS=3 DURATION=10 WITH_NOLIST=0 \
    OUT=/tmp/hb-s11-final-pdns-$r bench/run-dnsperf.sh > /tmp/hb-s11-final-pdns-$r.md 2> /tmp/hb-s11-final-pdns-$r.log
done
echo ALLDONE > /tmp/hb-s11-final.done
