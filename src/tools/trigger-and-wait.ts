// trigger_dag_and_wait: trigger a run, poll with backoff and report progress until it ends, times out or is cancelled.
import { z } from 'zod';
import type { DagRun, TaskInstance } from '../airflow/types.js';
import { write } from './annotations.js';
import { defineTool } from './define-tool.js';
import { doneCount, failedTaskReports, runTaskInstances, stateCounts } from './run-diagnosis.js';
import { runBrief, startRun, triggerInput } from './runs.js';
import { compact } from './schemas.js';

const TERMINAL = new Set(['success', 'failed']);
const FIRST_POLL_MS = 250;
const MAX_POLL_MS = 10_000;

export const triggerAndWaitTool = defineTool({
  name: 'trigger_dag_and_wait',
  toolset: 'runs',
  title: 'Trigger DAG and wait',
  description:
    'Trigger a DAG run and wait for it to finish; returns the final state and any failed tasks’ error lines.',
  inputSchema: triggerInput.extend({
    timeout_seconds: z.number().int().min(1).max(3600).default(300).describe('Then return the state so far'),
  }),
  annotations: write({ destructive: false, idempotent: false, openWorld: true }),
  async handler({ timeout_seconds, ...args }, ctx) {
    const airflow = await ctx.airflow();
    const started = ctx.now();
    const { run: triggered, unpaused, warning } = await startRun(airflow, args);
    const { dag_id, run_id } = triggered;
    let run: DagRun = triggered;
    let tis: TaskInstance[] = [];
    let polls = 0;
    // Progress only ever increases (the spec requires it): tasks done, starting from 0 at the trigger.
    let lastProgress = 0;
    let delay = FIRST_POLL_MS;
    let outcome: 'finished' | 'timed_out' | 'cancelled' = 'finished';

    const report = async () => {
      const done = doneCount(tis);
      if (done <= lastProgress) return;
      lastProgress = done;
      await ctx.progress(
        done,
        tis.length || undefined,
        `run ${run.state ?? 'unknown'}: ${done}/${tis.length} tasks done`,
      );
    };
    await ctx.progress(0, undefined, `triggered ${run_id}`);

    while (!TERMINAL.has(run.state ?? '')) {
      const waited = ctx.now() - started;
      if (ctx.signal.aborted) {
        outcome = 'cancelled';
        break;
      }
      if (waited >= timeout_seconds * 1000) {
        outcome = 'timed_out';
        break;
      }
      await ctx.sleep(Math.min(delay, timeout_seconds * 1000 - waited));
      delay = Math.min(MAX_POLL_MS, Math.round(delay * 1.5));
      if (ctx.signal.aborted) continue;
      try {
        [run, tis] = await Promise.all([
          airflow.getDagRun(dag_id, run_id),
          runTaskInstances(airflow, dag_id, run_id).then((r) => r.items),
        ]);
        polls++;
      } catch (error) {
        // A cancelled request aborts the call in flight: that is a cancellation, not a failure.
        if (ctx.signal.aborted) continue;
        throw error;
      }
      await report();
    }

    const failed =
      run.state === 'failed' && !ctx.signal.aborted
        ? await failedTaskReports(airflow, tis, {
            maxTasks: 5,
            tailLines: 20,
            signal: ctx.signal,
            requestId: ctx.requestId,
          })
        : [];
    return compact({
      ...runBrief(run),
      waited_seconds: Math.round((ctx.now() - started) / 100) / 10,
      polls,
      task_states: tis.length ? stateCounts(tis) : undefined,
      failed_tasks: failed,
      unpaused: unpaused || undefined,
      warning,
      timed_out: outcome === 'timed_out' || undefined,
      cancelled: outcome === 'cancelled' || undefined,
      hint:
        outcome === 'finished'
          ? run.state === 'failed'
            ? 'diagnose_dag_run gives the full picture; clear_task_instances re-runs the failed tasks.'
            : undefined
          : 'The run goes on in Airflow: check it later with get_dag_run or diagnose_dag_run.',
    });
  },
});
