// Task logs: structured v2 lines in pages with continuation tokens, full content, tampering, v1 text, known lines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_LINE, type Simulator, SUCCESS_LINE, startSimulator } from '../../../sim/index.js';
import { http, waitFor } from './http.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ runDurationMs: 200, logLinesPerTask: 250 });
  await http('POST', `${sim.url}/api/v2/dags/example_failing/dagRuns`, {
    body: { logical_date: null, dag_run_id: 'logs-1' },
  });
  await waitFor(
    () => http('GET', `${sim.url}/api/v2/dags/example_failing/dagRuns/logs-1`),
    (r) => r.json.state === 'failed',
  );
});
afterAll(() => sim.close());

const logUrl = (v: 'v1' | 'v2', task: string, q = '') =>
  `${sim.url}/api/${v}/dags/example_failing/dagRuns/logs-1/taskInstances/${task}/logs/1${q}`;

describe('v2 logs', () => {
  it('pages through the log with continuation tokens until the token is null', async () => {
    const events: string[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const q: string = token ? `?token=${encodeURIComponent(token)}` : '';
      const res = await http('GET', logUrl('v2', 'transform', q));
      expect(res.status).toBe(200);
      for (const line of res.json.content) {
        expect(line).toHaveProperty('event');
        events.push(line.event);
      }
      token = res.json.continuation_token;
      pages++;
    } while (token !== null && pages < 10);
    expect(pages).toBe(3);
    expect(events).toContain(FAILURE_LINE('transform'));
    expect(events.at(-1)).toContain('Marking task as FAILED');
  });

  it('returns everything at once with full_content', async () => {
    const res = await http('GET', logUrl('v2', 'extract', '?full_content=true'));
    expect(res.json.continuation_token).toBeNull();
    expect(res.json.content.length).toBeGreaterThanOrEqual(250);
    expect(res.json.content.map((l: { event: string }) => l.event)).toContain(SUCCESS_LINE);
    // Airflow 3.3 opens with three bare events (group, log file path, end of group), then the log lines.
    expect(res.json.content.slice(0, 3).map((l: { event: string }) => l.event)).toEqual([
      '::group::Log message source details',
      expect.stringMatching(/task_id=extract\/attempt=1\.log$/),
      '::endgroup::',
    ]);
    expect(res.json.content[0]).toEqual({ event: '::group::Log message source details' });
    expect(res.json.content[3]).toMatchObject({ level: 'info', logger: 'airflow.task' });
  });

  it('rejects a tampered continuation token with 400', async () => {
    const first = await http('GET', logUrl('v2', 'transform'));
    const token: string = first.json.continuation_token;
    const [payload, mac] = token.split('.');
    const forged = `${Buffer.from(JSON.stringify({ log_pos: 0, end_of_log: false })).toString('base64url')}.${mac}`;
    for (const bad of [forged, `${payload}.x${mac!.slice(1)}`, 'garbage']) {
      const res = await http('GET', logUrl('v2', 'transform', `?token=${encodeURIComponent(bad)}`));
      expect(res.status).toBe(400);
      expect(res.json.detail).toContain('Bad Signature');
    }
  });

  it('answers 404 for a try that does not exist and for a mapped task without map_index', async () => {
    expect((await http('GET', logUrl('v2', 'transform').replace('/logs/1', '/logs/2'))).status).toBe(404);
    const mapped = await http('POST', `${sim.url}/api/v2/dags/example_dynamic_mapping/dagRuns`, {
      body: { logical_date: null },
    });
    const base = `${sim.url}/api/v2/dags/example_dynamic_mapping/dagRuns/${encodeURIComponent(mapped.json.dag_run_id)}/taskInstances/process_partition`;
    expect((await http('GET', base)).status).toBe(404);
    const list = await http('GET', `${base}/listMapped`);
    expect(list.json.task_instances.map((t: { map_index: number }) => t.map_index)).toEqual([0, 1, 2, 3]);
    expect((await http('GET', `${base}/2`)).json.map_index).toBe(2);
  });
});

describe('v1 logs', () => {
  it('returns text content in Airflow 2 format with a continuation token', async () => {
    const res = await http('GET', logUrl('v1', 'transform', '?full_content=true'));
    expect(typeof res.json.content).toBe('string');
    expect(res.json.content).toMatch(/^\[\d{4}-\d\d-\d\dT[^\]]+\] \{[a-z_]+\.py:\d+\} INFO - /);
    expect(res.json.content).toContain(FAILURE_LINE('transform'));
    expect(res.json.continuation_token).toBeNull();
  });

  it('serves plain text when asked', async () => {
    const res = await http('GET', logUrl('v1', 'transform'), { headers: { accept: 'text/plain' } });
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.text.split('\n')).toHaveLength(100);
  });
});
