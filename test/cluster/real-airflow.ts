// The real Airflow 3 of the e2e suite (npm run airflow:up, on 127.0.0.1:9091) reached from the pods: a
// relay on the node's bridge address, a release pointed at it, MCP calls with a real Airflow JWT.
import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'undici';
import { runLoad } from '../../loadtest/harness/load.js';
import { CHART, VALUES } from './helm-steps.js';
import { FACTS, helm, kubectlJson, run, sleep, waitFor } from './kube.js';

export interface AirflowE2e {
  port: number;
  version: string;
}

/** The running e2e Airflow (`npm run airflow:up`; AIRFLOW_E2E_PORT, default 9091), if it answers. */
export async function findAirflow(): Promise<AirflowE2e | undefined> {
  const port = Number(process.env.AIRFLOW_E2E_PORT ?? 9091);
  try {
    const res = await request(`http://127.0.0.1:${port}/api/v2/version`, { headersTimeout: 3000 });
    const body = (await res.body.json()) as { version?: string };
    return res.statusCode === 200 ? { port, version: body.version ?? '?' } : undefined;
  } catch {
    return undefined;
  }
}

/** socat from the node's address to Airflow on loopback, so pods reach it over the pod network. */
function relay(port: number): ChildProcess {
  return spawn(
    'socat',
    [`TCP-LISTEN:${port},bind=${FACTS.NODE_IP},fork,reuseaddr`, `TCP:127.0.0.1:${port}`],
    {
      stdio: 'ignore',
    },
  );
}

async function token(port: number): Promise<string> {
  const res = await request(`http://127.0.0.1:${port}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'admin' }),
  });
  const body = (await res.body.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`Airflow /auth/token answered ${res.statusCode}`);
  return body.access_token;
}

export async function realAirflowScenario(
  ns: string,
  af: AirflowE2e,
): Promise<{ line: Record<string, unknown>; ok: boolean; why: string[] }> {
  const release = 'amcp-af';
  const svcName = `${release}-airflow-mcp`;
  const url = `http://${FACTS.NODE_IP}:${af.port}`;
  const why: string[] = [];
  const socat = relay(af.port);
  try {
    await sleep(500);
    await helm(
      [
        'install',
        release,
        CHART,
        '-n',
        ns,
        '--create-namespace',
        '-f',
        VALUES,
        '--set',
        `airflow.url=${url}`,
        '--set',
        'metrics.serviceMonitor.enabled=false',
        '--set',
        'metrics.prometheusRule.enabled=false',
        '--set',
        'replicaCount=2',
        '--wait',
        '--timeout',
        '180s',
      ],
      200_000,
    );
    const test = await run('helm', ['test', release, '-n', ns, '--logs', '--timeout', '120s'], 150_000);
    if (test.code !== 0) why.push(`helm test: ${(test.stdout + test.stderr).slice(-300)}`);
    const svc = await kubectlJson<{ spec: { clusterIP: string } }>(['-n', ns, 'get', 'service', svcName]);
    const authorization = `Bearer ${await token(af.port)}`;
    // Readiness reports Airflow reachable from inside the pod once its probe has run.
    const ready = await waitFor('a pod sees Airflow', 60_000, async () => {
      const res = await request(`http://${svc.spec.clusterIP}:8000/readyz`, { reset: true });
      const body = await res.body.text();
      return /"reachable":\s*true/.test(body) ? body : undefined;
    }).catch((e) => {
      why.push(String(e));
      return '';
    });
    const load = await runLoad({
      url: `http://${svc.spec.clusterIP}:8000/mcp`,
      headers: { host: `${svcName}.${ns}.svc` },
      credentials: [{ user: 'admin', authorization }],
      requests: 200,
      concurrency: 4,
      deadlineMs: 120_000,
      newConnections: true,
      whoami: false,
      eras: ['legacy', 'modern'],
      runId: `af${process.pid}`,
    });
    if (load.failed > 0)
      why.push(
        `${load.failed} failed: ${load.failures
          .slice(0, 2)
          .map((f) => f.reason)
          .join('; ')}`,
      );
    const line = {
      scenario: 'airflow',
      airflow_version: af.version,
      airflow_url: url,
      helm_test: test.code === 0,
      pods_reach_airflow: ready !== '',
      requests: load.requests,
      failed: load.failed,
      replicas_serving: Object.keys(load.byReplica).length,
    };
    await run('helm', ['uninstall', release, '-n', ns, '--wait'], 120_000);
    return { line, ok: why.length === 0, why };
  } finally {
    socat.kill('SIGTERM');
  }
}
