// Version, health, pools, variables, connections, config, plugins, providers, event logs, assets/datasets.
import { configSections, SEED_PLUGINS, SEED_PROVIDERS } from './data-admin.js';
import {
  type Ctx,
  HttpError,
  isoFor,
  likeMatcher,
  listParam,
  notFound,
  ok,
  page,
  paginate,
} from './http-util.js';
import { type Registrar, type SimApp, sortBy } from './route-kit.js';
import { registerAssetRoutes } from './routes-assets.js';
import { wantsText } from './routes-dags.js';
import { registerVariableRoutes } from './routes-variables.js';
import * as v1 from './serialize-v1.js';
import * as v2 from './serialize-v2.js';

export const VERSIONS = { v1: '2.11.0', v2: '3.3.2' } as const;

export function registerAdminRoutes(r: Registrar, app: SimApp): void {
  r('GET', '/version', 'public', (ctx) => ok({ version: VERSIONS[ctx.v], git_version: null }));

  const health = (ctx: Ctx) => {
    const beat = isoFor(ctx.v, ctx.now - 1_500);
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

  registerVariableRoutes(r, app);

  r('GET', '/connections', 'op', (ctx) => {
    const all = sortBy(
      [...app.store.connections.values()],
      listParam(ctx, 'order_by'),
      { id: (c) => c.connection_id, connection_id: (c) => c.connection_id, conn_type: (c) => c.conn_type },
      'id',
    );
    const ser = ctx.v === 'v2' ? v2.connection : v2.connectionV1;
    return ok({ connections: paginate(all, page(ctx)).map(ser), total_entries: all.length });
  });
  r('GET', '/connections/{connection_id}', 'op', (ctx) => {
    const c = app.store.connections.get(ctx.params.connection_id!);
    if (!c)
      throw notFound(
        ctx.v,
        `The Connection with connection_id: \`${ctx.params.connection_id}\` was not found`,
        'Connection not found',
      );
    return ok(ctx.v === 'v2' ? v2.connection(c) : v2.connectionV1(c));
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
    ok({
      providers: paginate(SEED_PROVIDERS, page(ctx)).map((p) =>
        ctx.v === 'v2'
          ? { ...p, documentation_url: `https://airflow.apache.org/docs/${p.package_name}/${p.version}` }
          : p,
      ),
      total_entries: SEED_PROVIDERS.length,
    }),
  );

  r('GET', '/eventLogs', 'viewer', (ctx) => {
    const dagId = ctx.query.get('dag_id');
    const event = ctx.query.get('event');
    const owner = ctx.query.get('owner');
    const filtered = app.store.eventLogs.filter(
      (e) => (!dagId || e.dagId === dagId) && (!event || e.event === event) && (!owner || e.owner === owner),
    );
    const all = sortBy(
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
  registerAssetRoutes(r, app);
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
