#!/bin/bash
# Session 16, final: the session's build (/tmp/s16/hearth-new.jar: Jetty told the reference size
# instead of asking JMX) with the new .deb options (-Xms16m), against the session's first build
# with the same options, RSS 10 s after a warm start; archives trained by `hearth selftest` of each
# jar; then the new build DNS only (--http off) with the selftest archive and with an archive
# trained by a DNS-only serve.
set -u
here=$(cd "$(dirname "$0")" && pwd); cd "$here"
C="-XX:+UseSerialGC -Xms16m -Xmx1g -XX:-ShrinkHeapInSteps -XX:+ExitOnOutOfMemoryError -XX:TrimNativeHeapInterval=5000 -XX:+UseTransparentHugePages"
LIST=/tmp/hearth-bench/data/blocklist.txt
new=/tmp/s16/hearth-new.jar
if [ ! -f /tmp/s16/sel-new.jsa ]; then
  java $C -XX:ArchiveClassesAtExit=/tmp/s16/sel-new.jsa -Xlog:cds*=error -jar $new selftest > /dev/null 2>&1
  d=$(mktemp -d /tmp/s16/train.XXXX)
  java $C -XX:ArchiveClassesAtExit=/tmp/s16/dns-new.jsa -Xlog:cds*=error -jar $new serve --dns 127.0.0.1:5391 \
    --upstream 127.0.0.53:5300 --blocklist $LIST --data-dir $d --http off > /dev/null 2>&1 &
  p=$!
  for i in $(seq 1 300); do dig +tries=1 +time=1 @127.0.0.1 -p 5391 $(tail -n1 $LIST) A 2>/dev/null | grep -q NXDOMAIN && break; sleep 0.05; done
  sleep 2; kill $p; wait $p
fi
for round in 1 2; do
  JAR=/tmp/s16/hearth.jar JOPTS="$C -XX:SharedArchiveFile=/tmp/s16/sel.jsa" ../probe.sh first-$round /tmp/s16/d
  JAR=$new JOPTS="$C -XX:SharedArchiveFile=/tmp/s16/sel-new.jsa" ../probe.sh final-$round /tmp/s16/d
  JAR=$new JOPTS="$C -XX:SharedArchiveFile=/tmp/s16/sel-new.jsa" ../probe.sh final-dns-selarchive-$round /tmp/s16/d --http off
  JAR=$new JOPTS="$C -XX:SharedArchiveFile=/tmp/s16/dns-new.jsa" ../probe.sh final-dns-$round /tmp/s16/d --http off
done
ls -l /tmp/s16/*.jsa
