// Developer loop for performance work: one service, one closed tools/call run, CPU per request, serial latency, profile.
// Usage: npm run bench:dev -- [--profile] [--unbundled] [--seconds 5] [--no-build] [--list | --modern]
//        [--flags='--node-flag ...']  (--unbundled: profile frames keep their package paths)
// (profile: .cache/bench/dev-prof/). Minutes shorter than `npm run bench`, for trying a change.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cleanupAll, installExitHandlers, stopChild } from '../harness/procs.js';
import {
  modernHeaders,
  modernToolsCallRequest,
  toolsCallRequest,
  toolsListRequest,
} from '../lib/protocol.js';
import { closed, type HttpCall, rssMiB, serialLatency } from './measure.js';
import { summariseProfile } from './profile.js';
import {
  buildAll,
  CACHE,
  SERVICE_MAIN,
  SERVICE_UNBUNDLED,
  setSimLatency,
  startService,
  startSim,
} from './targets.js';

const { values } = parseArgs({
  options: {
    profile: { type: 'boolean', default: false },
    seconds: { type: 'string', default: '5' },
    build: { type: 'boolean', default: true },
    list: { type: 'boolean', default: false },
    modern: { type: 'boolean', default: false },
    unbundled: { type: 'boolean', default: false },
    flags: { type: 'string', default: '' },
  },
  allowNegative: true,
});
installExitHandlers();
if (values.build) await buildAll();
const sim = await startSim(2);
const dir = resolve(CACHE, 'dev-prof');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const svc = await startService(
  sim.url,
  [
    ...(values.flags ? values.flags.split(' ') : []),
    ...(values.profile ? ['--cpu-prof', '--cpu-prof-dir', dir] : []),
  ],
  values.unbundled ? SERVICE_UNBUNDLED : SERVICE_MAIN,
);
const headers = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2025-06-18',
  authorization: `Bearer ${sim.token}`,
};
const body = values.list
  ? toolsListRequest(1)
  : values.modern
    ? modernToolsCallRequest(1, 'list_dags', { limit: 25 })
    : toolsCallRequest(1, 'list_dags', { limit: 25 });
const call: HttpCall = {
  url: svc.url,
  method: 'POST',
  headers: values.modern ? modernHeaders(body, { authorization: headers.authorization }) : headers,
  body: JSON.stringify(body),
};
const secs = Number(values.seconds);
await closed(call, 32, 2, svc.child.proc.pid);
const c = await closed(call, 32, secs, svc.child.proc.pid);
const metricsUrl = svc.url.replace(/\/mcp$/, '/metrics');
const upstream = async () => {
  const text = await (await fetch(metricsUrl)).text();
  const sum = /upstream_request_duration_seconds_sum\{route="\/api\/v2\/dags"\} (\S+)/.exec(text);
  const count = /upstream_request_duration_seconds_count\{route="\/api\/v2\/dags"\} (\S+)/.exec(text);
  const hsum = /http_request_duration_seconds_sum\{method="POST",route="\/mcp"\} (\S+)/.exec(text);
  return [Number(sum?.[1]), Number(count?.[1]), Number(hsum?.[1])] as const;
};
// Serial figures without the simulator's sleep, whose 1 ms timer granularity would swamp the overhead.
await setSimLatency(sim.url, 0);
const u0 = await upstream();
const s = await serialLatency(call, 2);
const u1 = await upstream();
const n = u1[1] - u0[1];
console.log(
  `serial: mean upstream ${(((u1[0] - u0[0]) / n) * 1000).toFixed(3)} ms, mean in-server ${(((u1[2] - u0[2]) / n) * 1000).toFixed(3)} ms over ${n}`,
);
const direct = await serialLatency(
  {
    url: `${sim.url}/api/v2/dags?limit=25&offset=0&order_by=dag_id`,
    method: 'GET',
    headers: { authorization: `Bearer ${sim.token}` },
  },
  2,
);
console.log(
  `closed: ${c.rps} req/s, ${c.cpuPerReq?.toFixed(3)} CPU ms/req, p50 ${c.p50} p99 ${c.p99}, errors ${c.errors} non2xx ${c.non2xx}`,
);
console.log(
  `serial p50 ${s.p50.toFixed(3)} ms (sim direct ${direct.p50.toFixed(3)}), overhead ${(s.p50 - direct.p50).toFixed(3)} ms; RSS ${rssMiB(svc.child.proc.pid!).toFixed(1)} MiB`,
);
const mem = (await (await fetch(metricsUrl)).text())
  .split('\n')
  .filter((l) =>
    /^airflow_mcp_(nodejs_heap_size|nodejs_external|process_resident|nodejs_heap_space_size_used_bytes)/.test(
      l,
    ),
  );
console.log(mem.join('\n'));
await stopChild(svc.child);
if (values.profile) {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (file) {
    const p = summariseProfile(resolve(dir, file));
    for (const a of p.byArea.slice(0, 15)) console.log(`  self ${(a.share * 100).toFixed(1)}%  ${a.area}`);
    for (const a of p.byFunction.slice(0, 25)) console.log(`  fn ${(a.share * 100).toFixed(1)}%  ${a.fn}`);
  }
}
await cleanupAll();
process.exit(0);
