// Start-up messages of the real process: a missing CA file is named, and the default Airflow URL is a warning.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ENTRY = join(import.meta.dirname, '../../../src/main.ts');

function run(env: Record<string, string>, args: string[] = []) {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent-home', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  const err: string[] = [];
  child.stdout.on('data', (d) => out.push(String(d)));
  child.stderr.on('data', (d) => err.push(String(d)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out, err, exited };
}

describe('start-up messages', () => {
  it('AIRFLOW_CA_CERT naming a missing file fails with one line naming the setting and the file', async () => {
    const p = run({ AIRFLOW_CA_CERT: '/nonexistent/ca.pem', HOST: '127.0.0.1', PORT: '0' });
    expect(await p.exited).toBe(2);
    expect(p.err.join('').trim()).toBe(
      'airflow-mcp: Invalid AIRFLOW_CA_CERT: cannot read "/nonexistent/ca.pem" (ENOENT)',
    );
  });

  it('--airflow-api-url ftp://… says the scheme must be http or https', async () => {
    const p = run({}, ['--airflow-api-url', 'ftp://airflow.example.com']);
    expect(await p.exited).toBe(2);
    expect(p.err.join('').trim()).toMatch(
      /^airflow-mcp: Invalid AIRFLOW_API_URL: the scheme must be http or https/,
    );
  });

  it('a boolean flag alone before another flag starts the service; no Airflow URL logs a warning', async () => {
    const p = run({ LOG_LEVEL: 'info', SHUTDOWN_DELAY_MS: '0' }, [
      '--mcp-read-only',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
    ]);
    try {
      const deadline = Date.now() + 20_000;
      while (!p.out.join('').includes('airflow-mcp listening') && Date.now() < deadline) {
        if (p.child.exitCode !== null) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const lines = p.out
        .join('')
        .split('\n')
        .filter(Boolean)
        .map(
          (l) => JSON.parse(l) as { level: string; msg: string; read_only?: boolean; airflow_url?: string },
        );
      const listening = lines.find((l) => l.msg === 'airflow-mcp listening');
      expect(listening, p.err.join('')).toMatchObject({ read_only: true });
      const warning = lines.find((l) => l.msg.startsWith('No Airflow URL configured'));
      expect(warning).toMatchObject({ level: 'warn', airflow_url: 'http://localhost:8080' });
    } finally {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  });
});
