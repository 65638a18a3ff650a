// Options that shape where and what the simulator serves: base path, API versions, users, state reset.
import { expect, it } from 'vitest';
import { startSimulator } from '../../../sim/index.js';
import { basic, http } from './http.js';

it('serves only the configured API versions, and only under the base path', async () => {
  const sim = await startSimulator({ apiVersions: ['v2'], basePath: 'airflow/' });
  try {
    expect(sim.url).toBe(`http://127.0.0.1:${sim.port}/airflow`);
    expect((await http('GET', `${sim.url}/api/v2/version`)).status).toBe(200);
    expect((await http('GET', `${sim.url}/api/v1/version`)).status).toBe(404);
    const outside = await http('GET', `http://127.0.0.1:${sim.port}/api/v2/version`);
    expect(outside.status).toBe(404);
    expect(sim.calls.at(-1)?.route).toBe('unmatched');
  } finally {
    await sim.close();
  }
});

it('v1-only mode has no token endpoint; custom users log in with Basic', async () => {
  const sim = await startSimulator({
    apiVersions: ['v1'],
    auth: 'enforced',
    users: { dana: { password: 's3cret', role: 'viewer' } },
  });
  try {
    expect(
      (await http('POST', `${sim.url}/auth/token`, { body: { username: 'dana', password: 's3cret' } }))
        .status,
    ).toBe(404);
    expect((await http('GET', `${sim.url}/api/v1/dags`, { headers: basic('dana', 's3cret') })).status).toBe(
      200,
    );
    expect((await http('GET', `${sim.url}/api/v1/dags`, { headers: basic('admin', 'admin') })).status).toBe(
      401,
    );
  } finally {
    await sim.close();
  }
});

it('rebuilds seed data on reset with state=true', async () => {
  const sim = await startSimulator();
  try {
    await http('DELETE', `${sim.url}/api/v2/variables/environment`);
    expect((await http('GET', `${sim.url}/api/v2/variables/environment`)).status).toBe(404);
    await http('POST', `${sim.url}/_sim/reset?state=true`);
    expect((await http('GET', `${sim.url}/api/v2/variables/environment`)).json.value).toBe('staging');
  } finally {
    await sim.close();
  }
});

it('changes its added latency at run time through /_sim/latency, and rejects a bad value', async () => {
  const sim = await startSimulator({ latencyMs: 300 });
  const timed = async () => {
    const t = performance.now();
    expect((await http('GET', `${sim.url}/api/v2/version`)).status).toBe(200);
    return performance.now() - t;
  };
  try {
    expect(await timed()).toBeGreaterThanOrEqual(290);
    expect((await http('POST', `${sim.url}/_sim/latency`, { body: { ms: 0 } })).json).toEqual({
      ok: true,
      ms: 0,
    });
    expect(await timed()).toBeLessThan(250);
    for (const bad of [{ ms: -1 }, { ms: 1.5 }, { ms: '5' }, {}]) {
      expect((await http('POST', `${sim.url}/_sim/latency`, { body: bad })).status).toBe(400);
    }
    expect(await timed()).toBeLessThan(250);
  } finally {
    await sim.close();
  }
});
