#!/bin/bash
# Session 11: tables of any size (ce3b946, "new", jars s11-c) against power-of-two tables
# (a640a98's code, "old", jars s11-start/s11-b), each pair alternated.
cd /work/main
R=bench/results/2026-11-27-session11/table
OLDB=/work/abjars/bench-s11-start.jar NEWB=/work/abjars/bench-s11-c.jar
OLDJ=/work/abjars/s11-b.jar NEWJ=/work/abjars/s11-c.jar
# 1. footprint: retained heap per name, load, save and read of the 1M and 10M lists
for j in old new; do
  b=$OLDB; [ $j = new ] && b=$NEWB
  JAR=$b XMX_1M=256m XMX_10M=2g OUT=$R/footprint-$j bench/list-footprint.sh
done
# 2. lookups, two rounds, the order swapped in the second
for round in 1 2; do
  order="old new"; [ $round = 2 ] && order="new old"
  for j in $order; do
    b=$OLDB; [ $j = new ] && b=$NEWB
    JAR=$b OUT=$R/lookup-$j-$round BENCHES="matchListed matchUnlisted communityListed cachedHot" MODES=sample bench/list-lookup.sh
  done
done
# 3. start-up and RSS with the packaged options, and the DNS-only lean shape
for j in old new; do
  jar=$OLDJ; [ $j = new ] && jar=$NEWJ
  JAR=$jar REPS=2 RSS_AFTER=10 CONFIGS="packaged" OUT=$R/rss-$j bench/startup.sh
  JAR=$jar REPS=2 RSS_AFTER=10 CONFIGS="lean" SERVE_EXTRA="--http off" OUT=$R/rss-$j-http-off bench/startup.sh
done
# 4. blocked names in the harness, two rounds
for round in 1 2; do
  for j in old new; do
    jar=$OLDJ; [ $j = new ] && jar=$NEWJ
    env HEARTH_JAR=$jar TARGETS=ours WORKLOADS="blocked" MODES=pinned REPS=3 DURATION=10 \
      WITH_NOLIST=0 WARM_SECS=15 OUT=/tmp/hb-s11-table-$j-$round bench/run-dnsperf.sh \
      > /tmp/hb-s11-table-$j-$round.md 2> /tmp/hb-s11-table-$j-$round.log
    mkdir -p $R/harness-$j-$round
    cp /tmp/hb-s11-table-$j-$round/results/{runs.tsv,versions.txt} /tmp/hb-s11-table-$j-$round.md $R/harness-$j-$round/
  done
done
echo ALLDONE > /tmp/table-s11.done
