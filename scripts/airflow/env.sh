# shellcheck shell=bash disable=SC2034
# Shared settings for the local end-to-end Airflow (sourced by up.sh, down.sh, smoke.sh).
#
# AIRFLOW_E2E_MAJOR=3 (default): Apache Airflow 3.3.2, API server on 9091.
# AIRFLOW_E2E_MAJOR=2 (up2.sh/down2.sh/smoke2.sh): Apache Airflow 2.11.2, webserver on 9092.
#
# Everything lives inside the repo in git-ignored folders (Airflow 2 under .airflow/v2):
#   .venv/airflow, .venv/airflow2   the Python venvs (pinned, see constraints-*.txt)
#   .cache/pip                      pip cache + wheelhouses, so a reinstall needs no network
#   .airflow/home                   AIRFLOW_HOME (airflow.cfg, SQLite DB, task logs)
#   .airflow/run                    pid files (one process group per Airflow component)
#   .airflow/logs                   component stdout/stderr
#   .airflow/e2e.env                machine-readable facts for the e2e tests
#
# Overridable from the environment: AIRFLOW_E2E_PORT, AIRFLOW_E2E_PYTHON (interpreter used
# to create the venv), AIRFLOW_E2E_TIMEOUT (seconds per wait, default 180),
# AIRFLOW_E2E_CACHE_DIR (wheel/pip cache, default .cache/pip; point CI at a folder that
# outlives the clone to make its installs warm).

AF_SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
AF_REPO_ROOT="$(cd "$AF_SCRIPTS_DIR/../.." && pwd)"
AF_MAJOR="${AIRFLOW_E2E_MAJOR:-3}"

case "$AF_MAJOR" in
  3)
    AF_VERSION="3.3.2"
    AF_VENV="$AF_REPO_ROOT/.venv/airflow"
    AF_STATE="$AF_REPO_ROOT/.airflow"
    AF_PORT="${AIRFLOW_E2E_PORT:-9091}"
    # Components started by up.sh (the triggerer is not needed: no test DAG defers).
    AF_COMPONENTS="api-server scheduler dag-processor"
    if [ "${AIRFLOW_E2E_TRIGGERER:-0}" = "1" ]; then AF_COMPONENTS="$AF_COMPONENTS triggerer"; fi
    ;;
  2)
    AF_VERSION="2.11.2"
    AF_VENV="$AF_REPO_ROOT/.venv/airflow2"
    AF_STATE="$AF_REPO_ROOT/.airflow/v2"
    AF_PORT="${AIRFLOW_E2E_PORT:-9092}"
    AF_COMPONENTS="webserver scheduler"
    ;;
  *)
    echo "AIRFLOW_E2E_MAJOR must be 2 or 3" >&2
    exit 64
    ;;
esac

AF_RUN="$AF_STATE/run"
AF_LOGS="$AF_STATE/logs"
AF_ENV_FILE="$AF_STATE/e2e.env"
AF_PIP_CACHE="${AIRFLOW_E2E_CACHE_DIR:-$AF_REPO_ROOT/.cache/pip}"
AF_WHEELHOUSE="$AF_PIP_CACHE/wheelhouse-airflow-$AF_VERSION"
AF_REQUIREMENTS="$AF_SCRIPTS_DIR/requirements-$AF_VERSION.txt"
AF_CONSTRAINTS="$AF_SCRIPTS_DIR/constraints-$AF_VERSION.txt"
AF_DAGS="$AF_REPO_ROOT/test/e2e/dags"
AF_HOST="127.0.0.1"
AF_URL="http://localhost:$AF_PORT"
AF_TIMEOUT="${AIRFLOW_E2E_TIMEOUT:-180}"
AF_EXPECTED_DAGS="e2e_success e2e_failing e2e_mapped e2e_asset_producer e2e_asset_consumer e2e_xcom"

# TEST-ONLY secrets. These are public constants so that tests can mint their own tokens
# (e.g. an expired one) with the same key. Never reuse them for anything real.
AF_JWT_SECRET="airflow-mcp-e2e-test-only-jwt-secret-not-for-production-0123456789"
AF_API_SECRET_KEY="airflow-mcp-e2e-test-only-api-secret-key"
AF_USERS="admin:admin,viewer:viewer,op:op"

export AIRFLOW_HOME="$AF_STATE/home"
# Metadata DB: AIRFLOW_E2E_DB=postgres (default: a private PostgreSQL cluster in $AF_STATE/pg
# on 127.0.0.1:$AF_PG_PORT, started and stopped with Airflow) or sqlite. SQLite does not
# survive concurrent writes through the Airflow 3 API server:
# "database is locked" 500s, a dead scheduler (docs/airflow-e2e.md, "Problems").
# The choice sticks: up.sh records it in $AF_STATE/db, used when AIRFLOW_E2E_DB is unset.
if [ -n "${AIRFLOW_E2E_DB:-}" ]; then
  AF_DB="$AIRFLOW_E2E_DB"
elif [ -s "$AF_STATE/db" ]; then
  AF_DB="$(cat "$AF_STATE/db")"
else
  AF_DB="postgres"
fi
AF_PGDATA="$AF_STATE/pg"
# As root the cluster belongs to the postgres user, which must be able to reach it: when the
# work tree is not traversable for others (a clone under /root, say), keep it in /tmp.
if [ "$(id -u)" = "0" ] && id postgres >/dev/null 2>&1 \
  && ! runuser -u postgres -- test -x "$AF_REPO_ROOT" 2>/dev/null; then
  AF_PGDATA="/tmp/airflow-mcp-e2e-pg-$(printf '%s' "$AF_STATE" | sha256sum | cut -c1-12)"
fi
AF_PG_LOG="$AF_PGDATA/server.log"
AF_PG_PASSWORD="e2e-pg-Xq7v2k9"
AF_PG_PORT="${AIRFLOW_E2E_PG_PORT:-$((AF_PORT + 341))}"  # 9432 for Airflow 3, 9433 for 2
case "$AF_DB" in
  # SQLite waits up to 60 s for a lock (sqlite3's default is 5 s): under load (2 cores
  # shared with npm/tsc/vitest) the scheduler otherwise dies with "database is locked".
  sqlite) AF_DB_URL="sqlite:///$AIRFLOW_HOME/airflow.db?timeout=60" ;;
  # The password must not be a word: Airflow masks it in every log, and with "airflow" the
  # task logs would read "hello from ***-mcp" (trust auth on loopback; it is not checked).
  postgres) AF_DB_URL="postgresql+psycopg2://airflow:$AF_PG_PASSWORD@127.0.0.1:$AF_PG_PORT/airflow" ;;
  *)
    echo "AIRFLOW_E2E_DB must be sqlite or postgres" >&2
    exit 64
    ;;
esac
export AIRFLOW__CORE__DAGS_FOLDER="$AF_DAGS"
export AIRFLOW__CORE__LOAD_EXAMPLES="False"
export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="False"
export AIRFLOW__LOGGING__COLORED_CONSOLE_LOG="False"
# The API server runs sync endpoints on up to 40 threads; SQLAlchemy's default pool (5 + 10
# overflow, 30 s wait) then runs dry under ~50 concurrent requests: 500s, and task processes
# whose execution-API calls time out fail. 20 + 40 covers every thread (PostgreSQL allows 200).
export AIRFLOW__DATABASE__SQL_ALCHEMY_POOL_SIZE="20"
export AIRFLOW__DATABASE__SQL_ALCHEMY_MAX_OVERFLOW="40"

if [ "$AF_MAJOR" = "3" ]; then
  export AIRFLOW__CORE__EXECUTOR="LocalExecutor"
  # 4 worker processes: enough for the tests, and fewer concurrent writers on SQLite.
  export AIRFLOW__CORE__PARALLELISM="4"
  export AIRFLOW__CORE__AUTH_MANAGER="airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
  export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS="$AF_USERS"
  export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE="$AIRFLOW_HOME/simple_auth_manager_passwords.json"
  export AIRFLOW__CORE__EXECUTION_API_SERVER_URL="$AF_URL/execution/"
  export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="$AF_DB_URL"
  export AIRFLOW__API__HOST="$AF_HOST"
  export AIRFLOW__API__PORT="$AF_PORT"
  export AIRFLOW__API__WORKERS="1"
  export AIRFLOW__API__EXPOSE_CONFIG="True"
  export AIRFLOW__API__SECRET_KEY="$AF_API_SECRET_KEY"
  export AIRFLOW__API_AUTH__JWT_SECRET="$AF_JWT_SECRET"
  export AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL="5"
  export AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL="5"
  export AIRFLOW__DAG_PROCESSOR__BUNDLE_REFRESH_CHECK_INTERVAL="5"
  export AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK="False"
else
  # Airflow 2 refuses LocalExecutor on SQLite: SequentialExecutor runs tasks one at a time
  # inside the scheduler. Auth: FAB users + HTTP Basic on /api/v1.
  # (with AIRFLOW_E2E_DB=postgres: LocalExecutor)
  if [ "$AF_DB" = "postgres" ]; then
    export AIRFLOW__CORE__EXECUTOR="LocalExecutor" AIRFLOW__CORE__PARALLELISM="4"
  else
    export AIRFLOW__CORE__EXECUTOR="SequentialExecutor"
  fi
  export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="$AF_DB_URL"
  export AIRFLOW__API__AUTH_BACKENDS="airflow.api.auth.backend.basic_auth,airflow.api.auth.backend.session"
  export AIRFLOW__WEBSERVER__WEB_SERVER_HOST="$AF_HOST"
  export AIRFLOW__WEBSERVER__WEB_SERVER_PORT="$AF_PORT"
  export AIRFLOW__WEBSERVER__BASE_URL="$AF_URL"
  export AIRFLOW__WEBSERVER__WORKERS="1"
  export AIRFLOW__WEBSERVER__EXPOSE_CONFIG="True"
  export AIRFLOW__WEBSERVER__SECRET_KEY="$AF_API_SECRET_KEY"
  # Not 8793/8794 (Airflow 3's defaults): with both up side by side, the scheduler that loses
  # the port race runs without its log server (logs are still read from local files).
  export AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT="9793"
  export AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT="9794"
  export AIRFLOW__SCHEDULER__DAG_DIR_LIST_INTERVAL="5"
  export AIRFLOW__SCHEDULER__MIN_FILE_PROCESS_INTERVAL="5"
  export AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK="False"
fi

# Marker put (only) into the environment of the processes up.sh starts; down.sh finds
# stragglers by it in /proc/PID/environ.
AF_MARKER="AIRFLOW_MCP_E2E_STATE=$AF_STATE"
export PIP_CACHE_DIR="$AF_PIP_CACHE"
export PIP_DISABLE_PIP_VERSION_CHECK=1

af_log() { printf '[airflow-e2e] %s\n' "$*" >&2; }

# Run a PostgreSQL tool as the cluster owner (postgres refuses to run as root).
af_as_pg() {
  # cd /: the caller's folder may not be readable for the postgres user.
  if [ "$(id -u)" = "0" ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}
af_pg_bin() {
  local d
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/pg_ctl" ]; then
    pg_config --bindir
    return 0
  fi
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  done
  return 1
}

# One up/down at a time per state folder (the work tree is shared by several people):
# a second caller waits (bounded) instead of starting a second set of processes.
af_lock() {
  [ "${AF_LOCK_HELD:-}" = "$AF_STATE" ] && return 0
  mkdir -p "$AF_STATE"
  exec 9>"$AF_STATE/.lock"
  if ! flock -w "${AIRFLOW_E2E_LOCK_WAIT:-600}" 9; then
    af_log "another up/down holds $AF_STATE/.lock for too long; giving up"
    exit 1
  fi
  export AF_LOCK_HELD="$AF_STATE"
}
af_now() { date +%s.%N; }
af_elapsed() { awk -v a="$1" -v b="$(af_now)" 'BEGIN { printf "%.1f", b - a }'; }
