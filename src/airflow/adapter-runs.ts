// The adapter's DAG-run part: list, read, trigger, delete, clear and set the state of runs.
import type { AirflowAdapter, UpstreamCall } from './adapter.js';
import { type Dialect, refsOf } from './adapter-dialect.js';
import { obj, page } from './normalize.js';
import type { ClearResult } from './types.js';

export type RunsPart = Pick<
  AirflowAdapter,
  'listDagRuns' | 'getDagRun' | 'triggerDagRun' | 'deleteDagRun' | 'clearDagRun' | 'setDagRunState'
>;

export function runsPart(call: UpstreamCall, d: Dialect): RunsPart {
  return {
    async listDagRuns(dagId, q) {
      const { body } = await call({
        method: 'GET',
        route: '/dags/{dag_id}/dagRuns',
        params: { dag_id: dagId ?? '~' },
        what: dagId ? `runs of DAG '${dagId}'` : 'DAG runs',
        query: {
          limit: q.limit,
          offset: q.offset,
          state: q.state,
          run_type: d.runTypes(q.run_type),
          start_date_gte: q.start_date_gte,
          start_date_lte: q.start_date_lte,
          end_date_gte: q.end_date_gte,
          end_date_lte: q.end_date_lte,
          order_by: q.order_by ?? d.defaultRunOrder,
        },
      });
      return page(body, 'dag_runs', q, d.mapRun);
    },

    async getDagRun(dagId, runId) {
      const { body } = await call({
        method: 'GET',
        route: '/dags/{dag_id}/dagRuns/{dag_run_id}',
        params: { dag_id: dagId, dag_run_id: runId },
        what: `run '${runId}' of DAG '${dagId}'`,
      });
      return d.mapRun(obj(body));
    },

    async triggerDagRun(dagId, input) {
      const { body } = await call({
        method: 'POST',
        route: '/dags/{dag_id}/dagRuns',
        params: { dag_id: dagId },
        body: d.triggerPayload(input),
        what: `a new run of DAG '${dagId}'`,
      });
      return d.mapRun(obj(body));
    },

    async deleteDagRun(dagId, runId) {
      await call({
        method: 'DELETE',
        route: '/dags/{dag_id}/dagRuns/{dag_run_id}',
        params: { dag_id: dagId, dag_run_id: runId },
        what: `run '${runId}' of DAG '${dagId}'`,
      });
    },

    async clearDagRun(dagId, runId, input): Promise<ClearResult> {
      const { body } = await call({
        method: 'POST',
        route: '/dags/{dag_id}/dagRuns/{dag_run_id}/clear',
        params: { dag_id: dagId, dag_run_id: runId },
        body: { dry_run: input.dry_run, only_failed: input.only_failed },
        what: `run '${runId}' of DAG '${dagId}'`,
      });
      return { dry_run: input.dry_run, task_instances: refsOf(d, body) };
    },

    async setDagRunState(dagId, runId, state) {
      const { body } = await call({
        method: 'PATCH',
        route: '/dags/{dag_id}/dagRuns/{dag_run_id}',
        params: { dag_id: dagId, dag_run_id: runId },
        query: d.runStateQuery(),
        body: { state },
        what: `run '${runId}' of DAG '${dagId}'`,
      });
      return d.mapRun(obj(body));
    },
  };
}
