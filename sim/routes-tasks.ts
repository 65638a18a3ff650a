// Task-instance routes: lists (per run, across runs, batch), get/mapped, state changes and clearTaskInstances.
import {
  bodyObject,
  type Ctx,
  cursorFields,
  dateParam,
  enumListParam,
  forbidExtra,
  HttpError,
  likeMatcher,
  listParam,
  ok,
  page,
  paginate,
  validation,
} from './http-util.js';
import type { DagState, RunRec, TiState, TiView } from './model.js';
import {
  type Registrar,
  requireDag,
  requireRun,
  requireTask,
  type SimApp,
  sortBy,
  tiNotFound,
  tiOut,
} from './route-kit.js';
import * as v1 from './serialize-v1.js';

export interface TiRow {
  dag: DagState;
  run: RunRec;
  ti: TiView;
}

/** All task instances of the runs addressed by dag_id / dag_run_id, where `~` means "any". */
export function tiRows(ctx: Ctx, app: SimApp, dagId: string, runId: string): TiRow[] {
  if (dagId !== '~') requireDag(ctx, app, dagId);
  if (dagId !== '~' && runId !== '~') requireRun(ctx, app, dagId, runId);
  const runs = app.store.runs(dagId).filter((r) => runId === '~' || r.runId === runId);
  return runs.flatMap((run) => {
    const dag = app.store.dags.get(run.dagId)!;
    return app.store.tis(dag, run, ctx.now).map((ti) => ({ dag, run, ti }));
  });
}

/** Task-instance states Airflow 3.3 accepts as a filter (plus none / no_status), in its message's order. */
const TI_STATES_V2 = [
  'removed',
  'scheduled',
  'queued',
  'running',
  'success',
  'restarting',
  'failed',
  'up_for_retry',
  'up_for_reschedule',
  'upstream_failed',
  'skipped',
  'deferred',
  'awaiting_input',
];

const stateMatches = (states: string[], s: TiState) =>
  states.length === 0 || states.includes(s ?? 'none') || (s === null && states.includes('no_status'));

export function inWindow(v: number | null, gte?: number, lte?: number): boolean {
  if (gte === undefined && lte === undefined) return true;
  return v !== null && (gte === undefined || v >= gte) && (lte === undefined || v <= lte);
}

const TI_KEYS = {
  id: (x: TiRow) => x.run.seq * 1000 + (x.dag.def.tasks.indexOf(x.ti.task) * 100 + x.ti.mapIndex + 1),
  map_index: (x: TiRow) => x.ti.mapIndex,
  task_id: (x: TiRow) => x.ti.taskId,
  dag_id: (x: TiRow) => x.run.dagId,
  run_id: (x: TiRow) => x.run.runId,
  state: (x: TiRow) => x.ti.state,
  start_date: (x: TiRow) => x.ti.start,
  end_date: (x: TiRow) => x.ti.end,
  duration: (x: TiRow) => (x.ti.start !== null && x.ti.end !== null ? x.ti.end - x.ti.start : null),
  logical_date: (x: TiRow) => x.run.logicalDate,
  run_after: (x: TiRow) => x.run.runAfter,
  try_number: (x: TiRow) => x.ti.tryNumber,
  pool: (x: TiRow) => x.ti.task.pool ?? 'default_pool',
};

export function registerTaskRoutes(r: Registrar, app: SimApp): void {
  const respond = (ctx: Ctx, rows: TiRow[], orderBy: string[], p: { limit: number; offset: number }) => {
    const sorted = sortBy(rows, orderBy, TI_KEYS, 'id');
    const items = paginate(sorted, p).map((x) => tiOut(ctx, app, x.dag, x.run, x.ti));
    return ok({ task_instances: items, total_entries: sorted.length, ...cursorFields(ctx) });
  };

  r('GET', '/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances', 'viewer', (ctx) => {
    const states = enumListParam(ctx, 'state', 'state', TI_STATES_V2, ['none', 'no_status']);
    const pools = listParam(ctx, 'pool');
    const taskId = ctx.query.get('task_id');
    const pattern = ctx.query.get('dag_id_pattern');
    const dagMatch = pattern ? likeMatcher(`%${pattern}%`) : null;
    const [sg, sl, eg, el] = ['start_date_gte', 'start_date_lte', 'end_date_gte', 'end_date_lte'].map((k) =>
      dateParam(ctx, k),
    );
    const rows = tiRows(ctx, app, ctx.params.dag_id!, ctx.params.dag_run_id!).filter(
      (x) =>
        stateMatches(states, x.ti.state) &&
        (pools.length === 0 || pools.includes(x.ti.task.pool ?? 'default_pool')) &&
        (!taskId || x.ti.taskId === taskId) &&
        (!dagMatch || dagMatch(x.run.dagId)) &&
        inWindow(x.ti.start, sg, sl) &&
        inWindow(x.ti.end, eg, el),
    );
    return respond(ctx, rows, listParam(ctx, 'order_by'), page(ctx));
  });

  r('POST', '/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/list', 'viewer', (ctx) => {
    const body = bodyObject(ctx);
    const strings = (k: string) =>
      Array.isArray(body[k]) ? (body[k] as unknown[]).map((x) => (x === null ? 'none' : String(x))) : [];
    const dagIds = strings('dag_ids');
    const runIds = strings('dag_run_ids');
    const taskIds = strings('task_ids');
    const states = strings('state');
    const rows = tiRows(ctx, app, ctx.params.dag_id!, ctx.params.dag_run_id!).filter(
      (x) =>
        (dagIds.length === 0 || dagIds.includes(x.run.dagId)) &&
        (runIds.length === 0 || runIds.includes(x.run.runId)) &&
        (taskIds.length === 0 || taskIds.includes(x.ti.taskId)) &&
        stateMatches(states, x.ti.state),
    );
    const limit = Math.min(typeof body.page_limit === 'number' ? body.page_limit : 100, 100);
    const offset = typeof body.page_offset === 'number' ? body.page_offset : 0;
    return respond(ctx, rows, typeof body.order_by === 'string' ? [body.order_by] : [], { limit, offset });
  });

  const getOne = (ctx: Ctx, mapIndex: number) => {
    const dag = requireDag(ctx, app, ctx.params.dag_id!);
    const run = requireRun(ctx, app, dag.def.dagId, ctx.params.dag_run_id!);
    // Airflow 3 looks the task instance up directly: an unknown task is a missing task instance.
    if (ctx.v === 'v2' && !dag.def.tasks.some((t) => t.taskId === ctx.params.task_id)) {
      throw tiNotFound(ctx, dag.def.dagId, run.runId, ctx.params.task_id!, mapIndex);
    }
    const task = requireTask(ctx, dag, ctx.params.task_id!);
    if (task.mapped !== undefined && mapIndex === -1) {
      throw new HttpError(
        404,
        'Task instance is mapped, add the map_index value to the URL',
        'Task instance not found',
      );
    }
    const ti = app.store
      .tis(dag, run, ctx.now)
      .find((t) => t.taskId === task.taskId && t.mapIndex === mapIndex);
    if (!ti) throw tiNotFound(ctx, dag.def.dagId, run.runId, task.taskId, mapIndex);
    return { dag, run, ti };
  };
  const mapIndexParam = (ctx: Ctx) => {
    const n = Number(ctx.params.map_index);
    if (!Number.isInteger(n)) {
      throw validation(ctx.v, [
        {
          type: 'int_parsing',
          loc: ['path', 'map_index'],
          msg: 'Input should be a valid integer, unable to parse string as an integer',
          input: ctx.params.map_index,
        },
      ]);
    }
    return n;
  };

  const base = '/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}';
  r('GET', base, 'viewer', (ctx) => {
    const { dag, run, ti } = getOne(ctx, -1);
    return ok(tiOut(ctx, app, dag, run, ti));
  });
  r('GET', `${base}/{map_index}`, 'viewer', (ctx) => {
    const { dag, run, ti } = getOne(ctx, mapIndexParam(ctx));
    return ok(tiOut(ctx, app, dag, run, ti));
  });
  r('GET', `${base}/listMapped`, 'viewer', (ctx) => {
    const dag = requireDag(ctx, app, ctx.params.dag_id!);
    const run = requireRun(ctx, app, dag.def.dagId, ctx.params.dag_run_id!);
    const task = requireTask(ctx, dag, ctx.params.task_id!);
    if (task.mapped === undefined) {
      throw new HttpError(404, `Task id ${task.taskId} is not mapped`, 'Task instance not found');
    }
    const rows = app.store
      .tis(dag, run, ctx.now)
      .filter((t) => t.taskId === task.taskId && stateMatches(listParam(ctx, 'state'), t.state))
      .map((ti) => ({ dag, run, ti }));
    return respond(ctx, rows, listParam(ctx, 'order_by'), page(ctx));
  });

  const patch = (ctx: Ctx, mapIndex: number | null) => {
    const dag = requireDag(ctx, app, ctx.params.dag_id!);
    const run = requireRun(ctx, app, dag.def.dagId, ctx.params.dag_run_id!);
    const task = requireTask(ctx, dag, ctx.params.task_id!);
    const body = bodyObject(ctx);
    forbidExtra(ctx, body, [
      'new_state',
      'note',
      'include_upstream',
      'include_downstream',
      'include_future',
      'include_past',
    ]);
    const targets = app.store
      .tis(dag, run, ctx.now)
      .filter((t) => t.taskId === task.taskId && (mapIndex === null || t.mapIndex === mapIndex));
    if (targets.length === 0) throw tiNotFound(ctx, dag.def.dagId, run.runId, task.taskId, mapIndex ?? -1);
    const state = body.new_state;
    if (state !== undefined && state !== null) {
      if (typeof state !== 'string' || !['success', 'failed', 'skipped'].includes(state)) {
        throw validation(ctx.v, [
          {
            type: 'value_error',
            loc: ['body', 'new_state'],
            msg: `Value error, '${String(state)}' is not one of ['success', 'failed', 'skipped']`,
            input: state,
          },
        ]);
      }
      const dry = ctx.v === 'v1' && body.dry_run !== false;
      if (!dry)
        for (const ti of targets) app.store.setTaskState(run, ti, state as TiState, ctx.user, ctx.now);
    }
    const fresh = app.store
      .tis(dag, run, ctx.now)
      .filter((t) => targets.some((x) => x.taskId === t.taskId && x.mapIndex === t.mapIndex));
    if (ctx.v === 'v1') return ok(v1.tiReference(run, fresh[0]!));
    return ok({
      task_instances: fresh.map((ti) => tiOut(ctx, app, dag, run, ti)),
      total_entries: fresh.length,
    });
  };
  r('PATCH', base, 'user', (ctx) => patch(ctx, null));
  r('PATCH', `${base}/{map_index}`, 'user', (ctx) => patch(ctx, mapIndexParam(ctx)));
}
