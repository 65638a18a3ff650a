// The real binary: discovers Airflow from airflow.cfg, rejects bad settings in one line, drains on SIGTERM.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../sim/index.js';
import { connectClient, payload } from '../../helpers/clients.js';

const ENTRY = join(import.meta.dirname, '../../../src/main.ts');

function run(env: Record<string, string>, args: string[] = []) {
  // One process (node with tsx's loader), so SIGTERM reaches the service itself, not a relaying wrapper.
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  const err: string[] = [];
  child.stdout.on('data', (d) => out.push(String(d)));
  child.stderr.on('data', (d) => err.push(String(d)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out, err, exited };
}

async function waitForLog(out: string[], text: string, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (out.join('').includes(text)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no "${text}" in output: ${out.join('').slice(-2000)}`);
}

let sim: Simulator;
const children: ChildProcess[] = [];
beforeAll(async () => {
  sim = await startSimulator({ auth: 'none', basePath: '/team-a' });
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await sim.close();
});

describe('the airflow-mcp process', () => {
  it('fails at start with one clear line naming a bad setting', async () => {
    const p = run({ PORT: 'not-a-port' });
    expect(await p.exited).toBe(2);
    expect(p.err.join('').trim()).toMatch(/^airflow-mcp: Invalid PORT: .*"not-a-port"/);
    expect(p.err.join('').trim().split('\n')).toHaveLength(1);
  });

  it('finds Airflow from $AIRFLOW_HOME/airflow.cfg ([api] port and base_url prefix) and uses it', async () => {
    const home = mkdtempSync(join(tmpdir(), 'airflow-home-'));
    const port = new URL(sim.url).port;
    writeFileSync(
      join(home, 'airflow.cfg'),
      `[core]\nload_examples = False\n\n[api]\nport = ${port}\nbase_url = http://localhost:${port}/team-a\n`,
    );
    const p = run({
      AIRFLOW_HOME: home,
      PORT: '0',
      HOST: '127.0.0.1',
      AIRFLOW_AUTH_MODE: 'none',
      SHUTDOWN_DELAY_MS: '0',
    });
    children.push(p.child);
    await waitForLog(p.out, 'airflow-mcp listening');
    const log = p.out.join('');
    expect(log).toContain('"source":"airflow.cfg [api]"');
    const url = JSON.parse(log.split('\n').find((l) => l.includes('airflow-mcp listening'))!).url as string;
    const client = await connectClient('sdk-v1', url);
    const version = payload(await client.callTool('get_airflow_version'));
    await client.close();
    expect(version.api_version).toBe('v2');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it('on SIGTERM: readiness 503 at once, still serves during the delay, then exits 0', async () => {
    const p = run({
      AIRFLOW_API_URL: sim.url,
      AIRFLOW_AUTH_MODE: 'none',
      PORT: '0',
      HOST: '127.0.0.1',
      SHUTDOWN_DELAY_MS: '1500',
      SHUTDOWN_GRACE_MS: '3000',
    });
    children.push(p.child);
    await waitForLog(p.out, 'airflow-mcp listening');
    const url = JSON.parse(
      p.out
        .join('')
        .split('\n')
        .find((l) => l.includes('airflow-mcp listening'))!,
    ).url as string;
    const base = url.replace(/\/mcp$/, '');
    expect((await request(`${base}/readyz`)).statusCode).toBe(200);
    const t0 = Date.now();
    p.child.kill('SIGTERM');
    await waitForLog(p.out, 'readiness now 503');
    const ready = await request(`${base}/readyz`);
    expect(ready.statusCode).toBe(503);
    await ready.body.text();
    expect((await request(`${base}/healthz`)).statusCode).toBe(200);
    const client = await connectClient('sdk-v2', url);
    const r = await client.callTool('list_dags', { limit: 1 });
    await client.close();
    expect(r.isError).toBeFalsy();
    // Keep-alive clients are told to reconnect (to another replica), on the direct path and the SDK's.
    for (const body of [
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_dags', arguments: { limit: 1 } } },
      { jsonrpc: '2.0', id: 2, method: 'ping' },
    ]) {
      const res = await request(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': '2025-11-25',
        },
        body: JSON.stringify(body),
      });
      await res.body.text();
      expect(res.statusCode).toBe(200);
      expect([body.method, res.headers.connection]).toEqual([body.method, 'close']);
    }
    expect(await p.exited).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
  });
});
