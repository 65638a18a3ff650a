// npm run bench [-- --quick]: airflow-mcp side by side with the SDK's reference stateless pattern, a raw
// node:http echo, the simulator called directly, and astro-airflow-mcp (Python); writes docs/benchmarks.md.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import {
  type Closed,
  closed,
  type HttpCall,
  type Latency,
  type Open,
  openModel,
  probe,
  rssMiB,
  sendAmount,
  serialLatency,
  trendOver,
} from './bench/measure.js';
import { type ProfileSummary, summariseProfile } from './bench/profile.js';
import { type Check, type ReportInput, writeReport } from './bench/report.js';
import {
  ASTRO_VERSION,
  buildAll,
  CACHE,
  coldStart,
  ensureAstro,
  mcpHeaders,
  type Running,
  SERVICE_UNBUNDLED,
  setSimLatency,
  startAstro,
  startBareProxy,
  startEcho,
  startSdkReference,
  startService,
  startSim,
  startStackProxy,
  targetMemoryLimit,
} from './bench/targets.js';
import { cleanupAll, installExitHandlers, NODE, ROOT, stopChild } from './harness/procs.js';
import { parseResponse } from './lib/parse.js';
import { modernHeaders, modernToolsCallRequest, toolsCallRequest, toolsListRequest } from './lib/protocol.js';

const { values } = parseArgs({
  allowNegative: true,
  options: {
    quick: { type: 'boolean', default: false },
    profile: { type: 'boolean' },
    astro: { type: 'boolean', default: true },
    doc: { type: 'string' },
    // Re-renders the report from a run's saved figures (after editing the findings in bench/report.ts).
    render: { type: 'string' },
    'latency-ms': { type: 'string', default: '2' },
    connections: { type: 'string', default: '32' },
  },
});
const QUICK = values.quick;
const PROFILE = values.profile ?? !QUICK;
const LATENCY_MS = Number(values['latency-ms']);
const CONNECTIONS = Number(values.connections);
const ROUNDS = QUICK ? 1 : 3;
const ROUND_S = QUICK ? 3 : 5;
const SERIAL_S = QUICK ? 2 : 10;
const SERIAL_ROUNDS = QUICK ? 2 : 5;
const OPEN_S = QUICK ? 2 : 5;
// Open-model rates as fractions of airflow-mcp's measured closed-model tools/call capacity on this machine.
const RATE_FRACTIONS = QUICK ? [0.25, 0.5] : [0.25, 0.5, 0.75];
// The leak check: no RSS growth between 10k and 20k calls (the soak is the check over time).
const RSS_TOTAL = 20_000;
const WARMUP_S = QUICK ? 2 : 3;
const MEM_BUDGET_S = QUICK ? 120 : 600;
const COLD_RUNS = QUICK ? 3 : 7;
// A quick run is a smoke test: it must not overwrite the committed figures.
const DOC =
  values.doc ?? (QUICK ? resolve(CACHE, 'benchmarks-quick.md') : resolve(ROOT, 'docs/benchmarks.md'));
const SAVED = resolve(CACHE, QUICK ? 'report-input-quick.json' : 'report-input.json');

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

function post(url: string, token: string, body: unknown, headers?: Record<string, string>): HttpCall {
  return { url, method: 'POST', headers: headers ?? mcpHeaders(token), body: JSON.stringify(body) };
}

/** The answer must be a JSON-RPC result (a tool result without isError), not just any 200. */
async function preflight(name: string, call: HttpCall, id: number): Promise<string | undefined> {
  try {
    const { status, body } = await probe(call);
    if (status !== 200) return `${name}: HTTP ${status} ${body.slice(0, 200)}`;
    const picked = parseResponse(
      body,
      body.trimStart().startsWith('{') ? 'application/json' : 'text/event-stream',
      id,
    );
    const result = picked.response?.result as { isError?: boolean; tools?: unknown } | undefined;
    if (!result) return `${name}: no result: ${body.slice(0, 200)}`;
    if (result.isError === true) return `${name}: tool error: ${body.slice(0, 300)}`;
    return undefined;
  } catch (error) {
    return `${name}: ${(error as Error).message}`;
  }
}

async function heapUsedMiB(mcpUrl: string): Promise<number> {
  const res = await request(mcpUrl.replace(/\/mcp$/, '/metrics'));
  const text = await res.body.text();
  const m =
    /^nodejs_heap_size_used_bytes\s+(\S+)/m.exec(text) ??
    /^airflow_mcp_nodejs_heap_size_used_bytes\s+(\S+)/m.exec(text);
  return m ? Number(m[1]) / 1024 / 1024 : Number.NaN;
}

function fmt(n: number | undefined): string {
  return n === undefined ? 'n/a' : n.toFixed(2);
}

/** Medians over rounds (req/s, CPU/request, latency), summed totals and errors. */
function aggregate(rs: readonly Closed[]): Closed {
  const med = (pick: (c: Closed) => number | undefined) => {
    const xs = rs.map(pick).filter((v): v is number => v !== undefined);
    return xs.length === 0 ? undefined : median(xs);
  };
  return {
    rps: Math.round(med((c) => c.rps) ?? 0),
    cpuPerReq: med((c) => c.cpuPerReq),
    p50: med((c) => c.p50) ?? 0,
    p99: med((c) => c.p99) ?? 0,
    total: rs.reduce((a, c) => a + c.total, 0),
    errors: rs.reduce((a, c) => a + c.errors, 0),
    non2xx: rs.reduce((a, c) => a + c.non2xx, 0),
  };
}

function round3(n: number | undefined): number | null {
  return n === undefined ? null : Number(n.toFixed(3));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<number> {
  const started = new Date();
  const loadStart = loadavg();
  log(`bench${QUICK ? ' --quick' : ''}: building into .cache/bench ...`);
  await buildAll();
  const sim = await startSim(LATENCY_MS);
  const token = sim.token;
  log(`simulator ${sim.url}, fixed latency ${LATENCY_MS} ms`);

  const callBody = toolsCallRequest(1, 'list_dags', {});
  const listBody = toolsListRequest(1);
  const modernCall = modernToolsCallRequest(1, 'list_dags', {});
  const problems: string[] = [];

  let service: Running = await startService(sim.url);
  const svcCall = post(service.url, token, callBody);
  const svcList = post(service.url, token, listBody);
  const svcModern = post(
    service.url,
    token,
    modernCall,
    modernHeaders(modernCall, { authorization: `Bearer ${token}` }),
  );
  for (const [n, c] of [
    ['service tools/call', svcCall],
    ['service tools/list', svcList],
    ['service 2026 tools/call', svcModern],
  ] as const) {
    const p = await preflight(n, c, 1);
    if (p) problems.push(p);
  }
  // What list_dags costs upstream: the calls it made, and the same call sent straight to the simulator.
  const before = (await (await request(`${sim.url}/_sim/calls?counts_only=true`)).body.json()) as {
    next: number;
  };
  for (let i = 0; i < 10; i++) await probe(svcCall);
  const calls = (await (await request(`${sim.url}/_sim/calls?since=${before.next}`)).body.json()) as {
    calls: { method: string; path: string }[];
  };
  const upstreamPerCall = calls.calls.length / 10;
  const upstreamPath = calls.calls.at(-1)?.path ?? '/api/v2/dags';
  const direct: HttpCall = {
    url: `${sim.url}${upstreamPath}`,
    method: 'GET',
    headers: { accept: 'application/json', authorization: `Bearer ${token}` },
  };
  log(`service ${service.url}; list_dags makes ${upstreamPerCall} upstream call(s): GET ${upstreamPath}`);
  log(`targets run in ${targetMemoryLimit().how}`);

  const sdk = await startSdkReference(sim.url);
  const sdkCall = post(sdk.url, token, callBody);
  const sdkList = post(sdk.url, token, listBody);
  for (const [n, c] of [
    ['sdk-reference tools/call', sdkCall],
    ['sdk-reference tools/list', sdkList],
  ] as const) {
    const p = await preflight(n, c, 1);
    if (p) problems.push(p);
  }
  const echo = await startEcho();
  const echoCall = post(echo.url, token, callBody);
  const floor = await startBareProxy(sim.url, upstreamPath);
  const floorCall = post(floor.url, token, callBody);
  const floorProblem = await preflight('bare proxy tools/call', floorCall, 1);
  if (floorProblem) problems.push(floorProblem);
  const floorIdleRss = rssMiB(floor.child.proc.pid!);
  const stack = await startStackProxy(sim.url, upstreamPath);
  const stackCall = post(stack.url, token, callBody);
  const stackProblem = await preflight('express + undici proxy tools/call', stackCall, 1);
  if (stackProblem) problems.push(stackProblem);
  const stackIdleRss = rssMiB(stack.child.proc.pid!);
  // The SDK reference once more with the image's Node flags and allocator: a ratio that measures code.
  const sdkFlags = await startSdkReference(sim.url, true);
  const sdkFlagsCall = post(sdkFlags.url, token, callBody);
  const sdkFlagsProblem = await preflight('sdk-reference (image flags) tools/call', sdkFlagsCall, 1);
  if (sdkFlagsProblem) problems.push(sdkFlagsProblem);

  let astro: Running | undefined;
  let astroNote: string;
  const wantAstro = values.astro;
  const installed = wantAstro ? ensureAstro() : { ok: false as const, reason: 'skipped (--no-astro)' };
  if (installed.ok) {
    try {
      astro = await startAstro(sim.url, token, JSON.stringify(listBody));
      astroNote = `astro-airflow-mcp ${ASTRO_VERSION} (PyPI), FastMCP stateless HTTP, --auth-token, telemetry off`;
      const p = await preflight('astro tools/call', post(astro.url, token, callBody), 1);
      if (p) {
        problems.push(p);
        astroNote += ` — preflight: ${p}`;
      }
    } catch (error) {
      astroNote = `astro-airflow-mcp ${ASTRO_VERSION} installed but did not start: ${(error as Error).message.slice(0, 300)}`;
    }
  } else {
    astroNote = `astro-airflow-mcp ${ASTRO_VERSION} not run: ${installed.reason}`;
  }
  log(astroNote);
  for (const p of problems) log(`PREFLIGHT PROBLEM: ${p}`);

  // ---- closed model (autocannon): every target once per round, rounds repeated -------------------
  // The machine is shared: load drifts within seconds. Interleaving targets in rounds and comparing
  // them within a round (paired ratios) cancels most of that drift.
  interface Op {
    key: string;
    target: string;
    op: string;
    call: HttpCall;
    pid: number | undefined;
    connections: number;
    seconds: number;
  }
  const ops: Op[] = [];
  const add = (
    key: string,
    target: string,
    op: string,
    call: HttpCall,
    pid: number | undefined,
    c = CONNECTIONS,
    sec = ROUND_S,
  ) =>
    ops.push({
      key,
      target,
      op: c === CONNECTIONS ? op : `${op}, ${c} connections`,
      call,
      pid,
      connections: c,
      seconds: sec,
    });
  add('svc_call', 'airflow-mcp', 'tools/call list_dags (2025)', svcCall, service.child.proc.pid);
  add('sdk_call', 'SDK reference', 'tools/call list_dags (2025)', sdkCall, sdk.child.proc.pid);
  add(
    'sdk_call_flags',
    "SDK reference, the image's Node flags",
    'tools/call list_dags (2025)',
    sdkFlagsCall,
    sdkFlags.child.proc.pid,
  );
  add('svc_list', 'airflow-mcp', 'tools/list (2025)', svcList, service.child.proc.pid);
  add('sdk_list', 'SDK reference', 'tools/list (2025)', sdkList, sdk.child.proc.pid);
  add('svc_modern', 'airflow-mcp', 'tools/call list_dags (2026-07-28)', svcModern, service.child.proc.pid);
  if (astro) {
    // Python answers a few requests per second here: fewer connections and a longer window, so
    // requests complete inside it (autocannon drops the ones still in flight at the end).
    const sec = Math.max(ROUND_S, 8);
    add(
      'astro_call',
      'astro-airflow-mcp',
      'tools/call list_dags (2025)',
      post(astro.url, token, callBody),
      astro.child.proc.pid,
      8,
      sec,
    );
    add(
      'astro_list',
      'astro-airflow-mcp',
      'tools/list (2025)',
      post(astro.url, token, listBody),
      astro.child.proc.pid,
      8,
      sec,
    );
    add('svc_call_8', 'airflow-mcp', 'tools/call list_dags (2025)', svcCall, service.child.proc.pid, 8, sec);
  }
  add(
    'floor_call',
    'bare node:http proxy (floor)',
    'tools/call list_dags (2025)',
    floorCall,
    floor.child.proc.pid,
  );
  add(
    'stack_call',
    'express + undici proxy (stack floor)',
    'tools/call list_dags (2025)',
    stackCall,
    stack.child.proc.pid,
  );
  add('echo', 'raw node:http echo', 'POST JSON', echoCall, echo.child.proc.pid);
  add('sim', 'simulator direct', `GET ${upstreamPath}`, direct, sim.child.proc.pid);
  // Warm every target up first (JIT, pools, caches), results discarded: otherwise whichever target
  // runs first in its life is measured cold, which skews single-round (quick) ratios badly.
  for (const o of ops) await closed(o.call, o.connections, WARMUP_S);
  const samples = new Map<string, Closed[]>();
  for (let round = 1; round <= ROUNDS; round++) {
    for (const o of ops) {
      const r = await closed(o.call, o.connections, o.seconds, o.pid);
      samples.set(o.key, [...(samples.get(o.key) ?? []), r]);
      const cpu = r.cpuPerReq === undefined ? '' : `, ${r.cpuPerReq.toFixed(2)} CPU ms/req`;
      log(
        `round ${round} closed ${o.target} ${o.op}: ${r.rps} req/s${cpu}, p50 ${r.p50} ms, p99 ${r.p99} ms, errors ${r.errors}, non-2xx ${r.non2xx}`,
      );
    }
  }
  const closedRows = ops.map((o) => ({ target: o.target, op: o.op, r: aggregate(samples.get(o.key)!) }));
  const row = (key: string) => aggregate(samples.get(key) ?? []);
  /** Median over rounds of a/b measured in the same round. */
  const paired = (a: string, b: string, pick: (c: Closed) => number | undefined) => {
    const xs = samples.get(a) ?? [];
    const ys = samples.get(b) ?? [];
    const ratios = xs
      .map((x, i) => {
        const nx = pick(x);
        const ny = ys[i] === undefined ? undefined : pick(ys[i]!);
        return nx === undefined || ny === undefined || ny === 0 ? undefined : nx / ny;
      })
      .filter((v): v is number => v !== undefined && Number.isFinite(v));
    return ratios.length === 0 ? undefined : median(ratios);
  };
  const svcClosed = row('svc_call');
  const svcListClosed = row('svc_list');
  const sdkClosed = row('sdk_call');
  const sdkListClosed = row('sdk_list');
  const astroRow = astro ? row('astro_call') : undefined;
  const astroClosed = astroRow && astroRow.total > 0 ? astroRow : undefined;
  const echoClosed = row('echo');
  const simClosed = row('sim');
  const vsSdk = {
    rps: paired('svc_call', 'sdk_call', (c) => c.rps),
    cpu: paired('sdk_call', 'svc_call', (c) => c.cpuPerReq),
  };
  const floorVsSdk = {
    rps: paired('floor_call', 'sdk_call', (c) => c.rps),
    cpu: paired('sdk_call', 'floor_call', (c) => c.cpuPerReq),
  };
  const vsSdkFlags = {
    rps: paired('svc_call', 'sdk_call_flags', (c) => c.rps),
    cpu: paired('sdk_call_flags', 'svc_call', (c) => c.cpuPerReq),
  };
  /** airflow-mcp's CPU per tools/call over the stack floor's (goal ≤ 2). */
  const vsStackCpu = paired('svc_call', 'stack_call', (c) => c.cpuPerReq);
  /** A 2026-07-28 tools/call's CPU over a 2025-era one's (goal ≤ 2). */
  const modernVsLegacyCpu = paired('svc_modern', 'svc_call', (c) => c.cpuPerReq);
  const vsAstro = {
    rps: paired('svc_call_8', 'astro_call', (c) => (c.total > 0 ? c.rps : undefined)),
    cpu: paired('astro_call', 'svc_call_8', (c) => c.cpuPerReq),
  };
  log(
    `paired ratios: vs SDK reference ${fmt(vsSdk.rps)}× req/s, ${fmt(vsSdk.cpu)}× less CPU/req (with the image's flags: ${fmt(vsSdkFlags.rps)}× req/s, ${fmt(vsSdkFlags.cpu)}× less CPU/req; bare proxy floor: ${fmt(floorVsSdk.rps)}× req/s, ${fmt(floorVsSdk.cpu)}× less CPU/req); CPU vs express + undici floor ${fmt(vsStackCpu)}×; 2026-07-28 vs 2025 CPU ${fmt(modernVsLegacyCpu)}×; vs astro ${fmt(vsAstro.rps)}× req/s, ${fmt(vsAstro.cpu)}× less CPU/req`,
  );

  // ---- latency without queueing: one connection, one request at a time -----------------------------
  // With no added upstream latency: Node's timers have 1 ms granularity, so a 2 ms sleep lasts 2-3 ms
  // depending on its phase, and that jitter differs between paths and would swamp a sub-ms difference.
  // Like the closed model, in interleaved rounds: the overhead is the median of differences taken
  // within a round, so a slow stretch of the machine hits both sides of a difference.
  await setSimLatency(sim.url, 0);
  const serialTargets = [
    ['airflow-mcp tools/call', svcCall],
    ['SDK reference tools/call', sdkCall],
    ['simulator direct', direct],
    ['raw echo', echoCall],
  ] as const;
  const serialRounds: Latency[][] = serialTargets.map(() => []);
  for (let round = 0; round < SERIAL_ROUNDS; round++) {
    for (const [i, [, call]] of serialTargets.entries()) {
      serialRounds[i]!.push(await serialLatency(call, SERIAL_S / SERIAL_ROUNDS));
    }
  }
  await setSimLatency(sim.url, LATENCY_MS);
  const serial = serialTargets.map(([target], i) => {
    const rs = serialRounds[i]!;
    const r: Latency = {
      p50: median(rs.map((x) => x.p50)),
      p99: median(rs.map((x) => x.p99)),
      n: rs.reduce((a, x) => a + x.n, 0),
      errors: rs.reduce((a, x) => a + x.errors, 0),
    };
    log(
      `serial ${target}: p50 ${r.p50.toFixed(3)} ms, p99 ${r.p99.toFixed(3)} ms (median of ${rs.length} rounds; ${r.n} requests, ${r.errors} errors)`,
    );
    return { target, r };
  });
  const pairedOverhead = (pick: (l: Latency) => number) =>
    median(
      serialRounds[0]!.map((svc, round) => pick(svc) - upstreamPerCall * pick(serialRounds[2]![round]!)),
    );
  const overheadP50 = pairedOverhead((l) => l.p50);
  const overheadP99 = pairedOverhead((l) => l.p99);
  log(
    `serial overhead per round (p50): ${serialRounds[0]!.map((svc, round) => (svc.p50 - upstreamPerCall * serialRounds[2]![round]!.p50).toFixed(3)).join(', ')} ms`,
  );

  // ---- open model: fixed arrival rates -------------------------------------------------------------
  const openRows: { target: string; r: Open }[] = [];
  for (const [target, call] of [
    ['airflow-mcp', svcCall],
    ['SDK reference', sdkCall],
  ] as const) {
    for (const fraction of RATE_FRACTIONS) {
      const rate = Math.max(10, Math.round((svcClosed.rps * fraction) / 10) * 10);
      const r = await openModel(call, rate, OPEN_S, 512);
      openRows.push({ target, r });
      log(
        `open ${target} @${rate}/s: achieved ${r.achieved}/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, errors ${r.errors}, dropped ${r.dropped}`,
      );
    }
  }
  // The floor's memory after the same closed-model rounds, to set against airflow-mcp's.
  const floorServed = (samples.get('floor_call') ?? []).reduce((a, r) => a + r.total, 0);
  const floorRss = { idle: floorIdleRss, loaded: rssMiB(floor.child.proc.pid!), served: floorServed };
  const stackServed = (samples.get('stack_call') ?? []).reduce((a, r) => a + r.total, 0);
  const stackRss = { idle: stackIdleRss, loaded: rssMiB(stack.child.proc.pid!), served: stackServed };
  for (const t of [sdk, sdkFlags, echo, floor, stack, astro]) if (t) await stopChild(t.child);

  // ---- memory --------------------------------------------------------------------------------------
  // The process that served the closed-model rounds, as it stands after them.
  const closedServed = [...samples.entries()]
    .filter(([k]) => k.startsWith('svc_'))
    .reduce((a, [, rs]) => a + rs.reduce((b, r) => b + r.total, 0), 0);
  const rssAfterClosed = rssMiB(service.child.proc.pid!);
  await stopChild(service.child);
  // The leak check: a fresh process with the image's flags (as the spec'd figure: RSS after RSS_TOTAL
  // requests, growth over the second half), sent in chunks with a time budget so a slow machine
  // cannot stall the run; the report says how many were actually sent.
  service = await startService(sim.url);
  const rssIdle = rssMiB(service.child.proc.pid!);
  const memCall = post(service.url, token, callBody);
  await sendAmount(memCall, 1000, CONNECTIONS);
  const rssStart = rssMiB(service.child.proc.pid!);
  const memDeadline = Date.now() + MEM_BUDGET_S * 1000;
  // RSS is sampled after every twentieth: one sample moves by several MiB with the timing of V8's
  // last major GC, so the growth over the second half is the trend of its samples, not two points.
  const memSamples: { sent: number; rss: number }[] = [];
  let memErrors = 0;
  let sentSoFar = 0;
  const sendHalf = async () => {
    const chunk = RSS_TOTAL / 20;
    for (let n = 0; n < 10 && Date.now() < memDeadline; n++) {
      const r = await sendAmount(memCall, chunk, CONNECTIONS);
      sentSoFar += r.total;
      memErrors += r.errors + r.non2xx;
      memSamples.push({ sent: sentSoFar, rss: rssMiB(service.child.proc.pid!) });
    }
    return sentSoFar;
  };
  const sentHalf = await sendHalf();
  const rssHalf = rssMiB(service.child.proc.pid!);
  const heapHalf = await heapUsedMiB(service.url);
  const sentTotal = await sendHalf();
  const rssEnd = rssMiB(service.child.proc.pid!);
  const heapEnd = await heapUsedMiB(service.url);
  const memSent = { half: sentHalf, total: sentTotal };
  const rssTrend = trendOver(
    memSamples.filter((s) => s.sent >= sentHalf).map((s) => ({ x: s.sent, y: s.rss })),
    sentTotal - sentHalf,
  );
  log(
    `memory: RSS ${rssIdle.toFixed(1)} MiB idle, ${rssStart.toFixed(1)} after warm-up, ${rssHalf.toFixed(1)} after ${memSent.half}, ${rssEnd.toFixed(1)} after ${memSent.total} (trend over the second half ${fmt(rssTrend)} MiB; samples ${memSamples.map((s) => s.rss.toFixed(1)).join(' ')}); heap used ${heapHalf.toFixed(1)} → ${heapEnd.toFixed(1)} MiB; errors ${memErrors}; closed-model process: ${rssAfterClosed.toFixed(1)} MiB after ${closedServed} requests`,
  );
  await stopChild(service.child);

  // ---- cold start ------------------------------------------------------------------------------------
  const colds: number[] = [];
  for (let i = 0; i < COLD_RUNS; i++) colds.push(await coldStart(sim.url));
  const cold = median(colds);
  log(
    `cold start (spawn → /readyz 200): median ${cold.toFixed(0)} ms of ${colds.map((c) => c.toFixed(0)).join(', ')}`,
  );

  // ---- CPU profile of the service under the closed tools/call load ------------------------------------
  let profile: ProfileSummary | undefined;
  if (PROFILE) {
    const dir = resolve(CACHE, 'prof');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    // The unbundled build of the same sources: in the bundle every frame would be in one file.
    const prof = await startService(sim.url, ['--cpu-prof', '--cpu-prof-dir', dir], SERVICE_UNBUNDLED);
    await closed(post(prof.url, token, callBody), CONNECTIONS, QUICK ? 5 : 15);
    await stopChild(prof.child);
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (file) {
      profile = summariseProfile(resolve(dir, file), {
        'MCP SDK (@modelcontextprotocol/*)': /node_modules\/@modelcontextprotocol\//,
        'per-request Server construction (server-factory)': /src\/mcp\/server-factory\.js/,
        zod: /node_modules\/zod\//,
        'express 5 (router, body-parser, raw-body)':
          /node_modules\/(express|router|body-parser|raw-body|iconv-lite|type-is|content-type|on-finished|finalhandler|send|qs)\//,
        'our HTTP handling (src/server: guards, middleware, answers)': /src\/server\/.*\.js/,
        'pino (access log)': /node_modules\/(pino|sonic-boom|fast-redact)/,
        'prom-client': /node_modules\/prom-client\//,
        'undici (Airflow calls)': /node_modules\/undici\//,
        'our Airflow client (src/airflow/http-client, resilience)':
          /src\/airflow\/(http-client|resilience|airflow-dispatcher)\.js/,
        'hono node adapter (web Request/Response)': /node_modules\/@hono\//,
        'garbage collection': /^\(garbage collector\)/,
        'Node req/res ↔ web Request/Response (@modelcontextprotocol/node)':
          /node_modules\/@modelcontextprotocol\/node\//,
        'web streams (node:internal/webstreams)': /node:internal\/webstreams/,
        'SdkError construction (an exception per request)': /^SdkError /,
        'SSE framing (writeSSEEvent)': /^writeSSEEvent /,
        'module loading (start-up, not per request)':
          /^(compileSourceTextModule|wrapSafe|compileForInternalLoader|internalModuleStat|link|instantiate) /,
      });
      log(`profile: ${profile.totalSamples} samples in .cache/bench/prof/${file}`);
      for (const a of profile.byArea.slice(0, 12)) log(`  self ${(a.share * 100).toFixed(1)}%  ${a.area}`);
      for (const a of profile.inclusive) log(`  incl ${(a.share * 100).toFixed(1)}%  ${a.label}`);
    }
  }

  const rssGrowth = rssTrend ?? rssEnd - rssHalf;
  const svcCpu = svcClosed.cpuPerReq;
  const stackCpu = row('stack_call').cpuPerReq;
  const sdkFlagsCpu = row('sdk_call_flags').cpuPerReq;
  const modernCpu = row('svc_modern').cpuPerReq;
  const checks: Check[] = [
    {
      goal: 'tools/call CPU ≤ 2× the express + undici proxy (stack floor)',
      ok: vsStackCpu === undefined ? null : vsStackCpu <= 2,
      value: `${fmt(vsStackCpu)}× (${fmt(svcCpu)} vs ${fmt(stackCpu)} CPU ms; the bare node:http floor ${fmt(row('floor_call').cpuPerReq)})`,
    },
    {
      goal: 'tools/call ≥ 3× less CPU than the SDK reference, same Node flags',
      ok: vsSdkFlags.cpu === undefined ? null : vsSdkFlags.cpu >= 3,
      value: `${fmt(vsSdkFlags.cpu)}× less CPU, ${fmt(vsSdkFlags.rps)}× req/s (${fmt(sdkFlagsCpu)} CPU ms). On its own defaults: ${fmt(vsSdk.cpu)}× less CPU, ${fmt(vsSdk.rps)}× req/s (${fmt(sdkClosed.cpuPerReq)} CPU ms)`,
    },
    {
      goal: 'tools/call ≥ 10× Python anchor',
      ok: vsAstro.rps === undefined ? null : vsAstro.rps >= 10,
      value: astroClosed
        ? `${fmt(vsAstro.rps)}× req/s at 8 connections; ${fmt(vsAstro.cpu)}× less CPU per request`
        : 'not measured',
    },
    { goal: 'MCP overhead p50 ≤ 1 ms', ok: overheadP50 <= 1, value: `${overheadP50.toFixed(3)} ms` },
    { goal: 'cold start ≤ 500 ms', ok: cold <= 500, value: `${cold.toFixed(0)} ms` },
    {
      goal: `no RSS growth between ${memSent.half} and ${memSent.total} calls (≤ 5 MiB)`,
      ok: rssGrowth <= 5 && memErrors === 0,
      value: `${rssGrowth >= 0 ? '+' : ''}${rssGrowth.toFixed(1)} MiB RSS (least-squares trend of ${memSamples.filter((s) => s.sent >= sentHalf).length} samples; the two end points alone: ${(rssEnd - rssHalf).toFixed(1)}), heap ${heapHalf.toFixed(1)} → ${heapEnd.toFixed(1)} MiB`,
    },
    {
      goal: 'RSS after load within 20 MiB of the express + undici proxy',
      ok: rssEnd - stackRss.loaded <= 20,
      value: `${rssEnd.toFixed(1)} MiB after ${memSent.total} calls vs ${stackRss.loaded.toFixed(1)} MiB after its ${stackRss.served} (+${(rssEnd - stackRss.loaded).toFixed(1)}); bare node:http floor ${floorRss.loaded.toFixed(1)} MiB`,
    },
    {
      goal: 'a 2026-07-28 tools/call costs ≤ 2× a 2025-era one',
      ok: modernVsLegacyCpu === undefined ? null : modernVsLegacyCpu <= 2,
      value: `${fmt(modernVsLegacyCpu)}× (${fmt(modernCpu)} vs ${fmt(svcCpu)} CPU ms)`,
    },
    {
      goal: 'every target answered correctly (preflight, no errors/non-2xx)',
      ok: problems.length === 0 && closedRows.every((c) => c.r.errors === 0 && c.r.non2xx === 0),
      value: problems.length === 0 ? 'yes' : problems.join('; '),
    },
  ];
  for (const c of checks) log(`${c.ok === null ? 'N/A ' : c.ok ? 'MET ' : 'MISS'} ${c.goal}: ${c.value}`);

  const nodeVersion = execFileSync(NODE, ['--version'], { encoding: 'utf8' }).trim();
  const reportInput: ReportInput = {
    started,
    loadStart,
    loadEnd: loadavg(),
    quick: QUICK,
    nodeVersion,
    latencyMs: LATENCY_MS,
    connections: CONNECTIONS,
    closedSeconds: ROUND_S,
    rounds: ROUNDS,
    serialSeconds: SERIAL_S,
    serialRounds: SERIAL_ROUNDS,
    openSeconds: OPEN_S,
    rssTotal: RSS_TOTAL,
    upstreamPath,
    upstreamPerCall,
    memoryLimit: targetMemoryLimit().how,
    closedRows,
    serial,
    openRows,
    overheadP50,
    overheadP99,
    memory: {
      rssIdle,
      rssStart,
      rssHalf,
      rssEnd,
      heapHalf,
      heapEnd,
      rssTrend,
      samples: memSamples,
      errors: memErrors,
      rssAfterClosed,
      closedServed,
      sentHalf: memSent.half,
      sentTotal: memSent.total,
    },
    colds,
    cold,
    astroNote,
    profile,
    checks,
    floor: { ...floorRss, vsSdkRps: floorVsSdk.rps, vsSdkCpu: floorVsSdk.cpu },
    stackFloor: stackRss,
  };
  writeFileSync(SAVED, JSON.stringify(reportInput));
  writeReport(DOC, reportInput);
  log(`wrote ${DOC} (figures saved in ${SAVED})`);
  log(
    JSON.stringify({
      tools_call_rps: svcClosed.rps,
      tools_list_rps: svcListClosed.rps,
      sdk_reference_rps: sdkClosed.rps,
      sdk_reference_list_rps: sdkListClosed.rps,
      raw_echo_rps: echoClosed.rps,
      bare_proxy_rps: row('floor_call').rps,
      bare_proxy_cpu_ms: round3(row('floor_call').cpuPerReq),
      bare_proxy_rss_mib: Number(floorRss.loaded.toFixed(1)),
      tools_call_cpu_ms: round3(svcClosed.cpuPerReq),
      sdk_reference_cpu_ms: round3(sdkClosed.cpuPerReq),
      astro_cpu_ms: round3(astroClosed?.cpuPerReq),
      sim_direct_rps: simClosed.rps,
      astro_rps: astroClosed?.rps ?? null,
      astro_connections: astroClosed ? 8 : null,
      vs_sdk_reference_rps_ratio: vsSdk.rps === undefined ? null : Number(vsSdk.rps.toFixed(2)),
      vs_sdk_reference_cpu_ratio: vsSdk.cpu === undefined ? null : Number(vsSdk.cpu.toFixed(2)),
      vs_astro_rps_ratio: vsAstro.rps === undefined ? null : Number(vsAstro.rps.toFixed(2)),
      p50_ms: svcClosed.p50,
      p99_ms: svcClosed.p99,
      overhead_p50_ms: Number(overheadP50.toFixed(3)),
      overhead_p99_ms: Number(overheadP99.toFixed(3)),
      rss_mib: Number(rssEnd.toFixed(1)),
      rss_idle_mib: Number(rssIdle.toFixed(1)),
      rss_after_closed_runs_mib: Number(rssAfterClosed.toFixed(1)),
      rss_growth_mib: Number(rssGrowth.toFixed(1)),
      cold_start_ms: Math.round(cold),
      stack_floor_cpu_ms: round3(stackCpu),
      stack_floor_rss_mib: Number(stackRss.loaded.toFixed(1)),
      sdk_reference_same_flags_cpu_ms: round3(sdkFlagsCpu),
      modern_call_cpu_ms: round3(modernCpu),
      quick: QUICK,
      goals_met: Object.fromEntries(checks.map((c) => [c.goal, c.ok])),
    }),
  );
  return 0;
}

installExitHandlers();
let code = 1;
try {
  if (values.render) {
    const saved = JSON.parse(readFileSync(values.render, 'utf8')) as ReportInput;
    writeReport(DOC, { ...saved, started: new Date(saved.started) });
    log(`rendered ${DOC} from ${values.render}`);
    code = 0;
  } else code = await main();
} catch (error) {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
} finally {
  await cleanupAll();
}
process.exit(code);
