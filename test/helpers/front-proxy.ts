// A loopback HTTP proxy in front of the simulator that a test can make answer, hold or record requests,
// standing in for an auth proxy, a gateway or an Airflow that behaves unlike the simulator.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';

export interface SeenRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  /** Set when the client went away before the proxy answered. */
  abandoned: boolean;
}

/** Answers the request itself and returns true, or returns false to forward it to the target. */
export type Intercept = (req: IncomingMessage, res: ServerResponse, seen: SeenRequest) => Promise<boolean>;

export interface FrontProxy {
  url: string;
  readonly seen: readonly SeenRequest[];
  intercept: Intercept | undefined;
  close(): Promise<void>;
}

export async function startFrontProxy(targetUrl: string): Promise<FrontProxy> {
  const target = new URL(targetUrl);
  const seen: SeenRequest[] = [];
  const proxy: FrontProxy = {
    url: '',
    seen,
    intercept: undefined,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server = createServer(async (req, res) => {
    const entry: SeenRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      authorization: req.headers.authorization,
      abandoned: false,
    };
    seen.push(entry);
    res.once('close', () => {
      if (!res.writableFinished) entry.abandoned = true;
    });
    try {
      if (proxy.intercept && (await proxy.intercept(req, res, entry))) return;
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const headers = { ...req.headers };
      delete headers.host;
      delete headers.connection;
      const up = await request(`${target.origin}${req.url}`, {
        method: req.method as 'GET',
        headers,
        ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
      });
      const body = Buffer.from(await up.body.arrayBuffer());
      const type = up.headers['content-type'];
      res.writeHead(up.statusCode, type ? { 'content-type': String(type) } : {});
      res.end(body);
    } catch {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${target.pathname.replace(/\/$/, '')}`;
  return proxy;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
