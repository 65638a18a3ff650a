// Seeds past DAG runs in mixed states (and the asset events linking producer and consumer) relative to start-up time.

import { ORDERS_ASSET, REPORT_ASSET } from './data-dags.js';
import { pyIso } from './http-util.js';
import type { AssetEventRec, DagState, RunRec } from './model.js';

const MIN = 60_000;
const H = 60 * MIN;
const DAY = 24 * H;

export interface SeedSink {
  addRun(run: RunRec): void;
  nextSeq(): number;
  addAssetEvent(e: Omit<AssetEventRec, 'id'>): void;
  assetId(uri: string): number | undefined;
}

/** Small deterministic hash so the seed is identical on every start. */
export function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Deterministic UUIDv7-shaped id from a seed string (Airflow 3 uses UUIDv7 for TIs and DAG versions). */
export function uuidFor(seed: string): string {
  const h = [1, 2, 3, 4].map((i) => hash(`${i}:${seed}`).toString(16).padStart(8, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-7${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function runIdFor(type: string, at: number): string {
  return `${type}__${pyIso(at, '+00:00')}`;
}

function makeRun(sink: SeedSink, dag: DagState, p: Partial<RunRec> & { runAfter: number }): RunRec {
  const type = p.runType ?? 'scheduled';
  return {
    seq: sink.nextSeq(),
    dagId: dag.def.dagId,
    runId: p.runId ?? runIdFor(type, p.logicalDate ?? p.runAfter),
    runType: type,
    triggeredBy: type === 'manual' ? 'rest_api' : type === 'asset_triggered' ? 'asset' : 'timetable',
    triggeringUser: type === 'manual' ? 'admin' : null,
    logicalDate: p.logicalDate ?? null,
    dataIntervalStart: p.dataIntervalStart ?? null,
    dataIntervalEnd: p.dataIntervalEnd ?? null,
    queuedAt: p.runAfter + 2_000,
    startAt: p.runAfter + 5_000,
    durationMs: dag.def.runDurationMs ?? (3 + (hash(`${dag.def.dagId}${p.runAfter}`) % 6)) * MIN,
    failTask: null,
    conf: {},
    note: null,
    stateOverride: null,
    tiOverrides: new Map(),
    tries: new Map(),
    failedBefore: new Set(),
    ...p,
  };
}

function middleTask(dag: DagState, salt: number): string {
  const ids = dag.def.tasks.map((t) => t.taskId);
  return ids[Math.min(ids.length - 1, 1 + (salt % Math.max(1, ids.length - 1)))]!;
}

export function seedRuns(sink: SeedSink, dags: DagState[], t0: number): void {
  for (const dag of dags) {
    const def = dag.def;
    if (def.schedule === 'asset') continue;
    if (def.periodMs === null) {
      for (let i = 3; i >= 1; i--) {
        const runAfter = t0 - i * 9 * H - (hash(def.dagId) % H);
        const run = makeRun(sink, dag, { runAfter, logicalDate: runAfter, runType: 'manual' });
        run.runId = runIdFor('manual', runAfter);
        run.failTask = def.failTask ?? null;
        run.conf = { triggered_from: 'seed' };
        sink.addRun(run);
      }
      continue;
    }
    const period = def.periodMs;
    // Paused and stale DAGs stopped scheduling a while ago.
    const stopAt = def.stale ? t0 - 45 * DAY : def.paused ? t0 - 10 * DAY : t0;
    const count = Math.min(20, Math.max(4, Math.floor((8 * DAY) / period)));
    const lastEnd = Math.floor(stopAt / period) * period;
    for (let i = count; i >= 1; i--) {
      const intervalEnd = lastEnd - (i - 1) * period;
      const intervalStart = intervalEnd - period;
      const run = makeRun(sink, dag, {
        runAfter: intervalEnd,
        logicalDate: intervalStart,
        dataIntervalStart: intervalStart,
        dataIntervalEnd: intervalEnd,
      });
      const h = hash(`${def.dagId}:${i}`);
      if (def.failTask || h % 7 === 0) run.failTask = def.failTask ?? middleTask(dag, h);
      if (def.dagId === 'long_running_report' && i === 1) {
        // The current run is still going: started 40 minutes ago, runs for hours.
        run.queuedAt = t0 - 41 * MIN;
        run.startAt = t0 - 40 * MIN;
      }
      if (run.startAt !== null && run.startAt > t0) continue;
      sink.addRun(run);
      const outlet = def.tasks.find((t) => t.outlet)?.outlet;
      if (outlet && run.failTask === null && run.startAt !== null && run.startAt + run.durationMs < t0) {
        seedAssetEvent(sink, dags, dag, run, outlet, t0);
      }
    }
  }
  const paused = dags.find((d) => d.def.dagId === 'ml_training_pipeline');
  if (paused) {
    // Triggered while paused: stays queued until someone unpauses the DAG.
    const at = t0 - 2 * H;
    const run = makeRun(sink, paused, { runAfter: at, logicalDate: at, runType: 'manual', startAt: null });
    run.queuedAt = at;
    run.note = 'Waiting for the DAG to be unpaused';
    sink.addRun(run);
  }
}

function seedAssetEvent(
  sink: SeedSink,
  dags: DagState[],
  dag: DagState,
  run: RunRec,
  uri: string,
  t0: number,
): void {
  const assetId = sink.assetId(uri);
  if (assetId === undefined) return;
  const task = dag.def.tasks.find((t) => t.outlet === uri)!;
  const timestamp = run.startAt! + run.durationMs;
  const createdRuns: { dagId: string; runId: string }[] = [];
  const consumer = dags.find((d) => d.def.consumes === uri);
  if (consumer && uri === ORDERS_ASSET) {
    const runAfter = timestamp + 1_000;
    const crun = makeRun(sink, consumer, { runAfter, runType: 'asset_triggered', logicalDate: runAfter });
    crun.runId = runIdFor('asset_triggered', runAfter);
    if (crun.startAt! + crun.durationMs > t0) crun.startAt = Math.min(crun.startAt!, t0 - 1_000);
    sink.addRun(crun);
    createdRuns.push({ dagId: consumer.def.dagId, runId: crun.runId });
  }
  sink.addAssetEvent({
    assetId,
    extra:
      uri === REPORT_ASSET
        ? { rows: 1000 + (hash(run.runId) % 9000) }
        : { partition: run.runId.slice(-25, -15) },
    sourceDagId: dag.def.dagId,
    sourceTaskId: task.taskId,
    sourceRunId: run.runId,
    sourceMapIndex: -1,
    timestamp,
    createdRuns,
  });
}
