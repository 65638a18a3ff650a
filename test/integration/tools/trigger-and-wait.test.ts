// trigger_dag_and_wait over MCP on both Airflow APIs: progress notifications, failed tasks, timeout, cancellation.
import { describe, expect, it } from 'vitest';
import { startToolHarness } from '../../../scripts/tool-harness.js';
import { FAILURE_LINE } from '../../../sim/index.js';
import { connectClient, payload } from '../../helpers/clients.js';
import { APIS, useStack, waitForRun } from './stack.js';

describe.each(APIS)('trigger_dag_and_wait on Airflow %s', (api) => {
  const s = useStack(api, { sim: { runDurationMs: 900 } });

  it('trigger_dag_and_wait sends increasing progress and returns the final state', async () => {
    const progress: number[] = [];
    const r = await s.client.callTool(
      'trigger_dag_and_wait',
      { dag_id: 'etl_daily_sales', timeout_seconds: 30 },
      { onprogress: (p) => progress.push(p.progress) },
    );
    const result = payload(r);
    expect(result).toMatchObject({
      dag_id: 'etl_daily_sales',
      state: 'success',
      task_states: { success: 3 },
    });
    expect(result).not.toHaveProperty('failed_tasks');
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.at(-1)).toBe(3);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!).toBeGreaterThan(progress[i - 1]!);
  });

  it('trigger_dag_and_wait returns the failed tasks with their error lines', async () => {
    const r = await s.ok('trigger_dag_and_wait', { dag_id: 'example_failing', timeout_seconds: 30 });
    expect(r.state).toBe('failed');
    const failed = r.failed_tasks as { task_id: string; error_lines: string[] }[];
    expect(failed.map((f) => f.task_id)).toEqual(['transform']);
    expect(failed[0]!.error_lines.join('\n')).toContain(FAILURE_LINE('transform'));
  });

  it('trigger_dag_and_wait times out with the state so far', async () => {
    const r = await s.ok('trigger_dag_and_wait', { dag_id: 'ml_training_pipeline', timeout_seconds: 1 });
    expect(r).toMatchObject({ state: 'queued', timed_out: true });
    expect(String(r.warning)).toMatch(/paused/);
    await s.ok('delete_dag_run', { dag_id: 'ml_training_pipeline', run_id: r.run_id });
  });

  it('trigger_dag_and_wait stops polling Airflow when the client cancels', async () => {
    const client = await connectClient(api === 'v2' ? 'sdk-v2' : 'sdk-v1', s.service.url);
    const abort = new AbortController();
    let runId = '';
    const call = client.callTool(
      'trigger_dag_and_wait',
      { dag_id: 'ml_training_pipeline', timeout_seconds: 600 },
      {
        signal: abort.signal,
        onprogress: (p) => {
          if (p.progress === 0) runId = String(p.message).replace('triggered ', '');
        },
      },
    );
    // The run must exist first (a loaded machine may take a while to trigger it), then polling runs a while.
    const triggered = Date.now() + 10_000;
    while (runId === '' && Date.now() < triggered) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 800));
    abort.abort();
    await expect(call).rejects.toThrow();
    await client.close();
    const polls = () => s.sim.calls.filter((c) => c.path.includes(encodeURIComponent(runId))).length;
    expect(runId).not.toBe('');
    // A poll already in flight may still land: wait until the count settles, then make sure it stays put.
    // Settled = no new poll for 1.5 s (longer than the poll interval here), bounded at 15 s in all.
    let settled = polls();
    let quiet = 0;
    for (let i = 0; i < 60 && quiet < 6; i++) {
      await new Promise((r) => setTimeout(r, 250));
      quiet = polls() === settled ? quiet + 1 : 0;
      settled = polls();
    }
    expect(settled).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 2500));
    expect(polls()).toBe(settled);
    await waitForRun(s, 'ml_training_pipeline', runId, ['queued']);
  });
});

describe('trigger_dag_and_wait cancelled in-process', () => {
  it('returns what it knows with cancelled: true once the request is aborted', async () => {
    const h = await startToolHarness({ api: 'v2' });
    try {
      const abort = new AbortController();
      const notes: unknown[] = [];
      setTimeout(() => abort.abort(), 400);
      const r = await h.call(
        'trigger_dag_and_wait',
        { dag_id: 'ml_training_pipeline', timeout_seconds: 3600 },
        { signal: abort.signal, progressToken: 'p1', notify: (n) => notes.push(n) },
      );
      expect(r.isError).toBe(false);
      expect(r.value).toMatchObject({ dag_id: 'ml_training_pipeline', state: 'queued', cancelled: true });
      expect(r.value).not.toHaveProperty('timed_out');
      expect(notes[0]).toMatchObject({
        method: 'notifications/progress',
        params: { progressToken: 'p1', progress: 0 },
      });
    } finally {
      await h.close();
    }
  });
});
