#!/bin/bash
# probe.sh label data-dir [serve extra...] ; env JOPTS, JAR (default /tmp/s16/hearth.jar), JAVA, JCMD
# Session 16 copy of session 15's probe (jar default changed): starts hearth serve with the 1M list, waits for the listed probe
# name to get NXDOMAIN, then 10 s, and records VmRSS, NMT, smaps_rollup and RSS per mapping.
label=$1; dir=$2; shift 2
LIST=/tmp/hearth-bench/data/blocklist.txt; PROBE=$(tail -n1 $LIST)
mkdir -p $dir out
env MALLOC_ARENA_MAX=2 ${JAVA:-java} $JOPTS -XX:NativeMemoryTracking=summary -jar ${JAR:-/tmp/s16/hearth.jar} serve --dns 127.0.0.1:5391 --upstream 127.0.0.53:5300 --blocklist $LIST --data-dir $dir "$@" > out/$label.log 2>&1 &
pid=$!
t0=$(date +%s%N)
for i in $(seq 1 300); do
  if dig +tries=1 +time=1 @127.0.0.1 -p 5391 $PROBE A 2>/dev/null | grep -q NXDOMAIN; then break; fi
  sleep 0.05
done
t1=$(date +%s%N)
sleep 10
rss=$(awk '/VmRSS/{print $2}' /proc/$pid/status)
echo "$label ready_ms=$(( (t1-t0)/1000000 )) rss_kb=$rss"
${JCMD:-jcmd} $pid VM.native_memory summary > out/$label.nmt
cat /proc/$pid/smaps_rollup > out/$label.rollup
python3 - $pid > out/$label.maps <<'PY'
import sys,re,collections
pid=sys.argv[1]; cur=None; agg=collections.Counter()
for line in open(f'/proc/{pid}/smaps'):
    if re.match(r'^[0-9a-f]+-[0-9a-f]+ ',line):
        parts=line.split(); cur=parts[5] if len(parts)>5 else '[anon]'
    elif line.startswith('Rss:'):
        agg[cur]+=int(line.split()[1])
for k,v in agg.most_common(25): print(f'{v/1024:8.1f} MB  {k}')
PY
kill $pid; wait $pid 2>/dev/null
