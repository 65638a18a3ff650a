// Task instance tools: one task instance and its logs.
import { z } from 'zod';
import type { TaskInstance } from '../airflow/types.js';
import { defineTool } from './define-tool.js';
import { compilePattern, LEVEL_PATTERNS, readTaskLog } from './log-reader.js';
import { compact, dagId, mapIndex, runId, taskId } from './schemas.js';

const READ = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
} as const;

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
    name: 'get_task_instance',
    title: 'Get task instance',
    description: 'Get one task instance of a DAG run: state, try number, timing, operator, pool and host.',
    inputSchema: z.object({ dag_id: dagId, run_id: runId, task_id: taskId, map_index: mapIndex.optional() }),
    annotations: READ,
    async handler({ dag_id, run_id, task_id, map_index }, ctx) {
      const airflow = await ctx.airflow();
      const t = await airflow.getTaskInstance(dag_id, run_id, task_id, map_index);
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
    title: 'Get task logs',
    description:
      'Get the log of a task try, tail-first and bounded: latest try by default, tail_lines/max_bytes limits, an error-level or pattern filter with context lines, and a continuation token for the rest.',
    inputSchema: z.object({
      dag_id: dagId,
      run_id: runId,
      task_id: taskId,
      try_number: z.number().int().min(1).max(1000).optional().describe('Try to read (default: the latest)'),
      map_index: mapIndex.optional(),
      tail_lines: z.number().int().min(1).max(5000).default(200).describe('Return at most the last N lines'),
      max_bytes: z
        .number()
        .int()
        .min(256)
        .max(1_048_576)
        .default(32_768)
        .describe('Return at most this many bytes'),
      level: z
        .enum(['error', 'warning'])
        .optional()
        .describe('Only lines at this level or worse (plus context)'),
      pattern: z
        .string()
        .min(1)
        .max(200)
        .optional()
        .describe('Only lines matching this case-insensitive regex'),
      context_lines: z
        .number()
        .int()
        .min(0)
        .max(20)
        .default(2)
        .describe('Lines of context around filter matches'),
      continuation_token: z.string().max(4096).optional().describe('Continue from a previous call’s token'),
    }),
    annotations: READ,
    async handler(args, ctx) {
      const airflow = await ctx.airflow();
      let tryNumber = args.try_number;
      if (tryNumber === undefined) {
        const ti = await airflow.getTaskInstance(args.dag_id, args.run_id, args.task_id, args.map_index);
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
        tailLines: args.tail_lines,
        maxBytes: Math.min(args.max_bytes, ctx.maxOutputBytes - 1024),
        match,
        contextLines: match ? args.context_lines : 0,
        fetchBudgetBytes: 32 * 1024 * 1024,
        signal: ctx.signal,
      });
      return {
        dag_id: args.dag_id,
        run_id: args.run_id,
        task_id: args.task_id,
        try_number: tryNumber,
        ...log,
      };
    },
  }),
];
