# Sourced by the bench scripts: an NSD upstream serving the shared harness's root and bench.
# zones ($DATA/upstream, made by ../shared/bench/gen/gen_data.py), so every name of the
# harness's query files has a real, cacheable answer.
#
#   start_nsd_upstream DATA WORKDIR [CPU] [PORT] [IP]   # sets NSD_PID; default 127.0.0.1:5399
start_nsd_upstream() {
  local data=$1 work=$2 cpu=${3:-1} port=${4:-5399} ip=${5:-127.0.0.1}
  mkdir -p "$work"
  cat >"$work/nsd.conf" <<CONF
server:
  ip-address: $ip@$port
  port: $port
  do-ip6: no
  server-count: 1
  username: ""
  chroot: ""
  zonesdir: "$data/upstream"
  database: ""
  zonelistfile: "$work/zone.list"
  xfrdfile: "$work/xfrd.state"
  xfrdir: "$work"
  pidfile: "$work/nsd.pid"
  logfile: "$work/nsd.log"
  verbosity: 0
  reuseport: no
  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: "."
  zonefile: "root.zone"
zone:
  name: "bench."
  zonefile: "bench.zone"
CONF
  taskset -c "$cpu" nsd -d -c "$work/nsd.conf" >"$work/stdout.log" 2>&1 &
  NSD_PID=$!
}
