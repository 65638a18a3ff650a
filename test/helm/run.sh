#!/usr/bin/env bash
# Offline validation of the Helm chart, dashboard, alerts and sidecar example (npm run test:helm).
# Installs its tools idempotently (helm via go install, promtool from Debian, kubernetes-validate
# in a venv, a Go checker built against prometheus-operator's API types), runs every check,
# prints a summary and exits non-zero if any check failed.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
CHART="$ROOT/helm/airflow-mcp"
CACHE="$ROOT/.cache"
BIN="$CACHE/bin"
VENV="$CACHE/helm-venv"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/airflow-mcp-helm.XXXXXX")"
NODE="$ROOT/node_modules/.bin/node"
[ -x "$NODE" ] || NODE=node

HELM_VERSION=v3.22.0
KUBE_VERSION=1.37.0
KUBERNETES_VALIDATE_VERSION=1.37.0
RELEASE=airflow-mcp
NAMESPACE=mcp

SERVICE_PIDS=()
cleanup() {
  for pid in "${SERVICE_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  rm -rf "$WORK"
}
trap cleanup EXIT

PASSED=()
FAILED=()
# run NAME COMMAND...: run one check, keep its output in $WORK/logs, record the result.
run() {
  local name="$1"
  shift
  local log
  log="$WORK/logs/$(echo "$name" | tr -c 'A-Za-z0-9_-' '_').log"
  mkdir -p "$WORK/logs"
  local start=$SECONDS
  if "$@" >"$log" 2>&1; then
    PASSED+=("$name")
    printf 'PASS  %-70s %3ss\n' "$name" $((SECONDS - start))
    [ "${VERBOSE:-0}" = 1 ] && sed 's/^/      | /' "$log"
  else
    FAILED+=("$name")
    printf 'FAIL  %-70s %3ss\n' "$name" $((SECONDS - start))
    sed 's/^/      | /' "$log" | tail -40
  fi
}

# ---------------------------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------------------------
install_tools() {
  mkdir -p "$BIN"
  # go install builds without release ldflags (helm reports "v3.22"), so a stamp records the version.
  if [ ! -x "$BIN/helm" ] || [ "$(cat "$BIN/helm.version" 2>/dev/null)" != "$HELM_VERSION" ]; then
    GOBIN="$BIN" GOFLAGS=-mod=mod go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" || return 1
    echo "$HELM_VERSION" >"$BIN/helm.version"
  fi
  if ! command -v promtool >/dev/null; then
    # Debian's prometheus package ships promtool; policy-rc.d keeps its service from starting.
    if [ "$(id -u)" = 0 ]; then
      local policy=/usr/sbin/policy-rc.d created=0
      if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created=1; fi
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus
      local rc=$?
      [ "$created" = 1 ] && rm -f "$policy"
      [ $rc = 0 ] || return 1
    else
      echo "promtool missing and not root: apt-get install prometheus" >&2
      return 1
    fi
  fi
  if ! "$VENV/bin/python" -c "import kubernetes_validate, sys; sys.exit(kubernetes_validate.__version__ != '$KUBERNETES_VALIDATE_VERSION')" 2>/dev/null; then
    python3 -m venv "$VENV" && "$VENV/bin/pip" install -q --disable-pip-version-check \
      "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" "PyYAML>=6" || return 1
  fi
  local crd_src="$ROOT/test/helm/crdcheck"
  local crd_stamp
  crd_stamp="$(cat "$crd_src"/go.mod "$crd_src"/go.sum "$crd_src"/main.go | sha256sum | cut -c1-16)"
  if [ ! -x "$BIN/crdcheck" ] || [ "$(cat "$BIN/crdcheck.stamp" 2>/dev/null)" != "$crd_stamp" ]; then
    (cd "$crd_src" && go build -o "$BIN/crdcheck" .) && echo "$crd_stamp" >"$BIN/crdcheck.stamp" || return 1
  fi
  for pkg in @kubernetes-models/prometheus-operator @prometheus-io/lezer-promql yaml; do
    [ -d "$ROOT/node_modules/$pkg" ] || { echo "node_modules/$pkg missing: run npm ci" >&2; return 1; }
  done
  echo "helm $(cat "$BIN/helm.version") ($("$BIN/helm" version --short))" && promtool --version | head -1 &&
    echo "kubernetes-validate $("$VENV/bin/python" -c 'import kubernetes_validate; print(kubernetes_validate.__version__)')"
}
HELM="$BIN/helm"

echo "== airflow-mcp chart validation (work dir $WORK)"
run "tools installed (helm $HELM_VERSION, promtool, kubernetes-validate $KUBERNETES_VALIDATE_VERSION, crdcheck)" install_tools
if [ ${#FAILED[@]} -gt 0 ]; then
  echo "tools could not be installed; stopping"
  exit 1
fi
export PATH="$BIN:$PATH"

# ---------------------------------------------------------------------------------------------
# Chart metadata, lint, render
# ---------------------------------------------------------------------------------------------
check_versions() {
  local pkg chart
  pkg="$("$NODE" -p "require('./package.json').version")"
  chart="$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' "$CHART/Chart.yaml")"
  echo "package.json version=$pkg Chart.yaml appVersion=$chart"
  [ -n "$pkg" ] && [ "$pkg" = "$chart" ]
}
run "Chart.yaml appVersion equals package.json version" check_versions

VALUES_SETS=(default)
for f in "$CHART"/ci/*-values.yaml; do VALUES_SETS+=("$(basename "$f" -values.yaml)"); done
# The default set adds only airflow.url, which the chart requires (outside the sidecar form).
values_args() { if [ "$1" = default ]; then echo "--set airflow.url=http://airflow-api-server.airflow.svc:8080"; else echo "-f $CHART/ci/$1-values.yaml"; fi; }
# What a cluster with the Prometheus Operator's CRDs serves (the chart checks for the kinds).
MONITORING_APIS="--api-versions monitoring.coreos.com/v1 --api-versions monitoring.coreos.com/v1/ServiceMonitor --api-versions monitoring.coreos.com/v1/PrometheusRule"

mkdir -p "$WORK/rendered"
for set in "${VALUES_SETS[@]}"; do
  # shellcheck disable=SC2046
  # helm lint cannot declare extra APIs (no --api-versions), so it lints with the Prometheus Operator
  # objects off; "helm template" below renders them with the CRDs declared.
  run "helm lint --strict ($set)" "$HELM" lint --strict "$CHART" --kube-version "$KUBE_VERSION" $(values_args "$set") \
    --set metrics.serviceMonitor.enabled=false --set metrics.prometheusRule.enabled=false
  # shellcheck disable=SC2046
  run "helm template ($set)" sh -c "'$HELM' template '$RELEASE' '$CHART' -n '$NAMESPACE' --kube-version '$KUBE_VERSION' \
    $MONITORING_APIS $(values_args "$set") > '$WORK/rendered/$set.yaml'"
done

check_package() {
  "$HELM" package "$CHART" -d "$WORK/pkg" || return 1
  local tgz
  tgz="$(ls "$WORK"/pkg/airflow-mcp-*.tgz)"
  tar tzf "$tgz" | sort >"$WORK/pkg/files.txt"
  cat "$WORK/pkg/files.txt"
  grep -q 'airflow-mcp/dashboards/airflow-mcp.json' "$WORK/pkg/files.txt" &&
    grep -q 'airflow-mcp/files/mcp-smoke-test.mjs' "$WORK/pkg/files.txt" &&
    grep -q 'airflow-mcp/values.schema.json' "$WORK/pkg/files.txt" &&
    ! grep -q 'airflow-mcp/ci/' "$WORK/pkg/files.txt"
}
run "helm package (dashboard, hook script and schema inside; ci/ left out)" check_package

# NOTES.txt through `helm template` (install --dry-run needs a cluster): a copy of the chart
# renders it as a value in a ConfigMap-like document.
render_notes() {
  local set="$1" copy="$WORK/notes-chart"
  if [ ! -d "$copy" ]; then
    cp -r "$CHART" "$copy" && sed -i '/^kubeVersion:/d' "$copy/Chart.yaml" &&
      cp "$CHART/templates/NOTES.txt" "$copy/files/notes-copy.txt" &&
      printf 'notes: {{ tpl (.Files.Get "files/notes-copy.txt") . | toJson }}\n' >"$copy/templates/notes-render.yaml"
  fi
  # shellcheck disable=SC2046
  "$HELM" template "$RELEASE" "$copy" -n "$NAMESPACE" $MONITORING_APIS $(values_args "$set" | sed "s|$CHART/|$copy/|") \
    --show-only templates/notes-render.yaml | "$VENV/bin/python" "$ROOT/test/helm/notes_check.py"
}
for set in "${VALUES_SETS[@]}"; do
  run "NOTES.txt renders with a valid client config ($set)" render_notes "$set"
done

# ---------------------------------------------------------------------------------------------
# Schemas
# ---------------------------------------------------------------------------------------------
run "Kubernetes $KUBE_VERSION schemas, strict (unknown fields rejected), all value sets" \
  "$VENV/bin/python" "$ROOT/test/helm/validate_k8s.py" --kube-version "$KUBE_VERSION" "$WORK"/rendered/*.yaml
run "strict validator rejects a planted unknown field (self-check)" \
  "$VENV/bin/python" "$ROOT/test/helm/validate_k8s.py" --kube-version "$KUBE_VERSION" --expect-fail-planted "$WORK/rendered/default.yaml"
run "prometheus-operator CRD schemas (@kubernetes-models/prometheus-operator)" \
  "$NODE" "$ROOT/test/helm/monitoring-checks.mjs" crd "$WORK"/rendered/*.yaml
run "prometheus-operator Go API types, strict decode (crdcheck)" "$BIN/crdcheck" "$WORK"/rendered/*.yaml
run "rendered objects meet the chart's contract (probes, security, shutdown, spread, secrets)" \
  "$VENV/bin/python" "$ROOT/test/helm/assert_rendered.py" "$WORK/rendered"
run "values.schema.json and template guards reject typical mistakes" \
  bash "$ROOT/test/helm/bad-values.sh" "$HELM" "$CHART" "$KUBE_VERSION"

# ---------------------------------------------------------------------------------------------
# Alerts and dashboard
# ---------------------------------------------------------------------------------------------
extract_rules() {
  "$VENV/bin/python" - "$WORK/rendered/monitoring.yaml" "$WORK/rules.yaml" <<'EOF'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d and d.get("kind") == "PrometheusRule"]
assert len(docs) == 1, f"expected one PrometheusRule, got {len(docs)}"
yaml.safe_dump(docs[0]["spec"], open(sys.argv[2], "w"), sort_keys=False)
print("extracted", sum(len(g["rules"]) for g in docs[0]["spec"]["groups"]), "rules")
EOF
}
run "PrometheusRule spec extracted from the rendered chart" extract_rules
run "promtool check rules (alerts)" promtool check rules "$WORK/rules.yaml"
run "promtool test rules (each alert fires and stays quiet)" \
  sh -c "cp '$ROOT/test/helm/alerts.test.yaml' '$WORK/' && cd '$WORK' && promtool test rules alerts.test.yaml"
run "every alert has a unit test that fires it and one that does not" \
  "$VENV/bin/python" "$ROOT/test/helm/assert_alert_tests.py" "$WORK/rules.yaml" "$ROOT/test/helm/alerts.test.yaml"
run "dashboard + alert PromQL parses (lezer-promql)" \
  "$NODE" "$ROOT/test/helm/monitoring-checks.mjs" promql "$CHART/dashboards/airflow-mcp.json" "$WORK/rules.yaml" "$WORK"
run "dashboard + alert PromQL parses (promtool, Prometheus' Go parser)" promtool check rules "$WORK/exprs.rules.yaml"
run "dashboard covers the required panels" \
  "$VENV/bin/python" "$ROOT/test/helm/assert_dashboard.py" "$CHART/dashboards/airflow-mcp.json"

# ---------------------------------------------------------------------------------------------
# The real service: metrics exported, helm test script, sidecar discovery, shutdown timing
# ---------------------------------------------------------------------------------------------
free_port() { "$NODE" -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
wait_http() { # URL [tries]
  for _ in $(seq "${2:-100}"); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}

SERVICE_DIST="$CACHE/helm-test/dist"
build_service() {
  [ -f "$ROOT/src/main.ts" ] || { echo "src/main.ts does not exist"; return 1; }
  rm -rf "$CACHE/helm-test" && mkdir -p "$CACHE/helm-test" && cp "$ROOT/package.json" "$CACHE/helm-test/"
  # The bundle, built as the image builds it.
  "$ROOT/node_modules/.bin/tsx" "$ROOT/scripts/build/bundle.ts" "$SERVICE_DIST/main.js" >/dev/null
  [ -f "$SERVICE_DIST/main.js" ]
}
run "service bundled from src/ (scripts/build/bundle.ts)" build_service

start_service() { # LOG ENV... ; sets SVC_PID (a child of this shell, so `wait` gets its exit code)
  local log="$1"
  shift
  env "$@" "$NODE" "$SERVICE_DIST/main.js" >"$log" 2>&1 &
  SVC_PID=$!
  SERVICE_PIDS+=("$SVC_PID")
}

check_real_metrics() {
  local port pid
  port="$(free_port)"
  start_service "$WORK/service.log" AIRFLOW_API_URL=http://127.0.0.1:1 PORT="$port" HOST=127.0.0.1 SHUTDOWN_DELAY_MS=0 SHUTDOWN_GRACE_MS=1000
  pid=$SVC_PID
  wait_http "http://127.0.0.1:$port/healthz" || { cat "$WORK/service.log"; return 1; }
  # A few requests so labelled series exist too (families are declared at registration anyway).
  MCP_URL="http://127.0.0.1:$port/mcp" "$NODE" "$CHART/files/mcp-smoke-test.mjs" >/dev/null || true
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null
  curl -fsS "http://127.0.0.1:$port/metrics" >"$WORK/metrics.txt" || return 1
  kill "$pid"
  "$NODE" "$ROOT/test/helm/monitoring-checks.mjs" metrics "$WORK/metric-names.json" "$WORK/metrics.txt"
}
run "every metric in the dashboard and alerts is exported by the running service" check_real_metrics

check_helm_test_script() {
  local port pid
  port="$(free_port)"
  start_service "$WORK/service-hook.log" AIRFLOW_API_URL=http://127.0.0.1:1 PORT="$port" HOST=127.0.0.1 SHUTDOWN_DELAY_MS=0 SHUTDOWN_GRACE_MS=1000
  pid=$SVC_PID
  wait_http "http://127.0.0.1:$port/healthz" || { cat "$WORK/service-hook.log"; return 1; }
  # Exactly the script the helm test pod runs (node --input-type=module -e <script>).
  MCP_URL="http://127.0.0.1:$port/mcp" "$NODE" --input-type=module -e "$(cat "$CHART/files/mcp-smoke-test.mjs")" || return 1
  # And it must fail when the URL is wrong (it really checks something).
  if MCP_URL="http://127.0.0.1:$port/not-mcp" "$NODE" "$CHART/files/mcp-smoke-test.mjs"; then
    echo "smoke test passed against a wrong path"
    return 1
  fi
  kill "$pid"
  # With inbound API keys (as the chart wires them: MCP_API_KEYS from a Secret), in forward mode
  # (key in X-API-Key) and token mode (key as the Bearer token); without the key it must fail.
  if grep -q MCP_API_KEYS "$ROOT/src/config/settings.ts"; then
    local mode
    for mode in forward token; do
      port="$(free_port)"
      start_service "$WORK/service-hook-$mode.log" AIRFLOW_API_URL=http://127.0.0.1:1 PORT="$port" HOST=127.0.0.1 \
        SHUTDOWN_DELAY_MS=0 SHUTDOWN_GRACE_MS=1000 AIRFLOW_AUTH_MODE="$mode" AIRFLOW_AUTH_TOKEN=service-token MCP_API_KEYS=key-one,key-two
      pid=$SVC_PID
      wait_http "http://127.0.0.1:$port/healthz" || { cat "$WORK/service-hook-$mode.log"; return 1; }
      echo "-- $mode mode with MCP_API_KEYS"
      MCP_URL="http://127.0.0.1:$port/mcp" AIRFLOW_AUTH_MODE="$mode" MCP_API_KEYS=key-one,key-two \
        "$NODE" "$CHART/files/mcp-smoke-test.mjs" || return 1
      if MCP_URL="http://127.0.0.1:$port/mcp" AIRFLOW_AUTH_MODE="$mode" "$NODE" "$CHART/files/mcp-smoke-test.mjs"; then
        echo "smoke test passed without the API key in $mode mode"
        return 1
      fi
      kill "$pid"
    done
  fi
}
run "helm test hook script passes against the real service (initialize, tools/list, no session id, API keys)" check_helm_test_script

check_sidecar() {
  "$VENV/bin/python" "$ROOT/test/helm/sidecar_example.py" "$ROOT/examples/airflow-sidecar-values.yaml" \
    "$WORK/sidecar" --kube-version "$KUBE_VERSION" || return 1
  # Run the service with the sidecar's env and an airflow.cfg like the Airflow chart's.
  local port pid
  port="$(free_port)"
  printf '[api]\nhost = 0.0.0.0\nport = 9091\n' >"$WORK/sidecar/airflow.cfg"
  # shellcheck disable=SC2046
  start_service "$WORK/sidecar.log" $(cat "$WORK/sidecar/env") AIRFLOW_CONFIG="$WORK/sidecar/airflow.cfg" PORT="$port" HOST=127.0.0.1 SHUTDOWN_DELAY_MS=0
  pid=$SVC_PID
  wait_http "http://127.0.0.1:$port/healthz" || { cat "$WORK/sidecar.log"; return 1; }
  local body
  body="$(curl -fsS "http://127.0.0.1:$port/readyz")" || return 1
  kill "$pid"
  echo "readyz: $body"
  grep -q '"airflow_url":"http://localhost:9091"' "$WORK/sidecar.log" || { echo "service did not choose http://localhost:9091"; cat "$WORK/sidecar.log"; return 1; }
  echo "$body" | grep -q 'airflow.cfg' || { echo "readyz does not report airflow.cfg as the source"; return 1; }
}
run "sidecar example: strict container schema; service discovers Airflow from airflow.cfg" check_sidecar

check_shutdown() {
  # The chart's terminationGracePeriodSeconds assumes: after SIGTERM, /readyz is 503 at once,
  # requests are served for SHUTDOWN_DELAY_MS, and the process exits within delay + grace.
  local port pid t0 elapsed code
  local delay=3000 grace=2000
  port="$(free_port)"
  start_service "$WORK/shutdown.log" AIRFLOW_API_URL=http://127.0.0.1:1 PORT="$port" HOST=127.0.0.1 SHUTDOWN_DELAY_MS=$delay SHUTDOWN_GRACE_MS=$grace
  pid=$SVC_PID
  wait_http "http://127.0.0.1:$port/readyz" || { cat "$WORK/shutdown.log"; return 1; }
  t0=$(date +%s%N)
  kill -TERM "$pid"
  sleep 0.3
  code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz")"
  echo "readyz after SIGTERM: $code (want 503)"
  [ "$code" = 503 ] || return 1
  code="$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$port/mcp" \
    -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
    -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}')"
  echo "MCP initialize during the delay: $code (want 200)"
  [ "$code" = 200 ] || return 1
  while kill -0 "$pid" 2>/dev/null; do
    elapsed=$((($(date +%s%N) - t0) / 1000000))
    [ "$elapsed" -lt 10000 ] || { echo "still running ${elapsed}ms after SIGTERM (delay $delay + grace $grace)"; return 1; }
    sleep 0.1
  done
  wait "$pid" 2>/dev/null
  local rc=$?
  elapsed=$((($(date +%s%N) - t0) / 1000000))
  echo "exited rc=$rc after ${elapsed}ms (delay $delay + grace $grace; the chart gives preStop + both + margin)"
  [ "$rc" = 0 ] && [ "$elapsed" -ge $((delay - 100)) ] && [ "$elapsed" -le $((delay + grace + 1500)) ]
}
run "shutdown timing the chart relies on (readyz 503, still serving, exit within delay+grace)" check_shutdown

# ---------------------------------------------------------------------------------------------
echo
echo "== summary: ${#PASSED[@]} passed, ${#FAILED[@]} failed"
for f in "${FAILED[@]}"; do echo "   failed: $f"; done
echo "${#PASSED[@]} passed, ${#FAILED[@]} failed"
[ ${#FAILED[@]} -eq 0 ]
