// Bounded soak: constant load on a real service process (plus simulator), sampling its RSS and heap; fails unless flat.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { imageAllocatorEnvChecked, imageNodeFlags } from '../../loadtest/harness/image-flags.js';
import { chartMemoryLimit, type MemoryLimit } from '../../loadtest/harness/memory-limit.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '16' },
    'max-heap-growth-mb': { type: 'string', default: '16' },
    'max-rss-growth-mb': { type: 'string', default: '48' },
    // `npm run soak` builds and soaks dist/main.js on plain node, as the image runs it; a .ts entry runs
    // through tsx, whose loader makes RSS creep by itself (a few MB a minute) while the heap stays flat.
    entry: { type: 'string', default: 'src/main.ts' },
  },
});
const MINUTES = Number(values.minutes);
const CONCURRENCY = Number(values.concurrency);
if (!(MINUTES > 0 && MINUTES <= 60) || !(CONCURRENCY >= 1 && CONCURRENCY <= 256)) {
  process.stderr.write('usage: tsx test/soak/soak.ts --minutes 0<m≤60 [--concurrency 1..256]\n');
  process.exit(2);
}
const DURATION_MS = MINUTES * 60_000;
// About 30 samples whatever the length, at least 2 s apart.
const SAMPLE_MS = Math.max(2000, Math.round(DURATION_MS / 30));
const ROOT = join(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const children: ChildProcess[] = [];
// However the soak ends, its children go with it (SIGTERM: tsx passes it on to the node it started).
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
});

function start(
  script: string,
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
  memory?: MemoryLimit,
) {
  const path = script.startsWith('/') ? script : join(ROOT, script);
  const [cmd, argv] = path.endsWith('.js') ? [process.execPath, [path]] : [TSX, [path]];
  const confined = memory?.confine(cmd, [...argv, ...args]) ?? {
    command: cmd,
    args: [...argv, ...args],
    release: () => {},
  };
  const child = spawn(confined.command, confined.args, {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  child.once('exit', () => confined.release());
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => {
    err = (err + String(d)).slice(-4000);
  });
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start: ${err}`)), 30_000);
    const onData = (d: Buffer) => {
      out += String(d);
      const line = out.split('\n').find((l) => ready.test(l));
      if (line) {
        clearTimeout(timer);
        // From here on the output (one log line per request) is drained and dropped.
        child.stdout.off('data', onData);
        child.stdout.resume();
        resolve(line);
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${script} exited ${code}: ${err}`)));
  });
}

const simLine = await start('sim/main.ts', ['--auth', 'enforced', '--run-duration-ms', '500'], {}, /"url"/);
const simUrl = (JSON.parse(simLine) as { url: string }).url;
// The service runs in the Helm chart's memory limit, where Node sizes its heap from the container's memory.
const memoryLimit = chartMemoryLimit();
const serviceLine = await start(
  values.entry,
  [],
  {
    AIRFLOW_API_URL: simUrl,
    AIRFLOW_AUTH_MODE: 'forward',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    SHUTDOWN_DELAY_MS: '0',
    MAX_CONCURRENT_REQUESTS: String(CONCURRENCY * 2),
    NODE_OPTIONS: imageNodeFlags().join(' '),
    // The image's allocator (jemalloc), as deployed.
    ...imageAllocatorEnvChecked(),
  },
  /airflow-mcp listening/,
  memoryLimit,
);
const mcpUrl = (JSON.parse(serviceLine) as { url: string }).url;
const base = mcpUrl.replace(/\/mcp$/, '');

const dispatcher = new Agent({ connections: CONCURRENCY, keepAliveTimeout: 30_000 });
const login = await request(`${simUrl}/auth/token`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ username: 'admin', password: 'admin' }),
  dispatcher,
});
const token = ((await login.body.json()) as { access_token: string }).access_token;

const CALLS: [string, Record<string, unknown>][] = [
  ['list_dags', { limit: 10 }],
  ['get_dag_details', { dag_id: 'asset_producer_orders' }],
  ['list_dag_runs', { limit: 5 }],
  ['get_system_health', {}],
  ['get_airflow_version', {}],
  ['get_dag_details', { dag_id: 'does_not_exist' }], // an error path, on purpose
];
const latencies: number[] = [];
let requests = 0;
let failures = 0;
const failureSamples: string[] = [];

async function one(i: number) {
  const [name, args] = CALLS[i % CALLS.length]!;
  const method = i % 10 === 0 ? 'tools/list' : 'tools/call';
  const t0 = performance.now();
  const res = await request(mcpUrl, {
    method: 'POST',
    dispatcher,
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-11-25',
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: i,
      method,
      params: method === 'tools/list' ? {} : { name, arguments: args },
    }),
  });
  const text = await res.body.text();
  latencies.push(performance.now() - t0);
  requests++;
  const expectedError =
    name === 'get_dag_details' && args.dag_id === 'does_not_exist' && method === 'tools/call';
  const ok =
    res.statusCode === 200 &&
    text.includes('"result"') &&
    (expectedError ? text.includes('not_found') : !text.includes('"isError":true'));
  if (!ok) {
    failures++;
    if (failureSamples.length < 5) failureSamples.push(`${res.statusCode} ${text.slice(0, 200)}`);
  }
}

async function metric(name: string): Promise<number> {
  const res = await request(`${base}/metrics`, { dispatcher });
  const text = await res.body.text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : Number.NaN;
}

interface Sample {
  t: number;
  rss: number;
  heap: number;
  heapTotal: number;
  external: number;
}
const samples: Sample[] = [];
const startedAt = Date.now();
const stopAt = startedAt + DURATION_MS;
let counter = 0;
const workers = Array.from({ length: CONCURRENCY }, async () => {
  while (Date.now() < stopAt) await one(counter++).catch(() => failures++);
});
const sampler = (async () => {
  while (Date.now() < stopAt) {
    samples.push({
      t: Math.round((Date.now() - startedAt) / 1000),
      rss: await metric('airflow_mcp_process_resident_memory_bytes'),
      heap: await metric('airflow_mcp_nodejs_heap_size_used_bytes'),
      heapTotal: await metric('airflow_mcp_nodejs_heap_size_total_bytes'),
      external: await metric('airflow_mcp_nodejs_external_memory_bytes'),
    });
    await new Promise((r) => setTimeout(r, Math.min(SAMPLE_MS, Math.max(0, stopAt - Date.now()))));
  }
})();
await Promise.all([...workers, sampler]);

for (const c of children) c.kill('SIGTERM');
await dispatcher.close();

const MB = 1024 * 1024;
const fmt = (b: number) => `${(b / MB).toFixed(1)} MB`;
// The first fifth is warm-up (JIT, pools, caches filling); compare the two halves of the rest.
const steady = samples.slice(Math.max(1, Math.floor(samples.length / 5)));
const half = Math.floor(steady.length / 2);
const first = steady.slice(0, half);
const second = steady.slice(half);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
// Heap: the minimum per half approximates the live set after GC; RSS: the median smooths allocator noise.
const heapGrowth = Math.min(...second.map((s) => s.heap)) - Math.min(...first.map((s) => s.heap));
const rssGrowth = median(second.map((s) => s.rss)) - median(first.map((s) => s.rss));
const sorted = [...latencies].sort((a, b) => a - b);
const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]?.toFixed(1);

process.stdout.write(
  `soak: ${MINUTES} min, ${CONCURRENCY} concurrent clients, sample every ${SAMPLE_MS / 1000} s; service in ${memoryLimit.how}\n`,
);
process.stdout.write('  t(s)  rss        heap_used  heap_total  external\n');
for (const s of samples) {
  const cols = [fmt(s.rss).padEnd(9), fmt(s.heap).padEnd(9), fmt(s.heapTotal).padEnd(10), fmt(s.external)];
  process.stdout.write(`  ${String(s.t).padStart(4)}  ${cols.join('  ')}\n`);
}
process.stdout.write(
  `requests ${requests} (${(requests / (DURATION_MS / 1000)).toFixed(0)}/s), unexpected failures ${failures}, latency p50 ${pct(0.5)} ms p99 ${pct(0.99)} ms\n` +
    `rss start ${fmt(samples[0]!.rss)} end ${fmt(samples.at(-1)!.rss)}; heap start ${fmt(samples[0]!.heap)} end ${fmt(samples.at(-1)!.heap)}\n` +
    `steady state: heap floor growth ${fmt(heapGrowth)} (limit ${values['max-heap-growth-mb']} MB), rss median growth ${fmt(rssGrowth)} (limit ${values['max-rss-growth-mb']} MB)\n`,
);
for (const f of failureSamples) process.stdout.write(`  failure: ${f}\n`);

const problems: string[] = [];
if (samples.length < 6) problems.push(`only ${samples.length} samples`);
if (failures > 0) problems.push(`${failures} unexpected failures`);
if (requests < MINUTES * 60 * 10) problems.push(`too little load (${requests} requests)`);
if (heapGrowth > Number(values['max-heap-growth-mb']) * MB) problems.push(`heap grew ${fmt(heapGrowth)}`);
if (rssGrowth > Number(values['max-rss-growth-mb']) * MB) problems.push(`rss grew ${fmt(rssGrowth)}`);
// Stopped and waited for (bounded), so the service's memory cgroup is removed with it.
await Promise.all(
  children
    .filter((c) => c.exitCode === null && c.signalCode === null)
    .map(
      (c) =>
        new Promise<void>((done) => {
          const timer = setTimeout(done, 10_000);
          c.once('exit', () => {
            clearTimeout(timer);
            done();
          });
          c.kill('SIGTERM');
        }),
    ),
);
if (problems.length) {
  process.stdout.write(`SOAK FAILED: ${problems.join('; ')}\n`);
  process.exit(1);
}
process.stdout.write('soak passed: memory flat, no unexpected failures\n');
process.exit(0);
