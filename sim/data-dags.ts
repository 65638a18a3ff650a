// Seed DAG definitions: a realistic mix of schedules, owners, tags, paused/stale DAGs, failures, mapping and assets.
import type { DagDef, TaskDef } from './model.js';

const H = 3_600_000;
const D = 24 * H;

/** The log line a failing task writes; tests and tools look for it. */
export const FAILURE_LINE = (taskId: string): string => `ValueError: simulated failure in ${taskId}`;
/** The log line every successful task ends with. */
export const SUCCESS_LINE = 'Done. Returned value was: None';

export const ORDERS_ASSET = 's3://warehouse/orders/daily.parquet';
export const REPORT_ASSET = 's3://warehouse/reports/sales_summary.csv';

const chain = (...specs: [string, string, Partial<TaskDef>?][]): TaskDef[] =>
  specs.map(([taskId, operator, extra], i) => ({
    taskId,
    operator,
    downstream: i + 1 < specs.length ? [specs[i + 1]![0]] : [],
    ...extra,
  }));

const base = { maxActiveRuns: 16, maxActiveTasks: 16, catchup: false, paused: false };

export const SEED_DAGS: DagDef[] = [
  {
    ...base,
    dagId: 'etl_daily_sales',
    description: 'Daily sales ETL: extract from the OLTP replica, transform, load into the warehouse',
    owners: ['data-eng'],
    tags: ['etl', 'sales'],
    schedule: '@daily',
    periodMs: D,
    tasks: chain(
      ['extract', 'PythonOperator'],
      ['transform', 'PythonOperator'],
      ['load', 'PythonOperator', { outlet: REPORT_ASSET }],
    ),
    docMd: "# Daily sales ETL\nLoads yesterday's orders into `analytics.sales`.",
    params: { region: 'eu', full_refresh: false },
  },
  {
    ...base,
    dagId: 'example_failing',
    description: 'Always fails in transform: used to exercise failure diagnosis',
    owners: ['airflow'],
    tags: ['example', 'failing'],
    schedule: null,
    periodMs: null,
    failTask: 'transform',
    tasks: chain(
      ['extract', 'PythonOperator'],
      ['transform', 'PythonOperator'],
      ['load', 'PythonOperator'],
      ['notify', 'EmptyOperator'],
    ),
  },
  {
    ...base,
    dagId: 'example_dynamic_mapping',
    description: 'Dynamic task mapping over a list of partitions',
    owners: ['airflow'],
    tags: ['example', 'mapping'],
    schedule: null,
    periodMs: null,
    tasks: chain(
      // Like real @task functions, each (mapped) instance pushes its return value (map_index 0..3).
      ['make_partitions', '@task', { xcom: { return_value: ['p0', 'p1', 'p2', 'p3'] } }],
      ['process_partition', '@task', { mapped: 4, xcom: { return_value: { rows: 250 } } }],
      ['summarize', '@task'],
    ),
  },
  {
    ...base,
    dagId: 'asset_producer_orders',
    description: 'Publishes the daily orders asset',
    owners: ['data-eng'],
    tags: ['assets', 'producer'],
    schedule: '0 2 * * *',
    periodMs: D,
    tasks: chain(
      ['export_orders', 'SQLExecuteQueryOperator'],
      ['publish_orders', 'PythonOperator', { outlet: ORDERS_ASSET }],
    ),
  },
  {
    ...base,
    dagId: 'asset_consumer_reporting',
    description: 'Builds reports whenever the orders asset is updated',
    owners: ['analytics'],
    tags: ['assets', 'consumer', 'reporting'],
    schedule: 'asset',
    periodMs: D,
    consumes: ORDERS_ASSET,
    tasks: chain(
      ['read_orders', 'PythonOperator'],
      ['aggregate', 'PythonOperator'],
      ['publish_dashboard', 'HttpOperator'],
    ),
  },
  {
    ...base,
    dagId: 'xcom_pipeline',
    description: 'Passes values between tasks with XCom',
    owners: ['airflow'],
    tags: ['example', 'xcom'],
    schedule: '@hourly',
    periodMs: H,
    tasks: chain(
      ['push_values', '@task', { xcom: { return_value: { rows: 1284, status: 'ok' }, row_count: 1284 } }],
      ['pull_values', '@task', { xcom: { return_value: 'validated 1284 rows' } }],
    ),
  },
  {
    ...base,
    dagId: 'ml_training_pipeline',
    description: 'Weekly model retraining (paused while the feature store migrates)',
    owners: ['ml-platform'],
    tags: ['ml', 'training'],
    schedule: '0 3 * * 1',
    periodMs: 7 * D,
    paused: true,
    maxActiveRuns: 1,
    tasks: chain(
      ['prepare_features', 'KubernetesPodOperator', { pool: 'gpu_pool' }],
      ['train_model', 'KubernetesPodOperator', { pool: 'gpu_pool', retries: 2 }],
      ['evaluate', 'PythonOperator'],
      ['register_model', 'PythonOperator'],
    ),
  },
  {
    ...base,
    dagId: 'hourly_event_ingest',
    description: 'Ingests clickstream events from Kafka every hour',
    owners: ['platform'],
    tags: ['ingest', 'events'],
    schedule: '@hourly',
    periodMs: H,
    tasks: chain(
      ['consume_batch', 'PythonOperator'],
      ['dedupe', 'PythonOperator'],
      ['write_parquet', 'PythonOperator'],
    ),
  },
  {
    ...base,
    dagId: 'long_running_report',
    description: 'Quarterly finance report; runs for hours',
    owners: ['finance'],
    tags: ['reporting', 'finance'],
    schedule: '0 6 * * *',
    periodMs: D,
    maxActiveRuns: 1,
    runDurationMs: 3 * H,
    tasks: chain(
      ['gather_ledgers', 'PythonOperator'],
      ['render_report', 'PythonOperator'],
      ['email_report', 'EmailOperator'],
    ),
  },
  {
    ...base,
    dagId: 'legacy_reporting',
    description: 'Old reporting DAG whose file was removed',
    owners: ['analytics'],
    tags: ['legacy', 'reporting'],
    schedule: '@weekly',
    periodMs: 7 * D,
    paused: true,
    stale: true,
    tasks: chain(['build_report', 'BashOperator']),
  },
  {
    ...base,
    dagId: 'partner_sync',
    description: 'Syncs customer records to partner SFTP',
    owners: ['integrations'],
    tags: ['sync', 'partners'],
    schedule: '0 */6 * * *',
    periodMs: 6 * H,
    importError: 'dags/partner_sync.py',
    tasks: chain(['fetch_customers', 'PostgresOperator'], ['upload_sftp', 'SFTPOperator']),
  },
  {
    ...base,
    dagId: 'data_quality_checks',
    description: 'Row-count and freshness checks on warehouse tables',
    owners: ['data-eng', 'analytics'],
    tags: ['dq', 'etl'],
    schedule: '*/30 * * * *',
    periodMs: H / 2,
    tasks: chain(
      ['check_row_counts', 'SQLCheckOperator', { pool: 'analytics_pool' }],
      ['check_freshness', 'SQLCheckOperator'],
    ),
  },
];

export const IMPORT_ERROR_TRACE = `Traceback (most recent call last):
  File "<frozen importlib._bootstrap>", line 488, in _call_with_frames_removed
  File "/opt/airflow/dags/partner_sync.py", line 7, in <module>
    from partner_sdk.client import PartnerClient
ModuleNotFoundError: No module named 'partner_sdk'
`;

/** Renders plausible Python source for a DAG (served by dagSources). */
export function dagSource(def: DagDef): string {
  const sched =
    def.schedule === null
      ? 'None'
      : def.schedule === 'asset'
        ? `[Asset("${def.consumes}")]`
        : `"${def.schedule}"`;
  const lines = [
    `"""${def.description ?? def.dagId}"""`,
    'from __future__ import annotations',
    '',
    'import pendulum',
    'from airflow.sdk import DAG, Asset, task',
    'from airflow.providers.standard.operators.python import PythonOperator',
    '',
    '',
    ...def.tasks.map(
      (t) =>
        `def ${t.taskId}(**context):\n` +
        (t.taskId === def.failTask
          ? `    raise ValueError("simulated failure in ${t.taskId}")\n`
          : `    print("running ${t.taskId}")\n`),
    ),
    '',
    'with DAG(',
    `    dag_id="${def.dagId}",`,
    `    schedule=${sched},`,
    '    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),',
    `    catchup=${def.catchup ? 'True' : 'False'},`,
    `    tags=${JSON.stringify(def.tags)},`,
    `    default_args={"owner": "${def.owners.join(',')}"},`,
    ') as dag:',
    ...def.tasks.map(
      (t) => `    ${t.taskId}_task = PythonOperator(task_id="${t.taskId}", python_callable=${t.taskId})`,
    ),
    `    ${def.tasks.map((t) => `${t.taskId}_task`).join(' >> ')}`,
    '',
  ];
  return lines.join('\n');
}
