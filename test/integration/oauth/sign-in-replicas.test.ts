// Sign-in end to end over real HTTP: three oauth-mode replicas behind a round-robin front, the official v1
// and v2 SDK clients' own OAuth support, the "browser" step done by posting the login form.
import {
  Client as ClientV2,
  StreamableHTTPClientTransport as TransportV2,
} from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../src/sim/index.js';
import { payload } from '../../helpers/clients.js';
import {
  type Front,
  freePort,
  newKey,
  openLoginPage,
  postLogin,
  startFront,
  TestOAuthProvider,
  writeKeysFile,
} from '../../helpers/oauth.js';
import { initialize, rawPost } from '../../helpers/raw-mcp.js';
import { metricValue, startTestService, type TestService } from '../../helpers/service.js';
import { pkcePair } from './support.js';

let sim: Simulator;
let front: Front;
let replicas: TestService[];
let publicUrl: string;

const base = (s: TestService) => s.url.replace(/\/mcp$/, '');

beforeAll(async () => {
  sim = await startSimulator({ auth: 'enforced' });
  front = await startFront(await freePort());
  publicUrl = front.url;
  const keys = writeKeysFile([`k1 ${newKey()}`]);
  replicas = await Promise.all(
    ['a', 'b', 'c'].map((name) =>
      startTestService({
        airflowUrl: sim.url,
        replica: `replica-${name}`,
        env: { AIRFLOW_AUTH_MODE: 'oauth', MCP_PUBLIC_URL: publicUrl, MCP_OAUTH_KEYS_FILE: keys },
      }),
    ),
  );
  front.setBackends(replicas.map(base));
});
afterAll(async () => {
  await front?.close();
  await Promise.all((replicas ?? []).map((r) => r.close()));
  await sim?.close();
});

describe('oauth mode across three replicas', () => {
  it('every step on a different replica: metadata, registration, login page, sign-in, token, tool call', async () => {
    const [a, b, c] = replicas as [TestService, TestService, TestService];
    const unauth = await rawPost(a.url, initialize(1));
    expect(unauth.status).toBe(401);
    const challenge = String(unauth.headers['www-authenticate']);
    expect(challenge).toBe(
      `Bearer resource_metadata="${publicUrl}/.well-known/oauth-protected-resource/mcp"`,
    );

    const prm = await (await fetch(`${base(a)}/.well-known/oauth-protected-resource/mcp`)).json();
    expect(prm).toMatchObject({ resource: `${publicUrl}/mcp`, authorization_servers: [publicUrl] });
    const asm = (await (await fetch(`${base(b)}/.well-known/oauth-authorization-server`)).json()) as Record<
      string,
      unknown
    >;
    expect(asm).toMatchObject({
      issuer: publicUrl,
      code_challenge_methods_supported: ['S256'],
      grant_types_supported: ['authorization_code'],
      token_endpoint_auth_methods_supported: ['none'],
    });

    const redirectUri = 'http://127.0.0.1:40111/cb';
    const reg = await fetch(`${base(c)}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'Replica test', redirect_uris: [redirectUri] }),
    });
    expect(reg.status).toBe(201);
    const { client_id: clientId } = (await reg.json()) as { client_id: string };

    const { verifier, challenge: cc } = pkcePair();
    const authorize = new URL(`${base(a)}/authorize`);
    for (const [k, v] of Object.entries({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: redirectUri,
      code_challenge: cc,
      code_challenge_method: 'S256',
      state: 'st-1',
      resource: `${publicUrl}/mcp`,
    }))
      authorize.searchParams.set(k, v);
    const page = await openLoginPage(authorize.href);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Replica test');
    expect(page.html).toContain(redirectUri);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-served-by')).toBe('replica-a');

    const login = await postLogin(base(b), page, 'admin', 'admin', { origin: publicUrl });
    expect(login.status).toBe(302);
    expect(login.headers.get('x-served-by')).toBe('replica-b');
    const back = new URL(login.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe(redirectUri);
    expect(back.searchParams.get('state')).toBe('st-1');
    expect(back.searchParams.get('iss')).toBe(publicUrl);
    const code = back.searchParams.get('code')!;

    const tokenRes = await fetch(`${base(c)}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        client_id: clientId,
        redirect_uri: redirectUri,
        code_verifier: verifier,
        resource: `${publicUrl}/mcp`,
      }),
    });
    expect(tokenRes.status).toBe(200);
    expect(tokenRes.headers.get('x-served-by')).toBe('replica-c');
    const tokens = (await tokenRes.json()) as Record<string, unknown>;
    expect(tokens).toMatchObject({ token_type: 'Bearer' });
    expect(tokens.refresh_token).toBeUndefined();
    expect(Number(tokens.expires_in)).toBeGreaterThan(3000);

    const ok = await rawPost(a.url, initialize(2), { authorization: `Bearer ${tokens.access_token}` });
    expect(ok.status).toBe(200);
  });

  it.each(['sdk-v1', 'sdk-v2'] as const)(
    '%s signs in with its own OAuth support; admin writes, viewer may only read',
    async (kind) => {
      const served = front.servedBy.length;
      for (const [user, canWrite] of [
        ['admin', true],
        ['viewer', false],
      ] as const) {
        const provider = new TestOAuthProvider({ username: user, password: user });
        const mcpUrl = new URL(`${publicUrl}/mcp`);
        const connect = async () => {
          if (kind === 'sdk-v1') {
            const client = new ClientV1({ name: 'oauth-v1', version: '1.0.0' });
            const transport = new TransportV1(mcpUrl, { authProvider: provider as never });
            await client.connect(transport);
            return { client, transport };
          }
          const client = new ClientV2({ name: 'oauth-v2', version: '1.0.0' });
          const transport = new TransportV2(mcpUrl, { authProvider: provider as never });
          await client.connect(transport);
          return { client, transport };
        };
        const first =
          kind === 'sdk-v1'
            ? new TransportV1(mcpUrl, { authProvider: provider as never })
            : new TransportV2(mcpUrl, { authProvider: provider as never });
        const probe =
          kind === 'sdk-v1'
            ? new ClientV1({ name: 'p', version: '1' })
            : new ClientV2({ name: 'p', version: '1' });
        await expect(probe.connect(first as never)).rejects.toThrow(/unauthorized/i);
        expect(provider.codeFromRedirect).toBeTruthy();
        expect(provider.lastAuthorizeUrl?.searchParams.get('code_challenge_method')).toBe('S256');
        if (first instanceof TransportV2) await first.finishAuth(provider.callbackParams!);
        else await first.finishAuth(provider.codeFromRedirect!);
        expect(provider.accessToken).toBeTruthy();

        const { client } = await connect();
        const dags = payload(
          (await client.callTool({ name: 'list_dags', arguments: { limit: 2 } })) as never,
        );
        expect((dags.items as unknown[]).length).toBe(2);
        const write = (await client.callTool({
          name: 'pause_dag',
          arguments: { dag_id: 'xcom_pipeline' },
        })) as {
          isError?: boolean;
        };
        if (canWrite) expect(write.isError).toBeFalsy();
        else {
          expect(write.isError).toBe(true);
          expect(payload(write as never)).toMatchObject({ code: 'upstream_forbidden' });
        }
        await client.close();
      }
      expect(new Set(front.servedBy.slice(served)).size).toBe(3);
      const total = (await Promise.all(replicas.map((r) => r.metrics()))).reduce(
        (n, text) => n + metricValue(text, 'airflow_mcp_auth_forwarding_total', { path: 'oauth' }),
        0,
      );
      expect(total).toBeGreaterThan(0);
      const viewerCalls = sim.calls.filter((call) => call.user === 'viewer' && call.method !== 'GET');
      expect(viewerCalls.every((call) => call.status === 403)).toBe(true);
    },
  );
});
