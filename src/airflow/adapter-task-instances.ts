// The adapter's task-instance part: list and read instances, logs, clears, state changes and XCom.
import type { AirflowAdapter, UpstreamCall } from './adapter.js';
import { type Dialect, refsOf } from './adapter-dialect.js';
import { logLineV2 } from './adapter-v2-map.js';
import { obj, page, str } from './normalize.js';
import type { ClearResult, ClearTaskInstancesInput, Page, XcomEntry } from './types.js';

export type TaskInstancesPart = Pick<
  AirflowAdapter,
  | 'listTaskInstances'
  | 'getTaskInstance'
  | 'getTaskLogPage'
  | 'clearTaskInstances'
  | 'setTaskInstanceState'
  | 'listXcomEntries'
  | 'getXcomEntry'
>;

/** -1 (not mapped) is Airflow's default: left out so servers that only accept >= 0 are happy too. */
const mappedIndex = (i: number | undefined) => (i !== undefined && i >= 0 ? i : undefined);

/** Largest XCom answer read (~16× the default result cap, room for JSON escaping of any value shown). */
export const XCOM_READ_LIMIT = 1024 * 1024;

function clearPayload(input: ClearTaskInstancesInput): Record<string, unknown> {
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

/** One task instance's route: the mapped form when a map index (≥ 0) is given. */
function taskInstanceRoute(dagId: string, runId: string, taskId: string, mapIndex: number | undefined) {
  const mapped = mapIndex !== undefined && mapIndex >= 0;
  return {
    route: mapped
      ? '/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/{map_index}'
      : '/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}',
    params: { dag_id: dagId, dag_run_id: runId, task_id: taskId, ...(mapped ? { map_index: mapIndex } : {}) },
  };
}

export function taskInstancesPart(call: UpstreamCall, d: Dialect): TaskInstancesPart {
  return {
    async listTaskInstances(dagId, runId, q) {
      const { body } = await call({
        method: 'GET',
        route: '/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances',
        params: { dag_id: dagId ?? '~', dag_run_id: runId ?? '~' },
        query: d.taskInstanceQuery(q),
        what: runId ? `task instances of run '${runId}'` : 'task instances',
      });
      return page(body, 'task_instances', q, d.mapTaskInstance);
    },

    async getTaskInstance(dagId, runId, taskId, mapIndex) {
      const { body } = await call({
        method: 'GET',
        ...taskInstanceRoute(dagId, runId, taskId, mapIndex),
        what: `task '${taskId}' in run '${runId}'`,
      });
      return d.mapTaskInstance(obj(body));
    },

    async getTaskLogPage(dagId, runId, taskId, tryNumber, q) {
      const { body } = await call({
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
    },

    async clearTaskInstances(dagId, input): Promise<ClearResult> {
      const { body } = await call({
        method: 'POST',
        route: '/dags/{dag_id}/clearTaskInstances',
        params: { dag_id: dagId },
        body: clearPayload(input),
        what: `task instances of DAG '${dagId}'`,
      });
      return { dry_run: input.dry_run, task_instances: refsOf(d, body) };
    },

    async setTaskInstanceState(dagId, runId, taskId, state, mapIndex) {
      const { body } = await call({
        method: 'PATCH',
        ...taskInstanceRoute(dagId, runId, taskId, mapIndex),
        body: d.taskStatePayload(state),
        what: `task '${taskId}' in run '${runId}'`,
      });
      const b = obj(body);
      return Array.isArray(b.task_instances) ? refsOf(d, b) : [d.mapTaskInstanceRef(b)];
    },

    async listXcomEntries(dagId, runId, taskId, q): Promise<Page<XcomEntry>> {
      const { body } = await call({
        method: 'GET',
        route: '/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/xcomEntries',
        params: { dag_id: dagId, dag_run_id: runId, task_id: taskId ?? '~' },
        query: { limit: q.limit, offset: q.offset, xcom_key: q.key, map_index: mappedIndex(q.map_index) },
        what: `XCom entries of run '${runId}'`,
      });
      return page(body, 'xcom_entries', q, (x) => ({ ...d.mapXcom(x), run_id: runId }));
    },

    async getXcomEntry(dagId, runId, taskId, key, mapIndex) {
      const { body } = await call({
        method: 'GET',
        route: '/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/xcomEntries/{xcom_key}',
        params: { dag_id: dagId, dag_run_id: runId, task_id: taskId, xcom_key: key },
        query: { map_index: mappedIndex(mapIndex) },
        what: `XCom '${key}' of task '${taskId}' in run '${runId}'`,
        // A value larger than this cannot be shown (results are capped far below it): not read at all.
        maxBytes: XCOM_READ_LIMIT,
      });
      const b = obj(body);
      return { ...d.mapXcom(b), run_id: runId, value: d.xcomValue(b.value) };
    },
  };
}
