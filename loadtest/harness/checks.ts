// The verdict of a verify run: identity from the simulator's records, forwarding metrics, shares, failures.
import type { LoadResult } from './load.js';

export interface SimCall {
  user: string | null;
  authScheme: string;
  requestId: string | null;
}

export interface IdentityCheck {
  /** Upstream calls that carried one of our request ids. */
  calls: number;
  /** Calls whose user differs from the caller of that request id (or that lost the token). */
  mismatches: number;
  /** Calls carrying no or a foreign request id (readiness probes, other runs). */
  foreign: number;
  /** Our upstream calls by the path label they should have been counted under. */
  byPath: Record<string, number>;
  examples: string[];
}

const PATH_OF_SCHEME: Record<string, string> = {
  bearer: 'forwarded_bearer',
  basic: 'forwarded_basic',
  none: 'anonymous',
};

export function checkIdentity(
  calls: readonly SimCall[],
  userByRequestId: Map<string, string>,
): IdentityCheck {
  const out: IdentityCheck = { calls: 0, mismatches: 0, foreign: 0, byPath: {}, examples: [] };
  for (const call of calls) {
    const expected = call.requestId === null ? undefined : userByRequestId.get(call.requestId);
    if (expected === undefined) {
      out.foreign++;
      continue;
    }
    out.calls++;
    const path = PATH_OF_SCHEME[call.authScheme] ?? call.authScheme;
    out.byPath[path] = (out.byPath[path] ?? 0) + 1;
    if (call.user !== expected || call.authScheme !== 'bearer') {
      out.mismatches++;
      if (out.examples.length < 5) {
        out.examples.push(
          `${call.requestId}: sent as ${expected}, Airflow saw ${call.user ?? call.authScheme}`,
        );
      }
    }
  }
  return out;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export function shares(byReplica: Record<string, number>, names: readonly string[]): Record<string, number> {
  const total = Object.values(byReplica).reduce((a, b) => a + b, 0);
  const out: Record<string, number> = {};
  for (const name of names) out[name] = total === 0 ? 0 : Number(((byReplica[name] ?? 0) / total).toFixed(4));
  return out;
}

export function sumPaths(
  a: Record<string, number>,
  b: Record<string, number>,
  sign = 1,
): Record<string, number> {
  const out: Record<string, number> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + sign * v;
  return out;
}

/** Every path either side mentions must match exactly (zero counts included). */
export function forwardingMatches(metrics: Record<string, number>, sent: Record<string, number>): boolean {
  const keys = new Set([...Object.keys(metrics), ...Object.keys(sent)]);
  for (const key of keys) if ((metrics[key] ?? 0) !== (sent[key] ?? 0)) return false;
  return true;
}

export interface Verdict {
  checks: Check[];
  ok: boolean;
}

export function judge(input: {
  load: LoadResult;
  identity: IdentityCheck | undefined;
  shareOf: Record<string, number>;
  minShare: number;
  forwarding?: { metrics: Record<string, number>; sent: Record<string, number> };
  extra?: Check[];
}): Verdict {
  const { load } = input;
  const checks: Check[] = [
    { name: 'requests sent', ok: load.requests > 0, detail: `${load.requests} in ${load.flows} flows` },
    { name: 'no failed request', ok: load.failed === 0, detail: `${load.failed} failed` },
    { name: 'zero session errors', ok: load.sessionErrors === 0, detail: `${load.sessionErrors}` },
    {
      name: 'zero token mismatches',
      ok: load.tokenMismatches === 0 && (input.identity?.mismatches ?? 0) === 0,
      detail: `${load.tokenMismatches} in results; ${input.identity?.mismatches ?? 'n/a'} in ${input.identity?.calls ?? 0} upstream calls`,
    },
    {
      name: `every replica served >= ${Math.round(input.minShare * 100)}%`,
      ok: Object.values(input.shareOf).every((s) => s >= input.minShare),
      detail: JSON.stringify(input.shareOf),
    },
  ];
  if (input.forwarding) {
    checks.push({
      name: 'sum of auth_forwarding_total = sent, per path',
      ok:
        forwardingMatches(input.forwarding.metrics, input.forwarding.sent) &&
        Object.values(input.forwarding.sent).some((v) => v > 0),
      detail: `metrics ${JSON.stringify(input.forwarding.metrics)} vs sent ${JSON.stringify(input.forwarding.sent)}`,
    });
  }
  checks.push(...(input.extra ?? []));
  return { checks, ok: checks.every((c) => c.ok) };
}
