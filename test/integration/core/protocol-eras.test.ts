// A tools/call served in the 2026-07-28 era gives the same result as in the 2025 era, in the 2026 shape.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../src/sim/index.js';
import { connectClient, payload, servedEra, type TestClient } from '../../helpers/clients.js';
import { startTestService, type TestService } from '../../helpers/service.js';

let sim: Simulator;
let service: TestService;
let legacy: TestClient;
let modern: TestClient;

beforeAll(async () => {
  sim = await startSimulator({ auth: 'none' });
  service = await startTestService({
    airflowUrl: sim.url,
    env: { AIRFLOW_AUTH_MODE: 'none', AIRFLOW_API_VERSION: 'v2' },
  });
  legacy = await connectClient('sdk-v1', service.url);
  modern = await connectClient('sdk-v2-2026', service.url);
});
afterAll(async () => {
  await legacy?.close();
  await modern?.close();
  await service?.close();
  await sim?.close();
});

/** The JSON-RPC result of the last tools/call the client sent, as the server wrote it. */
async function rawResult(client: TestClient): Promise<Record<string, unknown>> {
  await servedEra(client.served, 'tools/call'); // waits for the body
  const last = client.served.filter((s) => s.method === 'tools/call').at(-1)!;
  const json = last.contentType.startsWith('text/event-stream')
    ? last.text.slice(last.text.indexOf('data: ') + 6)
    : last.text;
  // Request ids are per request (and in error texts), the one thing that legitimately differs.
  const normalised = json.replace(
    /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g,
    '<request-id>',
  );
  return (JSON.parse(normalised) as { result: Record<string, unknown> }).result;
}

describe('tools/call in both eras', () => {
  it.each([
    ['a successful call', 'get_dag_details', { dag_id: 'etl_daily_sales' }, undefined],
    ['a tool error', 'get_dag_details', { dag_id: 'no_such_dag' }, true],
    ['invalid arguments', 'list_dags', { limit: 'many' }, true],
  ])('%s: same result, 2026 envelope only in the 2026 era', async (_name, tool, args, isError) => {
    const a = await legacy.callTool(tool, args);
    const b = await modern.callTool(tool, args);
    expect(await servedEra(legacy.served, 'tools/call')).toBe('2025');
    expect(await servedEra(modern.served, 'tools/call')).toBe('2026-07-28');

    const old = await rawResult(legacy);
    const now = await rawResult(modern);
    expect(old.isError).toBe(isError);
    expect(now).toStrictEqual({
      ...old,
      resultType: 'complete',
      _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'airflow-mcp', version: '0.1.0' } },
    });
    // What each client hands its caller: the same tool result.
    const { request_id: _a, ...fromOld } = payload(a);
    const { request_id: _b, ...fromNew } = payload(b);
    expect(fromNew).toStrictEqual(fromOld);
    expect(b.isError).toBe(a.isError);
  });

  it('a 2026-07-28 success carries the DAG itself', async () => {
    const r = await modern.callTool('get_dag_details', { dag_id: 'etl_daily_sales' });
    expect(r.isError).toBeUndefined();
    expect(payload(r)).toMatchObject({ dag_id: 'etl_daily_sales', schedule: '@daily' });
  });
});
