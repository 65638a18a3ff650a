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
