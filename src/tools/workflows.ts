// Workflow tools: explore a DAG and diagnose a run in one call, fetching independent parts concurrently.
import { z } from 'zod';
import type { AirflowAdapter } from '../airflow/adapter.js';
import { AppError, toErrorBody } from '../errors.js';
import { READ } from './annotations.js';
import { dagBrief } from './dags.js';
import { defineTool } from './define-tool.js';
import { failedTaskReports, runTaskInstances, stateCounts } from './run-diagnosis.js';
import { runBrief } from './runs.js';
import { clip, compact, dagId, runId } from './schemas.js';
import { taskDefBrief, taskInstanceBrief } from './tasks.js';
import { triggerAndWaitTool } from './trigger-and-wait.js';

/** Collects settled parts: values by name, failures as error bodies under `unavailable`. */
function settle(requestId: string) {
  const unavailable: Record<string, unknown> = {};
  return {
    unavailable,
    part<T>(name: string, r: PromiseSettledResult<T>): T | undefined {
      if (r.status === 'fulfilled') return r.value;
      unavailable[name] = toErrorBody(r.reason, requestId);
      return undefined;
    },
  };
}

/** The newest failed run of a DAG (the default of diagnose_dag_run), or a not_found that says so. */
async function latestFailedRun(airflow: AirflowAdapter, dag_id: string): Promise<string> {
  const page = await airflow.listDagRuns(dag_id, { limit: 1, offset: 0, state: ['failed'] });
  const latest = page.items[0];
  if (!latest) {
    throw new AppError('not_found', `DAG '${dag_id}' has no failed run.`, {
      hint: 'Pass run_id to diagnose another run; list_dag_runs shows the runs.',
    });
  }
  return latest.run_id;
}

export const workflowTools = [
  defineTool({
    name: 'explore_dag',
    toolset: 'dags',
    title: 'Explore DAG',
    description:
      'Understand a DAG in one call: configuration, tasks and dependencies, recent runs, start of its source.',
    inputSchema: z.object({
      dag_id: dagId,
      recent_runs: z.number().int().min(0).max(25).default(5),
      source_max_chars: z.number().int().min(0).max(50_000).default(4000).describe('0 = none'),
    }),
    annotations: READ,
    async handler({ dag_id, recent_runs, source_max_chars }, ctx) {
      const airflow = await ctx.airflow();
      const [details, tasks, runs, source] = await Promise.allSettled([
        airflow.getDagDetails(dag_id),
        airflow.listTasks(dag_id),
        recent_runs > 0
          ? airflow.listDagRuns(dag_id, { limit: recent_runs, offset: 0 })
          : Promise.resolve(undefined),
        source_max_chars > 0 ? airflow.getDagSource(dag_id, source_max_chars) : Promise.resolve(undefined),
      ]);
      // Without the DAG itself there is nothing to explore: report it as the tool's error.
      if (details.status === 'rejected') throw details.reason;
      const s = settle(ctx.requestId);
      const d = details.value;
      const t = s.part('tasks', tasks);
      const r = s.part('recent_runs', runs);
      const src = s.part('source', source);
      return compact({
        dag: compact({
          ...dagBrief(d),
          description: d.description,
          fileloc: d.fileloc,
          catchup: d.catchup,
          max_active_runs: d.max_active_runs,
          params: d.params && Object.keys(d.params).length ? d.params : null,
          doc_md: clip(d.doc_md, 1000),
        }),
        tasks: t?.map(taskDefBrief),
        recent_runs: r && { total: r.total_entries, items: r.items.map(runBrief) },
        source: src && {
          content: clip(src.content, source_max_chars),
          truncated: src.truncated || src.content.length > source_max_chars || undefined,
        },
        unavailable: Object.keys(s.unavailable).length ? s.unavailable : null,
      });
    },
  }),
  defineTool({
    name: 'diagnose_dag_run',
    toolset: 'diagnostics',
    title: 'Diagnose DAG run',
    description:
      'Find out why a DAG run failed or is stuck: task states and the error lines of each failed task’s log.',
    inputSchema: z.object({
      dag_id: dagId,
      run_id: runId.optional().describe('Default: the latest failed run'),
      max_failed_tasks: z.number().int().min(0).max(20).default(5),
      log_lines: z.number().int().min(1).max(200).default(20),
    }),
    annotations: READ,
    async handler({ dag_id, run_id: given, max_failed_tasks, log_lines }, ctx) {
      const airflow = await ctx.airflow();
      const run_id = given ?? (await latestFailedRun(airflow, dag_id));
      const [run, tis] = await Promise.allSettled([
        airflow.getDagRun(dag_id, run_id),
        runTaskInstances(airflow, dag_id, run_id),
      ]);
      if (run.status === 'rejected') throw run.reason;
      const s = settle(ctx.requestId);
      const ti = s.part('task_instances', tis);
      const failed = ti
        ? await failedTaskReports(airflow, ti.items, {
            maxTasks: max_failed_tasks,
            tailLines: log_lines,
            signal: ctx.signal,
            requestId: ctx.requestId,
          })
        : [];
      const by = (state: string) => ti?.items.filter((t) => t.state === state).map((t) => t.task_id) ?? [];
      const unfinished = ti?.items.filter(
        (t) => !['success', 'failed', 'skipped', 'upstream_failed', 'removed'].includes(t.state ?? ''),
      );
      const findings: string[] = [];
      if (by('failed').length)
        findings.push(`${by('failed').length} task(s) failed: ${by('failed').join(', ')}`);
      if (by('up_for_retry').length)
        findings.push(
          `${by('up_for_retry').length} task(s) failed and will be retried: ${by('up_for_retry').join(', ')}`,
        );
      if (by('upstream_failed').length)
        findings.push(`${by('upstream_failed').length} task(s) did not run because an upstream task failed`);
      if (run.value.state === 'queued')
        findings.push('The run is queued: is the DAG paused, or max_active_runs reached?');
      return compact({
        run: compact({ ...runBrief(run.value), conf: run.value.conf }),
        task_states: ti && stateCounts(ti.items),
        task_count: ti?.total,
        findings,
        failed_tasks: failed,
        upstream_failed: by('upstream_failed'),
        unfinished: unfinished?.slice(0, 20).map(taskInstanceBrief),
        unavailable: Object.keys(s.unavailable).length ? s.unavailable : null,
        hint: failed.length
          ? 'get_task_logs shows more of a log; clear_task_instances re-runs failed tasks once fixed.'
          : undefined,
      });
    },
  }),
  triggerAndWaitTool,
];
