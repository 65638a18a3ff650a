// Prints result sizes: our tool results vs the same Airflow answers pretty-printed (what pass-through servers return).
import { request } from 'undici';
import { startToolHarness } from './tool-harness.js';

async function raw(base: string, path: string): Promise<unknown> {
  const res = await request(`${base}/api/v2${path}`, { headers: { accept: 'application/json' } });
  return res.body.json();
}

const h = await startToolHarness({ api: 'v2' });
try {
  const runs = (await h.call('list_dag_runs', { dag_id: 'example_failing', state: ['failed'], limit: 1 }))
    .value as {
    items: { run_id: string }[];
  };
  const runId = runs.items[0]!.run_id;
  const run = `/dags/example_failing/dagRuns/${encodeURIComponent(runId)}`;
  const cases: { tool: string; args: Record<string, unknown>; rawPaths: string[] }[] = [
    { tool: 'list_dags', args: {}, rawPaths: ['/dags?limit=25&offset=0&order_by=dag_id'] },
    {
      tool: 'list_dag_runs',
      args: { dag_id: 'etl_daily_sales' },
      rawPaths: ['/dags/etl_daily_sales/dagRuns?limit=25&offset=0&order_by=-run_after'],
    },
    {
      tool: 'get_task_logs',
      args: { dag_id: 'example_failing', run_id: runId, task_id: 'transform' },
      rawPaths: [`${run}/taskInstances/transform`, `${run}/taskInstances/transform/logs/1?full_content=true`],
    },
    {
      tool: 'diagnose_dag_run',
      args: { dag_id: 'example_failing', run_id: runId },
      rawPaths: [run, `${run}/taskInstances`, `${run}/taskInstances/transform/logs/1?full_content=true`],
    },
  ];
  const rows: string[] = [];
  for (const c of cases) {
    const ours = Buffer.byteLength((await h.call(c.tool, c.args)).text);
    const responses = await Promise.all(c.rawPaths.map((p) => raw(h.simUrl, p)));
    const pretty = Buffer.byteLength(
      JSON.stringify(responses.length === 1 ? responses[0] : responses, null, 2),
    );
    rows.push(
      `| \`${c.tool}\` | ${ours.toLocaleString('en')} | ${pretty.toLocaleString('en')} | ${(pretty / ours).toFixed(1)}× | ${c.rawPaths.length} |`,
    );
  }
  console.log(
    '| Tool (default arguments) | Our result (bytes) | Raw Airflow JSON, indent=2 (bytes) | Ratio | Airflow calls |',
  );
  console.log('|---|---:|---:|---:|---:|');
  for (const r of rows) console.log(r);
} finally {
  await h.close();
}
