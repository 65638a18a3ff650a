// The adapter's DAG part: version, health, DAGs, sources, stats, task definitions, import errors, warnings.
import type { AirflowAdapter, UpstreamCall } from './adapter.js';
import type { Dialect } from './adapter-dialect.js';
import { bool, type Json, num, obj, page, str } from './normalize.js';
import type { DagDetails, DagStats, Page, PageQuery } from './types.js';

export type DagsPart = Pick<
  AirflowAdapter,
  | 'getVersion'
  | 'getHealth'
  | 'listDags'
  | 'getDagDetails'
  | 'getDagSource'
  | 'setDagPaused'
  | 'getDagStats'
  | 'listTasks'
  | 'getTask'
  | 'listImportErrors'
  | 'listDagWarnings'
>;

/** DAG params as name → value; both APIs wrap each value ({value, description, schema} / {__class, value}). */
function paramValues(raw: unknown): Record<string, unknown> | null {
  if (!raw || typeof raw !== 'object') return null;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    out[k] = v && typeof v === 'object' && 'value' in v ? (v as { value: unknown }).value : v;
  }
  return out;
}

export function dagStatsOf(d: Json): DagStats {
  const runs: Record<string, number> = {};
  for (const s of Array.isArray(d.stats) ? d.stats : []) {
    const st = obj(s);
    runs[String(st.state)] = num(st.count) ?? 0;
  }
  return { dag_id: String(d.dag_id), runs };
}

/** One dagStats call; dagIds undefined pages over all DAGs (Airflow 3 only). */
export async function dagStatsCall(call: UpstreamCall, dagIds: string[] | undefined, q: PageQuery) {
  const { body } = await call({
    method: 'GET',
    route: '/dagStats',
    query: dagIds ? { dag_ids: dagIds } : { limit: q.limit, offset: q.offset },
    what: 'DAG run statistics',
  });
  return obj(body);
}

export function dagsPart(call: UpstreamCall, d: Dialect): DagsPart {
  return {
    async getVersion() {
      const { body } = await call({ method: 'GET', route: '/version', what: 'the Airflow version' });
      const b = obj(body);
      return { version: String(b.version), git_version: str(b.git_version), api_version: d.apiVersion };
    },

    async getHealth() {
      const { body } = await call({ method: 'GET', route: d.healthRoute, what: 'Airflow health' });
      const components: Record<string, { status: string | null; latest_heartbeat?: string | null }> = {};
      for (const [name, value] of Object.entries(obj(body))) {
        const v = obj(value);
        const heartbeat = Object.entries(v).find(([k]) => k.startsWith('latest_') && k.endsWith('heartbeat'));
        components[name] = {
          status: str(v.status),
          ...(heartbeat ? { latest_heartbeat: str(heartbeat[1]) } : {}),
        };
      }
      return { components };
    },

    async listDags(q) {
      const { body } = await call({
        method: 'GET',
        route: '/dags',
        what: 'the DAG list',
        query: d.dagListQuery(q),
      });
      return page(body, 'dags', q, d.mapDag);
    },

    async getDagDetails(dagId): Promise<DagDetails> {
      const { body } = await call({
        method: 'GET',
        route: '/dags/{dag_id}/details',
        params: { dag_id: dagId },
        what: `DAG '${dagId}'`,
      });
      const b = obj(body);
      return {
        ...d.mapDag(b),
        fileloc: str(b.fileloc),
        start_date: str(b.start_date),
        catchup: bool(b.catchup),
        max_active_runs: num(b.max_active_runs),
        max_active_tasks: num(b.max_active_tasks),
        timezone: str(b.timezone),
        last_parsed_time: str(b.last_parsed_time),
        doc_md: str(b.doc_md),
        params: paramValues(b.params),
      };
    },

    async getDagSource(dagId, maxBytes) {
      const res = await call({
        method: 'GET',
        route: '/dagSources/{dag_id}',
        params: { dag_id: dagId },
        what: `the source of DAG '${dagId}'`,
        maxBytes: maxBytes + 4096,
      });
      const content = typeof res.body === 'string' ? res.body : (str(obj(res.body).content) ?? '');
      return { dag_id: dagId, content, truncated: res.truncated };
    },

    async setDagPaused(dagId, paused) {
      const { body } = await call({
        method: 'PATCH',
        route: '/dags/{dag_id}',
        params: { dag_id: dagId },
        query: { update_mask: 'is_paused' },
        body: { is_paused: paused },
        what: `DAG '${dagId}'`,
      });
      return d.mapDag(obj(body));
    },

    async getDagStats(dagIds, q): Promise<Page<DagStats>> {
      if (!dagIds) return page(await dagStatsCall(call, undefined, q), 'dags', q, dagStatsOf);
      // Some Airflow 3 releases answer 500 when several dag_ids are asked at once: ask per DAG, concurrently.
      const bodies = await Promise.all(dagIds.map((id) => dagStatsCall(call, [id], q)));
      const items = bodies.flatMap((b) =>
        (Array.isArray(b.dags) ? b.dags : []).map((s) => dagStatsOf(obj(s))),
      );
      return { items, total_entries: items.length, offset: 0, limit: items.length, next_offset: null };
    },

    async listTasks(dagId) {
      const { body } = await call({
        method: 'GET',
        route: '/dags/{dag_id}/tasks',
        params: { dag_id: dagId },
        what: `tasks of DAG '${dagId}'`,
      });
      const tasks = obj(body).tasks;
      return (Array.isArray(tasks) ? tasks : []).map((t) => d.mapTask(obj(t)));
    },

    async getTask(dagId, taskId) {
      const { body } = await call({
        method: 'GET',
        route: '/dags/{dag_id}/tasks/{task_id}',
        params: { dag_id: dagId, task_id: taskId },
        what: `task '${taskId}' of DAG '${dagId}'`,
      });
      return d.mapTask(obj(body));
    },

    async listImportErrors(q) {
      const { body } = await call({
        method: 'GET',
        route: '/importErrors',
        query: { limit: q.limit, offset: q.offset },
        what: 'import errors',
      });
      return page(body, 'import_errors', q, (e) => ({
        filename: str(e.filename),
        timestamp: str(e.timestamp),
        error: str(e.stack_trace) ?? '',
      }));
    },

    async listDagWarnings(q) {
      const { body } = await call({
        method: 'GET',
        route: '/dagWarnings',
        query: { limit: q.limit, offset: q.offset, dag_id: q.dag_id },
        what: 'DAG warnings',
      });
      return page(body, 'dag_warnings', q, (w) => ({
        dag_id: String(w.dag_id),
        warning_type: String(w.warning_type),
        message: String(w.message),
        timestamp: str(w.timestamp),
      }));
    },
  };
}
