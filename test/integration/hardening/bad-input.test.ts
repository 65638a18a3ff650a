// Bad input over real HTTP: each malformed, oversized or hostile request gets a precise refusal, nothing leaks on.
import { gzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../src/sim/index.js';
import { legacyHeaders, MCP_ACCEPT, rawPost, toolsCall } from '../../helpers/raw-mcp.js';
import { metricValue, startTestService, type TestService } from '../../helpers/service.js';
import { callTool, recordRow, sawOf } from './support.js';

let sim: Simulator;
let service: TestService;
beforeAll(async () => {
  sim = await startSimulator({ auth: 'none' });
  service = await startTestService({
    airflowUrl: sim.url,
    env: { AIRFLOW_AUTH_MODE: 'none', AIRFLOW_API_VERSION: 'v2', MAX_BODY_BYTES: '4096' },
  });
});
afterAll(async () => {
  await service.close();
  await sim.close();
});

async function send(body: string, headers: Record<string, string>, method = 'POST') {
  const t0 = performance.now();
  const res = await request(service.url, { method, headers, body: method === 'POST' ? body : null });
  const text = await res.body.text();
  const ms = Math.round(performance.now() - t0);
  let json: { error?: { code: number; message: string }; id?: unknown } | undefined;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const saw = json?.error
    ? `HTTP ${res.statusCode}, JSON-RPC ${json.error.code} "${json.error.message}"`
    : `HTTP ${res.statusCode}`;
  return { status: res.statusCode, headers: res.headers, json, ms, saw };
}

const JSON_HEADERS = { 'content-type': 'application/json', accept: MCP_ACCEPT, ...legacyHeaders() };
const nested = (depth: number): unknown => {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
};

describe('malformed requests are refused before the MCP layer', () => {
  it('malformed JSON → 400 with JSON-RPC -32700', async () => {
    const r = await send('{"jsonrpc":"2.0","id":1,"method":', JSON_HEADERS);
    expect(r.status).toBe(400);
    expect(r.json?.error?.code).toBe(-32700);
    recordRow('bad input', 'malformed JSON', r.saw, r.ms);
  });

  it('wrong content type → 415 from the SDK', async () => {
    const r = await send(JSON.stringify(toolsCall(1, 'list_dags')), {
      ...JSON_HEADERS,
      'content-type': 'text/plain',
    });
    expect(r.status).toBe(415);
    recordRow('bad input', 'Content-Type: text/plain', r.saw, r.ms);
  });

  it('missing Accept (or one without text/event-stream) → 406 from the SDK', async () => {
    const { accept: _, ...noAccept } = JSON_HEADERS;
    const r = await send(JSON.stringify(toolsCall(1, 'list_dags')), noAccept);
    expect(r.status).toBe(406);
    const html = await send(JSON.stringify(toolsCall(1, 'list_dags')), {
      ...JSON_HEADERS,
      accept: 'text/html',
    });
    expect(html.status).toBe(406);
    recordRow('bad input', 'no Accept header', r.saw, r.ms);
  });

  it('a body over MAX_BODY_BYTES → 413 before parsing (even when it is not JSON), counted', async () => {
    const big = JSON.stringify(toolsCall(1, 'list_dags', { pad: 'x'.repeat(8000) }));
    const r = await send(big, JSON_HEADERS);
    expect(r.status).toBe(413);
    expect(r.json?.error?.code).toBe(-32600);
    const garbage = await send(`{${'x'.repeat(8000)}`, JSON_HEADERS);
    expect(garbage.status).toBe(413);
    expect(
      metricValue(await service.metrics(), 'airflow_mcp_rejected_requests_total', {
        reason: 'body_too_large',
      }),
    ).toBe(2);
    recordRow('bad input', 'body of 8 KB over MAX_BODY_BYTES=4096', r.saw, r.ms);
  });

  it('GET and DELETE → 405 with Allow: POST', async () => {
    for (const method of ['GET', 'DELETE']) {
      const r = await send('', { accept: MCP_ACCEPT }, method);
      expect(r.status).toBe(405);
      expect(r.headers.allow).toBe('POST');
      if (method === 'GET') recordRow('bad input', 'GET /mcp', r.saw, r.ms);
    }
  });

  it('a gzip-encoded or UTF-16 request is decoded and served; a non-Unicode charset → 415 naming UTF-8', async () => {
    const zipped = gzipSync(JSON.stringify(toolsCall(4, 'list_dags')));
    const res = await request(service.url, {
      method: 'POST',
      headers: { ...JSON_HEADERS, 'content-encoding': 'gzip' },
      body: zipped,
    });
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toContain('"id":4');
    // body-parser decodes the Unicode charsets JSON allows (RFC 7159 8.1).
    const utf16 = await request(service.url, {
      method: 'POST',
      headers: { ...JSON_HEADERS, 'content-type': 'application/json; charset=utf-16le' },
      body: Buffer.from(JSON.stringify(toolsCall(5, 'list_dags')), 'utf16le'),
    });
    expect(utf16.statusCode).toBe(200);
    expect(await utf16.body.text()).toContain('"id":5');
    const latin1 = await send(JSON.stringify(toolsCall(6, 'list_dags')), {
      ...JSON_HEADERS,
      'content-type': 'application/json; charset=iso-8859-1',
    });
    expect(latin1.status).toBe(415);
    expect(latin1.json?.error?.message).toMatch(/UTF-8/);
    recordRow('bad input', 'Content-Type: application/json; charset=iso-8859-1', latin1.saw, latin1.ms);
  });

  it('an unknown path, or a write to a health route → 404 JSON naming the MCP endpoint', async () => {
    const base = new URL(service.url);
    for (const [method, path] of [
      ['GET', '/nope'],
      ['POST', '/healthz'],
      ['GET', '/mcpx'],
    ] as const) {
      const res = await request(new URL(path, base), { method });
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(((await res.body.json()) as { hint: string }).hint).toContain(base.pathname);
    }
  });

  it('JSON nested deeper than 64 levels → 400 -32600 naming the limit, id echoed, nothing dispatched', async () => {
    sim.resetCalls();
    const body = toolsCall(7, 'list_dags', { deep: nested(100) as Record<string, unknown> });
    const r = await send(JSON.stringify(body), JSON_HEADERS);
    expect(r.status).toBe(400);
    expect(r.json?.error?.code).toBe(-32600);
    expect(r.json?.error?.message).toMatch(/deeper than 64/);
    expect(r.json?.id).toBe(7);
    expect(sim.calls).toHaveLength(0);
    // 60 levels pass the guard and reach the tool, whose schema drops the unknown field.
    const ok = await rawPost(
      service.url,
      toolsCall(8, 'list_dags', { deep: nested(60) as never }),
      legacyHeaders(),
    );
    expect(ok.status).toBe(200);
    expect(ok.rpc?.error).toBeUndefined();
    recordRow('bad input', 'arguments nested 100 levels deep', r.saw, r.ms);
  });

  it('more than 10 000 values → 400 -32600', async () => {
    // MAX_BODY_BYTES is 4096 on the shared service: 12 000 values need a roomier one.
    const roomy = await startTestService({
      airflowUrl: sim.url,
      env: { AIRFLOW_AUTH_MODE: 'none', AIRFLOW_API_VERSION: 'v2' },
    });
    try {
      const t0 = performance.now();
      const wide = await rawPost(
        roomy.url,
        toolsCall(10, 'list_dags', { many: Array(12_000).fill(0) }),
        legacyHeaders(),
      );
      expect(wide.status).toBe(400);
      expect(wide.rpc?.error?.code).toBe(-32600);
      expect(wide.rpc?.error?.message).toMatch(/more than 10000 values/);
      recordRow(
        'bad input',
        'arguments with 12 000 array elements',
        sawOf({ ex: wide, body: undefined }),
        Math.round(performance.now() - t0),
      );
    } finally {
      await roomy.close();
    }
  });
});

describe('JSON-RPC and tool-level errors', () => {
  it('unknown method → -32601', async () => {
    const t0 = performance.now();
    const ex = await rawPost(
      service.url,
      { jsonrpc: '2.0', id: 3, method: 'tools/destroy', params: {} },
      legacyHeaders(),
    );
    expect(ex.rpc?.error?.code).toBe(-32601);
    recordRow(
      'bad input',
      'unknown JSON-RPC method',
      sawOf({ ex, body: undefined }),
      Math.round(performance.now() - t0),
    );
  });

  it('unknown tool → -32602 naming it', async () => {
    const r = await callTool(service.url, 'drop_all_dags');
    expect(r.ex.rpc?.error?.code).toBe(-32602);
    expect(r.ex.rpc?.error?.message).toContain('"drop_all_dags"');
    recordRow('bad input', 'unknown tool', sawOf(r), r.ms);
  });

  it('invalid params → an isError result naming the field, what was expected and an example', async () => {
    const r = await callTool(service.url, 'list_dags', { limit: 'lots' });
    expect(r.ex.rpc?.error).toBeUndefined();
    expect(r.body?.code).toBe('invalid_argument');
    expect(r.body?.message).toMatch(/limit.*expected a number/);
    expect(r.body?.hint).toMatch(/limit=\d+/);
    recordRow('bad input', 'limit: "lots"', sawOf(r), r.ms);
  });

  it('an oversized identifier → an isError result naming the field', async () => {
    const r = await callTool(service.url, 'get_dag_details', { dag_id: 'd'.repeat(300) });
    expect(r.body?.code).toBe('invalid_argument');
    expect(r.body?.message).toMatch(/dag_id/);
    recordRow('bad input', 'dag_id of 300 characters', sawOf(r), r.ms);
  });
});

describe('identifiers never escape their API path', () => {
  const HOSTILE = [
    '..',
    '.',
    '../../config',
    '..%2F..%2Fconfig',
    '%2e%2e',
    'a/b',
    'a\\b',
    'x\r\nHost: evil',
    'x\u0000y',
    'ok?limit=1000',
    'ok#frag',
    'ünïcödé/../variables',
  ];

  it('get_dag_run with hostile run ids reaches only the dag-run route (or is refused first)', async () => {
    sim.resetCalls();
    const t0 = performance.now();
    const outcomes: string[] = [];
    for (const runId of HOSTILE) {
      const r = await callTool(service.url, 'get_dag_run', { dag_id: 'example_etl', run_id: runId });
      const code = r.ex.rpc?.error?.code ?? r.body?.code;
      outcomes.push(`${JSON.stringify(runId)} → ${code}`);
      expect([-32602, 'invalid_argument', 'not_found']).toContain(code);
    }
    for (const dagId of ['..', '.', '../x', 'a%2Fb']) {
      const r = await callTool(service.url, 'get_dag_details', { dag_id: dagId });
      const code = r.ex.rpc?.error?.code ?? r.body?.code;
      outcomes.push(`dag ${JSON.stringify(dagId)} → ${code}`);
      expect([-32602, 'invalid_argument', 'not_found']).toContain(code);
    }
    const routes = new Set(sim.calls.map((c) => c.route));
    expect(
      [...routes].every(
        (r) => r === '/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}' || r === '/api/v2/dags/{dag_id}',
      ),
    ).toBe(true);
    for (const call of sim.calls) {
      expect(call.path).toMatch(/^\/api\/v2\/dags\/[^/]+(\/dagRuns\/[^/?#]+)?(\/details)?$/);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: checking that none arrived
      expect(call.path).not.toMatch(/[\u0000-\u001f]|\/\.\.?(\/|$)/);
    }
    const refused = outcomes.filter((o) => !o.endsWith('not_found')).length;
    recordRow(
      'bad input',
      `${outcomes.length} hostile ids: \`..\`, \`.\`, \`../../config\`, \`%2F\`, \`a/b\`, \`a\\b\`, CR/LF, NUL, \`?\`, \`#\`, unicode`,
      `${refused} refused before Airflow (-32602 or \`invalid_argument\`), the rest \`not_found\` from the same route; ${sim.calls.length} Airflow calls, all on \`/dags/{dag_id}[/dagRuns/{run_id}]\``,
      Math.round(performance.now() - t0),
    );
  });
});
