// Property-based fuzzing over real HTTP: random JSON-RPC, tool names, arguments and headers never crash the
// server, always get a well-formed answer, and never see a credential echoed.
import fc from 'fast-check';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBody } from '../../../loadtest/lib/parse.js';
import { type Simulator, startSimulator } from '../../../sim/index.js';
import { allTools } from '../../../src/tools/index.js';
import { MCP_ACCEPT } from '../../helpers/raw-mcp.js';
import { startTestService, type TestService } from '../../helpers/service.js';

const RUNS = 2000;
let sim: Simulator;
let service: TestService;
let secrets: string[];
let credentialHeaders: string[];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  sim = await startSimulator({ auth: 'enforced', runDurationMs: 100 });
  service = await startTestService({
    airflowUrl: sim.url,
    env: {
      AIRFLOW_AUTH_MODE: 'forward',
      AIRFLOW_API_VERSION: 'v2',
      AIRFLOW_TIMEOUT_MS: '2000',
      MAX_BODY_BYTES: '65536',
    },
  });
  const jwt = await sim.issueToken('admin');
  const basicRaw = 'admin:admin';
  const basic = Buffer.from(basicRaw).toString('base64');
  secrets = [jwt, basic, jwt.split('.')[2]!];
  credentialHeaders = [`Bearer ${jwt}`, `Basic ${basic}`, `bearer ${jwt}`, `Bearer ${jwt}x`];
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await service?.close();
  await sim?.close();
});

const TOOL_NAMES = allTools.map((t) => t.name);
const METHODS = [
  'initialize',
  'tools/list',
  'tools/call',
  'ping',
  'server/discover',
  'resources/list',
  'prompts/get',
  'notifications/initialized',
  'notifications/cancelled',
  'logging/setLevel',
  'completion/complete',
];
const ARG_NAMES = [
  'dag_id',
  'run_id',
  'task_id',
  'key',
  'value',
  'limit',
  'offset',
  'state',
  'conf',
  'try_number',
  'map_index',
  'pattern',
  'tags',
  'logical_date',
  'dry_run',
  'continuation_token',
  'pool_name',
];
const HUGE = [
  '1e999',
  '-1e999',
  '123456789012345678901234567890',
  '1e-400',
  '-0',
  '1.7976931348623157e308',
  '9007199254740993',
];
const VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2026-07-28', '1999-01-01', 'garbage', ''];

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('..', '../config', '%2F', 'a\r\nb', 'x\u0000', '\u202e', '😀'.repeat(50), 'a'.repeat(300)),
);
const value = fc.oneof(
  { depthSize: 'small' },
  text,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(text, fc.integer()), { maxLength: 5 }),
  fc.json().map((j) => JSON.parse(j) as unknown),
  fc.anything({ maxDepth: 4 }),
);
const args = fc.oneof(
  fc.dictionary(fc.constantFrom(...ARG_NAMES), value, { maxKeys: 5 }),
  fc.dictionary(text, value, { maxKeys: 4 }),
  value,
);
const id = fc.oneof(
  fc.integer(),
  fc.string({ maxLength: 10 }),
  fc.constant(null),
  fc.constant(undefined),
  fc.double(),
  fc.constant({ a: 1 }),
);
const toolCall = fc.record({
  jsonrpc: fc.constant('2.0'),
  id: fc.integer({ min: 1, max: 1_000_000 }),
  method: fc.constant('tools/call'),
  params: fc.record({ name: fc.constantFrom(...TOOL_NAMES), arguments: args }),
});
const anyMessage = fc.record(
  {
    jsonrpc: fc.oneof(fc.constant('2.0'), fc.constant('2.0'), fc.constant('1.0'), fc.constant(undefined)),
    id,
    method: fc.oneof(fc.constantFrom(...METHODS), fc.constantFrom(...METHODS), text),
    params: fc.oneof(
      fc.record({ name: fc.oneof(fc.constantFrom(...TOOL_NAMES), text), arguments: args }),
      fc.record({
        protocolVersion: fc.constantFrom(...VERSIONS),
        capabilities: fc.constant({}),
        clientInfo: fc.constant({ name: 'fuzz', version: '1' }),
      }),
      value,
    ),
  },
  { requiredKeys: ['method'] },
);
const message = fc.oneof({ weight: 3, arbitrary: toolCall }, { weight: 2, arbitrary: anyMessage });
const body = fc.oneof(
  { weight: 8, arbitrary: message.map((m) => JSON.stringify(m)) },
  { weight: 1, arbitrary: fc.array(message, { maxLength: 3 }).map((b) => JSON.stringify(b)) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(...TOOL_NAMES), fc.constantFrom(...ARG_NAMES), fc.constantFrom(...HUGE))
      .map(
        ([name, arg, n]) =>
          `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"${name}","arguments":{"${arg}":${n}}}}`,
      ),
  },
  { weight: 1, arbitrary: fc.json({ maxDepth: 6 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 100 }) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 50, max: 2000 })
      .map((d) => `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":${'['.repeat(d)}${']'.repeat(d)}}`),
  },
);
// Header values must be valid on the wire (undici refuses CR/LF); everything else is fair game.
const headerText = fc.string({
  unit: fc.constantFrom(...'abcXYZ019 -_./:;=,*"\'()<>[]{}?!@#$%^&|~`+'.split('')),
  maxLength: 40,
});
const randomHeaders = fc.record(
  {
    'content-type': fc.constantFrom(
      'application/json',
      'text/plain',
      'application/json; charset=utf-16',
      'multipart/form-data',
      '',
    ),
    accept: fc.constantFrom(MCP_ACCEPT, 'application/json', 'text/event-stream', '*/*', ''),
    'mcp-protocol-version': fc.constantFrom(...VERSIONS),
    'mcp-session-id': headerText,
    'x-request-id': headerText,
    authorization: fc.oneof(
      fc.integer({ min: 0, max: 3 }).map((i) => `cred:${i}`),
      headerText,
    ),
    origin: fc.constantFrom('http://localhost:6274', 'https://attacker.example', 'null'),
    'x-api-key': headerText,
  },
  { requiredKeys: [] },
);
// Mostly well-formed headers, so most requests get past the HTTP gates and exercise the MCP and tool layers.
const goodHeaders = fc.record(
  {
    'content-type': fc.constant('application/json'),
    accept: fc.constant(MCP_ACCEPT),
    'mcp-protocol-version': fc.constantFrom('2025-11-25', '2025-06-18', '2025-03-26'),
    authorization: fc.integer({ min: 0, max: 3 }).map((i) => `cred:${i}`),
    'x-request-id': headerText,
    'mcp-session-id': headerText,
  },
  { requiredKeys: ['content-type', 'accept', 'mcp-protocol-version', 'authorization'] },
);
const headers = fc.oneof({ weight: 4, arbitrary: goodHeaders }, { weight: 1, arbitrary: randomHeaders });

const ALLOWED_STATUS = new Set([200, 202, 400, 401, 403, 404, 405, 406, 413, 415]);

describe('fuzzing the MCP endpoint', () => {
  it(`${RUNS} random requests: no crash, well-formed answers, no credential echoed`, async () => {
    const t0 = Date.now();
    const statuses = new Map<number, number>();
    const reasons = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(body, headers, async (payload, h) => {
        const sent: Record<string, string> = {};
        for (const [k, v] of Object.entries(h)) {
          if (v === undefined) continue;
          sent[k] =
            k === 'authorization' && v.startsWith('cred:') ? credentialHeaders[Number(v.slice(5))]! : v;
        }
        const res = await request(service.url, { method: 'POST', headers: sent, body: payload });
        const raw = await res.body.text();
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        if (res.statusCode === 400) reasons.set(raw.slice(0, 90), (reasons.get(raw.slice(0, 90)) ?? 0) + 1);
        expect(
          ALLOWED_STATUS,
          `status ${res.statusCode} for ${payload.slice(0, 200)}: ${raw.slice(0, 200)}`,
        ).toContain(res.statusCode);
        for (const secret of secrets) expect(raw.includes(secret), 'credential echoed').toBe(false);
        for (const value of Object.values(res.headers)) {
          for (const secret of secrets) expect(String(value).includes(secret)).toBe(false);
        }
        if (res.statusCode === 202) return;
        const parsed = parseBody(raw, String(res.headers['content-type'] ?? ''));
        expect(parsed.problems, raw.slice(0, 200)).toEqual([]);
        expect(
          parsed.messages.length,
          `no JSON-RPC message in ${res.statusCode}: ${raw.slice(0, 200)}`,
        ).toBeGreaterThan(0);
        for (const m of parsed.messages) {
          const msg = m as {
            jsonrpc?: unknown;
            result?: unknown;
            error?: { code?: unknown; message?: unknown };
            method?: unknown;
          };
          expect(msg.jsonrpc).toBe('2.0');
          const isResponse = 'result' in msg || 'error' in msg;
          expect(isResponse || typeof msg.method === 'string').toBe(true);
          if (msg.error) {
            expect(Number.isInteger(msg.error.code)).toBe(true);
            expect(typeof msg.error.message).toBe('string');
          }
        }
      }),
      { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31), endOnFailure: true },
    );
    // Still alive and well after the storm.
    const alive = await request(service.url.replace(/\/mcp$/, '/healthz'));
    expect(alive.statusCode).toBe(200);
    await alive.body.text();
    expect(unhandled).toEqual([]);
    const logs = service.logs.join('');
    for (const secret of secrets) expect(logs.includes(secret)).toBe(false);
    const metrics = await service.metrics();
    for (const secret of secrets) expect(metrics.includes(secret)).toBe(false);
    // 10–20 s on an idle 2-CPU machine; the bound leaves room for a CI box running other suites in parallel.
    expect(Date.now() - t0).toBeLessThan(90_000);
    process.stdout.write(
      `fuzz: ${RUNS} requests in ${Date.now() - t0} ms; statuses ${JSON.stringify([...statuses])}\n${JSON.stringify([...reasons].sort((a, b) => b[1] - a[1]).slice(0, 8))}\n`,
    );
  }, 120_000);
});
