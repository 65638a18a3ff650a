// The Helm chart's memory limit, applied to a process the benchmarks or the soak start, so they measure
// the service as it runs in its pod.
//
// Why it matters: Node sizes V8's heap from the memory it may use (the container's cgroup limit, else the
// host's RAM). On this 24 GiB host V8 allows a 4 GiB heap and lets the old space grow up to 4× between
// full collections; in the chart's 384Mi it gets a 256 MiB old space and a growing factor of at most 1.3, so
// memory is collected sooner. The truest copy of the pod is a memory cgroup with the same limit (Node
// reads it, the kernel enforces it); where the process may not create one, the old-space size Node picks
// in that limit is passed as a flag instead.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from './procs.js';

const CHART_VALUES = resolve(ROOT, 'helm/airflow-mcp/values.yaml');
const CGROUP_FS = '/sys/fs/cgroup';

const UNITS: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
};

/** A Kubernetes memory quantity ("384Mi", "1Gi", "500M", "268435456") in bytes. */
export function quantityBytes(quantity: string | number): number {
  const match = /^(\d+(?:\.\d+)?)(|k|M|G|Ki|Mi|Gi)$/.exec(String(quantity).trim());
  if (!match) throw new Error(`unsupported memory quantity: ${quantity}`);
  return Math.round(Number(match[1]) * UNITS[match[2]!]!);
}

/** `resources.limits.memory` of the chart's default values, in MiB. */
export function chartMemoryLimitMiB(valuesFile = CHART_VALUES): number {
  const values = parse(readFileSync(valuesFile, 'utf8')) as { resources?: { limits?: { memory?: string } } };
  const limit = values.resources?.limits?.memory;
  if (limit === undefined) throw new Error(`${valuesFile}: no resources.limits.memory`);
  return quantityBytes(limit) / 2 ** 20;
}

/**
 * The old-space size (MiB) Node 24 gives itself under a memory limit of up to 8 GiB: half of it, between
 * 256 and 2048 MiB (as measured in memory cgroups of 256 MiB to 8 GiB; the memory-limit test checks it
 * against Node wherever it may create cgroups).
 */
export function nodeOldSpaceMiB(limitMiB: number): number {
  return Math.min(2048, Math.max(256, Math.floor(limitMiB / 2)));
}

export interface Confined {
  command: string;
  args: string[];
  /** Removes what confining created, once the process has exited. */
  release(): void;
}

export interface MemoryLimit {
  limitMiB: number;
  /** How processes are confined, for reports. */
  how: string;
  /** `command args` under the limit (Node processes only get the flag fallback). */
  confine(command: string, args: string[]): Confined;
}

/** This process's memory cgroup directory and whether it is cgroup v2, or why there is none. */
function ownMemoryCgroup(): { dir: string; v2: boolean } | { reason: string } {
  let lines: string[];
  try {
    lines = readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n');
  } catch {
    return { reason: 'no /proc/self/cgroup' };
  }
  const v1 = lines.map((l) => l.split(':')).find((f) => f[1]?.split(',').includes('memory'));
  if (v1) return { dir: join(CGROUP_FS, 'memory', v1[2]!), v2: false };
  const v2 = lines.map((l) => l.split(':')).find((f) => f[0] === '0' && f[1] === '');
  if (v2) return { dir: join(CGROUP_FS, v2[2]!), v2: true };
  return { reason: 'no memory cgroup in /proc/self/cgroup' };
}

/** Creates a child memory cgroup with the limit, or says why this process may not. */
function createCgroup(limitBytes: number): { dir: string } | { reason: string } {
  const own = ownMemoryCgroup();
  if ('reason' in own) return own;
  const dir = join(own.dir, `airflow-mcp-${process.pid}-${randomUUID().slice(0, 8)}`);
  try {
    mkdirSync(dir);
    writeFileSync(join(dir, own.v2 ? 'memory.max' : 'memory.limit_in_bytes'), String(limitBytes));
    return { dir };
  } catch (error) {
    removeCgroup(dir);
    return { reason: `cannot create a memory cgroup under ${own.dir}: ${(error as Error).message}` };
  }
}

function removeCgroup(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // Still busy (a grandchild outlived the process) or already gone: an empty cgroup is harmless.
  }
}

const isNode = (command: string) => basename(command).startsWith('node');

/** Shell script: $0 is the cgroup; the shell moves itself in, then becomes the command (same pid). */
const ENTER_CGROUP = 'echo $$ > "$0/cgroup.procs" && exec "$@"';

/**
 * The chart's memory limit as a way to start processes: a fresh memory cgroup per process when possible
 * (the process enters it before `exec`, so Node sees the limit from its first instruction), else
 * `--max-old-space-size` for Node processes.
 */
export function chartMemoryLimit(limitMiB = chartMemoryLimitMiB(), useCgroups = true): MemoryLimit {
  const limitBytes = limitMiB * 2 ** 20;
  let probe = useCgroups ? createCgroup(limitBytes) : { reason: 'cgroups not used' };
  if ('dir' in probe) {
    // Creating a cgroup is not enough (cgroup v2 may refuse to take processes): move a shell into it.
    const moved = spawnSync('/bin/sh', ['-c', ENTER_CGROUP, probe.dir, 'true'], { encoding: 'utf8' });
    removeCgroup(probe.dir);
    if (moved.status !== 0) probe = { reason: `cannot move a process into a cgroup: ${moved.stderr.trim()}` };
  }
  const flag = `--max-old-space-size=${nodeOldSpaceMiB(limitMiB)}`;
  if ('reason' in probe) {
    return {
      limitMiB,
      how: `${flag} for Node, the old space Node picks in ${limitMiB} MiB (no cgroup: ${probe.reason})`,
      confine: (command, args) => ({
        command,
        args: isNode(command) ? [flag, ...args] : args,
        release: () => {},
      }),
    };
  }
  return {
    limitMiB,
    how: `a ${limitMiB} MiB memory cgroup per process, from which Node sizes its heap`,
    confine: (command, args) => {
      const created = createCgroup(limitBytes);
      if ('reason' in created) throw new Error(created.reason);
      return {
        command: '/bin/sh',
        args: ['-c', ENTER_CGROUP, created.dir, command, ...args],
        release: () => removeCgroup(created.dir),
      };
    },
  };
}
