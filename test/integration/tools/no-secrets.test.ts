// No connection password, secret extra field or sensitive variable value reaches a tool result, resource or log line.
import { beforeAll, describe, expect, it } from 'vitest';
import { isWriteTool } from '../../../src/tools/define-tool.js';
import { allTools } from '../../../src/tools/index.js';
import { legacyHeaders, rawPost } from '../../helpers/raw-mcp.js';
import { APIS, useStack } from './stack.js';

/**
 * The secrets, written out rather than derived from the service's allow-lists (a key wrongly allowed there
 * would otherwise drop out of the search too): the simulator's seeded connection passwords and secret
 * `extra` values, and variables the test stores under sensitive names.
 */
const CONNECTION_SECRETS = [
  'SIMULATED-PG-PASSWORD-do-not-leak',
  'statement_timeout=600000', // `options` may embed a password: withheld as a whole
  'SIMULATED-AWS-SECRET-do-not-leak',
  'SIMULATED-SESSION-TOKEN-do-not-leak',
  'BEGIN OPENSSH PRIVATE KEY',
  'xoxb-SIMULATED-slack-token-do-not-leak',
];
const SECRET_VARIABLES: Record<string, string> = {
  warehouse_password: 'no-secrets-test-password-5d1e',
  github_access_token: 'no-secrets-test-token-a90c',
  deploy_private_key: 'no-secrets-test-key-77b2',
  stripe_api_key: 'no-secrets-test-api-key-3f08',
};
const SECRETS = [...CONNECTION_SECRETS, ...Object.values(SECRET_VARIABLES), 'pk_live_SIMULATED_SECRET_7f3a9'];

/** Arguments for the read tools that need some; the rest are called with none. */
const ARGS: Record<string, Record<string, unknown>> = {
  explore_dag: { dag_id: 'etl_daily_sales' },
  get_dag_details: { dag_id: 'etl_daily_sales' },
  get_dag_source: { dag_id: 'etl_daily_sales' },
  list_tasks: { dag_id: 'etl_daily_sales' },
  get_task: { dag_id: 'etl_daily_sales', task_id: 'load' },
  get_pool: { name: 'default_pool' },
  get_variable: { key: 'warehouse_password' },
  list_connections: { limit: 100 },
  list_event_logs: { limit: 100 },
  list_variables: { limit: 100 },
};
const NEEDS_RUN = ['get_dag_run', 'diagnose_dag_run', 'get_upstream_asset_events', 'list_xcom_entries'];
const NEEDS_TASK = ['get_task_instance', 'get_task_logs'];

describe.each(APIS)('secrets on Airflow %s', (api) => {
  const s = useStack(api);

  beforeAll(async () => {
    for (const [key, value] of Object.entries(SECRET_VARIABLES)) {
      const res = await fetch(`${s.sim.url}/api/${api}/variables`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ key, value, description: 'no-secrets test' }),
      });
      expect(res.status, key).toBe(api === 'v2' ? 201 : 200);
    }
  });

  it('Airflow itself holds every secret the test looks for', async () => {
    // Read straight from Airflow: the search below is only meaningful for secrets that are there to leak.
    const upstream = [
      await (await fetch(`${s.sim.url}/api/${api}/connections?limit=100`)).text(),
      await (await fetch(`${s.sim.url}/api/${api}/variables?limit=100`)).text(),
    ].join('\n');
    for (const secret of SECRETS) expect(upstream).toContain(JSON.stringify(secret).slice(1, -1));
  });

  it('no read tool result, resource or log line contains one, and every call ran', async () => {
    const runs = await s.ok('list_dag_runs', { dag_id: 'etl_daily_sales', state: ['success'], limit: 1 });
    const run = { dag_id: 'etl_daily_sales', run_id: (runs.items as { run_id: string }[])[0]!.run_id };
    const xcomRuns = await s.ok('list_dag_runs', { dag_id: 'xcom_pipeline', state: ['success'], limit: 1 });
    const xcomRun = (xcomRuns.items as { run_id: string }[])[0]!.run_id;
    const special: Record<string, Record<string, unknown>> = {
      get_xcom_entry: {
        dag_id: 'xcom_pipeline',
        run_id: xcomRun,
        task_id: 'push_values',
        key: 'return_value',
      },
      open_airflow_url: { url: `${s.sim.url}/dags/etl_daily_sales` },
    };
    const texts: string[] = [];
    const failed: string[] = [];
    const readTools = allTools.filter((t) => !isWriteTool(t));
    for (const tool of readTools) {
      const args = special[tool.name]
        ? special[tool.name]
        : NEEDS_RUN.includes(tool.name)
          ? run
          : NEEDS_TASK.includes(tool.name)
            ? { ...run, task_id: 'load' }
            : (ARGS[tool.name] ?? {});
      const r = await s.client.callTool(tool.name, args);
      if (r.isError) failed.push(`${tool.name}: ${r.content[0]?.text}`);
      texts.push(r.content.map((c) => c.text ?? '').join('\n'));
    }
    expect(failed).toEqual([]);
    expect(readTools.length).toBeGreaterThan(20);

    // The calls that hold the secrets answered with the objects themselves, minus the secrets.
    const connections = await s.ok('list_connections', { limit: 100 });
    expect((connections.items as { connection_id: string }[]).map((c) => c.connection_id).sort()).toEqual([
      'aws_default',
      'partner_sftp',
      'slack_alerts',
      'warehouse_postgres',
    ]);
    const variables = (await s.ok('list_variables', { limit: 100 })).items as {
      key: string;
      value: string;
    }[];
    for (const key of [...Object.keys(SECRET_VARIABLES), 'partner_api_key'])
      expect(variables.find((v) => v.key === key)).toMatchObject({ value: '***', redacted: true });
    expect(await s.ok('get_variable', { key: 'warehouse_password' })).toMatchObject({
      key: 'warehouse_password',
      value: '***',
    });

    for (const uri of ['airflow://version', 'airflow://providers', 'airflow://plugins', 'airflow://config']) {
      const read = await rawPost(
        s.service.url,
        { jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri } },
        legacyHeaders(),
      );
      expect(read.rpc?.result, uri).toBeDefined();
      texts.push(read.text);
    }

    const all = texts.join('\n');
    for (const secret of SECRETS) expect(all).not.toContain(secret);
    const logs = s.service.logs.join('\n');
    for (const secret of SECRETS) expect(logs).not.toContain(secret);
  });
});
