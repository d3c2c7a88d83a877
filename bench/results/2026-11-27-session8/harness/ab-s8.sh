#!/bin/bash
cd /work/main
common="TARGETS=ours WORKLOADS=cached\ blocked MODES=pinned REPS=3 DURATION=10 WITH_NOLIST=0 WARM_SECS=15"
for r in 1 2; do
  for j in pre new; do
    if [ $j = pre ]; then jar=/tmp/hearth-new.jar; else jar=/tmp/hearth-s8.jar; fi
    env HEARTH_JAR=$jar TARGETS=ours WORKLOADS="cached blocked" MODES=pinned REPS=3 DURATION=10 WITH_NOLIST=0 WARM_SECS=15 OUT=/tmp/hb-s8-$j-$r bench/run-dnsperf.sh > /tmp/hb-s8-$j-$r.md 2> /tmp/hb-s8-$j-$r.log
  done
done
env TARGETS=pdns-recursor WORKLOADS="cached blocked" MODES=pinned REPS=3 DURATION=10 WITH_NOLIST=0 OUT=/tmp/hb-s8-pdns bench/run-dnsperf.sh > /tmp/hb-s8-pdns.md 2> /tmp/hb-s8-pdns.log
echo ALLDONE > /tmp/hb-s8.done
