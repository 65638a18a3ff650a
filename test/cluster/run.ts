// npm run test:cluster: the chart on the running local cluster (npm run cluster:up, image:build first):
// helm life cycle, the multi-replica scenarios through the real ClusterIP Service, Prometheus on live data.
// Prints one JSON line per scenario; exits non-zero if any scenario failed.
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { stringify } from 'yaml';
import type { LoadCredential } from '../../loadtest/harness/load.js';
import {
  cleanupAll,
  firstJsonLine,
  installExitHandlers,
  startChild,
  TSX,
} from '../../loadtest/harness/procs.js';
import { legacyFlow, runFlowAsync } from '../../loadtest/lib/scenarios.js';
import * as steps from './helm-steps.js';
import { FACTS, kubectl, kubectlJson, run, sleep, waitPods } from './kube.js';
import { runScenario, type Target, type Upstream } from './load-scenarios.js';
import { dashboardQueries, query, rules, SCRAPE_SECONDS, startPrometheus } from './prometheus.js';
import { findAirflow, realAirflowScenario } from './real-airflow.js';
import { deployStateful, removeStateful } from './stateful.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '3000' },
    users: { type: 'string', default: '60' },
    concurrency: { type: 'string', default: '24' },
    namespace: { type: 'string', default: 'amcp-test' },
  },
});
const NS = values.namespace!;
const RELEASE = 'amcp';
const SERVICE = `${RELEASE}-airflow-mcp`;
const SELECTOR = `app.kubernetes.io/name=airflow-mcp,app.kubernetes.io/instance=${RELEASE}`;
const REQUESTS = Number(values.requests);
const CONCURRENCY = Number(values.concurrency);
const lines: Record<string, unknown>[] = [];
const problems: string[] = [];

function log(msg: string): void {
  process.stderr.write(`[test:cluster ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}
function fail(why: string[], msg: string): void {
  why.push(msg);
  log(`problem: ${msg.slice(0, 800)}`);
}
function emit(line: Record<string, unknown>, ok: boolean, why: string[] = []): void {
  lines.push(line);
  process.stdout.write(`${JSON.stringify(line)}\n`);
  if (!ok) problems.push(`${String(line.scenario)}: ${why.join('; ') || 'failed'}`);
}
async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  const v = await fn();
  log(`${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return v;
}

async function preflight(): Promise<string> {
  const node = await run('kubectl', [
    'get',
    'nodes',
    '-o',
    'jsonpath={.items[*].status.conditions[?(@.type=="Ready")].status}',
  ]);
  if (node.code !== 0 || !node.stdout.includes('True'))
    throw new Error('no Ready node: run `npm run cluster:up` first');
  const version = JSON.parse(await kubectl(['version', '-o', 'json'])).serverVersion.gitVersion as string;
  const image = `docker.io/library/airflow-mcp:${(await import('../../package.json', { with: { type: 'json' } })).default.version}`;
  const imgs = await run('ctr', [
    '--address',
    `${FACTS.CLUSTER_RUN}/containerd.sock`,
    '-n',
    'k8s.io',
    'images',
    'ls',
    '-q',
  ]);
  if (!imgs.stdout.split('\n').includes(image))
    throw new Error(`${image} is not in the node's containerd: run \`npm run image:build\``);
  log(`cluster ${version}, image ${image}`);
  return image;
}

/** A few requests the load never makes, so the dashboard's stale-session and auth-failure panels have data. */
async function edgeTraffic(t: Target): Promise<void> {
  const send = async (step: { headers: Record<string, string>; body: string }) => {
    const res = await request(`http://${t.clusterIp}:${t.port}/mcp`, {
      method: 'POST',
      headers: { ...step.headers, host: `${t.service}.${t.ns}.svc` },
      body: step.body,
      reset: true,
    });
    return { status: res.statusCode, headers: res.headers as never, body: await res.body.text() };
  };
  // A Host outside the chart's ALLOWED_HOSTS (the Service's names) is refused: rejected_requests_total{reason="host"}.
  let foreignHost = 0;
  for (let i = 0; i < 5; i++) {
    const res = await request(`http://${t.clusterIp}:${t.port}/mcp`, {
      method: 'POST',
      headers: {
        host: 'attacker.example',
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
      reset: true,
    });
    await res.body.text();
    if (res.statusCode === 403) foreignHost++;
  }
  if (foreignHost !== 5) throw new Error(`a foreign Host header was accepted (${5 - foreignHost} of 5)`);
  for (let i = 0; i < 10; i++) {
    await runFlowAsync(
      legacyFlow({ authorization: 'Bearer not-a-valid-airflow-token', whoami: false, continueOnError: true }),
      send,
    );
    await runFlowAsync(
      legacyFlow({
        authorization: 'Bearer x',
        whoami: false,
        staleSessionId: 'stale-session-from-another-replica',
        continueOnError: true,
      }),
      send,
    );
  }
}

async function main(): Promise<void> {
  const image = await preflight();
  await run('helm', ['uninstall', RELEASE, '-n', NS, '--wait'], 120_000);
  await run('kubectl', ['delete', 'namespace', NS, '--wait=true', '--timeout=120s'], 150_000);

  // Airflow for the pods: the simulator (enforced JWTs, one per user) on the node's bridge address.
  const sim = startChild('simulator', TSX, [
    'loadtest/harness/sim-child.ts',
    '--host',
    FACTS.NODE_IP!,
    '--users',
    values.users!,
  ]);
  const simInfo = await firstJsonLine<{ url: string; port: number; tokens: Record<string, string> }>(
    sim,
    60_000,
  );
  const credentials: LoadCredential[] = Object.entries(simInfo.tokens).map(([user, token]) => ({
    user,
    authorization: `Bearer ${token}`,
  }));
  const up: Upstream = { simUrl: simInfo.url, credentials };
  log(`Airflow simulator at ${simInfo.url} (${credentials.length} users)`);

  // helm: the CRD guard, then install as a user would, helm test, chart fixes on the live objects.
  const helmLine: Record<string, unknown> = { scenario: 'helm' };
  const helmWhy: string[] = [];
  if (!(await steps.crdsPresent())) {
    helmLine.crd_guard = await steps.crdGuardRefuses(RELEASE, NS, simInfo.url);
    if (!helmLine.crd_guard) fail(helmWhy, 'install without the CRDs did not fail with the guard message');
    await timed('prometheus-operator CRDs applied', steps.installMonitoringCrds);
  }
  helmLine.install = await timed('helm install --wait', () => steps.install(RELEASE, NS, simInfo.url)).then(
    () => true,
    (e) => {
      fail(helmWhy, String(e));
      return false;
    },
  );
  const test = await timed('helm test --logs', () => steps.helmTest(RELEASE, NS));
  helmLine.test = test.ok;
  helmLine.test_logs = test.logs;
  if (!test.ok || !test.logs) fail(helmWhy, `helm test: ${test.output.slice(-400)}`);
  const unselected = await steps.testPodUnselected(RELEASE, NS, SELECTOR);
  helmLine.test_pod_unselected = unselected === undefined;
  if (unselected) fail(helmWhy, unselected);
  const np = await kubectlJson<{ spec: { egress: { ports?: { port: number | string }[] }[] } }>([
    '-n',
    NS,
    'get',
    'networkpolicy',
    SERVICE,
  ]);
  helmLine.networkpolicy_airflow_port = np.spec.egress.some((r) =>
    r.ports?.some((p) => Number(p.port) === simInfo.port),
  );
  const podsNow = await waitPods(NS, SELECTOR, 3);
  const startLog = await kubectl(['-n', NS, 'logs', podsNow[0]!.name]);
  helmLine.startup_log_names_bind = /"url":"http:\/\/0\.0\.0\.0:8000\/mcp"/.test(startLog);

  const svc = await kubectlJson<{ spec: { clusterIP: string } }>(['-n', NS, 'get', 'service', SERVICE]);
  const target: Target = {
    ns: NS,
    service: SERVICE,
    selector: SELECTOR,
    clusterIp: svc.spec.clusterIP,
    port: 8000,
  };
  log(`Service ${SERVICE} at ClusterIP ${target.clusterIp}:8000 (kube-proxy, iptables)`);

  const rule = await kubectlJson<{ spec: unknown }>(['-n', NS, 'get', 'prometheusrule', SERVICE]);
  const prom = await startPrometheus(NS, stringify(rule.spec));
  try {
    await sleep(3 * SCRAPE_SECONDS * 1000);
    const forwardedInProm = async () => {
      const r = await query(
        `sum by (path) (airflow_mcp_auth_forwarding_total{namespace="${NS}", job="${SERVICE}"})`,
      );
      return Object.fromEntries(r.map((s) => [s.metric.path!, Number(s.value[1])]));
    };
    const promBefore = await forwardedInProm();

    const normal = await timed('scenario normal', () =>
      runScenario(target, up, {
        name: 'normal',
        requests: REQUESTS,
        concurrency: CONCURRENCY,
        forwarding: true,
        minShare: 0.2,
      }),
    );
    emit(
      normal.line,
      normal.ok && normal.line.replicas_serving === 3,
      normal.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`),
    );
    await sleep(3 * SCRAPE_SECONDS * 1000);
    const promAfter = await forwardedInProm();
    const promDelta: Record<string, number> = {};
    for (const k of new Set([...Object.keys(promAfter), ...Object.keys(promBefore)])) {
      const d = (promAfter[k] ?? 0) - (promBefore[k] ?? 0);
      if (d) promDelta[k] = d;
    }

    const stateful = await timed('stateful control deployed', () => deployStateful(NS, image));
    const control = await timed('scenario control-stateful', () =>
      runScenario({ ...target, ...stateful }, up, {
        name: 'control-stateful',
        requests: 600,
        concurrency: CONCURRENCY,
        control: true,
      }),
    );
    emit(control.line, control.ok, [
      'the stateful control produced no session error: the check cannot be trusted',
    ]);
    await removeStateful(NS);

    const rolling = await timed('scenario rolling', () =>
      runScenario(target, up, {
        name: 'rolling',
        requests: 600,
        concurrency: CONCURRENCY,
        during: async () => {
          await sleep(1000);
          await kubectl(['-n', NS, 'rollout', 'restart', `deployment/${SERVICE}`]);
          await kubectl(['-n', NS, 'rollout', 'status', `deployment/${SERVICE}`, '--timeout=240s'], 250_000);
          await waitPods(NS, SELECTOR, 3, 120_000);
        },
      }),
    );
    emit(
      rolling.line,
      rolling.ok,
      rolling.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`),
    );

    const scale = await timed('scenario scale 3→5→2', () =>
      runScenario(target, up, {
        name: 'scale',
        requests: 600,
        concurrency: CONCURRENCY,
        during: async () => {
          await sleep(1000);
          await kubectl(['-n', NS, 'scale', `deployment/${SERVICE}`, '--replicas=5']);
          await waitPods(NS, SELECTOR, 5, 120_000);
          await sleep(3000);
          await kubectl(['-n', NS, 'scale', `deployment/${SERVICE}`, '--replicas=2']);
          await waitPods(NS, SELECTOR, 2, 120_000);
        },
      }),
    );
    emit(
      { ...scale.line, path: '3->5->2' },
      scale.ok,
      scale.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`),
    );
    await kubectl(['-n', NS, 'scale', `deployment/${SERVICE}`, '--replicas=3']);
    await waitPods(NS, SELECTOR, 3, 120_000);

    // Prometheus: every dashboard expression and alert rule on the live data.
    await edgeTraffic(target);
    await sleep(3 * SCRAPE_SECONDS * 1000);
    const queries = dashboardQueries(NS, SERVICE);
    const empty: string[] = [];
    let withData = 0;
    for (const q of queries) {
      const r = await query(q.expr).catch((e) => {
        empty.push(`${q.title}: ${String(e)}`);
        return [];
      });
      if (r.length > 0) withData++;
      else if (!empty.some((e) => e.startsWith(q.title))) empty.push(q.title);
    }
    const health = await rules();
    const sent = normal.forwarded;
    const fwdOk =
      Object.keys({ ...sent, ...promDelta }).every((k) => (sent[k] ?? 0) === (promDelta[k] ?? 0)) &&
      Object.keys(sent).length > 0;
    const promLine = {
      scenario: 'prometheus',
      queries: queries.length,
      queries_with_data: withData,
      rules_loaded: health.loaded,
      rules_healthy: health.healthy,
      forwarding_matches_runner: fwdOk,
    };
    emit(
      promLine,
      withData === queries.length && health.loaded > 0 && health.healthy === health.loaded && fwdOk,
      [
        ...empty.map((e) => `no data: ${e}`),
        ...health.errors,
        ...(fwdOk
          ? []
          : [
              `auth_forwarding_total in Prometheus moved ${JSON.stringify(promDelta)}, the runner sent ${JSON.stringify(sent)}`,
            ]),
      ],
    );
  } finally {
    await prom.stop();
  }

  const hpa = await timed('upgrades around the HPA', () =>
    steps.hpaSwitchKeepsReplicas(RELEASE, NS, SELECTOR),
  ).catch((e) => ({ ok: false, metricsApi: false, detail: String(e) }));
  log(`HPA: ${hpa.detail}`);
  helmLine.upgrade = hpa.ok;
  helmLine.hpa_metrics_api = hpa.metricsApi;
  if (!hpa.ok) fail(helmWhy, hpa.detail);
  const un = await timed('helm uninstall', () => steps.uninstallClean(RELEASE, NS)).catch((e) => ({
    ok: false,
    left: [String(e)],
  }));
  helmLine.uninstall_clean = un.ok;
  if ('testPodKept' in un) helmLine.test_pod_left_by_helm = un.testPodKept;
  if (!un.ok) fail(helmWhy, `left after uninstall: ${un.left.join(', ')}`);
  const helmOk =
    [
      'install',
      'test',
      'test_logs',
      'test_pod_unselected',
      'upgrade',
      'uninstall_clean',
      'networkpolicy_airflow_port',
      'startup_log_names_bind',
    ].every((k) => helmLine[k] === true) && helmLine.crd_guard !== false;
  emit(helmLine, helmOk, helmWhy);

  // The real Airflow 3 of the e2e suite, when it runs (npm run airflow:up): reached from the pods.
  const af = await findAirflow();
  if (af) {
    const real = await timed('scenario airflow (real Airflow)', () => realAirflowScenario(NS, af));
    emit(real.line, real.ok, real.why);
  } else {
    log('real Airflow not running on 127.0.0.1:9091 (npm run airflow:up): scenario airflow skipped');
  }
  await run('kubectl', ['delete', 'namespace', NS, '--wait=true', '--timeout=120s'], 150_000);
}

installExitHandlers();
let code = 1;
try {
  await main();
  code = problems.length === 0 ? 0 : 1;
  for (const p of problems) log(`FAIL ${p}`);
  log(
    problems.length === 0
      ? `all ${lines.length} scenarios passed`
      : `${problems.length} of ${lines.length} scenarios failed`,
  );
} catch (error) {
  log(`failed: ${(error as Error).stack ?? String(error)}`);
} finally {
  await cleanupAll();
}
process.exit(code);
