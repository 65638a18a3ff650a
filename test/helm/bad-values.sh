#!/usr/bin/env bash
# Typical mistakes must make `helm template` fail with a message naming the problem:
# values.schema.json catches types/enums/ranges, template guards catch incoherent combinations.
# Usage: bad-values.sh HELM CHART KUBE_VERSION
set -uo pipefail
HELM="$1" CHART="$2" KUBE="$3"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

# Every case starts from a valid Airflow URL (the chart requires one outside the sidecar form).
printf 'airflow: {url: "http://airflow-api-server.airflow.svc:8080"}\n' >"$tmp/base.yaml"

# expect_reject NAME EXPECTED_MESSAGE_REGEX YAML
expect_reject() {
  printf '%s\n' "$3" >"$tmp/values.yaml"
  local out
  if out="$("$HELM" template t "$CHART" --kube-version "$KUBE" -f "$tmp/base.yaml" -f "$tmp/values.yaml" 2>&1)"; then
    echo "FAIL $1: accepted"
    fail=$((fail + 1))
  elif ! grep -Eq "$2" <<<"$out"; then
    echo "FAIL $1: rejected, but without /$2/: $(tail -3 <<<"$out")"
    fail=$((fail + 1))
  else
    echo "ok   $1: $(grep -E "$2" <<<"$out" | head -1 | sed 's/^ *//')"
    pass=$((pass + 1))
  fi
}
expect_accept() {
  printf '%s\n' "$2" >"$tmp/values.yaml"
  if "$HELM" template t "$CHART" --kube-version "$KUBE" -f "$tmp/base.yaml" -f "$tmp/values.yaml" >/dev/null 2>"$tmp/err"; then
    echo "ok   $1: accepted"
    pass=$((pass + 1))
  else
    echo "FAIL $1: rejected: $(cat "$tmp/err")"
    fail=$((fail + 1))
  fi
}

expect_reject "string replicas" "replicaCount.*got string, want integer" 'replicaCount: "3"'
expect_reject "negative replicas" "replicaCount.*minimum" 'replicaCount: -1'
expect_reject "negative CPU request" "resources/requests/cpu" 'resources: {requests: {cpu: "-100m"}}'
expect_reject "negative memory limit (number)" "resources/limits/memory" 'resources: {limits: {memory: -1}}'
expect_reject "memory with a bad unit" "resources/limits/memory" 'resources: {limits: {memory: 256MB}}'
expect_reject "unknown auth mode" "auth/mode.*must be one of" 'auth: {mode: magic}'
expect_reject "oauth mode without a public URL or ingress" "needs oauth.publicUrl" 'auth: {mode: oauth}'
expect_reject "oauth public URL with a path" "oauth/publicUrl" 'oauth: {publicUrl: "https://mcp.example.com/mcp"}'
expect_reject "token mode without a Secret" "existingSecret" 'auth: {mode: token}'
expect_reject "password mode with an empty Secret name" "existingSecret" 'auth: {mode: password, existingSecret: ""}'
expect_reject "unknown top-level key (typo)" "additional properties 'replicas' not allowed|replicas" 'replicas: 3'
expect_reject "unknown nested key (typo)" "additional properties|not allowed" 'auth: {mdoe: token}'
expect_reject "unknown API version" "apiVersion.*must be one of" 'airflow: {apiVersion: v3}'
expect_reject "Airflow URL without scheme" "airflow/url" 'airflow: {url: airflow:8080}'
expect_reject "MCP path without leading slash" "mcp/path" 'mcp: {path: mcp}'
expect_reject "port out of range" "service/port.*maximum" 'service: {port: 70000}'
expect_reject "unknown log level" "logLevel.*must be one of" 'mcp: {logLevel: verbose}'
expect_reject "boolean as string" "readOnly.*got string, want boolean" 'mcp: {readOnly: "true"}'
expect_reject "service type typo" "service/type.*must be one of" 'service: {type: ClusterIp}'
expect_reject "error ratio above 1" "errorRatio.*maximum" 'metrics: {prometheusRule: {thresholds: {errorRatio: 5}}}'
expect_reject "bad scrape interval" "interval" 'metrics: {serviceMonitor: {interval: 30 seconds}}'
expect_reject "bad image digest" "image/digest" 'image: {digest: latest}'
expect_reject "grace period shorter than the shutdown sequence" "terminationGracePeriodSeconds=10 is shorter" \
  'shutdown: {terminationGracePeriodSeconds: 10}'
expect_reject "PDB with a single replica" "podDisruptionBudget" 'replicaCount: 1'
expect_reject "HPA min above max" "minReplicas must not exceed" 'autoscaling: {enabled: true, minReplicas: 5, maxReplicas: 2}'
expect_accept "defaults" '{}'
expect_reject "no airflow.url outside the sidecar form" "airflow.url is required" 'airflow: {url: ""}'
expect_reject "airflow.url without a host" "not an http\(s\) URL with a host|airflow/url" 'airflow: {url: "http://"}'
expect_accept "sidecar form: no URL, Airflow's own settings in extraEnv" \
  $'airflow: {url: ""}\nextraEnv: [{name: AIRFLOW__API__PORT, value: "9091"}]\nnetworkPolicy: {airflow: {ports: [{port: 9091}]}}'
expect_reject "sidecar form with a NetworkPolicy but no Airflow port" "networkPolicy.airflow.ports" \
  $'airflow: {url: ""}\nextraEnv: [{name: AIRFLOW__API__PORT, value: "9091"}]'
expect_reject "ServiceMonitor without its CRD on the cluster" "ServiceMonitor CRD.*serviceMonitor.enabled=false" \
  'metrics: {serviceMonitor: {enabled: true}}'
expect_reject "PrometheusRule without its CRD on the cluster" "PrometheusRule CRD.*prometheusRule.enabled=false" \
  'metrics: {prometheusRule: {enabled: true}}'
expect_reject "token mode without inbound authentication" "holds service credentials" \
  'auth: {mode: token, existingSecret: s}'
expect_reject "JWKS URL without scheme" "jwt/jwksUrl" 'inboundAuth: {jwt: {jwksUrl: idp/jwks}}'
expect_accept "token mode with a Secret and API keys" $'auth: {mode: token, existingSecret: s}\ninboundAuth: {existingSecret: k}'
expect_accept "password mode, explicitly unauthenticated" \
  $'auth: {mode: password, existingSecret: s}\ninboundAuth: {allowUnauthenticated: true}'
expect_accept "single replica without PDB" $'replicaCount: 1\npodDisruptionBudget: {enabled: false}'
expect_accept "percent maxUnavailable" 'podDisruptionBudget: {maxUnavailable: "50%"}'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
