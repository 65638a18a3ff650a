// Airflow 3 (REST API v2) response shapes → the normalised shapes in types.ts.
import { bool, type Json, num, obj, str, strings } from './normalize.js';
import type {
  Asset,
  AssetEvent,
  DagRun,
  DagSummary,
  EventLog,
  Plugin,
  Pool,
  Provider,
  SafeConnection,
  TaskDefinition,
  TaskInstance,
  TaskInstanceRef,
  Variable,
  XcomEntry,
} from './types.js';

export function dagSummaryV2(d: Json): DagSummary {
  return {
    dag_id: String(d.dag_id),
    description: str(d.description),
    is_paused: bool(d.is_paused) ?? false,
    is_active: !(bool(d.is_stale) ?? false),
    tags: strings(d.tags),
    schedule: str(d.timetable_summary) ?? str(d.timetable_description),
    owners: strings(d.owners),
    next_run: str(d.next_dagrun_run_after) ?? str(d.next_dagrun_logical_date),
    has_import_errors: bool(d.has_import_errors) ?? false,
  };
}

export function dagRunV2(r: Json): DagRun {
  return {
    dag_id: String(r.dag_id),
    run_id: String(r.dag_run_id ?? r.run_id),
    state: str(r.state),
    run_type: str(r.run_type),
    logical_date: str(r.logical_date),
    run_after: str(r.run_after),
    queued_at: str(r.queued_at),
    start_date: str(r.start_date),
    end_date: str(r.end_date),
    conf: r.conf && typeof r.conf === 'object' ? (r.conf as Record<string, unknown>) : null,
    note: str(r.note),
  };
}

export function taskInstanceV2(t: Json): TaskInstance {
  return {
    dag_id: String(t.dag_id),
    run_id: String(t.dag_run_id ?? t.run_id),
    task_id: String(t.task_id),
    map_index: num(t.map_index) ?? -1,
    state: str(t.state),
    try_number: num(t.try_number) ?? 0,
    start_date: str(t.start_date),
    end_date: str(t.end_date),
    duration: num(t.duration),
    operator: str(t.operator_name) ?? str(t.operator),
    pool: str(t.pool),
    queue: str(t.queue),
    hostname: str(t.hostname) || null,
  };
}

export function taskInstanceRef(t: Json): TaskInstanceRef {
  return {
    dag_id: String(t.dag_id),
    run_id: String(t.dag_run_id ?? t.run_id),
    task_id: String(t.task_id),
    map_index: num(t.map_index) ?? -1,
    state: str(t.state),
  };
}

/** Airflow 3 structured log lines → plain text lines like the UI shows them. */
export function logLineV2(entry: unknown): string {
  if (typeof entry === 'string') return entry;
  const e = obj(entry);
  const ts = str(e.timestamp);
  const level = str(e.level);
  const event = str(e.event) ?? '';
  const prefix = [ts ? `[${ts}]` : null, level ? level.toUpperCase() : null].filter(Boolean).join(' ');
  const text = prefix ? `${prefix} - ${event}` : event;
  return Array.isArray(e.error_detail) ? `${text}\n${tracebackLines(e.error_detail)}` : text;
}

const MAX_FRAMES = 5;

/** Airflow 3 puts a task's exception in a structured error_detail; render it as Python prints a traceback. */
function tracebackLines(detail: unknown[]): string {
  const out: string[] = [];
  for (const raw of detail) {
    const d = obj(raw);
    const frames = Array.isArray(d.frames) ? d.frames.map(obj) : [];
    out.push('Traceback (most recent call last):');
    if (frames.length > MAX_FRAMES) out.push(`  ... ${frames.length - MAX_FRAMES} earlier frames ...`);
    for (const f of frames.slice(-MAX_FRAMES)) {
      out.push(`  File "${str(f.filename)}", line ${num(f.lineno)}, in ${str(f.name)}`);
    }
    out.push(`${str(d.exc_type) ?? 'Exception'}: ${str(d.exc_value) ?? ''}`);
  }
  return out.join('\n');
}

export function taskDefinition(t: Json): TaskDefinition {
  return {
    task_id: String(t.task_id),
    operator: str(t.operator_name) ?? str(obj(t.class_ref).class_name),
    downstream_task_ids: strings(t.downstream_task_ids),
    trigger_rule: str(t.trigger_rule),
    retries: num(t.retries),
    pool: str(t.pool),
    queue: str(t.queue),
    is_mapped: bool(t.is_mapped) ?? false,
    owner: str(t.owner),
    doc_md: str(t.doc_md),
  };
}

export function xcomEntry(x: Json): XcomEntry {
  return {
    dag_id: String(x.dag_id),
    run_id: String(x.run_id ?? x.dag_run_id ?? ''),
    task_id: String(x.task_id),
    map_index: num(x.map_index) ?? -1,
    key: String(x.key),
    timestamp: str(x.timestamp),
    ...('value' in x ? { value: x.value } : {}),
  };
}

export function poolOf(p: Json): Pool {
  return {
    name: String(p.name),
    slots: num(p.slots),
    open_slots: num(p.open_slots),
    running_slots: num(p.running_slots),
    queued_slots: num(p.queued_slots),
    occupied_slots: num(p.occupied_slots),
    deferred_slots: num(p.deferred_slots),
    description: str(p.description),
    include_deferred: bool(p.include_deferred),
  };
}

export function variableOf(v: Json): Variable {
  return { key: String(v.key), value: str(v.value), description: str(v.description) };
}

/**
 * `extra` keys that configure where and how to connect but never authenticate. Everything else in `extra`
 * (tokens, private keys, key files, `options` strings that may embed passwords) is withheld.
 */
export const SAFE_EXTRA_KEYS: ReadonlySet<string> = new Set([
  'region_name',
  'region',
  'sslmode',
  'use_ssl',
  'verify',
  'no_host_key_check',
  'allow_host_key_change',
  'database',
  'schema',
  'account',
  'warehouse',
  'role',
  'project',
  'project_id',
  'location',
  'dataset',
  'endpoint_url',
  'host',
  'port',
  'timeout',
  'connect_timeout',
  'charset',
  'encoding',
  'cluster_identifier',
]);

/** Never returns `password`; keeps only scalar `extra` values under SAFE_EXTRA_KEYS. */
export function safeConnection(c: Json): SafeConnection {
  const kept: Record<string, unknown> = {};
  const hidden: string[] = [];
  if (typeof c.extra === 'string' && c.extra.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(c.extra);
    } catch {
      parsed = undefined;
      hidden.push('(unparsed extra)');
    }
    for (const [k, v] of Object.entries(obj(parsed))) {
      const scalar = v === null || ['string', 'number', 'boolean'].includes(typeof v);
      if (SAFE_EXTRA_KEYS.has(k) && scalar) kept[k] = v;
      else hidden.push(k);
    }
  }
  return {
    connection_id: String(c.connection_id),
    conn_type: str(c.conn_type),
    description: str(c.description),
    host: str(c.host),
    port: num(c.port),
    login: str(c.login),
    schema: str(c.schema),
    has_password: typeof c.password === 'string' && c.password !== '',
    extra: Object.keys(kept).length ? kept : null,
    extra_hidden_keys: hidden,
  };
}

const PLUGIN_META = new Set(['name', 'source']);

export function pluginOf(p: Json): Plugin {
  const provides: Record<string, unknown[]> = {};
  for (const [k, v] of Object.entries(p)) {
    if (!PLUGIN_META.has(k) && Array.isArray(v) && v.length > 0) provides[k] = v;
  }
  return { name: String(p.name), source: str(p.source), provides };
}

export function providerOf(p: Json): Provider {
  return { package_name: String(p.package_name), version: str(p.version), description: str(p.description) };
}

export function eventLogOf(e: Json): EventLog {
  return {
    id: num(e.event_log_id) ?? num(e.id),
    when: str(e.when),
    event: str(e.event),
    owner: str(e.owner),
    dag_id: str(e.dag_id),
    task_id: str(e.task_id),
    run_id: str(e.run_id),
    map_index: num(e.map_index),
    try_number: num(e.try_number),
    extra: str(e.extra),
  };
}

export function assetV2(a: Json): Asset {
  return {
    id: num(a.id),
    name: str(a.name),
    uri: String(a.uri),
    group: str(a.group),
    consumers: (Array.isArray(a.scheduled_dags) ? a.scheduled_dags : []).map((d) => String(obj(d).dag_id)),
    producers: (Array.isArray(a.producing_tasks) ? a.producing_tasks : []).map(
      (t) => `${obj(t).dag_id}.${obj(t).task_id}`,
    ),
    last_event_at: str(obj(a.last_asset_event).timestamp),
  };
}

export function assetEventV2(e: Json): AssetEvent {
  return {
    id: num(e.id),
    asset_id: num(e.asset_id) ?? num(e.dataset_id),
    uri: str(e.uri) ?? str(e.dataset_uri),
    name: str(e.name),
    timestamp: str(e.timestamp),
    source_dag_id: str(e.source_dag_id),
    source_task_id: str(e.source_task_id),
    source_run_id: str(e.source_run_id),
    source_map_index: num(e.source_map_index),
    extra: e.extra && typeof e.extra === 'object' ? (e.extra as Record<string, unknown>) : null,
    triggered_runs: (Array.isArray(e.created_dagruns) ? e.created_dagruns : []).map((r) => {
      const run = obj(r);
      return {
        dag_id: String(run.dag_id),
        run_id: String(run.run_id ?? run.dag_run_id),
        state: str(run.state),
      };
    }),
  };
}
