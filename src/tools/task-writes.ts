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
    description: 'Re-run task instances by clearing them; a dry run of failed tasks unless dry_run=false.',
    inputSchema: z.object({
      dag_id: dagId,
      run_id: runId.optional().describe('Default: runs in the date range, or all'),
      task_ids: z.array(taskId).min(1).max(100).optional(),
      dry_run: z.boolean().default(true),
      only_failed: z.boolean().default(true).describe('Only failed and upstream_failed'),
      only_running: z.boolean().optional(),
      include_downstream: z.boolean().optional(),
      include_upstream: z.boolean().optional(),
      reset_dag_runs: z.boolean().optional(),
      start_date: isoDate.optional().describe('Logical date from'),
      end_date: isoDate.optional().describe('Logical date up to'),
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
      'Mark a task instance success, failed or skipped without running it; downstream tasks react.',
    inputSchema: z.object({
      dag_id: dagId,
      run_id: runId,
      task_id: taskId,
      state: z.enum(['success', 'failed', 'skipped']),
      map_index: mapIndex.optional().describe('Default: all mapped instances'),
    }),
    annotations: write({ destructive: true, idempotent: true, openWorld: false }),
    async handler({ dag_id, run_id, task_id, state, map_index }, ctx) {
      const airflow = await ctx.airflow();
      const updated = await airflow.setTaskInstanceState(dag_id, run_id, task_id, state, map_index);
      return { dag_id, run_id, state, updated: updated.map(refBrief) };
    },
  }),
];
