// The simulator's mutable state: DAGs, runs, admin objects, assets and the audit log, with Airflow-like mutations.
import { SEED_CONNECTIONS, SEED_POOLS, SEED_VARIABLES } from './data-admin.js';
import { dagSource, IMPORT_ERROR_TRACE, ORDERS_ASSET, REPORT_ASSET, SEED_DAGS } from './data-dags.js';
import type {
  AssetEventRec,
  AssetRec,
  ConnectionRec,
  DagState,
  EventLogRec,
  PoolRec,
  RunRec,
  TiState,
  TiView,
  VariableRec,
} from './model.js';
import { hash, runIdFor, seedRuns } from './seed-runs.js';
import { freeze, layersOf, QUEUE_SHARE, runState, taskInstances } from './timeline.js';

export interface TriggerInput {
  /** Asset-triggered runs are created by the asset flow rather than the API. */
  runType?: 'manual' | 'asset_triggered';
  runId: string | null;
  logicalDate: number | null;
  conf: Record<string, unknown>;
  note: string | null;
  user: string | null;
}

export class Store {
  readonly dags = new Map<string, DagState>();
  readonly pools = new Map<string, PoolRec>();
  readonly variables = new Map<string, VariableRec>();
  readonly connections = new Map<string, ConnectionRec>();
  readonly assets: AssetRec[] = [];
  readonly assetEvents: AssetEventRec[] = [];
  readonly eventLogs: EventLogRec[] = [];
  readonly importErrors: { id: number; filename: string; timestamp: number; trace: string }[] = [];
  readonly warnings: { dagId: string; type: string; message: string; timestamp: number }[] = [];
  /** Triggered runs of producer DAGs whose asset events are not emitted yet (see asset-flow.ts). */
  pendingOutlets: RunRec[] = [];
  private readonly runsByDag = new Map<string, RunRec[]>();
  private readonly runIndex = new Map<string, RunRec>();
  /** Every run in creation order, so cross-DAG (`~`) lists need no merge or sort. */
  private readonly allRuns: RunRec[] = [];
  private seq = 0;
  private eventSeq = 0;

  constructor(
    readonly t0: number,
    private readonly runDurationMs: number,
  ) {
    for (const def of [...SEED_DAGS].sort((a, b) => a.dagId.localeCompare(b.dagId))) {
      const layers = layersOf(def.tasks);
      const layerOf = new Map<string, number>();
      layers.forEach((ids, i) => {
        for (const id of ids) layerOf.set(id, i);
      });
      this.dags.set(def.dagId, {
        def,
        paused: def.paused,
        unpausedAt: 0,
        // Shaped like Airflow's itsdangerous-signed file token: base64url(fileloc).signature.
        fileToken: `${Buffer.from(JSON.stringify(`/opt/airflow/dags/${def.dagId}.py`)).toString('base64url')}.${hash(def.dagId).toString(36)}`,
        fileloc: `/opt/airflow/dags/${def.dagId}.py`,
        source: dagSource(def),
        layers,
        layerOf,
        lastParsed: t0 - (hash(def.dagId) % 300_000),
      });
      this.runsByDag.set(def.dagId, []);
    }
    for (const p of SEED_POOLS) this.pools.set(p.name, { ...p });
    for (const v of SEED_VARIABLES) this.variables.set(v.key, { ...v });
    for (const c of SEED_CONNECTIONS) this.connections.set(c.connection_id, { ...c });
    this.seedAssets();
    seedRuns(
      {
        addRun: (r) => this.addRun(r),
        nextSeq: () => ++this.seq,
        addAssetEvent: (e) => this.assetEvents.push({ ...e, id: this.assetEvents.length + 1 }),
        assetId: (uri) => this.assets.find((a) => a.uri === uri)?.id,
      },
      [...this.dags.values()],
      t0,
    );
    this.importErrors.push({
      id: 1,
      filename: 'dags/partner_sync.py',
      timestamp: t0 - 20 * 60_000,
      trace: IMPORT_ERROR_TRACE,
    });
    this.warnings.push({
      dagId: 'data_quality_checks',
      type: 'non-existent pool',
      message: "Dag 'data_quality_checks' references non-existent pools: ['analytics_pool']",
      timestamp: t0 - 15 * 60_000,
    });
    this.seedEventLogs();
  }

  private seedAssets(): void {
    const mk = (id: number, name: string, uri: string, producer: [string, string], consumers: string[]) =>
      this.assets.push({
        id,
        name,
        uri,
        group: 'asset',
        extra: {},
        createdAt: this.t0 - 30 * 86_400_000,
        producers: [{ dagId: producer[0], taskId: producer[1] }],
        consumers,
      });
    mk(
      1,
      'orders_daily',
      ORDERS_ASSET,
      ['asset_producer_orders', 'publish_orders'],
      ['asset_consumer_reporting'],
    );
    mk(2, 'sales_summary', REPORT_ASSET, ['etl_daily_sales', 'load'], []);
  }

  private seedEventLogs(): void {
    const events: [string, string | null, string][] = [
      ['cli_api_server', null, 'airflow'],
      ['paused', 'ml_training_pipeline', 'admin'],
      ['trigger_dag_run', 'example_failing', 'admin'],
      ['variable.create', null, 'op'],
      ['paused', 'legacy_reporting', 'admin'],
    ];
    events.forEach(([event, dagId, owner], i) => {
      this.audit(event, owner, { dagId }, this.t0 - (events.length - i) * 3_600_000);
    });
  }

  addRun(run: RunRec): void {
    this.runsByDag.get(run.dagId)!.push(run);
    this.allRuns.push(run);
    this.runIndex.set(`${run.dagId}\u0000${run.runId}`, run);
  }

  /** Runs of one DAG, or of every DAG for `~`, in creation order. */
  runs(dagId: string): RunRec[] {
    if (dagId !== '~') return this.runsByDag.get(dagId) ?? [];
    return this.allRuns;
  }

  run(dagId: string, runId: string): RunRec | undefined {
    return this.runIndex.get(`${dagId}\u0000${runId}`);
  }

  trigger(dag: DagState, input: TriggerInput, now: number): RunRec | 'conflict' {
    const runAfter = now;
    const runType = input.runType ?? 'manual';
    const runId = input.runId ?? runIdFor(runType, input.logicalDate ?? runAfter);
    if (this.run(dag.def.dagId, runId)) return 'conflict';
    if (
      input.logicalDate !== null &&
      this.runs(dag.def.dagId).some((r) => r.logicalDate === input.logicalDate)
    ) {
      return 'conflict';
    }
    const total = dag.def.dagId === 'long_running_report' ? this.runDurationMs * 10 : this.runDurationMs;
    const run: RunRec = {
      seq: ++this.seq,
      dagId: dag.def.dagId,
      runId,
      runType,
      triggeredBy: runType === 'manual' ? 'rest_api' : 'asset',
      triggeringUser: input.user,
      logicalDate: input.logicalDate,
      runAfter,
      dataIntervalStart: input.logicalDate,
      dataIntervalEnd: input.logicalDate,
      queuedAt: now,
      startAt: null,
      durationMs: Math.max(1, Math.round(total * (1 - QUEUE_SHARE))),
      failTask: dag.def.failTask ?? null,
      conf: input.conf,
      note: input.note,
      stateOverride: null,
      tiOverrides: new Map(),
      tries: new Map(),
      failedBefore: new Set(),
    };
    this.addRun(run);
    if (dag.def.tasks.some((t) => t.outlet)) this.pendingOutlets.push(run);
    if (runType === 'manual') this.audit('trigger_dag_run', input.user, { dagId: dag.def.dagId, runId }, now);
    return run;
  }

  setPaused(dag: DagState, paused: boolean, user: string | null, now: number): void {
    if (dag.paused && !paused) dag.unpausedAt = now;
    // Start any run that was already due before pausing again, so pausing never rewinds history.
    if (!dag.paused && paused) for (const r of this.runs(dag.def.dagId)) runState(dag, r, now);
    dag.paused = paused;
    this.audit(paused ? 'paused' : 'unpaused', user, { dagId: dag.def.dagId }, now);
  }

  /** PATCH dagRun state: success marks every task success; failed fails running work and skips the rest. */
  setRunState(
    dag: DagState,
    run: RunRec,
    state: 'success' | 'failed' | 'queued',
    user: string | null,
    now: number,
  ): void {
    if (state === 'queued') {
      freeze(dag, run, now, (ti) => ti.state !== 'success');
      this.restart(run, now);
    } else {
      freeze(dag, run, now);
      for (const [key, ov] of run.tiOverrides) {
        if (state === 'success' && ov.state !== 'success') {
          run.tiOverrides.set(key, { state: 'success', start: ov.start ?? now, end: now });
        } else if (state === 'failed' && !isFinished(ov.state)) {
          const next: TiState = ov.state === 'running' ? 'failed' : 'skipped';
          run.tiOverrides.set(key, { state: next, start: ov.start, end: now });
        }
      }
      if (run.startAt === null) run.startAt = now;
      run.stateOverride = { state, at: now };
    }
    this.audit(`dag_run.${state}`, user, { dagId: run.dagId, runId: run.runId }, now);
  }

  /** Clears the given task instances: their try number goes up and the run is re-queued to run them again. */
  clear(dag: DagState, run: RunRec, tis: TiView[], user: string | null, now: number): void {
    const cleared = new Set(tis.map((t) => `${t.taskId}:${t.mapIndex}`));
    // Tasks left alone keep their finished state; unfinished ones simply follow the restarted timeline.
    freeze(dag, run, now, (ti) => cleared.has(`${ti.taskId}:${ti.mapIndex}`) || !isFinished(ti.state));
    for (const key of cleared) run.tiOverrides.delete(key);
    for (const ti of tis) if (ti.state === 'failed') run.failedBefore.add(ti.taskId);
    // A one-off failure goes away on retry; example_failing's bug does not.
    if (run.failTask !== null && !dag.def.failTask && tis.some((t) => t.taskId === run.failTask))
      run.failTask = null;
    for (const taskId of new Set(tis.map((t) => t.taskId)))
      run.tries.set(taskId, (run.tries.get(taskId) ?? 1) + 1);
    this.restart(run, now);
    this.audit('clear', user, { dagId: run.dagId, runId: run.runId }, now);
  }

  private restart(run: RunRec, now: number): void {
    run.stateOverride = null;
    run.startAt = null;
    run.queuedAt = now;
    run.durationMs = Math.max(1, Math.round(this.runDurationMs * (1 - QUEUE_SHARE)));
  }

  setTaskState(run: RunRec, ti: TiView, state: TiState, user: string | null, now: number): void {
    run.tiOverrides.set(`${ti.taskId}:${ti.mapIndex}`, { state, start: ti.start ?? now, end: now });
    this.audit(
      'set_task_instance_state',
      user,
      { dagId: run.dagId, runId: run.runId, taskId: ti.taskId },
      now,
    );
  }

  deleteRun(run: RunRec, user: string | null, now: number): void {
    const list = this.runsByDag.get(run.dagId)!;
    list.splice(list.indexOf(run), 1);
    this.allRuns.splice(this.allRuns.indexOf(run), 1);
    this.runIndex.delete(`${run.dagId}\u0000${run.runId}`);
    this.audit('delete_dag_run', user, { dagId: run.dagId, runId: run.runId }, now);
  }

  tis(dag: DagState, run: RunRec, now: number): TiView[] {
    return taskInstances(dag, run, now);
  }

  audit(
    event: string,
    owner: string | null,
    where: { dagId?: string | null; runId?: string; taskId?: string },
    when: number,
    extra: string | null = null,
  ): void {
    this.eventLogs.push({
      id: ++this.eventSeq,
      when,
      dagId: where.dagId ?? null,
      taskId: where.taskId ?? null,
      runId: where.runId ?? null,
      mapIndex: where.taskId ? -1 : null,
      tryNumber: null,
      event,
      logicalDate: null,
      owner,
      extra,
    });
    // Bounded like a retention policy: load tests trigger many runs.
    if (this.eventLogs.length > 100_000) this.eventLogs.splice(0, 10_000);
  }
}

function isFinished(s: TiState): boolean {
  return s === 'success' || s === 'failed' || s === 'skipped' || s === 'upstream_failed' || s === 'removed';
}
