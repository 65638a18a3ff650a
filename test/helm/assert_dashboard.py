"""The dashboard shows what the issue asks for: each requirement is a regex over a panel's
queries (and, where it matters, how the panel is drawn)."""
import json
import re
import sys

dash = json.load(open(sys.argv[1]))
panels = []


def walk(ps):
    for p in ps or []:
        panels.append(p)
        walk(p.get("panels"))


walk(dash["panels"])

REQUIRED = [
    ("request rate by RPC method", r"sum by \(rpc_method\) \(rate\(airflow_mcp_rpc_requests_total", None),
    ("request rate by tool", r"sum by \(tool\) \(rate\(airflow_mcp_tool_calls_total", None),
    ("tool latency p50", r"histogram_quantile\(0\.5, .*airflow_mcp_tool_call_duration_seconds_bucket", None),
    ("tool latency p95", r"histogram_quantile\(0\.95, .*airflow_mcp_tool_call_duration_seconds_bucket", None),
    ("tool latency p99", r"histogram_quantile\(0\.99, .*airflow_mcp_tool_call_duration_seconds_bucket", None),
    ("token-forwarding paths, stacked", r"sum by \(path\) \(rate\(airflow_mcp_auth_forwarding_total", "stacked"),
    ("upstream status classes", r"sum by \(status_class\) \(rate\(airflow_mcp_upstream_requests_total", None),
    ("upstream latency", r"histogram_quantile\(.*airflow_mcp_upstream_request_duration_seconds_bucket", None),
    ("upstream auth failures", r"rate\(airflow_mcp_upstream_auth_failures_total", None),
    ("in-flight requests", r"airflow_mcp_inflight_requests", None),
    ("rejected requests", r"rate\(airflow_mcp_rejected_requests_total", None),
    ("per-replica share of traffic", r"sum by \(pod\) \(rate\(airflow_mcp_http_requests_total.*\) / scalar\(sum\(rate\(airflow_mcp_http_requests_total", None),
    ("replicas up", r"\bup\{", None),
]
failed = 0
for name, pattern, style in REQUIRED:
    hits = [p for p in panels if any(re.search(pattern, t.get("expr", "")) for t in p.get("targets", []))]
    if style == "stacked":
        hits = [p for p in hits if p.get("fieldConfig", {}).get("defaults", {}).get("custom", {}).get("stacking", {}).get("mode") == "normal"]
    ok = bool(hits)
    failed += not ok
    print(f"{'ok  ' if ok else 'FAIL'} {name}: {', '.join(repr(p['title']) for p in hits) or 'no panel'}")

# Every query is scoped to the chosen namespace and service, so two releases never mix.
for p in panels:
    for t in p.get("targets", []):
        for sel in re.findall(r"[a-z_:]+\{([^}]*)\}", t.get("expr", "")):
            if 'namespace="$namespace"' not in sel or 'job="$job"' not in sel:
                failed += 1
                print(f"FAIL panel {p['title']!r}: selector {{{sel}}} is not scoped to $namespace/$job")
ids = [p["id"] for p in panels]
if len(ids) != len(set(ids)):
    failed += 1
    print("FAIL panel ids are not unique")
if dash.get("uid") != "airflow-mcp" or not any(v["name"] == "datasource" for v in dash["templating"]["list"]):
    failed += 1
    print("FAIL dashboard needs uid airflow-mcp and a datasource variable")
print(f"{len(REQUIRED)} requirements, {len(panels)} panels, {failed} problems")
sys.exit(1 if failed else 0)
