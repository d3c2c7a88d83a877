#!/bin/bash
# Start-up with the 1M list before (163b1a7, /tmp/hearth-s13-new2.jar: every subcommand's
# picocli model built at each start) and after (/tmp/hearth-s13-pc.jar: `serve` alone), the .deb's
# options and archive (packaged-cds), alternated, the order swapped each round.
# PcProbe.java: the in-process probe (javac -cp hearth.jar -d . PcProbe.java;
# java -cp hearth.jar:. dev.hearth.cli.PcProbe all|serve).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
for round in ${ROUNDS:-1 2}; do
  order="new2 pc"; [ $((round % 2)) = 0 ] && order="pc new2"
  for j in $order; do
    JAR=/tmp/hearth-s13-$j.jar OUT=$here/$j-$round CONFIGS=packaged-cds REPS=3 RSS_AFTER=3 \
      bash "$here/../../../startup.sh" > /dev/null 2>&1
  done
done
