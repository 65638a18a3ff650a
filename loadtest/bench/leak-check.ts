// Bench step 5: memory — the floors' RSS after their rounds, the closed-model process, and the leak check.
import { stopChild } from '../harness/procs.js';
import { type Closed, rssMiB, sendAmount, trendOver } from './measure.js';
import type { Plan } from './plan.js';
import type { Setup } from './setup.js';
import { startService } from './targets.js';
import { fmt, heapUsedMiB, log, post } from './util.js';

export type Memory = Awaited<ReturnType<typeof leakCheck>>;

/** Stops every target but the simulator; the service is restarted fresh for the leak check. */
export async function leakCheck(plan: Plan, s: Setup, samples: Map<string, Closed[]>) {
  const { targets } = s;
  // The floor's memory after the same closed-model rounds, to set against airflow-mcp's.
  const floorServed = (samples.get('floor_call') ?? []).reduce((a, r) => a + r.total, 0);
  const floorRss = {
    idle: s.idleRss.floor,
    loaded: rssMiB(targets.floor.child.proc.pid!),
    served: floorServed,
  };
  const stackServed = (samples.get('stack_call') ?? []).reduce((a, r) => a + r.total, 0);
  const stackRss = {
    idle: s.idleRss.stack,
    loaded: rssMiB(targets.stack.child.proc.pid!),
    served: stackServed,
  };
  for (const t of [
    targets.sdk,
    targets.sdkFlags,
    targets.echo,
    targets.floor,
    targets.stack,
    targets.astro,
  ]) {
    if (t) await stopChild(t.child);
  }

  // The process that served the closed-model rounds, as it stands after them.
  const closedServed = [...samples.entries()]
    .filter(([k]) => k.startsWith('svc_'))
    .reduce((a, [, rs]) => a + rs.reduce((b, r) => b + r.total, 0), 0);
  const rssAfterClosed = rssMiB(targets.service.child.proc.pid!);
  await stopChild(targets.service.child);
  // The leak check: a fresh process with the image's flags (as the spec'd figure: RSS after rssTotal
  // requests, growth over the second half), sent in chunks with a time budget so a slow machine
  // cannot stall the run; the report says how many were actually sent.
  const service = await startService(s.sim.url);
  const pid = service.child.proc.pid!;
  const rssIdle = rssMiB(pid);
  const memCall = post(service.url, s.token, s.callBody);
  await sendAmount(memCall, 1000, plan.connections);
  const rssStart = rssMiB(pid);
  const memDeadline = Date.now() + plan.memBudgetSeconds * 1000;
  // RSS is sampled after every twentieth: one sample moves by several MiB with the timing of V8's
  // last major GC, so the growth over the second half is the trend of its samples, not two points.
  const memSamples: { sent: number; rss: number }[] = [];
  let memErrors = 0;
  let sentSoFar = 0;
  const sendHalf = async () => {
    const chunk = plan.rssTotal / 20;
    for (let n = 0; n < 10 && Date.now() < memDeadline; n++) {
      const r = await sendAmount(memCall, chunk, plan.connections);
      sentSoFar += r.total;
      memErrors += r.errors + r.non2xx;
      memSamples.push({ sent: sentSoFar, rss: rssMiB(pid) });
    }
    return sentSoFar;
  };
  const sentHalf = await sendHalf();
  const rssHalf = rssMiB(pid);
  const heapHalf = await heapUsedMiB(service.url);
  const sentTotal = await sendHalf();
  const rssEnd = rssMiB(pid);
  const heapEnd = await heapUsedMiB(service.url);
  const rssTrend = trendOver(
    memSamples.filter((x) => x.sent >= sentHalf).map((x) => ({ x: x.sent, y: x.rss })),
    sentTotal - sentHalf,
  );
  log(
    `memory: RSS ${rssIdle.toFixed(1)} MiB idle, ${rssStart.toFixed(1)} after warm-up, ${rssHalf.toFixed(1)} after ${sentHalf}, ${rssEnd.toFixed(1)} after ${sentTotal} (trend over the second half ${fmt(rssTrend)} MiB; samples ${memSamples.map((x) => x.rss.toFixed(1)).join(' ')}); heap used ${heapHalf.toFixed(1)} → ${heapEnd.toFixed(1)} MiB; errors ${memErrors}; closed-model process: ${rssAfterClosed.toFixed(1)} MiB after ${closedServed} requests`,
  );
  await stopChild(service.child);
  return {
    floorRss,
    stackRss,
    /** The shape ReportInput.memory takes. */
    service: {
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
      sentHalf,
      sentTotal,
    },
  };
}
