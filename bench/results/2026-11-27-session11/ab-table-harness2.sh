#!/bin/bash
# Session 11: two more harness rounds of ab-table.sh's step 4, new first this time.
cd /work/main
R=bench/results/2026-11-27-session11/table
for round in 3 4; do
  for j in new old; do
    jar=/work/abjars/s11-b.jar; [ $j = new ] && jar=/work/abjars/s11-c.jar
    env HEARTH_JAR=$jar TARGETS=ours WORKLOADS="blocked" MODES=pinned REPS=3 DURATION=10 \
      WITH_NOLIST=0 WARM_SECS=15 OUT=/tmp/hb-s11-table-$j-$round bench/run-dnsperf.sh \
      > /tmp/hb-s11-table-$j-$round.md 2> /tmp/hb-s11-table-$j-$round.log
    mkdir -p $R/harness-$j-$round
    cp /tmp/hb-s11-table-$j-$round/results/{runs.tsv,versions.txt} /tmp/hb-s11-table-$j-$round.md $R/harness-$j-$round/
  done
done
echo ALLDONE > /tmp/table2-s11.done
