// The adapter's asset part on Airflow 3: assets, asset events, the events that triggered a run.
import type { AirflowAdapter, UpstreamCall } from './adapter.js';
import { getList, getPage } from './adapter-calls.js';
import { assetEventV2, assetV2 } from './adapter-v2-map.js';
import type { AssetEvent, ListAssetEventsQuery, ListAssetsQuery } from './types.js';

export type AssetsPart = Pick<AirflowAdapter, 'listAssets' | 'listAssetEvents' | 'getUpstreamAssetEvents'>;

export function assetsPart(call: UpstreamCall): AssetsPart {
  return {
    listAssets: (q: ListAssetsQuery) =>
      getPage(
        call,
        {
          route: '/assets',
          filters: { uri_pattern: q.uri_pattern, name_pattern: q.name_pattern, dag_ids: q.dag_ids },
          key: 'assets',
          what: 'assets',
        },
        q,
        assetV2,
      ),

    listAssetEvents: (q: ListAssetEventsQuery) =>
      getPage(
        call,
        {
          route: '/assets/events',
          filters: {
            asset_id: q.asset_id,
            source_dag_id: q.source_dag_id,
            source_task_id: q.source_task_id,
            source_run_id: q.source_run_id,
            timestamp_gte: q.timestamp_gte,
            timestamp_lte: q.timestamp_lte,
            order_by: '-timestamp',
          },
          key: 'asset_events',
          what: 'asset events',
        },
        q,
        assetEventV2,
      ),

    getUpstreamAssetEvents: (dagId: string, runId: string): Promise<AssetEvent[]> =>
      getList(
        call,
        {
          route: '/dags/{dag_id}/dagRuns/{dag_run_id}/upstreamAssetEvents',
          params: { dag_id: dagId, dag_run_id: runId },
          what: `asset events that triggered run '${runId}'`,
        },
        'asset_events',
        assetEventV2,
      ),
  };
}
