// Asset tools (Airflow 2: datasets): assets, their update events, and the events that triggered a run.
import { z } from 'zod';
import type { Asset, AssetEvent } from '../airflow/types.js';
import { listOutput, READ } from './annotations.js';
import { defineTool } from './define-tool.js';
import { compact, dagId, isoDate, paging, runId, taskId } from './schemas.js';

function assetBrief(a: Asset) {
  return compact({
    id: a.id,
    name: a.name === a.uri ? undefined : a.name,
    uri: a.uri,
    group: a.group === 'asset' ? undefined : a.group,
    consumers: a.consumers,
    producers: a.producers,
    last_event_at: a.last_event_at,
  });
}

export function assetEventBrief(e: AssetEvent) {
  return compact({
    id: e.id,
    asset_id: e.asset_id,
    uri: e.uri,
    timestamp: e.timestamp,
    source:
      e.source_dag_id && e.source_task_id
        ? `${e.source_dag_id}.${e.source_task_id}${e.source_map_index !== null && e.source_map_index >= 0 ? `[${e.source_map_index}]` : ''}`
        : null,
    source_run_id: e.source_run_id,
    extra: e.extra && Object.keys(e.extra).length ? e.extra : null,
    triggered_runs: e.triggered_runs.map((r) => compact({ ...r })),
  });
}

export const assetTools = [
  defineTool({
    name: 'list_assets',
    toolset: 'assets',
    title: 'List assets',
    description:
      'List assets (Airflow 2: datasets) with the DAGs they schedule and the tasks that update them.',
    inputSchema: z.object({
      ...paging(50),
      uri_pattern: z.string().max(500).optional().describe('Substring'),
      name_pattern: z.string().max(500).optional().describe('Substring; Airflow 3'),
      dag_ids: z.array(dagId).max(20).optional().describe('Produced or consumed by these DAGs'),
    }),
    outputSchema: listOutput(),
    annotations: READ,
    async handler(args, ctx) {
      const page = await (await ctx.airflow()).listAssets(args);
      return { ...page, items: page.items.map(assetBrief) };
    },
  }),
  defineTool({
    name: 'list_asset_events',
    toolset: 'assets',
    title: 'List asset events',
    description: 'List asset (dataset) update events, newest first, with producer and triggered runs.',
    inputSchema: z.object({
      ...paging(50),
      asset_id: z.number().int().min(0).optional().describe('From list_assets'),
      source_dag_id: dagId.optional(),
      source_task_id: taskId.optional(),
      source_run_id: runId.optional(),
      timestamp_gte: isoDate.optional().describe('Airflow 3'),
      timestamp_lte: isoDate.optional().describe('Airflow 3'),
    }),
    outputSchema: listOutput(),
    annotations: READ,
    async handler(args, ctx) {
      const page = await (await ctx.airflow()).listAssetEvents(args);
      return { ...page, items: page.items.map(assetEventBrief) };
    },
  }),
  defineTool({
    name: 'get_upstream_asset_events',
    toolset: 'assets',
    title: 'Get upstream asset events',
    description: 'Get the asset events that triggered an asset-scheduled DAG run.',
    inputSchema: z.object({ dag_id: dagId, run_id: runId }),
    annotations: READ,
    async handler({ dag_id, run_id }, ctx) {
      const events = await (await ctx.airflow()).getUpstreamAssetEvents(dag_id, run_id);
      return { dag_id, run_id, total_entries: events.length, items: events.map(assetEventBrief) };
    },
  }),
];
