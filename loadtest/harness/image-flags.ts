// The Node flags the container image runs the service with, read from the Dockerfile's CMD, so the
// soak and the benchmarks measure the process as it is deployed.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ROOT } from './procs.js';

export function imageNodeFlags(dockerfile = resolve(ROOT, 'Dockerfile')): string[] {
  const cmd = readFileSync(dockerfile, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('CMD '))
    .at(-1);
  const argv = cmd ? (JSON.parse(cmd.slice(4)) as string[]) : [];
  if (argv[0] !== 'node' || argv.at(-1) !== 'dist/main.js') {
    throw new Error(`unexpected Dockerfile CMD (want ["node", ...flags, "dist/main.js"]): ${cmd}`);
  }
  return argv.slice(1, -1);
}
