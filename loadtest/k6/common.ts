// Shared k6 plumbing: settings from __ENV, credentials, custom metrics, thresholds and the per-iteration runner.
import { check } from 'k6';
import { SharedArray } from 'k6/data';
import exec from 'k6/execution';
import http from 'k6/http';
import { Counter, Trend } from 'k6/metrics';
import type { Options, Scenario } from 'k6/options';
import type { Exchange } from '../lib/classify.ts';
import { LEGACY_PROTOCOL_VERSIONS } from '../lib/protocol.ts';
import type { Era, FlowResult, StepRequest } from '../lib/scenarios.ts';
import { flowFor, runFlow } from '../lib/scenarios.ts';
import type { Credential } from '../lib/tokens.ts';
import { distinctUsers, parseTokens } from '../lib/tokens.ts';

// k6 provides console at runtime; its type package leaves it to lib.dom, which we do not load.
declare const console: { log(...args: unknown[]): void; warn(...args: unknown[]): void };

export interface Defaults {
  rate: number;
  duration: string;
  era?: EraSetting;
  newConnections?: boolean;
  p95Ms?: number;
  p99Ms?: number;
}

type EraSetting = Era | 'both';

export interface Settings {
  url: string;
  rate: number;
  duration: string;
  era: EraSetting;
  newConnections: boolean;
  preAllocatedVUs: number;
  maxVUs: number;
  p95Ms: number;
  p99Ms: number;
  replicas: string[];
  /** Legacy flows send a made-up Mcp-Session-Id, which a stateless server must ignore. */
  staleSession: boolean;
  /** Pins the 2025-era version; otherwise iterations rotate through all three. */
  protocolVersion: (typeof LEGACY_PROTOCOL_VERSIONS)[number] | undefined;
}

function positive(name: string, fallback: number): number {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}

function flag(name: string, fallback: boolean): boolean {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes)$/i.test(raw)) return true;
  if (/^(0|false|no)$/i.test(raw)) return false;
  throw new Error(`${name} must be 1/0, true/false or yes/no, got "${raw}"`);
}

export function settings(defaults: Defaults): Settings {
  const era = (__ENV.ERA || defaults.era || 'both') as EraSetting;
  if (era !== 'legacy' && era !== 'modern' && era !== 'both') {
    throw new Error(`ERA must be legacy, modern or both, got "${era}"`);
  }
  const pinned = __ENV.PROTOCOL_VERSION;
  const known: readonly string[] = LEGACY_PROTOCOL_VERSIONS;
  if (pinned !== undefined && pinned !== '' && !known.includes(pinned)) {
    throw new Error(`PROTOCOL_VERSION must be one of ${known.join(', ')}, got "${pinned}"`);
  }
  const rate = positive('RATE', defaults.rate);
  return {
    url: __ENV.MCP_URL || 'http://localhost:8000/mcp',
    rate,
    duration: __ENV.DURATION || defaults.duration,
    era,
    newConnections: flag('NEW_CONNECTIONS', defaults.newConnections ?? false),
    staleSession: flag('STALE_SESSION', false),
    // An iteration is 4-5 sequential requests; leave room for slow answers without dropping iterations.
    preAllocatedVUs: positive('PRE_ALLOCATED_VUS', Math.max(2, Math.ceil(rate * 2))),
    maxVUs: positive('MAX_VUS', Math.max(10, Math.ceil(rate * 10))),
    p95Ms: positive('P95_MS', defaults.p95Ms ?? 500),
    p99Ms: positive('P99_MS', defaults.p99Ms ?? 1000),
    replicas: (__ENV.REPLICAS || '')
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== ''),
    protocolVersion: pinned ? (pinned as Settings['protocolVersion']) : undefined,
  };
}

// ---- credentials (init context: open() is only allowed here) ---------------------------------

const TOKENS_FILE = __ENV.TOKENS_FILE || '';

/** One copy shared by all VUs. Without TOKENS_FILE every request goes out without Authorization. */
export const credentials: Credential[] = new SharedArray<Credential>('credentials', () =>
  TOKENS_FILE === '' ? [] : parseTokens(open(TOKENS_FILE)),
);

/** Fails the run at start unless every credential names its user and there are `minimum` users. */
export function requireDistinctUsers(minimum: number): void {
  const anonymous = credentials.find((credential) => credential.user === undefined);
  if (anonymous !== undefined) {
    throw new Error(
      `TOKENS_FILE line ${anonymous.line}: no user known (opaque token); identity cannot be checked`,
    );
  }
  const users = distinctUsers(credentials);
  if (users.length < minimum) {
    throw new Error(
      `this script needs TOKENS_FILE with at least ${minimum} credentials of distinct, known users ` +
        `(JWTs with sub, or user:password lines); found ${users.length}`,
    );
  }
}

// ---- metrics ------------------------------------------------------------------------------------

const sessionErrors = new Counter('mcp_session_errors');
const tokenMismatches = new Counter('mcp_token_mismatches');
const protocolErrors = new Counter('mcp_protocol_errors');
const toolErrors = new Counter('mcp_tool_errors');
const requestsByReplica = new Counter('mcp_requests_by_replica');
const flowDuration = new Trend('mcp_flow_duration', true);

export function buildOptions(defaults: Defaults): Options {
  const s = settings(defaults);
  const eras: Era[] = s.era === 'both' ? ['legacy', 'modern'] : [s.era];
  const scenarios: Record<string, Scenario> = {};
  for (const era of eras) {
    scenarios[era] = {
      executor: 'constant-arrival-rate',
      exec: era,
      rate: s.rate,
      timeUnit: '1s',
      duration: s.duration,
      preAllocatedVUs: s.preAllocatedVUs,
      maxVUs: s.maxVUs,
      tags: { era },
    };
  }
  const thresholds: Record<string, string[]> = {
    mcp_session_errors: ['count==0'],
    mcp_token_mismatches: ['count==0'],
    mcp_protocol_errors: ['count==0'],
    mcp_tool_errors: ['count==0'],
    http_req_failed: ['rate==0'],
    checks: ['rate==1'],
    http_req_duration: [`p(95)<${s.p95Ms}`, `p(99)<${s.p99Ms}`],
    // The arrival rate is the load we promised; dropped iterations mean it was not held.
    dropped_iterations: ['count==0'],
  };
  for (const replica of s.replicas) thresholds[`mcp_requests_by_replica{replica:${replica}}`] = ['count>0'];
  return {
    scenarios,
    thresholds,
    // kube-proxy balances connections, not requests: a fresh connection per request spreads load.
    noConnectionReuse: s.newConnections,
    summaryTrendStats: ['avg', 'med', 'p(95)', 'p(99)', 'max'],
  };
}

// ---- the iteration --------------------------------------------------------------------------

const RUN = settings({ rate: 1, duration: '1s' });
let loggedFailures = 0;

function send(request: StepRequest): Exchange {
  const response = http.post(RUN.url, request.body, {
    headers: request.headers,
    tags: { name: 'mcp', era: request.era, step: request.step, rpc_method: request.rpcMethod },
    timeout: '30s',
  });
  const body = typeof response.body === 'string' ? response.body : null;
  return { status: response.status, headers: response.headers, body };
}

function record(result: FlowResult): void {
  for (const step of result.steps) {
    const c = step.classification;
    const tags = { era: result.era, step: step.step };
    // Adding zeros keeps every counter in the summary, so a clean run shows "0" rather than nothing.
    sessionErrors.add(c.sessionError ? 1 : 0, tags);
    tokenMismatches.add(c.tokenMismatch ? 1 : 0, tags);
    protocolErrors.add(c.protocolError ? 1 : 0, tags);
    toolErrors.add(c.toolError ? 1 : 0, tags);
    requestsByReplica.add(1, { replica: step.replica ?? 'unknown' });
    check(step, { [`${result.era} ${step.step} ok`]: (s) => s.classification.ok }, tags);
    if (!c.ok && loggedFailures < 20) {
      loggedFailures++;
      console.warn(`${result.era} ${step.step} via ${step.replica ?? '?'}: ${c.reason}`);
    }
  }
  check(result, {
    [`${result.era} flow completed`]: (r) => r.abortedAt === undefined,
    [`${result.era} stateless (no Mcp-Session-Id issued)`]: (r) => !r.sessionIdIssued,
  });
}

/** Runs one flow of `era` as the next credential in rotation and records metrics and checks. */
export function runIteration(era: Era, options: { requireWhoami?: boolean } = {}): FlowResult {
  const iteration = exec.scenario.iterationInTest;
  const credential = credentials.length === 0 ? undefined : credentials[iteration % credentials.length];
  const versions = LEGACY_PROTOCOL_VERSIONS;
  const flow = flowFor(era, {
    authorization: credential?.authorization,
    user: credential?.user,
    whoami: options.requireWhoami === true ? true : undefined,
    protocolVersion: RUN.protocolVersion ?? versions[iteration % versions.length],
    // Distinct id ranges per iteration make a crossed answer show up as a wrong id.
    firstId: iteration * 10 + 1,
    staleSessionId: RUN.staleSession ? `stale-${exec.vu.idInTest}-${iteration}` : undefined,
  });
  const started = Date.now();
  const result = runFlow(flow, send);
  flowDuration.add(Date.now() - started, { era });
  record(result);
  return result;
}
