// Client ID Metadata Documents over real HTTPS on loopback: the limits of the fetch (https only, no private
// addresses unless allowed, size, time, no redirects, self-naming), the cache, and a v2 SDK client that
// identifies itself by URL and signs in.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Client as ClientV2,
  StreamableHTTPClientTransport as TransportV2,
} from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCimdFetcher } from '../../../src/server/oauth/cimd.js';
import { type Simulator, startSimulator } from '../../../src/sim/index.js';
import { payload } from '../../helpers/clients.js';
import { freePort, newKey, TestOAuthProvider, writeKeysFile } from '../../helpers/oauth.js';
import { startTestService, type TestService } from '../../helpers/service.js';

const REDIRECT = 'http://127.0.0.1:40444/callback';
let dir: string;
let certFile: string;
let ca: string;
let docs: Server;
let origin: string;
const hits: Record<string, number> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cimd-tls-'));
  certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const args =
    'req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1,DNS:localhost';
  execFileSync('openssl', [...args.split(' '), '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  ca = readFileSync(certFile, 'utf8');
  docs = createServer({ key: readFileSync(keyFile), cert: ca }, (req, res) => {
    const path = req.url ?? '/';
    hits[path] = (hits[path] ?? 0) + 1;
    const self = `${origin}${path}`;
    const json = (body: unknown) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (path === '/client.json')
      return json({ client_id: self, client_name: 'Doc client', redirect_uris: [REDIRECT] });
    if (path === '/big.json')
      return json({ client_id: self, redirect_uris: [REDIRECT], pad: 'x'.repeat(40_000) });
    if (path === '/other-id.json')
      return json({ client_id: `${origin}/client.json`, redirect_uris: [REDIRECT] });
    if (path === '/evil-redirect.json')
      return json({ client_id: self, redirect_uris: ['http://evil.example/cb'] });
    if (path === '/moved.json') return res.writeHead(302, { location: `${origin}/client.json` }).end();
    if (path === '/slow.json')
      return setTimeout(() => json({ client_id: self, redirect_uris: [REDIRECT] }), 3_000);
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => docs.listen(0, '127.0.0.1', r));
  origin = `https://127.0.0.1:${(docs.address() as AddressInfo).port}`;
});
afterAll(async () => {
  docs?.closeAllConnections();
  await new Promise((r) => docs?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('the client metadata document fetch', () => {
  it('refuses private and loopback addresses unless allowed, and plain http always', async () => {
    const strict = createCimdFetcher({ allowPrivate: false, now: Date.now, ca });
    try {
      await expect(strict.resolve(`${origin}/client.json`)).rejects.toThrow(/private address/);
      const byName = origin.replace('127.0.0.1', 'localhost');
      await expect(strict.resolve(`${byName}/client.json`)).rejects.toThrow(/could not be fetched/);
      await expect(strict.resolve('http://example.com/client.json')).rejects.toThrow(/must be https/);
      expect(hits['/client.json'] ?? 0).toBe(0);
    } finally {
      await strict.close();
    }
  });

  it('enforces size, time, self-naming and no redirects; caches a good document', async () => {
    const fetcher = createCimdFetcher({ allowPrivate: true, now: Date.now, ca, timeoutMs: 1_000 });
    try {
      const doc = await fetcher.resolve(`${origin}/client.json`);
      expect(doc).toEqual({
        client_id: `${origin}/client.json`,
        client_name: 'Doc client',
        redirect_uris: [REDIRECT],
      });
      await fetcher.resolve(`${origin}/client.json`);
      expect(hits['/client.json']).toBe(1);
      await expect(fetcher.resolve(`${origin}/big.json`)).rejects.toThrow(/larger than/);
      await expect(fetcher.resolve(`${origin}/other-id.json`)).rejects.toThrow(/its own URL/);
      await expect(fetcher.resolve(`${origin}/moved.json`)).rejects.toThrow(/HTTP 302/);
      const t0 = Date.now();
      await expect(fetcher.resolve(`${origin}/slow.json`)).rejects.toThrow();
      expect(Date.now() - t0).toBeLessThan(2_500);
    } finally {
      await fetcher.close();
    }
  });
});

describe('a client identified by its metadata URL', () => {
  let sim: Simulator;
  let svc: TestService;
  let publicUrl: string;
  beforeAll(async () => {
    sim = await startSimulator({ auth: 'enforced' });
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    svc = await startTestService({
      airflowUrl: sim.url,
      env: {
        PORT: String(port),
        AIRFLOW_AUTH_MODE: 'oauth',
        MCP_PUBLIC_URL: publicUrl,
        MCP_OAUTH_KEYS_FILE: writeKeysFile([`k1 ${newKey()}`]),
        MCP_OAUTH_CIMD_ALLOW_PRIVATE: 'true',
        MCP_OAUTH_CIMD_CA_FILE: certFile,
      },
    });
  });
  afterAll(async () => {
    await svc?.close();
    await sim?.close();
  });

  it('the v2 SDK client signs in without registering; the page names the document host', async () => {
    const provider = new TestOAuthProvider(
      { username: 'viewer', password: 'viewer' },
      REDIRECT,
      `${origin}/client.json`,
    );
    const url = new URL(`${publicUrl}/mcp`);
    const first = new TransportV2(url, { authProvider: provider as never });
    await expect(new ClientV2({ name: 'p', version: '1' }).connect(first)).rejects.toThrow(/unauthorized/i);
    expect(provider.lastAuthorizeUrl?.searchParams.get('client_id')).toBe(`${origin}/client.json`);
    await first.finishAuth(provider.callbackParams!);
    const client = new ClientV2({ name: 'cimd', version: '1' });
    await client.connect(new TransportV2(url, { authProvider: provider as never }));
    const dags = payload((await client.callTool({ name: 'list_dags', arguments: { limit: 1 } })) as never);
    expect((dags.items as unknown[]).length).toBe(1);
    await client.close();
    const page = await fetch(
      `${publicUrl}/authorize?${new URLSearchParams({ response_type: 'code', client_id: `${origin}/evil-redirect.json`, redirect_uri: 'http://evil.example/cb', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' })}`,
      { redirect: 'manual' },
    );
    expect(page.status).toBe(400);
    expect(page.headers.get('location')).toBeNull();
  });
});
