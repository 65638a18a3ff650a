// npm run verify:replicas: N replicas behind a balancer, many users, both eras; proves no session errors,
// no crossed identities, even spread, exact forwarding counts; --rolling restarts replicas under load;
// --control-stateful runs a stateful SDK server instead and must catch session errors.
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { type Check, checkIdentity, judge, type SimCall, shares, sumPaths } from './harness/checks.js';
import { EndpointsController, type RotationTarget } from './harness/controller.js';
import { type ConnectionFront, startConnectionFront } from './harness/kube-proxy.js';
import { type LoadCredential, percentile, runLoad } from './harness/load.js';
import { freePort, setupNetwork } from './harness/network.js';
import { type Backend, ensureNginx, NginxFront } from './harness/nginx.js';
import { cleanupAll, firstJsonLine, installExitHandlers, sleep, startChild, TSX } from './harness/procs.js';
import {
  buildService,
  type Replica,
  type ReplicaLauncher,
  scrapeMetrics,
  startReplica,
} from './harness/replicas.js';
import { rollingRestart } from './harness/rolling.js';
import { LEGACY_PROTOCOL_VERSIONS } from './lib/protocol.js';
import { legacyFlow, runFlowAsync } from './lib/scenarios.js';

const { values } = parseArgs({
  options: {
    replicas: { type: 'string', default: '3' },
    requests: { type: 'string', default: '600' },
    concurrency: { type: 'string', default: '24' },
    users: { type: 'string', default: '60' },
    lb: { type: 'string', default: 'nginx' },
    'control-stateful': { type: 'boolean', default: false },
    rolling: { type: 'boolean', default: false },
    'no-netns': { type: 'boolean', default: false },
    'new-connections': { type: 'boolean' },
    'timeout-s': { type: 'string', default: '150' },
    'min-share': { type: 'string', default: '0.2' },
    'shutdown-delay-ms': { type: 'string', default: '3000' },
    whoami: { type: 'string', default: 'auto' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  process.stdout.write(
    'Usage: npm run verify:replicas -- [--replicas 3] [--requests 600] [--concurrency 24] [--users 60]\n' +
      '  [--lb nginx|kube-proxy|tcp-proxy] [--rolling] [--control-stateful] [--no-netns]\n' +
      '  [--new-connections] [--timeout-s 150] [--min-share 0.2] [--whoami auto|on|off]\n',
  );
  process.exit(0);
}

const N = Number(values.replicas);
const REQUESTS = Number(values.requests);
const CONCURRENCY = Number(values.concurrency);
const USERS = Number(values.users);
const CONTROL = values['control-stateful'];
const ROLLING = values.rolling;
const LB = values.lb;
const DEADLINE_MS = Number(values['timeout-s']) * 1000;
if (![N, REQUESTS, CONCURRENCY, USERS].every((n) => Number.isInteger(n) && n > 0) || N < 2) {
  process.stderr.write(
    '--replicas (>= 2), --requests, --concurrency and --users must be positive integers\n',
  );
  process.exit(2);
}
if (!['nginx', 'kube-proxy', 'tcp-proxy'].includes(LB)) {
  process.stderr.write(`--lb must be nginx, kube-proxy or tcp-proxy (got ${LB})\n`);
  process.exit(2);
}
if (CONTROL && ROLLING) {
  process.stderr.write('--control-stateful and --rolling are separate runs\n');
  process.exit(2);
}
// A per-connection balancer only spreads load across connections: open one per request, like k6 NEW_CONNECTIONS=1.
// Rolling: also one per request, as k6 rolling.ts does: an nginx reload closes idle client keep-alive
// connections, racing a client that reuses one (ingress-nginx avoids the reload with its Lua balancer).
const NEW_CONNECTIONS = values['new-connections'] ?? (LB !== 'nginx' || ROLLING);
// Shares of 1/N can't reach 20% beyond 4 replicas; hold them to 80% of an even share then.
const MIN_SHARE = Math.min(Number(values['min-share']), 0.8 / N);

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function simCalls(simUrl: string, since: number): Promise<{ calls: SimCall[]; next: number }> {
  const res = await request(`${simUrl}/_sim/calls?since=${since}`, { headersTimeout: 10_000 });
  const body = (await res.body.json()) as { calls?: SimCall[]; next: number };
  return { calls: body.calls ?? [], next: body.next };
}

async function main(): Promise<number> {
  const t0 = Date.now();
  const kind = CONTROL ? 'stateful' : 'service';
  const network = await setupNetwork(N, !values['no-netns']);
  log(
    `network: ${network.mode === 'netns' ? `a network namespace per replica on a bridge (${network.simHost}/24)` : `127.0.0.x addresses (${network.fallbackReason})`}`,
  );

  const sim = startChild('simulator', TSX, [
    'loadtest/harness/sim-child.ts',
    '--host',
    network.simHost,
    '--users',
    String(USERS),
  ]);
  const simReady = firstJsonLine<{ url: string; tokens: Record<string, string> }>(sim, 60_000);
  const entry =
    kind === 'service' ? await buildService() : { command: '', args: [], how: 'stateful fixture' };
  const simInfo = await simReady;
  const credentials: LoadCredential[] = Object.entries(simInfo.tokens).map(([user, token]) => ({
    user,
    authorization: `Bearer ${token}`,
  }));
  log(`simulator: ${simInfo.url} (enforced JWTs, ${credentials.length} users); replicas run ${entry.how}`);

  const frontHost = '127.0.0.1';
  const launcher: ReplicaLauncher = {
    kind,
    simUrl: simInfo.url,
    shutdownDelayMs: Number(values['shutdown-delay-ms']),
    allowedHosts: ['localhost', frontHost, network.virtualIp, ...network.slots.map((s) => s.host)],
    entry,
  };
  const prefix = kind === 'service' ? 'replica' : 'stateful';
  const replicas: Replica[] = await Promise.all(
    network.slots.map((slot, i) => startReplica(launcher, `${prefix}-${i}`, slot, 0)),
  );
  const backends = (): Backend[] => replicas.map((r) => ({ name: r.name, slot: r.slot }));
  log(`replicas: ${replicas.map((r) => `${r.name}@${r.slot.host}:${r.slot.port}`).join(', ')}`);

  let target: RotationTarget;
  let frontUrl: string;
  let lbName: string;
  let nginxLog: (() => string[]) | undefined;
  if (LB === 'nginx') {
    const nginx = new NginxFront(ensureNginx(), frontHost, await freePort(frontHost));
    await nginx.start(backends());
    target = nginx;
    nginxLog = () => nginx.errorLog();
    frontUrl = nginx.url;
    lbName = 'nginx-round-robin';
  } else {
    const vipPort = network.mode === 'netns' ? 8000 : await freePort();
    const started = await startConnectionFront(
      network.virtualIp,
      vipPort,
      backends(),
      LB === 'tcp-proxy' ? 'tcp-proxy' : 'iptables',
    );
    const front: ConnectionFront = started.front;
    if (started.fallbackReason) log(`per-connection front: TCP proxy (${started.fallbackReason})`);
    target = front;
    frontUrl = front.url;
    lbName = front.kind === 'iptables' ? 'iptables-statistic-per-connection' : 'tcp-proxy-per-connection';
  }
  log(`front: ${lbName} at ${frontUrl}`);
  const controller = new EndpointsController(target, backends);
  controller.start();

  // Is the identity tool there yet (get_variable sim_whoami)? One probe flow decides, before the baselines.
  let whoami = values.whoami === 'on';
  if (values.whoami === 'auto' && kind === 'service') {
    const probe = await runFlowAsync(
      legacyFlow({
        authorization: credentials[0]!.authorization,
        user: credentials[0]!.user,
        whoami: true,
        protocolVersion: LEGACY_PROTOCOL_VERSIONS[2],
      }),
      async (step) => {
        const res = await request(`${frontUrl}/mcp`, {
          method: 'POST',
          headers: step.headers,
          body: step.body,
        });
        return { status: res.statusCode, headers: res.headers as never, body: await res.body.text() };
      },
    );
    whoami = probe.ok;
  }
  log(
    `identity check: ${whoami ? 'get_variable sim_whoami in every flow + ' : ''}simulator records (user per x-request-id)`,
  );

  const baseline: Record<string, Record<string, number>> = {};
  if (kind === 'service') {
    for (const r of replicas) baseline[r.name] = (await scrapeMetrics(r.slot)).forwarding;
  }
  const simStart = (await simCalls(simInfo.url, 1e12)).next;

  const runId = `vr${process.pid}`;
  let rollingDone = !ROLLING;
  const retired: Record<string, number>[] = [];
  const extra: Check[] = [];
  const loadPromise = runLoad({
    url: `${frontUrl}/mcp`,
    credentials,
    requests: REQUESTS,
    concurrency: CONCURRENCY,
    deadlineMs: DEADLINE_MS,
    newConnections: NEW_CONNECTIONS,
    whoami,
    eras: ['legacy', 'modern'],
    keepGoing: () => !rollingDone,
    maxRequests: REQUESTS * 50,
    runId,
  });
  if (ROLLING) {
    await sleep(300);
    const outcome = await rollingRestart({
      replicas,
      launcher,
      controller,
      target,
      baseline,
      retired,
      deadline: t0 + DEADLINE_MS,
      log,
    });
    rollingDone = true;
    extra.push({
      name: 'every replica restarted (exit 0) and rejoined',
      ok: outcome.restarted === N && outcome.badExits.length === 0,
      detail: `${outcome.restarted}/${N} restarted; exits ${JSON.stringify(outcome.exits)}; ${controller.events.length} rotation changes`,
    });
  }
  const load = await loadPromise;

  let forwarding: { metrics: Record<string, number>; sent: Record<string, number> } | undefined;
  await sleep(200);
  const { calls } = await simCalls(simInfo.url, simStart);
  const identity = checkIdentity(calls, load.userByRequestId);
  if (kind === 'service') {
    let metrics: Record<string, number> = {};
    for (const part of retired) metrics = sumPaths(metrics, part);
    for (const r of replicas) {
      const now = (await scrapeMetrics(r.slot)).forwarding;
      metrics = sumPaths(metrics, sumPaths(now, baseline[r.name] ?? {}, -1));
    }
    for (const k of Object.keys(metrics)) if (metrics[k] === 0) delete metrics[k];
    forwarding = { metrics, sent: identity.byPath };
  }
  await controller.stop();
  if (controller.errors.length > 0) {
    extra.push({
      name: 'front updates succeeded',
      ok: false,
      detail: controller.errors.slice(0, 3).join('; '),
    });
  }

  const names = replicas.map((r) => r.name);
  const shareOf = shares(load.byReplica, names);
  const verdict = judge({ load, identity, shareOf, minShare: MIN_SHARE, forwarding, extra });
  const sorted = [...load.latenciesMs].sort((a, b) => a - b);

  log('');
  log(
    `== verify:replicas (${CONTROL ? 'CONTROL: stateful SDK server' : 'airflow-mcp'}${ROLLING ? ', rolling restarts' : ''}) ==`,
  );
  log(
    `${load.requests} requests in ${load.flows} flows (${load.flowsOk} ok) by ${credentials.length} users, ${CONCURRENCY} concurrent, eras ${JSON.stringify(load.byEra)}, ${(load.durationMs / 1000).toFixed(1)} s, p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms${NEW_CONNECTIONS ? ', new connection per request' : ', keep-alive'}`,
  );
  log(`served by: ${JSON.stringify(load.byReplica)}`);
  log(
    `failures: ${load.failed} (session ${load.sessionErrors}, token ${load.tokenMismatches}, protocol ${load.protocolErrors}, tool ${load.toolErrors}, http ${load.httpErrors}); Mcp-Session-Id issued in ${load.sessionIdsIssued} flows`,
  );
  const seen = new Set<string>();
  for (const f of load.failures) {
    if (seen.has(`${f.era} ${f.step}`) || seen.size >= 6) continue;
    seen.add(`${f.era} ${f.step}`);
    log(`  e.g. ${f.era} ${f.step} via ${f.replica ?? '?'}: ${f.reason.replace(/\s+/g, ' ').slice(0, 160)}`);
  }
  if (load.failed > 0 && nginxLog) for (const line of nginxLog()) log(`  nginx: ${line}`);
  log(
    `upstream calls: ${identity.calls} ours, ${identity.foreign} others (probes); ${identity.examples.join('; ')}`,
  );
  if (load.timedOut) log(`time limit of ${DEADLINE_MS / 1000} s reached`);

  let ok: boolean;
  if (CONTROL) {
    ok = load.sessionErrors > 0;
    log(
      `control: ${ok ? 'PASS' : 'FAIL'}: the stateful server ${ok ? `produced ${load.sessionErrors} session errors, and the check caught them` : 'produced no session error: the check cannot be trusted'}`,
    );
  } else {
    for (const c of verdict.checks) log(`${c.ok ? 'PASS' : 'FAIL'} ${c.name}: ${c.detail}`);
    ok = verdict.ok;
  }
  log(`result: ${ok ? 'OK' : 'FAILED'} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  log(
    JSON.stringify({
      replicas: N,
      requests: load.requests,
      failed: load.failed,
      session_errors: load.sessionErrors,
      token_mismatches: load.tokenMismatches + identity.mismatches,
      shares: shareOf,
      lb: lbName,
      mode: CONTROL ? 'control-stateful' : ROLLING ? 'rolling' : 'normal',
      network: network.mode,
      users: credentials.length,
      whoami,
      forwarding: forwarding ?? null,
      ok,
    }),
  );
  return ok ? 0 : 1;
}

installExitHandlers();
let code = 1;
try {
  code = await main();
} catch (error) {
  process.stderr.write(`verify:replicas failed: ${(error as Error).stack ?? String(error)}\n`);
  code = 1;
} finally {
  await cleanupAll();
}
process.exit(code);
