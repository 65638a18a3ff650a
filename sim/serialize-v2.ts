// Airflow 3 (/api/v2) response shapes, field for field as in the v2 OpenAPI spec.

import { pyIso } from './http-util.js';
import type {
  AssetEventRec,
  AssetRec,
  ConnectionRec,
  DagState,
  EventLogRec,
  PoolRec,
  RunRec,
  TaskDef,
  TiView,
  VariableRec,
} from './model.js';
import { nextRun, timetableDescription } from './schedule.js';
import { hash, uuidFor } from './seed-runs.js';
import { runState, runTimes } from './timeline.js';

/** Airflow 3 (pydantic) renders UTC datetimes with a `Z` suffix. */
export function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : pyIso(ms, 'Z');
}

// DAG versions never change in the simulator: build each once (runs and task instances embed it).
const versions = new WeakMap<DagState, ReturnType<typeof buildVersion>>();

export function dagVersion(d: DagState, t0: number) {
  let v = versions.get(d);
  if (!v) {
    v = buildVersion(d, t0);
    versions.set(d, v);
  }
  return v;
}

function buildVersion(d: DagState, t0: number) {
  return {
    id: uuidFor(`version:${d.def.dagId}`),
    version_number: 1,
    dag_id: d.def.dagId,
    bundle_name: 'dags-folder',
    bundle_version: null,
    created_at: iso(t0 - 30 * 86_400_000),
    dag_display_name: d.def.dagId,
    bundle_url: null,
  };
}

export function dag(d: DagState, now: number) {
  const def = d.def;
  const next = nextRun(d, now);
  return {
    dag_id: def.dagId,
    dag_display_name: def.dagId,
    is_paused: d.paused,
    is_stale: def.stale ?? false,
    last_parsed_time: iso(d.lastParsed),
    last_parse_duration: 0.41,
    last_expired: null,
    bundle_name: 'dags-folder',
    bundle_version: null,
    relative_fileloc: `${def.dagId}.py`,
    fileloc: d.fileloc,
    description: def.description,
    timetable_summary: def.schedule === 'asset' ? 'Asset' : def.schedule,
    timetable_description: timetableDescription(def.schedule),
    timetable_periodic: def.periodMs !== null,
    timetable_partitioned: false,
    is_backfillable: def.periodMs !== null,
    allowed_run_types: null,
    tags: def.tags.map((name) => ({ name, dag_id: def.dagId, dag_display_name: def.dagId })),
    max_active_tasks: def.maxActiveTasks,
    max_active_runs: def.maxActiveRuns,
    max_consecutive_failed_dag_runs: 0,
    has_task_concurrency_limits: false,
    has_import_errors: def.importError !== undefined,
    next_dagrun_logical_date: iso(next),
    next_dagrun_data_interval_start: iso(next),
    next_dagrun_data_interval_end: next === null ? null : iso(next + def.periodMs!),
    next_dagrun_run_after: next === null ? null : iso(next + def.periodMs!),
    owners: def.owners,
    file_token: d.fileToken,
  };
}

export function dagDetails(d: DagState, now: number, t0: number) {
  const def = d.def;
  return {
    ...dag(d, now),
    catchup: def.catchup,
    dag_run_timeout: null,
    asset_expression: def.consumes
      ? { any: [{ asset: { uri: def.consumes, name: def.consumes, group: 'asset' } }] }
      : null,
    doc_md: def.docMd ?? null,
    start_date: '2025-01-01T00:00:00+00:00',
    end_date: null,
    is_paused_upon_creation: null,
    params: Object.fromEntries(
      Object.entries(def.params ?? {}).map(([k, v]) => [k, { value: v, description: null, schema: {} }]),
    ),
    render_template_as_native_obj: false,
    template_search_path: null,
    timezone: 'UTC',
    last_parsed: iso(d.lastParsed),
    default_args: { owner: def.owners.join(','), retries: 0 },
    owner_links: {},
    concurrency: def.maxActiveTasks,
    latest_dag_version: dagVersion(d, t0),
    rerun_with_latest_version: null,
    is_favorite: false,
    active_runs_count: 0,
  };
}

export function run(d: DagState, r: RunRec, now: number, t0: number) {
  const state = runState(d, r, now);
  const { start, end } = runTimes(d, r, now);
  return {
    dag_run_id: r.runId,
    dag_id: r.dagId,
    logical_date: iso(r.logicalDate),
    queued_at: iso(r.queuedAt),
    start_date: iso(start),
    end_date: iso(end),
    duration: start !== null && end !== null ? (end - start) / 1000 : null,
    data_interval_start: iso(r.dataIntervalStart),
    data_interval_end: iso(r.dataIntervalEnd),
    run_after: iso(r.runAfter),
    last_scheduling_decision: iso(end ?? start),
    run_type: r.runType,
    state,
    triggered_by: r.triggeredBy,
    triggering_user_name: r.triggeringUser,
    conf: r.conf,
    note: r.note,
    dag_versions: [dagVersion(d, t0)],
    bundle_version: null,
    partition_key: null,
    partition_date: null,
    dag_display_name: r.dagId,
  };
}

export function taskInstance(d: DagState, r: RunRec, ti: TiView, t0: number) {
  const started = ti.start !== null;
  return {
    id: uuidFor(`ti:${r.dagId}:${r.runId}:${ti.taskId}:${ti.mapIndex}`),
    task_id: ti.taskId,
    dag_id: r.dagId,
    dag_run_id: r.runId,
    map_index: ti.mapIndex,
    logical_date: iso(r.logicalDate),
    run_after: iso(r.runAfter),
    start_date: iso(ti.start),
    end_date: iso(ti.end),
    duration: ti.start !== null && ti.end !== null ? (ti.end - ti.start) / 1000 : null,
    state: ti.state,
    try_number: ti.tryNumber,
    max_tries: ti.task.retries ?? 0,
    task_display_name: ti.taskId,
    dag_display_name: r.dagId,
    hostname: started ? 'airflow-worker-0' : null,
    unixname: 'airflow',
    pool: ti.task.pool ?? 'default_pool',
    pool_slots: 1,
    queue: 'default',
    priority_weight: 1,
    operator: ti.task.operator,
    operator_name: ti.task.operator,
    queued_when: started ? iso(ti.start! - 500) : null,
    scheduled_when: started ? iso(ti.start! - 1000) : null,
    pid: started ? 1000 + (hash(ti.taskId) % 30_000) : null,
    executor: null,
    executor_config: '{}',
    note: null,
    rendered_map_index: ti.mapIndex >= 0 ? `partition_${ti.mapIndex}` : null,
    rendered_fields: {},
    trigger: null,
    triggerer_job: null,
    dag_version: dagVersion(d, t0),
  };
}

export function task(d: DagState, t: TaskDef) {
  return {
    task_id: t.taskId,
    task_display_name: t.taskId,
    owner: d.def.owners[0] ?? 'airflow',
    start_date: '2025-01-01T00:00:00+00:00',
    end_date: null,
    trigger_rule: 'all_success',
    depends_on_past: false,
    wait_for_downstream: false,
    retries: t.retries ?? 0,
    queue: 'default',
    pool: t.pool ?? 'default_pool',
    pool_slots: 1,
    execution_timeout: null,
    retry_delay: { __type: 'TimeDelta', days: 0, seconds: 300, microseconds: 0 },
    retry_exponential_backoff: 0,
    priority_weight: 1,
    weight_rule: 'downstream',
    ui_color: '#ffefeb',
    ui_fgcolor: '#000',
    template_fields: ['templates_dict', 'op_args', 'op_kwargs'],
    downstream_task_ids: t.downstream,
    doc_md: t.doc ?? null,
    operator_name: t.operator,
    params: {},
    class_ref: { module_path: 'airflow.providers.standard.operators.python', class_name: t.operator },
    is_mapped: t.mapped !== undefined,
    extra_links: [],
  };
}

export const pool = (p: PoolRec) => ({
  name: p.name,
  slots: p.slots,
  description: p.description,
  include_deferred: p.includeDeferred,
  team_name: null,
  occupied_slots: 0,
  running_slots: 0,
  queued_slots: 0,
  scheduled_slots: 0,
  open_slots: p.slots,
  deferred_slots: 0,
});

export const variable = (v: VariableRec) => ({
  key: v.key,
  value: v.value,
  description: v.description,
  is_encrypted: true,
});
export const connection = (c: ConnectionRec) => ({ ...c, team_name: null });
/** Airflow 2 has no teams. */
export const connectionV1 = (c: ConnectionRec) => ({ ...c });

export function asset(a: AssetRec, events: AssetEventRec[]) {
  const at = iso(a.createdAt);
  const last = events.filter((e) => e.assetId === a.id).at(-1);
  return {
    id: a.id,
    name: a.name,
    uri: a.uri,
    group: a.group,
    extra: a.extra,
    created_at: at,
    updated_at: at,
    scheduled_dags: a.consumers.map((dag_id) => ({ dag_id, created_at: at, updated_at: at })),
    producing_tasks: a.producers.map((p) => ({
      dag_id: p.dagId,
      task_id: p.taskId,
      created_at: at,
      updated_at: at,
    })),
    consuming_tasks: [],
    aliases: [],
    watchers: [],
    last_asset_event: last ? { id: last.id, timestamp: iso(last.timestamp) } : null,
  };
}

export function assetEvent(
  e: AssetEventRec,
  a: AssetRec | undefined,
  runRef: (dagId: string, runId: string) => unknown,
) {
  return {
    id: e.id,
    asset_id: e.assetId,
    uri: a?.uri ?? null,
    name: a?.name ?? null,
    group: a?.group ?? null,
    extra: e.extra,
    source_task_id: e.sourceTaskId,
    source_dag_id: e.sourceDagId,
    source_run_id: e.sourceRunId,
    source_map_index: e.sourceMapIndex,
    created_dagruns: e.createdRuns.map((c) => runRef(c.dagId, c.runId)).filter((x) => x !== null),
    timestamp: iso(e.timestamp),
    partition_key: null,
  };
}

export const eventLog = (e: EventLogRec) => ({
  event_log_id: e.id,
  when: iso(e.when),
  dag_id: e.dagId,
  task_id: e.taskId,
  run_id: e.runId,
  map_index: e.mapIndex,
  try_number: e.tryNumber,
  event: e.event,
  logical_date: iso(e.logicalDate),
  owner: e.owner,
  extra: e.extra,
  dag_display_name: e.dagId,
  task_display_name: e.taskId,
});
