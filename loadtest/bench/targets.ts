// Benchmark targets, each its own child process: simulator, the service, SDK reference, raw echo, astro (Python).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { bundleService } from '../../scripts/build/bundle.js';
import { imageAllocatorEnvChecked, imageNodeFlags } from '../harness/image-flags.js';
import { chartMemoryLimit, type MemoryLimit } from '../harness/memory-limit.js';
import { freePort } from '../harness/network.js';
import { type Child, firstJsonLine, NODE, ROOT, sleep, startChild, waitForOk } from '../harness/procs.js';
import { probe } from './measure.js';

export const CACHE = resolve(ROOT, '.cache/bench');
const BUILD = resolve(CACHE, 'build');
export const SERVICE_MAIN = resolve(CACHE, 'service/main.js');
/** The same sources unbundled (tsc), for CPU profiles whose frames keep their package paths. */
export const SERVICE_UNBUNDLED = resolve(BUILD, 'src/main.js');

/**
 * Bundles the service as the image is built and compiles the fixtures and bench servers to plain JS, all
 * under .cache (dist/ is left alone).
 */
export async function buildAll(): Promise<void> {
  await bundleService(SERVICE_MAIN);
  mkdirSync(CACHE, { recursive: true });
  const tsconfig = resolve(CACHE, 'tsconfig.json');
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: '../../tsconfig.json',
      compilerOptions: { rootDir: '../..', outDir: './build', noEmit: false, sourceMap: false },
      include: [
        '../../src/**/*.ts',
        '../../loadtest/fixtures/sdk-reference-server.ts',
        '../../loadtest/fixtures/bare-proxy.ts',
        '../../loadtest/fixtures/stack-proxy.ts',
        '../../loadtest/bench/echo-server.ts',
        '../../loadtest/harness/sim-child.ts',
      ],
    }),
  );
  try {
    execFileSync(resolve(ROOT, 'node_modules/.bin/tsc'), ['-p', tsconfig], {
      stdio: 'ignore',
      timeout: 180_000,
    });
  } catch {
    // Type errors (others' work in progress) still emit JavaScript; missing files are checked below.
  }
  for (const file of [
    'loadtest/fixtures/sdk-reference-server.js',
    'loadtest/fixtures/bare-proxy.js',
    'loadtest/fixtures/stack-proxy.js',
    'loadtest/bench/echo-server.js',
  ]) {
    if (!existsSync(resolve(BUILD, file))) throw new Error(`build did not emit ${file}`);
  }
}

let memoryLimit: MemoryLimit | undefined;
/** The Helm chart's memory limit, which every target runs in (the simulator and load generator do not). */
export function targetMemoryLimit(): MemoryLimit {
  memoryLimit ??= chartMemoryLimit();
  return memoryLimit;
}

/** startChild for a target: inside the chart's memory limit, as in its pod. */
function startTarget(
  name: string,
  command: string,
  args: string[],
  options: Parameters<typeof startChild>[3],
) {
  const confined = targetMemoryLimit().confine(command, args);
  const child = startChild(name, confined.command, confined.args, options);
  void child.exited.then(() => confined.release());
  return child;
}

export interface Running {
  name: string;
  url: string;
  child: Child;
}

export async function startSim(latencyMs: number): Promise<Running & { token: string }> {
  const child = startChild('simulator', NODE, [
    resolve(BUILD, 'loadtest/harness/sim-child.js'),
    '--users',
    '1',
    '--latency-ms',
    String(latencyMs),
  ]);
  const info = await firstJsonLine<{ url: string; tokens: Record<string, string> }>(child, 30_000);
  return { name: 'simulator', url: info.url, child, token: Object.values(info.tokens)[0]! };
}

/** Sets the simulator's added latency (POST /_sim/latency). */
export async function setSimLatency(simUrl: string, ms: number): Promise<void> {
  const res = await fetch(`${simUrl}/_sim/latency`, { method: 'POST', body: JSON.stringify({ ms }) });
  if (!res.ok) throw new Error(`simulator refused latency ${ms}: HTTP ${res.status}`);
}

export function serviceEnv(simUrl: string, port: number): Record<string, string> {
  return {
    AIRFLOW_API_URL: simUrl,
    AIRFLOW_AUTH_MODE: 'forward',
    HOST: '127.0.0.1',
    PORT: String(port),
    REPLICA_NAME: 'bench',
    LOG_LEVEL: 'info',
    SHUTDOWN_DELAY_MS: '0',
    SHUTDOWN_GRACE_MS: '2000',
  };
}

export async function startService(
  simUrl: string,
  extraFlags: string[] = [],
  main = SERVICE_MAIN,
): Promise<Running> {
  const port = await freePort();
  // Production settings and the image's Node flags, access log included (one JSON line per request,
  // written to /dev/null).
  const child = startTarget('service', NODE, [...imageNodeFlags(), ...extraFlags, main], {
    env: { ...serviceEnv(simUrl, port), ...imageAllocatorEnvChecked() },
    quietStdout: true,
  });
  await waitForOk(`http://127.0.0.1:${port}/readyz`, 20_000, child);
  return { name: 'service', url: `http://127.0.0.1:${port}/mcp`, child };
}

/** Spawn → first 200 from /readyz, in ms, for a fresh process each time. */
export async function coldStart(simUrl: string): Promise<number> {
  const port = await freePort();
  const t0 = performance.now();
  const child = startTarget('service-cold', NODE, [...imageNodeFlags(), SERVICE_MAIN], {
    env: { ...serviceEnv(simUrl, port), ...imageAllocatorEnvChecked() },
    quietStdout: true,
  });
  await waitForOk(`http://127.0.0.1:${port}/readyz`, 20_000, child);
  const ms = performance.now() - t0;
  child.proc.kill('SIGTERM');
  await child.exited;
  return ms;
}

async function startFixture(
  name: string,
  file: string,
  env: Record<string, string>,
  nodeFlags: string[] = [],
): Promise<Running> {
  const port = await freePort();
  const child = startTarget(name, NODE, [...nodeFlags, resolve(BUILD, file)], {
    env: { ...env, HOST: '127.0.0.1', PORT: String(port) },
  });
  const info = await firstJsonLine<{ url: string }>(child, 20_000);
  return { name, url: info.url, child };
}

/**
 * The SDK reference pattern; `imageFlags` runs it with the image's Node flags and allocator as the service
 * runs, so a ratio between the two measures code, not flags.
 */
export function startSdkReference(simUrl: string, imageFlags = false): Promise<Running> {
  return startFixture(
    imageFlags ? 'sdk-reference-image-flags' : 'sdk-reference',
    'loadtest/fixtures/sdk-reference-server.js',
    {
      AIRFLOW_API_URL: simUrl,
      AIRFLOW_AUTH_MODE: 'forward',
      LOG_LEVEL: 'warn',
      ...(imageFlags ? imageAllocatorEnvChecked() : {}),
    },
    imageFlags ? imageNodeFlags() : [],
  );
}

/** The floor: a bare node:http proxy making the same upstream call, with the image's flags and allocator. */
export function startBareProxy(simUrl: string, upstreamPath: string): Promise<Running> {
  return startFixture(
    'bare-proxy',
    'loadtest/fixtures/bare-proxy.js',
    { AIRFLOW_API_URL: simUrl, UPSTREAM_PATH: upstreamPath, ...imageAllocatorEnvChecked() },
    imageNodeFlags(),
  );
}

/** The stack floor: express + express.json + an undici Agent making the same call, as the service runs. */
export function startStackProxy(simUrl: string, upstreamPath: string): Promise<Running> {
  return startFixture(
    'stack-proxy',
    'loadtest/fixtures/stack-proxy.js',
    { AIRFLOW_API_URL: simUrl, UPSTREAM_PATH: upstreamPath, ...imageAllocatorEnvChecked() },
    imageNodeFlags(),
  );
}

export function startEcho(): Promise<Running> {
  return startFixture('raw-echo', 'loadtest/bench/echo-server.js', {});
}

const VENV = resolve(ROOT, '.cache/astro-venv');
const ASTRO_BIN = resolve(VENV, 'bin/astro-airflow-mcp');
const ASTRO_FAILED = resolve(ROOT, '.cache/astro-install.failed');
export const ASTRO_VERSION = '0.9.1';

/** Installs astro-airflow-mcp once into .cache; a failure is recorded and not retried. */
export function ensureAstro(): { ok: true } | { ok: false; reason: string } {
  if (existsSync(ASTRO_BIN)) return { ok: true };
  if (existsSync(ASTRO_FAILED)) return { ok: false, reason: readFileSync(ASTRO_FAILED, 'utf8').trim() };
  try {
    execFileSync('python3', ['-m', 'venv', VENV], { stdio: 'pipe', timeout: 120_000 });
    execFileSync(resolve(VENV, 'bin/pip'), ['install', '-q', `astro-airflow-mcp==${ASTRO_VERSION}`], {
      stdio: 'pipe',
      timeout: 600_000,
    });
    return { ok: true };
  } catch (error) {
    const e = error as { stderr?: Buffer; message: string };
    const reason = (e.stderr?.toString().trim().split('\n').slice(-3).join(' ') || e.message).slice(0, 400);
    writeFileSync(ASTRO_FAILED, `${reason}\n`);
    return { ok: false, reason };
  }
}

/** astro-airflow-mcp over HTTP in FastMCP's stateless mode, with the same token, telemetry off. */
export async function startAstro(simUrl: string, token: string, toolsList: string): Promise<Running> {
  const port = await freePort();
  const child = startTarget(
    'astro-airflow-mcp',
    ASTRO_BIN,
    [
      '--transport',
      'http',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--airflow-url',
      simUrl,
      '--auth-token',
      token,
    ],
    {
      env: {
        FASTMCP_STATELESS_HTTP: 'true',
        FASTMCP_LOG_LEVEL: 'WARNING',
        AF_TELEMETRY_DISABLED: '1',
        DO_NOT_TRACK: '1',
      },
    },
  );
  const url = `http://127.0.0.1:${port}/mcp`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.proc.exitCode !== null) throw new Error(`astro exited: ${child.tail.join(' | ')}`);
    const ok = await probe({ url, method: 'POST', headers: mcpHeaders(token), body: toolsList })
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) return { name: 'astro-airflow-mcp', url, child };
    await sleep(200);
  }
  throw new Error(`astro not ready: ${child.tail.join(' | ')}`);
}

export function mcpHeaders(token: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': '2025-06-18',
    authorization: `Bearer ${token}`,
  };
}

export { waitForOk };
