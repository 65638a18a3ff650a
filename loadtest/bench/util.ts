// The bench steps' shared helpers: the log line, an MCP POST, the preflight check, number formatting, medians.
import { request } from 'undici';
import { parseResponse } from '../lib/parse.js';
import { type Closed, type HttpCall, probe } from './measure.js';
import { mcpHeaders } from './targets.js';

export function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

export function post(url: string, token: string, body: unknown, headers?: Record<string, string>): HttpCall {
  return { url, method: 'POST', headers: headers ?? mcpHeaders(token), body: JSON.stringify(body) };
}

/** The answer must be a JSON-RPC result (a tool result without isError), not just any 200. */
export async function preflight(name: string, call: HttpCall, id: number): Promise<string | undefined> {
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

export async function heapUsedMiB(mcpUrl: string): Promise<number> {
  const res = await request(mcpUrl.replace(/\/mcp$/, '/metrics'));
  const text = await res.body.text();
  const m =
    /^nodejs_heap_size_used_bytes\s+(\S+)/m.exec(text) ??
    /^airflow_mcp_nodejs_heap_size_used_bytes\s+(\S+)/m.exec(text);
  return m ? Number(m[1]) / 1024 / 1024 : Number.NaN;
}

export function fmt(n: number | undefined): string {
  return n === undefined ? 'n/a' : n.toFixed(2);
}

/** Medians over rounds (req/s, CPU/request, latency), summed totals and errors. */
export function aggregate(rs: readonly Closed[]): Closed {
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

export function round3(n: number | undefined): number | null {
  return n === undefined ? null : Number(n.toFixed(3));
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
