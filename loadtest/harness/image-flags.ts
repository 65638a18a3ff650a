// How the container image runs the service, read from the Dockerfile, so the soak and the benchmarks
// measure the process as it is deployed: the Node flags of its CMD and its memory-allocator settings.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ROOT } from './procs.js';

const DOCKERFILE = resolve(ROOT, 'Dockerfile');

/** The Dockerfile's instructions, continuation lines joined. */
function instructions(dockerfile: string): string[] {
  return readFileSync(dockerfile, 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));
}

export function imageNodeFlags(dockerfile = DOCKERFILE): string[] {
  const cmd = instructions(dockerfile)
    .filter((line) => line.startsWith('CMD '))
    .at(-1);
  const argv = cmd ? (JSON.parse(cmd.slice(4)) as string[]) : [];
  if (argv[0] !== 'node' || argv.at(-1) !== 'dist/main.js') {
    throw new Error(`unexpected Dockerfile CMD (want ["node", ...flags, "dist/main.js"]): ${cmd}`);
  }
  return argv.slice(1, -1);
}

/** Variables of the final stage that change how memory is allocated (the rest is the service's config). */
const ALLOCATOR_VARS = ['LD_PRELOAD', 'MALLOC_CONF'];

/** The allocator settings of the image's final stage (`ENV KEY=value ...`). */
export function imageAllocatorEnv(dockerfile = DOCKERFILE): Record<string, string> {
  const lines = instructions(dockerfile);
  const finalStage = lines.slice(lines.findLastIndex((line) => line.startsWith('FROM ')));
  const env: Record<string, string> = {};
  for (const line of finalStage.filter((l) => l.startsWith('ENV '))) {
    for (const word of line.slice(4).trim().split(/\s+/)) {
      const eq = word.indexOf('=');
      if (eq > 0 && ALLOCATOR_VARS.includes(word.slice(0, eq))) env[word.slice(0, eq)] = word.slice(eq + 1);
    }
  }
  return env;
}

/**
 * The allocator settings, checked usable here: the dynamic linker skips a preload it cannot find with only
 * a warning on stderr, and the measurement would silently be of glibc's malloc instead.
 */
export function imageAllocatorEnvChecked(dockerfile = DOCKERFILE): Record<string, string> {
  const env = imageAllocatorEnv(dockerfile);
  if (env.LD_PRELOAD) {
    const probe = spawnSync(process.execPath, ['-e', ''], {
      env: { ...process.env, LD_PRELOAD: env.LD_PRELOAD },
      encoding: 'utf8',
    });
    if (probe.status !== 0 || /cannot be preloaded/.test(probe.stderr)) {
      throw new Error(
        `the image preloads ${env.LD_PRELOAD} (Debian package libjemalloc2), not found here: install it so ` +
          'the measurement is of the allocator the image uses (apt-get install libjemalloc2)',
      );
    }
  }
  return env;
}
