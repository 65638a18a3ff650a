#!/usr/bin/env bash
# Airflow 2.11 variant of down.sh (webserver on 9092, /api/v1, HTTP Basic, state in .airflow/v2).
AIRFLOW_E2E_MAJOR=2 exec bash "$(dirname "${BASH_SOURCE[0]}")/down.sh" "$@"
