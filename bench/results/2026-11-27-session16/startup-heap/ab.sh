#!/bin/bash
# Session 16: start-up with the 1M list, the .deb's options and archive (packaged-cds) against the
# same with -Xms16m (packaged-cds-xms16) and with a 64 MB initial heap that may shrink to 16 MB
# (packaged-cds-min16). 3 cold + 3 warm starts per configuration, RSS 10 s after ready, two rounds,
# the order reversed in the second.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
for round in ${ROUNDS:-1 2}; do
  order="packaged-cds packaged-cds-xms16 packaged-cds-min16"
  [ $((round % 2)) = 0 ] && order="packaged-cds-min16 packaged-cds-xms16 packaged-cds"
  JAR=${JAR:-/tmp/s16/hearth.jar} OUT=$here/round-$round CONFIGS="$order" REPS=3 RSS_AFTER=10 \
    bash "$here/../../../startup.sh" > $here/round-$round.out 2>&1
done
