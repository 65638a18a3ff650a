// kubectl / helm / process helpers for the cluster tests: bounded runs, JSON reads, bounded waits.
import { execFile, execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');

/** The cluster's facts, read from the one place that pins them (scripts/cluster/versions.sh). */
function clusterFacts(): Record<string, string> {
  const names = [
    'BIN_DIR',
    'KUBECONFIG_ADMIN',
    'NODE_IP',
    'CLUSTER_STATE',
    'CLUSTER_RUN',
    'CLUSTER_CACHE',
    'PROM_OPERATOR_VERSION',
  ];
  const out = execFileSync(
    'bash',
    [
      '-c',
      `. scripts/cluster/versions.sh; for n in ${names.join(' ')}; do printf '%s=%s\\n' "$n" "\${!n}"; done`,
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  return Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}
export const FACTS = clusterFacts();
const ENV = {
  ...process.env,
  KUBECONFIG: FACTS.KUBECONFIG_ADMIN,
  PATH: `${FACTS.BIN_DIR}:${process.env.PATH}`,
};

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command with a time limit; never throws (callers decide what a non-zero exit means). */
export function run(
  cmd: string,
  args: readonly string[],
  timeoutMs = 120_000,
  input?: string,
): Promise<RunResult> {
  return new Promise((done) => {
    const child = execFile(
      cmd,
      args,
      { env: ENV, cwd: ROOT, timeout: timeoutMs, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 124) : 0;
        done({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

async function must(
  cmd: string,
  args: readonly string[],
  timeoutMs?: number,
  input?: string,
): Promise<string> {
  const r = await run(cmd, args, timeoutMs, input);
  if (r.code !== 0)
    throw new Error(
      `${cmd} ${args.join(' ')} exited ${r.code}: ${(r.stderr || r.stdout).trim().slice(-600)}`,
    );
  return r.stdout;
}

export const kubectl = (args: readonly string[], timeoutMs?: number, input?: string) =>
  must('kubectl', args, timeoutMs, input);
export const helm = (args: readonly string[], timeoutMs?: number) => must('helm', args, timeoutMs);

export async function kubectlJson<T>(args: readonly string[]): Promise<T> {
  return JSON.parse(await kubectl([...args, '-o', 'json'])) as T;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `probe` until it returns a value (not undefined) or the time is up; the error names `what`. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
  everyMs = 500,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (error) {
      last = error;
    }
    if (Date.now() > end)
      throw new Error(`${what}: not after ${timeoutMs / 1000} s${last ? ` (${String(last)})` : ''}`);
    await sleep(everyMs);
  }
}

export interface PodInfo {
  name: string;
  ip: string;
  ready: boolean;
  terminating: boolean;
}

interface PodList {
  items: {
    metadata: { name: string; deletionTimestamp?: string };
    status: { podIP?: string; conditions?: { type: string; status: string }[] };
  }[];
}

export async function pods(ns: string, selector: string): Promise<PodInfo[]> {
  const list = await kubectlJson<PodList>(['-n', ns, 'get', 'pods', '-l', selector]);
  return list.items.map((p) => ({
    name: p.metadata.name,
    ip: p.status.podIP ?? '',
    ready: p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    terminating: Boolean(p.metadata.deletionTimestamp),
  }));
}

/** Waits until exactly `n` pods match, all Ready, none terminating. */
export function waitPods(ns: string, selector: string, n: number, timeoutMs = 180_000): Promise<PodInfo[]> {
  return waitFor(`${n} ready pods (${selector})`, timeoutMs, async () => {
    const list = await pods(ns, selector);
    return list.length === n && list.every((p) => p.ready && !p.terminating) ? list : undefined;
  });
}
