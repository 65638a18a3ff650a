// No session anywhere: one client's requests spread over three instances, with and without a stale session id.

import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../sim/index.js';
import {
  initialize,
  legacyHeaders,
  rawPost,
  toolPayload,
  toolsCall,
  toolsList,
} from '../../helpers/raw-mcp.js';
import { metricValue, startTestService, type TestService } from '../../helpers/service.js';

let sim: Simulator;
let replicas: TestService[];
let token: string;

beforeAll(async () => {
  sim = await startSimulator({ auth: 'enforced' });
  token = await sim.issueToken('viewer');
  replicas = await Promise.all(
    ['a', 'b', 'c'].map((name) => startTestService({ airflowUrl: sim.url, replica: `replica-${name}` })),
  );
});
afterAll(async () => {
  await Promise.all(replicas.map((r) => r.close()));
  await sim.close();
});

describe('stateless serving across replicas', () => {
  it.each([
    ['without a session header', {}],
    ['with a stale Mcp-Session-Id', { 'mcp-session-id': 'stale-session-from-another-server' }],
  ])('initialize → tools/list → tools/call on three different replicas %s', async (_name, extra) => {
    const auth = { authorization: `Bearer ${token}`, ...extra };
    const [a, b, c] = replicas as [TestService, TestService, TestService];
    const init = await rawPost(a.url, initialize(1), auth);
    expect(init.status).toBe(200);
    expect(init.rpc?.result?.protocolVersion).toBe('2025-11-25');
    expect(init.headers['mcp-session-id']).toBeUndefined();
    expect(init.headers['x-served-by']).toBe('replica-a');

    const list = await rawPost(b.url, toolsList(2), legacyHeaders(auth));
    expect(list.status).toBe(200);
    expect(list.rpc?.error).toBeUndefined();
    expect((list.rpc!.result!.tools as unknown[]).length).toBeGreaterThanOrEqual(10);
    expect(list.headers['x-served-by']).toBe('replica-b');

    const call = await rawPost(c.url, toolsCall(3, 'list_dags', { limit: 2 }), legacyHeaders(auth));
    expect(call.status).toBe(200);
    expect(call.rpc?.error).toBeUndefined();
    expect((toolPayload(call).items as unknown[]).length).toBe(2);
    for (const ex of [init, list, call]) {
      expect(ex.headers['mcp-session-id']).toBeUndefined();
      expect(ex.text.toLowerCase()).not.toContain('session');
    }
  });

  it('counts ignored session headers per replica', async () => {
    const counts = await Promise.all(
      replicas.map(async (r) => metricValue(await r.metrics(), 'airflow_mcp_session_header_ignored_total')),
    );
    expect(counts).toEqual([1, 1, 1]);
  });

  it.each(['GET', 'DELETE'])('%s on the MCP path answers 405', async (method) => {
    const res = await request(replicas[0]!.url, { method, headers: { accept: 'text/event-stream' } });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('POST');
    await res.body.text();
  });

  it('serves 2026-07-28 requests (server/discover, no initialize) on any replica', async () => {
    const discover = await rawPost(
      replicas[2]!.url,
      {
        jsonrpc: '2.0',
        id: 9,
        method: 'server/discover',
        params: {
          _meta: {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientInfo': { name: 't', version: '1' },
            'io.modelcontextprotocol/clientCapabilities': {},
          },
        },
      },
      {
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'server/discover',
        authorization: `Bearer ${token}`,
      },
    );
    expect(discover.status).toBe(200);
    expect(discover.rpc?.error).toBeUndefined();
    expect(JSON.stringify(discover.rpc?.result)).toContain('2026-07-28');
  });
});
