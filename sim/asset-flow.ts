// Asset propagation for runs triggered through the API: a producer run that succeeds emits an asset event,
// which queues an asset-triggered run of each consumer DAG (evaluated lazily, on the next API request).
import type { DagState, RunRec } from './model.js';
import type { Store } from './store.js';
import { runState, taskInstances } from './timeline.js';

export function propagateAssets(store: Store, now: number): void {
  if (store.pendingOutlets.length === 0) return;
  const still: RunRec[] = [];
  for (const run of store.pendingOutlets) {
    const dag = store.dags.get(run.dagId);
    if (!dag || store.run(run.dagId, run.runId) !== run) continue;
    const state = runState(dag, run, now);
    if (state === 'queued' || state === 'running') still.push(run);
    else if (state === 'success') emit(store, dag, run, now);
  }
  store.pendingOutlets = still;
}

function emit(store: Store, dag: DagState, run: RunRec, now: number): void {
  for (const ti of taskInstances(dag, run, now)) {
    const uri = ti.task.outlet;
    const asset = uri ? store.assets.find((a) => a.uri === uri) : undefined;
    if (!asset || ti.state !== 'success' || ti.end === null) continue;
    const createdRuns: { dagId: string; runId: string }[] = [];
    for (const consumer of store.dags.values()) {
      if (consumer.def.consumes !== asset.uri) continue;
      const created = store.trigger(
        consumer,
        { runType: 'asset_triggered', runId: null, logicalDate: null, conf: {}, note: null, user: null },
        Math.max(ti.end, run.queuedAt),
      );
      if (created !== 'conflict') createdRuns.push({ dagId: consumer.def.dagId, runId: created.runId });
    }
    store.assetEvents.push({
      id: store.assetEvents.length + 1,
      assetId: asset.id,
      extra: { from_rest_api_run: true },
      sourceDagId: run.dagId,
      sourceTaskId: ti.taskId,
      sourceRunId: run.runId,
      sourceMapIndex: ti.mapIndex,
      timestamp: ti.end,
      createdRuns,
    });
  }
}
