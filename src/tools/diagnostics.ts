// Diagnostics tools: Airflow version and an overall health verdict gathered concurrently.
import { z } from 'zod';
import { toErrorBody } from '../errors.js';
import { defineTool } from './define-tool.js';
import { clip } from './schemas.js';

const READ = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
} as const;
const DAY_MS = 24 * 60 * 60 * 1000;

export const diagnosticsTools = [
  defineTool({
    name: 'get_airflow_version',
    title: 'Get Airflow version',
    description:
      'Get the Airflow version and which REST API version (v1 = Airflow 2, v2 = Airflow 3) this server uses.',
    inputSchema: z.object({}),
    annotations: READ,
    async handler(_args, ctx) {
      const airflow = await ctx.airflow();
      return airflow.getVersion();
    },
  }),
  defineTool({
    name: 'get_system_health',
    title: 'Get system health',
    description:
      'Check Airflow’s overall health in one call: component status (scheduler, database, triggerer, DAG processor), import errors, DAG warnings and failed runs in the last 24 h, with a verdict.',
    inputSchema: z.object({
      max_items: z
        .number()
        .int()
        .min(0)
        .max(50)
        .default(5)
        .describe('How many import errors and warnings to show'),
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
];
