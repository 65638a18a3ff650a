// In-memory record types behind the simulator's API (one shape; v1/v2 serializers render them).
import type { SimRole } from './types.js';

export interface TaskDef {
  taskId: string;
  operator: string;
  downstream: string[];
  /** Number of mapped instances (map_index 0..n-1); absent for an unmapped task. */
  mapped?: number;
  pool?: string;
  retries?: number;
  /** XCom values the task pushes when it succeeds. */
  xcom?: Record<string, unknown>;
  /** Asset URI this task produces. */
  outlet?: string;
  doc?: string;
}

export interface DagDef {
  dagId: string;
  description: string | null;
  owners: string[];
  tags: string[];
  /** Cron / preset, 'asset' for asset-scheduled, null for manual only. */
  schedule: string | null;
  periodMs: number | null;
  paused: boolean;
  stale?: boolean;
  importError?: string;
  tasks: TaskDef[];
  /** A task that always fails when the DAG runs (the simulated bug). */
  failTask?: string;
  consumes?: string;
  maxActiveRuns: number;
  maxActiveTasks: number;
  catchup: boolean;
  docMd?: string;
  params?: Record<string, unknown>;
  runDurationMs?: number;
}

export interface DagState {
  def: DagDef;
  paused: boolean;
  /** When the DAG was last unpaused (ms): queued runs of a paused DAG start no earlier. */
  unpausedAt: number;
  fileToken: string;
  fileloc: string;
  source: string;
  layers: string[][];
  layerOf: Map<string, number>;
  lastParsed: number;
}

export type RunState = 'queued' | 'running' | 'success' | 'failed';
export type TiState =
  | 'removed'
  | 'scheduled'
  | 'queued'
  | 'running'
  | 'success'
  | 'restarting'
  | 'failed'
  | 'up_for_retry'
  | 'up_for_reschedule'
  | 'upstream_failed'
  | 'skipped'
  | 'deferred'
  | null;

export interface TiOverride {
  state: TiState;
  start: number | null;
  end: number | null;
}

export interface RunRec {
  seq: number;
  dagId: string;
  runId: string;
  runType: 'manual' | 'scheduled' | 'asset_triggered' | 'backfill';
  triggeredBy: string;
  triggeringUser: string | null;
  logicalDate: number | null;
  runAfter: number;
  dataIntervalStart: number | null;
  dataIntervalEnd: number | null;
  queuedAt: number;
  /** Null until the (lazy) scheduler starts it. */
  startAt: number | null;
  durationMs: number;
  /** Task that fails in this run (null: the run succeeds). */
  failTask: string | null;
  conf: Record<string, unknown>;
  note: string | null;
  stateOverride: { state: RunState; at: number } | null;
  tiOverrides: Map<string, TiOverride>;
  tries: Map<string, number>;
  /** Tasks whose earlier tries failed (their history and logs say so after a clear). */
  failedBefore: Set<string>;
}

export interface TiView {
  taskId: string;
  mapIndex: number;
  state: TiState;
  start: number | null;
  end: number | null;
  tryNumber: number;
  task: TaskDef;
}

export interface PoolRec {
  name: string;
  slots: number;
  description: string | null;
  includeDeferred: boolean;
}

export interface VariableRec {
  key: string;
  value: string;
  description: string | null;
}

export interface ConnectionRec {
  connection_id: string;
  conn_type: string;
  description: string | null;
  host: string | null;
  login: string | null;
  schema: string | null;
  port: number | null;
  password: string | null;
  extra: string | null;
}

export interface AssetRec {
  id: number;
  name: string;
  uri: string;
  group: string;
  extra: Record<string, unknown>;
  createdAt: number;
  producers: { dagId: string; taskId: string }[];
  consumers: string[];
}

export interface AssetEventRec {
  id: number;
  assetId: number;
  extra: Record<string, unknown>;
  sourceDagId: string;
  sourceTaskId: string;
  sourceRunId: string;
  sourceMapIndex: number;
  timestamp: number;
  createdRuns: { dagId: string; runId: string }[];
}

export interface EventLogRec {
  id: number;
  when: number;
  dagId: string | null;
  taskId: string | null;
  runId: string | null;
  mapIndex: number | null;
  tryNumber: number | null;
  event: string;
  logicalDate: number | null;
  owner: string | null;
  extra: string | null;
}

export interface Principal {
  user: string | null;
  role: SimRole | null;
}
