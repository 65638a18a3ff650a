// Airflow 2 (REST API v1) response shapes → the normalised shapes (execution_date, is_active, datasets).
import { dagRunV2, dagSummaryV2, taskInstanceV2 } from './adapter-v2-map.js';
import { bool, type Json, num, obj, str } from './normalize.js';
import type { Asset, DagRun, DagSummary, TaskInstance } from './types.js';

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

export function datasetV1(a: Json): Asset {
  return {
    id: num(a.id),
    name: null,
    uri: String(a.uri),
    group: null,
    consumers: (Array.isArray(a.consuming_dags) ? a.consuming_dags : []).map((d) => String(obj(d).dag_id)),
    producers: (Array.isArray(a.producing_tasks) ? a.producing_tasks : []).map(
      (t) => `${obj(t).dag_id}.${obj(t).task_id}`,
    ),
    last_event_at: null,
  };
}

/** Airflow 2 returns XCom values as strings; JSON ones are decoded so both versions look alike. */
export function xcomValueV1(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
