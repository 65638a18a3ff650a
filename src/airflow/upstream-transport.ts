// How bytes reach Airflow: Node's own HTTP(S) client with one keep-alive pool per origin, a connect timeout,
// TLS options and cancellation. Why not undici: ~25 MB more resident memory per replica (its own JavaScript
// plus a wasm HTTP parser) for ~0.07 CPU ms less per call (docs/architecture.md, "Dependencies and why").
import { readFileSync } from 'node:fs';
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';

export interface TransportRequest {
  /** e.g. "https://airflow.example:8443"; the path carries any base-URL prefix. */
  origin: string;
  path: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** Aborts the call (connect, headers or body) and releases its socket. */
  signal: AbortSignal;
}

export interface TransportResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  /** The body stream; read it to the end (or destroy it) so the socket returns to the pool. */
  body: IncomingMessage;
}

export interface UpstreamTransport {
  request(req: TransportRequest): Promise<TransportResponse>;
  close(): Promise<void>;
}

export interface TransportOptions {
  /** Time allowed for TCP connect plus TLS handshake on a new socket. */
  connectTimeoutMs: number;
  /** Idle sockets are closed after this, before a typical server-side keep-alive timeout (uvicorn: 5 s). */
  idleSocketMs?: number;
  maxSockets?: number;
  rejectUnauthorized?: boolean;
  /** PEM file with extra CA certificates for Airflow's TLS. */
  caFile?: string;
}

/** Error codes this transport raises itself (Node's own codes pass through: ECONNREFUSED, ENOTFOUND, ...). */
export const CONNECT_TIMEOUT = 'UPSTREAM_CONNECT_TIMEOUT';

interface Target {
  module: typeof http | typeof https;
  agent: http.Agent;
  hostname: string;
  port: number;
}

export function createTransport(options: TransportOptions): UpstreamTransport {
  const targets = new Map<string, Target>();
  const ca = options.caFile ? readFileSync(options.caFile) : undefined;
  const targetFor = (origin: string): Target => {
    let target = targets.get(origin);
    if (!target) {
      const url = new URL(origin);
      const secure = url.protocol === 'https:';
      const agentOptions = {
        keepAlive: true,
        maxSockets: options.maxSockets ?? 256,
        timeout: options.idleSocketMs ?? 4_000,
        scheduling: 'lifo' as const,
      };
      target = {
        module: secure ? https : http,
        agent: secure
          ? new https.Agent({
              ...agentOptions,
              rejectUnauthorized: options.rejectUnauthorized ?? true,
              ...(ca ? { ca } : {}),
            })
          : new http.Agent(agentOptions),
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: Number(url.port || (secure ? 443 : 80)),
      };
      targets.set(origin, target);
    }
    return target;
  };

  return {
    request(req) {
      const target = targetFor(req.origin);
      return new Promise<TransportResponse>((resolve, reject) => {
        const outgoing = target.module.request(
          {
            hostname: target.hostname,
            port: target.port,
            path: req.path,
            method: req.method,
            headers: req.headers,
            agent: target.agent,
            signal: req.signal,
          },
          (res) => resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body: res }),
        );
        // `on`, not `once`: a second 'error' (e.g. the body's socket failing later) must not go unhandled.
        outgoing.on('error', reject);
        outgoing.once('socket', (socket: Socket) => limitConnect(outgoing, socket, options.connectTimeoutMs));
        outgoing.end(req.body);
      });
    },
    async close() {
      for (const target of targets.values()) target.agent.destroy();
      targets.clear();
    },
  };
}

// Sockets past connect (and TLS handshake); pooled sockets are reused from here without a new timer.
const established = new WeakSet<Socket>();

/** A new socket must be connected (and, for TLS, past its handshake) within the timeout. */
function limitConnect(outgoing: http.ClientRequest, socket: Socket, timeoutMs: number): void {
  if (established.has(socket)) return;
  const event = socket instanceof TLSSocket ? 'secureConnect' : 'connect';
  const timer = setTimeout(() => {
    const error = Object.assign(new Error(`connect timeout after ${timeoutMs} ms`), {
      code: CONNECT_TIMEOUT,
    });
    outgoing.destroy(error);
  }, timeoutMs);
  const done = () => {
    clearTimeout(timer);
    socket.off(event, connected);
    socket.off('close', done);
  };
  const connected = () => {
    established.add(socket);
    done();
  };
  socket.once(event, connected);
  socket.once('close', done);
}
