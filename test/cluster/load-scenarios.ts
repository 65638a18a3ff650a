// The multi-replica scenarios through a real ClusterIP Service: the verify harness's load runner and checks.
import { request } from 'undici';
import {
  type Check,
  checkIdentity,
  judge,
  type SimCall,
  shares,
  sumPaths,
} from '../../loadtest/harness/checks.js';
import { type LoadCredential, runLoad } from '../../loadtest/harness/load.js';
import { scrapeMetrics } from '../../loadtest/harness/replicas.js';
import { pods } from './kube.js';

export interface Target {
  ns: string;
  /** Service name; its in-cluster DNS name goes in the Host header. */
  service: string;
  /** Label selector of the pods behind the Service. */
  selector: string;
  clusterIp: string;
  port: number;
}

export interface Upstream {
  simUrl: string;
  credentials: LoadCredential[];
}

export interface ScenarioOptions {
  name: string;
  requests: number;
  concurrency: number;
  /** Runs while the load runs (rollout restart, scaling); the load keeps going until it settles. */
  during?: () => Promise<void>;
  /** Check that auth_forwarding_total summed over the pods moved exactly by what the runner sent. */
  forwarding?: boolean;
  /** Expect the stateful control's failures instead of a clean run. */
  control?: boolean;
  minShare?: number;
  timeoutMs?: number;
}

export interface ScenarioResult {
  line: Record<string, unknown>;
  ok: boolean;
  checks: Check[];
  durationMs: number;
  forwarded: Record<string, number>;
}

async function simCalls(simUrl: string, since: number): Promise<{ calls: SimCall[]; next: number }> {
  const res = await request(`${simUrl}/_sim/calls?since=${since}`, { headersTimeout: 10_000 });
  const body = (await res.body.json()) as { calls?: SimCall[]; next: number };
  return { calls: body.calls ?? [], next: body.next };
}

async function forwardingNow(t: Target): Promise<Record<string, number>> {
  let sum: Record<string, number> = {};
  for (const p of await pods(t.ns, t.selector)) {
    if (!p.ready || p.terminating) continue;
    sum = sumPaths(sum, (await scrapeMetrics({ host: p.ip, port: t.port })).forwarding);
  }
  return sum;
}

export async function runScenario(t: Target, up: Upstream, o: ScenarioOptions): Promise<ScenarioResult> {
  const before = o.forwarding ? await forwardingNow(t) : {};
  const simStart = (await simCalls(up.simUrl, 1e12)).next;
  let settled = !o.during;
  const extra: Check[] = [];
  const loadPromise = runLoad({
    url: `http://${t.clusterIp}:${t.port}/mcp`,
    // The Service's DNS name, as a pod calling it sends (the chart's ALLOWED_HOSTS lists it).
    headers: { host: `${t.service}.${t.ns}.svc.cluster.local:${t.port}` },
    credentials: up.credentials,
    requests: o.requests,
    concurrency: o.concurrency,
    deadlineMs: o.timeoutMs ?? 240_000,
    // kube-proxy balances connections: one per request, like k6 with noConnectionReuse.
    newConnections: true,
    whoami: !o.control,
    eras: ['legacy', 'modern'],
    keepGoing: () => !settled,
    maxRequests: o.requests * 40,
    runId: `cl${process.pid}${o.name.replace(/\W/g, '')}`,
  });
  if (o.during) {
    try {
      await o.during();
    } catch (error) {
      extra.push({ name: `${o.name}: cluster action`, ok: false, detail: String(error) });
    } finally {
      settled = true;
    }
  }
  const load = await loadPromise;
  const { calls } = await simCalls(up.simUrl, simStart);
  const identity = checkIdentity(calls, load.userByRequestId);
  let forwarding: { metrics: Record<string, number>; sent: Record<string, number> } | undefined;
  if (o.forwarding) {
    const metrics = sumPaths(await forwardingNow(t), before, -1);
    for (const k of Object.keys(metrics)) if (metrics[k] === 0) delete metrics[k];
    forwarding = { metrics, sent: identity.byPath };
  }
  const names = Object.keys(load.byReplica).filter((n) => n !== '(none)');
  const shareOf = shares(load.byReplica, names);
  const verdict = judge({ load, identity, shareOf, minShare: o.minShare ?? 0, forwarding, extra });
  const ok = o.control ? load.sessionErrors > 0 : verdict.ok;
  return {
    ok,
    checks: verdict.checks,
    durationMs: load.durationMs,
    forwarded: identity.byPath,
    line: {
      scenario: o.name,
      requests: load.requests,
      failed: load.failed,
      session_errors: load.sessionErrors,
      token_mismatches: load.tokenMismatches + identity.mismatches,
      replicas_serving: names.length,
      ...(load.timedOut ? { timed_out: true } : {}),
    },
  };
}
