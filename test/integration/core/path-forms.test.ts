// The per-client path forms over MCP with real clients: /mcp/readonly, /mcp/x/<toolsets>, both combined.
// They narrow what the operator exposes (never widen it); tools not exposed are hidden and refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../src/sim/index.js';
import { allTools } from '../../../src/tools/index.js';
import { type ClientKind, connectClient, payload } from '../../helpers/clients.js';
import { rawPost, toolsList } from '../../helpers/raw-mcp.js';
import { metricValue, startTestService, type TestService } from '../../helpers/service.js';

const KINDS: ClientKind[] = ['sdk-v1', 'sdk-v2', 'sdk-v2-2026'];
const toolsetOf = new Map(allTools.map((t) => [t.name, t.toolset]));
const isWrite = new Map(allTools.map((t) => [t.name, t.annotations.readOnlyHint !== true]));

let sim: Simulator;
let open: TestService;
let operatorDagsOnly: TestService;
beforeAll(async () => {
  sim = await startSimulator({ auth: 'none' });
  const env = { AIRFLOW_AUTH_MODE: 'none', AIRFLOW_API_VERSION: 'v2' };
  open = await startTestService({ airflowUrl: sim.url, env });
  operatorDagsOnly = await startTestService({ airflowUrl: sim.url, env: { ...env, MCP_TOOLSETS: 'dags' } });
});
afterAll(async () => {
  await open.close();
  await operatorDagsOnly.close();
  await sim.close();
});

async function names(kind: ClientKind, url: string): Promise<string[]> {
  const client = await connectClient(kind, url);
  try {
    return (await client.listTools()).tools.map((t) => t.name).sort();
  } finally {
    await client.close();
  }
}

describe.each(KINDS)('path forms with the %s client', (kind) => {
  it('/mcp/x/dags,runs/readonly lists only the read tools of those toolsets', async () => {
    const listed = await names(kind, `${open.url}/x/dags,runs/readonly`);
    const expected = allTools
      .filter((t) => (t.toolset === 'dags' || t.toolset === 'runs') && !isWrite.get(t.name))
      .map((t) => t.name)
      .sort();
    expect(listed).toEqual(expected);
    expect(listed.length).toBeGreaterThan(3);
  });

  it('/mcp/readonly hides every write tool and refuses one called anyway', async () => {
    const listed = await names(kind, `${open.url}/readonly`);
    expect(listed.some((n) => isWrite.get(n))).toBe(false);
    expect(listed).toContain('list_pools');
    const client = await connectClient(kind, `${open.url}/readonly`);
    try {
      const refused = await client.callTool('pause_dag', { dag_id: 'etl_daily' });
      expect(refused.isError).toBe(true);
      expect(payload(refused).code).toBe('read_only');
      const read = await client.callTool('list_pools', {});
      expect(read.isError).toBeFalsy();
    } finally {
      await client.close();
    }
  });

  it('/mcp/x/dags refuses a tool of another toolset as not exposed', async () => {
    const client = await connectClient(kind, `${open.url}/x/dags`);
    try {
      const refused = await client.callTool('list_pools', {});
      expect(refused.isError).toBe(true);
      expect(payload(refused).code).toBe('not_exposed');
      expect((await client.callTool('list_dags', {})).isError).toBeFalsy();
    } finally {
      await client.close();
    }
  });

  it('cannot widen what the operator exposes (MCP_TOOLSETS=dags, path asks for runs)', async () => {
    expect(await names(kind, `${operatorDagsOnly.url}/x/runs`)).toEqual([]);
    const dags = await names(kind, `${operatorDagsOnly.url}/x/dags,runs`);
    expect(dags.every((n) => toolsetOf.get(n) === 'dags')).toBe(true);
    expect(dags.length).toBeGreaterThan(0);
  });
});

describe('path forms over raw HTTP', () => {
  it('an unknown toolset or another path below /mcp is a 404 naming the endpoint or the toolsets', async () => {
    const unknown = await rawPost(`${open.url}/x/dags,nope`, toolsList(1));
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.text).hint).toContain('toolsets are dags, runs');
    const other = await rawPost(`${open.url}/y/dags`, toolsList(2));
    expect(other.status).toBe(404);
  });

  it('labels metrics with the route template, never the toolsets asked for', async () => {
    await rawPost(`${open.url}/x/dags,runs/readonly`, toolsList(3));
    const m = await open.metrics();
    expect(
      metricValue(m, 'airflow_mcp_http_requests_total', {
        method: 'POST',
        route: '/mcp/x/{toolsets}/readonly',
        status: '200',
      }),
    ).toBeGreaterThan(0);
    expect(m).not.toContain('route="/mcp/x/dags');
  });
});
