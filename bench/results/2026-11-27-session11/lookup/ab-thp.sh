#!/bin/bash
# Session 11: single-list listed lookup, JVM default pages vs -XX:+UseTransparentHugePages,
# alternated three times (98f61f8's benchmarks jar).
cd /work/main
R=bench/results/2026-11-27-session11/lookup
for round in 1 2 3; do
  JAR=/work/abjars/bench-s11-start.jar OUT=$R/thp-off-$round BENCHES="matchListed matchUnlisted" MODES=sample bench/list-lookup.sh
  JAR=/work/abjars/bench-s11-start.jar OUT=$R/thp-on-$round BENCHES="matchListed matchUnlisted" MODES=sample EXTRA="-jvmArgsAppend -XX:+UseTransparentHugePages" bench/list-lookup.sh
done
echo ALLDONE > /tmp/thp-s11.done
