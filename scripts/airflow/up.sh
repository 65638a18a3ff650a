#!/usr/bin/env bash
# Bring up a local Apache Airflow 3 (pinned) for the e2e tests. Idempotent.
#   npm run airflow:up          (= bash scripts/airflow/up.sh)
#   AIRFLOW_E2E_RESET=1 ...     wipe AIRFLOW_HOME (DB, logs, cfg) first
#   AIRFLOW_E2E_MAJOR=2 ...     Airflow 2.11 instead (what scripts/airflow/up2.sh does)
# Exit codes: 0 ready, 1 failed (log tail printed), 2 no usable Python on this machine.
set -euo pipefail

# shellcheck source=scripts/airflow/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
export AIRFLOW_E2E_MAJOR="$AF_MAJOR" AF_PORT AF_VERSION AF_EXPECTED_DAGS
NAME="airflow:up"
[ "$AF_MAJOR" = "2" ] && NAME="airflow:up2"
HELPER=("$AF_VENV/bin/python" "$AF_SCRIPTS_DIR/af_helper.py")

T_START="$(af_now)"
T_INSTALL="0.0"
T_PG="0.0"
T_MIGRATE="0.0"
T_HEALTHY="0.0"
T_DAGS="0.0"
INSTALL_KIND="skipped"

# --- Python -------------------------------------------------------------------------------
find_python() {
  local c
  for c in "${AIRFLOW_E2E_PYTHON:-}" python3.11 python3.12 python3.13 python3.10 python3; do
    [ -n "$c" ] || continue
    command -v "$c" >/dev/null 2>&1 || continue
    if timeout 20 "$c" -c 'import sys, venv, ensurepip; sys.exit(0 if (3, 10) <= sys.version_info[:2] <= (3, 13) else 1)' \
      >/dev/null 2>&1; then
      command -v "$c"
      return 0
    fi
  done
  return 1
}

venv_ok() {
  [ -x "$AF_VENV/bin/python" ] && timeout 60 "$AF_VENV/bin/python" -c \
    "import importlib.metadata as m, sys; sys.exit(0 if m.version('apache-airflow') == '$AF_VERSION' else 1)" \
    >/dev/null 2>&1
}

deps_hash() { cat "$AF_REQUIREMENTS" "$AF_CONSTRAINTS" | sha256sum | cut -c1-16; }

install_airflow() {
  local stamp="$AF_VENV/.airflow-e2e-stamp" want t0
  want="$AF_VERSION $(deps_hash)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && venv_ok; then
    return 0
  fi
  t0="$(af_now)"
  if ! PY="$(find_python)"; then
    echo "$NAME needs Python 3.10-3.13 with the venv module (python3.11 preferred): install it, e.g. 'apt-get install python3 python3-venv' or pyenv, or point AIRFLOW_E2E_PYTHON at one." >&2
    exit 2
  fi
  af_log "installing apache-airflow==$AF_VERSION into $AF_VENV with $PY ($("$PY" -V 2>&1))"
  mkdir -p "$AF_PIP_CACHE" "$AF_WHEELHOUSE"
  if ! [ -x "$AF_VENV/bin/python" ] || ! "$AF_VENV/bin/python" -c 'import pip' >/dev/null 2>&1; then
    rm -rf "$AF_VENV"
    "$PY" -m venv "$AF_VENV"
  fi
  local pip=("$AF_VENV/bin/python" -m pip)
  local marker
  marker="$AF_WHEELHOUSE/.complete-$(deps_hash)-$("$AF_VENV/bin/python" -c 'import sys; print("%d%d" % sys.version_info[:2])')"
  if [ -f "$marker" ]; then
    INSTALL_KIND="warm (wheelhouse)"
    timeout 600 "${pip[@]}" install -q --no-index --find-links "$AF_WHEELHOUSE" --upgrade pip
  else
    INSTALL_KIND="cold (network)"
    # pip first, then fill the wheelhouse (pip's HTTP cache stays empty behind the registry
    # proxy here, so we keep the wheels ourselves), then install offline from it.
    timeout 600 "${pip[@]}" install -q --upgrade pip
    # pip wheel (not download): sdists (e.g. python-nvd3 for Airflow 2) are built once
    # here, so the offline install below needs no build backend from the index.
    timeout 900 "${pip[@]}" wheel -q -w "$AF_WHEELHOUSE" --find-links "$AF_WHEELHOUSE" \
      pip -r "$AF_REQUIREMENTS" -c "$AF_CONSTRAINTS"
    touch "$marker"
  fi
  timeout 900 "${pip[@]}" install -q --no-index --find-links "$AF_WHEELHOUSE" \
    -r "$AF_REQUIREMENTS" -c "$AF_CONSTRAINTS"
  venv_ok || { af_log "venv has no apache-airflow==$AF_VERSION after install"; exit 1; }
  echo "$want" >"$stamp"
  T_INSTALL="$(af_elapsed "$t0")"
}

# --- processes ----------------------------------------------------------------------------
pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }
pidfile_pid() { cat "$AF_RUN/$1.pid" 2>/dev/null || true; }

count_alive() {
  local n=0 c
  for c in $AF_COMPONENTS; do
    if pid_alive "$(pidfile_pid "$c")"; then n=$((n + 1)); fi
  done
  echo "$n"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$AF_PORT") 2>/dev/null; }

start_component() {
  local name="$1" log="$AF_LOGS/$1.log"
  [ -f "$log" ] && mv -f "$log" "$log.prev"
  # setsid: each component leads its own process group (pgid == pid), so down.sh can
  # signal it together with its gunicorn/uvicorn workers, executors and task processes.
  # The venv on PATH: Airflow 2's SequentialExecutor runs `airflow tasks run` from PATH.
  # 9>&-: the up/down lock must not live on in the daemons.
  (cd "$AF_RUN" && PATH="$AF_VENV/bin:$PATH" exec env "$AF_MARKER" setsid "$AF_VENV/bin/airflow" "$name" \
    >"$log" 2>&1 </dev/null 9>&-) &
  echo "$!" >"$AF_RUN/$name.pid"
}

# --- PostgreSQL (AIRFLOW_E2E_DB=postgres) ----------------------------------------------------
pg_up() {
  local bin
  if ! bin="$(af_pg_bin)"; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
      af_log "PostgreSQL not found: apt-get install postgresql"
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) \
        >"$AF_LOGS/apt-postgresql.log" 2>&1
      bin="$(af_pg_bin)" || { af_log "PostgreSQL install failed (see $AF_LOGS/apt-postgresql.log)"; return 1; }
    else
      echo "AIRFLOW_E2E_DB=postgres needs PostgreSQL server binaries (pg_ctl, initdb): e.g. 'apt-get install postgresql'." >&2
      exit 2
    fi
  fi
  mkdir -p "$AF_PGDATA"
  if [ "$(id -u)" = "0" ]; then chown postgres: "$AF_PGDATA"; fi
  chmod 700 "$AF_PGDATA"
  if ! [ -f "$AF_PGDATA/PG_VERSION" ]; then
    af_as_pg "$bin/initdb" -D "$AF_PGDATA" -U airflow -A trust -E UTF8 --no-sync >"$AF_LOGS/postgres.log" 2>&1
  fi
  if ! af_as_pg "$bin/pg_ctl" -D "$AF_PGDATA" status >/dev/null 2>&1; then
    # Loopback TCP only, no unix socket; durability off (a throw-away test database).
    # Its log ($AF_PG_LOG) lives in the data folder: the postgres user can write there.
    af_as_pg env "$AF_MARKER" "$bin/pg_ctl" -D "$AF_PGDATA" -l "$AF_PG_LOG" -w -t 60 \
      -o "-p $AF_PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null </dev/null 9>&-
  fi
  if ! psql_q "select 1 from pg_database where datname = 'airflow'" | grep -q 1; then
    psql_q "create database airflow" >/dev/null
  fi
  psql_q "alter user airflow password '$AF_PG_PASSWORD'" >/dev/null
}

psql_q() {
  local bin
  bin="$(af_pg_bin)"
  "$bin/psql" -h 127.0.0.1 -p "$AF_PG_PORT" -U airflow -d postgres -tAqc "$1"
}

LAST_STEP=""
on_error() {
  local rc=$?
  trap - ERR EXIT
  [ "$rc" -eq 0 ] && return 0
  [ "$rc" -eq 2 ] && exit 2
  af_log "FAILED during: ${LAST_STEP:-setup} (exit $rc)"
  local c
  for c in $AF_COMPONENTS; do
    case "$LAST_STEP" in start | wait*) ;; *) break ;; esac # their logs are from an earlier run
    if [ -f "$AF_LOGS/$c.log" ]; then
      local state="not running"
      pid_alive "$(pidfile_pid "$c")" && state="running"
      af_log "---- tail of $AF_LOGS/$c.log ($state) ----"
      tail -n 40 "$AF_LOGS/$c.log" >&2 || true
    fi
  done
  [ -f "$AF_LOGS/migrate.log" ] && [ "$LAST_STEP" = "db migrate" ] && tail -n 40 "$AF_LOGS/migrate.log" >&2
  if [ "$LAST_STEP" = "postgres" ]; then
    tail -n 20 "$AF_LOGS/postgres.log" >&2 2>/dev/null || true
    tail -n 40 "$AF_PG_LOG" >&2 2>/dev/null || true
  fi
  if [ "${AIRFLOW_E2E_KEEP_ON_FAILURE:-0}" != "1" ]; then
    af_log "stopping what was started (set AIRFLOW_E2E_KEEP_ON_FAILURE=1 to keep it for debugging)"
    bash "$AF_SCRIPTS_DIR/down.sh" >&2 || true
  fi
  exit "$rc"
}
mkdir -p "$AF_STATE" "$AF_RUN" "$AF_LOGS"
af_lock
trap on_error EXIT

# Refuse early without Python even when a venv exists but is broken.
if ! [ -x "$AF_VENV/bin/python" ] && ! find_python >/dev/null; then
  echo "$NAME needs Python 3.10-3.13 with the venv module (python3.11 preferred): install it, e.g. 'apt-get install python3 python3-venv' or pyenv, or point AIRFLOW_E2E_PYTHON at one." >&2
  exit 2
fi

# Already up and healthy? Then only re-check the DAGs and refresh the env file.
ALREADY=0
alive="$(count_alive)"
ncomp="$(echo "$AF_COMPONENTS" | wc -w)"
if [ "$alive" -eq "$ncomp" ] && [ "${AIRFLOW_E2E_RESET:-0}" != "1" ] \
  && [ "$(cat "$AF_STATE/db" 2>/dev/null || echo "$AF_DB")" = "$AF_DB" ] \
  && "${HELPER[@]}" wait-health "$AF_URL" 20 2>/dev/null; then
  ALREADY=1
elif [ "$alive" -gt 0 ]; then
  af_log "running but not usable ($alive/$ncomp components alive, unhealthy, DB switched or reset): stopping first"
  bash "$AF_SCRIPTS_DIR/down.sh" >&2
fi

if [ "$ALREADY" = "0" ]; then
  LAST_STEP="install"
  install_airflow

  if port_in_use; then
    af_log "port $AF_PORT is already in use by another process (not ours): free it or set AIRFLOW_E2E_PORT"
    exit 1
  fi

  if [ "${AIRFLOW_E2E_RESET:-0}" = "1" ]; then
    af_log "AIRFLOW_E2E_RESET=1: wiping $AIRFLOW_HOME and $AF_PGDATA"
    bash "$AF_SCRIPTS_DIR/down.sh" >/dev/null 2>&1 || true
    rm -rf "$AIRFLOW_HOME" "$AF_PGDATA"
  fi
  if [ "$AF_DB" = "postgres" ]; then
    LAST_STEP="postgres"
    t0="$(af_now)"
    pg_up
    T_PG="$(af_elapsed "$t0")"
  fi

  LAST_STEP="db migrate"
  t0="$(af_now)"
  "${HELPER[@]}" write-config
  (cd "$AF_RUN" && timeout 300 "$AF_VENV/bin/airflow" db migrate) >"$AF_LOGS/migrate.log" 2>&1
  # Airflow must not have rewritten our cfg; the MCP service discovers the port from it.
  "${HELPER[@]}" check-config "$AF_PORT"
  if [ "$AF_MAJOR" = "2" ] && ! [ -f "$AIRFLOW_HOME/.e2e-users-created-$AF_DB" ]; then
    # FAB users for HTTP Basic (Airflow 3 uses SimpleAuthManager's users from the cfg).
    # sync-perm creates the default roles (Viewer, Op, ...) that users create needs.
    (cd "$AF_RUN" && timeout 180 "$AF_VENV/bin/airflow" sync-perm) >>"$AF_LOGS/migrate.log" 2>&1
    existing="$(cd "$AF_RUN" && timeout 120 "$AF_VENV/bin/airflow" users list -o plain 2>>"$AF_LOGS/migrate.log" || true)"
    for ur in admin:Admin viewer:Viewer op:Op; do
      u="${ur%%:*}"
      if ! grep -qw "$u" <<<"$existing"; then
        (cd "$AF_RUN" && timeout 120 "$AF_VENV/bin/airflow" users create -u "$u" -p "$u" -r "${ur#*:}" \
          -f "$u" -l e2e -e "$u@example.invalid") >>"$AF_LOGS/migrate.log" 2>&1
      fi
    done
    touch "$AIRFLOW_HOME/.e2e-users-created-$AF_DB"
  fi
  T_MIGRATE="$(af_elapsed "$t0")"

  LAST_STEP="start"
  t0="$(af_now)"
  for c in $AF_COMPONENTS; do start_component "$c"; done

  LAST_STEP="wait for health (${AF_TIMEOUT}s)"
  "${HELPER[@]}" wait-health "$AF_URL" "$AF_TIMEOUT"
  T_HEALTHY="$(af_elapsed "$t0")"
  for c in $AF_COMPONENTS; do
    pid_alive "$(pidfile_pid "$c")" || { af_log "$c exited"; exit 1; }
  done
fi

LAST_STEP="wait for DAGs (${AF_TIMEOUT}s)"
t0="$(af_now)"
"${HELPER[@]}" wait-dags "$AF_URL" "$AF_TIMEOUT" "$AF_EXPECTED_DAGS"
T_DAGS="$(af_elapsed "$t0")"

"${HELPER[@]}" write-env "$AF_ENV_FILE"
[ "$ALREADY" = "1" ] || echo "$AF_DB" >"$AF_STATE/db"

trap - EXIT
if [ "$ALREADY" = "1" ]; then
  echo "$NAME already running at $AF_URL (Airflow $AF_VERSION, DAGs ok in ${T_DAGS}s, total $(af_elapsed "$T_START")s); env: $AF_ENV_FILE"
else
  echo "$NAME ready at $AF_URL (Airflow $AF_VERSION, $AF_DB; install ${T_INSTALL}s [$INSTALL_KIND], postgres ${T_PG}s, migrate ${T_MIGRATE}s, healthy ${T_HEALTHY}s, DAGs parsed ${T_DAGS}s, total $(af_elapsed "$T_START")s); env: $AF_ENV_FILE"
fi
