// DAG run routes: list (GET and batch POST), get, trigger, patch state, delete, clear, upstream asset events.
import {
  bodyObject,
  type Ctx,
  cursorFields,
  dateParam,
  enumListParam,
  forbidExtra,
  HttpError,
  listParam,
  noContent,
  ok,
  page,
  paginate,
  validation,
} from './http-util.js';
import type { RunRec } from './model.js';
import {
  type Registrar,
  requireDag,
  requireRun,
  runOut,
  runRef,
  type SimApp,
  sortBy,
  tiOut,
} from './route-kit.js';
import * as v1 from './serialize-v1.js';
import * as v2 from './serialize-v2.js';
import { runState, runTimes } from './timeline.js';
import { triggerBodyV1, triggerBodyV2 } from './trigger-body.js';

type Range = [number | undefined, number | undefined];
interface RunFilter {
  dagIds: string[];
  states: string[];
  runTypes: string[];
  ranges: Record<'start_date' | 'end_date' | 'logical_date' | 'run_after', Range>;
}

const RANGE_FIELDS = ['start_date', 'end_date', 'logical_date', 'run_after'] as const;
const BATCH_FIELDS = ['order_by', 'page_offset', 'page_limit', 'dag_ids', 'states'].concat(
  RANGE_FIELDS.flatMap((f) => [`${f}_gte`, `${f}_gt`, `${f}_lte`, `${f}_lt`]),
  ['execution_date_gte', 'execution_date_lte'],
);
const PATCH_STATES = ['queued', 'success', 'failed'];
/** What Airflow 3.3 accepts in GET dagRuns filters (422 otherwise), in the order its message lists them. */
const RUN_STATES_V2 = ['queued', 'running', 'success', 'failed'];
const RUN_TYPES_V2 = [
  'backfill',
  'scheduled',
  'manual',
  'operator_triggered',
  'asset_triggered',
  'asset_materialization',
];

export function registerRunRoutes(r: Registrar, app: SimApp): void {
  const list = (
    ctx: Ctx,
    dagId: string,
    f: RunFilter,
    orderBy: string[],
    p: { limit: number; offset: number },
  ) => {
    if (dagId !== '~') requireDag(ctx, app, dagId);
    let runs = app.store.runs(dagId);
    if (f.dagIds.length > 0) runs = runs.filter((x) => f.dagIds.includes(x.dagId));
    if (f.runTypes.length > 0) runs = runs.filter((x) => f.runTypes.includes(x.runType));
    const plain =
      f.states.length === 0 && RANGE_FIELDS.every((k) => f.ranges[k].every((b) => b === undefined));
    if (plain && orderBy.every((o) => o === 'id' || o === '-id')) {
      // Fast path for the common unfiltered list: only the returned page is evaluated against the clock.
      const ordered = orderBy[0] === '-id' ? [...runs].reverse() : runs;
      const items = paginate(ordered, p).map((run) => runOut(ctx, app, app.store.dags.get(run.dagId)!, run));
      return ok({ dag_runs: items, total_entries: ordered.length, ...cursorFields(ctx) });
    }
    const facts = runs.map((run) => {
      const dag = app.store.dags.get(run.dagId)!;
      return { run, dag, state: runState(dag, run, ctx.now), ...runTimes(dag, run, ctx.now) };
    });
    const kept = facts.filter((x) => {
      if (f.states.length > 0 && !f.states.includes(x.state)) return false;
      if (f.runTypes.length > 0 && !f.runTypes.includes(x.run.runType)) return false;
      const values = {
        start_date: x.start,
        end_date: x.end,
        logical_date: x.run.logicalDate,
        run_after: x.run.runAfter,
      };
      return RANGE_FIELDS.every((k) => inRange(values[k], f.ranges[k]));
    });
    const sorted = sortBy(
      kept,
      orderBy,
      {
        id: (x) => x.run.seq,
        dag_id: (x) => x.run.dagId,
        run_id: (x) => x.run.runId,
        dag_run_id: (x) => x.run.runId,
        state: (x) => x.state,
        logical_date: (x) => x.run.logicalDate,
        execution_date: (x) => x.run.logicalDate ?? x.run.runAfter,
        run_after: (x) => x.run.runAfter,
        start_date: (x) => x.start,
        end_date: (x) => x.end,
        updated_at: (x) => x.end ?? x.start ?? x.run.queuedAt,
        conf: () => null,
        run_type: (x) => x.run.runType,
      },
      'id',
    );
    const items = paginate(sorted, p).map((x) => runOut(ctx, app, x.dag, x.run));
    return ok({ dag_runs: items, total_entries: sorted.length, ...cursorFields(ctx) });
  };

  r('GET', '/dags/{dag_id}/dagRuns', 'viewer', (ctx) => {
    const ranges = {} as RunFilter['ranges'];
    for (const k of RANGE_FIELDS) {
      const alias = k === 'logical_date' && ctx.v === 'v1' ? 'execution_date' : k;
      ranges[k] = [
        dateParam(ctx, `${k}_gte`) ?? dateParam(ctx, `${alias}_gte`),
        dateParam(ctx, `${k}_lte`) ?? dateParam(ctx, `${alias}_lte`),
      ];
    }
    const filter = {
      dagIds: [],
      states: enumListParam(ctx, 'state', 'state', RUN_STATES_V2),
      // Runs are stored with Airflow 3's names; Airflow 2 says dataset_triggered.
      runTypes: enumListParam(ctx, 'run_type', 'run type', RUN_TYPES_V2).map((t) =>
        ctx.v === 'v1' && t === 'dataset_triggered' ? 'asset_triggered' : t,
      ),
      ranges,
    };
    return list(ctx, ctx.params.dag_id!, filter, listParam(ctx, 'order_by'), page(ctx));
  });

  r('POST', '/dags/{dag_id}/dagRuns/list', 'viewer', (ctx) => {
    if (ctx.params.dag_id !== '~') throw new HttpError(400, 'The dag_id must be ~ for this endpoint');
    const body = bodyObject(ctx);
    forbidExtra(ctx, body, BATCH_FIELDS);
    const date = (k: string): number | undefined => {
      const v = body[k];
      if (v === undefined || v === null) return undefined;
      const t = typeof v === 'string' ? Date.parse(v) : Number.NaN;
      if (Number.isNaN(t))
        throw validation(ctx.v, [
          { type: 'datetime_parsing', loc: ['body', k], msg: 'Input should be a valid datetime', input: v },
        ]);
      return t;
    };
    const ranges = {} as RunFilter['ranges'];
    for (const k of RANGE_FIELDS) ranges[k] = [date(`${k}_gte`), date(`${k}_lte`)];
    if (ctx.v === 'v1') ranges.logical_date = [date('execution_date_gte'), date('execution_date_lte')];
    const strings = (k: string) => (Array.isArray(body[k]) ? (body[k] as unknown[]).map(String) : []);
    const limit = Math.min(typeof body.page_limit === 'number' ? body.page_limit : 100, 100);
    const offset = typeof body.page_offset === 'number' ? body.page_offset : 0;
    const orderBy = typeof body.order_by === 'string' ? [body.order_by] : [];
    return list(
      ctx,
      '~',
      { dagIds: strings('dag_ids'), states: strings('states'), runTypes: [], ranges },
      orderBy,
      { limit, offset },
    );
  });

  r('GET', '/dags/{dag_id}/dagRuns/{dag_run_id}', 'viewer', (ctx) => {
    const dag = requireDag(ctx, app, ctx.params.dag_id!);
    return ok(runOut(ctx, app, dag, requireRun(ctx, app, dag.def.dagId, ctx.params.dag_run_id!)));
  });

  r('POST', '/dags/{dag_id}/dagRuns', 'user', (ctx) => {
    const body = bodyObject(ctx);
    const input = ctx.v === 'v2' ? triggerBodyV2(ctx, body) : triggerBodyV1(ctx, body);
    const dag = requireDag(ctx, app, ctx.params.dag_id!);
    const run = app.store.trigger(dag, { ...input, user: ctx.user }, ctx.now);
    if (run === 'conflict') {
      const id = input.runId ?? 'manual__';
      throw ctx.v === 'v2'
        ? // Airflow 3.3 with [api] expose_stacktrace off (the default) hides the SQL and names a log id.
          new HttpError(409, {
            reason: 'Unique constraint violation',
            statement: 'hidden',
            orig_error: 'hidden',
            message: `Serious error when handling your request. Check logs for more details - you will find it in api server when you look for ID ${logId(ctx.now)}`,
          })
        : new HttpError(409, `DAGRun with DAG ID: '${dag.def.dagId}' and DAGRun ID: '${id}' already exists`);
    }
    return ok(runOut(ctx, app, dag, run));
  });

  r('PATCH', '/dags/{dag_id}/dagRuns/{dag_run_id}', 'user', (ctx) => {
    const dag = requireDag(ctx, app, ctx.params.dag_id!);
    const run = requireRun(ctx, app, dag.def.dagId, ctx.params.dag_run_id!);
    const body = bodyObject(ctx);
    forbidExtra(ctx, body, ['state', 'note']);
    const mask = listParam(ctx, 'update_mask');
    const wantState =
      mask.length === 0 ? body.state !== undefined && body.state !== null : mask.includes('state');
    if (wantState) {
      if (typeof body.state !== 'string' || !PATCH_STATES.includes(body.state)) {
        throw validation(ctx.v, [
          {
            type: 'enum',
            loc: ['body', 'state'],
            msg: "Input should be 'queued', 'success' or 'failed'",
            input: body.state ?? null,
          },
        ]);
      }
      app.store.setRunState(dag, run, body.state as 'queued' | 'success' | 'failed', ctx.user, ctx.now);
    }
    if ((mask.length === 0 || mask.includes('note')) && body.note !== undefined)
      run.note = body.note as string | null;
    return ok(runOut(ctx, app, dag, run));
  });

  r('DELETE', '/dags/{dag_id}/dagRuns/{dag_run_id}', 'user', (ctx) => {
    const dag = requireDag(ctx, app, ctx.params.dag_id!);
    app.store.deleteRun(requireRun(ctx, app, dag.def.dagId, ctx.params.dag_run_id!), ctx.user, ctx.now);
    return noContent();
  });

  r('POST', '/dags/{dag_id}/dagRuns/{dag_run_id}/clear', 'user', (ctx) => {
    const dag = requireDag(ctx, app, ctx.params.dag_id!);
    const run = requireRun(ctx, app, dag.def.dagId, ctx.params.dag_run_id!);
    const body = bodyObject(ctx);
    forbidExtra(ctx, body, ['dry_run', 'only_failed', 'run_on_latest_version']);
    const dryRun = body.dry_run !== false;
    const onlyFailed = body.only_failed === true;
    const tis = app.store
      .tis(dag, run, ctx.now)
      .filter((ti) =>
        onlyFailed ? ti.state === 'failed' || ti.state === 'upstream_failed' : ti.state !== null,
      );
    if (dryRun) {
      const items = tis.map((ti) =>
        ctx.v === 'v2' ? tiOut(ctx, app, dag, run, ti) : v1.tiReference(run, ti),
      );
      return ok(
        ctx.v === 'v2' ? { task_instances: items, total_entries: items.length } : { task_instances: items },
      );
    }
    app.store.clear(dag, run, tis, ctx.user, ctx.now);
    return ok(runOut(ctx, app, dag, run));
  });

  const upstream = (ctx: Ctx) => {
    const dag = requireDag(ctx, app, ctx.params.dag_id!);
    const run: RunRec = requireRun(ctx, app, dag.def.dagId, ctx.params.dag_run_id!);
    const events = app.store.assetEvents.filter((e) =>
      e.createdRuns.some((c) => c.dagId === run.dagId && c.runId === run.runId),
    );
    const ref = runRef(app, ctx.now);
    const asset = (id: number) => app.store.assets.find((a) => a.id === id);
    return ctx.v === 'v2'
      ? ok({
          asset_events: events.map((e) => v2.assetEvent(e, asset(e.assetId), ref)),
          total_entries: events.length,
        })
      : ok({
          dataset_events: events.map((e) => v1.datasetEvent(e, asset(e.assetId), ref)),
          total_entries: events.length,
        });
  };
  r('GET', '/dags/{dag_id}/dagRuns/{dag_run_id}/upstreamAssetEvents', 'viewer', upstream, { only: 'v2' });
  r('GET', '/dags/{dag_id}/dagRuns/{dag_run_id}/upstreamDatasetEvents', 'viewer', upstream, { only: 'v1' });
}

function inRange(value: number | null, [gte, lte]: Range): boolean {
  if (gte === undefined && lte === undefined) return true;
  if (value === null) return false;
  return (gte === undefined || value >= gte) && (lte === undefined || value <= lte);
}

/** An 8-character id like the ones Airflow's error messages name (deterministic for a given clock). */
function logId(now: number): string {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let n = Math.floor(now);
  let id = '';
  for (let i = 0; i < 8; i++) {
    id += abc[n % abc.length];
    n = Math.floor(n / abc.length) + 7919 * (i + 1);
  }
  return id;
}
