// `npm run demo` stopped with SIGTERM on the npm process leaves nothing running.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

it('SIGTERM to npm ends the demo’s simulator and server too', async () => {
  // Its own process group, so the test can see every process the demo started, and only those.
  const npm = spawn('npm', ['run', 'demo'], {
    cwd: join(import.meta.dirname, '../../..'),
    env: { ...process.env, PORT: '0' },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pgid = npm.pid!;
  let out = '';
  npm.stdout.on('data', (d) => {
    out += String(d);
  });
  try {
    const deadline = Date.now() + 30_000;
    while (!out.includes('Press Ctrl-C to stop.') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(out).toContain('Press Ctrl-C to stop.');
    const url = /MCP endpoint:\s+(\S+)/.exec(out)![1]!;
    expect((await fetch(url.replace(/\/mcp$/, '/healthz'))).status).toBe(200);
    process.kill(pgid, 'SIGTERM');
    const stopBy = Date.now() + 10_000;
    while (groupAlive(pgid) && Date.now() < stopBy) await new Promise((r) => setTimeout(r, 100));
    expect(groupAlive(pgid)).toBe(false);
    await expect(fetch(url.replace(/\/mcp$/, '/healthz'))).rejects.toThrow();
  } finally {
    if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
  }
}, 60_000);
