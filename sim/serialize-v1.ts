// Airflow 2 (/api/v1) response shapes: execution_date, is_active, schedule_interval objects, datasets.
import { iso } from './http-util.js';
import type {
  AssetEventRec,
  AssetRec,
  DagState,
  EventLogRec,
  PoolRec,
  RunRec,
  TaskDef,
  TiView,
} from './model.js';
import { nextRun, timetableDescription } from './schedule.js';
import * as v2 from './serialize-v2.js';
import { runState, runTimes } from './timeline.js';

function scheduleInterval(s: string | null): unknown {
  if (s === null) return null;
  if (s === 'asset') return { __type: 'CronExpression', value: 'Dataset' };
  return { __type: 'CronExpression', value: s };
}

export function dag(d: DagState, now: number) {
  const def = d.def;
  const next = nextRun(d, now);
  return {
    dag_id: def.dagId,
    dag_display_name: def.dagId,
    root_dag_id: null,
    is_paused: d.paused,
    is_active: !(def.stale ?? false),
    is_subdag: false,
    last_parsed_time: iso(d.lastParsed),
    last_pickled: null,
    last_expired: null,
    scheduler_lock: null,
    pickle_id: null,
    default_view: 'grid',
    fileloc: d.fileloc,
    file_token: d.fileToken,
    owners: def.owners,
    description: def.description,
    schedule_interval: scheduleInterval(def.schedule),
    timetable_description: timetableDescription(def.schedule),
    tags: def.tags.map((name) => ({ name })),
    max_active_tasks: def.maxActiveTasks,
    max_active_runs: def.maxActiveRuns,
    max_consecutive_failed_dag_runs: 0,
    has_task_concurrency_limits: false,
    has_import_errors: def.importError !== undefined,
    next_dagrun: iso(next),
    next_dagrun_data_interval_start: iso(next),
    next_dagrun_data_interval_end: next === null ? null : iso(next + def.periodMs!),
    next_dagrun_create_after: next === null ? null : iso(next + def.periodMs!),
  };
}

export function dagDetails(d: DagState, now: number) {
  const def = d.def;
  return {
    ...dag(d, now),
    timezone: "Timezone('UTC')",
    catchup: def.catchup,
    orientation: 'LR',
    concurrency: def.maxActiveTasks,
    start_date: '2025-01-01T00:00:00+00:00',
    dag_run_timeout: null,
    dataset_expression: def.consumes ? { any: [def.consumes] } : null,
    doc_md: def.docMd ?? null,
    params: Object.fromEntries(
      Object.entries(def.params ?? {}).map(([k, v]) => [
        k,
        { __class: 'airflow.models.param.Param', value: v },
      ]),
    ),
    end_date: null,
    is_paused_upon_creation: null,
    last_parsed: iso(d.lastParsed),
    template_search_path: null,
    render_template_as_native_obj: false,
  };
}

export function run(d: DagState, r: RunRec, now: number) {
  const { start, end } = runTimes(d, r, now);
  const logical = iso(r.logicalDate ?? r.runAfter);
  return {
    dag_run_id: r.runId,
    dag_id: r.dagId,
    logical_date: logical,
    execution_date: logical,
    start_date: iso(start),
    end_date: iso(end),
    data_interval_start: iso(r.dataIntervalStart ?? r.runAfter),
    data_interval_end: iso(r.dataIntervalEnd ?? r.runAfter),
    last_scheduling_decision: iso(end ?? start),
    run_type: r.runType === 'asset_triggered' ? 'dataset_triggered' : r.runType,
    state: runState(d, r, now),
    external_trigger: r.runType === 'manual',
    conf: r.conf,
    note: r.note,
  };
}

export function taskInstance(d: DagState, r: RunRec, ti: TiView, t0: number) {
  const x = v2.taskInstance(d, r, ti, t0);
  const logical = iso(r.logicalDate ?? r.runAfter);
  return {
    task_id: x.task_id,
    task_display_name: x.task_display_name,
    dag_id: x.dag_id,
    dag_run_id: x.dag_run_id,
    execution_date: logical,
    start_date: iso(ti.start),
    end_date: iso(ti.end),
    duration: x.duration,
    state: x.state,
    try_number: x.try_number,
    map_index: x.map_index,
    max_tries: x.max_tries,
    hostname: x.hostname ?? '',
    unixname: x.unixname,
    pool: x.pool,
    pool_slots: x.pool_slots,
    queue: x.queue,
    priority_weight: x.priority_weight,
    operator: x.operator,
    queued_when: ti.start === null ? null : iso(ti.start - 500),
    pid: x.pid,
    executor: x.executor,
    executor_config: x.executor_config,
    sla_miss: null,
    rendered_map_index: x.rendered_map_index,
    rendered_fields: {},
    trigger: null,
    triggerer_job: null,
    note: null,
  };
}

export const tiReference = (r: RunRec, ti: TiView) => ({
  task_id: ti.taskId,
  dag_id: r.dagId,
  execution_date: iso(r.logicalDate ?? r.runAfter),
  dag_run_id: r.runId,
});

export function task(d: DagState, t: TaskDef) {
  const x = v2.task(d, t);
  return {
    class_ref: { module_path: x.class_ref.module_path, class_name: x.class_ref.class_name },
    task_id: x.task_id,
    task_display_name: x.task_display_name,
    owner: x.owner,
    start_date: x.start_date,
    end_date: null,
    trigger_rule: x.trigger_rule,
    extra_links: [],
    depends_on_past: false,
    is_mapped: x.is_mapped,
    wait_for_downstream: false,
    retries: x.retries,
    queue: x.queue,
    pool: x.pool,
    pool_slots: x.pool_slots,
    execution_timeout: null,
    retry_delay: x.retry_delay,
    retry_exponential_backoff: false,
    priority_weight: x.priority_weight,
    weight_rule: x.weight_rule,
    ui_color: x.ui_color,
    ui_fgcolor: x.ui_fgcolor,
    template_fields: x.template_fields,
    sub_dag: null,
    downstream_task_ids: x.downstream_task_ids,
    doc_md: x.doc_md,
  };
}

export const pool = (p: PoolRec) => {
  const { include_deferred, ...rest } = v2.pool(p);
  return { ...rest, include_deferred };
};

export function dataset(a: AssetRec) {
  const at = iso(a.createdAt);
  return {
    id: a.id,
    uri: a.uri,
    extra: a.extra,
    created_at: at,
    updated_at: at,
    consuming_dags: a.consumers.map((dag_id) => ({ dag_id, created_at: at, updated_at: at })),
    producing_tasks: a.producers.map((p) => ({
      dag_id: p.dagId,
      task_id: p.taskId,
      created_at: at,
      updated_at: at,
    })),
    aliases: [],
  };
}

export function datasetEvent(
  e: AssetEventRec,
  a: AssetRec | undefined,
  runRef: (dagId: string, runId: string) => unknown,
) {
  return {
    id: e.id,
    dataset_id: e.assetId,
    dataset_uri: a?.uri ?? null,
    extra: e.extra,
    source_dag_id: e.sourceDagId,
    source_task_id: e.sourceTaskId,
    source_run_id: e.sourceRunId,
    source_map_index: e.sourceMapIndex,
    created_dagruns: e.createdRuns.map((c) => runRef(c.dagId, c.runId)).filter((x) => x !== null),
    timestamp: iso(e.timestamp),
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
  execution_date: iso(e.logicalDate),
  owner: e.owner,
  extra: e.extra,
});
