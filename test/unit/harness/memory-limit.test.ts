// The benchmarks and the soak run the service inside the chart's memory limit, as its pod does.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  chartMemoryLimit,
  chartMemoryLimitMiB,
  nodeOldSpaceMiB,
  quantityBytes,
} from '../../../loadtest/harness/memory-limit.js';
import { NODE } from '../../../loadtest/harness/procs.js';

/** What Node inside `limit` reports: its constrained memory and its old-space limit, in MiB. */
function nodeUnder(limitMiB: number, useCgroups: boolean): { constrained: number; oldSpace: number } {
  const confined = chartMemoryLimit(limitMiB, useCgroups).confine(NODE, [
    '--max-semi-space-size=8',
    '-e',
    'const v8 = require("node:v8"); console.log(JSON.stringify({ constrained: process.constrainedMemory() / 2 ** 20, ' +
      'oldSpace: v8.getHeapStatistics().heap_size_limit / 2 ** 20 - 24 }))',
  ]);
  try {
    const run = spawnSync(confined.command, confined.args, { encoding: 'utf8', timeout: 20_000 });
    expect(run.status, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as { constrained: number; oldSpace: number };
  } finally {
    confined.release();
  }
}

describe('quantityBytes', () => {
  it('reads Kubernetes memory quantities', () => {
    expect(quantityBytes('384Mi')).toBe(384 * 2 ** 20);
    expect(quantityBytes('1Gi')).toBe(2 ** 30);
    expect(quantityBytes('1.5Gi')).toBe(1.5 * 2 ** 30);
    expect(quantityBytes('500M')).toBe(500e6);
    expect(quantityBytes(268435456)).toBe(268435456);
  });

  it('refuses what it cannot read rather than guess', () => {
    expect(() => quantityBytes('lots')).toThrow(/unsupported memory quantity/);
    expect(() => quantityBytes('384mi')).toThrow(/unsupported/);
  });
});

describe('chartMemoryLimitMiB', () => {
  it("reads the chart's resources.limits.memory", () => {
    const dir = mkdtempSync(join(tmpdir(), 'memory-limit-'));
    writeFileSync(join(dir, 'values.yaml'), 'resources:\n  limits:\n    memory: 512Mi\n');
    expect(chartMemoryLimitMiB(join(dir, 'values.yaml'))).toBe(512);
    writeFileSync(join(dir, 'none.yaml'), 'resources: {}\n');
    expect(() => chartMemoryLimitMiB(join(dir, 'none.yaml'))).toThrow(/no resources.limits.memory/);
  });

  it("finds this repository's chart limit", () => {
    expect(chartMemoryLimitMiB()).toBeGreaterThanOrEqual(128);
  });
});

describe('chartMemoryLimit', () => {
  it('without cgroups, gives Node processes the old space Node would pick, and leaves others alone', () => {
    const limit = chartMemoryLimit(384, false);
    expect(limit.how).toMatch(/--max-old-space-size=256/);
    expect(limit.confine(NODE, ['main.js']).args).toEqual(['--max-old-space-size=256', 'main.js']);
    expect(limit.confine('/usr/bin/python3', ['-m', 'x']).args).toEqual(['-m', 'x']);
    expect(nodeUnder(384, false).oldSpace).toBe(256);
  });

  const cgroups = chartMemoryLimit(384);
  it.skipIf(!cgroups.how.includes('cgroup'))(
    'in a cgroup, Node sees the limit and sizes its old space as nodeOldSpaceMiB says',
    () => {
      for (const limitMiB of [256, 384, 1024, 3072]) {
        const seen = nodeUnder(limitMiB, true);
        expect(seen.constrained).toBe(limitMiB);
        expect(seen.oldSpace).toBe(nodeOldSpaceMiB(limitMiB));
      }
    },
  );

  it.skipIf(!cgroups.how.includes('cgroup'))('removes the cgroup once the process is gone', () => {
    const confined = cgroups.confine(NODE, ['-e', '0']);
    const dir = confined.args[2]!;
    expect(existsSync(dir)).toBe(true);
    expect(spawnSync(confined.command, confined.args).status).toBe(0);
    confined.release();
    expect(existsSync(dir)).toBe(false);
  });
});
