// DAG routes: list/get/details/pause, tasks, sources, dagStats, warnings and import errors (v1 and v2).
import {
  bodyObject,
  boolParam,
  type Ctx,
  forbidExtra,
  HttpError,
  isoFor,
  likeMatcher,
  listParam,
  notFound,
  ok,
  page,
  paginate,
  validation,
} from './http-util.js';
import type { DagState } from './model.js';
import { type Registrar, requireDag, requireTask, type SimApp, sortBy } from './route-kit.js';
import * as v1 from './serialize-v1.js';
import * as v2 from './serialize-v2.js';
import { runState } from './timeline.js';

const DAG_KEYS = {
  dag_id: (d: DagState) => d.def.dagId,
  dag_display_name: (d: DagState) => d.def.dagId,
  next_dagrun: (d: DagState) => d.def.periodMs,
  last_run_state: (d: DagState) => d.def.dagId,
  is_paused: (d: DagState) => (d.paused ? 1 : 0),
};

function filterDags(ctx: Ctx, app: SimApp): DagState[] {
  const pattern = ctx.query.get('dag_id_pattern');
  // Airflow wraps the pattern in `%...%` (ilike): plain text matches a substring and `%`/`_` still work.
  const match = pattern ? likeMatcher(`%${pattern}%`) : null;
  const tags = listParam(ctx, 'tags');
  const matchAll = ctx.query.get('tags_match_mode') === 'all';
  const owners = listParam(ctx, 'owners');
  const paused = boolParam(ctx, 'paused');
  const activeOnly =
    ctx.v === 'v1' ? (boolParam(ctx, 'only_active') ?? true) : (boolParam(ctx, 'exclude_stale') ?? true);
  return [...app.store.dags.values()].filter((d) => {
    if (match && !match(d.def.dagId)) return false;
    if (tags.length > 0) {
      const hit = matchAll
        ? tags.every((t) => d.def.tags.includes(t))
        : tags.some((t) => d.def.tags.includes(t));
      if (!hit) return false;
    }
    if (owners.length > 0 && !owners.some((o) => d.def.owners.includes(o))) return false;
    if (paused !== undefined && d.paused !== paused) return false;
    if (activeOnly && d.def.stale) return false;
    return true;
  });
}

export function registerDagRoutes(r: Registrar, app: SimApp): void {
  const dagOut = (ctx: Ctx, d: DagState) => (ctx.v === 'v2' ? v2.dag(d, ctx.now) : v1.dag(d, ctx.now));

  r('GET', '/dags', 'viewer', (ctx) => {
    const all = sortBy(filterDags(ctx, app), listParam(ctx, 'order_by'), DAG_KEYS, 'dag_id');
    return ok({ dags: paginate(all, page(ctx)).map((d) => dagOut(ctx, d)), total_entries: all.length });
  });

  r('GET', '/dags/{dag_id}', 'viewer', (ctx) => ok(dagOut(ctx, requireDag(ctx, app, ctx.params.dag_id!))));

  r('GET', '/dags/{dag_id}/details', 'viewer', (ctx) => {
    const d = requireDag(ctx, app, ctx.params.dag_id!);
    return ok(ctx.v === 'v2' ? v2.dagDetails(d, ctx.now, app.t0) : v1.dagDetails(d, ctx.now));
  });

  r('PATCH', '/dags/{dag_id}', 'user', (ctx) => {
    const d = requireDag(ctx, app, ctx.params.dag_id!);
    const body = bodyObject(ctx);
    const mask = listParam(ctx, 'update_mask');
    if (mask.some((m) => m !== 'is_paused')) {
      throw new HttpError(400, 'Only `is_paused` field can be updated through the REST API');
    }
    forbidExtra(ctx, body, ['is_paused']);
    if (body.is_paused !== undefined && typeof body.is_paused !== 'boolean') {
      throw validation(ctx.v, [
        {
          type: 'bool_parsing',
          loc: ['body', 'is_paused'],
          msg: 'Input should be a valid boolean, unable to interpret input',
          input: body.is_paused,
        },
      ]);
    }
    if (typeof body.is_paused !== 'boolean') {
      throw validation(ctx.v, [
        { type: 'missing', loc: ['body', 'is_paused'], msg: 'Field required', input: body },
      ]);
    }
    app.store.setPaused(d, body.is_paused, ctx.user, ctx.now);
    return ok(dagOut(ctx, d));
  });

  r('GET', '/dags/{dag_id}/tasks', 'viewer', (ctx) => {
    const d = requireDag(ctx, app, ctx.params.dag_id!);
    const ser = ctx.v === 'v2' ? v2.task : v1.task;
    const tasks = sortBy(d.def.tasks, listParam(ctx, 'order_by'), { task_id: (t) => t.taskId }, 'task_id');
    return ok({ tasks: tasks.map((t) => ser(d, t)), total_entries: tasks.length });
  });

  r('GET', '/dags/{dag_id}/tasks/{task_id}', 'viewer', (ctx) => {
    const d = requireDag(ctx, app, ctx.params.dag_id!);
    const t = requireTask(ctx, d, ctx.params.task_id!);
    return ok(ctx.v === 'v2' ? v2.task(d, t) : v1.task(d, t));
  });

  r(
    'GET',
    '/dagSources/{dag_id}',
    'viewer',
    (ctx) => {
      const d = requireDag(ctx, app, ctx.params.dag_id!);
      const version = ctx.query.get('version_number');
      if (version !== null && version !== '1') {
        throw notFound(
          'v2',
          `The source code of the Dag ${d.def.dagId}, version_number ${version} was not found`,
        );
      }
      if (wantsText(ctx)) return { status: 200, text: d.source };
      return ok({ content: d.source, dag_id: d.def.dagId, version_number: 1, dag_display_name: d.def.dagId });
    },
    { only: 'v2' },
  );

  r(
    'GET',
    '/dagSources/{file_token}',
    'viewer',
    (ctx) => {
      const d = [...app.store.dags.values()].find((x) => x.fileToken === ctx.params.file_token);
      if (!d) throw notFound('v1', 'Dag source not found', 'Not Found');
      if (wantsText(ctx)) return { status: 200, text: d.source };
      return ok({ content: d.source });
    },
    { only: 'v1' },
  );

  r('GET', '/dagStats', 'viewer', (ctx) => {
    const ids = listParam(ctx, 'dag_ids');
    if (ctx.v === 'v1' && ids.length === 0) throw new HttpError(400, "'dag_ids' is a required property");
    const dags =
      ids.length > 0
        ? ids.map((id) => app.store.dags.get(id)).filter((d) => d !== undefined)
        : [...app.store.dags.values()];
    const out = dags.map((d) => {
      const counts: Record<string, number> = { queued: 0, running: 0, success: 0, failed: 0 };
      for (const run of app.store.runs(d.def.dagId)) counts[runState(d, run, ctx.now)]! += 1;
      const stats = Object.entries(counts).map(([state, count]) => ({ state, count }));
      return ctx.v === 'v2'
        ? { dag_id: d.def.dagId, dag_display_name: d.def.dagId, stats }
        : { dag_id: d.def.dagId, stats };
    });
    // Airflow 3 pages the all-DAGs answer; a dag_ids query answers every id asked.
    const items = ids.length > 0 ? out : paginate(out, page(ctx));
    return ok({ dags: items, total_entries: out.length });
  });

  r('GET', '/dagWarnings', 'viewer', (ctx) => {
    const dagId = ctx.query.get('dag_id');
    const type = ctx.query.get('warning_type');
    const all = app.store.warnings.filter((w) => (!dagId || w.dagId === dagId) && (!type || w.type === type));
    const items = paginate(all, page(ctx)).map((w) => ({
      dag_id: w.dagId,
      warning_type: w.type,
      message: w.message,
      timestamp: isoFor(ctx.v, w.timestamp),
      ...(ctx.v === 'v2' ? { dag_display_name: w.dagId } : {}),
    }));
    return ok({ dag_warnings: items, total_entries: all.length });
  });

  const importError = (ctx: Ctx, e: SimApp['store']['importErrors'][number]) => ({
    import_error_id: e.id,
    timestamp: isoFor(ctx.v, e.timestamp),
    filename: e.filename,
    ...(ctx.v === 'v2' ? { bundle_name: 'dags-folder' } : {}),
    stack_trace: e.trace,
  });

  r('GET', '/importErrors', 'viewer', (ctx) => {
    const all = app.store.importErrors;
    return ok({
      import_errors: paginate(all, page(ctx)).map((e) => importError(ctx, e)),
      total_entries: all.length,
    });
  });

  r('GET', '/importErrors/{import_error_id}', 'viewer', (ctx) => {
    const e = app.store.importErrors.find((x) => String(x.id) === ctx.params.import_error_id);
    if (!e) {
      throw ctx.v === 'v2'
        ? notFound(
            'v2',
            `The ImportError with import_error_id: \`${ctx.params.import_error_id}\` was not found`,
          )
        : notFound(
            'v1',
            `The ImportError with import_error_id: \`${ctx.params.import_error_id}\` was not found`,
            'Import error not found',
          );
    }
    return ok(importError(ctx, e));
  });
}

export function wantsText(ctx: Ctx): boolean {
  const accept = ctx.req.headers.accept ?? '';
  return accept.includes('text/plain') && !accept.includes('application/json');
}
