// The adapter's asset part on Airflow 3: assets, asset events, the events that triggered a run.
import type { AirflowAdapter, UpstreamCall } from './adapter.js';
import { assetEventV2, assetV2 } from './adapter-v2-map.js';
import { obj, page } from './normalize.js';
import type { AssetEvent, ListAssetEventsQuery, ListAssetsQuery } from './types.js';

export type AssetsPart = Pick<AirflowAdapter, 'listAssets' | 'listAssetEvents' | 'getUpstreamAssetEvents'>;

export function assetsPart(call: UpstreamCall): AssetsPart {
  return {
    async listAssets(q: ListAssetsQuery) {
      const { body } = await call({
        method: 'GET',
        route: '/assets',
        query: {
          limit: q.limit,
          offset: q.offset,
          uri_pattern: q.uri_pattern,
          name_pattern: q.name_pattern,
          dag_ids: q.dag_ids,
        },
        what: 'assets',
      });
      return page(body, 'assets', q, assetV2);
    },

    async listAssetEvents(q: ListAssetEventsQuery) {
      const { body } = await call({
        method: 'GET',
        route: '/assets/events',
        query: {
          limit: q.limit,
          offset: q.offset,
          asset_id: q.asset_id,
          source_dag_id: q.source_dag_id,
          source_task_id: q.source_task_id,
          source_run_id: q.source_run_id,
          timestamp_gte: q.timestamp_gte,
          timestamp_lte: q.timestamp_lte,
          order_by: '-timestamp',
        },
        what: 'asset events',
      });
      return page(body, 'asset_events', q, assetEventV2);
    },

    async getUpstreamAssetEvents(dagId: string, runId: string): Promise<AssetEvent[]> {
      const { body } = await call({
        method: 'GET',
        route: '/dags/{dag_id}/dagRuns/{dag_run_id}/upstreamAssetEvents',
        params: { dag_id: dagId, dag_run_id: runId },
        what: `asset events that triggered run '${runId}'`,
      });
      const events = obj(body).asset_events;
      return (Array.isArray(events) ? events : []).map((e) => assetEventV2(obj(e)));
    },
  };
}
