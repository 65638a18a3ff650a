// The first tools end to end over MCP against the simulator, on both Airflow API versions.
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_LINE, SUCCESS_LINE } from '../../../src/sim/data-dags.js';
import { type Simulator, startSimulator } from '../../../src/sim/index.js';
import { connectClient, payload, type TestClient } from '../../helpers/clients.js';
import { startTestService, type TestService } from '../../helpers/service.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ auth: 'none', runDurationMs: 300 });
});
afterAll(async () => {
  await sim.close();
});

async function waitForState(client: TestClient, dagId: string, runId: string, states: string[]) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const run = payload(await client.callTool('get_dag_run', { dag_id: dagId, run_id: runId }));
    if (states.includes(String(run.state))) return run;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`run ${runId} did not reach ${states}`);
}

describe.each(['v2', 'v1'] as const)('first tools on Airflow %s', (api) => {
  let service: TestService;
  let client: TestClient;
  beforeAll(async () => {
    service = await startTestService({
      airflowUrl: sim.url,
      env: { AIRFLOW_AUTH_MODE: 'none', AIRFLOW_API_VERSION: api, MAX_OUTPUT_BYTES: '8192' },
    });
    client = await connectClient('sdk-v2', service.url);
  });
  afterAll(async () => {
    await client.close();
    await service.close();
  });

  it('list_dags filters by tag and pages', async () => {
    const page = payload(await client.callTool('list_dags', { tags: ['example'], limit: 100 })) as {
      items: { dag_id: string; tags: string[] }[];
      total_entries: number;
    };
    expect(page.items.map((d) => d.dag_id)).toContain('example_failing');
    expect(page.items.every((d) => d.tags.includes('example'))).toBe(true);
    expect(page.total_entries).toBe(page.items.length);
  });

  it('get_dag_details and get_dag_source describe a DAG', async () => {
    const d = payload(await client.callTool('get_dag_details', { dag_id: 'etl_daily_sales' }));
    expect(d).toMatchObject({
      dag_id: 'etl_daily_sales',
      schedule: expect.any(String),
      tags: ['etl', 'sales'],
    });
    const src = payload(await client.callTool('get_dag_source', { dag_id: 'etl_daily_sales' }));
    expect(String(src.content)).toContain('etl_daily_sales');
  });

  it('trigger_dag → get_dag_run → get_task_instance → get_task_logs with the known line', async () => {
    const run = payload(
      await client.callTool('trigger_dag', { dag_id: 'etl_daily_sales', conf: { region: 'us' } }),
    );
    expect(run).toMatchObject({ dag_id: 'etl_daily_sales', state: 'queued', run_type: 'manual' });
    const done = await waitForState(client, 'etl_daily_sales', String(run.run_id), ['success', 'failed']);
    expect(done.state).toBe('success');
    const ti = payload(
      await client.callTool('get_task_instance', {
        dag_id: 'etl_daily_sales',
        run_id: String(run.run_id),
        task_id: 'load',
      }),
    );
    expect(ti).toMatchObject({ task_id: 'load', state: 'success', try_number: 1 });
    const logs = payload(
      await client.callTool('get_task_logs', {
        dag_id: 'etl_daily_sales',
        run_id: String(run.run_id),
        task_id: 'load',
        tail_lines: 5,
      }),
    ) as { lines: string[]; try_number: number; truncated: boolean; continuation_token: string | null };
    expect(logs.try_number).toBe(1);
    expect(logs.lines.length).toBe(5);
    expect(logs.lines.join('\n')).toContain(SUCCESS_LINE);
    expect(logs.truncated).toBe(true);
    expect(logs.continuation_token).toBeNull();
  });

  it('get_task_logs level filter finds the failure in the failing DAG', async () => {
    const run = payload(await client.callTool('trigger_dag', { dag_id: 'example_failing' }));
    await waitForState(client, 'example_failing', String(run.run_id), ['failed']);
    const logs = payload(
      await client.callTool('get_task_logs', {
        dag_id: 'example_failing',
        run_id: String(run.run_id),
        task_id: 'transform',
        level: 'error',
        context_lines: 1,
      }),
    ) as { lines: string[]; matched_lines: number };
    expect(logs.matched_lines).toBeGreaterThanOrEqual(1);
    expect(logs.lines.join('\n')).toContain(FAILURE_LINE('transform'));
  });

  it('trigger_dag on a paused DAG warns and does not unpause unless asked', async () => {
    const dagId = 'partner_sync';
    const patch = await request(`${sim.url}/api/v2/dags/${dagId}?update_mask=is_paused`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ is_paused: true }),
    });
    expect(patch.statusCode).toBe(200);
    await patch.body.text();
    const warned = payload(await client.callTool('trigger_dag', { dag_id: dagId }));
    expect(String(warned.warning)).toMatch(/paused/);
    expect(payload(await client.callTool('get_dag_details', { dag_id: dagId })).paused).toBe(true);
    const unpaused = payload(
      await client.callTool('trigger_dag', { dag_id: dagId, unpause_if_paused: true }),
    );
    expect(unpaused.unpaused).toBe(true);
    expect(payload(await client.callTool('get_dag_details', { dag_id: dagId })).paused).toBe(false);
  });

  it('list_dag_runs filters by state across DAGs', async () => {
    const page = payload(await client.callTool('list_dag_runs', { state: ['failed'], limit: 50 })) as {
      items: { state: string }[];
    };
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items.every((r) => r.state === 'failed')).toBe(true);
  });

  it('get_system_health gives components and a verdict', async () => {
    const h = payload(await client.callTool('get_system_health'));
    expect(['healthy', 'degraded', 'unhealthy']).toContain(h.verdict);
    expect(h.components).toHaveProperty('scheduler');
    expect((h.import_errors as { total: number }).total).toBeGreaterThanOrEqual(1);
    expect(h.verdict).not.toBe('healthy');
  });

  it('unknown DAG → not_found with a hint; bad identifiers never reach Airflow', async () => {
    const r = await client.callTool('get_dag_details', { dag_id: 'no_such_dag' });
    expect(r.isError).toBe(true);
    expect(payload(r)).toMatchObject({ code: 'not_found', status: 404 });
    sim.resetCalls();
    const badRun = await client.callTool('get_dag_run', {
      dag_id: 'etl_daily_sales',
      run_id: '../../config',
    });
    expect(badRun.isError).toBe(true);
    expect(payload(badRun)).toMatchObject({
      code: 'invalid_argument',
      message: expect.stringMatching(/run_id/),
    });
    const badDag = await client.callTool('get_dag_details', { dag_id: 'a/b' });
    expect(payload(badDag)).toMatchObject({
      code: 'invalid_argument',
      message: expect.stringMatching(/dag_id/),
    });
    expect(sim.calls).toHaveLength(0);
  });

  it('caps a large result at MAX_OUTPUT_BYTES with a truncation notice', async () => {
    const r = await client.callTool('list_dag_runs', { limit: 100 });
    const text = r.content[0]!.text!;
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(8192);
    const body = JSON.parse(text) as { truncated?: boolean; notice?: { code: string }; next_offset: number };
    expect(body.truncated).toBe(true);
    expect(body.notice?.code).toBe('output_truncated');
    expect(body.next_offset).toBeGreaterThan(0);
  });
});
