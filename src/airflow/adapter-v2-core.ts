// Airflow 3 (REST API v2) adapter, core reads; writes and other domains are layered on in adapter-v2-*.ts.
import type { UpstreamCall } from './adapter.js';
import {
  dagRunV2,
  dagSummaryV2,
  logLineV2,
  taskDefinition,
  taskInstanceRef,
  taskInstanceV2,
} from './adapter-v2-map.js';
import type { ApiVersion } from './auth-providers.js';
import type { QueryValue } from './http-client.js';
import { bool, num, obj, page, str } from './normalize.js';
import type {
  DagDetails,
  ListDagRunsQuery,
  ListDagsQuery,
  ListTaskInstancesQuery,
  LogPageQuery,
  PageQuery,
  TriggerDagRunInput,
} from './types.js';

/** DAG params as name → value; both APIs wrap each value ({value, description, schema} / {__class, value}). */
function paramValues(raw: unknown): Record<string, unknown> | null {
  if (!raw || typeof raw !== 'object') return null;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    out[k] = v && typeof v === 'object' && 'value' in v ? (v as { value: unknown }).value : v;
  }
  return out;
}

/** Airflow 3 core reads: version, health, DAGs, runs, task instances, logs, import errors, warnings. */
export class AdapterV2Core {
  readonly apiVersion: ApiVersion = 'v2';
  /** Route and shape hooks that Airflow 2 overrides (see adapter-v1.ts). */
  protected readonly healthRoute: string = '/monitor/health';
  protected mapDag = dagSummaryV2;
  protected mapRun = dagRunV2;
  protected mapTaskInstance = taskInstanceV2;
  protected mapTask = taskDefinition;
  protected mapTaskInstanceRef = taskInstanceRef;
  /** Newest first; Airflow 2 has no run_after. */
  protected readonly defaultRunOrder: string = '-run_after';

  constructor(protected readonly call: UpstreamCall) {}

  protected dagListQuery(q: ListDagsQuery): Record<string, QueryValue> {
    return {
      limit: q.limit,
      offset: q.offset,
      dag_id_pattern: q.dag_id_pattern,
      tags: q.tags,
      paused: q.paused,
      exclude_stale: q.include_inactive ? false : undefined,
      order_by: 'dag_id',
    };
  }

  /** Airflow 3 knows only `asset_triggered` (422 for Airflow 2's `dataset_triggered`): one name per type. */
  protected runTypes(types: readonly string[] | undefined): string[] | undefined {
    if (!types) return undefined;
    return [...new Set(types.map((t) => (t === 'dataset_triggered' ? 'asset_triggered' : t)))];
  }

  protected triggerPayload(input: TriggerDagRunInput): Record<string, unknown> {
    // Airflow 3 requires logical_date to be present (null = "now, no data interval").
    const payload: Record<string, unknown> = { logical_date: input.logical_date ?? null };
    if (input.run_id) payload.dag_run_id = input.run_id;
    if (input.conf) payload.conf = input.conf;
    if (input.note) payload.note = input.note;
    return payload;
  }

  async getVersion() {
    const { body } = await this.call({ method: 'GET', route: '/version', what: 'the Airflow version' });
    const b = obj(body);
    return { version: String(b.version), git_version: str(b.git_version), api_version: this.apiVersion };
  }

  async getHealth() {
    const { body } = await this.call({ method: 'GET', route: this.healthRoute, what: 'Airflow health' });
    const components: Record<string, { status: string | null; latest_heartbeat?: string | null }> = {};
    for (const [name, value] of Object.entries(obj(body))) {
      const v = obj(value);
      const heartbeat = Object.entries(v).find(([k]) => k.startsWith('latest_') && k.endsWith('heartbeat'));
      components[name] = {
        status: str(v.status),
        ...(heartbeat ? { latest_heartbeat: str(heartbeat[1]) } : {}),
      };
    }
    return { components };
  }

  async listDags(q: ListDagsQuery) {
    const { body } = await this.call({
      method: 'GET',
      route: '/dags',
      what: 'the DAG list',
      query: this.dagListQuery(q),
    });
    return page(body, 'dags', q, this.mapDag);
  }

  async getDagDetails(dagId: string): Promise<DagDetails> {
    const { body } = await this.call({
      method: 'GET',
      route: '/dags/{dag_id}/details',
      params: { dag_id: dagId },
      what: `DAG '${dagId}'`,
    });
    const d = obj(body);
    return {
      ...this.mapDag(d),
      fileloc: str(d.fileloc),
      start_date: str(d.start_date),
      catchup: bool(d.catchup),
      max_active_runs: num(d.max_active_runs),
      max_active_tasks: num(d.max_active_tasks),
      timezone: str(d.timezone),
      last_parsed_time: str(d.last_parsed_time),
      doc_md: str(d.doc_md),
      params: paramValues(d.params),
    };
  }

  async getDagSource(dagId: string, maxBytes: number) {
    const res = await this.call({
      method: 'GET',
      route: '/dagSources/{dag_id}',
      params: { dag_id: dagId },
      what: `the source of DAG '${dagId}'`,
      maxBytes: maxBytes + 4096,
    });
    const content = typeof res.body === 'string' ? res.body : (str(obj(res.body).content) ?? '');
    return { dag_id: dagId, content, truncated: res.truncated };
  }

  async setDagPaused(dagId: string, paused: boolean) {
    const { body } = await this.call({
      method: 'PATCH',
      route: '/dags/{dag_id}',
      params: { dag_id: dagId },
      query: { update_mask: 'is_paused' },
      body: { is_paused: paused },
      what: `DAG '${dagId}'`,
    });
    return this.mapDag(obj(body));
  }

  async listDagRuns(dagId: string | undefined, q: ListDagRunsQuery) {
    const { body } = await this.call({
      method: 'GET',
      route: '/dags/{dag_id}/dagRuns',
      params: { dag_id: dagId ?? '~' },
      what: dagId ? `runs of DAG '${dagId}'` : 'DAG runs',
      query: {
        limit: q.limit,
        offset: q.offset,
        state: q.state,
        run_type: this.runTypes(q.run_type),
        start_date_gte: q.start_date_gte,
        start_date_lte: q.start_date_lte,
        end_date_gte: q.end_date_gte,
        end_date_lte: q.end_date_lte,
        order_by: q.order_by ?? this.defaultRunOrder,
      },
    });
    return page(body, 'dag_runs', q, this.mapRun);
  }

  async getDagRun(dagId: string, runId: string) {
    const { body } = await this.call({
      method: 'GET',
      route: '/dags/{dag_id}/dagRuns/{dag_run_id}',
      params: { dag_id: dagId, dag_run_id: runId },
      what: `run '${runId}' of DAG '${dagId}'`,
    });
    return this.mapRun(obj(body));
  }

  async triggerDagRun(dagId: string, input: TriggerDagRunInput) {
    const { body } = await this.call({
      method: 'POST',
      route: '/dags/{dag_id}/dagRuns',
      params: { dag_id: dagId },
      body: this.triggerPayload(input),
      what: `a new run of DAG '${dagId}'`,
    });
    return this.mapRun(obj(body));
  }

  protected taskInstanceQuery(q: ListTaskInstancesQuery): Record<string, QueryValue> {
    return {
      limit: q.limit,
      offset: q.offset,
      state: q.state,
      task_id: q.task_id,
      pool: q.pool,
      start_date_gte: q.start_date_gte,
      start_date_lte: q.start_date_lte,
      end_date_gte: q.end_date_gte,
      end_date_lte: q.end_date_lte,
      order_by: q.order_by,
    };
  }

  async listTaskInstances(dagId: string | undefined, runId: string | undefined, q: ListTaskInstancesQuery) {
    const { body } = await this.call({
      method: 'GET',
      route: '/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances',
      params: { dag_id: dagId ?? '~', dag_run_id: runId ?? '~' },
      query: this.taskInstanceQuery(q),
      what: runId ? `task instances of run '${runId}'` : 'task instances',
    });
    return page(body, 'task_instances', q, this.mapTaskInstance);
  }

  async getTaskInstance(dagId: string, runId: string, taskId: string, mapIndex?: number) {
    const mapped = mapIndex !== undefined && mapIndex >= 0;
    const { body } = await this.call({
      method: 'GET',
      route: mapped
        ? '/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/{map_index}'
        : '/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}',
      params: {
        dag_id: dagId,
        dag_run_id: runId,
        task_id: taskId,
        ...(mapped ? { map_index: mapIndex } : {}),
      },
      what: `task '${taskId}' in run '${runId}'`,
    });
    return this.mapTaskInstance(obj(body));
  }

  async getTaskLogPage(dagId: string, runId: string, taskId: string, tryNumber: number, q: LogPageQuery) {
    const { body } = await this.call({
      method: 'GET',
      route: '/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/logs/{try_number}',
      params: { dag_id: dagId, dag_run_id: runId, task_id: taskId, try_number: tryNumber },
      query: { full_content: false, map_index: q.mapIndex, token: q.token },
      what: `the log of task '${taskId}' (try ${tryNumber})`,
      maxBytes: q.maxBytes,
    });
    const b = obj(body);
    const content = Array.isArray(b.content)
      ? b.content
      : typeof b.content === 'string'
        ? b.content.split('\n')
        : [];
    return { lines: content.map(logLineV2), continuation_token: str(b.continuation_token) };
  }

  async listImportErrors(q: PageQuery) {
    const { body } = await this.call({
      method: 'GET',
      route: '/importErrors',
      query: { limit: q.limit, offset: q.offset },
      what: 'import errors',
    });
    return page(body, 'import_errors', q, (e) => ({
      filename: str(e.filename),
      timestamp: str(e.timestamp),
      error: str(e.stack_trace) ?? '',
    }));
  }

  async listDagWarnings(q: PageQuery & { dag_id?: string | undefined }) {
    const { body } = await this.call({
      method: 'GET',
      route: '/dagWarnings',
      query: { limit: q.limit, offset: q.offset, dag_id: q.dag_id },
      what: 'DAG warnings',
    });
    return page(body, 'dag_warnings', q, (w) => ({
      dag_id: String(w.dag_id),
      warning_type: String(w.warning_type),
      message: String(w.message),
      timestamp: str(w.timestamp),
    }));
  }
}
