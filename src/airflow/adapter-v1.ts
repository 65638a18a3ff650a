// Airflow 2 (REST API v1) adapter: the v2 adapter with Airflow 2's routes, shapes and missing features.

import { AppError } from '../errors.js';
import { dagRunV1, dagSummaryV1, datasetV1, taskInstanceV1, xcomValueV1 } from './adapter-v1-map.js';
import { AdapterV2 } from './adapter-v2.js';
import { assetEventV2 } from './adapter-v2-map.js';
import { dagStatsOf } from './adapter-v2-ops.js';
import type { ApiVersion } from './auth-providers.js';
import type { QueryValue } from './http-client.js';
import { obj, page, str } from './normalize.js';
import type {
  AssetEvent,
  ListAssetEventsQuery,
  ListAssetsQuery,
  ListDagsQuery,
  ListTaskInstancesQuery,
  PageQuery,
  TriggerDagRunInput,
} from './types.js';
import { parseUiRouteV2, type UiRouteParser } from './ui-url.js';

export { dagRunV1, dagSummaryV1, taskInstanceV1 } from './adapter-v1-map.js';

/** A filter or feature Airflow 2's API does not have: said plainly instead of silently ignored. */
function needsAirflow3(what: string): AppError {
  return new AppError(
    'invalid_argument',
    `${what} needs Airflow 3: Airflow 2's REST API has no such option.`,
    {
      hint: 'Call again without it.',
    },
  );
}

export class AdapterV1 extends AdapterV2 {
  override readonly apiVersion: ApiVersion = 'v1';
  protected override readonly uiRoutes: UiRouteParser = parseUiRouteV2;
  protected override readonly healthRoute: string = '/health';
  protected override readonly defaultRunOrder: string = '-execution_date';
  protected override mapDag = dagSummaryV1;
  protected override mapRun = dagRunV1;
  protected override mapTaskInstance = taskInstanceV1;

  protected override dagListQuery(q: ListDagsQuery): Record<string, QueryValue> {
    return {
      limit: q.limit,
      offset: q.offset,
      dag_id_pattern: q.dag_id_pattern,
      tags: q.tags,
      paused: q.paused,
      only_active: q.include_inactive ? false : undefined,
      order_by: 'dag_id',
    };
  }

  protected override triggerPayload(input: TriggerDagRunInput): Record<string, unknown> {
    const payload: Record<string, unknown> = {};
    if (input.logical_date) payload.logical_date = input.logical_date;
    if (input.run_id) payload.dag_run_id = input.run_id;
    if (input.conf) payload.conf = input.conf;
    if (input.note) payload.note = input.note;
    return payload;
  }

  protected override taskInstanceQuery(q: ListTaskInstancesQuery): Record<string, QueryValue> {
    if (q.task_id) throw needsAirflow3('Filtering task instances by task_id');
    const { task_id: _t, order_by: _o, ...rest } = q;
    return { ...rest };
  }

  /** Airflow 2 calls asset-triggered runs `dataset_triggered`. */
  protected override runTypes(types: readonly string[] | undefined): string[] | undefined {
    if (!types) return undefined;
    return [...new Set(types.map((t) => (t === 'asset_triggered' ? 'dataset_triggered' : t)))];
  }

  protected override runStateQuery(): Record<string, QueryValue> {
    return {};
  }

  protected override taskStatePayload(state: string): Record<string, unknown> {
    return { dry_run: false, new_state: state };
  }

  protected override xcomValue(raw: unknown): unknown {
    return xcomValueV1(raw);
  }

  /** Airflow 2 serves sources by file token, which only the DAG record knows. */
  override async getDagSource(dagId: string, maxBytes: number) {
    const dag = await this.call({
      method: 'GET',
      route: '/dags/{dag_id}',
      params: { dag_id: dagId },
      what: `DAG '${dagId}'`,
    });
    const token = str(obj(dag.body).file_token);
    if (!token) return { dag_id: dagId, content: '', truncated: false };
    const res = await this.call({
      method: 'GET',
      route: '/dagSources/{file_token}',
      params: { file_token: token },
      what: `the source of DAG '${dagId}'`,
      maxBytes: maxBytes + 4096,
    });
    const content = typeof res.body === 'string' ? res.body : (str(obj(res.body).content) ?? '');
    return { dag_id: dagId, content, truncated: res.truncated };
  }

  /** Airflow 2's dagStats requires dag_ids: page over the DAG list first when none are given. */
  override async getDagStats(dagIds: string[] | undefined, q: PageQuery) {
    if (dagIds) return super.getDagStats(dagIds, q);
    const dags = await this.listDags({ limit: q.limit, offset: q.offset, include_inactive: false });
    if (dags.items.length === 0) return { ...dags, items: [] };
    const body = await this.dagStatsCall(
      dags.items.map((d) => d.dag_id),
      q,
    );
    const items = (Array.isArray(body.dags) ? body.dags : []).map((d) => dagStatsOf(obj(d)));
    return { ...dags, items };
  }

  override async listPools(q: PageQuery & { name_pattern?: string | undefined }) {
    if (q.name_pattern) throw needsAirflow3('name_pattern');
    return super.listPools(q);
  }

  override async listVariables(q: PageQuery & { key_pattern?: string | undefined }) {
    if (q.key_pattern) throw needsAirflow3('key_pattern');
    return super.listVariables(q);
  }

  override async listAssets(q: ListAssetsQuery) {
    if (q.name_pattern) throw needsAirflow3('name_pattern (Airflow 2 datasets have no names)');
    const { body } = await this.call({
      method: 'GET',
      route: '/datasets',
      query: { limit: q.limit, offset: q.offset, uri_pattern: q.uri_pattern, dag_ids: q.dag_ids },
      what: 'datasets',
    });
    return page(body, 'datasets', q, datasetV1);
  }

  override async listAssetEvents(q: ListAssetEventsQuery) {
    if (q.timestamp_gte || q.timestamp_lte) throw needsAirflow3('Filtering asset events by timestamp');
    const { body } = await this.call({
      method: 'GET',
      route: '/datasets/events',
      query: {
        limit: q.limit,
        offset: q.offset,
        dataset_id: q.asset_id,
        source_dag_id: q.source_dag_id,
        source_task_id: q.source_task_id,
        source_run_id: q.source_run_id,
        order_by: '-timestamp',
      },
      what: 'dataset events',
    });
    return page(body, 'dataset_events', q, assetEventV2);
  }

  override async getUpstreamAssetEvents(dagId: string, runId: string): Promise<AssetEvent[]> {
    const { body } = await this.call({
      method: 'GET',
      route: '/dags/{dag_id}/dagRuns/{dag_run_id}/upstreamDatasetEvents',
      params: { dag_id: dagId, dag_run_id: runId },
      what: `dataset events that triggered run '${runId}'`,
    });
    const events = obj(body).dataset_events;
    return (Array.isArray(events) ? events : []).map((e) => assetEventV2(obj(e)));
  }
}
