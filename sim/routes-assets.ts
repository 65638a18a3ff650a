// Assets (Airflow 3) and datasets (Airflow 2) with their events.
import { type Ctx, intParam, likeMatcher, listParam, notFound, ok, page, paginate } from './http-util.js';
import type { AssetRec } from './model.js';
import { type Registrar, runRef, type SimApp, sortBy } from './route-kit.js';
import * as v1 from './serialize-v1.js';
import * as v2 from './serialize-v2.js';

/** The `dag_ids` filter (both versions): assets the DAGs consume or produce. */
function usedBy(ctx: Ctx, a: AssetRec): boolean {
  const dagIds = listParam(ctx, 'dag_ids');
  return (
    dagIds.length === 0 ||
    dagIds.some((d) => a.consumers.includes(d) || a.producers.some((p) => p.dagId === d))
  );
}

export function registerAssetRoutes(r: Registrar, app: SimApp): void {
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
      // Airflow 3 search params match a substring unless the caller wrote a LIKE expression.
      const like = (p: string) => likeMatcher(/[%_]/.test(p) ? p : `%${p}%`);
      const [nm, um] = [np ? like(np) : null, up ? like(up) : null];
      const all = app.store.assets.filter((a) => (!nm || nm(a.name)) && (!um || um(a.uri)) && usedBy(ctx, a));
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
      const all = app.store.assets.filter((a) => (!up || a.uri.includes(up)) && usedBy(ctx, a));
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
