// The Airflow HTTP client against undici's MockAgent: what goes out (path prefix, encoded ids, query, the
// caller's header, request id) and how answers come back (caps, text cuts, error mapping, metrics).
import { Registry } from 'prom-client';
import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forwardAuth } from '../../../src/airflow/auth-providers.js';
import type { CallContext } from '../../../src/airflow/call-context.js';
import { AirflowHttp } from '../../../src/airflow/http-client.js';
import { AppError } from '../../../src/errors.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import { BUILD } from '../../../src/version.js';

const ORIGIN = 'https://airflow.example:8443';
const TOKEN = 'Bearer caller-token-abcdef';
const JSON_REPLY = { headers: { 'content-type': 'application/json' } };

let agent: MockAgent;
let registry: Registry;
let http: AirflowHttp;

function ctx(header: string | undefined = TOKEN): CallContext {
  return {
    requestId: 'req-1',
    credentials: header ? { scheme: 'bearer', header } : undefined,
    signal: new AbortController().signal,
  };
}

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  registry = new Registry();
  http = new AirflowHttp({
    baseUrl: `${ORIGIN}/airflow`,
    dispatcher: agent,
    timeoutMs: 2_000,
    maxResponseBytes: 1_000,
    auth: forwardAuth,
    metrics: createMetrics(registry, BUILD),
    forwarding: true,
  });
});
afterEach(() => agent.close());

describe('AirflowHttp over undici', () => {
  it("sends the call under the base path with encoded ids, the query, the caller's header and the request id", async () => {
    let seen: Record<string, string> = {};
    agent
      .get(ORIGIN)
      .intercept({
        path: '/airflow/api/v2/dags/a%2Fb/dagRuns?limit=5&state=failed&state=queued',
        method: 'GET',
      })
      .reply(
        200,
        (opts) => {
          seen = opts.headers as Record<string, string>;
          return { dag_runs: [] };
        },
        JSON_REPLY,
      );
    const res = await http.send(ctx(), 'v2', {
      method: 'GET',
      route: '/dags/{dag_id}/dagRuns',
      params: { dag_id: 'a/b' },
      query: { limit: 5, state: ['failed', 'queued'], order_by: undefined },
    });
    expect(res).toEqual({ status: 200, body: { dag_runs: [] }, truncated: false });
    expect(seen.authorization).toBe(TOKEN);
    expect(seen['x-request-id']).toBe('req-1');
    const forwarded = await registry.getSingleMetric('airflow_mcp_auth_forwarding_total')?.get();
    expect(forwarded?.values).toEqual([
      expect.objectContaining({ labels: { path: 'forwarded_bearer' }, value: 1 }),
    ]);
  });

  it('sends no Authorization header for a caller without credentials', async () => {
    let seen: Record<string, string> = {};
    agent
      .get(ORIGIN)
      .intercept({ path: '/airflow/api/v1/pools', method: 'GET' })
      .reply(
        200,
        (opts) => {
          seen = opts.headers as Record<string, string>;
          return { pools: [] };
        },
        JSON_REPLY,
      );
    await http.send(ctx(''), 'v1', { method: 'GET', route: '/pools' });
    expect(seen).not.toHaveProperty('authorization');
  });

  it('refuses a JSON answer over the cap instead of buffering it, and cuts a text answer', async () => {
    const big = JSON.stringify({ value: 'x'.repeat(5_000) });
    agent.get(ORIGIN).intercept({ path: '/airflow/api/v2/big', method: 'GET' }).reply(200, big, JSON_REPLY);
    const refused = await http.send(ctx(), 'v2', { method: 'GET', route: '/big' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({
      code: 'too_large',
      message: "Airflow's response was larger than 1000 bytes and was not read.",
      retryable: false,
      fault: false,
    });

    agent
      .get(ORIGIN)
      .intercept({ path: '/airflow/api/v2/log', method: 'GET' })
      .reply(200, 'y'.repeat(5_000), { headers: { 'content-type': 'text/plain' } });
    const cut = await http.send(ctx(), 'v2', { method: 'GET', route: '/log', maxBytes: 100 });
    expect(cut).toEqual({ status: 200, body: 'y'.repeat(100), truncated: true });
  });

  it.each([
    [401, 'upstream_unauthorized'],
    [403, 'upstream_forbidden'],
    [404, 'not_found'],
    [409, 'conflict'],
    [422, 'invalid_argument'],
    [503, 'upstream_unavailable'],
  ])('maps HTTP %i to %s and never echoes the credential', async (status, code) => {
    agent
      .get(ORIGIN)
      .intercept({ path: '/airflow/api/v2/dags/etl', method: 'GET' })
      .reply(status, { detail: `no luck for caller-token-abcdef` }, JSON_REPLY);
    const error = (await http
      .send(ctx(), 'v2', { method: 'GET', route: '/dags/{dag_id}', params: { dag_id: 'etl' } })
      .catch((e: unknown) => e)) as AppError;
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
    expect(error.message).not.toContain('caller-token-abcdef');
    expect(error.message).toContain('[redacted]');
  });

  it('gives a redirect back as an error naming the setting, without following it', async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: '/airflow/api/v2/dags', method: 'GET' })
      .reply(302, '', { headers: { location: 'https://elsewhere.example/api/v2/dags' } });
    const error = (await http
      .send(ctx(), 'v2', { method: 'GET', route: '/dags' })
      .catch((e) => e)) as AppError;
    expect(error).toMatchObject({ code: 'misconfigured', status: 302, retryable: false, fault: false });
    expect(error.hint).toContain('redirects are not followed');
  });

  it("carries Airflow's Retry-After on a 429, which is retryable and not Airflow's fault", async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: '/airflow/api/v2/dags', method: 'GET' })
      .reply(429, { detail: 'slow down' }, { headers: { ...JSON_REPLY.headers, 'retry-after': '7' } });
    const error = (await http
      .send(ctx(), 'v2', { method: 'GET', route: '/dags' })
      .catch((e) => e)) as AppError;
    expect(error).toMatchObject({
      code: 'upstream_unavailable',
      status: 429,
      retryAfterMs: 7000,
      retryable: true,
      fault: false,
    });
  });

  it('a call the client cancels ends as `cancelled`, not retryable and not a fault', async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: '/airflow/api/v2/dags', method: 'GET' })
      .reply(200, { dags: [] }, JSON_REPLY)
      .delay(5_000);
    const controller = new AbortController();
    const pending = http
      .send({ ...ctx(), signal: controller.signal }, 'v2', { method: 'GET', route: '/dags' })
      .catch((e: unknown) => e);
    setTimeout(() => controller.abort(), 20);
    expect(await pending).toMatchObject({ code: 'cancelled', retryable: false, fault: false });
  });
});
