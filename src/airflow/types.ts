// The normalised shapes every adapter returns, so tools never see which Airflow API version answered.

export interface PageQuery {
  limit: number;
  offset: number;
}

export interface Page<T> {
  items: T[];
  total_entries: number;
  offset: number;
  limit: number;
  /** Offset of the next page, or null when this page is the last. */
  next_offset: number | null;
}

export interface VersionInfo {
  version: string;
  git_version: string | null;
  api_version: 'v1' | 'v2';
}

export interface HealthComponent {
  status: string | null;
  latest_heartbeat?: string | null;
}

export interface HealthInfo {
  components: Record<string, HealthComponent>;
}

export interface DagSummary {
  dag_id: string;
  description: string | null;
  is_paused: boolean;
  /** False when the DAG's file is gone (Airflow 3 is_stale, Airflow 2 !is_active). */
  is_active: boolean;
  tags: string[];
  schedule: string | null;
  owners: string[];
  next_run: string | null;
  has_import_errors: boolean;
}

export interface DagDetails extends DagSummary {
  fileloc: string | null;
  start_date: string | null;
  catchup: boolean | null;
  max_active_runs: number | null;
  max_active_tasks: number | null;
  timezone: string | null;
  last_parsed_time: string | null;
  doc_md: string | null;
  params: Record<string, unknown> | null;
}

export interface ListDagsQuery extends PageQuery {
  dag_id_pattern?: string | undefined;
  tags?: string[] | undefined;
  paused?: boolean | undefined;
  include_inactive?: boolean | undefined;
}

export interface DagRun {
  dag_id: string;
  run_id: string;
  state: string | null;
  run_type: string | null;
  logical_date: string | null;
  run_after: string | null;
  queued_at: string | null;
  start_date: string | null;
  end_date: string | null;
  conf: Record<string, unknown> | null;
  note: string | null;
}

export interface ListDagRunsQuery extends PageQuery {
  state?: string[] | undefined;
  run_type?: string[] | undefined;
  start_date_gte?: string | undefined;
  start_date_lte?: string | undefined;
  end_date_gte?: string | undefined;
  end_date_lte?: string | undefined;
  order_by?: string | undefined;
}

export interface TriggerDagRunInput {
  run_id?: string | undefined;
  conf?: Record<string, unknown> | undefined;
  logical_date?: string | null | undefined;
  note?: string | undefined;
}

export interface TaskInstance {
  dag_id: string;
  run_id: string;
  task_id: string;
  map_index: number;
  state: string | null;
  try_number: number;
  start_date: string | null;
  end_date: string | null;
  duration: number | null;
  operator: string | null;
  pool: string | null;
  queue: string | null;
  hostname: string | null;
}

export interface LogPage {
  lines: string[];
  /** Token for the next page, or null at the end of the log. */
  continuation_token: string | null;
}

export interface LogPageQuery {
  mapIndex?: number | undefined;
  token?: string | undefined;
  /** Cap on the bytes read from Airflow for this page. */
  maxBytes: number;
}

export interface ImportErrorItem {
  filename: string | null;
  timestamp: string | null;
  error: string;
}

export interface DagWarning {
  dag_id: string;
  warning_type: string;
  message: string;
  timestamp: string | null;
}

export interface DagStats {
  dag_id: string;
  /** Run counts by state (queued, running, success, failed). */
  runs: Record<string, number>;
}

export interface TaskDefinition {
  task_id: string;
  operator: string | null;
  downstream_task_ids: string[];
  trigger_rule: string | null;
  retries: number | null;
  pool: string | null;
  queue: string | null;
  is_mapped: boolean;
  owner: string | null;
  doc_md: string | null;
}

export interface ListTaskInstancesQuery extends PageQuery {
  state?: string[] | undefined;
  task_id?: string | undefined;
  pool?: string[] | undefined;
  start_date_gte?: string | undefined;
  start_date_lte?: string | undefined;
  end_date_gte?: string | undefined;
  end_date_lte?: string | undefined;
  order_by?: string | undefined;
}

/** A task instance a clear (or state change) touched or would touch. */
export interface TaskInstanceRef {
  dag_id: string;
  run_id: string;
  task_id: string;
  map_index: number;
  state: string | null;
}

export interface ClearDagRunInput {
  dry_run: boolean;
  only_failed: boolean;
}

export interface ClearTaskInstancesInput {
  dry_run: boolean;
  only_failed: boolean;
  only_running?: boolean | undefined;
  run_id?: string | undefined;
  task_ids?: string[] | undefined;
  start_date?: string | undefined;
  end_date?: string | undefined;
  include_upstream?: boolean | undefined;
  include_downstream?: boolean | undefined;
  reset_dag_runs?: boolean | undefined;
}

export interface ClearResult {
  dry_run: boolean;
  task_instances: TaskInstanceRef[];
}

export interface XcomEntry {
  dag_id: string;
  run_id: string;
  task_id: string;
  map_index: number;
  key: string;
  timestamp: string | null;
  value?: unknown;
}

export interface ListXcomQuery extends PageQuery {
  key?: string | undefined;
  map_index?: number | undefined;
}

export interface Pool {
  name: string;
  slots: number | null;
  open_slots: number | null;
  running_slots: number | null;
  queued_slots: number | null;
  occupied_slots: number | null;
  deferred_slots: number | null;
  description: string | null;
  include_deferred: boolean | null;
}

export interface Variable {
  key: string;
  value: string | null;
  description: string | null;
}

/** A connection without its password; `extra` holds only keys known to be safe. */
export interface SafeConnection {
  connection_id: string;
  conn_type: string | null;
  description: string | null;
  host: string | null;
  port: number | null;
  login: string | null;
  schema: string | null;
  has_password: boolean;
  extra: Record<string, unknown> | null;
  /** Extra keys left out because they may hold secrets. */
  extra_hidden_keys: string[];
}

export interface ConfigSection {
  name: string;
  options: { key: string; value: string }[];
}

export interface Plugin {
  name: string;
  source: string | null;
  /** Non-empty extension points the plugin provides, e.g. {listeners: [...]}. */
  provides: Record<string, unknown[]>;
}

export interface Provider {
  package_name: string;
  version: string | null;
  description: string | null;
}

export interface EventLog {
  id: number | null;
  when: string | null;
  event: string | null;
  owner: string | null;
  dag_id: string | null;
  task_id: string | null;
  run_id: string | null;
  map_index: number | null;
  try_number: number | null;
  extra: string | null;
}

export interface ListEventLogsQuery extends PageQuery {
  dag_id?: string | undefined;
  task_id?: string | undefined;
  run_id?: string | undefined;
  event?: string | undefined;
  owner?: string | undefined;
  after?: string | undefined;
  before?: string | undefined;
}

export interface Asset {
  id: number | null;
  name: string | null;
  uri: string;
  group: string | null;
  /** DAGs scheduled on this asset. */
  consumers: string[];
  /** `dag_id.task_id` of the tasks that update it. */
  producers: string[];
  last_event_at: string | null;
}

export interface ListAssetsQuery extends PageQuery {
  uri_pattern?: string | undefined;
  name_pattern?: string | undefined;
  dag_ids?: string[] | undefined;
}

export interface AssetEvent {
  id: number | null;
  asset_id: number | null;
  uri: string | null;
  name: string | null;
  timestamp: string | null;
  source_dag_id: string | null;
  source_task_id: string | null;
  source_run_id: string | null;
  source_map_index: number | null;
  extra: Record<string, unknown> | null;
  /** Runs this event triggered. */
  triggered_runs: { dag_id: string; run_id: string; state: string | null }[];
}

export interface ListAssetEventsQuery extends PageQuery {
  asset_id?: number | undefined;
  source_dag_id?: string | undefined;
  source_task_id?: string | undefined;
  source_run_id?: string | undefined;
  timestamp_gte?: string | undefined;
  timestamp_lte?: string | undefined;
}
