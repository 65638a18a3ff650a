// DAG tools: list, details, source, pause/unpause and run statistics.
import { z } from 'zod';
import type { DagSummary } from '../airflow/types.js';
import { listOutput, READ, write } from './annotations.js';
import { defineTool } from './define-tool.js';
import { clip, compact, dagId, paging } from './schemas.js';

/** Largest DAG file read for paging; a bigger file is read up to here and says so. */
const SOURCE_FETCH_BYTES = 4 * 1024 * 1024;

/** Lines start_line..end_line of a source, as many as fit in `budget` bytes, saying where the rest starts. */
export function sourcePage(
  source: { dag_id: string; content: string; truncated: boolean },
  start: number,
  end: number | undefined,
  budget: number,
) {
  const lines = source.content.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const total = lines.length;
  const last = Math.min(end ?? total, total);
  const taken: string[] = [];
  let bytes = 0;
  for (let n = start; n <= last; n++) {
    // As it will be sent: JSON-escaped, with its newline as \n.
    const size = Buffer.byteLength(JSON.stringify(lines[n - 1]!), 'utf8');
    if (bytes + size > budget && taken.length > 0) break;
    bytes += size;
    taken.push(lines[n - 1]!);
  }
  const endLine = start + taken.length - 1;
  const more = endLine < total;
  return compact({
    dag_id: source.dag_id,
    start_line: start,
    end_line: taken.length ? endLine : undefined,
    total_lines: source.truncated ? undefined : total,
    content: taken.join('\n'),
    next_start_line: more ? endLine + 1 : undefined,
    hint: more
      ? `Call again with start_line=${endLine + 1} for the next lines.`
      : source.truncated
        ? `The file is larger than ${SOURCE_FETCH_BYTES} bytes; only its start can be read here.`
        : start > total
          ? `The file has ${total} lines.`
          : undefined,
  });
}

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
    description: 'List DAGs with schedule, paused state, tags and next run.',
    inputSchema: z.object({
      ...paging(),
      dag_id_pattern: z.string().max(200).optional().describe('SQL LIKE pattern'),
      tags: z.array(z.string().max(100)).max(20).optional().describe('Any of these'),
      paused: z.boolean().optional(),
      include_inactive: z.boolean().default(false),
    }),
    outputSchema: listOutput(),
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
      'Get one DAG’s configuration: schedule, start date, catchup, concurrency, owners, tags, params, docs.',
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
    description: 'Get the Python source of a DAG file, a range of lines at a time.',
    inputSchema: z.object({
      dag_id: dagId,
      start_line: z.number().int().min(1).max(10_000_000).default(1),
      end_line: z.number().int().min(1).max(10_000_000).optional().describe('Default: as many as fit'),
    }),
    annotations: READ,
    async handler({ dag_id, start_line, end_line }, ctx) {
      const airflow = await ctx.airflow();
      const source = await airflow.getDagSource(dag_id, SOURCE_FETCH_BYTES);
      // What the other fields and the hint need, left out of the lines' share of the output limit.
      return sourcePage(source, start_line, end_line, Math.max(256, ctx.maxOutputBytes - 768));
    },
  }),
  defineTool({
    name: 'pause_dag',
    toolset: 'dags',
    title: 'Pause DAG',
    description: 'Pause a DAG: no new runs are scheduled; running tasks finish.',
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
    description: 'Unpause a DAG: the scheduler starts its runs again, possibly at once.',
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
    description: 'Count DAG runs per state for the given DAGs, or for all DAGs page by page.',
    inputSchema: z.object({
      dag_ids: z.array(dagId).min(1).max(50).optional().describe('Default: all, paged'),
      ...paging(50),
    }),
    outputSchema: listOutput(),
    annotations: READ,
    async handler({ dag_ids, limit, offset }, ctx) {
      const airflow = await ctx.airflow();
      return airflow.getDagStats(dag_ids, { limit, offset });
    },
  }),
];
