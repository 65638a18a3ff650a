// Rolling restart under load, one replica at a time, the way a Deployment rollout with maxUnavailable 1 does.
import type { EndpointsController, RotationTarget } from './controller.js';
import { sleep } from './procs.js';
import { type Replica, type ReplicaLauncher, scrapeMetrics, startReplica, stopReplica } from './replicas.js';

export interface RollingInput {
  replicas: Replica[];
  launcher: ReplicaLauncher;
  controller: EndpointsController;
  target: RotationTarget;
  /** Forwarding counters at load start, per replica name; replaced for each new generation. */
  baseline: Record<string, Record<string, number>>;
  /** Final forwarding deltas of replaced generations. */
  retired: Record<string, number>[];
  deadline: number;
  log: (line: string) => void;
}

function delta(now: Record<string, number>, base: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(now)) out[k] = v - (base[k] ?? 0);
  return out;
}

/**
 * The last counters of a draining replica: once it left the rotation and nothing is in flight,
 * scraped twice with equal totals (it keeps serving /metrics during SHUTDOWN_DELAY_MS).
 */
async function finalCounters(
  replica: Replica,
  withinMs: number,
): Promise<Record<string, number> | undefined> {
  const until = Date.now() + withinMs;
  let last: string | undefined;
  let lastValue: Record<string, number> | undefined;
  while (Date.now() < until) {
    try {
      const s = await scrapeMetrics(replica.slot);
      const key = JSON.stringify(s.forwarding);
      lastValue = s.forwarding;
      if (s.inflight === 0 && key === last) return s.forwarding;
      last = s.inflight === 0 ? key : undefined;
    } catch {
      return lastValue;
    }
    await sleep(50);
  }
  return lastValue;
}

export async function rollingRestart(input: RollingInput): Promise<{
  restarted: number;
  exits: Record<string, number | null>;
  badExits: string[];
}> {
  const { replicas, controller, log } = input;
  const exits: Record<string, number | null> = {};
  const badExits: string[] = [];
  let restarted = 0;
  for (let i = 0; i < replicas.length; i++) {
    if (Date.now() > input.deadline - 15_000) {
      log('rolling: stopping early, close to the time limit');
      break;
    }
    const old = replicas[i]!;
    const t = Date.now();
    const ms = () => Date.now() - t;
    const exited = stopReplica(old);
    // Readiness goes 503 at once; the controller takes it out of the front within a probe period.
    const left = await controller.waitFor((names) => !names.includes(old.name), 5000);
    const leftAt = ms();
    const settled = left ? ((await input.target.settled?.(input.launcher.shutdownDelayMs)) ?? true) : false;
    const settledAt = ms();
    const final = await finalCounters(old, Math.max(200, input.launcher.shutdownDelayMs - ms() - 100));
    const scrapedAt = ms();
    if (final === undefined) badExits.push(`${old.name}: no final metrics`);
    else input.retired.push(delta(final, input.baseline[old.name] ?? {}));
    const code = await exited;
    const exitAt = ms();
    exits[`${old.name}#${old.generation}`] = code;
    if (code !== 0) badExits.push(`${old.name} exited ${code}`);
    const fresh = await startReplica(input.launcher, old.name, old.slot, old.generation + 1);
    const readyAt = ms();
    input.baseline[old.name] = {};
    replicas[i] = fresh;
    const back = await controller.waitFor((names) => names.includes(old.name), 10_000);
    restarted++;
    log(
      `rolling: ${old.name}: out of rotation +${leftAt} ms${left ? '' : ' (TIMED OUT)'}, front settled +${settledAt}${settled ? '' : ' (not settled)'}, final metrics +${scrapedAt}${final ? '' : ' (MISSED)'}, exit ${code} +${exitAt}, ready +${readyAt}, back in rotation +${ms()}${back ? '' : ' (TIMED OUT)'}`,
    );
    if (!left || !back)
      badExits.push(`${old.name}: rotation ${left ? '' : 'not left'} ${back ? '' : 'not rejoined'}`);
    await sleep(300);
  }
  return { restarted, exits, badExits };
}
