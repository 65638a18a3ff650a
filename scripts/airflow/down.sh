#!/usr/bin/env bash
# Stop the local e2e Airflow started by up.sh, leaving no process behind. Idempotent.
#   npm run airflow:down        (= bash scripts/airflow/down.sh)
# Each component runs in its own process group (see up.sh): SIGTERM the groups, wait,
# SIGKILL what is left, then sweep any straggler that carries up.sh's environment marker
# (a task process that changed its group, say). Exit 1 if anything survives.
set -euo pipefail

# shellcheck source=scripts/airflow/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
export AIRFLOW_E2E_MAJOR="$AF_MAJOR"

af_lock
GRACE="${AIRFLOW_E2E_STOP_GRACE:-20}"
ALL_COMPONENTS="api-server scheduler dag-processor triggerer webserver"

group_alive() { kill -0 -- "-$1" 2>/dev/null; }

# PIDs (other than ours) whose environment has the marker.
marked_pids() {
  local f pid
  for f in /proc/[0-9]*/environ; do
    pid="${f#/proc/}"
    pid="${pid%/environ}"
    [ "$pid" = "$$" ] && continue
    if grep -qzxF -- "$AF_MARKER" "$f" 2>/dev/null; then echo "$pid"; fi
  done
}

describe() { ps -o pid=,pgid=,rss=,args= -p "$1" 2>/dev/null || true; }

T0="$(af_now)"
groups=()
for c in $ALL_COMPONENTS; do
  pf="$AF_RUN/$c.pid"
  [ -f "$pf" ] || continue
  pid="$(cat "$pf" 2>/dev/null || true)"
  if [ -n "$pid" ] && group_alive "$pid"; then groups+=("$pid"); fi
done

stopped=0
if [ "${#groups[@]}" -gt 0 ]; then
  af_log "SIGTERM to process groups ${groups[*]}"
  for g in "${groups[@]}"; do kill -TERM -- "-$g" 2>/dev/null || true; done
  for _ in $(seq 1 $((GRACE * 4))); do
    left=0
    for g in "${groups[@]}"; do if group_alive "$g"; then left=1; fi; done
    [ "$left" = "0" ] && break
    sleep 0.25
  done
  for g in "${groups[@]}"; do
    if group_alive "$g"; then
      af_log "group $g still alive after ${GRACE}s: SIGKILL"
      kill -KILL -- "-$g" 2>/dev/null || true
    fi
  done
  stopped=${#groups[@]}
fi

# The private PostgreSQL cluster (AIRFLOW_E2E_DB=postgres), whatever AIRFLOW_E2E_DB says now.
if [ -f "$AF_PGDATA/postmaster.pid" ] && pg_bin="$(af_pg_bin)"; then
  af_log "stopping PostgreSQL in $AF_PGDATA"
  af_as_pg "$pg_bin/pg_ctl" -D "$AF_PGDATA" -m fast -w -t 30 stop >/dev/null 2>&1 || true
fi

# Stragglers that left their group but kept the environment marker.
stragglers="$(marked_pids)"
if [ -n "$stragglers" ]; then
  af_log "stragglers: $(echo "$stragglers" | tr '\n' ' ')- SIGTERM"
  # shellcheck disable=SC2086
  kill -TERM $stragglers 2>/dev/null || true
  for _ in $(seq 1 20); do
    [ -z "$(marked_pids)" ] && break
    sleep 0.25
  done
  left="$(marked_pids)"
  # shellcheck disable=SC2086
  [ -n "$left" ] && kill -KILL $left 2>/dev/null || true
fi

# Verify: nothing with the marker and no group from the pid files is left.
sleep 0.2
bad=0
for pid in $(marked_pids); do
  af_log "still running: $(describe "$pid")"
  bad=1
done
for g in "${groups[@]}"; do
  if group_alive "$g"; then
    af_log "process group $g still alive"
    bad=1
  fi
done
if [ "$bad" = "1" ]; then
  echo "airflow:down (Airflow $AF_MAJOR) FAILED: processes remain" >&2
  exit 1
fi
rm -f "$AF_RUN"/*.pid
echo "airflow:down (Airflow $AF_MAJOR) stopped ${stopped} component(s) in $(af_elapsed "$T0")s; no Airflow process left"
