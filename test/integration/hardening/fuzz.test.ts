// Property-based fuzzing over real HTTP: random JSON-RPC, tool names, arguments and headers never crash the
// server, always get a well-formed answer, and never see a credential echoed.
import fc from 'fast-check';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBody } from '../../../loadtest/lib/parse.js';
import { type Simulator, startSimulator } from '../../../src/sim/index.js';
import { body, headers } from '../../helpers/fuzz-requests.js';
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
