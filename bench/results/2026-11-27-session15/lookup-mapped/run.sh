#!/bin/bash
# Session 15: listed and unlisted lookups against the 1M list, its table on the heap (as
# compiled) or mapped from its saved file (as a server now serves a saved list). SampleTime
# medians; the JVM options of the .deb for the heap (huge pages on, as shipped); two rounds,
# the order of the two tables swapped.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
JAR=${JAR:-/tmp/s15/benchmarks.jar}
for round in 1 2; do
  order="heap,mapped"; [ $round = 2 ] && order="mapped,heap"
  java -jar "$JAR" 'ListLookupBenchmark.(matchListed|matchUnlisted|communityListed|communityUnlisted)$' \
    -bm sample -p table=$order -jvmArgsAppend "-XX:+UseSerialGC -XX:+UseTransparentHugePages" \
    -rf json -rff "$here/round$round.json" > "$here/round$round.txt" 2>&1
done
