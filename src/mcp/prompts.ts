// MCP prompts: ready-made workflows (troubleshoot a failed DAG, daily health check, onboard a new DAG).
import { ProtocolError, ProtocolErrorCode, type Server } from '@modelcontextprotocol/server';

interface PromptDef {
  name: string;
  title: string;
  description: string;
  arguments: { name: string; description: string; required: boolean }[];
  render(args: Record<string, string>): string;
}

const PROMPTS: PromptDef[] = [
  {
    name: 'troubleshoot_failed_dag',
    title: 'Troubleshoot a failed DAG',
    description: 'Find why a DAG’s run failed and propose a fix',
    arguments: [
      { name: 'dag_id', description: 'DAG to troubleshoot', required: true },
      { name: 'run_id', description: 'Failed run (default: the latest failed run)', required: false },
    ],
    render: ({ dag_id, run_id }) =>
      [
        `Troubleshoot the Airflow DAG \`${dag_id}\`.`,
        run_id
          ? `1. Call diagnose_dag_run with dag_id=${dag_id} and run_id=${run_id}.`
          : `1. Call list_dag_runs with dag_id=${dag_id}, state=["failed"], limit=1 to find the latest failed run, then diagnose_dag_run on it.`,
        '2. Read the error lines of each failed task; if they are not enough, call get_task_logs with level="error" or a pattern.',
        `3. If the error points at the code, call get_dag_source for ${dag_id}; if it points at configuration, check get_variable, list_connections or list_pools.`,
        '4. Check list_import_errors and list_dag_warnings in case the DAG itself does not parse.',
        '5. Explain the root cause in two or three sentences and propose a concrete fix. Do not clear or re-run anything unless I ask; if I do, use clear_task_instances with dry_run=true first.',
      ].join('\n'),
  },
  {
    name: 'daily_health_check',
    title: 'Daily health check',
    description: 'Summarise Airflow’s health and what failed in the last day',
    arguments: [],
    render: () =>
      [
        'Run a daily health check of Airflow.',
        '1. Call get_system_health for the verdict, component status, import errors and warnings.',
        '2. Call list_dag_runs with state=["failed"] and start_date_gte set to 24 hours ago; group the failures by DAG.',
        '3. For the two DAGs with the most failures, call diagnose_dag_run on their latest failed run.',
        '4. Call list_pools to spot pools with no open slots.',
        '5. Report: overall verdict, a table of failing DAGs with the probable cause, and the top three actions.',
      ].join('\n'),
  },
  {
    name: 'onboard_new_dag',
    title: 'Onboard a new DAG',
    description: 'Check that a newly deployed DAG is parsed, scheduled and able to run',
    arguments: [{ name: 'dag_id', description: 'The new DAG', required: true }],
    render: ({ dag_id }) =>
      [
        `Check that the new DAG \`${dag_id}\` is ready.`,
        `1. Call explore_dag for ${dag_id}. If it is not found, call list_import_errors: the file may not parse.`,
        '2. Check the schedule, start date, catchup, owners, tags and whether the DAG is paused.',
        '3. Check list_dag_warnings for this DAG and that every pool its tasks use exists (list_pools).',
        '4. Review the source for hard-coded credentials, top-level code that runs at parse time, and missing retries.',
        '5. Summarise what is ready and what needs fixing. Only trigger a test run (trigger_dag_and_wait) if I ask.',
      ].join('\n'),
  },
];

const LIST_RESULT = {
  prompts: PROMPTS.map(({ name, title, description, arguments: args }) => ({
    name,
    title,
    description,
    arguments: args,
  })),
};

/** Ids land in the prompt text: only plain identifiers, so an argument cannot rewrite the instructions. */
const ARG = /^[A-Za-z0-9_.:+-]{1,250}$/;

export function registerPrompts(server: Server) {
  server.setRequestHandler('prompts/list', async () => LIST_RESULT);
  server.setRequestHandler('prompts/get', async (request) => {
    const prompt = PROMPTS.find((p) => p.name === request.params.name);
    if (!prompt) {
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        `Unknown prompt: ${String(request.params.name).slice(0, 100)}`,
      );
    }
    const args = (request.params.arguments ?? {}) as Record<string, string>;
    for (const a of prompt.arguments) {
      const value = args[a.name];
      if (value === undefined || value === '') {
        if (a.required)
          throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Missing argument ${a.name}`);
        continue;
      }
      if (!ARG.test(value))
        throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Invalid argument ${a.name}`);
    }
    return {
      description: prompt.description,
      messages: [{ role: 'user' as const, content: { type: 'text' as const, text: prompt.render(args) } }],
    };
  });
}

export const PROMPT_CAPABILITIES = { prompts: { listChanged: false } };
