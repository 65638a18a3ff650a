// Shared by the workflow tools: a run's task-instance states and the error tail of each failed task's log.
import type { AirflowAdapter } from '../airflow/adapter.js';
import type { TaskInstance } from '../airflow/types.js';
import { toErrorBody } from '../errors.js';
import { LEVEL_PATTERNS, readTaskLog } from './log-reader.js';

const TI_PAGE = 100;

/** Task instances of one run, up to `cap` (pages of 100). */
export async function runTaskInstances(
  airflow: AirflowAdapter,
  dagId: string,
  runId: string,
  cap = 500,
): Promise<{ items: TaskInstance[]; total: number }> {
  const items: TaskInstance[] = [];
  let total = 0;
  for (let offset = 0; offset < cap; offset += TI_PAGE) {
    const page = await airflow.listTaskInstances(dagId, runId, { limit: TI_PAGE, offset });
    items.push(...page.items);
    total = page.total_entries;
    if (page.next_offset === null) break;
  }
  return { items, total };
}

export function stateCounts(tis: readonly TaskInstance[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const t of tis) {
    const s = t.state ?? 'none';
    counts[s] = (counts[s] ?? 0) + 1;
  }
  return counts;
}

const DONE = new Set(['success', 'failed', 'skipped', 'upstream_failed', 'removed']);

export function doneCount(tis: readonly TaskInstance[]): number {
  return tis.filter((t) => t.state !== null && DONE.has(t.state)).length;
}

export interface FailedTaskReport {
  task_id: string;
  map_index?: number;
  try_number: number;
  state: string | null;
  error_lines?: string[];
  log_unavailable?: unknown;
}

/** The failed (or retrying) tasks with the error-filtered tail of their latest try's log, read concurrently. */
export async function failedTaskReports(
  airflow: AirflowAdapter,
  tis: readonly TaskInstance[],
  o: { maxTasks: number; tailLines: number; signal: AbortSignal; requestId: string },
): Promise<FailedTaskReport[]> {
  // up_for_retry failed too: its log says why, even though Airflow will try again.
  const failed = tis.filter((t) => t.state === 'failed' || t.state === 'up_for_retry').slice(0, o.maxTasks);
  const logs = await Promise.allSettled(
    failed.map((t) =>
      readTaskLog(airflow, {
        dagId: t.dag_id,
        runId: t.run_id,
        taskId: t.task_id,
        tryNumber: Math.max(1, t.try_number),
        mapIndex: t.map_index >= 0 ? t.map_index : undefined,
        tailLines: o.tailLines,
        maxBytes: 8 * 1024,
        match: LEVEL_PATTERNS.error,
        contextLines: 1,
        fetchBudgetBytes: 4 * 1024 * 1024,
        signal: o.signal,
      }),
    ),
  );
  return failed.map((t, i) => {
    const log = logs[i]!;
    return {
      task_id: t.task_id,
      ...(t.map_index >= 0 ? { map_index: t.map_index } : {}),
      try_number: t.try_number,
      state: t.state,
      ...(log.status === 'fulfilled'
        ? { error_lines: log.value.lines }
        : { log_unavailable: toErrorBody(log.reason, o.requestId) }),
    };
  });
}
