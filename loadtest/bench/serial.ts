// Bench step 3: latency without queueing (one connection, one request at a time) and the MCP overhead.
import { type Latency, serialLatency } from './measure.js';
import type { Plan } from './plan.js';
import type { Setup } from './setup.js';
import { setSimLatency } from './targets.js';
import { log, median } from './util.js';

export type SerialResults = Awaited<ReturnType<typeof serialRounds>>;

// With no added upstream latency: Node's timers have 1 ms granularity, so a 2 ms sleep lasts 2-3 ms
// depending on its phase, and that jitter differs between paths and would swamp a sub-ms difference.
// Like the closed model, in interleaved rounds: the overhead is the median of differences taken
// within a round, so a slow stretch of the machine hits both sides of a difference.
export async function serialRounds(plan: Plan, s: Setup) {
  const { calls, upstreamPerCall } = s;
  await setSimLatency(s.sim.url, 0);
  const serialTargets = [
    ['airflow-mcp tools/call', calls.svcCall],
    ['SDK reference tools/call', calls.sdkCall],
    ['simulator direct', calls.direct],
    ['raw echo', calls.echoCall],
  ] as const;
  const rounds: Latency[][] = serialTargets.map(() => []);
  for (let round = 0; round < plan.serialRounds; round++) {
    for (const [i, [, call]] of serialTargets.entries()) {
      rounds[i]!.push(await serialLatency(call, plan.serialSeconds / plan.serialRounds));
    }
  }
  await setSimLatency(s.sim.url, plan.latencyMs);
  const serial = serialTargets.map(([target], i) => {
    const rs = rounds[i]!;
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
    median(rounds[0]!.map((svc, round) => pick(svc) - upstreamPerCall * pick(rounds[2]![round]!)));
  const overheadP50 = pairedOverhead((l) => l.p50);
  const overheadP99 = pairedOverhead((l) => l.p99);
  log(
    `serial overhead per round (p50): ${rounds[0]!.map((svc, round) => (svc.p50 - upstreamPerCall * rounds[2]![round]!.p50).toFixed(3)).join(', ')} ms`,
  );
  return { serial, overheadP50, overheadP99 };
}
