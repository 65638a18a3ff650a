// DAG run tools: list, get, trigger, delete, clear and mark runs.
import { z } from 'zod';
import type { AirflowAdapter } from '../airflow/adapter.js';
import type { DagRun } from '../airflow/types.js';
import { AppError } from '../errors.js';
import { listOutput, READ, write } from './annotations.js';
import { defineTool } from './define-tool.js';
import { compact, dagId, isoDate, paging, runId } from './schemas.js';

export const RUN_STATES = ['queued', 'running', 'success', 'failed'] as const;
export const RUN_TYPES = ['manual', 'scheduled', 'backfill', 'asset_triggered', 'dataset_triggered'] as const;

export function runBrief(r: DagRun) {
  return compact({
    dag_id: r.dag_id,
    run_id: r.run_id,
    state: r.state,
    run_type: r.run_type,
    logical_date: r.logical_date,
    run_after: r.run_after,
    start_date: r.start_date,
    end_date: r.end_date,
    note: r.note,
  });
}

export const triggerInput = z.object({
  dag_id: dagId,
  conf: z.record(z.string(), z.unknown()).optional().describe('Run conf'),
  run_id: z
    .string()
    .min(1)
    .max(250)
    .regex(/^[A-Za-z0-9_.:+-]+$/, 'must contain only letters, digits and _ . : + -')
    .optional()
    .describe('Default: generated'),
  logical_date: isoDate.optional().describe('Default: none (now)'),
  note: z.string().max(1000).optional(),
  unpause_if_paused: z.boolean().default(false),
});

/** Triggers a run; a paused DAG is unpaused only when asked, and otherwise the answer warns. */
export async function startRun(
  airflow: AirflowAdapter,
  { dag_id, unpause_if_paused, ...input }: z.output<typeof triggerInput>,
): Promise<{ run: DagRun; unpaused: boolean; warning: string | undefined }> {
  const dag = await airflow.getDagDetails(dag_id);
  let unpaused = false;
  if (dag.is_paused && unpause_if_paused) {
    await airflow.setDagPaused(dag_id, false);
    unpaused = true;
  }
  const run = await airflow.triggerDagRun(dag_id, input).catch((error: unknown) => {
    // Airflow 3's 409 carries a database error object (statement hidden, a log id): say what clashed.
    if (error instanceof AppError && error.code === 'conflict') {
      const clash = input.run_id
        ? `run_id '${input.run_id}'`
        : input.logical_date
          ? `logical_date ${input.logical_date}`
          : 'the same identity';
      throw new AppError('conflict', `DAG '${dag_id}' already has a run with ${clash}.`, {
        hint: 'Use another run_id or logical_date (or omit them); list_dag_runs shows the existing runs.',
        ...(error.status !== undefined ? { status: error.status } : {}),
      });
    }
    throw error;
  });
  const warning =
    dag.is_paused && !unpaused
      ? 'The DAG is paused: this run stays queued until the DAG is unpaused (unpause_dag, or trigger with unpause_if_paused=true).'
      : undefined;
  return { run, unpaused, warning };
}

export const runTools = [
  defineTool({
    name: 'list_dag_runs',
    toolset: 'runs',
    title: 'List DAG runs',
    description: 'List DAG runs, newest first, of one DAG or all, filtered by state, type and dates.',
    inputSchema: z.object({
      dag_id: dagId.optional().describe('Omit for all DAGs'),
      ...paging(),
      state: z.array(z.enum(RUN_STATES)).max(4).optional(),
      run_type: z.array(z.enum(RUN_TYPES)).max(5).optional(),
      start_date_gte: isoDate.optional(),
      start_date_lte: isoDate.optional(),
      end_date_gte: isoDate.optional(),
      end_date_lte: isoDate.optional(),
    }),
    outputSchema: listOutput(),
    annotations: READ,
    async handler({ dag_id, ...query }, ctx) {
      const airflow = await ctx.airflow();
      const page = await airflow.listDagRuns(dag_id, query);
      return { ...page, items: page.items.map(runBrief) };
    },
  }),
  defineTool({
    name: 'get_dag_run',
    toolset: 'runs',
    title: 'Get DAG run',
    description: 'Get one DAG run: state, type, dates, conf and note.',
    inputSchema: z.object({ dag_id: dagId, run_id: runId }),
    annotations: READ,
    async handler({ dag_id, run_id }, ctx) {
      const airflow = await ctx.airflow();
      const run = await airflow.getDagRun(dag_id, run_id);
      return compact({ ...runBrief(run), queued_at: run.queued_at, conf: run.conf });
    },
  }),
  defineTool({
    name: 'trigger_dag',
    toolset: 'runs',
    title: 'Trigger DAG',
    description:
      'Trigger a new DAG run, optionally with conf and a run id. A paused DAG stays paused unless unpause_if_paused.',
    inputSchema: triggerInput,
    annotations: write({ destructive: false, idempotent: false, openWorld: true }),
    async handler(args, ctx) {
      const { run, unpaused, warning } = await startRun(await ctx.airflow(), args);
      return compact({ ...runBrief(run), unpaused: unpaused || undefined, warning });
    },
  }),
  defineTool({
    name: 'delete_dag_run',
    toolset: 'runs',
    title: 'Delete DAG run',
    description: 'Delete a DAG run with its task instances, XComs and logs. Cannot be undone.',
    inputSchema: z.object({ dag_id: dagId, run_id: runId }),
    annotations: write({ destructive: true, idempotent: true, openWorld: false }),
    async handler({ dag_id, run_id }, ctx) {
      const airflow = await ctx.airflow();
      await airflow.deleteDagRun(dag_id, run_id);
      return { dag_id, run_id, deleted: true };
    },
  }),
  defineTool({
    name: 'clear_dag_run',
    toolset: 'runs',
    title: 'Clear DAG run',
    description: 'Re-run a DAG run by clearing its task instances; a dry run unless dry_run=false.',
    inputSchema: z.object({
      dag_id: dagId,
      run_id: runId,
      dry_run: z.boolean().default(true),
      only_failed: z.boolean().default(false).describe('Only failed and upstream_failed'),
    }),
    annotations: write({ destructive: true, idempotent: false, openWorld: true }),
    async handler({ dag_id, run_id, dry_run, only_failed }, ctx) {
      const airflow = await ctx.airflow();
      // The real clear answers with the run, not the tasks: a dry run first says what it will touch.
      const planned = await airflow.clearDagRun(dag_id, run_id, { dry_run: true, only_failed });
      const tasks = planned.task_instances.map((t) =>
        compact({
          task_id: t.task_id,
          map_index: t.map_index >= 0 ? t.map_index : undefined,
          state: t.state,
        }),
      );
      if (dry_run) {
        return {
          dag_id,
          run_id,
          dry_run: true,
          would_clear: tasks,
          hint: tasks.length ? 'Call again with dry_run=false to clear these task instances.' : undefined,
        };
      }
      await airflow.clearDagRun(dag_id, run_id, { dry_run: false, only_failed });
      const run = await airflow.getDagRun(dag_id, run_id);
      return { dry_run: false, cleared: tasks, run: runBrief(run) };
    },
  }),
  defineTool({
    name: 'set_dag_run_state',
    toolset: 'runs',
    title: 'Set DAG run state',
    description:
      'Mark a DAG run success, failed or queued, e.g. to unblock downstream runs; tasks are not re-run.',
    inputSchema: z.object({
      dag_id: dagId,
      run_id: runId,
      state: z.enum(['success', 'failed', 'queued']),
    }),
    annotations: write({ destructive: true, idempotent: true, openWorld: false }),
    async handler({ dag_id, run_id, state }, ctx) {
      const airflow = await ctx.airflow();
      return runBrief(await airflow.setDagRunState(dag_id, run_id, state));
    },
  }),
];
