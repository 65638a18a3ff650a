// The Airflow dispatcher (undici Agent) over real sockets: keep-alive reuse, TLS with a private CA, connect
// timeout, abort, idle sockets closed before a server would close them, redirects not followed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Server, Socket } from 'node:net';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONNECT_TIMEOUT, createAirflowDispatcher } from '../../../src/airflow/airflow-dispatcher.js';

const CONNECT_TIMEOUT_MS = 150;
// Longer than the connect timeout: a timer left on a pooled socket would kill these answers.
const ANSWER_DELAY_MS = 300;

let dir: string;
let certFile: string;
let keyFile: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'transport-tls-'));
  certFile = join(dir, 'cert.pem');
  keyFile = join(dir, 'key.pem');
  // A self-signed certificate for 127.0.0.1; it is its own CA.
  const args =
    'req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1';
  execFileSync('openssl', [...args.split(' '), '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Upstream {
  origin: string;
  connections: () => number;
  open: () => number;
  close: () => Promise<void>;
}

function slowAnswer(_req: IncomingMessage, res: ServerResponse): void {
  setTimeout(() => res.end(JSON.stringify({ ok: true })), ANSWER_DELAY_MS);
}

async function serve(server: Server, scheme: 'http' | 'https'): Promise<Upstream> {
  const sockets = new Set<Socket>();
  let connections = 0;
  server.on(scheme === 'https' ? 'secureConnection' : 'connection', (socket: Socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `${scheme}://127.0.0.1:${port}`,
    connections: () => connections,
    open: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

async function get(dispatcher: Dispatcher, origin: string, extra: { signal?: AbortSignal } = {}) {
  const res = await dispatcher.request({
    origin,
    path: '/api/v2/version',
    method: 'GET',
    headers: { accept: 'application/json' },
    signal: extra.signal ?? new AbortController().signal,
  });
  return { status: res.statusCode, body: await res.body.text() };
}

describe('Airflow dispatcher', () => {
  it('reuses one keep-alive connection for sequential calls, with no connect timer left on it', async () => {
    const upstream = await serve(createHttpServer(slowAnswer), 'http');
    const transport = createAirflowDispatcher({ connectTimeoutMs: CONNECT_TIMEOUT_MS });
    try {
      for (let i = 0; i < 6; i++) {
        expect(await get(transport, upstream.origin)).toEqual({ status: 200, body: '{"ok":true}' });
      }
      // undici frees a connection a tick after its body ends, so a call made at once may open a second one;
      // from then on both are reused, and none was closed by a timer (answers outlast the connect timeout).
      expect(upstream.connections()).toBeLessThanOrEqual(2);
      expect(upstream.open()).toBe(upstream.connections());
    } finally {
      await transport.close();
      await upstream.close();
    }
  });

  it('speaks TLS with a private CA file, reusing the connection; refuses the certificate without it', async () => {
    const upstream = await serve(
      createHttpsServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, slowAnswer),
      'https',
    );
    const trusting = createAirflowDispatcher({ connectTimeoutMs: CONNECT_TIMEOUT_MS, caFile: certFile });
    const strict = createAirflowDispatcher({ connectTimeoutMs: CONNECT_TIMEOUT_MS });
    const unverified = createAirflowDispatcher({
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
      rejectUnauthorized: false,
    });
    try {
      for (let i = 0; i < 6; i++) expect((await get(trusting, upstream.origin)).status).toBe(200);
      expect(upstream.connections()).toBeLessThanOrEqual(2);
      const refused = await get(strict, upstream.origin).catch((error: { code?: string }) => error);
      expect(refused).toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
      expect((await get(unverified, upstream.origin)).status).toBe(200);
      expect((await get(unverified, upstream.origin)).status).toBe(200);
    } finally {
      await Promise.all([trusting.close(), strict.close(), unverified.close()]);
      await upstream.close();
    }
  });

  it('gives up on a TLS handshake that is never answered after the connect timeout', async () => {
    const held: Socket[] = [];
    const upstream = await serve(
      createNetServer((socket) => held.push(socket)),
      'http',
    );
    const transport = createAirflowDispatcher({ connectTimeoutMs: CONNECT_TIMEOUT_MS });
    try {
      const started = performance.now();
      const error = await get(transport, upstream.origin.replace('http:', 'https:')).catch((e: unknown) => e);
      const ms = performance.now() - started;
      expect(error).toMatchObject({ code: CONNECT_TIMEOUT });
      expect(ms).toBeGreaterThanOrEqual(CONNECT_TIMEOUT_MS - 20);
      expect(ms).toBeLessThan(CONNECT_TIMEOUT_MS + 1000);
    } finally {
      for (const socket of held) socket.destroy();
      await transport.close();
      await upstream.close();
    }
  });

  it('an aborted call releases its socket and the next call still works', async () => {
    const upstream = await serve(createHttpServer(slowAnswer), 'http');
    const transport = createAirflowDispatcher({ connectTimeoutMs: CONNECT_TIMEOUT_MS });
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error('caller went away')), 50);
      const error = await get(transport, upstream.origin, { signal: controller.signal }).catch(
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ message: 'caller went away' });
      expect(await get(transport, upstream.origin)).toEqual({ status: 200, body: '{"ok":true}' });
    } finally {
      await transport.close();
      await upstream.close();
    }
  });

  it('closes idle pooled connections itself, before a server-side keep-alive timeout would', async () => {
    const upstream = await serve(createHttpServer(slowAnswer), 'http');
    const transport = createAirflowDispatcher({ connectTimeoutMs: CONNECT_TIMEOUT_MS, idleSocketMs: 200 });
    try {
      await get(transport, upstream.origin);
      expect(upstream.open()).toBe(1);
      const deadline = Date.now() + 3000;
      while (upstream.open() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      expect(upstream.open()).toBe(0);
    } finally {
      await transport.close();
      await upstream.close();
    }
  });

  it('does not follow a redirect: the 3xx comes back and the other origin never sees the request', async () => {
    const elsewhere = await serve(createHttpServer(slowAnswer), 'http');
    const upstream = await serve(
      createHttpServer((_req, res) => {
        res.writeHead(307, { location: `${elsewhere.origin}/api/v2/version` });
        res.end();
      }),
      'http',
    );
    const transport = createAirflowDispatcher({ connectTimeoutMs: CONNECT_TIMEOUT_MS });
    try {
      expect((await get(transport, upstream.origin)).status).toBe(307);
      expect(elsewhere.connections()).toBe(0);
    } finally {
      await transport.close();
      await Promise.all([upstream.close(), elsewhere.close()]);
    }
  });
});
