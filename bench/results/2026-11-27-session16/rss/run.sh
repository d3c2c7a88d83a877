#!/bin/bash
# Session 16: RSS 10 s after a warm start with the 1M list, the .deb's options against smaller
# initial heaps (-Xms), with and without transparent huge pages; archive trained by selftest.
set -u
here=$(cd "$(dirname "$0")" && pwd); cd "$here"
jar=/tmp/s16/hearth.jar
C="-XX:+UseSerialGC -Xmx1g -XX:-ShrinkHeapInSteps -XX:+ExitOnOutOfMemoryError -XX:TrimNativeHeapInterval=5000"
T="-XX:+UseTransparentHugePages"
LIST=/tmp/hearth-bench/data/blocklist.txt
if [ ! -f /tmp/s16/sel.jsa ]; then
  java $C -Xms64m $T -XX:ArchiveClassesAtExit=/tmp/s16/sel.jsa -Xlog:cds*=error -jar $jar selftest > /dev/null 2>&1
fi
A="-XX:SharedArchiveFile=/tmp/s16/sel.jsa"
if [ ! -d /tmp/s16/d ]; then JAR=$jar JOPTS="$C -Xms64m $T $A" ../probe.sh cold /tmp/s16/d > /dev/null; fi
for round in ${ROUNDS:-1 2}; do
  for v in ${VARIANTS:-ship xms16 xms8 xms16-nothp}; do
    case $v in
      ship) o="-Xms64m $T";; xms16) o="-Xms16m $T";; xms8) o="-Xms8m $T";; xms16-nothp) o="-Xms16m";;
      *) o=$(eval echo \$OPT_$v);;
    esac
    JAR=$jar JOPTS="$C $o $A" ../probe.sh $v-$round /tmp/s16/d "$@"
  done
done
