// Out-of-process control endpoints under {base}/_sim: recorded calls, fault injection, reset.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallLog } from './calls.js';
import type { FaultSlot } from './faults.js';
import { readBody } from './http-util.js';
import type { Fault } from './types.js';

export function createControl(
  calls: CallLog,
  faults: FaultSlot,
  latency: { ms: number },
  resetState: () => void,
) {
  return async (req: IncomingMessage, res: ServerResponse, path: string, query: string): Promise<void> => {
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(text)),
      });
      res.end(text);
    };
    const method = req.method ?? 'GET';
    if (path === '/_sim/calls' && method === 'GET') {
      const params = new URLSearchParams(query);
      const since = Number(params.get('since') ?? 0) || 0;
      const list = calls.since(since);
      const perUser: Record<string, number> = {};
      const perScheme: Record<string, number> = {};
      for (const c of list) {
        const u = c.user ?? '(none)';
        perUser[u] = (perUser[u] ?? 0) + 1;
        perScheme[c.authScheme] = (perScheme[c.authScheme] ?? 0) + 1;
      }
      const withCalls = params.get('counts_only') !== 'true';
      return send(200, {
        ...(withCalls ? { calls: list } : {}),
        count: list.length,
        next: calls.total,
        per_user: perUser,
        per_scheme: perScheme,
      });
    }
    if (path === '/_sim/fault' && method === 'POST') {
      const text = await readBody(req);
      let fault: Fault | null;
      try {
        fault = text.trim() === '' ? null : (JSON.parse(text) as Fault | null);
      } catch {
        return send(400, { detail: 'fault must be JSON (a Fault object or null)' });
      }
      faults.set(fault);
      return send(200, { ok: true, fault });
    }
    if (path === '/_sim/latency' && method === 'POST') {
      let ms: unknown;
      try {
        ms = (JSON.parse(await readBody(req)) as { ms?: unknown } | null)?.ms;
      } catch {
        ms = undefined;
      }
      if (!Number.isInteger(ms) || (ms as number) < 0 || (ms as number) > 60_000) {
        return send(400, { detail: 'latency must be JSON {"ms": <integer 0..60000>}' });
      }
      latency.ms = ms as number;
      return send(200, { ok: true, ms });
    }
    if (path === '/_sim/reset' && method === 'POST') {
      const params = new URLSearchParams(query);
      calls.reset();
      faults.set(null);
      if (params.get('state') === 'true') resetState();
      return send(200, { ok: true });
    }
    return send(404, { detail: 'Not Found' });
  };
}
