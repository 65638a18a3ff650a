// UI links of both Airflow UIs resolve to what they point to; links elsewhere are refused.
import { describe, expect, it } from 'vitest';
import { parseUiRouteV2, parseUiRouteV3, resolveUiUrl } from '../../../src/airflow/ui-url.js';

const BASE = 'https://airflow.example.com/team-a';
const RUN = 'manual__2026-01-31T00:00:00+00:00';
const R = encodeURIComponent(RUN);

describe('Airflow 3 UI links', () => {
  it.each([
    [`${BASE}/dags/etl`, { kind: 'dag', dag_id: 'etl' }],
    [`${BASE}/dags/etl/code`, { kind: 'dag', dag_id: 'etl' }],
    [`${BASE}/dags/etl/tasks/load`, { kind: 'task', dag_id: 'etl', task_id: 'load' }],
    [`${BASE}/dags/etl/runs/${R}`, { kind: 'run', dag_id: 'etl', run_id: RUN }],
    [
      `${BASE}/dags/etl/runs/${R}/tasks/load?try_number=2`,
      { kind: 'task_instance', dag_id: 'etl', run_id: RUN, task_id: 'load', try_number: 2, log: true },
    ],
    [
      `${BASE}/dags/etl/runs/${R}/tasks/load/mapped/3/xcom`,
      { kind: 'task_instance', task_id: 'load', map_index: 3, log: false },
    ],
  ])('%s', (url, want) => {
    expect(resolveUiUrl([BASE], url, parseUiRouteV3)).toMatchObject(want);
  });
});

describe('Airflow 2 UI links', () => {
  it.each([
    [`${BASE}/dags/etl/grid`, { kind: 'dag', dag_id: 'etl' }],
    [`${BASE}/dags/etl/grid?dag_run_id=${R}`, { kind: 'run', run_id: RUN }],
    [
      `${BASE}/dags/etl/grid?dag_run_id=${R}&task_id=load&map_index=1&tab=logs`,
      { kind: 'task_instance', task_id: 'load', map_index: 1, log: true },
    ],
    [
      `${BASE}/log?dag_id=etl&dag_run_id=${R}&task_id=load&try_number=1`,
      { kind: 'task_instance', dag_id: 'etl', try_number: 1, log: true },
    ],
  ])('%s', (url, want) => {
    expect(resolveUiUrl([BASE], url, parseUiRouteV2)).toMatchObject(want);
  });
});

describe('refusals', () => {
  it.each([
    ['another host', 'https://evil.example.com/team-a/dags/etl', /not to this server's Airflow/],
    ['another scheme', 'http://airflow.example.com/team-a/dags/etl', /not to this server's Airflow/],
    [
      'outside the base path',
      'https://airflow.example.com/team-b/dags/etl',
      /outside this Airflow's base path/,
    ],
    ['a lookalike prefix', 'https://airflow.example.com/team-ab/dags/etl', /outside/],
    ['an unknown page', `${BASE}/admin/users`, /not to a DAG/],
    ['no URL', 'etl', /not an absolute URL/],
  ])('%s', (_name, url, message) => {
    expect(() => resolveUiUrl([BASE], url, parseUiRouteV3)).toThrow(message);
  });

  it('accepts the browser-facing URL (AIRFLOW_UI_URL) as well as the API URL, each with its own path', () => {
    const bases = ['http://airflow-api.airflow.svc:8080', 'https://airflow.example.com/team-a'];
    const dag = { kind: 'dag', dag_id: 'etl' };
    expect(resolveUiUrl(bases, 'https://airflow.example.com/team-a/dags/etl', parseUiRouteV3)).toEqual(dag);
    expect(resolveUiUrl(bases, 'http://airflow-api.airflow.svc:8080/dags/etl', parseUiRouteV3)).toEqual(dag);
    expect(() => resolveUiUrl(bases, 'https://airflow.example.com/dags/etl', parseUiRouteV3)).toThrow(
      /outside/,
    );
    expect(() => resolveUiUrl([], `${BASE}/dags/etl`, parseUiRouteV3)).toThrow(/does not know/);
  });
});
