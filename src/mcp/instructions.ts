// The server instructions clients show to the model: how to use the tools well.
export const SERVER_INSTRUCTIONS = [
  'Tools for Apache Airflow, acting with the caller’s own Airflow permissions.',
  'Start broad (get_system_health, list_dags, list_dag_runs), then narrow down (explore_dag, diagnose_dag_run, get_task_logs).',
  'Tools that change Airflow say so in their annotations; clears are dry runs unless dry_run=false.',
  'List tools page with limit/offset and return next_offset; logs are tail-first and bounded — use level/pattern filters.',
  'Dates are ISO 8601 (a date alone means midnight UTC); ids come from the list tools (list_dags, list_dag_runs, list_tasks).',
  'A pasted Airflow UI link can be opened with open_airflow_url.',
  'Errors carry code, hint and retryable: follow the hint (e.g. upstream_forbidden means your Airflow role lacks the permission).',
].join('\n');
