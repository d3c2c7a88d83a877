cd /work/main
P="-XX:+UseSerialGC -Xms64m -Xmx1g -XX:+ExitOnOutOfMemoryError"
env HEARTH_JAR=/work/abjars/s11-b.jar HEARTH_JVM_OPTS="$P -XX:TrimNativeHeapInterval=5000" \
    HEARTH_ENV="MALLOC_ARENA_MAX=2" TARGETS=ours WORKLOADS="blocked" \
    MODES=pinned REPS=3 DURATION=10 WITH_NOLIST=0 WARM_SECS=15 OUT=/tmp/hb-s11-trim-3 \
    bench/run-dnsperf.sh > /tmp/hb-s11-trim-3.md 2> /tmp/hb-s11-trim-3.log
env HEARTH_JAR=/work/abjars/s11-b.jar HEARTH_JVM_OPTS="$P" TARGETS=ours WORKLOADS="blocked" \
    MODES=pinned REPS=3 DURATION=10 WITH_NOLIST=0 WARM_SECS=15 OUT=/tmp/hb-s11-packaged-3 \
    bench/run-dnsperf.sh > /tmp/hb-s11-packaged-3.md 2> /tmp/hb-s11-packaged-3.log
echo ALLDONE > /tmp/hb-s11-trim3.done
