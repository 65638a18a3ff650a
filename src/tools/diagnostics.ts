// Diagnostics tools: the overall health verdict, import errors, DAG warnings and Airflow's audit log.
import { z } from 'zod';
import { toErrorBody } from '../errors.js';
import { listOutput, READ } from './annotations.js';
import { defineTool } from './define-tool.js';
import { clip, compact, dagId, isoDate, paging, runId, taskId } from './schemas.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export const diagnosticsTools = [
  defineTool({
    name: 'get_system_health',
    toolset: 'diagnostics',
    title: 'Get system health',
    description:
      'Check Airflow’s health: components, import errors, DAG warnings and failed runs in the last 24 h, with a verdict.',
    inputSchema: z.object({
      max_items: z.number().int().min(0).max(50).default(5),
    }),
    annotations: READ,
    async handler({ max_items }, ctx) {
      const airflow = await ctx.airflow();
      const since = new Date(ctx.now() - DAY_MS).toISOString();
      const page = { limit: Math.max(1, max_items), offset: 0 };
      const [health, importErrors, warnings, failedRuns] = await Promise.allSettled([
        airflow.getHealth(),
        airflow.listImportErrors(page),
        airflow.listDagWarnings(page),
        airflow.listDagRuns(undefined, { limit: 1, offset: 0, state: ['failed'], start_date_gte: since }),
      ]);
      const problems: string[] = [];
      const unavailable: Record<string, unknown> = {};
      const part = <T>(name: string, r: PromiseSettledResult<T>): T | undefined => {
        if (r.status === 'fulfilled') return r.value;
        unavailable[name] = toErrorBody(r.reason, ctx.requestId);
        return undefined;
      };
      const h = part('health', health);
      const ie = part('import_errors', importErrors);
      const w = part('dag_warnings', warnings);
      const fr = part('failed_runs_24h', failedRuns);

      let verdict: 'healthy' | 'degraded' | 'unhealthy' = 'healthy';
      if (h) {
        for (const [name, c] of Object.entries(h.components)) {
          if (c.status && c.status !== 'healthy') {
            problems.push(`${name} is ${c.status}`);
            verdict =
              name === 'metadatabase' || name === 'scheduler'
                ? 'unhealthy'
                : verdict === 'healthy'
                  ? 'degraded'
                  : verdict;
          }
        }
      } else {
        verdict = 'unhealthy';
        problems.push('health endpoint unavailable');
      }
      if (ie && ie.total_entries > 0) {
        problems.push(`${ie.total_entries} DAG import error(s)`);
        if (verdict === 'healthy') verdict = 'degraded';
      }
      if (w && w.total_entries > 0) problems.push(`${w.total_entries} DAG warning(s)`);
      if (fr && fr.total_entries > 0) problems.push(`${fr.total_entries} failed run(s) in the last 24 h`);
      if (Object.keys(unavailable).length > 0 && verdict === 'healthy') verdict = 'degraded';

      return {
        verdict,
        problems,
        components: h?.components,
        import_errors: ie && {
          total: ie.total_entries,
          items: ie.items
            .slice(0, max_items)
            .map((e) => ({ filename: e.filename, error: clip(e.error, 500) })),
        },
        dag_warnings: w && { total: w.total_entries, items: w.items.slice(0, max_items) },
        failed_runs_24h: fr?.total_entries,
        ...(Object.keys(unavailable).length ? { unavailable } : {}),
        hint:
          verdict === 'healthy'
            ? undefined
            : 'list_import_errors, list_dag_runs with state=failed, and diagnose_dag_run show details.',
      };
    },
  }),
  defineTool({
    name: 'list_import_errors',
    toolset: 'diagnostics',
    title: 'List import errors',
    description:
      'List DAG files that fail to import, with the traceback tail: why a DAG is missing or stale.',
    inputSchema: z.object({
      ...paging(25),
      max_error_chars: z.number().int().min(100).max(20_000).default(1500),
    }),
    outputSchema: listOutput(),
    annotations: READ,
    async handler({ max_error_chars, ...q }, ctx) {
      const page = await (await ctx.airflow()).listImportErrors(q);
      // The end of a traceback names the failing line and exception: keep the tail when clipping.
      const tail = (s: string) => (s.length > max_error_chars ? `…${s.slice(-(max_error_chars - 1))}` : s);
      return {
        ...page,
        items: page.items.map((e) =>
          compact({ filename: e.filename, timestamp: e.timestamp, error: tail(e.error) }),
        ),
      };
    },
  }),
  defineTool({
    name: 'list_dag_warnings',
    toolset: 'diagnostics',
    title: 'List DAG warnings',
    description: 'List DAG warnings (e.g. a missing pool), for one DAG or all.',
    inputSchema: z.object({ dag_id: dagId.optional(), ...paging(50) }),
    outputSchema: listOutput(),
    annotations: READ,
    async handler(args, ctx) {
      const page = await (await ctx.airflow()).listDagWarnings(args);
      return { ...page, items: page.items.map((w) => compact({ ...w })) };
    },
  }),
  defineTool({
    name: 'list_event_logs',
    toolset: 'logs',
    title: 'List audit log events',
    description: 'List Airflow’s audit log, newest first: who triggered, paused, cleared or changed what.',
    inputSchema: z.object({
      ...paging(50),
      dag_id: dagId.optional(),
      run_id: runId.optional(),
      task_id: taskId.optional(),
      event: z.string().max(100).optional().describe('e.g. trigger_dag_run, paused, clear'),
      owner: z.string().max(250).optional(),
      after: isoDate.optional(),
      before: isoDate.optional(),
    }),
    outputSchema: listOutput(),
    annotations: READ,
    async handler(args, ctx) {
      const page = await (await ctx.airflow()).listEventLogs(args);
      return {
        ...page,
        items: page.items.map((e) =>
          compact({ ...e, map_index: e.map_index === -1 ? null : e.map_index, extra: clip(e.extra, 300) }),
        ),
      };
    },
  }),
];
