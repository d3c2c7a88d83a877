#!/bin/bash
# Start-up with and without StartupPrewarm (jars: /tmp/hearth-noprewarm.jar = aa698f7,
# /tmp/hearth-prewarm.jar = aa698f7 + the warm-up thread), the .deb's options with its trained
# archive (packaged-cds), alternated: old new new old ... ROUNDS rounds, REPS cold+warm starts each.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ROUNDS=${ROUNDS:-2}
for round in $(seq 1 "$ROUNDS"); do
  order="noprewarm prewarm"; [ $((round % 2)) = 0 ] && order="prewarm noprewarm"
  for j in $order; do
    JAR=/tmp/hearth-$j.jar OUT=$here/$j-$round CONFIGS=packaged-cds REPS=${REPS:-3} RSS_AFTER=5 \
      bash "$here/../../../startup.sh"
  done
done
