#!/bin/bash
# Session 15: RSS 10 s after a warm start with the 1M list, before (1c6638e, heap table) and
# after (mapped table), as shipped (the .deb's options, an archive trained by `hearth selftest`)
# and DNS only (`--http off`, an archive trained by a DNS-only serve), two starts each.
set -u
here=$(cd "$(dirname "$0")" && pwd); cd "$here"
B="-XX:+UseSerialGC -Xms64m -Xmx1g -XX:+ExitOnOutOfMemoryError -XX:TrimNativeHeapInterval=5000 -XX:+UseTransparentHugePages"
LIST=/tmp/hearth-bench/data/blocklist.txt
for j in base mapped; do
  jar=/tmp/s15/hearth-$j.jar
  rm -f /tmp/s15/sel-$j.jsa /tmp/s15/dns-$j.jsa
  java $B -XX:ArchiveClassesAtExit=/tmp/s15/sel-$j.jsa -Xlog:cds*=error -jar $jar selftest > /dev/null 2>&1
  d=$(mktemp -d /tmp/s15/train.XXXX)
  java $B -XX:ArchiveClassesAtExit=/tmp/s15/dns-$j.jsa -Xlog:cds*=error -jar $jar serve --dns 127.0.0.1:5391 \
    --upstream 127.0.0.53:5300 --blocklist $LIST --data-dir $d --http off > /dev/null 2>&1 &
  p=$!
  for i in $(seq 1 300); do dig +tries=1 +time=1 @127.0.0.1 -p 5391 $(tail -n1 $LIST) A 2>/dev/null | grep -q NXDOMAIN && break; sleep 0.05; done
  kill $p; wait $p
  rm -rf /tmp/s15/d-$j; JAR=$jar JOPTS="$B" ../probe.sh $j-cold /tmp/s15/d-$j > /dev/null  # makes the saved list
done
for round in 1 2; do
  for j in base mapped; do
    jar=/tmp/s15/hearth-$j.jar
    JAR=$jar JOPTS="$B -XX:SharedArchiveFile=/tmp/s15/sel-$j.jsa" ../probe.sh $j-shipped-$round /tmp/s15/d-$j
    JAR=$jar JOPTS="$B -XX:SharedArchiveFile=/tmp/s15/dns-$j.jsa" ../probe.sh $j-dns-$round /tmp/s15/d-$j --http off
    JAR=$jar JOPTS="$B -Xmn8m -XX:SharedArchiveFile=/tmp/s15/dns-$j.jsa" ../probe.sh $j-dns-mn8-$round /tmp/s15/d-$j --http off
  done
done
