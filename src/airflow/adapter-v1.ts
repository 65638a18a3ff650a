// Airflow 2 (REST API v1) adapter: the same per-domain parts with Airflow 2's dialect, plus what Airflow 2
// does its own way (sources by file token, stats that need DAG ids, datasets) or lacks (said plainly).
import { AppError } from '../errors.js';
import type { AirflowAdapter, UpstreamCall } from './adapter.js';
import { adminPart } from './adapter-admin.js';
import { getList } from './adapter-calls.js';
import { dagStatsCall, dagStatsOf, dagsPart } from './adapter-dags.js';
import { AIRFLOW3, type Dialect } from './adapter-dialect.js';
import { runsPart } from './adapter-runs.js';
import { taskInstancesPart } from './adapter-task-instances.js';
import { dagRunV1, dagSummaryV1, datasetV1, taskInstanceV1, xcomValueV1 } from './adapter-v1-map.js';
import { assetEventV2 } from './adapter-v2-map.js';
import { obj, page, str } from './normalize.js';
import { parseUiRouteV2, resolveUiUrl } from './ui-url.js';

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

export const AIRFLOW2: Dialect = {
  ...AIRFLOW3,
  apiVersion: 'v1',
  healthRoute: '/health',
  defaultRunOrder: '-execution_date',
  mapDag: dagSummaryV1,
  mapRun: dagRunV1,
  mapTaskInstance: taskInstanceV1,
  xcomValue: xcomValueV1,
  dagListQuery: (q) => ({
    limit: q.limit,
    offset: q.offset,
    dag_id_pattern: q.dag_id_pattern,
    tags: q.tags,
    paused: q.paused,
    only_active: q.include_inactive ? false : undefined,
    order_by: 'dag_id',
  }),
  /** Airflow 2 calls asset-triggered runs `dataset_triggered`. */
  runTypes: (types) =>
    types ? [...new Set(types.map((t) => (t === 'asset_triggered' ? 'dataset_triggered' : t)))] : undefined,
  triggerPayload(input) {
    const payload: Record<string, unknown> = {};
    if (input.logical_date) payload.logical_date = input.logical_date;
    if (input.run_id) payload.dag_run_id = input.run_id;
    if (input.conf) payload.conf = input.conf;
    if (input.note) payload.note = input.note;
    return payload;
  },
  taskInstanceQuery(q) {
    if (q.task_id) throw needsAirflow3('Filtering task instances by task_id');
    const { task_id: _t, order_by: _o, ...rest } = q;
    return { ...rest };
  },
  runStateQuery: () => ({}),
  taskStatePayload: (state) => ({ dry_run: false, new_state: state }),
};

type Airflow2Part = Pick<
  AirflowAdapter,
  | 'getDagSource'
  | 'getDagStats'
  | 'listPools'
  | 'listVariables'
  | 'listAssets'
  | 'listAssetEvents'
  | 'getUpstreamAssetEvents'
>;

/** What Airflow 2 answers through other routes, or refuses. */
function airflow2Part(
  call: UpstreamCall,
  dags: ReturnType<typeof dagsPart>,
  admin: ReturnType<typeof adminPart>,
): Airflow2Part {
  return {
    /** Airflow 2 serves sources by file token, which only the DAG record knows. */
    async getDagSource(dagId, maxBytes) {
      const dag = await call({
        method: 'GET',
        route: '/dags/{dag_id}',
        params: { dag_id: dagId },
        what: `DAG '${dagId}'`,
      });
      const token = str(obj(dag.body).file_token);
      if (!token) return { dag_id: dagId, content: '', truncated: false };
      const res = await call({
        method: 'GET',
        route: '/dagSources/{file_token}',
        params: { file_token: token },
        what: `the source of DAG '${dagId}'`,
        maxBytes: maxBytes + 4096,
      });
      const content = typeof res.body === 'string' ? res.body : (str(obj(res.body).content) ?? '');
      return { dag_id: dagId, content, truncated: res.truncated };
    },

    /** Airflow 2's dagStats requires dag_ids: page over the DAG list first when none are given. */
    async getDagStats(dagIds, q) {
      if (dagIds) return dags.getDagStats(dagIds, q);
      const list = await dags.listDags({ limit: q.limit, offset: q.offset, include_inactive: false });
      if (list.items.length === 0) return { ...list, items: [] };
      const body = await dagStatsCall(
        call,
        list.items.map((d) => d.dag_id),
        q,
      );
      const items = (Array.isArray(body.dags) ? body.dags : []).map((d) => dagStatsOf(obj(d)));
      return { ...list, items };
    },

    async listPools(q) {
      if (q.name_pattern) throw needsAirflow3('name_pattern');
      return admin.listPools(q);
    },

    async listVariables(q) {
      if (q.key_pattern) throw needsAirflow3('key_pattern');
      return admin.listVariables(q);
    },

    async listAssets(q) {
      if (q.name_pattern) throw needsAirflow3('name_pattern (Airflow 2 datasets have no names)');
      const { body } = await call({
        method: 'GET',
        route: '/datasets',
        query: { limit: q.limit, offset: q.offset, uri_pattern: q.uri_pattern, dag_ids: q.dag_ids },
        what: 'datasets',
      });
      return page(body, 'datasets', q, datasetV1);
    },

    async listAssetEvents(q) {
      if (q.timestamp_gte || q.timestamp_lte) throw needsAirflow3('Filtering asset events by timestamp');
      const { body } = await call({
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
    },

    getUpstreamAssetEvents: (dagId, runId) =>
      getList(
        call,
        {
          route: '/dags/{dag_id}/dagRuns/{dag_run_id}/upstreamDatasetEvents',
          params: { dag_id: dagId, dag_run_id: runId },
          what: `dataset events that triggered run '${runId}'`,
        },
        'dataset_events',
        assetEventV2,
      ),
  };
}

/** `uiBaseUrls`: this Airflow's URLs (API URL, and the browser-facing one if different) UI links may use. */
export function createAdapterV1(call: UpstreamCall, uiBaseUrls: readonly string[] = []): AirflowAdapter {
  const dags = dagsPart(call, AIRFLOW2);
  const admin = adminPart(call);
  return {
    apiVersion: AIRFLOW2.apiVersion,
    resolveUiUrl: (link) => resolveUiUrl(uiBaseUrls, link, parseUiRouteV2),
    ...dags,
    ...runsPart(call, AIRFLOW2),
    ...taskInstancesPart(call, AIRFLOW2),
    ...admin,
    ...airflow2Part(call, dags, admin),
  };
}
