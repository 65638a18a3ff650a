// Bench step 2: the closed model (autocannon), every target once per interleaved round, and paired ratios.
import { type Closed, closed, type HttpCall } from './measure.js';
import type { Plan } from './plan.js';
import type { Setup } from './setup.js';
import { aggregate, fmt, log, median, post } from './util.js';

interface Op {
  key: string;
  target: string;
  op: string;
  call: HttpCall;
  pid: number | undefined;
  connections: number;
  seconds: number;
}

export type ClosedResults = Awaited<ReturnType<typeof closedRounds>>;

/** The targets in the order each round runs them. */
function operations(plan: Plan, s: Setup): Op[] {
  const { calls, targets, token } = s;
  const svcPid = targets.service.child.proc.pid;
  const ops: Op[] = [];
  const add = (
    key: string,
    target: string,
    op: string,
    call: HttpCall,
    pid: number | undefined,
    c = plan.connections,
    sec = plan.roundSeconds,
  ) =>
    ops.push({
      key,
      target,
      op: c === plan.connections ? op : `${op}, ${c} connections`,
      call,
      pid,
      connections: c,
      seconds: sec,
    });
  add('svc_call', 'airflow-mcp', 'tools/call list_dags (2025)', calls.svcCall, svcPid);
  add('sdk_call', 'SDK reference', 'tools/call list_dags (2025)', calls.sdkCall, targets.sdk.child.proc.pid);
  add(
    'sdk_call_flags',
    "SDK reference, the image's Node flags",
    'tools/call list_dags (2025)',
    calls.sdkFlagsCall,
    targets.sdkFlags.child.proc.pid,
  );
  add('svc_list', 'airflow-mcp', 'tools/list (2025)', calls.svcList, svcPid);
  add('sdk_list', 'SDK reference', 'tools/list (2025)', calls.sdkList, targets.sdk.child.proc.pid);
  add('svc_modern', 'airflow-mcp', 'tools/call list_dags (2026-07-28)', calls.svcModern, svcPid);
  const astro = targets.astro;
  if (astro) {
    // Python answers a few requests per second here: fewer connections and a longer window, so
    // requests complete inside it (autocannon drops the ones still in flight at the end).
    const sec = Math.max(plan.roundSeconds, 8);
    const astroPid = astro.child.proc.pid;
    add(
      'astro_call',
      'astro-airflow-mcp',
      'tools/call list_dags (2025)',
      post(astro.url, token, s.callBody),
      astroPid,
      8,
      sec,
    );
    add(
      'astro_list',
      'astro-airflow-mcp',
      'tools/list (2025)',
      post(astro.url, token, s.listBody),
      astroPid,
      8,
      sec,
    );
    add('svc_call_8', 'airflow-mcp', 'tools/call list_dags (2025)', calls.svcCall, svcPid, 8, sec);
  }
  add(
    'floor_call',
    'bare node:http proxy (floor)',
    'tools/call list_dags (2025)',
    calls.floorCall,
    targets.floor.child.proc.pid,
  );
  add(
    'stack_call',
    'express + undici proxy (stack floor)',
    'tools/call list_dags (2025)',
    calls.stackCall,
    targets.stack.child.proc.pid,
  );
  add('echo', 'raw node:http echo', 'POST JSON', calls.echoCall, targets.echo.child.proc.pid);
  add('sim', 'simulator direct', `GET ${s.upstreamPath}`, calls.direct, s.sim.child.proc.pid);
  return ops;
}

// The machine is shared: load drifts within seconds. Interleaving targets in rounds and comparing
// them within a round (paired ratios) cancels most of that drift.
export async function closedRounds(plan: Plan, s: Setup) {
  const ops = operations(plan, s);
  // Warm every target up first (JIT, pools, caches), results discarded: otherwise whichever target
  // runs first in its life is measured cold, which skews single-round (quick) ratios badly.
  for (const o of ops) await closed(o.call, o.connections, plan.warmupSeconds);
  const samples = new Map<string, Closed[]>();
  for (let round = 1; round <= plan.rounds; round++) {
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
  const astroRow = s.targets.astro ? row('astro_call') : undefined;
  const ratios = {
    vsSdk: {
      rps: paired('svc_call', 'sdk_call', (c) => c.rps),
      cpu: paired('sdk_call', 'svc_call', (c) => c.cpuPerReq),
    },
    floorVsSdk: {
      rps: paired('floor_call', 'sdk_call', (c) => c.rps),
      cpu: paired('sdk_call', 'floor_call', (c) => c.cpuPerReq),
    },
    vsSdkFlags: {
      rps: paired('svc_call', 'sdk_call_flags', (c) => c.rps),
      cpu: paired('sdk_call_flags', 'svc_call', (c) => c.cpuPerReq),
    },
    /** airflow-mcp's CPU per tools/call over the stack floor's (goal ≤ 2). */
    vsStackCpu: paired('svc_call', 'stack_call', (c) => c.cpuPerReq),
    /** A 2026-07-28 tools/call's CPU over a 2025-era one's (goal ≤ 2). */
    modernVsLegacyCpu: paired('svc_modern', 'svc_call', (c) => c.cpuPerReq),
    vsAstro: {
      rps: paired('svc_call_8', 'astro_call', (c) => (c.total > 0 ? c.rps : undefined)),
      cpu: paired('astro_call', 'svc_call_8', (c) => c.cpuPerReq),
    },
  };
  const { vsSdk, vsSdkFlags, floorVsSdk, vsStackCpu, modernVsLegacyCpu, vsAstro } = ratios;
  log(
    `paired ratios: vs SDK reference ${fmt(vsSdk.rps)}× req/s, ${fmt(vsSdk.cpu)}× less CPU/req (with the image's flags: ${fmt(vsSdkFlags.rps)}× req/s, ${fmt(vsSdkFlags.cpu)}× less CPU/req; bare proxy floor: ${fmt(floorVsSdk.rps)}× req/s, ${fmt(floorVsSdk.cpu)}× less CPU/req); CPU vs express + undici floor ${fmt(vsStackCpu)}×; 2026-07-28 vs 2025 CPU ${fmt(modernVsLegacyCpu)}×; vs astro ${fmt(vsAstro.rps)}× req/s, ${fmt(vsAstro.cpu)}× less CPU/req`,
  );
  return {
    samples,
    closedRows,
    row,
    svc: row('svc_call'),
    svcList: row('svc_list'),
    sdk: row('sdk_call'),
    sdkList: row('sdk_list'),
    astro: astroRow && astroRow.total > 0 ? astroRow : undefined,
    echo: row('echo'),
    sim: row('sim'),
    ...ratios,
  };
}
