"""Check examples/airflow-sidecar-values.yaml for the official Apache Airflow chart:
each extra container is a valid Container (strict Kubernetes schema, wrapped in a Pod), the
Service exposes the MCP port next to the API server's, the sidecar has no AIRFLOW_API_URL (it
discovers Airflow from airflow.cfg) and holds no credentials. Writes OUT_DIR/env (NAME=value
lines of its plain env) so run.sh can start the service with the same settings.

  sidecar_example.py EXAMPLE.yaml OUT_DIR --kube-version 1.37.0
"""
import argparse
import os
import sys

import kubernetes_validate
import yaml

ap = argparse.ArgumentParser()
ap.add_argument("example")
ap.add_argument("out_dir")
ap.add_argument("--kube-version", required=True)
args = ap.parse_args()
values = yaml.safe_load(open(args.example))
problems = []
api = values.get("apiServer", {})
containers = api.get("extraContainers", [])
if len(containers) != 1:
    problems.append("expected exactly one apiServer.extraContainers entry")
c = containers[0] if containers else {}
pod = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "airflow-api-server"},
    "spec": {
        "containers": [{"name": "api-server", "image": "apache/airflow:3.3.2"}, c],
        "volumes": [{"name": "config", "configMap": {"name": "airflow-config"}}],
    },
}
try:
    kubernetes_validate.validate(pod, args.kube_version, strict=True)
    print(f"ok   sidecar container is a valid Container (k8s {args.kube_version}, strict)")
except kubernetes_validate.ValidationError as e:
    problems.append(f"sidecar container: {e.message} at {'.'.join(map(str, e.path))}")

env = {e["name"]: e for e in c.get("env", [])}
if "AIRFLOW_API_URL" in env:
    problems.append("the sidecar must discover Airflow, not set AIRFLOW_API_URL")
for secret in ("AIRFLOW_AUTH_TOKEN", "AIRFLOW_PASSWORD"):
    if secret in env and "value" in env[secret]:
        problems.append(f"{secret} as a plain value")
if env.get("AIRFLOW_AUTH_MODE", {}).get("value") != "forward":
    problems.append("the sidecar should forward callers' credentials (AIRFLOW_AUTH_MODE=forward)")
cfg = env.get("AIRFLOW_CONFIG", {}).get("value")
mounts = {m["mountPath"]: m for m in c.get("volumeMounts", [])}
if not cfg or cfg not in mounts or mounts[cfg].get("name") != "config" or mounts[cfg].get("subPath") != "airflow.cfg":
    problems.append("AIRFLOW_CONFIG must point at airflow.cfg mounted from the pod's 'config' volume")
port = next((p for p in c.get("ports", []) if p.get("name") == "mcp"), None)
if not port or str(env.get("PORT", {}).get("value")) != str(port["containerPort"]):
    problems.append("PORT env must match the 'mcp' container port")
svc_ports = api.get("service", {}).get("ports", [])
names = [p.get("name") for p in svc_ports]
if names[:1] != ["api-server"] or "mcp" not in names:
    problems.append(f"apiServer.service.ports must keep api-server first and add mcp, got {names}")
for probe, path in (("startupProbe", "/healthz"), ("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
    if c.get(probe, {}).get("httpGet", {}).get("path") != path:
        problems.append(f"{probe} should check {path}")
sc = c.get("securityContext", {})
if not (sc.get("runAsNonRoot") and sc.get("readOnlyRootFilesystem") and sc.get("allowPrivilegeEscalation") is False):
    problems.append("sidecar security context must be restricted")

os.makedirs(args.out_dir, exist_ok=True)
with open(os.path.join(args.out_dir, "env"), "w") as f:
    for name, e in env.items():
        if "value" in e and name not in ("HOST", "PORT", "AIRFLOW_CONFIG"):
            f.write(f"{name}={e['value']}\n")
for p in problems:
    print("FAIL", p)
print(f"sidecar example: {len(problems)} problems")
sys.exit(1 if problems else 0)
