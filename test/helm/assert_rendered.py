"""The chart's contract, checked on every rendered value set (RENDER_DIR/<set>.yaml):
rollout, probes, restricted security, shutdown timing, spread, credentials, Service, HPA/PDB,
NetworkPolicy, monitoring objects and the helm test hook."""
import math
import os
import sys

import urllib.parse

import yaml

CHART_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "helm", "airflow-mcp")
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)


def load(path):
    return [d for d in yaml.safe_load_all(open(path)) if d]


def one(docs, kind, name_suffix=""):
    found = [d for d in docs if d["kind"] == kind and d["metadata"]["name"].endswith(name_suffix)
             and "helm.sh/hook" not in d["metadata"].get("annotations", {})]
    return found[0] if len(found) == 1 else None


def env_of(container):
    return {e["name"]: e for e in container.get("env", [])}


def check_set(name, docs):
    p = f"[{name}]"
    values = yaml.safe_load(open(os.path.join(CHART_DIR, "values.yaml")))
    if name != "default":
        over = yaml.safe_load(open(os.path.join(CHART_DIR, "ci", f"{name}-values.yaml")))
    else:
        over = {}

    def val(*path, default=None):
        for src in (over, values):
            cur = src
            for k in path:
                if not isinstance(cur, dict) or k not in cur:
                    cur = None
                    break
                cur = cur[k]
            if cur is not None:
                return cur
        return default

    # The one exception: oauth mode's own signing keys, generated in the cluster when no Secret is given.
    kinds = [d["kind"] for d in docs if not (d["kind"] == "Secret" and d["metadata"]["name"].endswith("-oauth-keys"))]
    check("Secret" not in kinds, f"{p} the chart must never render a credential Secret (credentials come from existing ones)")
    if val("auth", "mode") == "oauth":
        keys = [d for d in docs if d["kind"] == "Secret"]
        check(len(keys) == 1 and keys[0]["metadata"]["annotations"].get("helm.sh/resource-policy") == "keep",
              f"{p} oauth mode renders one kept key Secret")
        env = {e["name"]: e for e in one(docs, "Deployment")["spec"]["template"]["spec"]["containers"][0]["env"]}
        check(env.get("MCP_PUBLIC_URL", {}).get("value", "").startswith("https://"), f"{p} oauth mode sets MCP_PUBLIC_URL")
        check("MCP_OAUTH_KEYS_FILE" in env, f"{p} oauth mode sets MCP_OAUTH_KEYS_FILE")
        ing = one(docs, "Ingress")
        if ing is not None:
            paths = {q["path"] for r in ing["spec"]["rules"] for q in r["http"]["paths"]}
            check({"/authorize", "/token", "/register", "/.well-known/oauth-authorization-server",
                   "/.well-known/oauth-protected-resource"} <= paths, f"{p} the ingress routes the sign-in paths")
    dep = one(docs, "Deployment")
    check(dep is not None, f"{p} exactly one Deployment")
    if dep is None:
        return
    spec = dep["spec"]
    pod = spec["template"]["spec"]
    c = pod["containers"][0]
    hpa = one(docs, "HorizontalPodAutoscaler")
    if val("autoscaling", "enabled"):
        check(hpa is not None and hpa["apiVersion"] == "autoscaling/v2", f"{p} HPA autoscaling/v2 when enabled")
        # Never dropped when the HPA is switched on: offline (no lookup of the running Deployment) the
        # chart starts at max(replicaCount, minReplicas); on a cluster it keeps the running count.
        want = max(val("replicaCount"), val("autoscaling", "minReplicas"))
        check(spec.get("replicas") == want, f"{p} Deployment starts at max(replicaCount, minReplicas) = {want} with the HPA")
        if hpa:
            check(hpa["spec"]["scaleTargetRef"]["name"] == dep["metadata"]["name"], f"{p} HPA targets the Deployment")
    else:
        check(hpa is None, f"{p} no HPA when disabled")
        check(spec.get("replicas") == val("replicaCount"), f"{p} replicas = replicaCount")
    if name == "default":
        check(spec.get("replicas") == 3, f"{p} 3 replicas by default")
    ru = spec["strategy"]["rollingUpdate"]
    check(spec["strategy"]["type"] == "RollingUpdate" and ru["maxUnavailable"] == 0 and ru["maxSurge"] == 1,
          f"{p} RollingUpdate maxUnavailable 0, maxSurge 1")

    # probes
    check(c["startupProbe"]["httpGet"]["path"] == "/healthz", f"{p} startup probe on /healthz")
    check(c["readinessProbe"]["httpGet"]["path"] == "/readyz", f"{p} readiness probe on /readyz")
    check(c["livenessProbe"]["httpGet"]["path"] == "/healthz", f"{p} liveness probe on /healthz")
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        check(c[probe]["httpGet"]["port"] == "http", f"{p} {probe} uses the named port")
    check(any(cp["name"] == "http" for cp in c["ports"]), f"{p} container port named http")

    # restricted security
    psc, csc = pod.get("securityContext", {}), c.get("securityContext", {})
    check(psc.get("runAsNonRoot") is True and csc.get("runAsNonRoot") is True, f"{p} runAsNonRoot")
    check(isinstance(csc.get("runAsUser"), int) and csc["runAsUser"] > 0, f"{p} numeric non-root runAsUser")
    check(csc.get("readOnlyRootFilesystem") is True, f"{p} read-only root filesystem")
    check(csc.get("allowPrivilegeEscalation") is False, f"{p} no privilege escalation")
    check(csc.get("capabilities", {}).get("drop") == ["ALL"], f"{p} all capabilities dropped")
    check(psc.get("seccompProfile", {}).get("type") == "RuntimeDefault", f"{p} RuntimeDefault seccomp")
    check(pod.get("automountServiceAccountToken") is False, f"{p} automountServiceAccountToken false")
    check("resources" in c and c["resources"].get("requests"), f"{p} resource requests set")

    # env and credentials
    env = env_of(c)
    check(env.get("REPLICA_NAME", {}).get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") == "metadata.name",
          f"{p} REPLICA_NAME from the pod name (downward API)")
    for secret_env in ("AIRFLOW_AUTH_TOKEN", "AIRFLOW_USERNAME", "AIRFLOW_PASSWORD", "MCP_API_KEYS"):
        if secret_env in env:
            check("secretKeyRef" in env[secret_env].get("valueFrom", {}) and "value" not in env[secret_env],
                  f"{p} {secret_env} only from an existing Secret")
    cm = one(docs, "ConfigMap", dep["metadata"]["name"])
    check(cm is not None, f"{p} settings ConfigMap")
    data = cm["data"] if cm else {}
    for forbidden in ("AIRFLOW_AUTH_TOKEN", "AIRFLOW_PASSWORD", "AIRFLOW_USERNAME", "MCP_API_KEYS"):
        check(forbidden not in data, f"{p} {forbidden} never in the ConfigMap")
    check(any(ef.get("configMapRef", {}).get("name") == cm["metadata"]["name"] for ef in c.get("envFrom", [])) if cm else False,
          f"{p} the container reads the settings ConfigMap")
    mode = val("auth", "mode")
    check(data.get("AIRFLOW_AUTH_MODE") == mode, f"{p} AIRFLOW_AUTH_MODE={mode}")
    if mode == "token":
        check("AIRFLOW_AUTH_TOKEN" in env, f"{p} token mode reads AIRFLOW_AUTH_TOKEN from the Secret")
    if mode == "password":
        check("AIRFLOW_USERNAME" in env and "AIRFLOW_PASSWORD" in env, f"{p} password mode reads user/password from the Secret")
    check(data.get("PORT") == str(c["ports"][0]["containerPort"]), f"{p} PORT matches the container port")
    check(data.get("HOST") == "0.0.0.0", f"{p} listens on all addresses in the pod")
    check("checksum/config" in spec["template"]["metadata"].get("annotations", {}), f"{p} config checksum rolls pods")

    # shutdown: preStop + SHUTDOWN_DELAY_MS + SHUTDOWN_GRACE_MS fit in terminationGracePeriodSeconds
    pre = c.get("lifecycle", {}).get("preStop", {}).get("sleep", {}).get("seconds", 0)
    delay, grace = int(data["SHUTDOWN_DELAY_MS"]), int(data["SHUTDOWN_GRACE_MS"])
    tgps = pod["terminationGracePeriodSeconds"]
    need = pre + math.ceil((delay + grace) / 1000)
    check(tgps >= need, f"{p} terminationGracePeriodSeconds {tgps} >= preStop {pre} + delay/grace {need - pre}")
    check(pre > 0 or val("shutdown", "preStopSleepSeconds") == 0, f"{p} preStop pause present")

    # spread
    tsc = pod.get("topologySpreadConstraints", [])
    if val("topologySpread", "enabled"):
        keys = {t["topologyKey"] for t in tsc}
        check({"kubernetes.io/hostname", "topology.kubernetes.io/zone"} <= keys, f"{p} spread across nodes and zones")
        for t in tsc:
            check(t["labelSelector"]["matchLabels"] == spec["selector"]["matchLabels"] or t["topologyKey"] not in keys,
                  f"{p} spread selects this release's pods")

    # Service
    svc = one(docs, "Service")
    check(svc is not None, f"{p} one Service")
    if svc:
        check(svc["spec"]["type"] == "ClusterIP", f"{p} ClusterIP Service")
        check(svc["spec"].get("sessionAffinity") == "None", f"{p} no session affinity")
        check(svc["spec"]["ports"][0]["name"] == "http" and svc["spec"]["ports"][0]["targetPort"] == "http", f"{p} named port")
        check(svc["spec"]["selector"] == spec["selector"]["matchLabels"], f"{p} Service selects the pods")

    sa = one(docs, "ServiceAccount")
    if val("serviceAccount", "create"):
        check(sa is not None and sa.get("automountServiceAccountToken") is False, f"{p} ServiceAccount without token automount")
        check(pod["serviceAccountName"] == (sa or {}).get("metadata", {}).get("name"), f"{p} pods use the ServiceAccount")
    else:
        check(sa is None and pod["serviceAccountName"] == val("serviceAccount", "name"), f"{p} existing ServiceAccount used")

    pdb = one(docs, "PodDisruptionBudget")
    check((pdb is not None) == bool(val("podDisruptionBudget", "enabled")), f"{p} PDB iff enabled")
    if pdb:
        check(pdb["spec"]["selector"]["matchLabels"] == spec["selector"]["matchLabels"], f"{p} PDB selects the pods")

    np_ = one(docs, "NetworkPolicy")
    check((np_ is not None) == bool(val("networkPolicy", "enabled")), f"{p} NetworkPolicy iff enabled")
    if np_:
        check(set(np_["spec"]["policyTypes"]) == {"Ingress", "Egress"}, f"{p} NetworkPolicy restricts ingress and egress")
        egress_ports = [pt.get("port") for r in np_["spec"]["egress"] for pt in r.get("ports", [])]
        check(53 in egress_ports, f"{p} DNS egress allowed")
        airflow_ports = [pt["port"] for pt in val("networkPolicy", "airflow", "ports")]
        if not airflow_ports:
            # Derived from airflow.url: its port, else 80/443 by scheme.
            cm_env = next((d["data"] for d in docs if d["kind"] == "ConfigMap" and "AIRFLOW_API_URL" in d.get("data", {})), {})
            u = urllib.parse.urlsplit(cm_env.get("AIRFLOW_API_URL", ""))
            airflow_ports = [u.port or (443 if u.scheme == "https" else 80)]
        check(all(ap in egress_ports for ap in airflow_ports), f"{p} Airflow egress ports {airflow_ports} allowed")

    ing = one(docs, "Ingress")
    check((ing is not None) == bool(val("ingress", "enabled")), f"{p} Ingress iff enabled")
    if ing:
        for rule in ing["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                check(path["backend"]["service"]["name"] == svc["metadata"]["name"], f"{p} Ingress routes to the Service")

    sm = one(docs, "ServiceMonitor")
    check((sm is not None) == bool(val("metrics", "serviceMonitor", "enabled")), f"{p} ServiceMonitor iff enabled")
    if sm:
        for k, v in (val("metrics", "serviceMonitor", "labels") or {}).items():
            check(sm["metadata"]["labels"].get(k) == v, f"{p} ServiceMonitor carries extra label {k}")
        check(sm["spec"]["endpoints"][0]["port"] == "http" and sm["spec"]["endpoints"][0]["path"] == "/metrics",
              f"{p} ServiceMonitor scrapes /metrics on the named port")
        check(sm["spec"]["selector"]["matchLabels"] == spec["selector"]["matchLabels"], f"{p} ServiceMonitor selects the Service")
    pr = one(docs, "PrometheusRule")
    check((pr is not None) == bool(val("metrics", "prometheusRule", "enabled")), f"{p} PrometheusRule iff enabled")
    if pr:
        for g in pr["spec"]["groups"]:
            for r in g["rules"]:
                a = r.get("annotations", {})
                check(a.get("summary") and a.get("runbook"), f"{p} alert {r.get('alert')} has a summary and a runbook line")
                check(r.get("labels", {}).get("severity") in ("warning", "critical"), f"{p} alert {r.get('alert')} severity")
    dash = one(docs, "ConfigMap", "-dashboard")
    check((dash is not None) == bool(val("metrics", "dashboard", "enabled")), f"{p} dashboard ConfigMap iff enabled")
    if dash:
        check(dash["metadata"]["labels"].get("grafana_dashboard") == "1", f"{p} dashboard labelled grafana_dashboard: \"1\"")

    cm = one(docs, "ConfigMap", svc["metadata"]["name"][-20:])
    if cm and not val("mcp", "allowedHosts"):
        sname, ns = svc["metadata"]["name"], svc["metadata"]["namespace"]
        hosts = cm["data"].get("ALLOWED_HOSTS", "").split(",")
        want = [sname, f"{sname}.{ns}", f"{sname}.{ns}.svc", f"{sname}.{ns}.svc.cluster.local"]
        if val("ingress", "enabled"):
            want += [h["host"] for h in val("ingress", "hosts") if h.get("host")]
        check(all(h in hosts for h in want), f"{p} ALLOWED_HOSTS names the Service (and Ingress hosts): {hosts}")

    tests = [d for d in docs if "helm.sh/hook" in d["metadata"].get("annotations", {})]
    if val("helmTest", "enabled"):
        check(len(tests) == 1 and tests[0]["metadata"]["annotations"]["helm.sh/hook"] == "test", f"{p} one helm test hook")
        if tests:
            ann, lbl = tests[0]["metadata"]["annotations"], tests[0]["metadata"]["labels"]
            check(ann.get("helm.sh/hook-delete-policy") == "before-hook-creation",
                  f"{p} helm test pod kept until the next run (helm test --logs can read it)")
            sel = spec["selector"]["matchLabels"]
            check(not (sel.items() <= lbl.items()), f"{p} helm test pod not selected by the Service/PDB/NetworkPolicy selector")
            t = tests[0]["spec"]["containers"][0]
            script = t["command"][-1]
            check("initialize" in script and "tools/list" in script and "mcp-session-id" in script,
                  f"{p} helm test sends initialize and tools/list and checks for a session header")
            url = env_of(t)["MCP_URL"]["value"]
            check(f"//{svc['metadata']['name']}." in url and url.endswith(val("mcp", "path")), f"{p} helm test goes through the Service")
            if np_:
                lbl = tests[0]["metadata"]["labels"]
                check(any(peer.get("podSelector", {}).get("matchLabels", {}).items() <= lbl.items() and peer.get("podSelector", {}).get("matchLabels")
                          for peer in np_["spec"]["ingress"][0]["from"]), f"{p} NetworkPolicy lets the helm test in")
    else:
        check(not tests, f"{p} no helm test when disabled")


def main():
    render_dir = sys.argv[1]
    sets = sorted(f[:-5] for f in os.listdir(render_dir) if f.endswith(".yaml"))
    for s in sets:
        before = len(failures)
        check_set(s, load(os.path.join(render_dir, f"{s}.yaml")))
        print(f"{'ok  ' if len(failures) == before else 'FAIL'} {s}")
    for f in failures:
        print("  -", f)
    print(f"{len(sets)} value sets, {len(failures)} contract violations")
    sys.exit(1 if failures or not sets else 0)


if __name__ == "__main__":
    main()
