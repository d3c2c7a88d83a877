#!/bin/bash
# Start-up time and memory of `hearth serve` with the harness's 1M-domain list, per JVM option set.
#
#   bench/startup.sh                       # every option set below, 3 cold + 3 warm starts each
#   CONFIGS="default serial-c1" REPS=5 bench/startup.sh
#   TIMELINE=1 CONFIGS=default REPS=1 bench/startup.sh   # + class-load log and phase table per start
#   NMT=1 CONFIGS=default REPS=1 bench/startup.sh        # + native memory summary at ready+5 s
#   SERVE_EXTRA="--http off" CONFIGS=lean bench/startup.sh   # extra `hearth serve` arguments
#   SELFTEST_ARGS="--config dns-only.yaml" ...               # extra `hearth selftest` arguments
#
# For each option set and repetition: a cold start (fresh data dir: the list is parsed, compiled and
# saved) and then a warm start on the same data dir (the saved compiled list is read). Each start is
# timed by bench/startup.py from exec until a listed name gets NXDOMAIN (UDP poll every 20 ms),
# with VmRSS at that moment and 5 s later. The upstream (127.0.0.53:5300 by default) need not run:
# blocked names are answered locally, and the upstream probe at start-up does not wait.
# AppCDS option sets first do one training start with -XX:ArchiveClassesAtExit (cold, then
# stopped with SIGTERM, which writes the archive; or `hearth selftest`, as the .deb does), then
# use -XX:SharedArchiveFile.
#
# Needs: packaging/target/hearth.jar (mvn -B -o -q package -DskipTests), python3, the list
# ($LIST, default /tmp/hearth-bench/data/blocklist.txt; python3 ../shared/bench/gen/gen_data.py all
# --out /tmp/hearth-bench/data makes it). Output: $OUT (default
# bench/results/<date>-startup): runs.tsv, summary.md, logs/ (one timeline per start).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
JAR=${JAR:-$repo/packaging/target/hearth.jar}
LIST=${LIST:-/tmp/hearth-bench/data/blocklist.txt}
PORT=${PORT:-5391}
UPSTREAM=${UPSTREAM:-127.0.0.53:5300}
REPS=${REPS:-3}
RSS_AFTER=${RSS_AFTER:-5}
OUT=${OUT:-$here/results/$(date +%F)-startup}
WORK=${WORK:-$(mktemp -d /tmp/hearth-startup.XXXXXX)}
QUIET_PCT=${QUIET_PCT:-25}
QUIET_WAIT=${QUIET_WAIT:-120}

# name -> JVM options; CDS[name]=yes (or selftest): train an AppCDS archive with these options first;
# ENVS[name]: environment variables for the JVM (e.g. MALLOC_ARENA_MAX=2)
declare -A OPTS CDS ENVS
OPTS[default]=""
# packaged: the .deb's /etc/default/hearth, read from the source tree so the two cannot drift apart
# (HEARTH_JAVA_OPTS, plus -XX:+UseTransparentHugePages when HEARTH_HUGE_PAGES=auto and the kernel
# offers them, as /usr/bin/hearth decides)
OPTS[packaged]=$(. "$repo/packaging/src/deb/files/default" && echo "$HEARTH_JAVA_OPTS" \
  $([ "${HEARTH_HUGE_PAGES:-auto}" = auto ] \
    && grep -qE '\[(always|madvise)\]' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null \
    && echo -XX:+UseTransparentHugePages))
ENVS[packaged]=$(. "$repo/packaging/src/deb/files/default" && echo "MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX")
# packaged without transparent huge pages (HEARTH_HUGE_PAGES=off; the default until session 12)
OPTS[packaged-nothp]=${OPTS[packaged]/ -XX:+UseTransparentHugePages/}
ENVS[packaged-nothp]=${ENVS[packaged]}
OPTS[packaged-nothp-cds]=${OPTS[packaged-nothp]}; ENVS[packaged-nothp-cds]=${ENVS[packaged]}; CDS[packaged-nothp-cds]=selftest
# packaged, with the class-data archive as the .deb ships it: trained by `hearth selftest`, as
# postinst does, instead of a cold start of the 1M list
OPTS[packaged-cds]=${OPTS[packaged]}; ENVS[packaged-cds]=${ENVS[packaged]}; CDS[packaged-cds]=selftest
# packaged-cds with a young generation of 8 MB instead of a third of the heap (its pages are all
# touched between collections)
OPTS[packaged-cds-young8]="${OPTS[packaged]} -Xmn8m"; ENVS[packaged-cds-young8]=${ENVS[packaged]}; CDS[packaged-cds-young8]=selftest
# packaged-cds compiling with C2 only (no C1 tier, so no profiled code in the code cache)
OPTS[packaged-cds-c2only]="${OPTS[packaged]} -XX:-TieredCompilation"; ENVS[packaged-cds-c2only]=${ENVS[packaged]}; CDS[packaged-cds-c2only]=selftest
# packaged-cds with the .deb's initial heap replaced: a 16 MB heap (young generation ~5 MB) that
# grows as needed; or a heap that starts at 64 MB but may shrink to 16 MB after a collection
OPTS[packaged-cds-xms16]=$(echo "${OPTS[packaged]}" | sed 's/-Xms[0-9]*m/-Xms16m/'); ENVS[packaged-cds-xms16]=${ENVS[packaged]}; CDS[packaged-cds-xms16]=selftest
OPTS[packaged-cds-min16]=$(echo "${OPTS[packaged]}" | sed 's/-Xms[0-9]*m/-XX:InitialHeapSize=64m -XX:MinHeapSize=16m/'); ENVS[packaged-cds-min16]=${ENVS[packaged]}; CDS[packaged-cds-min16]=selftest
# packaged, with an archive trained by a cold start of the measured command itself (so with
# SERVE_EXTRA="--http off" it holds only what a DNS-only process loads), and the same with an
# 8 MB young generation
OPTS[packaged-train]=${OPTS[packaged]}; ENVS[packaged-train]=${ENVS[packaged]}; CDS[packaged-train]=yes
OPTS[packaged-train-young8]="${OPTS[packaged]} -Xmn8m"; ENVS[packaged-train-young8]=${ENVS[packaged]}; CDS[packaged-train-young8]=yes
OPTS[packaged-s10]="-XX:+UseSerialGC -Xms64m -Xmx1g -XX:+ExitOnOutOfMemoryError"   # the .deb's options until session 10
OPTS[serial-c1]="-XX:+UseSerialGC -Xms32m -Xmx256m -XX:TieredStopAtLevel=1"
OPTS[serial]="-XX:+UseSerialGC -Xmx256m"
OPTS[serial-cds]="-XX:+UseSerialGC -Xmx256m"; CDS[serial-cds]=yes
OPTS[serial-c1-cds]="-XX:+UseSerialGC -Xms32m -Xmx256m -XX:TieredStopAtLevel=1"; CDS[serial-c1-cds]=yes
OPTS[serial-cds-nojfr]="-XX:+UseSerialGC -Xmx256m -Dio.netty.jfr.enabled=false"; CDS[serial-cds-nojfr]=yes
OPTS[noshare]="-Xshare:off"
OPTS[maxram512]="-XX:MaxRAM=512m"
OPTS[serial-lean]="-XX:+UseSerialGC -Xmx256m -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:ReservedCodeCacheSize=32m -Xss512k -XX:-UsePerfData -Dio.netty.jfr.enabled=false"
OPTS[default-cds]=""; CDS[default-cds]=yes
OPTS[candidate]="-XX:+UseSerialGC -Xms32m -Xmx256m -Dio.netty.jfr.enabled=false"; CDS[candidate]=yes
OPTS[small-pooled1]="-XX:+UseSerialGC -Xms32m -Xmx128m -XX:ReservedCodeCacheSize=48m -Dio.netty.allocator.type=pooled -Dio.netty.allocator.numDirectArenas=1 -Dio.netty.allocator.numHeapArenas=1"; CDS[small-pooled1]=yes
OPTS[small-unpooled]="-XX:+UseSerialGC -Xms32m -Xmx128m -XX:ReservedCodeCacheSize=48m -Dio.netty.allocator.type=unpooled"; CDS[small-unpooled]=yes
OPTS[candidate-arena2]="-XX:+UseSerialGC -Xms32m -Xmx256m -Dio.netty.jfr.enabled=false"; CDS[candidate-arena2]=yes
ENVS[candidate-arena2]="MALLOC_ARENA_MAX=2"
# the options until session 10, plus glibc's free memory given back every 2 s and two malloc arenas
OPTS[packaged-trim]="${OPTS[packaged-s10]} -XX:TrimNativeHeapInterval=2000"
ENVS[packaged-trim]="MALLOC_ARENA_MAX=2"
# as packaged-trim, and a heap that starts small and gives back what the list load left free
OPTS[lean]="-XX:+UseSerialGC -Xms16m -Xmx1g -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20 -XX:+ExitOnOutOfMemoryError -XX:TrimNativeHeapInterval=2000"
ENVS[lean]=${ENVS[packaged-trim]}
# lean with a 6 MB young generation (its pages are all touched between collections)
OPTS[lean-young6]="${OPTS[lean]} -Xmn6m"
ENVS[lean-young6]=${ENVS[lean]}
CONFIGS=${CONFIGS:-default serial-c1 serial serial-cds serial-c1-cds serial-cds-nojfr noshare maxram512 serial-lean default-cds candidate candidate-arena2}

[ -f "$JAR" ] || { echo "no $JAR: run mvn -B -o -q package -DskipTests first" >&2; exit 1; }
[ -f "$LIST" ] || { echo "no $LIST: python3 ../shared/bench/gen/gen_data.py all --out $(dirname "$LIST")" >&2; exit 1; }
PROBE=$(tail -n 1 "$LIST")   # the last entry: ready means the whole list is in force
mkdir -p "$OUT/logs"
cp "$JAR" "$WORK/hearth.jar"   # a rebuild during the run must not change what is measured
JAR=$WORK/hearth.jar

# Waits (up to QUIET_WAIT s) while the machine is busier than QUIET_PCT %; prints the busy %.
busy_pct() {
  local a b
  read -r _ a1 a2 a3 a4 a5 a6 a7 _ < /proc/stat; sleep 1
  read -r _ b1 b2 b3 b4 b5 b6 b7 _ < /proc/stat
  local tot=$(( (b1+b2+b3+b4+b5+b6+b7) - (a1+a2+a3+a4+a5+a6+a7) ))
  local idle=$(( (b4+b5) - (a4+a5) ))
  echo $(( tot > 0 ? 100 * (tot - idle) / tot : 0 ))
}
wait_quiet() {
  local t=0 p
  p=$(busy_pct)
  while [ "$p" -gt "$QUIET_PCT" ] && [ "$t" -lt "$QUIET_WAIT" ]; do
    sleep 2; t=$((t + 3)); p=$(busy_pct)
  done
  echo "$p"
}

one() {  # label mode datadir extra-jvm-opts...
  local label=$1 mode=$2 dir=$3; shift 3
  local bg; bg=$(wait_quiet)
  local line log=$OUT/logs/$label-$mode-$rep.log extra=() py=()
  if [ -n "${TIMELINE:-}" ]; then extra+=("-Xlog:class+load:file=$log.classes:uptime"); fi
  if [ -n "${NMT:-}" ]; then
    extra+=("-XX:NativeMemoryTracking=summary"); py+=(--jcmd "VM.native_memory summary")
  fi
  read -r -a envs <<< "${ENVS[$label]:-}"
  line=$(python3 "$here/startup.py" --label "$label" --mode "$mode" --port "$PORT" --name "$PROBE" \
    --rss-after "$RSS_AFTER" --log "$log" "${py[@]}" -- \
    env "${envs[@]}" java "$@" "${extra[@]}" -jar "$JAR" serve --dns "127.0.0.1:$PORT" \
    --upstream "$UPSTREAM" --blocklist "$LIST" --data-dir "$dir" ${SERVE_EXTRA:-}) || true
  echo -e "$line\t$rep\t$bg" | tee -a "$OUT/runs.tsv"
  if [ -n "${TIMELINE:-}" ] && [ -f "$log.classes" ]; then
    python3 "$here/startup-timeline.py" "$log.classes" "$log" > "$log.timeline.md" || true
  fi
}

{
  echo "date: $(date -Is)"; echo "nproc: $(nproc)"; uname -r
  java -version 2>&1; echo "jar: $(sha256sum "$JAR" | cut -c1-16)"; echo "list: $LIST ($(wc -l < "$LIST") lines)"
  [ -n "${SERVE_EXTRA:-}" ] && echo "serve arguments added: $SERVE_EXTRA"
  for c in $CONFIGS; do echo "config $c: ${ENVS[$c]:+${ENVS[$c]} }${OPTS[$c]}${CDS[$c]:+ + AppCDS}"; done
} >> "$OUT/machine.txt"   # appended: several invocations may share one $OUT
[ -f "$OUT/runs.tsv" ] || echo -e "label\tmode\tready_ms\trss_ready_kb\trss_after_kb\tpolls\texit\trep\tbg_busy_pct" > "$OUT/runs.tsv"

for c in $CONFIGS; do
  read -r -a jvm <<< "${OPTS[$c]}"
  if [ -n "${CDS[$c]:-}" ]; then
    jsa=$WORK/$c.jsa
    rm -f "$jsa"; rep=train
    if [ "${CDS[$c]}" = selftest ]; then
      read -r -a envs <<< "${ENVS[$c]:-}"
      env "${envs[@]}" java "${jvm[@]}" "-XX:ArchiveClassesAtExit=$jsa" -Xlog:cds*=error \
        -jar "$JAR" selftest ${SELFTEST_ARGS:-} > "$OUT/logs/$c-selftest.log" 2>&1 || true
    else
      one "$c" train "$WORK/$c-train" "${jvm[@]}" "-XX:ArchiveClassesAtExit=$jsa"
    fi
    [ -s "$jsa" ] || { echo "no archive written for $c" >&2; continue; }
    echo "$c archive: $(stat -c %s "$jsa") bytes" >> "$OUT/machine.txt"
    jvm+=("-XX:SharedArchiveFile=$jsa" "-Dhearth.class-archive=$jsa" "-Xlog:cds*=off")
  fi
  for rep in $(seq 1 "$REPS"); do
    dir=$WORK/$c-$rep
    rm -rf "$dir"
    one "$c" cold "$dir" "${jvm[@]}"
    one "$c" warm "$dir" "${jvm[@]}"
  done
done

python3 - "$OUT/runs.tsv" "$RSS_AFTER" > "$OUT/summary.md" <<'EOF'
import sys, statistics, collections
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])][1:]
g = collections.OrderedDict()
for r in rows:
    if r[1] in ("cold", "warm") and float(r[2]) >= 0:
        g.setdefault((r[0], r[1]), []).append(r)
print(f"| options | start | n | ready ms (median) | min-max | RSS at ready MB | RSS +{sys.argv[2]} s MB |")
print("|---|---|---:|---:|---:|---:|---:|")
for (label, mode), rs in g.items():
    t = [float(r[2]) for r in rs]
    a = [int(r[3]) / 1024 for r in rs]
    b = [int(r[4]) / 1024 for r in rs]
    print(f"| {label} | {mode} | {len(rs)} | {statistics.median(t):,.0f} | {min(t):,.0f}-{max(t):,.0f}"
          f" | {statistics.median(a):,.0f} | {statistics.median(b):,.0f} |")
EOF
cat "$OUT/summary.md"
rm -rf "$WORK"
