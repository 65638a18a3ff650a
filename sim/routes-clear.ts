// Bulk task-instance changes: clearTaskInstances (both APIs) and Airflow 2's updateTaskInstancesState.
import { bodyObject, cursorFields, forbidExtra, HttpError, ok, validation } from './http-util.js';
import type { RunRec, TiState, TiView } from './model.js';
import { type Registrar, requireDag, requireRun, type SimApp, tiOut } from './route-kit.js';
import { inWindow, tiRows } from './routes-tasks.js';
import * as v1 from './serialize-v1.js';

export function registerClearRoutes(r: Registrar, app: SimApp): void {
  r('POST', '/dags/{dag_id}/clearTaskInstances', 'user', (ctx) => {
    const dag = requireDag(ctx, app, ctx.params.dag_id!);
    const body = bodyObject(ctx);
    forbidExtra(ctx, body, [
      'dry_run',
      'start_date',
      'end_date',
      'only_failed',
      'only_running',
      'reset_dag_runs',
      'task_ids',
      'dag_run_id',
      'include_upstream',
      'include_downstream',
      'include_future',
      'include_past',
      'run_on_latest_version',
    ]);
    const dryRun = body.dry_run !== false;
    const onlyFailed = body.only_failed !== false;
    const onlyRunning = body.only_running === true;
    const taskIds = Array.isArray(body.task_ids)
      ? (body.task_ids as unknown[]).map((t) => (Array.isArray(t) ? `${t[0]}:${t[1]}` : String(t)))
      : null;
    const runId = typeof body.dag_run_id === 'string' ? body.dag_run_id : null;
    if (runId) requireRun(ctx, app, dag.def.dagId, runId);
    const startDate = typeof body.start_date === 'string' ? Date.parse(body.start_date) : undefined;
    const endDate = typeof body.end_date === 'string' ? Date.parse(body.end_date) : undefined;
    const selected = tiRows(ctx, app, dag.def.dagId, runId ?? '~').filter(({ run, ti }) => {
      if (taskIds && !taskIds.includes(ti.taskId) && !taskIds.includes(`${ti.taskId}:${ti.mapIndex}`))
        return false;
      if (onlyFailed && ti.state !== 'failed' && ti.state !== 'upstream_failed') return false;
      if (onlyRunning && ti.state !== 'running') return false;
      if (!onlyFailed && !onlyRunning && ti.state === null) return false;
      return inWindow(run.logicalDate ?? run.runAfter, startDate, endDate);
    });
    if (!dryRun) {
      const byRun = new Map<RunRec, TiView[]>();
      for (const x of selected) byRun.set(x.run, [...(byRun.get(x.run) ?? []), x.ti]);
      for (const [run, tis] of byRun) app.store.clear(dag, run, tis, ctx.user, ctx.now);
    }
    if (ctx.v === 'v1') return ok({ task_instances: selected.map((x) => v1.tiReference(x.run, x.ti)) });
    const items = selected.map((x) => {
      const fresh = dryRun
        ? x.ti
        : (app.store
            .tis(dag, x.run, ctx.now)
            .find((t) => t.taskId === x.ti.taskId && t.mapIndex === x.ti.mapIndex) ?? x.ti);
      return tiOut(ctx, app, dag, x.run, fresh);
    });
    return ok({ task_instances: items, total_entries: items.length, ...cursorFields(ctx) });
  });

  r(
    'POST',
    '/dags/{dag_id}/updateTaskInstancesState',
    'user',
    (ctx) => {
      const dag = requireDag(ctx, app, ctx.params.dag_id!);
      const body = bodyObject(ctx);
      const state = body.new_state;
      if (typeof state !== 'string' || !['success', 'failed', 'skipped'].includes(state)) {
        throw validation(ctx.v, [
          { type: 'enum', loc: ['body', 'new_state'], msg: 'Not a valid state', input: state ?? null },
        ]);
      }
      if (typeof body.task_id !== 'string')
        throw new HttpError(400, "{'task_id': ['Missing data for required field.']}");
      // Either dag_run_id or execution_date names the run, as in Airflow 2.3+.
      const when = typeof body.execution_date === 'string' ? Date.parse(body.execution_date) : null;
      const byDate = app.store.runs(dag.def.dagId).find((x) => (x.logicalDate ?? x.runAfter) === when);
      const runId = typeof body.dag_run_id === 'string' ? body.dag_run_id : (byDate?.runId ?? null);
      if (runId === null && when !== null)
        throw new HttpError(404, 'Task instance not found', 'Task instance not found');
      if (runId === null) throw new HttpError(400, 'Either dag_run_id or execution_date must be given');
      const run = requireRun(ctx, app, dag.def.dagId, runId);
      const targets = app.store.tis(dag, run, ctx.now).filter((t) => t.taskId === body.task_id);
      // Airflow 2 defaults dry_run to true here too.
      if (body.dry_run === false) {
        for (const ti of targets) app.store.setTaskState(run, ti, state as TiState, ctx.user, ctx.now);
      }
      return ok({ task_instances: targets.map((ti) => v1.tiReference(run, ti)) });
    },
    { only: 'v1' },
  );
}
