// Service replicas (or the stateful fixture) in their slots: start, readiness, metrics scrape, graceful stop.
import { resolve } from 'node:path';
import { request } from 'undici';
import { bundleService } from '../../scripts/build/bundle.js';
import { inSlot, type Slot } from './network.js';
import { type Child, NODE, ROOT, startChild, stopChild, TSX, waitForOk } from './procs.js';

export type ReplicaKind = 'service' | 'stateful';

export interface Replica {
  name: string;
  slot: Slot;
  child: Child;
  generation: number;
}

const BUILD_DIR = resolve(ROOT, '.cache/loadtest/dist');

/**
 * Bundles the service into .cache (not dist/, which others may be using) the way the image is built, so
 * replicas start as production does (`node main.js`) and restarts are fast. Falls back to tsx when the
 * bundle cannot be built.
 */
export async function buildService(): Promise<{ command: string; args: string[]; how: string }> {
  const main = resolve(BUILD_DIR, 'main.js');
  try {
    await bundleService(main);
    return { command: NODE, args: [main], how: 'node .cache/loadtest/dist/main.js (the bundle)' };
  } catch {
    return { command: TSX, args: [resolve(ROOT, 'src/main.ts')], how: 'tsx src/main.ts' };
  }
}

export interface ReplicaLauncher {
  kind: ReplicaKind;
  simUrl: string;
  shutdownDelayMs: number;
  /** Host names the front sends (loopback binds allow only localhost names by default). */
  allowedHosts: string[];
  entry: { command: string; args: string[] };
}

export async function startReplica(
  launcher: ReplicaLauncher,
  name: string,
  slot: Slot,
  generation: number,
): Promise<Replica> {
  const env: Record<string, string> = {
    HOST: slot.host,
    PORT: String(slot.port),
    REPLICA_NAME: name,
    LOG_LEVEL: 'warn',
  };
  let command: string;
  let args: string[];
  if (launcher.kind === 'service') {
    Object.assign(env, {
      AIRFLOW_API_URL: launcher.simUrl,
      AIRFLOW_AUTH_MODE: 'forward',
      SHUTDOWN_DELAY_MS: String(launcher.shutdownDelayMs),
      SHUTDOWN_GRACE_MS: '10000',
      ALLOWED_HOSTS: launcher.allowedHosts.join(','),
    });
    [command, args] = inSlot(slot, launcher.entry.command, launcher.entry.args);
  } else {
    [command, args] = inSlot(slot, TSX, [resolve(ROOT, 'loadtest/fixtures/stateful-server.ts')]);
  }
  const child = startChild(`${name}#${generation}`, command, args, { env });
  await waitForOk(`http://${slot.host}:${slot.port}/readyz`, 30_000, child);
  return { name, slot, child, generation };
}

/** SIGTERM, then wait for the exit (the service drains for SHUTDOWN_DELAY_MS first). */
export function stopReplica(replica: Replica, graceMs = 20_000): Promise<number | null> {
  return stopChild(replica.child, graceMs);
}

export async function isReady(slot: Slot): Promise<boolean> {
  try {
    const res = await request(`http://${slot.host}:${slot.port}/readyz`, {
      headersTimeout: 1000,
      bodyTimeout: 1000,
      reset: true,
    });
    await res.body.dump();
    return res.statusCode === 200;
  } catch {
    return false;
  }
}

export interface Scrape {
  forwarding: Record<string, number>;
  inflight: number;
}

/** Reads `airflow_mcp_auth_forwarding_total{path}` and `airflow_mcp_inflight_requests` from one replica. */
export async function scrapeMetrics(slot: Slot): Promise<Scrape> {
  const res = await request(`http://${slot.host}:${slot.port}/metrics`, {
    headersTimeout: 3000,
    bodyTimeout: 3000,
    reset: true,
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`/metrics answered ${res.statusCode}`);
  return parseMetrics(text);
}

export function parseMetrics(text: string): Scrape {
  const forwarding: Record<string, number> = {};
  let inflight = 0;
  for (const line of text.split('\n')) {
    const fwd = /^airflow_mcp_auth_forwarding_total\{[^}]*path="([^"]+)"[^}]*\}\s+(\S+)/.exec(line);
    if (fwd) forwarding[fwd[1]!] = (forwarding[fwd[1]!] ?? 0) + Number(fwd[2]);
    const inf = /^airflow_mcp_inflight_requests(?:\{[^}]*\})?\s+(\S+)/.exec(line);
    if (inf) inflight = Number(inf[1]);
  }
  return { forwarding, inflight };
}
