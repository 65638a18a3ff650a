// The one-call workflows against real Airflow 3 through the MCP service: trigger and wait (with progress
// notifications) to success and to failure, the known log line, and diagnose_dag_run on the failing DAG.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COVERAGE } from './helpers/tools-coverage.js';
import { expectNoPassword, type Harness, startHarness } from './helpers/tools-harness.js';

const KNOWN_LINE = 'E2E_KNOWN_LINE hello from airflow-mcp';
const KNOWN_ERROR = 'E2E_KNOWN_ERROR simulated failure';

let h: Harness;
let failedRun: string;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('workflow tools against real Airflow 3', () => {
  it('trigger_dag_and_wait runs e2e_success to success, reporting progress; the log holds the known line', async () => {
    const progress: { progress: number; total?: number; message?: string }[] = [];
    const run = await h.call(
      'trigger_dag_and_wait',
      {
        dag_id: 'e2e_success',
        note: 'e2e trigger_dag_and_wait',
        conf: { from: 'e2e' },
        timeout_seconds: 600,
      },
      { onprogress: (p) => progress.push(p) },
    );
    expect(run).toMatchObject({ dag_id: 'e2e_success', state: 'success', run_type: 'manual' });
    expect(run.timed_out).toBeUndefined();
    expect(run.task_states).toEqual({ success: 1 });
    expect(run.failed_tasks).toBeUndefined();
    expect(Number(run.polls)).toBeGreaterThan(0);
    // Progress: a notification at the trigger (0) and at least one when the task finished; never decreasing.
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress[0]!.progress).toBe(0);
    expect(progress.at(-1)).toMatchObject({ progress: 1, total: 1 });
    for (let i = 1; i < progress.length; i++) {
      expect(progress[i]!.progress).toBeGreaterThan(progress[i - 1]!.progress);
    }

    const fetched = await h.call('get_dag_run', { dag_id: 'e2e_success', run_id: String(run.run_id) });
    expect(fetched).toMatchObject({
      state: 'success',
      note: 'e2e trigger_dag_and_wait',
      conf: { from: 'e2e' },
    });

    const log = await h.call('get_task_logs', {
      dag_id: 'e2e_success',
      run_id: String(run.run_id),
      task_id: 'say_hello',
    });
    expect(log.try_number).toBe(1);
    expect(log.continuation_token).toBeNull();
    expect((log.lines as string[]).join('\n')).toContain(KNOWN_LINE);
    const filtered = await h.call('get_task_logs', {
      dag_id: 'e2e_success',
      run_id: String(run.run_id),
      task_id: 'say_hello',
      try_number: 1,
      pattern: 'known_line',
      context_lines: 0,
      tail_lines: 5,
    });
    expect(Number(filtered.matched_lines)).toBeGreaterThanOrEqual(1);
    for (const line of filtered.lines as string[]) expect(line).toContain(KNOWN_LINE);
  });

  it('trigger_dag_and_wait on e2e_failing ends failed with the known error in failed_tasks', async () => {
    const run = await h.call('trigger_dag_and_wait', { dag_id: 'e2e_failing', timeout_seconds: 600 });
    expect(run).toMatchObject({ dag_id: 'e2e_failing', state: 'failed' });
    failedRun = String(run.run_id);
    const failed = run.failed_tasks as { task_id: string; error_lines: string[] }[];
    expect(failed.map((t) => t.task_id)).toEqual(['boom']);
    expect(failed[0]!.error_lines.join('\n')).toContain(KNOWN_ERROR);
    expect(String(run.hint)).toContain('diagnose_dag_run');
  });

  it('diagnose_dag_run on the failed run shows the known error and a finding', async () => {
    const d = await h.call('diagnose_dag_run', { dag_id: 'e2e_failing', run_id: failedRun, log_lines: 30 });
    expect(d.run).toMatchObject({ dag_id: 'e2e_failing', run_id: failedRun, state: 'failed' });
    expect(d.task_states).toEqual({ failed: 1 });
    expect(d.task_count).toBe(1);
    expect(d.findings).toEqual(['1 task(s) failed: boom']);
    const failed = d.failed_tasks as { task_id: string; try_number: number; error_lines: string[] }[];
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ task_id: 'boom', try_number: 1 });
    const text = failed[0]!.error_lines.join('\n');
    expect(text).toContain(`ValueError: ${KNOWN_ERROR}`);
    expect(text).toContain('Traceback (most recent call last):');
    expect(d.unavailable).toBeUndefined();

    const errorLog = await h.call('get_task_logs', {
      dag_id: 'e2e_failing',
      run_id: failedRun,
      task_id: 'boom',
      level: 'error',
    });
    expect((errorLog.lines as string[]).join('\n')).toContain(KNOWN_ERROR);
  });

  it('diagnose_dag_run without run_id diagnoses the latest failed run', async () => {
    const d = await h.call('diagnose_dag_run', { dag_id: 'e2e_failing' });
    expect(d.run).toMatchObject({ dag_id: 'e2e_failing', state: 'failed' });
    expect((d.failed_tasks as { task_id: string }[]).map((t) => t.task_id)).toEqual(['boom']);
  });

  it('open_airflow_url opens Airflow 3 UI links of this Airflow and refuses others', async () => {
    const base = h.airflow.url.replace(/\/+$/, '');
    const run = encodeURIComponent(failedRun);
    const ti = await h.call('open_airflow_url', { url: `${base}/dags/e2e_failing/runs/${run}/tasks/boom` });
    expect(ti).toMatchObject({
      link: { kind: 'task_instance', dag_id: 'e2e_failing', run_id: failedRun, task_id: 'boom', log: true },
      task_instance: { task_id: 'boom', state: 'failed' },
    });
    expect((ti.log as { lines: string[] }).lines.length).toBeGreaterThan(0);
    expect(await h.call('open_airflow_url', { url: `${base}/dags/e2e_failing` })).toMatchObject({
      dag: { dag_id: 'e2e_failing' },
    });
    const other = await h.call(
      'open_airflow_url',
      { url: 'https://elsewhere.example.com/dags/e2e_failing' },
      { allowError: true },
    );
    expect(other).toMatchObject({ code: 'invalid_argument' });
  });

  it('trigger_dag_and_wait on a paused DAG times out with the run still queued and a warning', async () => {
    // Deterministic on any machine: a paused DAG's run cannot start, so the wait must time out.
    const dag = 'e2e_asset_consumer';
    await h.api('PATCH', `/dags/${dag}?update_mask=is_paused`, { is_paused: true });
    let runId: string | undefined;
    try {
      const run = await h.call('trigger_dag_and_wait', { dag_id: dag, timeout_seconds: 2 });
      runId = String(run.run_id);
      expect(run).toMatchObject({ dag_id: dag, state: 'queued', timed_out: true });
      expect(String(run.warning)).toContain('paused');
      expect(String(run.hint)).toContain('get_dag_run');
      expect(Number(run.waited_seconds)).toBeGreaterThanOrEqual(2);
    } finally {
      if (runId) await h.api('DELETE', `/dags/${dag}/dagRuns/${encodeURIComponent(runId)}`);
      await h.api('PATCH', `/dags/${dag}?update_mask=is_paused`, { is_paused: false });
    }
  });
});

describe('coverage and secrets', () => {
  it('this file called every tool it covers, and no result held the connection password', () => {
    expect([...h.called].sort()).toEqual(expect.arrayContaining([...COVERAGE.workflows].sort()));
    expectNoPassword(h);
  });
});
