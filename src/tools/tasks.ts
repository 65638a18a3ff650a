// Task tools: task definitions, task instances (one or many) and their logs.
import { z } from 'zod';
import type { TaskDefinition, TaskInstance } from '../airflow/types.js';
import { AppError } from '../errors.js';
import { listOutput, READ } from './annotations.js';
import { defineTool } from './define-tool.js';
import { compilePattern, LEVEL_PATTERNS, readTaskLog } from './log-reader.js';
import { clip, compact, dagId, hintNotFound, isoDate, mapIndex, paging, runId, taskId } from './schemas.js';

export const TI_STATES = [
  'none',
  'scheduled',
  'queued',
  'running',
  'success',
  'restarting',
  'failed',
  'up_for_retry',
  'up_for_reschedule',
  'upstream_failed',
  'skipped',
  'deferred',
  'removed',
] as const;

/** Airflow's 404 for a mapped task asked without map_index names the URL; say which argument is missing. */
function hintMapped(taskId: string) {
  return (error: unknown): never => {
    if (error instanceof AppError && error.code === 'not_found' && /is mapped/i.test(error.message)) {
      throw new AppError('not_found', error.message, {
        hint: `Task '${taskId}' is mapped: pass map_index (list_task_instances with task_id='${taskId}' lists them).`,
        ...(error.status !== undefined ? { status: error.status } : {}),
      });
    }
    throw error;
  };
}

export function taskDefBrief(t: TaskDefinition) {
  return compact({
    task_id: t.task_id,
    operator: t.operator,
    downstream: t.downstream_task_ids,
    trigger_rule: t.trigger_rule === 'all_success' ? undefined : t.trigger_rule,
    retries: t.retries || undefined,
    pool: t.pool === 'default_pool' ? undefined : t.pool,
    mapped: t.is_mapped || undefined,
  });
}

export function taskInstanceBrief(t: TaskInstance) {
  return compact({
    task_id: t.task_id,
    map_index: t.map_index >= 0 ? t.map_index : undefined,
    state: t.state,
    try_number: t.try_number,
    start_date: t.start_date,
    end_date: t.end_date,
    duration: t.duration === null ? null : Math.round(t.duration * 1000) / 1000,
    operator: t.operator,
  });
}

export const taskTools = [
  defineTool({
    name: 'list_tasks',
    toolset: 'dags',
    title: 'List tasks',
    description: 'List a DAG’s tasks with operator, downstream tasks, trigger rule, retries and mapping.',
    inputSchema: z.object({ dag_id: dagId }),
    annotations: READ,
    async handler({ dag_id }, ctx) {
      const airflow = await ctx.airflow();
      const tasks = await airflow.listTasks(dag_id);
      return { dag_id, total_entries: tasks.length, items: tasks.map(taskDefBrief) };
    },
  }),
  defineTool({
    name: 'get_task',
    toolset: 'dags',
    title: 'Get task',
    description: 'Get one task’s definition: operator, owner, pool, queue, retries, trigger rule, docs.',
    inputSchema: z.object({ dag_id: dagId, task_id: taskId }),
    annotations: READ,
    async handler({ dag_id, task_id }, ctx) {
      const airflow = await ctx.airflow();
      const t = await airflow.getTask(dag_id, task_id).catch(hintNotFound('list_tasks'));
      return compact({
        dag_id,
        ...taskDefBrief(t),
        trigger_rule: t.trigger_rule,
        retries: t.retries,
        pool: t.pool,
        queue: t.queue,
        owner: t.owner,
        doc_md: clip(t.doc_md, 2000),
      });
    },
  }),
  defineTool({
    name: 'list_task_instances',
    toolset: 'tasks',
    title: 'List task instances',
    description:
      'List task instances of a DAG run, or across runs (run_id "~" or omitted) and DAGs (no dag_id).',
    inputSchema: z.object({
      dag_id: dagId.optional().describe('Omit for all DAGs'),
      run_id: runId.optional().describe('Needs dag_id; omit or "~" for all runs'),
      ...paging(50),
      state: z.array(z.enum(TI_STATES)).max(13).optional().describe('none = no state yet'),
      task_id: taskId.optional(),
      pool: z.array(z.string().max(256)).max(10).optional(),
      start_date_gte: isoDate.optional(),
      start_date_lte: isoDate.optional(),
      end_date_gte: isoDate.optional(),
      end_date_lte: isoDate.optional(),
    }),
    outputSchema: listOutput(),
    annotations: READ,
    async handler({ dag_id, run_id: given, ...q }, ctx) {
      // "~" is Airflow's own "any run": the same as omitting run_id, so rows must say which run they are.
      const run_id = given === '~' ? undefined : given;
      if (run_id && !dag_id) {
        throw new AppError('invalid_argument', 'run_id needs dag_id: run ids are unique only within a DAG.', {
          hint: 'Pass the dag_id of the run too, or omit run_id to list across runs.',
        });
      }
      const airflow = await ctx.airflow();
      const page = await airflow.listTaskInstances(dag_id, run_id, q);
      const across = run_id === undefined;
      return {
        ...page,
        items: page.items.map((t) =>
          across ? { dag_id: t.dag_id, run_id: t.run_id, ...taskInstanceBrief(t) } : taskInstanceBrief(t),
        ),
      };
    },
  }),
  defineTool({
    name: 'get_task_instance',
    toolset: 'tasks',
    title: 'Get task instance',
    description: 'Get one task instance: state, try number, timing, operator, pool and host.',
    inputSchema: z.object({ dag_id: dagId, run_id: runId, task_id: taskId, map_index: mapIndex.optional() }),
    annotations: READ,
    async handler({ dag_id, run_id, task_id, map_index }, ctx) {
      const airflow = await ctx.airflow();
      const t = await airflow.getTaskInstance(dag_id, run_id, task_id, map_index).catch(hintMapped(task_id));
      return compact({
        dag_id: t.dag_id,
        run_id: t.run_id,
        ...taskInstanceBrief(t),
        pool: t.pool,
        queue: t.queue,
        hostname: t.hostname,
      });
    },
  }),
  defineTool({
    name: 'get_task_logs',
    toolset: 'logs',
    title: 'Get task logs',
    description:
      'Get a task try’s log, tail-first and bounded, optionally filtered by level or pattern; says how to read the rest.',
    inputSchema: z.object({
      dag_id: dagId,
      run_id: runId,
      task_id: taskId,
      try_number: z.number().int().min(1).max(1000).optional().describe('Default: the latest'),
      map_index: mapIndex.optional(),
      tail_lines: z.number().int().min(1).max(5000).default(200),
      max_bytes: z.number().int().min(256).max(1_048_576).default(32_768),
      level: z.enum(['error', 'warning']).optional().describe('This level or worse'),
      pattern: z.string().min(1).max(200).optional().describe('Case-insensitive regex'),
      context_lines: z.number().int().min(0).max(20).default(2),
      end_line: z
        .number()
        .int()
        .min(1)
        .max(100_000_000)
        .optional()
        .describe('Read up to this line: earlier_end_line'),
      continuation_token: z.string().max(4096).optional().describe('From the previous answer'),
    }),
    annotations: READ,
    async handler(args, ctx) {
      const airflow = await ctx.airflow();
      let tryNumber = args.try_number;
      if (tryNumber === undefined) {
        const ti = await airflow
          .getTaskInstance(args.dag_id, args.run_id, args.task_id, args.map_index)
          .catch(hintMapped(args.task_id));
        tryNumber = Math.max(1, ti.try_number);
      }
      const match = args.pattern
        ? compilePattern(args.pattern)
        : args.level
          ? LEVEL_PATTERNS[args.level]
          : undefined;
      const log = await readTaskLog(airflow, {
        dagId: args.dag_id,
        runId: args.run_id,
        taskId: args.task_id,
        tryNumber,
        mapIndex: args.map_index,
        token: args.continuation_token,
        endLine: args.end_line,
        tailLines: args.tail_lines,
        maxBytes: Math.min(args.max_bytes, ctx.maxOutputBytes - 1024),
        match,
        contextLines: match ? args.context_lines : 0,
        fetchBudgetBytes: 32 * 1024 * 1024,
        signal: ctx.signal,
      });
      const rest = [
        log.earlier_end_line !== undefined
          ? `Earlier lines were left out: call again with end_line=${log.earlier_end_line} (same other arguments) to read them.`
          : undefined,
        log.continuation_token
          ? 'The log goes on: call again with continuation_token to read the later lines.'
          : undefined,
      ].filter(Boolean);
      return {
        dag_id: args.dag_id,
        run_id: args.run_id,
        task_id: args.task_id,
        try_number: tryNumber,
        ...log,
        ...(rest.length ? { hint: rest.join(' ') } : {}),
      };
    },
  }),
];
