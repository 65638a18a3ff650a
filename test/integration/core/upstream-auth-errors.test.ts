// Airflow's auth answers become clear tool errors, counted, and never echo the token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../sim/index.js';
import { connectClient, payload } from '../../helpers/clients.js';
import { metricValue, startTestService, type TestService } from '../../helpers/service.js';

let sim: Simulator;
let service: TestService;
beforeAll(async () => {
  sim = await startSimulator({ auth: 'enforced', runDurationMs: 200 });
  service = await startTestService({ airflowUrl: sim.url });
});
afterAll(async () => {
  await service.close();
  await sim.close();
});

async function call(authorization: string | undefined, tool: string, args: Record<string, unknown>) {
  const client = await connectClient('sdk-v1', service.url, authorization);
  try {
    return await client.callTool(tool, args);
  } finally {
    await client.close();
  }
}

describe('upstream auth failures', () => {
  it('no token → upstream_unauthorized with a hint to send credentials', async () => {
    const r = await call(undefined, 'list_dags', {});
    expect(r.isError).toBe(true);
    expect(payload(r)).toMatchObject({ code: 'upstream_unauthorized', status: 401, retryable: false });
    expect(String(payload(r).hint)).toMatch(/Authorization header/);
  });

  it('expired token → upstream_unauthorized saying "Token Expired"', async () => {
    const expired = await sim.issueToken('admin', { expiresInSeconds: -60 });
    const r = await call(`Bearer ${expired}`, 'list_dags', {});
    expect(payload(r)).toMatchObject({ code: 'upstream_unauthorized', status: 401 });
    expect(String(payload(r).message)).toContain('Token Expired');
    expect(JSON.stringify(r)).not.toContain(expired);
  });

  it('garbage token → Airflow 403 "Invalid JWT token" mapped to upstream_unauthorized', async () => {
    const forged = await sim.issueToken('admin', {
      secret: 'not-the-airflow-secret-not-the-airflow-secret-xx',
    });
    const r = await call(`Bearer ${forged}`, 'list_dags', {});
    expect(payload(r)).toMatchObject({ code: 'upstream_unauthorized', status: 403 });
    expect(String(payload(r).message)).toContain('Invalid JWT token');
    expect(JSON.stringify(r)).not.toContain(forged);
  });

  it('viewer reads but a write comes back upstream_forbidden; admin write succeeds', async () => {
    const viewer = `Bearer ${await sim.issueToken('viewer')}`;
    const admin = `Bearer ${await sim.issueToken('admin')}`;
    const read = await call(viewer, 'list_dag_runs', { limit: 1 });
    expect(read.isError).toBeFalsy();
    const dagId = (
      payload(await call(viewer, 'list_dags', { limit: 1, paused: false })).items as { dag_id: string }[]
    )[0]!.dag_id;
    const denied = await call(viewer, 'trigger_dag', { dag_id: dagId });
    expect(payload(denied)).toMatchObject({ code: 'upstream_forbidden', status: 403 });
    const allowed = await call(admin, 'trigger_dag', { dag_id: dagId });
    expect(allowed.isError).toBeFalsy();
    expect(payload(allowed)).toMatchObject({ dag_id: dagId, state: 'queued' });
  });

  it('counts Airflow 401/403 answers by status and path', async () => {
    const text = await service.metrics();
    expect(
      metricValue(text, 'airflow_mcp_upstream_auth_failures_total', { status: '401', path: 'anonymous' }),
    ).toBe(1);
    expect(
      metricValue(text, 'airflow_mcp_upstream_auth_failures_total', {
        status: '401',
        path: 'forwarded_bearer',
      }),
    ).toBe(1);
    expect(
      metricValue(text, 'airflow_mcp_upstream_auth_failures_total', {
        status: '403',
        path: 'forwarded_bearer',
      }),
    ).toBe(2);
  });

  it('a malformed Authorization header is rejected with 401 before any upstream call', async () => {
    const { rawPost, toolsCall, legacyHeaders } = await import('../../helpers/raw-mcp.js');
    sim.resetCalls();
    const r = await rawPost(
      service.url,
      toolsCall(1, 'list_dags'),
      legacyHeaders({ authorization: 'Token abc' }),
    );
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toContain('Bearer');
    expect(sim.calls).toHaveLength(0);
    expect(
      metricValue(await service.metrics(), 'airflow_mcp_auth_forwarding_total', { path: 'rejected' }),
    ).toBe(1);
  });

  it('Airflow unreachable → upstream_unavailable, retryable, fast', async () => {
    const down = await startTestService({ airflowUrl: 'http://127.0.0.1:9' });
    try {
      const client = await connectClient('sdk-v2', down.url);
      const t0 = Date.now();
      const r = await client.callTool('list_dags', {});
      await client.close();
      expect(Date.now() - t0).toBeLessThan(3000);
      expect(payload(r)).toMatchObject({ code: 'upstream_unavailable', retryable: true });
    } finally {
      await down.close();
    }
  });
});
