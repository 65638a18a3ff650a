// Bench step 1: builds, starts the simulator and every target, and preflights each one's answer.
import { request } from 'undici';
import {
  modernHeaders,
  modernToolsCallRequest,
  toolsCallRequest,
  toolsListRequest,
} from '../lib/protocol.js';
import { type HttpCall, probe, rssMiB } from './measure.js';
import type { Plan } from './plan.js';
import {
  ASTRO_VERSION,
  buildAll,
  ensureAstro,
  type Running,
  startAstro,
  startBareProxy,
  startEcho,
  startSdkReference,
  startService,
  startSim,
  startStackProxy,
  targetMemoryLimit,
} from './targets.js';
import { log, post, preflight } from './util.js';

export type Setup = Awaited<ReturnType<typeof setUp>>;

export async function setUp(plan: Plan) {
  log(`bench${plan.quick ? ' --quick' : ''}: building into .cache/bench ...`);
  await buildAll();
  const sim = await startSim(plan.latencyMs);
  const token = sim.token;
  log(`simulator ${sim.url}, fixed latency ${plan.latencyMs} ms`);

  const callBody = toolsCallRequest(1, 'list_dags', {});
  const listBody = toolsListRequest(1);
  const modernCall = modernToolsCallRequest(1, 'list_dags', {});
  const problems: string[] = [];
  const check = async (name: string, call: HttpCall) => {
    const p = await preflight(name, call, 1);
    if (p) problems.push(p);
  };

  const service: Running = await startService(sim.url);
  const svcCall = post(service.url, token, callBody);
  const svcList = post(service.url, token, listBody);
  const svcModern = post(
    service.url,
    token,
    modernCall,
    modernHeaders(modernCall, { authorization: `Bearer ${token}` }),
  );
  await check('service tools/call', svcCall);
  await check('service tools/list', svcList);
  await check('service 2026 tools/call', svcModern);
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
  await check('sdk-reference tools/call', sdkCall);
  await check('sdk-reference tools/list', sdkList);
  const echo = await startEcho();
  const echoCall = post(echo.url, token, callBody);
  const floor = await startBareProxy(sim.url, upstreamPath);
  const floorCall = post(floor.url, token, callBody);
  await check('bare proxy tools/call', floorCall);
  const floorIdleRss = rssMiB(floor.child.proc.pid!);
  const stack = await startStackProxy(sim.url, upstreamPath);
  const stackCall = post(stack.url, token, callBody);
  await check('express + undici proxy tools/call', stackCall);
  const stackIdleRss = rssMiB(stack.child.proc.pid!);
  // The SDK reference once more with the image's Node flags and allocator: a ratio that measures code.
  const sdkFlags = await startSdkReference(sim.url, true);
  const sdkFlagsCall = post(sdkFlags.url, token, callBody);
  await check('sdk-reference (image flags) tools/call', sdkFlagsCall);

  let astro: Running | undefined;
  let astroNote: string;
  const installed = plan.astro ? ensureAstro() : { ok: false as const, reason: 'skipped (--no-astro)' };
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

  return {
    sim,
    token,
    callBody,
    listBody,
    problems,
    upstreamPerCall,
    upstreamPath,
    astroNote,
    targets: { service, sdk, sdkFlags, echo, floor, stack, astro },
    calls: {
      svcCall,
      svcList,
      svcModern,
      sdkCall,
      sdkList,
      sdkFlagsCall,
      echoCall,
      floorCall,
      stackCall,
      direct,
    },
    idleRss: { floor: floorIdleRss, stack: stackIdleRss },
  };
}
