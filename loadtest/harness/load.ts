// The Node load runner: drives loadtest/lib flows with undici, concurrent, both eras, never retrying.
import { Agent, request } from 'undici';
import type { Exchange } from '../lib/classify.js';
import { LEGACY_PROTOCOL_VERSIONS } from '../lib/protocol.js';
import { type Era, flowFor, runFlowAsync, type StepRequest } from '../lib/scenarios.js';

export interface LoadCredential {
  user: string;
  authorization: string;
}

export interface LoadOptions {
  /** The MCP endpoint behind the front. */
  url: string;
  credentials: readonly LoadCredential[];
  /** Flows start while fewer requests than this were sent (a flow is 3–5 requests). */
  requests: number;
  concurrency: number;
  /** Hard stop for the whole run. */
  deadlineMs: number;
  /** One TCP connection per request (what a per-connection balancer needs to spread load). */
  newConnections: boolean;
  whoami: boolean;
  eras: readonly Era[];
  /** Keep starting flows past `requests` until this says stop (rolling restarts), up to `maxRequests`. */
  keepGoing?: () => boolean;
  maxRequests?: number;
  /** Spacing between a worker's flows, to stretch a run over time (rolling). */
  pauseMs?: number;
  runId: string;
  /** Extra headers on every request, e.g. the Service's name as Host when dialling its ClusterIP. */
  headers?: Record<string, string>;
}

export interface Failure {
  requestId: string;
  era: Era;
  step: string;
  replica: string | undefined;
  reason: string;
}

export interface LoadResult {
  requests: number;
  failed: number;
  sessionErrors: number;
  tokenMismatches: number;
  protocolErrors: number;
  toolErrors: number;
  httpErrors: number;
  flows: number;
  flowsOk: number;
  sessionIdsIssued: number;
  byReplica: Record<string, number>;
  byEra: Record<string, number>;
  /** x-request-id → the user whose token that request carried. */
  userByRequestId: Map<string, string>;
  failures: Failure[];
  latenciesMs: number[];
  durationMs: number;
  timedOut: boolean;
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const agent = new Agent({ connections: o.concurrency, keepAliveTimeout: 10_000, pipelining: 1 });
  const result: LoadResult = {
    requests: 0,
    failed: 0,
    sessionErrors: 0,
    tokenMismatches: 0,
    protocolErrors: 0,
    toolErrors: 0,
    httpErrors: 0,
    flows: 0,
    flowsOk: 0,
    sessionIdsIssued: 0,
    byReplica: {},
    byEra: {},
    userByRequestId: new Map(),
    failures: [],
    latenciesMs: [],
    durationMs: 0,
    timedOut: false,
  };
  const start = performance.now();
  const deadline = start + o.deadlineMs;
  const cap = o.maxRequests ?? o.requests * 20;
  let started = 0;
  let seq = 0;

  const wantMore = () => {
    if (performance.now() > deadline) {
      result.timedOut = true;
      return false;
    }
    if (started >= cap) return false;
    if (started < o.requests) return true;
    return o.keepGoing?.() ?? false;
  };

  async function worker(w: number): Promise<void> {
    while (wantMore()) {
      const flowNo = result.flows++;
      const credential = o.credentials[flowNo % o.credentials.length]!;
      const era = o.eras[flowNo % o.eras.length]!;
      const planned = era === 'legacy' ? (o.whoami ? 5 : 4) : o.whoami ? 4 : 3;
      started += planned;
      const flow = flowFor(era, {
        authorization: credential.authorization,
        user: credential.user,
        whoami: o.whoami,
        firstId: flowNo * 10 + 1,
        protocolVersion: LEGACY_PROTOCOL_VERSIONS[flowNo % LEGACY_PROTOCOL_VERSIONS.length],
        clientInfo: { name: `loadtest-${w}`, version: '1.0.0' },
      });
      const ids: string[] = [];
      const send = async (step: StepRequest): Promise<Exchange> => {
        const requestId = `${o.runId}-${++seq}`;
        ids.push(requestId);
        result.userByRequestId.set(requestId, credential.user);
        const t0 = performance.now();
        const res = await request(o.url, {
          method: 'POST',
          headers: { ...step.headers, ...o.headers, 'x-request-id': requestId },
          body: step.body,
          dispatcher: agent,
          reset: o.newConnections,
          headersTimeout: 15_000,
          bodyTimeout: 15_000,
        });
        const body = await res.body.text();
        result.latenciesMs.push(performance.now() - t0);
        return { status: res.statusCode, headers: res.headers as Exchange['headers'], body };
      };
      const flowResult = await runFlowAsync(flow, send);
      // A flow that stopped early sent fewer requests than planned: give the budget back.
      started += flowResult.steps.length - planned;
      if (flowResult.ok) result.flowsOk++;
      if (flowResult.sessionIdIssued) result.sessionIdsIssued++;
      flowResult.steps.forEach((s, i) => {
        result.requests++;
        result.byEra[s.era] = (result.byEra[s.era] ?? 0) + 1;
        const replica = s.replica ?? '(none)';
        result.byReplica[replica] = (result.byReplica[replica] ?? 0) + 1;
        const c = s.classification;
        if (c.ok) return;
        result.failed++;
        if (c.sessionError) result.sessionErrors++;
        if (c.tokenMismatch) result.tokenMismatches++;
        if (c.protocolError) result.protocolErrors++;
        if (c.toolError) result.toolErrors++;
        if (c.httpError) result.httpErrors++;
        if (result.failures.length < 200) {
          result.failures.push({
            requestId: ids[i] ?? '?',
            era: s.era,
            step: s.step,
            replica: s.replica,
            reason: c.reason,
          });
        }
      });
      if (o.pauseMs) await new Promise((r) => setTimeout(r, o.pauseMs));
    }
  }

  await Promise.all(Array.from({ length: o.concurrency }, (_, w) => worker(w)));
  result.durationMs = performance.now() - start;
  await agent.close();
  return result;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
