#!/bin/bash
# Session 16, second probe: with -Xms16m, what two system properties that skip optional start-up
# work save (Jetty's MemoryUtils asks the platform MBean server whether oops are compressed,
# which starts JMX and registers every platform MXBean; Netty checks whether JFR is available),
# and the DNS-only shape (--http off) with an archive trained by a DNS-only serve.
set -u
here=$(cd "$(dirname "$0")" && pwd); cd "$here"
jar=${JAR:-/tmp/s16/hearth.jar}
C="-XX:+UseSerialGC -Xms16m -Xmx1g -XX:-ShrinkHeapInSteps -XX:+ExitOnOutOfMemoryError -XX:TrimNativeHeapInterval=5000 -XX:+UseTransparentHugePages"
P="-Dorg.eclipse.jetty.util.referencesPerCacheLine=16 -Dio.netty.jfr.enabled=false"
LIST=/tmp/hearth-bench/data/blocklist.txt
[ -f /tmp/s16/sel.jsa ] || { echo "run run.sh first"; exit 1; }
if [ ! -f /tmp/s16/dns.jsa ]; then
  d=$(mktemp -d /tmp/s16/train.XXXX)
  java $C -XX:ArchiveClassesAtExit=/tmp/s16/dns.jsa -Xlog:cds*=error -jar $jar serve --dns 127.0.0.1:5391 \
    --upstream 127.0.0.53:5300 --blocklist $LIST --data-dir $d --http off > /dev/null 2>&1 &
  p=$!
  for i in $(seq 1 300); do dig +tries=1 +time=1 @127.0.0.1 -p 5391 $(tail -n1 $LIST) A 2>/dev/null | grep -q NXDOMAIN && break; sleep 0.05; done
  sleep 2; kill $p; wait $p
fi
for round in ${ROUNDS:-1 2}; do
  for v in ${VARIANTS:-s16 s16-props dns16 dns16-props}; do
    case $v in
      s16) JAR=$jar JOPTS="$C -XX:SharedArchiveFile=/tmp/s16/sel.jsa" ../probe.sh $v-$round /tmp/s16/d;;
      s16-props) JAR=$jar JOPTS="$C $P -XX:SharedArchiveFile=/tmp/s16/sel.jsa" ../probe.sh $v-$round /tmp/s16/d;;
      dns16) JAR=$jar JOPTS="$C -XX:SharedArchiveFile=/tmp/s16/dns.jsa" ../probe.sh $v-$round /tmp/s16/d --http off;;
      dns16-props) JAR=$jar JOPTS="$C $P -XX:SharedArchiveFile=/tmp/s16/dns.jsa" ../probe.sh $v-$round /tmp/s16/d --http off;;
    esac
  done
done
