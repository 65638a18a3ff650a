// Task logs with continuation tokens (v2 structured lines, v1 text) and XCom entries.
import {
  boolParam,
  type Ctx,
  HttpError,
  intParam,
  isoFor,
  notFound,
  ok,
  page,
  paginate,
} from './http-util.js';
import { buildLog, LOG_PAGE_LINES, textLine } from './logs.js';
import type { TiView } from './model.js';
import {
  type Registrar,
  requireDag,
  requireRun,
  requireTask,
  type SimApp,
  tiNotFound,
  tiOut,
} from './route-kit.js';
import { wantsText } from './routes-dags.js';
import { tiRows } from './routes-tasks.js';

const BAD_TOKEN = 'Bad Signature. Please use only the tokens provided by the API.';

export function registerLogRoutes(r: Registrar, app: SimApp): void {
  r(
    'GET',
    '/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/logs/{try_number}',
    'viewer',
    (ctx) => {
      const dag = requireDag(ctx, app, ctx.params.dag_id!);
      const run = requireRun(ctx, app, dag.def.dagId, ctx.params.dag_run_id!);
      const task = requireTask(ctx, dag, ctx.params.task_id!);
      const mapIndex = intMapIndex(ctx);
      const tryNumber = Number(ctx.params.try_number);
      const current = app.store
        .tis(dag, run, ctx.now)
        .find((t) => t.taskId === task.taskId && t.mapIndex === mapIndex);
      // Airflow 3's log route says only this for a missing instance (e.g. a mapped task without map_index).
      if (!current && ctx.v === 'v2') throw notFound('v2', 'TaskInstance not found');
      if (!current) throw tiNotFound(ctx, dag.def.dagId, run.runId, task.taskId, mapIndex);
      if (!Number.isInteger(tryNumber) || tryNumber < 1 || tryNumber > current.tryNumber) {
        throw notFound(ctx.v, 'TaskInstance not found', 'TaskInstance not found');
      }
      const ti: TiView =
        tryNumber === current.tryNumber
          ? current
          : pastTry(current, run.failedBefore, tryNumber, run.queuedAt);
      const lines = buildLog(run, ti, app.logLines, ctx.now);

      const token = ctx.query.get('token');
      let pos = 0;
      if (token) {
        const p = app.tokens.verify(token);
        if (p === null) throw new HttpError(400, BAD_TOKEN);
        pos = p;
      }
      const full = boolParam(ctx, 'full_content') ?? false;
      const end = full ? lines.length : Math.min(lines.length, pos + LOG_PAGE_LINES);
      const chunk = lines.slice(pos, end);
      const next = end < lines.length ? app.tokens.sign(end) : null;

      if (ctx.v === 'v1') {
        const text = chunk.map(textLine).join('\n');
        if (wantsText(ctx))
          return { status: 200, text, headers: next ? { 'x-continuation-token': next } : {} };
        return ok({ continuation_token: next, content: text });
      }
      const content =
        pos === 0 && chunk.length > 0 ? [...sourceDetails(dag.def.dagId, run.runId, ti), ...chunk] : chunk;
      return ok({ content, continuation_token: next });
    },
  );

  // Every attempt of a task instance (TaskInstanceHistory): earlier tries ended the way this task ends in this run.
  r('GET', '/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/tries', 'viewer', (ctx) => {
    const dag = requireDag(ctx, app, ctx.params.dag_id!);
    const run = requireRun(ctx, app, dag.def.dagId, ctx.params.dag_run_id!);
    const task = requireTask(ctx, dag, ctx.params.task_id!);
    const mapIndex = intMapIndex(ctx);
    const current = app.store
      .tis(dag, run, ctx.now)
      .find((t) => t.taskId === task.taskId && t.mapIndex === mapIndex);
    if (!current) throw tiNotFound(ctx, dag.def.dagId, run.runId, task.taskId, mapIndex);
    const all = Array.from({ length: current.tryNumber }, (_, i) =>
      i + 1 === current.tryNumber ? current : pastTry(current, run.failedBefore, i + 1, run.queuedAt),
    );
    const items = all.map((ti) => {
      const full = tiOut(ctx, app, dag, run, ti) as Record<string, unknown>;
      if (ctx.v === 'v1') return full;
      const {
        id,
        logical_date,
        run_after,
        note,
        rendered_map_index,
        rendered_fields,
        trigger,
        triggerer_job,
        ...history
      } = full;
      return history;
    });
    return ok({ task_instances: items, total_entries: items.length });
  });

  r('GET', '/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/xcomEntries', 'viewer', (ctx) => {
    const taskId = ctx.params.task_id!;
    const mapIndex = ctx.query.has('map_index') ? intParam(ctx, 'map_index', -1) : null;
    const key = ctx.query.get('xcom_key');
    const entries = xcoms(ctx, app).filter(
      (e) =>
        (taskId === '~' || e.ti.taskId === taskId) &&
        (mapIndex === null || e.ti.mapIndex === mapIndex) &&
        (!key || e.key === key),
    );
    return ok({
      xcom_entries: paginate(entries, page(ctx)).map((e) => xcomOut(ctx, e)),
      total_entries: entries.length,
    });
  });

  r(
    'GET',
    '/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/xcomEntries/{xcom_key}',
    'viewer',
    (ctx) => {
      const mapIndex = ctx.query.has('map_index') ? intParam(ctx, 'map_index', -1) : -1;
      const e = xcoms(ctx, app).find(
        (x) =>
          x.ti.taskId === ctx.params.task_id && x.key === ctx.params.xcom_key && x.ti.mapIndex === mapIndex,
      );
      if (!e)
        throw notFound(
          ctx.v,
          `XCom entry with key: \`${ctx.params.xcom_key}\` not found`,
          'XCom entry not found',
        );
      const value =
        ctx.v === 'v2' && boolParam(ctx, 'stringify') !== true ? e.value : JSON.stringify(e.value);
      return ok({ ...xcomOut(ctx, e), value });
    },
  );
}

function intMapIndex(ctx: Ctx): number {
  return ctx.query.has('map_index') ? Number(ctx.query.get('map_index')) : -1;
}

/** An earlier attempt of a cleared task: failed if the task had failed when it was cleared. */
function pastTry(current: TiView, failedBefore: Set<string>, tryNumber: number, queuedAt: number): TiView {
  const start = queuedAt - (current.tryNumber - tryNumber) * 120_000 - 60_000;
  return {
    ...current,
    tryNumber,
    state: failedBefore.has(current.taskId) ? 'failed' : 'success',
    start,
    end: start + 30_000,
  };
}

/** Airflow 3.3 opens a log with three bare events: the group, the log file path, the group's end. */
function sourceDetails(dagId: string, runId: string, ti: TiView) {
  const mapped = ti.mapIndex >= 0 ? `/map_index=${ti.mapIndex}` : '';
  return [
    { event: '::group::Log message source details' },
    {
      event: `/opt/airflow/logs/dag_id=${dagId}/run_id=${runId}/task_id=${ti.taskId}${mapped}/attempt=${ti.tryNumber}.log`,
    },
    { event: '::endgroup::' },
  ];
}

interface XcomEntry {
  key: string;
  value: unknown;
  dagId: string;
  runId: string;
  logicalDate: number | null;
  runAfter: number;
  ti: TiView;
}

function xcoms(ctx: Ctx, app: SimApp): XcomEntry[] {
  return tiRows(ctx, app, ctx.params.dag_id!, ctx.params.dag_run_id!).flatMap(({ run, ti }) =>
    ti.state === 'success' && ti.task.xcom
      ? Object.entries(ti.task.xcom).map(([key, value]) => ({
          key,
          value,
          dagId: run.dagId,
          runId: run.runId,
          logicalDate: run.logicalDate ?? run.runAfter,
          runAfter: run.runAfter,
          ti,
        }))
      : [],
  );
}

function xcomOut(ctx: Ctx, e: XcomEntry) {
  const common = {
    key: e.key,
    timestamp: isoFor(ctx.v, e.ti.end),
    map_index: e.ti.mapIndex,
    task_id: e.ti.taskId,
    dag_id: e.dagId,
  };
  if (ctx.v === 'v1') return { ...common, execution_date: isoFor(ctx.v, e.logicalDate) };
  return {
    ...common,
    logical_date: isoFor(ctx.v, e.logicalDate),
    run_id: e.runId,
    dag_display_name: e.dagId,
    task_display_name: e.ti.taskId,
    run_after: isoFor(ctx.v, e.runAfter),
  };
}
