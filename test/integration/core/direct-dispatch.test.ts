// Plain 2025-era tools/list and tools/call are answered without the SDK: the bytes must be the SDK's.
import fc from 'fast-check';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../src/sim/index.js';
import { body as fuzzBody, headers as fuzzHeaders } from '../../helpers/fuzz-requests.js';
import { MCP_ACCEPT, type RawExchange, rawPost } from '../../helpers/raw-mcp.js';
import { startTestService, type TestService } from '../../helpers/service.js';

let sim: Simulator;
let direct: TestService;
let viaSdk: TestService;
let opToken: string;
let viewerToken: string;

beforeAll(async () => {
  sim = await startSimulator({
    auth: 'enforced',
    users: { op: { password: 'op-pw', role: 'op' }, viewer: { password: 'viewer-pw', role: 'viewer' } },
  });
  opToken = await sim.issueToken('op');
  viewerToken = await sim.issueToken('viewer');
  const env = { AIRFLOW_AUTH_MODE: 'forward', MAX_OUTPUT_BYTES: '2000', MCP_EXCLUDE_TOOLS: 'get_task' };
  direct = await startTestService({ airflowUrl: sim.url, env, replica: 'same' });
  viaSdk = await startTestService({ airflowUrl: sim.url, env, replica: 'same', directDispatch: false });
});

afterAll(async () => {
  await direct?.close();
  await viaSdk?.close();
  await sim?.close();
});

let seq = 0;

/** Sends the same message with the same request id to both services. */
async function both(
  body: unknown,
  headers: Record<string, string> = {},
): Promise<[RawExchange, RawExchange]> {
  const requestId = `direct-dispatch-${++seq}`;
  const h = { 'mcp-protocol-version': '2025-11-25', 'x-request-id': requestId, ...headers };
  return [await rawPost(direct.url, body, h), await rawPost(viaSdk.url, body, h)];
}

const call = (id: string | number, name: string, args?: Record<string, unknown>) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, ...(args !== undefined ? { arguments: args } : {}) },
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('direct dispatch answers exactly as the SDK does', () => {
  const cases: [string, string, unknown, Record<string, string>][] = [
    ['tools/list without params', '"tools":[', { jsonrpc: '2.0', id: 1, method: 'tools/list' }, {}],
    [
      'tools/list with empty params',
      '"tools":[',
      { jsonrpc: '2.0', id: 'l2', method: 'tools/list', params: {} },
      {},
    ],
    [
      'tools/list with a cursor',
      '"tools":[',
      { jsonrpc: '2.0', id: 3, method: 'tools/list', params: { cursor: 'x' } },
      {},
    ],
    ['a successful call', '"structuredContent"', call(4, 'list_dags', { limit: 3 }), {}],
    [
      'a diagnosis over several upstream calls',
      'example_failing',
      call(17, 'explore_dag', { dag_id: 'example_failing' }),
      {},
    ],
    ['runs of one DAG', '"run_id"', call(18, 'list_dag_runs', { dag_id: 'example_failing', limit: 2 }), {}],
    [
      'a call with a string id',
      '"id":"call-five"',
      call('call-five', 'get_dag_details', { dag_id: 'etl_daily_sales' }),
      {},
    ],
    ['a call without arguments', 'default_pool', call(6, 'list_pools'), {}],
    ['a result cut at MAX_OUTPUT_BYTES', 'output_truncated', call(7, 'list_dags', { limit: 100 }), {}],
    ['a not-found tool error', 'not_found', call(8, 'get_dag_details', { dag_id: 'no_such_dag' }), {}],
    ['an unknown tool', '-32602', call(9, 'no_such_tool', {}), {}],
    ['invalid arguments', 'invalid_argument', call(10, 'list_dags', { limit: 'many' }), {}],
    ['a missing required argument', 'Missing required argument dag_id', call(11, 'get_dag_details', {}), {}],
    [
      'a tool not exposed on this path',
      'not_exposed',
      call(19, 'get_task', { dag_id: 'x', task_id: 'y' }),
      {},
    ],
    [
      'a lenient argument (one state for a list)',
      '"run_id"',
      call(20, 'list_dag_runs', { state: 'failed' }),
      {},
    ],
    [
      'a forbidden write',
      'upstream_forbidden',
      call(12, 'pause_dag', { dag_id: 'etl_daily_sales' }),
      { authorization: 'VIEWER' },
    ],
    [
      'a rejected credential',
      'upstream_unauthorized',
      call(13, 'list_dags', {}),
      bearer('not-a-valid-token'),
    ],
    [
      'protocol 2025-06-18',
      'default_pool',
      call(14, 'list_pools', {}),
      { 'mcp-protocol-version': '2025-06-18' },
    ],
    [
      'protocol 2025-03-26',
      'default_pool',
      call(15, 'list_pools', {}),
      { 'mcp-protocol-version': '2025-03-26' },
    ],
    [
      'protocol 2024-11-05',
      'default_pool',
      call(16, 'list_pools', {}),
      { 'mcp-protocol-version': '2024-11-05' },
    ],
  ];

  it.each(cases)('%s', async (_name, mark, body, headers) => {
    // Tokens exist only once the simulator runs, after the table is built.
    const auth = headers.authorization === 'VIEWER' ? bearer(viewerToken) : {};
    const [a, b] = await both(body, { ...bearer(opToken), ...headers, ...auth });
    expect(a.status).toBe(200);
    expect(a.status).toBe(b.status);
    expect(a.headers['content-type']).toBe(b.headers['content-type']);
    expect(a.headers['cache-control']).toBe(b.headers['cache-control']);
    expect(a.text).toBe(b.text);
    expect(a.text).toContain(mark);
    // Two different paths produced those bytes: the SDK streams (chunked), the direct answer has a length.
    expect(a.headers['content-length']).toBeDefined();
    expect(b.headers['content-length']).toBeUndefined();
  });

  it('leaves everything else to the SDK: progress, envelopes, batches, other methods', async () => {
    const others: [unknown, Record<string, string>][] = [
      [
        {
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: { name: 'list_pools', _meta: { progressToken: 1 } },
        },
        {},
      ],
      [[call(2, 'list_pools', {})], {}],
      [{ jsonrpc: '2.0', id: 3, method: 'ping' }, {}],
      [call(4, 'list_pools', {}), { 'mcp-protocol-version': '2026-07-28' }],
      [call(5, 'list_pools', {}), { accept: 'application/json' }],
      [{ jsonrpc: '2.0', id: 6.5, method: 'tools/list' }, {}],
    ];
    for (const [body, headers] of others) {
      const [a, b] = await both(body, { ...bearer(opToken), ...headers });
      const what = JSON.stringify([body, headers]);
      expect(a.status, what).toBe(b.status);
      expect(a.headers['content-type'], what).toBe(b.headers['content-type']);
      expect(a.text, what).toBe(b.text);
      // Both answered by the SDK: neither has the direct path's buffered length.
      expect([a.headers['content-length'], b.headers['content-length']], what).toStrictEqual([
        undefined,
        undefined,
      ]);
    }
  });

  it('counts and logs a direct answer like any other', async () => {
    const requestId = 'direct-dispatch-observed';
    const ex = await rawPost(direct.url, call(1, 'list_pools', {}), {
      ...bearer(opToken),
      'mcp-protocol-version': '2025-11-25',
      'x-request-id': requestId,
      accept: MCP_ACCEPT,
    });
    expect(ex.status).toBe(200);
    expect(ex.headers['x-request-id']).toBe(requestId);
    expect(ex.headers['x-served-by']).toBe('same');
    const line = direct.logs.find((l) => l.includes(requestId) && l.includes('"msg":"request"'));
    expect(JSON.parse(line!)).toMatchObject({
      rpc_method: 'tools/call',
      tool: 'list_pools',
      outcome: 'ok',
      status: 200,
    });
    const metrics = await direct.metrics();
    expect(metrics).toMatch(/airflow_mcp_tool_calls_total\{tool="list_pools",outcome="ok"\} [1-9]/);
    expect(metrics).toMatch(/airflow_mcp_auth_forwarding_total\{path="forwarded_bearer"\} [1-9]/);
  });
});

describe('the fuzz generator gets the same answers with and without the direct path', () => {
  const RUNS = 300;
  let frozenSim: Simulator;
  let on: TestService;
  let off: TestService;
  let credentials: string[];

  beforeAll(async () => {
    // A stopped clock: runs do not move on between the two requests, so any difference is the path's.
    const t0 = Date.now();
    frozenSim = await startSimulator({
      auth: 'enforced',
      now: () => t0,
      users: { viewer: { password: 'viewer-pw', role: 'viewer' } },
    });
    const env = { AIRFLOW_AUTH_MODE: 'forward', AIRFLOW_API_VERSION: 'v2', MAX_OUTPUT_BYTES: '4000' };
    on = await startTestService({ airflowUrl: frozenSim.url, env, replica: 'same' });
    off = await startTestService({ airflowUrl: frozenSim.url, env, replica: 'same', directDispatch: false });
    // Read-only credentials: a write the fuzz makes cannot change what the second request sees.
    const jwt = await frozenSim.issueToken('viewer');
    credentials = [
      `Bearer ${jwt}`,
      `Basic ${Buffer.from('viewer:viewer-pw').toString('base64')}`,
      'Bearer x.y.z',
    ];
  });
  afterAll(async () => {
    await on?.close();
    await off?.close();
    await frozenSim?.close();
  });

  it(`${RUNS} random requests`, async () => {
    let direct = 0;
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fuzzBody, fuzzHeaders, async (payload, h) => {
        const sent: Record<string, string> = { 'x-request-id': `fuzz-compare-${++n}` };
        for (const [k, v] of Object.entries(h)) {
          if (v === undefined || k === 'x-request-id') continue;
          sent[k] = k === 'authorization' && v.startsWith('cred:') ? credentials[Number(v.slice(5)) % 3]! : v;
        }
        const ask = async (s: TestService) => {
          const res = await request(s.url, { method: 'POST', headers: sent, body: payload });
          return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
        };
        const [a, b] = [await ask(on), await ask(off)];
        const what = `${JSON.stringify(sent)} ${payload.slice(0, 300)}`;
        expect(a.status, what).toBe(b.status);
        expect(a.headers['content-type'], what).toBe(b.headers['content-type']);
        expect(a.text, what).toBe(b.text);
        if (a.headers['content-length'] !== undefined && b.headers['content-length'] === undefined) direct++;
      }),
      { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31), endOnFailure: true },
    );
    // The comparison is only worth something if the direct path answered a good share of them.
    expect(direct).toBeGreaterThan(RUNS / 10);
    process.stdout.write(`direct-dispatch fuzz: ${direct} of ${RUNS} answered by the direct path\n`);
  }, 120_000);
});
