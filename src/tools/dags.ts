// DAG tools: list, details, source, pause/unpause and run statistics.
import { z } from 'zod';
import type { DagSummary } from '../airflow/types.js';
import { listOutput, READ, write } from './annotations.js';
import { defineTool } from './define-tool.js';
import { clip, compact, dagId, paging } from './schemas.js';

const dagItem = z.looseObject({
  dag_id: z.string(),
  paused: z.boolean(),
  tags: z.array(z.string()).optional(),
});

export function dagBrief(d: DagSummary) {
  return compact({
    dag_id: d.dag_id,
    paused: d.is_paused,
    schedule: d.schedule,
    tags: d.tags,
    owners: d.owners,
    next_run: d.next_run,
    description: clip(d.description, 160),
    inactive: d.is_active ? undefined : true,
    import_errors: d.has_import_errors ? true : undefined,
  });
}

export const dagTools = [
  defineTool({
    name: 'list_dags',
    toolset: 'dags',
    title: 'List DAGs',
    description:
      'List DAGs with their schedule, paused state, tags and next run. Filter by id pattern, tags or paused; page with limit/offset.',
    inputSchema: z.object({
      ...paging(),
      dag_id_pattern: z
        .string()
        .max(200)
        .optional()
        .describe('Substring of the DAG id (SQL LIKE, % wildcards)'),
      tags: z.array(z.string().max(100)).max(20).optional().describe('Only DAGs with any of these tags'),
      paused: z.boolean().optional().describe('Only paused (true) or active (false) DAGs'),
      include_inactive: z.boolean().default(false).describe('Include DAGs whose file is gone'),
    }),
    outputSchema: listOutput(dagItem),
    annotations: READ,
    async handler(args, ctx) {
      const airflow = await ctx.airflow();
      const page = await airflow.listDags(args);
      return { ...page, items: page.items.map(dagBrief) };
    },
  }),
  defineTool({
    name: 'get_dag_details',
    toolset: 'dags',
    title: 'Get DAG details',
    description:
      'Get one DAG’s full configuration: schedule, start date, catchup, concurrency limits, owners, tags, params, docs.',
    inputSchema: z.object({ dag_id: dagId }),
    annotations: READ,
    async handler({ dag_id }, ctx) {
      const airflow = await ctx.airflow();
      const d = await airflow.getDagDetails(dag_id);
      const {
        fileloc,
        start_date,
        catchup,
        max_active_runs,
        max_active_tasks,
        timezone,
        last_parsed_time,
        params,
      } = d;
      return compact({
        ...dagBrief(d),
        description: d.description,
        fileloc,
        start_date,
        catchup,
        max_active_runs,
        max_active_tasks,
        timezone,
        last_parsed_time,
        params: params && Object.keys(params).length ? params : null,
        doc_md: clip(d.doc_md, 2000),
      });
    },
  }),
  defineTool({
    name: 'get_dag_source',
    toolset: 'dags',
    title: 'Get DAG source',
    description: 'Get the Python source code of a DAG file, to review or debug how the DAG is defined.',
    inputSchema: z.object({ dag_id: dagId }),
    annotations: READ,
    async handler({ dag_id }, ctx) {
      const airflow = await ctx.airflow();
      const source = await airflow.getDagSource(dag_id, ctx.maxOutputBytes);
      return source;
    },
  }),
  defineTool({
    name: 'pause_dag',
    toolset: 'dags',
    title: 'Pause DAG',
    description:
      'Pause a DAG so the scheduler creates no new runs; running tasks finish. Undo with unpause_dag.',
    inputSchema: z.object({ dag_id: dagId }),
    annotations: write({ destructive: false, idempotent: true, openWorld: false }),
    async handler({ dag_id }, ctx) {
      const airflow = await ctx.airflow();
      return dagBrief(await airflow.setDagPaused(dag_id, true));
    },
  }),
  defineTool({
    name: 'unpause_dag',
    toolset: 'dags',
    title: 'Unpause DAG',
    description:
      'Unpause a DAG so the scheduler starts its scheduled (and queued) runs again. Runs may start at once.',
    inputSchema: z.object({ dag_id: dagId }),
    annotations: write({ destructive: false, idempotent: true, openWorld: true }),
    async handler({ dag_id }, ctx) {
      const airflow = await ctx.airflow();
      return dagBrief(await airflow.setDagPaused(dag_id, false));
    },
  }),
  defineTool({
    name: 'get_dag_stats',
    toolset: 'dags',
    title: 'Get DAG run statistics',
    description:
      'Count DAG runs per state (queued, running, success, failed) for the given DAGs, or page over all DAGs.',
    inputSchema: z.object({
      dag_ids: z.array(dagId).min(1).max(50).optional().describe('DAG ids (default: all DAGs, paged)'),
      ...paging(50),
    }),
    outputSchema: listOutput(z.looseObject({ dag_id: z.string(), runs: z.record(z.string(), z.number()) })),
    annotations: READ,
    async handler({ dag_ids, limit, offset }, ctx) {
      const airflow = await ctx.airflow();
      return airflow.getDagStats(dag_ids, { limit, offset });
    },
  }),
];
