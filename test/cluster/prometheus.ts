// Prometheus (Debian's package) scraping the release with Kubernetes service discovery, like its ServiceMonitor.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { request } from 'undici';
import { FACTS, ROOT, sleep, waitFor } from './kube.js';

const LISTEN = '127.0.0.1:19090';
export const PROM_URL = `http://${LISTEN}`;
export const SCRAPE_SECONDS = 5;

export interface Prometheus {
  child: ChildProcess;
  stop(): Promise<void>;
}

/** The ServiceMonitor's selection, as plain scrape config: the Service's "http" endpoints, job = Service name. */
function config(ns: string, rulesFile: string): string {
  const pki = resolve(FACTS.CLUSTER_STATE!, 'pki');
  return `global:
  scrape_interval: ${SCRAPE_SECONDS}s
  evaluation_interval: ${SCRAPE_SECONDS}s
rule_files: [${JSON.stringify(rulesFile)}]
scrape_configs:
  - job_name: airflow-mcp-servicemonitor
    metrics_path: /metrics
    kubernetes_sd_configs:
      - role: endpoints
        api_server: https://${FACTS.NODE_IP}:6443
        namespaces: { names: [${JSON.stringify(ns)}] }
        tls_config: { ca_file: ${pki}/ca.crt, cert_file: ${pki}/admin.crt, key_file: ${pki}/admin.key }
    relabel_configs:
      - { source_labels: [__meta_kubernetes_service_label_app_kubernetes_io_name], regex: airflow-mcp, action: keep }
      - { source_labels: [__meta_kubernetes_endpoint_port_name], regex: http, action: keep }
      - { source_labels: [__meta_kubernetes_namespace], target_label: namespace }
      - { source_labels: [__meta_kubernetes_service_name], target_label: job }
      - { source_labels: [__meta_kubernetes_service_name], target_label: service }
      - { source_labels: [__meta_kubernetes_pod_name], target_label: pod }
`;
}

export async function startPrometheus(ns: string, rulesYaml: string): Promise<Prometheus> {
  const dir = resolve(FACTS.CLUSTER_STATE!, 'prometheus');
  mkdirSync(resolve(dir, 'data'), { recursive: true });
  writeFileSync(resolve(dir, 'rules.yaml'), rulesYaml);
  writeFileSync(resolve(dir, 'prometheus.yml'), config(ns, resolve(dir, 'rules.yaml')));
  const child = spawn(
    'prometheus',
    [
      `--config.file=${resolve(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${resolve(dir, 'data')}`,
      `--web.listen-address=${LISTEN}`,
      '--log.level=warn',
    ],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.on('data', (d) => {
    log = (log + String(d)).slice(-4000);
  });
  await waitFor('Prometheus ready', 60_000, async () => {
    if (child.exitCode !== null) throw new Error(`prometheus exited: ${log}`);
    const res = await request(`${PROM_URL}/-/ready`);
    await res.body.text();
    return res.statusCode === 200 ? true : undefined;
  });
  return {
    child,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      for (let i = 0; i < 50 && child.exitCode === null; i++) await sleep(100);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

export async function query(expr: string, at?: number): Promise<Sample[]> {
  const params = new URLSearchParams({ query: expr });
  if (at !== undefined) params.set('time', String(at));
  const res = await request(`${PROM_URL}/api/v1/query?${params}`, { headersTimeout: 10_000 });
  const body = (await res.body.json()) as {
    status: string;
    error?: string;
    data?: { resultType: string; result: Sample[] | [number, string] };
  };
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
  const r = body.data!.result;
  if (body.data!.resultType === 'scalar') return [{ metric: {}, value: r as [number, string] }];
  return r as Sample[];
}

export interface RuleHealth {
  loaded: number;
  healthy: number;
  errors: string[];
}

export async function rules(): Promise<RuleHealth> {
  const res = await request(`${PROM_URL}/api/v1/rules`);
  const body = (await res.body.json()) as {
    data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] };
  };
  const all = body.data.groups.flatMap((g) => g.rules);
  return {
    loaded: all.length,
    healthy: all.filter((r) => r.health === 'ok').length,
    errors: all.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`),
  };
}

/** Every expression of the chart's dashboard, Grafana variables filled in for this release. */
export function dashboardQueries(ns: string, job: string): { title: string; expr: string }[] {
  type Panel = { title?: string; targets?: { expr?: string }[]; panels?: Panel[] };
  const dash = JSON.parse(
    readFileSync(resolve(ROOT, 'helm/airflow-mcp/dashboards/airflow-mcp.json'), 'utf8'),
  ) as { panels: Panel[] };
  const out: { title: string; expr: string }[] = [];
  const walk = (panels: Panel[]) => {
    for (const p of panels) {
      for (const t of p.targets ?? []) {
        if (!t.expr) continue;
        const expr = t.expr
          .replaceAll('$__rate_interval', '1m')
          .replaceAll('$__interval', '15s')
          .replaceAll('$__range', '10m')
          .replace(/\$\{?namespace\}?/g, ns)
          .replace(/\$\{?job\}?/g, job);
        out.push({ title: p.title ?? '(untitled)', expr });
      }
      walk(p.panels ?? []);
    }
  };
  walk(dash.panels);
  return out;
}
