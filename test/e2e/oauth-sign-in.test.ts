// Real Airflow 3: sign-in (oauth mode) over three replicas behind a round-robin front, with the v1 and v2
// SDK clients' own OAuth support; the user's real Airflow token is forwarded, so permissions stay Airflow's.
import {
  Client as ClientV2,
  StreamableHTTPClientTransport as TransportV2,
} from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payload } from '../helpers/clients.js';
import {
  type Front,
  freePort,
  newKey,
  openLoginPage,
  postLogin,
  startFront,
  TestOAuthProvider,
  writeKeysFile,
} from '../helpers/oauth.js';
import { initialize, rawPost } from '../helpers/raw-mcp.js';
import { metricValue, startTestService, type TestService } from '../helpers/service.js';
import { login, type RealAirflow, realAirflow, setPaused } from './helpers/airflow.js';

let airflow: RealAirflow;
let front: Front;
let replicas: TestService[];

beforeAll(async () => {
  airflow = realAirflow();
  front = await startFront(await freePort());
  const keys = writeKeysFile([`k1 ${newKey()}`]);
  replicas = await Promise.all(
    ['a', 'b', 'c'].map((n) =>
      startTestService({
        airflowUrl: airflow.url,
        replica: `replica-${n}`,
        env: {
          AIRFLOW_TIMEOUT_MS: '60000',
          AIRFLOW_AUTH_MODE: 'oauth',
          MCP_PUBLIC_URL: front.url,
          MCP_OAUTH_KEYS_FILE: keys,
        },
      }),
    ),
  );
  front.setBackends(replicas.map((r) => r.url.replace(/\/mcp$/, '')));
});
afterAll(async () => {
  await front?.close();
  await Promise.all((replicas ?? []).map((r) => r.close()));
});

async function signedInClient(kind: 'v1' | 'v2', user: string) {
  const provider = new TestOAuthProvider({ username: user, password: user });
  const url = new URL(`${front.url}/mcp`);
  if (kind === 'v1') {
    const first = new TransportV1(url, { authProvider: provider as never });
    await expect(new ClientV1({ name: 'p', version: '1' }).connect(first)).rejects.toThrow(/unauthorized/i);
    await first.finishAuth(provider.codeFromRedirect!);
    const client = new ClientV1({ name: 'e2e-oauth-v1', version: '1' });
    await client.connect(new TransportV1(url, { authProvider: provider as never }));
    return { client, provider };
  }
  const first = new TransportV2(url, { authProvider: provider as never });
  await expect(new ClientV2({ name: 'p', version: '1' }).connect(first)).rejects.toThrow(/unauthorized/i);
  await first.finishAuth(provider.callbackParams!);
  const client = new ClientV2({ name: 'e2e-oauth-v2', version: '1' });
  await client.connect(new TransportV2(url, { authProvider: provider as never }));
  return { client, provider };
}

describe('oauth mode against real Airflow 3', () => {
  it.each([
    ['v1', 'admin', true],
    ['v2', 'viewer', false],
    ['v1', 'viewer', false],
    ['v2', 'admin', true],
  ] as const)('SDK %s client signs in as %s; writes allowed: %s', async (kind, user, canWrite) => {
    const served = front.servedBy.length;
    const { client } = await signedInClient(kind, user);
    try {
      for (let i = 0; i < 3; i++) {
        const dags = payload(
          (await client.callTool({ name: 'list_dags', arguments: { limit: 50 } })) as never,
        );
        expect((dags.items as { dag_id: string }[]).map((d) => d.dag_id)).toContain('e2e_xcom');
      }
      const write = (await client.callTool({ name: 'pause_dag', arguments: { dag_id: 'e2e_xcom' } })) as {
        isError?: boolean;
      };
      if (canWrite) expect(write.isError).toBeFalsy();
      else {
        expect(write.isError).toBe(true);
        expect(payload(write as never)).toMatchObject({ code: 'upstream_forbidden' });
      }
    } finally {
      await client.close();
      await setPaused(airflow, await login(airflow, 'admin'), 'e2e_xcom', false);
    }
    expect(new Set(front.servedBy.slice(served)).size).toBe(3);
  });

  it('forwards on every replica under path="oauth"', async () => {
    const total = (await Promise.all(replicas.map((r) => r.metrics()))).map((m) =>
      metricValue(m, 'airflow_mcp_auth_forwarding_total', { path: 'oauth' }),
    );
    expect(total.every((n) => n > 0)).toBe(true);
  });

  it('refuses a wrong password (one message) and a raw Airflow token', async () => {
    const reg = await fetch(`${front.url}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: ['http://127.0.0.1:40555/cb'] }),
    });
    const { client_id: clientId } = (await reg.json()) as { client_id: string };
    const page = await openLoginPage(
      `${front.url}/authorize?${new URLSearchParams({
        response_type: 'code',
        client_id: clientId,
        redirect_uri: 'http://127.0.0.1:40555/cb',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      })}`,
    );
    const wrong = await postLogin(front.url, page, 'admin', 'not-the-password');
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('the user name or password was not accepted');
    const raw = await login(airflow, 'admin');
    const res = await rawPost(`${front.url}/mcp`, initialize(1), { authorization: `Bearer ${raw}` });
    expect(res.status).toBe(401);
    expect(String(res.headers['www-authenticate'])).toContain('error="invalid_token"');
  });
});
