#!/bin/bash
# Session 16, final build: start-up with the 1M list as the .deb now starts it (packaged-cds:
# /etc/default/hearth's options, -Xms16m, and an archive trained by `hearth selftest`), all in one
# process, and DNS only (--http off) with the archive trained by `hearth selftest --config` of a
# configuration without the web interface, as postinst now trains it. 3 cold + 3 warm starts
# each, RSS 10 s after ready, twice.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
for round in 1 2; do
  JAR=/tmp/s16/hearth-final.jar OUT=$here/all-in-one-$round CONFIGS=packaged-cds REPS=3 RSS_AFTER=10 \
    bash "$here/../../../startup.sh" > /dev/null 2>&1
  JAR=/tmp/s16/hearth-final.jar OUT=$here/dns-only-$round CONFIGS=packaged-cds REPS=3 RSS_AFTER=10 \
    SERVE_EXTRA="--http off" SELFTEST_ARGS="--config $here/dns-only.yaml" \
    bash "$here/../../../startup.sh" > /dev/null 2>&1
done
for f in $here/*/runs.tsv; do echo "== $f"; cat $f; done
