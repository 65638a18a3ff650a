// Shared route plumbing: the app handle, dual-version registration, lookups with Airflow's 404s, sorting.
import { propagateAssets } from './asset-flow.js';
import { type ApiVersion, type Ctx, HttpError, notFound } from './http-util.js';
import type { LogTokens } from './logs.js';
import type { DagState, RunRec, TaskDef, TiView } from './model.js';
import type { Handler, Router } from './router.js';
import * as v1 from './serialize-v1.js';
import * as v2 from './serialize-v2.js';
import type { Store } from './store.js';
import type { SimRole } from './types.js';

export interface SimApp {
  store: Store;
  t0: number;
  logLines: number;
  exposeConfig: boolean;
  tokens: LogTokens;
  versions: readonly ApiVersion[];
}

export type Registrar = (
  method: string,
  path: string,
  role: SimRole | 'public',
  handler: Handler,
  opts?: { only?: ApiVersion },
) => void;

/** Registers `path` under /api/v1 and /api/v2 (those enabled), or only one with `opts.only`. */
export function registrar(router: Router, app: SimApp): Registrar {
  return (method, path, role, handler, opts) => {
    // Every API request first lets finished producer runs emit their asset events (cheap when none pend).
    const wrapped: Handler = (ctx) => {
      propagateAssets(app.store, ctx.now);
      return handler(ctx);
    };
    for (const v of app.versions) {
      if (opts?.only && opts.only !== v) continue;
      router.add({
        method,
        template: `/api/${v}${path}`,
        role,
        handler: wrapped,
        json: method !== 'GET' && method !== 'DELETE',
      });
    }
  };
}

export function requireDag(ctx: Ctx, app: SimApp, dagId: string): DagState {
  const d = app.store.dags.get(dagId);
  if (d) return d;
  throw ctx.v === 'v2'
    ? notFound('v2', `The Dag with ID: \`${dagId}\` was not found`)
    : notFound('v1', `DAG with dag_id: '${dagId}' not found`, 'DAG not found');
}

export function requireRun(ctx: Ctx, app: SimApp, dagId: string, runId: string): RunRec {
  const r = app.store.run(dagId, runId);
  if (r) return r;
  throw ctx.v === 'v2'
    ? notFound('v2', `The DagRun with dag_id: \`${dagId}\` and run_id: \`${runId}\` was not found`)
    : notFound(
        'v1',
        `DAGRun with DAG ID: '${dagId}' and DagRun ID: '${runId}' not found`,
        'DAGRun not found',
      );
}

export function requireTask(ctx: Ctx, dag: DagState, taskId: string): TaskDef {
  const t = dag.def.tasks.find((x) => x.taskId === taskId);
  if (t) return t;
  throw ctx.v === 'v2'
    ? notFound('v2', `Task with id ${taskId} was not found`)
    : notFound('v1', `Task with id '${taskId}' not found`, 'Task not found');
}

export function tiNotFound(
  ctx: Ctx,
  dagId: string,
  runId: string,
  taskId: string,
  mapIndex: number,
): HttpError {
  // Airflow 3.3's two wordings: unmapped (no map_index in it) and mapped (note the comma before "and").
  if (ctx.v === 'v2' && mapIndex < 0) {
    return notFound(
      'v2',
      `The Task Instance with dag_id: \`${dagId}\`, run_id: \`${runId}\` and task_id: \`${taskId}\` was not found`,
    );
  }
  return ctx.v === 'v2'
    ? notFound(
        'v2',
        `The Mapped Task Instance with dag_id: \`${dagId}\`, run_id: \`${runId}\`, task_id: \`${taskId}\`, and map_index: \`${mapIndex}\` was not found`,
      )
    : notFound('v1', 'Task instance not found', 'Task instance not found');
}

export function runOut(ctx: Ctx, app: SimApp, dag: DagState, run: RunRec): unknown {
  return ctx.v === 'v2' ? v2.run(dag, run, ctx.now, app.t0) : v1.run(dag, run, ctx.now);
}

export function tiOut(ctx: Ctx, app: SimApp, dag: DagState, run: RunRec, ti: TiView): unknown {
  return ctx.v === 'v2' ? v2.taskInstance(dag, run, ti, app.t0) : v1.taskInstance(dag, run, ti, app.t0);
}

export function runRef(app: SimApp, now: number) {
  return (dagId: string, runId: string): unknown => {
    const r = app.store.run(dagId, runId);
    const d = app.store.dags.get(dagId);
    if (!r || !d) return null;
    const x = v2.run(d, r, now, app.t0);
    return {
      run_id: x.dag_run_id,
      dag_id: x.dag_id,
      logical_date: x.logical_date,
      start_date: x.start_date ?? x.queued_at,
      end_date: x.end_date,
      state: x.state,
      data_interval_start: x.data_interval_start,
      data_interval_end: x.data_interval_end,
      partition_key: null,
      triggering: true,
    };
  };
}

type Key<T> = (item: T) => string | number | null;

/** order_by like Airflow: one or more fields, `-` prefix for descending; unknown fields → 400. */
export function sortBy<T>(items: T[], orderBy: string[], keys: Record<string, Key<T>>, def: string): T[] {
  const specs = (orderBy.length > 0 ? orderBy : [def]).map((raw) => {
    const desc = raw.startsWith('-');
    const name = desc ? raw.slice(1) : raw;
    const key = keys[name];
    if (!key) {
      throw new HttpError(
        400,
        `Ordering with '${name}' is disallowed or the attribute does not exist on the model`,
      );
    }
    return { key, desc };
  });
  const sorted = [...items];
  sorted.sort((a, b) => {
    for (const { key, desc } of specs) {
      const c = compare(key(a), key(b));
      if (c !== 0) return desc ? -c : c;
    }
    return 0;
  });
  return sorted;
}

function compare(a: string | number | null, b: string | number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}
