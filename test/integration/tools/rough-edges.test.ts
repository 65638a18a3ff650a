// Rough edges found in use (issue 18 part 4), over MCP on both Airflow APIs: default run, paging, ids, UI links.
import { describe, expect, it } from 'vitest';
import { APIS, type Page, useStack, waitForRun } from './stack.js';

describe.each(APIS)('rough edges on Airflow %s', (api) => {
  // A small output cap so a DAG file does not fit in one answer.
  const s = useStack(api, { env: { MAX_OUTPUT_BYTES: '1536' } });
  let failedRun = '';

  it('diagnose_dag_run without run_id diagnoses the latest failed run', async () => {
    const run = await s.ok('trigger_dag', { dag_id: 'example_failing' });
    failedRun = String(run.run_id);
    await waitForRun(s, 'example_failing', failedRun, ['failed']);
    const latest = (await s.ok('list_dag_runs', { dag_id: 'example_failing', state: 'failed', limit: 1 }))
      .items as { run_id: string }[];
    const d = await s.ok('diagnose_dag_run', { dag_id: 'example_failing' });
    expect((d.run as { run_id: string }).run_id).toBe(latest[0]!.run_id);
    expect((d.failed_tasks as { task_id: string }[]).map((t) => t.task_id)).toContain('transform');
    expect(await s.fails('diagnose_dag_run', { dag_id: 'etl_daily_sales', run_id: 'nope' })).toMatchObject({
      code: 'not_found',
    });
  });

  it('a truncated finished log says how to read the earlier lines, and following it reads them all', async () => {
    const base = { dag_id: 'example_failing', run_id: failedRun, task_id: 'transform' };
    const tail = await s.ok('get_task_logs', { ...base, tail_lines: 3 });
    expect(tail.truncated).toBe(true);
    expect(tail.continuation_token ?? null).toBeNull();
    expect(tail.hint).toMatch(/end_line=\d+/);
    const total = tail.last_line as number;
    expect(total).toBeGreaterThan(6);
    const pages: string[][] = [];
    let page = tail;
    for (let i = 0; i < 200; i++) {
      pages.unshift(page.lines as string[]);
      if (page.earlier_end_line === undefined) break;
      page = await s.ok('get_task_logs', { ...base, tail_lines: 3, end_line: page.earlier_end_line });
    }
    expect(page.first_line).toBe(1);
    const all = pages.flat();
    expect(all).toHaveLength(total);
    expect(all.slice(-3)).toEqual(tail.lines);
    expect(all.join('\n')).toMatch(/simulated failure in transform/);
  });

  it('get_dag_source pages by lines within MAX_OUTPUT_BYTES instead of being cut mid-JSON', async () => {
    const parts: string[] = [];
    let start: number | undefined = 1;
    let total = 0;
    for (let i = 0; start !== undefined && i < 50; i++) {
      const r = await s.client.callTool('get_dag_source', {
        dag_id: 'ml_training_pipeline',
        start_line: start,
      });
      expect(r.isError).toBeFalsy();
      const text = r.content[0]!.text!;
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(1536);
      const body = JSON.parse(text) as { content: string; total_lines: number; next_start_line?: number };
      expect(body).not.toHaveProperty('notice');
      parts.push(body.content);
      total = body.total_lines;
      start = body.next_start_line;
    }
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.join('\n').split('\n')).toHaveLength(total);
    const range = await s.ok('get_dag_source', {
      dag_id: 'ml_training_pipeline',
      start_line: 2,
      end_line: 3,
    });
    expect(range).toMatchObject({
      start_line: 2,
      end_line: 3,
      content: parts.join('\n').split('\n').slice(1, 3).join('\n'),
    });
  });

  it('list_task_instances with run_id "~" lists across runs and every row says its run', async () => {
    const page = (await s.ok('list_task_instances', {
      dag_id: 'example_failing',
      run_id: '~',
      limit: 20,
    })) as unknown as Page;
    expect(page.items.length).toBeGreaterThan(0);
    for (const row of page.items)
      expect(row).toMatchObject({ dag_id: 'example_failing', run_id: expect.any(String) });
  });

  const link = (path: string) => `${s.sim.url}${path}`;
  const links = () =>
    api === 'v2'
      ? {
          dag: link('/dags/example_failing'),
          run: link(`/dags/example_failing/runs/${encodeURIComponent(failedRun)}`),
          ti: link(
            `/dags/example_failing/runs/${encodeURIComponent(failedRun)}/tasks/transform?try_number=1`,
          ),
        }
      : {
          dag: link('/dags/example_failing/grid'),
          run: link(`/dags/example_failing/grid?dag_run_id=${encodeURIComponent(failedRun)}`),
          ti: link(
            `/dags/example_failing/grid?dag_run_id=${encodeURIComponent(failedRun)}&task_id=transform&tab=logs`,
          ),
        };

  it('open_airflow_url opens DAG, run and task-instance links of this Airflow, with the log', async () => {
    const l = links();
    expect(await s.ok('open_airflow_url', { url: l.dag })).toMatchObject({
      link: { kind: 'dag', dag_id: 'example_failing' },
      dag: { dag_id: 'example_failing' },
    });
    expect(await s.ok('open_airflow_url', { url: l.run })).toMatchObject({
      link: { kind: 'run', run_id: failedRun },
      run: { run_id: failedRun, state: 'failed' },
    });
    const ti = await s.ok('open_airflow_url', { url: l.ti });
    expect(ti).toMatchObject({
      link: { kind: 'task_instance', task_id: 'transform', log: true },
      task_instance: { task_id: 'transform', state: 'failed' },
    });
    const log = ti.log as { lines: string[]; try_number: number };
    expect(log.try_number).toBe(1);
    expect(log.lines.length).toBeGreaterThan(0);
    const direct = await s.ok('get_task_logs', {
      dag_id: 'example_failing',
      run_id: failedRun,
      task_id: 'transform',
    });
    expect((direct.lines as string[]).slice(-log.lines.length)).toEqual(log.lines);
  });

  it.each([
    ['another host', 'http://airflow.example.com/dags/example_failing', /not to this server's Airflow/],
    ['another port', 'http://127.0.0.1:1/dags/example_failing', /not to this server's Airflow/],
    ['not a URL', 'dags/example_failing', /not an absolute URL/],
    ['an unknown page', '/admin/users', /not to a DAG/],
  ])('open_airflow_url refuses %s', async (_name, url, message) => {
    s.sim.resetCalls();
    const err = await s.fails('open_airflow_url', { url: url.startsWith('/') ? link(url) : url });
    expect(err).toMatchObject({ code: 'invalid_argument', message: expect.stringMatching(message) });
    expect(s.sim.calls.filter((c) => !c.route.includes('version'))).toHaveLength(0);
  });
});

describe('open_airflow_url with AIRFLOW_UI_URL (the address browsers use)', () => {
  const s = useStack('v2', { env: { AIRFLOW_UI_URL: 'https://airflow.example.com/ui-prefix' } });

  it('accepts links to the browser-facing address as well as to the API address', async () => {
    const viaUi = await s.ok('open_airflow_url', {
      url: 'https://airflow.example.com/ui-prefix/dags/etl_daily_sales',
    });
    expect(viaUi).toMatchObject({ dag: { dag_id: 'etl_daily_sales' } });
    const viaApi = await s.ok('open_airflow_url', { url: `${s.sim.url}/dags/etl_daily_sales` });
    expect(viaApi).toMatchObject({ dag: { dag_id: 'etl_daily_sales' } });
    expect(
      await s.fails('open_airflow_url', { url: 'https://airflow.example.com/dags/etl_daily_sales' }),
    ).toMatchObject({
      code: 'invalid_argument',
    });
  });
});
