// Opens a pasted Airflow UI link: says what it points to and returns that object (and a task's log tail).
import { z } from 'zod';
import { READ } from './annotations.js';
import { dagBrief } from './dags.js';
import { defineTool } from './define-tool.js';
import { readTaskLog } from './log-reader.js';
import { runBrief } from './runs.js';
import { compact } from './schemas.js';
import { taskDefBrief, taskInstanceBrief } from './tasks.js';

const LOG_TAIL_LINES = 40;

export const uiLinkTools = [
  defineTool({
    name: 'open_airflow_url',
    toolset: 'diagnostics',
    title: 'Open Airflow UI link',
    description:
      'Get what a pasted Airflow UI link points to (DAG, run, task instance, log). Links to this Airflow only.',
    inputSchema: z.object({ url: z.string().min(1).max(4096) }),
    annotations: READ,
    async handler({ url }, ctx) {
      const airflow = await ctx.airflow();
      const target = airflow.resolveUiUrl(url);
      switch (target.kind) {
        case 'dag':
          return { link: target, dag: dagBrief(await airflow.getDagDetails(target.dag_id)) };
        case 'task':
          return { link: target, task: taskDefBrief(await airflow.getTask(target.dag_id, target.task_id)) };
        case 'run':
          return { link: target, run: runBrief(await airflow.getDagRun(target.dag_id, target.run_id)) };
        case 'task_instance': {
          const ti = await airflow.getTaskInstance(
            target.dag_id,
            target.run_id,
            target.task_id,
            target.map_index,
          );
          const tryNumber = target.try_number ?? Math.max(1, ti.try_number);
          const log = target.log
            ? await readTaskLog(airflow, {
                dagId: target.dag_id,
                runId: target.run_id,
                taskId: target.task_id,
                tryNumber,
                mapIndex: target.map_index,
                tailLines: LOG_TAIL_LINES,
                // The log sits inside the answer, so it gets the output limit less room for the rest.
                maxBytes: Math.min(16 * 1024, Math.max(256, ctx.maxOutputBytes - 1024)),
                contextLines: 0,
                fetchBudgetBytes: 8 * 1024 * 1024,
                signal: ctx.signal,
              })
            : undefined;
          return compact({
            link: target,
            task_instance: taskInstanceBrief(ti),
            log:
              log &&
              compact({
                try_number: tryNumber,
                lines: log.lines,
                first_line: log.first_line,
                truncated: log.truncated,
              }),
            hint: log ? 'get_task_logs reads more of the log, filtered or from an earlier line.' : undefined,
          });
        }
      }
    },
  }),
];
