// Version, health, pools, variables, connections, config, plugins, providers, event logs, assets/datasets.
import { configSections, SEED_PLUGINS, SEED_PROVIDERS } from './data-admin.js';
import {
  bodyObject,
  type Ctx,
  forbidExtra,
  HttpError,
  intParam,
  iso,
  likeMatcher,
  listParam,
  noContent,
  notFound,
  ok,
  page,
  paginate,
  validation,
} from './http-util.js';
import type { VariableRec } from './model.js';
import { type Registrar, runRef, type SimApp, sortBy } from './route-kit.js';
import { wantsText } from './routes-dags.js';
import * as v1 from './serialize-v1.js';
import * as v2 from './serialize-v2.js';

export const VERSIONS = { v1: '2.11.0', v2: '3.3.2' } as const;

export function registerAdminRoutes(r: Registrar, app: SimApp): void {
  r('GET', '/version', 'public', (ctx) => ok({ version: VERSIONS[ctx.v], git_version: null }));

  const health = (ctx: Ctx) => {
    const beat = iso(ctx.now - 1_500);
    return ok({
      metadatabase: { status: 'healthy' },
      scheduler: { status: 'healthy', latest_scheduler_heartbeat: beat },
      triggerer: { status: 'healthy', latest_triggerer_heartbeat: beat },
      dag_processor: { status: 'healthy', latest_dag_processor_heartbeat: beat },
    });
  };
  r('GET', '/monitor/health', 'public', health, { only: 'v2' });
  r('GET', '/health', 'public', health, { only: 'v1' });

  r('GET', '/pools', 'viewer', (ctx) => {
    const pattern = ctx.query.get('pool_name_pattern');
    const m = pattern ? likeMatcher(pattern) : null;
    const all = sortBy(
      ctx,
      [...app.store.pools.values()].filter((p) => !m || m(p.name)),
      listParam(ctx, 'order_by'),
      { id: (p) => p.name, name: (p) => p.name, pool: (p) => p.name, slots: (p) => p.slots },
      'id',
    );
    const ser = ctx.v === 'v2' ? v2.pool : v1.pool;
    return ok({ pools: paginate(all, page(ctx)).map(ser), total_entries: all.length });
  });
  r('GET', '/pools/{pool_name}', 'viewer', (ctx) => {
    const p = app.store.pools.get(ctx.params.pool_name!);
    if (!p)
      throw notFound(
        ctx.v,
        `The Pool with name: \`${ctx.params.pool_name}\` was not found`,
        'Pool not found',
      );
    return ok(ctx.v === 'v2' ? v2.pool(p) : v1.pool(p));
  });

  registerVariables(r, app);

  r('GET', '/connections', 'op', (ctx) => {
    const all = sortBy(
      ctx,
      [...app.store.connections.values()],
      listParam(ctx, 'order_by'),
      { id: (c) => c.connection_id, connection_id: (c) => c.connection_id, conn_type: (c) => c.conn_type },
      'id',
    );
    return ok({ connections: paginate(all, page(ctx)).map(v2.connection), total_entries: all.length });
  });
  r('GET', '/connections/{connection_id}', 'op', (ctx) => {
    const c = app.store.connections.get(ctx.params.connection_id!);
    if (!c)
      throw notFound(
        ctx.v,
        `The Connection with connection_id: \`${ctx.params.connection_id}\` was not found`,
        'Connection not found',
      );
    return ok(v2.connection(c));
  });

  r('GET', '/config', 'op', (ctx) => {
    if (!app.exposeConfig) {
      throw new HttpError(
        403,
        'Your Airflow administrator chose not to expose the configuration, most likely for security reasons.',
      );
    }
    const section = ctx.query.get('section');
    const sections = configSections(ctx.v).filter((s) => !section || s.name === section);
    if (wantsText(ctx)) {
      return {
        status: 200,
        text: sections
          .map((s) => `[${s.name}]\n${s.options.map((o) => `${o.key} = ${o.value}`).join('\n')}\n`)
          .join('\n'),
      };
    }
    return ok({ sections });
  });

  r('GET', '/plugins', 'viewer', (ctx) => {
    const all = SEED_PLUGINS.map((p) => pluginOut(ctx, p));
    return ok({ plugins: paginate(all, page(ctx)), total_entries: all.length });
  });
  r('GET', '/providers', 'viewer', (ctx) =>
    ok({ providers: paginate(SEED_PROVIDERS, page(ctx)), total_entries: SEED_PROVIDERS.length }),
  );

  r('GET', '/eventLogs', 'viewer', (ctx) => {
    const dagId = ctx.query.get('dag_id');
    const event = ctx.query.get('event');
    const owner = ctx.query.get('owner');
    const filtered = app.store.eventLogs.filter(
      (e) => (!dagId || e.dagId === dagId) && (!event || e.event === event) && (!owner || e.owner === owner),
    );
    const all = sortBy(
      ctx,
      filtered,
      listParam(ctx, 'order_by'),
      {
        id: (e) => e.id,
        event_log_id: (e) => e.id,
        when: (e) => e.when,
        dttm: (e) => e.when,
        event: (e) => e.event,
        dag_id: (e) => e.dagId,
        owner: (e) => e.owner,
      },
      'id',
    );
    const items = paginate(all, page(ctx)).map((e) => (ctx.v === 'v2' ? v2.eventLog(e) : v1.eventLog(e)));
    return ok({ event_logs: items, total_entries: all.length });
  });

  const assetById = (id: number) => app.store.assets.find((a) => a.id === id);
  const events = (ctx: Ctx) => {
    const assetId =
      ctx.query.has('asset_id') || ctx.query.has('dataset_id')
        ? intParam(ctx, ctx.v === 'v2' ? 'asset_id' : 'dataset_id', 0)
        : null;
    const sourceDag = ctx.query.get('source_dag_id');
    const filtered = app.store.assetEvents.filter(
      (e) => (assetId === null || e.assetId === assetId) && (!sourceDag || e.sourceDagId === sourceDag),
    );
    const all = sortBy(
      ctx,
      filtered,
      listParam(ctx, 'order_by'),
      { id: (e) => e.id, timestamp: (e) => e.timestamp, source_dag_id: (e) => e.sourceDagId },
      'timestamp',
    );
    const ref = runRef(app, ctx.now);
    const items = paginate(all, page(ctx)).map((e) =>
      ctx.v === 'v2'
        ? v2.assetEvent(e, assetById(e.assetId), ref)
        : v1.datasetEvent(e, assetById(e.assetId), ref),
    );
    return ok(
      ctx.v === 'v2'
        ? { asset_events: items, total_entries: all.length }
        : { dataset_events: items, total_entries: all.length },
    );
  };
  r('GET', '/assets/events', 'viewer', events, { only: 'v2' });
  r('GET', '/datasets/events', 'viewer', events, { only: 'v1' });

  r(
    'GET',
    '/assets',
    'viewer',
    (ctx) => {
      const np = ctx.query.get('name_pattern');
      const up = ctx.query.get('uri_pattern');
      const [nm, um] = [np ? likeMatcher(np) : null, up ? likeMatcher(up) : null];
      const dagIds = listParam(ctx, 'dag_ids');
      const all = app.store.assets.filter(
        (a) =>
          (!nm || nm(a.name)) &&
          (!um || um(a.uri)) &&
          (dagIds.length === 0 ||
            dagIds.some((d) => a.consumers.includes(d) || a.producers.some((p) => p.dagId === d))),
      );
      return ok({
        assets: paginate(all, page(ctx)).map((a) => v2.asset(a, app.store.assetEvents)),
        total_entries: all.length,
      });
    },
    { only: 'v2' },
  );
  r(
    'GET',
    '/assets/{asset_id}',
    'viewer',
    (ctx) => {
      const a = assetById(Number(ctx.params.asset_id));
      if (!a) throw notFound('v2', `The Asset with ID: \`${ctx.params.asset_id}\` was not found`);
      return ok(v2.asset(a, app.store.assetEvents));
    },
    { only: 'v2' },
  );
  r(
    'GET',
    '/datasets',
    'viewer',
    (ctx) => {
      const up = ctx.query.get('uri_pattern');
      const all = app.store.assets.filter((a) => !up || a.uri.includes(up));
      return ok({ datasets: paginate(all, page(ctx)).map(v1.dataset), total_entries: all.length });
    },
    { only: 'v1' },
  );
  r(
    'GET',
    '/datasets/{uri}',
    'viewer',
    (ctx) => {
      const a = app.store.assets.find((x) => x.uri === ctx.params.uri);
      if (!a)
        throw notFound(
          'v1',
          `The Dataset with uri: \`${ctx.params.uri}\` was not found`,
          'Dataset not found',
        );
      return ok(v1.dataset(a));
    },
    { only: 'v1' },
  );
}

function pluginOut(ctx: Ctx, p: (typeof SEED_PLUGINS)[number]) {
  const lists = {
    macros: [],
    flask_blueprints: [],
    appbuilder_views: [],
    appbuilder_menu_items: [],
    global_operator_extra_links: [],
    operator_extra_links: [],
    listeners: p.listeners ?? [],
    timetables: p.timetables ?? [],
  };
  return ctx.v === 'v2'
    ? {
        name: p.name,
        source: p.source,
        ...lists,
        fastapi_apps: [],
        fastapi_root_middlewares: [],
        external_views: [],
        react_apps: [],
      }
    : { name: p.name, source: p.source, hooks: [], executors: [], ti_deps: [], ...lists };
}

function registerVariables(r: Registrar, app: SimApp): void {
  const ser = (ctx: Ctx, v: VariableRec) =>
    ctx.v === 'v2' ? v2.variable(v) : { key: v.key, value: v.value, description: v.description };
  const missing = (ctx: Ctx, key: string) =>
    ctx.v === 'v2'
      ? notFound('v2', `The Variable with key: \`${key}\` was not found`)
      : notFound('v1', 'Variable does not exist', 'Variable not found');
  const parse = (ctx: Ctx, requireAll: boolean): VariableRec => {
    const body = bodyObject(ctx);
    forbidExtra(ctx, body, ['key', 'value', 'description']);
    const issues = [];
    if (typeof body.key !== 'string' && requireAll)
      issues.push({ type: 'missing', loc: ['body', 'key'], msg: 'Field required', input: body });
    if (body.value === undefined && requireAll)
      issues.push({ type: 'missing', loc: ['body', 'value'], msg: 'Field required', input: body });
    if (issues.length > 0) throw validation(ctx.v, issues);
    const value = typeof body.value === 'string' ? body.value : JSON.stringify(body.value ?? null);
    return {
      key: String(body.key ?? ''),
      value,
      description: typeof body.description === 'string' ? body.description : null,
    };
  };

  r('GET', '/variables', 'op', (ctx) => {
    const pattern = ctx.query.get('variable_key_pattern');
    const m = pattern ? likeMatcher(pattern) : null;
    const all = sortBy(
      ctx,
      [...app.store.variables.values()].filter((v) => !m || m(v.key)),
      listParam(ctx, 'order_by'),
      { id: (v) => v.key, key: (v) => v.key },
      'id',
    );
    return ok({ variables: paginate(all, page(ctx)).map((v) => ser(ctx, v)), total_entries: all.length });
  });
  r('GET', '/variables/{variable_key}', 'op', (ctx) => {
    const v = app.store.variables.get(ctx.params.variable_key!);
    if (!v) throw missing(ctx, ctx.params.variable_key!);
    return ok(ser(ctx, v));
  });
  r('POST', '/variables', 'op', (ctx) => {
    const v = parse(ctx, true);
    if (app.store.variables.has(v.key)) {
      throw new HttpError(409, `The Variable with key: \`${v.key}\` already exists`);
    }
    app.store.variables.set(v.key, v);
    app.store.audit('variable.create', ctx.user, {}, ctx.now, JSON.stringify({ key: v.key }));
    return ok(ser(ctx, v), ctx.v === 'v2' ? 201 : 200);
  });
  r('PATCH', '/variables/{variable_key}', 'op', (ctx) => {
    const key = ctx.params.variable_key!;
    const existing = app.store.variables.get(key);
    if (!existing) throw missing(ctx, key);
    const body = bodyObject(ctx);
    const patch = parse(ctx, false);
    if (typeof body.key === 'string' && body.key !== key)
      throw new HttpError(400, "Invalid body, key from request body doesn't match uri parameter");
    const mask = listParam(ctx, 'update_mask');
    const want = (f: string) => (mask.length === 0 ? body[f] !== undefined : mask.includes(f));
    if (want('value')) existing.value = patch.value;
    if (want('description')) existing.description = patch.description;
    app.store.audit('variable.edit', ctx.user, {}, ctx.now, JSON.stringify({ key }));
    return ok(ser(ctx, existing));
  });
  r('DELETE', '/variables/{variable_key}', 'op', (ctx) => {
    const key = ctx.params.variable_key!;
    if (!app.store.variables.delete(key)) throw missing(ctx, key);
    app.store.audit('variable.delete', ctx.user, {}, ctx.now, JSON.stringify({ key }));
    return noContent();
  });
}
