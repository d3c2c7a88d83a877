#!/bin/bash
# Session 12: the deferred save of a list parsed at start (new) against 084faf9 (old), the shipped
# options (packaged-cds: archive + huge pages), 3 cold + 3 warm starts per build, two rounds, order swapped.
cd /work/main
R=bench/results/2026-11-27-session12/startup-deferred-save
for r in 1 2; do
  order="old new"; [ $r = 2 ] && order="new old"
  for b in $order; do
    jar=/work/abjars/s12-084faf9.jar; [ $b = new ] && jar=/work/abjars/s12-deferred.jar
    JAR=$jar OUT=$R/$b CONFIGS=packaged-cds REPS=3 RSS_AFTER=5 bench/startup.sh > $R/$b-$r.log 2>&1
  done
done
echo done > /tmp/s12-deferred.done
