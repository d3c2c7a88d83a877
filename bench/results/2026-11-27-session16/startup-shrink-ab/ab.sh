#!/bin/bash
# Session 16: all in one process, the final build without (final) and with (shrink) HeapRelease,
# ABBA, 3 cold + 3 warm starts per invocation, the .deb's options and selftest archive.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
i=0
for j in final shrink shrink final; do
  i=$((i+1))
  JAR=/tmp/s16/hearth-$j.jar OUT=$here/$i-$j CONFIGS=packaged-cds REPS=3 RSS_AFTER=10 \
    bash "$here/../../../startup.sh" > /dev/null 2>&1
done
