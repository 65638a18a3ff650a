// x-served-by carries the replica name and nothing else; start-up warns when any Host header is accepted.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { type Simulator, startSimulator } from '../../../src/sim/index.js';
import { legacyHeaders, rawPost, toolsList } from '../../helpers/raw-mcp.js';
import { type TestService, withTestService } from '../../helpers/service.js';
import { recordRow } from './support.js';

const ENTRY = join(import.meta.dirname, '../../../src/main.ts');
let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ auth: 'none' });
});
afterAll(async () => {
  await sim.close();
});

/** The real process, optionally inside a new UTS namespace with its own host name (needs root). */
function run(env: Record<string, string>, hostname?: string) {
  const node = [process.execPath, '--import', 'tsx', ENTRY];
  const [cmd, ...args] = hostname
    ? ['unshare', '--uts', 'sh', '-c', `hostname ${hostname} && exec "$@"`, 'sh', ...node]
    : node;
  const child = spawn(cmd!, args, {
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      SHUTDOWN_DELAY_MS: '0',
      AIRFLOW_API_URL: sim.url,
      AIRFLOW_AUTH_MODE: 'none',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  child.stdout.on('data', (d) => out.push(String(d)));
  child.stderr.on('data', (d) => out.push(String(d)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  });
  return { child, out, exited };
}

async function listeningUrl(out: string[]): Promise<string> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const line = out
      .join('')
      .split('\n')
      .find((l) => l.includes('airflow-mcp listening'));
    if (line) return (JSON.parse(line) as { url: string }).url;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`not listening: ${out.join('').slice(-1000)}`);
}

// A UTS namespace of our own needs root (or CAP_SYS_ADMIN); where it cannot be made, that case is skipped.
const canUnshare =
  process.platform === 'linux' && spawnSync('unshare', ['--uts', 'true'], { timeout: 5000 }).status === 0;

describe('x-served-by', () => {
  it.skipIf(!canUnshare)(
    'without REPLICA_NAME is the host name’s first label, never the domain',
    async () => {
      const p = run({}, 'pod-a.team.example.internal');
      const url = await listeningUrl(p.out);
      const ex = await rawPost(url, toolsList(1), legacyHeaders());
      expect(ex.status).toBe(200);
      expect(ex.headers['x-served-by']).toBe('pod-a');
      expect(p.out.join('')).not.toContain('example.internal');
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    },
  );

  it('is exactly REPLICA_NAME', async () => {
    const p = run({ REPLICA_NAME: 'airflow-mcp-7d9f8c-x2vqk' });
    const ex = await rawPost(await listeningUrl(p.out), toolsList(1), legacyHeaders());
    expect(ex.headers['x-served-by']).toBe('airflow-mcp-7d9f8c-x2vqk');
  });

  it('a REPLICA_NAME that is not a plain name stops start-up with one line', async () => {
    const p = run({ REPLICA_NAME: 'pod-a\r\nx-injected: 1' });
    const waited = await Promise.race([
      p.exited,
      new Promise((r) => setTimeout(() => r('still running'), 15_000)),
    ]);
    expect(waited).toBe(2);
    const text = p.out.join('').trim();
    expect(text).toMatch(/^airflow-mcp: Invalid REPLICA_NAME: must be a name/);
    expect(text.split('\n')).toHaveLength(1);
  });

  it('SERVED_BY_HEADER=false leaves it out', async () => {
    await withTestService(
      { airflowUrl: sim.url, env: { AIRFLOW_AUTH_MODE: 'none', SERVED_BY_HEADER: 'false' } },
      async (s) => {
        const ex = await rawPost(s.url, toolsList(1), legacyHeaders());
        expect(ex.status).toBe(200);
        expect(ex.headers['x-served-by']).toBeUndefined();
      },
    );
  });
});

const ANY_HOST = 'Any Host header is accepted';
const rebinding = (s: TestService) =>
  rawPost(s.url, toolsList(1), legacyHeaders({ host: 'evil.example', origin: 'http://evil.example' }));

describe('start-up warns when any Host is accepted', () => {
  it('HOST=0.0.0.0 without ALLOWED_HOSTS: one warning at start, and a rebinding request is served', async () => {
    await withTestService(
      { airflowUrl: sim.url, env: { AIRFLOW_AUTH_MODE: 'none', HOST: '0.0.0.0' } },
      async (s) => {
        const warnings = s.logs.filter((l) => l.includes(ANY_HOST));
        expect(warnings).toHaveLength(1);
        expect(JSON.parse(warnings[0]!)).toMatchObject({ level: 'warn', host: '0.0.0.0', allowed_hosts: [] });
        const t0 = performance.now();
        const ex = await rebinding(s);
        recordRow(
          'who gets in',
          'HOST=0.0.0.0 without ALLOWED_HOSTS, Host: evil.example + Origin: http://evil.example',
          `HTTP ${ex.status} (served, as warned at start-up: "${ANY_HOST} …")`,
          Math.round(performance.now() - t0),
        );
        expect(ex.status).toBe(200);
      },
    );
  });

  it.each([
    [
      'HOST=0.0.0.0 with ALLOWED_HOSTS',
      { HOST: '0.0.0.0', ALLOWED_HOSTS: 'airflow-mcp,airflow-mcp.ns.svc' },
      403,
    ],
    ['HOST=127.0.0.1', { HOST: '127.0.0.1' }, 403],
  ])('%s: no warning, and the rebinding request is refused', async (_label, env, status) => {
    await withTestService({ airflowUrl: sim.url, env: { AIRFLOW_AUTH_MODE: 'none', ...env } }, async (s) => {
      expect(s.logs.filter((l) => l.includes(ANY_HOST))).toEqual([]);
      expect((await rebinding(s)).status).toBe(status);
    });
  });
});
