// Fault injection: each kind, matching, `times`, and the exemption of /auth/token.
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../sim/index.js';
import { http } from './http.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ basePath: '/af' });
});
afterEach(() => sim.setFault(null));
afterAll(() => sim.close());

const dags = () => `${sim.url}/api/v2/dags`;

describe('faults', () => {
  it('returns a status with headers for the next N matching requests only', async () => {
    sim.setFault({
      status: 429,
      headers: { 'retry-after': '2' },
      times: 2,
      match: { method: 'GET', pathIncludes: '/dags' },
    });
    expect((await http('GET', `${sim.url}/api/v2/version`)).status).toBe(200);
    const first = await http('GET', dags());
    expect(first.status).toBe(429);
    expect(first.headers['retry-after']).toBe('2');
    expect(first.json).toEqual({ detail: 'Too Many Requests' });
    expect((await http('GET', dags())).status).toBe(429);
    expect((await http('GET', dags())).status).toBe(200);
  });

  it('returns a custom body and never applies to /auth/token', async () => {
    sim.setFault({ status: 503, body: { detail: 'maintenance' } });
    expect((await http('GET', dags())).json).toEqual({ detail: 'maintenance' });
    const login = await http('POST', `${sim.url}/auth/token`, {
      body: { username: 'admin', password: 'admin' },
    });
    expect(login.status).toBe(201);
  });

  it('delays headers', async () => {
    sim.setFault({ delayHeadersMs: 300 });
    const t = Date.now();
    const res = await http('GET', dags());
    expect(res.status).toBe(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(280);
  });

  it('trickles the body slowly', async () => {
    sim.setFault({ slowBodyMs: 300 });
    const t = Date.now();
    const res = await request(dags());
    const headersAt = Date.now() - t;
    const body = (await res.body.json()) as { total_entries: number };
    expect(body.total_entries).toBe(11);
    expect(headersAt).toBeLessThan(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(250);
  });

  it('truncates the body so it does not parse', async () => {
    sim.setFault({ truncateBody: true });
    const res = await http('GET', dags());
    expect(res.status).toBe(200);
    expect(res.json).toBeUndefined();
    expect(res.text.startsWith('{"dags":[')).toBe(true);
  });

  it('sends invalid JSON with a JSON content type', async () => {
    sim.setFault({ invalidJson: true });
    const res = await http('GET', dags());
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.json).toBeUndefined();
  });

  it('streams a huge valid JSON body', async () => {
    sim.setFault({ hugeBodyBytes: 5_000_000 });
    const res = await http('GET', dags());
    expect(res.text.length).toBeGreaterThan(4_900_000);
    expect(res.text.length).toBeLessThan(5_100_000);
    expect(res.json.dags.length).toBe(res.json.total_entries);
  });

  it('redirects with 307', async () => {
    sim.setFault({ redirectTo: 'http://127.0.0.1:1/elsewhere' });
    const res = await http('GET', dags());
    expect(res.status).toBe(307);
    expect(res.headers.location).toBe('http://127.0.0.1:1/elsewhere');
  });

  it('drops the connection', async () => {
    sim.setFault({ destroySocket: true, times: 1 });
    await expect(http('GET', dags())).rejects.toThrow();
    expect(sim.calls.at(-1)?.status).toBe(0);
    expect((await http('GET', dags())).status).toBe(200);
  });

  it('adds fixed latency when configured', async () => {
    const slow = await startSimulator({ latencyMs: 150 });
    try {
      const t = Date.now();
      await http('GET', `${slow.url}/api/v2/dags`);
      expect(Date.now() - t).toBeGreaterThanOrEqual(140);
    } finally {
      await slow.close();
    }
  });
});

describe('control endpoints', () => {
  it('reports calls since an index with per-user counts, sets faults, resets', async () => {
    await http('POST', `${sim.url}/_sim/reset`);
    const token = await sim.issueToken('u1');
    await http('GET', dags(), { headers: { authorization: `Bearer ${token}` } });
    await http('GET', dags(), { headers: { authorization: `Bearer ${token}` } });
    await http('GET', dags());
    const all = (await http('GET', `${sim.url}/_sim/calls`)).json;
    expect(all.calls).toHaveLength(3);
    expect(all.per_user).toEqual({ u1: 2, '(none)': 1 });
    const later = (await http('GET', `${sim.url}/_sim/calls?since=${all.next - 1}`)).json;
    expect(later.calls).toHaveLength(1);

    await http('POST', `${sim.url}/_sim/fault`, { body: { status: 502, times: 1 } });
    expect((await http('GET', dags())).status).toBe(502);
    expect((await http('GET', dags())).status).toBe(200);
    await http('POST', `${sim.url}/_sim/fault`, { body: { status: 500 } });
    await http('POST', `${sim.url}/_sim/fault`, { body: null });
    expect((await http('GET', dags())).status).toBe(200);
    await http('POST', `${sim.url}/_sim/reset`);
    expect(sim.calls).toHaveLength(0);
  });
});
