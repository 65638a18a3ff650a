// What differs between Airflow 3 and Airflow 2 inside calls that are otherwise the same: shapes, queries, bodies.
import type { ApiVersion } from './adapter.js';
import {
  dagRunV2,
  dagSummaryV2,
  taskDefinition,
  taskInstanceRef,
  taskInstanceV2,
  xcomEntry,
} from './adapter-v2-map.js';
import type { QueryValue } from './http-client.js';
import { type Json, obj } from './normalize.js';
import type {
  DagRun,
  DagSummary,
  ListDagsQuery,
  ListTaskInstancesQuery,
  TaskDefinition,
  TaskInstance,
  TaskInstanceRef,
  TriggerDagRunInput,
  XcomEntry,
} from './types.js';

/** Handed to each per-domain part; Airflow 3's is below, Airflow 2's (adapter-v1.ts) changes some entries. */
export interface Dialect {
  readonly apiVersion: ApiVersion;
  readonly healthRoute: string;
  /** Newest first; Airflow 2 has no run_after. */
  readonly defaultRunOrder: string;
  mapDag(d: Json): DagSummary;
  mapRun(r: Json): DagRun;
  mapTaskInstance(t: Json): TaskInstance;
  mapTask(t: Json): TaskDefinition;
  mapTaskInstanceRef(t: Json): TaskInstanceRef;
  mapXcom(x: Json): XcomEntry;
  xcomValue(raw: unknown): unknown;
  dagListQuery(q: ListDagsQuery): Record<string, QueryValue>;
  runTypes(types: readonly string[] | undefined): string[] | undefined;
  triggerPayload(input: TriggerDagRunInput): Record<string, unknown>;
  taskInstanceQuery(q: ListTaskInstancesQuery): Record<string, QueryValue>;
  runStateQuery(): Record<string, QueryValue>;
  taskStatePayload(state: string): Record<string, unknown>;
}

export const AIRFLOW3: Dialect = {
  apiVersion: 'v2',
  healthRoute: '/monitor/health',
  defaultRunOrder: '-run_after',
  mapDag: dagSummaryV2,
  mapRun: dagRunV2,
  mapTaskInstance: taskInstanceV2,
  mapTask: taskDefinition,
  mapTaskInstanceRef: taskInstanceRef,
  mapXcom: xcomEntry,
  xcomValue: (raw) => raw,
  dagListQuery: (q) => ({
    limit: q.limit,
    offset: q.offset,
    dag_id_pattern: q.dag_id_pattern,
    tags: q.tags,
    paused: q.paused,
    exclude_stale: q.include_inactive ? false : undefined,
    order_by: 'dag_id',
  }),
  /** Airflow 3 knows only `asset_triggered` (422 for Airflow 2's `dataset_triggered`): one name per type. */
  runTypes: (types) =>
    types ? [...new Set(types.map((t) => (t === 'dataset_triggered' ? 'asset_triggered' : t)))] : undefined,
  triggerPayload(input) {
    // Airflow 3 requires logical_date to be present (null = "now, no data interval").
    const payload: Record<string, unknown> = { logical_date: input.logical_date ?? null };
    if (input.run_id) payload.dag_run_id = input.run_id;
    if (input.conf) payload.conf = input.conf;
    if (input.note) payload.note = input.note;
    return payload;
  },
  taskInstanceQuery: (q) => ({
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
  }),
  runStateQuery: () => ({ update_mask: 'state' }),
  taskStatePayload: (state) => ({ new_state: state }),
};

/** The task instances a clear or a state change touched. */
export function refsOf(d: Dialect, body: unknown): TaskInstanceRef[] {
  const list = obj(body).task_instances;
  return (Array.isArray(list) ? list : []).map((t) => d.mapTaskInstanceRef(obj(t)));
}
