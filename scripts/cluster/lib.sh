# Helpers shared by up.sh and down.sh: logging, rendering config templates, bounded waits, processes.
# shellcheck shell=bash
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/versions.sh"
PATH="$BIN_DIR:$PATH"
export KUBECONFIG="$KUBECONFIG_ADMIN"
log() { printf '[cluster %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
die() { printf '[cluster] ERROR: %s\n' "$*" >&2; exit 1; }

# render <template> <dest>: fills @NAME@ placeholders from versions.sh.
render() {
  sed -e "s#@STATE@#$CLUSTER_STATE#g" -e "s#@RUN@#$CLUSTER_RUN#g" -e "s#@NODE_IP@#$NODE_IP#g" \
    -e "s#@NODE_NAME@#$NODE_NAME#g" -e "s#@CNI_BRIDGE@#$CNI_BRIDGE#g" -e "s#@POD_CIDR@#$POD_CIDR#g" \
    -e "s#@POD_GATEWAY@#$POD_GATEWAY#g" -e "s#@CLUSTER_CIDR@#$CLUSTER_CIDR#g" \
    -e "s#@DNS_SERVICE_IP@#$DNS_SERVICE_IP#g" -e "s#@PAUSE_IMAGE@#$PAUSE_IMAGE#g" \
    -e "s#@SNAPSHOTTER@#${SNAPSHOTTER:-overlayfs}#g" "$1" >"$2.new"
  # Only a real change replaces the file: kube-proxy exits when its config file is rewritten.
  if cmp -s "$2.new" "$2"; then rm -f "$2.new"; else mv -f "$2.new" "$2"; fi
}

# wait_for <seconds> <what> <command...>: polls every second; fails naming what did not happen.
wait_for() {
  local limit="$1" what="$2"; shift 2
  local end=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$end" ] || die "$what: not after ${limit}s (logs: $CLUSTER_STATE/logs)"
    sleep 1
  done
}

# start <name> <command...>: one process group per component, pid file + log in the state dir.
start() {
  local name="$1"; shift
  local pidf="$CLUSTER_RUN/pids/$name.pid"
  if [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; then log "$name already running"; return 0; fi
  setsid "$@" >>"$CLUSTER_STATE/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$pidf"
}

# stop <name>: TERM, up to 15 s, then KILL, for the component's whole process group.
stop() {
  local pidf="$CLUSTER_RUN/pids/$1.pid" pid
  [ -f "$pidf" ] || return 0
  pid="$(cat "$pidf")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$pidf"
}

uplink() { ip -4 route show default | awk '{for (i=1;i<NF;i++) if ($i=="dev") print $(i+1); exit}'; }
ctr_k8s() { ctr --address "$CLUSTER_RUN/containerd.sock" -n k8s.io "$@"; }
