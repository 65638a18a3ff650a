// Generates docs/tools.md from the tool definitions, with example results from calling each tool on the simulator.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { allTools } from '../src/tools/index.js';
import { startToolHarness, type ToolHarness } from './tool-harness.js';

type Args = Record<string, unknown>;
interface Memo {
  failedRun: string;
  xcomRun: string;
  assetRun: string;
  triggeredRun: string;
  /** The simulator's URL (an ephemeral port): shown in the doc as SHOWN_AIRFLOW_URL. */
  simUrl: string;
}

const SHOWN_AIRFLOW_URL = 'https://airflow.example.com';

const first = async (h: ToolHarness, dagId: string, state?: string) => {
  const { value } = await h.call('list_dag_runs', {
    dag_id: dagId,
    limit: 1,
    ...(state ? { state: [state] } : {}),
  });
  return (value as { items: { run_id: string }[] }).items[0]!.run_id;
};

/** Example arguments, run in this order (writes last, so reads show the seeded data). */
const EXAMPLES: [string, (m: Memo) => Args][] = [
  ['get_airflow_version', () => ({})],
  ['get_system_health', () => ({ max_items: 2 })],
  ['list_dags', () => ({ limit: 3 })],
  ['get_dag_details', () => ({ dag_id: 'etl_daily_sales' })],
  ['get_dag_source', () => ({ dag_id: 'xcom_pipeline' })],
  ['get_dag_stats', () => ({ dag_ids: ['etl_daily_sales', 'example_failing'] })],
  ['list_dag_warnings', () => ({ limit: 3 })],
  ['list_import_errors', () => ({ limit: 2, max_error_chars: 300 })],
  ['list_dag_runs', () => ({ dag_id: 'example_failing', limit: 2 })],
  ['get_dag_run', (m) => ({ dag_id: 'example_failing', run_id: m.failedRun })],
  ['list_tasks', () => ({ dag_id: 'etl_daily_sales' })],
  ['get_task', () => ({ dag_id: 'etl_daily_sales', task_id: 'load' })],
  ['list_task_instances', (m) => ({ dag_id: 'example_failing', run_id: m.failedRun })],
  ['get_task_instance', (m) => ({ dag_id: 'example_failing', run_id: m.failedRun, task_id: 'transform' })],
  [
    'get_task_logs',
    (m) => ({
      dag_id: 'example_failing',
      run_id: m.failedRun,
      task_id: 'transform',
      level: 'error',
      context_lines: 1,
    }),
  ],
  ['explore_dag', () => ({ dag_id: 'etl_daily_sales', recent_runs: 2, source_max_chars: 300 })],
  ['diagnose_dag_run', (m) => ({ dag_id: 'example_failing', run_id: m.failedRun, log_lines: 6 })],
  ['list_xcom_entries', (m) => ({ dag_id: 'xcom_pipeline', run_id: m.xcomRun })],
  ['get_xcom_entry', (m) => ({ dag_id: 'xcom_pipeline', run_id: m.xcomRun, task_id: 'push_values' })],
  ['list_assets', () => ({})],
  ['list_asset_events', () => ({ limit: 2 })],
  ['get_upstream_asset_events', (m) => ({ dag_id: 'asset_consumer_reporting', run_id: m.assetRun })],
  ['list_pools', () => ({})],
  ['get_pool', () => ({ name: 'gpu_pool' })],
  ['list_variables', () => ({ limit: 3 })],
  ['get_variable', () => ({ key: 'environment' })],
  [
    'open_airflow_url',
    (m) => ({ url: `${m.simUrl}/dags/example_failing/runs/${encodeURIComponent(m.failedRun)}` }),
  ],
  ['list_connections', () => ({ limit: 2 })],
  ['get_airflow_config', () => ({ section: 'core' })],
  ['list_plugins', () => ({})],
  ['list_providers', () => ({ limit: 3 })],
  ['list_event_logs', () => ({ limit: 3 })],
  ['set_variable', () => ({ key: 'report_recipients', value: 'ops@example.com' })],
  ['delete_variable', () => ({ key: 'report_recipients' })],
  ['pause_dag', () => ({ dag_id: 'partner_sync' })],
  ['unpause_dag', () => ({ dag_id: 'partner_sync' })],
  ['trigger_dag', () => ({ dag_id: 'etl_daily_sales', conf: { region: 'us' } })],
  ['trigger_dag_and_wait', () => ({ dag_id: 'example_failing', timeout_seconds: 120 })],
  ['clear_task_instances', (m) => ({ dag_id: 'example_failing', run_id: m.failedRun })],
  ['clear_dag_run', (m) => ({ dag_id: 'example_failing', run_id: m.failedRun, only_failed: true })],
  [
    'set_task_instance_state',
    (m) => ({ dag_id: 'example_failing', run_id: m.failedRun, task_id: 'notify', state: 'skipped' }),
  ],
  ['set_dag_run_state', (m) => ({ dag_id: 'example_failing', run_id: m.failedRun, state: 'success' })],
  ['delete_dag_run', (m) => ({ dag_id: 'etl_daily_sales', run_id: m.triggeredRun })],
];

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  items?: JsonSchema;
  format?: string;
  default?: unknown;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  minimum?: number;
  maximum?: number;
}

function typeOf(s: JsonSchema): string {
  if (s.enum) return s.enum.map((e) => JSON.stringify(e)).join(' \\| ');
  if (s.type === 'array') return `${typeOf(s.items ?? {})}[]`;
  if (s.format === 'date-time') return 'date-time';
  const base = Array.isArray(s.type) ? s.type.join(' \\| ') : (s.type ?? 'any');
  if ((base === 'integer' || base === 'number') && (s.minimum !== undefined || s.maximum !== undefined))
    return `${base} ${s.minimum ?? ''}…${s.maximum ?? ''}`;
  return base === 'object' && !s.properties ? 'object' : base;
}

const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
const MAX_EXAMPLE_LINES = 40;

function example(value: unknown): string {
  const lines = JSON.stringify(value, null, 2).split('\n');
  if (lines.length <= MAX_EXAMPLE_LINES) return lines.join('\n');
  return [...lines.slice(0, MAX_EXAMPLE_LINES), `… (${lines.length - MAX_EXAMPLE_LINES} more lines)`].join(
    '\n',
  );
}

/** All four hints as declared (tools/list leaves out those that mean nothing for read-only tools). */
const declared = (name: string) =>
  allTools.find((t) => t.name === name)!.annotations as unknown as Record<string, unknown>;

const HINTS = ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const;
const flags = (a: Record<string, unknown>) =>
  [
    a.readOnlyHint ? 'read-only' : 'write',
    a.destructiveHint ? 'destructive' : null,
    a.idempotentHint ? 'idempotent' : null,
    a.openWorldHint ? 'open-world' : null,
  ]
    .filter(Boolean)
    .join(', ');

export async function renderToolsDoc(): Promise<string> {
  const h = await startToolHarness({ api: 'v2' });
  const results = new Map<string, { args: Args; value: unknown; isError: boolean }>();
  try {
    const memo: Memo = {
      failedRun: await first(h, 'example_failing', 'failed'),
      xcomRun: await first(h, 'xcom_pipeline', 'success'),
      assetRun: await first(h, 'asset_consumer_reporting'),
      triggeredRun: '',
      simUrl: h.simUrl,
    };
    for (const [name, argsFor] of EXAMPLES) {
      const args = argsFor(memo);
      const r = await h.call(name, args);
      const shown = JSON.parse(JSON.stringify(args).replaceAll(h.simUrl, SHOWN_AIRFLOW_URL)) as Args;
      results.set(name, { args: shown, value: r.value, isError: r.isError });
      if (name === 'trigger_dag') memo.triggeredRun = (r.value as { run_id: string }).run_id;
    }
  } finally {
    await h.close();
  }
  const tools = h.registry.listResult.tools;
  const missing = tools.filter((t) => !results.has(t.name)).map((t) => t.name);
  if (missing.length) throw new Error(`no example for: ${missing.join(', ')}`);

  const out: string[] = [
    '# Tools',
    '',
    '<!-- Generated by `npm run docs:tools` (scripts/generate-tools-doc.ts) from the tool definitions. Do not edit. -->',
    '',
    `${tools.length} tools. Every example result below was produced by calling the tool against the Airflow`,
    'simulator (Airflow 3 API) on a fixed clock. Results travel as compact JSON; they are pretty-printed here',
    `and cut after ${MAX_EXAMPLE_LINES} lines. Annotations: **read-only** tools are all that \`MCP_READ_ONLY=true\` leaves.`,
    '',
    '| Tool | Title | Annotations |',
    '|---|---|---|',
    ...tools.map((t) => `| [\`${t.name}\`](#${t.name}) | ${t.title} | ${flags(declared(t.name))} |`),
    '',
  ];
  for (const t of tools) {
    const schema = t.inputSchema as JsonSchema;
    const props = Object.entries(schema.properties ?? {});
    const required = new Set(schema.required ?? []);
    const r = results.get(t.name)!;
    out.push(`## ${t.name}`, '', `**${t.title}.** ${t.description}`, '');
    out.push(`Annotations: ${HINTS.map((k) => `\`${k}: ${String(declared(t.name)[k])}\``).join(' · ')}`, '');
    if (props.length) {
      out.push('| Argument | Type | Required | Default | Description |', '|---|---|---|---|---|');
      for (const [name, p] of props) {
        const def = p.default === undefined ? '' : `\`${JSON.stringify(p.default)}\``;
        out.push(
          `| \`${name}\` | ${cell(typeOf(p))} | ${required.has(name) && p.default === undefined ? 'yes' : ''} | ${def} | ${cell(p.description ?? '')} |`,
        );
      }
      out.push('');
    } else {
      out.push('No arguments.', '');
    }
    if (t.outputSchema) out.push('Returns `structuredContent` matching its `outputSchema`.', '');
    out.push('Example call:', '', '```json', JSON.stringify(r.args), '```', '');
    out.push(
      r.isError ? 'Example result (error):' : 'Example result:',
      '',
      '```json',
      example(r.value),
      '```',
      '',
    );
  }
  return `${out.join('\n').trimEnd()}\n`;
}

export const TOOLS_DOC_PATH = fileURLToPath(new URL('../docs/tools.md', import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(TOOLS_DOC_PATH, await renderToolsDoc());
  console.log(`wrote ${TOOLS_DOC_PATH} (${allTools.length} tools)`);
}
