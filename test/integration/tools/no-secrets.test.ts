// No connection password or secret extra field reaches any tool result, resource or log line, on either API.
import { describe, expect, it } from 'vitest';
import { SEED_CONNECTIONS } from '../../../sim/data-admin.js';
import { SAFE_EXTRA_KEYS } from '../../../src/airflow/adapter-v2-map.js';
import { isWriteTool } from '../../../src/tools/define-tool.js';
import { allTools } from '../../../src/tools/index.js';
import { APIS, useStack } from './stack.js';

/** Every secret the simulator's connections hold: passwords and the extra values outside the safe list. */
const SECRETS = SEED_CONNECTIONS.flatMap((c) => {
  const extra = c.extra ? (JSON.parse(c.extra) as Record<string, unknown>) : {};
  const hidden = Object.entries(extra)
    .filter(([k]) => !SAFE_EXTRA_KEYS.has(k))
    .map(([, v]) => String(v));
  return [c.password, ...hidden].filter((s): s is string => typeof s === 'string' && s.length > 0);
});

/** Arguments for the read tools that need some; the rest are called with none. */
const ARGS: Record<string, Record<string, unknown>> = {
  explore_dag: { dag_id: 'etl_daily_sales' },
  get_dag_details: { dag_id: 'etl_daily_sales' },
  get_dag_source: { dag_id: 'etl_daily_sales' },
  list_tasks: { dag_id: 'etl_daily_sales' },
  get_task: { dag_id: 'etl_daily_sales', task_id: 'load' },
  get_pool: { name: 'default_pool' },
  get_variable: { key: 'environment' },
  list_connections: { limit: 100 },
  list_event_logs: { limit: 100 },
  list_variables: { limit: 100 },
};
const NEEDS_RUN = ['get_dag_run', 'diagnose_dag_run', 'get_upstream_asset_events', 'list_xcom_entries'];
const NEEDS_TASK = ['get_task_instance', 'get_task_logs', 'get_xcom_entry'];

describe.each(APIS)('secrets on Airflow %s', (api) => {
  const s = useStack(api);

  it('knows secrets to look for', () => {
    expect(SECRETS.length).toBeGreaterThanOrEqual(5);
  });

  it('no read tool result contains a connection secret', async () => {
    const runs = (await s.ok('list_dag_runs', {
      dag_id: 'etl_daily_sales',
      state: ['success'],
      limit: 1,
    })) as {
      items: { run_id: string }[];
    };
    const run = { dag_id: 'etl_daily_sales', run_id: runs.items[0]!.run_id };
    const texts: string[] = [];
    for (const tool of allTools.filter((t) => !isWriteTool(t))) {
      const args = NEEDS_RUN.includes(tool.name)
        ? run
        : NEEDS_TASK.includes(tool.name)
          ? { ...run, task_id: 'load' }
          : (ARGS[tool.name] ?? {});
      const r = await s.client.callTool(tool.name, args);
      texts.push(r.content.map((c) => c.text ?? '').join('\n'));
    }
    const all = texts.join('\n');
    expect(all).toContain('warehouse_postgres');
    for (const secret of SECRETS) expect(all).not.toContain(secret);
    for (const secret of SECRETS) expect(s.service.logs.join('\n')).not.toContain(secret);
  });
});
