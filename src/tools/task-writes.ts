// Task-instance write tools: clear (re-run) task instances and set a task instance's state.
import { z } from 'zod';
import type { TaskInstanceRef } from '../airflow/types.js';
import { write } from './annotations.js';
import { defineTool } from './define-tool.js';
import { compact, dagId, isoDate, mapIndex, runId, taskId } from './schemas.js';

function refBrief(t: TaskInstanceRef) {
  return compact({
    run_id: t.run_id,
    task_id: t.task_id,
    map_index: t.map_index >= 0 ? t.map_index : undefined,
    state: t.state,
  });
}

const MAX_LISTED = 200;

export const taskWriteTools = [
  defineTool({
    name: 'clear_task_instances',
    toolset: 'tasks',
    title: 'Clear task instances',
    description:
      'Re-run task instances of a DAG by clearing them. Defaults to a dry run of failed tasks only; set dry_run=false to clear.',
    inputSchema: z.object({
      dag_id: dagId,
      run_id: runId.optional().describe('Only this run (default: runs in the date range, or all)'),
      task_ids: z.array(taskId).min(1).max(100).optional().describe('Only these tasks (default: all)'),
      dry_run: z.boolean().default(true).describe('Only list what would be cleared'),
      only_failed: z.boolean().default(true).describe('Only failed and upstream_failed task instances'),
      only_running: z.boolean().optional().describe('Only running task instances'),
      include_downstream: z.boolean().optional().describe('Also clear tasks downstream of task_ids'),
      include_upstream: z.boolean().optional().describe('Also clear tasks upstream of task_ids'),
      reset_dag_runs: z.boolean().optional().describe('Set the affected runs back to queued'),
      start_date: isoDate.optional().describe('Runs with a logical date from this date'),
      end_date: isoDate.optional().describe('Runs with a logical date up to this date'),
    }),
    annotations: write({ destructive: true, idempotent: false, openWorld: true }),
    async handler({ dag_id, ...input }, ctx) {
      const airflow = await ctx.airflow();
      const result = await airflow.clearTaskInstances(dag_id, input);
      const listed = result.task_instances.slice(0, MAX_LISTED).map(refBrief);
      const count = result.task_instances.length;
      return {
        dag_id,
        dry_run: result.dry_run,
        [result.dry_run ? 'would_clear_count' : 'cleared_count']: count,
        [result.dry_run ? 'would_clear' : 'cleared']: listed,
        ...(count > MAX_LISTED ? { listed: MAX_LISTED } : {}),
        ...(result.dry_run && count > 0
          ? { hint: 'Call again with dry_run=false to clear these task instances.' }
          : {}),
      };
    },
  }),
  defineTool({
    name: 'set_task_instance_state',
    toolset: 'tasks',
    title: 'Set task instance state',
    description:
      'Mark a task instance as success, failed or skipped without running it, e.g. to skip a broken step; downstream tasks react.',
    inputSchema: z.object({
      dag_id: dagId,
      run_id: runId,
      task_id: taskId,
      state: z.enum(['success', 'failed', 'skipped']).describe('New state'),
      map_index: mapIndex.optional().describe('Map index of one mapped instance (default: all of the task)'),
    }),
    annotations: write({ destructive: true, idempotent: true, openWorld: false }),
    async handler({ dag_id, run_id, task_id, state, map_index }, ctx) {
      const airflow = await ctx.airflow();
      const updated = await airflow.setTaskInstanceState(dag_id, run_id, task_id, state, map_index);
      return { dag_id, run_id, state, updated: updated.map(refBrief) };
    },
  }),
];
