#!/bin/bash
# Session 11: verdict cache hot tier with the name inline (new) against 98f61f8 (old),
# alternated twice; then today's baseline of the uncached lookups on the old jar.
cd /work/main
R=bench/results/2026-11-27-session11/lookup
for round in 1 2; do
  order="old new"; [ $round = 2 ] && order="new old"
  for j in $order; do
    jar=/work/abjars/bench-s11-start.jar; [ $j = new ] && jar=/work/abjars/bench-s11-inline.jar
    JAR=$jar OUT=$R/$j-$round BENCHES="cachedHot" MODES="avgt sample" bench/list-lookup.sh
  done
done
JAR=/work/abjars/bench-s11-start.jar OUT=$R/old-uncached BENCHES="baseline matchListed matchUnlisted communityListed communityUnlisted" MODES=sample bench/list-lookup.sh
echo ALLDONE > /tmp/lk-s11.done
