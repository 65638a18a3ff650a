// Airflow 2 (REST API v1) adapter: the v2 adapter with Airflow 2's routes and shapes swapped in.

import { AdapterV2, dagRunV2, dagSummaryV2, taskInstanceV2 } from './adapter-v2.js';
import type { ApiVersion } from './auth-providers.js';
import type { QueryValue } from './http-client.js';
import { bool, type Json, obj, str } from './normalize.js';
import type { DagRun, DagSummary, ListDagsQuery, TaskInstance, TriggerDagRunInput } from './types.js';

function scheduleV1(d: Json): string | null {
  const s = d.schedule_interval;
  if (s && typeof s === 'object') {
    const o = obj(s);
    return str(o.value) ?? str(o.__type);
  }
  return str(s) ?? str(d.timetable_description);
}

export function dagSummaryV1(d: Json): DagSummary {
  return {
    ...dagSummaryV2(d),
    is_active: bool(d.is_active) ?? true,
    schedule: scheduleV1(d),
    next_run: str(d.next_dagrun) ?? str(d.next_dagrun_create_after),
  };
}

export function dagRunV1(r: Json): DagRun {
  return { ...dagRunV2(r), logical_date: str(r.logical_date) ?? str(r.execution_date), run_after: null };
}

export function taskInstanceV1(t: Json): TaskInstance {
  return { ...taskInstanceV2(t), operator: str(t.operator) };
}

export class AdapterV1 extends AdapterV2 {
  override readonly apiVersion: ApiVersion = 'v1';
  protected override readonly healthRoute: string = '/health';
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
}
