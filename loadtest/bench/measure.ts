// Measurements: closed model (autocannon), open model at fixed rates, single-connection latency, RSS, cold start.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { Agent, request } from 'undici';

export interface HttpCall {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

export interface Closed {
  rps: number;
  /** CPU ms the target process used per request (when its pid was given). */
  cpuPerReq?: number;
  p50: number;
  p99: number;
  total: number;
  errors: number;
  non2xx: number;
}

/** autocannon over `connections` keep-alive clients, for a duration or an exact amount of requests. */
async function drive(
  call: HttpCall,
  connections: number,
  limit: { duration: number } | { amount: number },
  pid?: number,
): Promise<Closed> {
  const cpu0 = pid === undefined ? 0 : cpuMs(pid);
  const r = await autocannon({
    url: call.url,
    method: call.method,
    headers: call.headers,
    ...(call.body !== undefined ? { body: call.body } : {}),
    connections,
    ...limit,
    timeout: 30,
  });
  const cpu = pid === undefined ? undefined : cpuMs(pid) - cpu0;
  return {
    rps: Math.round(r.requests.total / r.duration),
    ...(cpu !== undefined && r.requests.total > 0 ? { cpuPerReq: cpu / r.requests.total } : {}),
    p50: r.latency.p50,
    p99: r.latency.p99,
    total: r.requests.total,
    errors: r.errors,
    non2xx: r.non2xx,
  };
}

/** Closed model: `connections` clients each send the next request when the last one answered. */
export function closed(call: HttpCall, connections: number, seconds: number, pid?: number): Promise<Closed> {
  return drive(call, connections, { duration: seconds }, pid);
}

export interface Latency {
  p50: number;
  p99: number;
  n: number;
  errors: number;
}

export function pct(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function once(agent: Agent, call: HttpCall): Promise<number> {
  const res = await request(call.url, {
    method: call.method,
    headers: call.headers,
    body: call.body,
    dispatcher: agent,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  await res.body.dump();
  return res.statusCode;
}

/** One keep-alive connection, one request at a time, sub-millisecond timing: latency without queueing. */
export async function serialLatency(call: HttpCall, seconds: number, maxRequests = 50_000): Promise<Latency> {
  const agent = new Agent({ connections: 1 });
  const samples: number[] = [];
  let errors = 0;
  for (let i = 0; i < 50; i++) await once(agent, call).catch(() => 0); // warm-up
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end && samples.length < maxRequests) {
    const t = performance.now();
    const status = await once(agent, call).catch(() => 0);
    if (status < 200 || status > 299) errors++;
    samples.push(performance.now() - t);
  }
  await agent.close();
  samples.sort((a, b) => a - b);
  return { p50: pct(samples, 50), p99: pct(samples, 99), n: samples.length, errors };
}

export interface Open {
  rate: number;
  achieved: number;
  p50: number;
  p99: number;
  errors: number;
  /** Arrivals not sent because `maxInFlight` was reached (the server fell behind). */
  dropped: number;
}

/**
 * Open model: requests start on a fixed schedule whatever the answers do; latency counts from the
 * scheduled start, so a server that falls behind shows it (no coordinated omission).
 */
export async function openModel(
  call: HttpCall,
  rate: number,
  seconds: number,
  maxInFlight = 2000,
): Promise<Open> {
  const agent = new Agent({ connections: 256 });
  const samples: number[] = [];
  let errors = 0;
  let dropped = 0;
  let inflight = 0;
  const total = Math.round(rate * seconds);
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    if (inflight >= maxInFlight) {
      dropped++;
      continue;
    }
    inflight++;
    pending.push(
      once(agent, call)
        .then((status) => {
          if (status < 200 || status > 299) errors++;
        })
        .catch(() => {
          errors++;
        })
        .finally(() => {
          inflight--;
          samples.push(performance.now() - due);
        }),
    );
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - start) / 1000;
  await agent.close();
  samples.sort((a, b) => a - b);
  return {
    rate,
    achieved: Math.round(samples.length / elapsed),
    p50: pct(samples, 50),
    p99: pct(samples, 99),
    errors,
    dropped,
  };
}

/**
 * CPU time a process has used, in ms (utime + stime from /proc, 100 ticks/s on Linux). CPU per request
 * is far steadier than req/s on a machine shared with other work.
 */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Resident set size of a process, in MiB (Linux /proc). */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/** Sends exactly `amount` requests over `connections` (closed model), for the leak check. */
export function sendAmount(call: HttpCall, amount: number, connections: number): Promise<Closed> {
  return drive(call, connections, { amount });
}

/** Sends one request and returns the answer's body, to check a target answers what we think it does. */
export async function probe(call: HttpCall): Promise<{ status: number; body: string }> {
  const res = await request(call.url, {
    method: call.method,
    headers: call.headers,
    body: call.body,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  return { status: res.statusCode, body: await res.body.text() };
}

/** Least-squares slope of y over x, times `span`: the growth a trend predicts over that many x. */
export function trendOver(points: readonly { x: number; y: number }[], span: number): number | undefined {
  if (points.length < 3) return undefined;
  const n = points.length;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  const sxx = points.reduce((a, p) => a + (p.x - mx) ** 2, 0);
  if (sxx === 0) return undefined;
  const sxy = points.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0);
  return (sxy / sxx) * span;
}
