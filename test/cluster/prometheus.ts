// Prometheus (Debian's package) scraping the release's pods as its ServiceMonitor selects them, discovered live.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { request } from 'undici';
import { FACTS, kubectl, ROOT, sleep, waitFor } from './kube.js';

const LISTEN = '127.0.0.1:19090';
export const PROM_URL = `http://${LISTEN}`;
export const SCRAPE_SECONDS = 5;

export interface Prometheus {
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Debian's Prometheus is built without kubernetes_sd_configs, so discovery comes through http_sd_configs
 * from a small endpoint here that lists the Service's ready EndpointSlice addresses on the port named
 * "http" — the selection a ServiceMonitor makes — with job = Service name, as the Operator sets it.
 */
function config(sdUrl: string, rulesFile: string): string {
  return `global:
  scrape_interval: ${SCRAPE_SECONDS}s
  evaluation_interval: ${SCRAPE_SECONDS}s
rule_files: [${JSON.stringify(rulesFile)}]
scrape_configs:
  - job_name: airflow-mcp-servicemonitor
    metrics_path: /metrics
    http_sd_configs:
      - url: ${sdUrl}
        refresh_interval: ${SCRAPE_SECONDS}s
`;
}

interface SliceList {
  items: {
    metadata: { labels?: Record<string, string> };
    ports?: { name?: string; port?: number }[];
    endpoints?: { addresses: string[]; conditions?: { ready?: boolean }; targetRef?: { name: string } }[];
  }[];
}

/** Targets of every Service labelled app.kubernetes.io/name=airflow-mcp in the namespace, from its EndpointSlices. */
async function discover(ns: string): Promise<unknown[]> {
  const services = JSON.parse(
    await kubectl(['-n', ns, 'get', 'services', '-l', 'app.kubernetes.io/name=airflow-mcp', '-o', 'json']),
  ) as { items: { metadata: { name: string } }[] };
  const groups: unknown[] = [];
  for (const svc of services.items) {
    const name = svc.metadata.name;
    const slices = JSON.parse(
      await kubectl([
        '-n',
        ns,
        'get',
        'endpointslices',
        '-l',
        `kubernetes.io/service-name=${name}`,
        '-o',
        'json',
      ]),
    ) as SliceList;
    for (const slice of slices.items) {
      const port = slice.ports?.find((p) => p.name === 'http')?.port;
      if (!port) continue;
      for (const ep of slice.endpoints ?? []) {
        if (ep.conditions?.ready === false) continue;
        groups.push({
          targets: ep.addresses.map((a) => `${a}:${port}`),
          labels: { namespace: ns, job: name, service: name, pod: ep.targetRef?.name ?? '' },
        });
      }
    }
  }
  return groups;
}

export async function startPrometheus(ns: string, rulesYaml: string): Promise<Prometheus> {
  const dir = resolve(FACTS.CLUSTER_STATE!, 'prometheus');
  // A fresh TSDB each run: an earlier run's series (same job and namespace) would still answer queries.
  rmSync(resolve(dir, 'data'), { recursive: true, force: true });
  mkdirSync(resolve(dir, 'data'), { recursive: true });
  writeFileSync(resolve(dir, 'rules.yaml'), rulesYaml);
  const sd = createServer((_req, res) => {
    discover(ns).then(
      (groups) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(groups));
      },
      () => {
        res.statusCode = 503;
        res.end();
      },
    );
  });
  await new Promise<void>((r) => sd.listen(0, '127.0.0.1', r));
  const sdUrl = `http://127.0.0.1:${(sd.address() as AddressInfo).port}/targets`;
  writeFileSync(resolve(dir, 'prometheus.yml'), config(sdUrl, resolve(dir, 'rules.yaml')));
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
      sd.close();
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
