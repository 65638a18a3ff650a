// Airflow 3 adapter, second layer: DAG stats, task definitions, run and task-instance writes, XCom.
import { AdapterV2Core } from './adapter-v2-core.js';
import { xcomEntry } from './adapter-v2-map.js';
import type { QueryValue } from './http-client.js';
import { type Json, num, obj, page } from './normalize.js';
import type {
  ClearDagRunInput,
  ClearResult,
  ClearTaskInstancesInput,
  DagStats,
  ListXcomQuery,
  Page,
  PageQuery,
  TaskInstanceRef,
  XcomEntry,
} from './types.js';

export function dagStatsOf(d: Json): DagStats {
  const runs: Record<string, number> = {};
  for (const s of Array.isArray(d.stats) ? d.stats : []) {
    const st = obj(s);
    runs[String(st.state)] = num(st.count) ?? 0;
  }
  return { dag_id: String(d.dag_id), runs };
}

/** -1 (not mapped) is Airflow's default: left out so servers that only accept >= 0 are happy too. */
const mappedIndex = (i: number | undefined) => (i !== undefined && i >= 0 ? i : undefined);

/** Largest XCom answer read (~16× the default result cap, room for JSON escaping of any value shown). */
export const XCOM_READ_LIMIT = 1024 * 1024;

export class AdapterV2Ops extends AdapterV2Core {
  protected mapXcom = xcomEntry;

  protected async dagStatsCall(dagIds: string[] | undefined, q: PageQuery) {
    const { body } = await this.call({
      method: 'GET',
      route: '/dagStats',
      query: dagIds ? { dag_ids: dagIds } : { limit: q.limit, offset: q.offset },
      what: 'DAG run statistics',
    });
    return obj(body);
  }

  async getDagStats(dagIds: string[] | undefined, q: PageQuery): Promise<Page<DagStats>> {
    if (!dagIds) return page(await this.dagStatsCall(undefined, q), 'dags', q, dagStatsOf);
    // Some Airflow 3 releases answer 500 when several dag_ids are asked at once: ask per DAG, concurrently.
    const bodies = await Promise.all(dagIds.map((id) => this.dagStatsCall([id], q)));
    const items = bodies.flatMap((b) => (Array.isArray(b.dags) ? b.dags : []).map((d) => dagStatsOf(obj(d))));
    return { items, total_entries: items.length, offset: 0, limit: items.length, next_offset: null };
  }

  async listTasks(dagId: string) {
    const { body } = await this.call({
      method: 'GET',
      route: '/dags/{dag_id}/tasks',
      params: { dag_id: dagId },
      what: `tasks of DAG '${dagId}'`,
    });
    const tasks = obj(body).tasks;
    return (Array.isArray(tasks) ? tasks : []).map((t) => this.mapTask(obj(t)));
  }

  async getTask(dagId: string, taskId: string) {
    const { body } = await this.call({
      method: 'GET',
      route: '/dags/{dag_id}/tasks/{task_id}',
      params: { dag_id: dagId, task_id: taskId },
      what: `task '${taskId}' of DAG '${dagId}'`,
    });
    return this.mapTask(obj(body));
  }

  async deleteDagRun(dagId: string, runId: string) {
    await this.call({
      method: 'DELETE',
      route: '/dags/{dag_id}/dagRuns/{dag_run_id}',
      params: { dag_id: dagId, dag_run_id: runId },
      what: `run '${runId}' of DAG '${dagId}'`,
    });
  }

  async clearDagRun(dagId: string, runId: string, input: ClearDagRunInput): Promise<ClearResult> {
    const { body } = await this.call({
      method: 'POST',
      route: '/dags/{dag_id}/dagRuns/{dag_run_id}/clear',
      params: { dag_id: dagId, dag_run_id: runId },
      body: { dry_run: input.dry_run, only_failed: input.only_failed },
      what: `run '${runId}' of DAG '${dagId}'`,
    });
    return { dry_run: input.dry_run, task_instances: this.refsOf(body) };
  }

  protected runStateQuery(): Record<string, QueryValue> {
    return { update_mask: 'state' };
  }

  async setDagRunState(dagId: string, runId: string, state: 'success' | 'failed' | 'queued') {
    const { body } = await this.call({
      method: 'PATCH',
      route: '/dags/{dag_id}/dagRuns/{dag_run_id}',
      params: { dag_id: dagId, dag_run_id: runId },
      query: this.runStateQuery(),
      body: { state },
      what: `run '${runId}' of DAG '${dagId}'`,
    });
    return this.mapRun(obj(body));
  }

  protected refsOf(body: unknown): TaskInstanceRef[] {
    const list = obj(body).task_instances;
    return (Array.isArray(list) ? list : []).map((t) => this.mapTaskInstanceRef(obj(t)));
  }

  protected clearPayload(input: ClearTaskInstancesInput): Record<string, unknown> {
    const payload: Record<string, unknown> = { dry_run: input.dry_run, only_failed: input.only_failed };
    const optional = {
      only_running: input.only_running,
      dag_run_id: input.run_id,
      task_ids: input.task_ids,
      start_date: input.start_date,
      end_date: input.end_date,
      include_upstream: input.include_upstream,
      include_downstream: input.include_downstream,
      reset_dag_runs: input.reset_dag_runs,
    };
    for (const [k, v] of Object.entries(optional)) if (v !== undefined) payload[k] = v;
    return payload;
  }

  async clearTaskInstances(dagId: string, input: ClearTaskInstancesInput): Promise<ClearResult> {
    const { body } = await this.call({
      method: 'POST',
      route: '/dags/{dag_id}/clearTaskInstances',
      params: { dag_id: dagId },
      body: this.clearPayload(input),
      what: `task instances of DAG '${dagId}'`,
    });
    return { dry_run: input.dry_run, task_instances: this.refsOf(body) };
  }

  protected taskStatePayload(state: string): Record<string, unknown> {
    return { new_state: state };
  }

  async setTaskInstanceState(
    dagId: string,
    runId: string,
    taskId: string,
    state: 'success' | 'failed' | 'skipped',
    mapIndex?: number,
  ) {
    const mapped = mapIndex !== undefined && mapIndex >= 0;
    const { body } = await this.call({
      method: 'PATCH',
      route: mapped
        ? '/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/{map_index}'
        : '/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}',
      params: {
        dag_id: dagId,
        dag_run_id: runId,
        task_id: taskId,
        ...(mapped ? { map_index: mapIndex } : {}),
      },
      body: this.taskStatePayload(state),
      what: `task '${taskId}' in run '${runId}'`,
    });
    const b = obj(body);
    return Array.isArray(b.task_instances) ? this.refsOf(b) : [this.mapTaskInstanceRef(b)];
  }

  async listXcomEntries(
    dagId: string,
    runId: string,
    taskId: string | undefined,
    q: ListXcomQuery,
  ): Promise<Page<XcomEntry>> {
    const { body } = await this.call({
      method: 'GET',
      route: '/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/xcomEntries',
      params: { dag_id: dagId, dag_run_id: runId, task_id: taskId ?? '~' },
      query: { limit: q.limit, offset: q.offset, xcom_key: q.key, map_index: mappedIndex(q.map_index) },
      what: `XCom entries of run '${runId}'`,
    });
    return page(body, 'xcom_entries', q, (x) => ({ ...this.mapXcom(x), run_id: runId }));
  }

  protected xcomValue(raw: unknown): unknown {
    return raw;
  }

  async getXcomEntry(dagId: string, runId: string, taskId: string, key: string, mapIndex: number) {
    const { body } = await this.call({
      method: 'GET',
      route: '/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/xcomEntries/{xcom_key}',
      params: { dag_id: dagId, dag_run_id: runId, task_id: taskId, xcom_key: key },
      query: { map_index: mappedIndex(mapIndex) },
      what: `XCom '${key}' of task '${taskId}' in run '${runId}'`,
      // A value larger than this cannot be shown (results are capped far below it): not read at all.
      maxBytes: XCOM_READ_LIMIT,
    });
    const b = obj(body);
    return { ...this.mapXcom(b), run_id: runId, value: this.xcomValue(b.value) };
  }
}
