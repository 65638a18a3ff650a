#!/usr/bin/env bash
# Smoke check against the Airflow started by up.sh: tokens for admin/viewer/op, a viewer
# trigger gets 403, an admin trigger of e2e_success runs to success and its task log has
# the known line (which proves the execution API URL is right: tasks really run).
#   bash scripts/airflow/smoke.sh          smoke only (~10 s)
#   bash scripts/airflow/smoke.sh --all    also run every test DAG once and check it (~20 s)
set -euo pipefail
# shellcheck source=scripts/airflow/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
export AIRFLOW_E2E_MAJOR="$AF_MAJOR"
PY="$AF_VENV/bin/python"
[ -x "$PY" ] || PY="$(command -v python3 || true)"
[ -n "$PY" ] || { echo "smoke needs python3 (or run npm run airflow:up first)" >&2; exit 2; }
timeout 300 "$PY" "$AF_SCRIPTS_DIR/af_helper.py" smoke "$AF_URL"
if [ "${1:-}" = "--all" ]; then
  timeout 300 "$PY" "$AF_SCRIPTS_DIR/af_helper.py" check-dags "$AF_URL"
fi
