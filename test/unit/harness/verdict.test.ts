// The verify:replicas verdict and its inputs: metric parsing, identity from simulator records, shares, nginx config.
import { describe, expect, it } from 'vitest';
import { areaOf } from '../../../loadtest/bench/profile.js';
import {
  checkIdentity,
  forwardingMatches,
  judge,
  shares,
  sumPaths,
} from '../../../loadtest/harness/checks.js';
import type { LoadResult } from '../../../loadtest/harness/load.js';
import { nginxConfig } from '../../../loadtest/harness/nginx.js';
import { parseMetrics } from '../../../loadtest/harness/replicas.js';

function load(overrides: Partial<LoadResult> = {}): LoadResult {
  return {
    requests: 10,
    failed: 0,
    sessionErrors: 0,
    tokenMismatches: 0,
    protocolErrors: 0,
    toolErrors: 0,
    httpErrors: 0,
    flows: 2,
    flowsOk: 2,
    sessionIdsIssued: 0,
    byReplica: { a: 5, b: 5 },
    byEra: { legacy: 5, modern: 5 },
    userByRequestId: new Map(),
    failures: [],
    latenciesMs: [],
    durationMs: 1,
    timedOut: false,
    ...overrides,
  };
}

describe('parseMetrics', () => {
  it('sums auth_forwarding_total per path and reads the in-flight gauge', () => {
    const text = [
      '# HELP airflow_mcp_auth_forwarding_total x',
      'airflow_mcp_auth_forwarding_total{path="forwarded_bearer"} 12',
      'airflow_mcp_auth_forwarding_total{path="anonymous"} 1',
      'airflow_mcp_auth_forwarding_total_created{path="anonymous"} 17000',
      'airflow_mcp_inflight_requests 3',
    ].join('\n');
    expect(parseMetrics(text)).toStrictEqual({
      forwarding: { forwarded_bearer: 12, anonymous: 1 },
      inflight: 3,
    });
  });
});

describe('checkIdentity', () => {
  const ids = new Map([
    ['r-1', 'alice'],
    ['r-2', 'bob'],
  ]);

  it('counts our calls by forwarding path and ignores probes without our request ids', () => {
    const out = checkIdentity(
      [
        { user: 'alice', authScheme: 'bearer', requestId: 'r-1' },
        { user: 'bob', authScheme: 'bearer', requestId: 'r-2' },
        { user: null, authScheme: 'none', requestId: null },
      ],
      ids,
    );
    expect(out).toMatchObject({ calls: 2, mismatches: 0, foreign: 1, byPath: { forwarded_bearer: 2 } });
  });

  it('flags a call that reached Airflow as someone else, or without the token', () => {
    const out = checkIdentity(
      [
        { user: 'bob', authScheme: 'bearer', requestId: 'r-1' },
        { user: null, authScheme: 'none', requestId: 'r-2' },
      ],
      ids,
    );
    expect(out.mismatches).toBe(2);
    expect(out.byPath).toStrictEqual({ forwarded_bearer: 1, anonymous: 1 });
    expect(out.examples[0]).toContain('sent as alice');
  });
});

describe('verdict', () => {
  it('passes a clean run and fails on each broken promise', () => {
    const shareOf = shares({ a: 5, b: 5 }, ['a', 'b']);
    const forwarding = { metrics: { forwarded_bearer: 4 }, sent: { forwarded_bearer: 4 } };
    expect(judge({ load: load(), identity: undefined, shareOf, minShare: 0.2, forwarding }).ok).toBe(true);
    for (const broken of [{ failed: 1 }, { sessionErrors: 1 }, { tokenMismatches: 1 }, { requests: 0 }]) {
      expect(judge({ load: load(broken), identity: undefined, shareOf, minShare: 0.2 }).ok).toBe(false);
    }
    const skewed = shares({ a: 9, b: 1 }, ['a', 'b']);
    expect(judge({ load: load(), identity: undefined, shareOf: skewed, minShare: 0.2 }).ok).toBe(false);
    const off = { metrics: { forwarded_bearer: 3 }, sent: { forwarded_bearer: 4 } };
    expect(judge({ load: load(), identity: undefined, shareOf, minShare: 0.2, forwarding: off }).ok).toBe(
      false,
    );
  });

  it('gives a replica that served nothing a share of 0', () => {
    expect(shares({ a: 3 }, ['a', 'b'])).toStrictEqual({ a: 1, b: 0 });
  });

  it('compares forwarding per path, zero counts included', () => {
    expect(forwardingMatches({ forwarded_bearer: 2 }, { forwarded_bearer: 2, anonymous: 0 })).toBe(true);
    expect(forwardingMatches({ forwarded_bearer: 2, anonymous: 1 }, { forwarded_bearer: 2 })).toBe(false);
    expect(sumPaths({ a: 1 }, { a: 2, b: 1 }, -1)).toStrictEqual({ a: -1, b: -1 });
  });
});

describe('nginxConfig', () => {
  it('balances per request over the ready backends, retrying only failed connects', () => {
    const conf = nginxConfig('/tmp/x', '127.0.0.1:9000', [
      { name: 'r0', slot: { host: '10.0.0.10', port: 8000 } },
      { name: 'r1', slot: { host: '10.0.0.11', port: 8000 } },
    ]);
    expect(conf).toContain('zone mcp 64k;');
    expect(conf).toContain('server 10.0.0.10:8000 max_fails=0;');
    expect(conf).toContain('server 10.0.0.11:8000 max_fails=0;');
    expect(conf).toMatch(/proxy_next_upstream error;/);
    expect(conf).not.toMatch(/proxy_next_upstream [^;]*(timeout|http_5|non_idempotent)/);
    expect(conf).toContain('proxy_http_version 1.1;');
    expect(conf).toContain('proxy_buffering off;');
  });

  it('keeps a valid upstream block when no backend is ready', () => {
    expect(nginxConfig('/tmp/x', '127.0.0.1:9000', [])).toContain('server 127.0.0.1:9 down;');
  });
});

describe('profile areas', () => {
  it('names the package, the src file or node internals', () => {
    expect(areaOf('file:///w/node_modules/@modelcontextprotocol/server/dist/x.mjs', 'f')).toBe(
      '@modelcontextprotocol/server',
    );
    expect(areaOf('file:///w/.cache/bench/build/src/mcp/tool-registry.js', 'f')).toBe(
      'src/mcp/tool-registry',
    );
    expect(areaOf('node:internal/webstreams/readablestream', 'f')).toBe('node internals');
    expect(areaOf('', '(garbage collector)')).toBe('(garbage collector)');
  });
});
