// Injected misbehaviour (errors, slow or broken bodies, redirects, dropped connections) for matching requests.
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Fault } from './types.js';

export class FaultSlot {
  private fault: Fault | null = null;
  private remaining = Number.POSITIVE_INFINITY;

  set(fault: Fault | null): void {
    this.fault = fault;
    this.remaining = fault?.times ?? Number.POSITIVE_INFINITY;
  }

  /** Returns the fault to apply to this request (consuming one of its `times`), or null. */
  take(method: string, path: string): Fault | null {
    const f = this.fault;
    if (!f) return null;
    if (f.match?.method && f.match.method.toUpperCase() !== method) return null;
    if (f.match?.pathIncludes && !path.includes(f.match.pathIncludes)) return null;
    if (--this.remaining <= 0) this.fault = null;
    return f;
  }
}

/** Whether the fault replaces the normal response entirely (the handler is then not run). */
export function replacesResponse(f: Fault): boolean {
  return (
    f.destroySocket === true ||
    f.redirectTo !== undefined ||
    f.status !== undefined ||
    f.body !== undefined ||
    f.invalidJson === true ||
    f.hugeBodyBytes !== undefined
  );
}

/** Writes a replacing fault; returns the status sent (0 when the socket was dropped). */
export async function writeFault(res: ServerResponse, f: Fault): Promise<number> {
  if (f.destroySocket) {
    res.socket?.destroy();
    return 0;
  }
  const headers = { ...(f.headers ?? {}) };
  if (f.redirectTo !== undefined) {
    res.writeHead(f.status ?? 307, { ...headers, location: f.redirectTo, 'content-length': '0' });
    res.end();
    return f.status ?? 307;
  }
  if (f.hugeBodyBytes !== undefined) {
    const status = f.status ?? 200;
    res.writeHead(status, { ...headers, 'content-type': 'application/json' });
    await streamHuge(res, f.hugeBodyBytes);
    return status;
  }
  if (f.invalidJson) {
    const status = f.status ?? 200;
    const text = '<html><body><h1>502 Bad Gateway</h1>upstream sent garbage</body></html>';
    res.writeHead(status, {
      ...headers,
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
    });
    res.end(text);
    return status;
  }
  const status = f.status ?? 500;
  const body = Buffer.from(JSON.stringify(f.body ?? { detail: defaultDetail(status) }));
  await writeBody(res, status, { 'content-type': 'application/json', ...headers }, body, f);
  return status;
}

function defaultDetail(status: number): string {
  if (status === 429) return 'Too Many Requests';
  if (status === 502) return 'Bad Gateway';
  if (status === 503) return 'Service Unavailable';
  if (status === 504) return 'Gateway Timeout';
  return 'Internal Server Error';
}

/** Sends a body, honouring the body-shaping faults (slow trickle, truncation). */
export async function writeBody(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: Buffer,
  f: Fault | null,
): Promise<void> {
  if (f?.truncateBody) {
    // Chunked encoding, half the JSON, then a clean end: the client sees a body that does not parse.
    res.writeHead(status, headers);
    res.end(body.subarray(0, Math.max(1, Math.floor(body.length / 2))));
    return;
  }
  if (f?.slowBodyMs && f.slowBodyMs > 0) {
    res.writeHead(status, { ...headers, 'content-length': String(body.length) });
    const pieces = Math.min(20, Math.max(1, body.length));
    const size = Math.ceil(body.length / pieces);
    for (let i = 0; i < body.length; i += size) {
      if (res.destroyed) return;
      res.write(body.subarray(i, i + size));
      await sleep(f.slowBodyMs / pieces);
    }
    res.end();
    return;
  }
  res.writeHead(status, { ...headers, 'content-length': String(body.length) });
  res.end(body);
}

async function streamHuge(res: ServerResponse, bytes: number): Promise<void> {
  const filler = 'x'.repeat(900);
  let written = 0;
  let i = 0;
  const write = (s: string) => {
    written += s.length;
    return res.write(s);
  };
  write('{"dags":[');
  while (written < bytes - 64 && !res.destroyed) {
    let chunk = '';
    while (chunk.length < 64 * 1024 && written + chunk.length < bytes - 64) {
      chunk += `${i > 0 ? ',' : ''}{"dag_id":"huge_${i}","description":"${filler}"}`;
      i++;
    }
    if (!write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
  }
  res.end(`],"total_entries":${i}}`);
}
