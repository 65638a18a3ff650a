// The CLI prints one JSON line with the URL when listening and exits cleanly on SIGTERM.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { expect, it } from 'vitest';
import { http } from './http.js';

it('starts, serves, and stops on SIGTERM', async () => {
  const child = spawn(
    'node_modules/.bin/tsx',
    ['sim/main.ts', '--base-path', '/airflow', '--auth', 'enforced'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const line = await new Promise<string>((resolve) =>
    createInterface({ input: child.stdout! }).once('line', resolve),
  );
  const { url } = JSON.parse(line) as { url: string };
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/airflow$/);
  expect((await http('GET', `${url}/api/v2/dags`)).status).toBe(401);
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  expect(await exit).toBe(0);
});
