// Everything oauth mode must refuse, over real HTTP: bad PKCE, expired/tampered/misdirected codes, tampered,
// expired, foreign-audience and removed-key tokens, open redirects, wrong passwords, raw Airflow tokens.
// None of it may reach Airflow with a credential.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../sim/index.js';
import { newKey, openLoginPage, postLogin, writeKeysFile } from '../../helpers/oauth.js';
import { initialize, rawPost } from '../../helpers/raw-mcp.js';
import { startTestService, type TestService } from '../../helpers/service.js';
import { authorizeUrl, pkcePair } from './support.js';

const K1 = `k1 ${newKey()}`;
const K2 = `k2 ${newKey()}`;
const REDIRECT = 'http://127.0.0.1:40222/cb';
let sim: Simulator;
let svc: TestService;
let clockOffset = 0;
const now = () => Date.now() + clockOffset;

const base = (s: TestService) => s.url.replace(/\/mcp$/, '');
const publicOf = (s: TestService) => base(s);

async function start(env: Record<string, string>, keys = [K1]) {
  // The public URL must be known before listening: serve on a fixed free port found by a first start.
  const probe = await startTestService({ airflowUrl: sim.url, env: { PORT: '0' } });
  const port = new URL(probe.url).port;
  await probe.close();
  return startTestService({
    airflowUrl: sim.url,
    now,
    env: {
      PORT: port,
      AIRFLOW_AUTH_MODE: 'oauth',
      MCP_PUBLIC_URL: `http://127.0.0.1:${port}`,
      MCP_OAUTH_KEYS_FILE: writeKeysFile(keys),
      MCP_OAUTH_LOGIN_ATTEMPTS: '3',
      ...env,
    },
  });
}

async function register(s: TestService, redirectUris = [REDIRECT]): Promise<string> {
  const res = await fetch(`${base(s)}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_name: 'Refusal test', redirect_uris: redirectUris }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { client_id: string }).client_id;
}

async function signIn(s: TestService, clientId: string, user = 'admin', redirectUri = REDIRECT) {
  const pkce = pkcePair();
  const page = await openLoginPage(
    authorizeUrl(base(s), {
      response_type: 'code',
      client_id: clientId,
      redirect_uri: redirectUri,
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
    }),
  );
  expect(page.status).toBe(200);
  const res = await postLogin(base(s), page, user, user);
  expect(res.status).toBe(302);
  return { code: new URL(res.headers.get('location')!).searchParams.get('code')!, ...pkce };
}

function redeem(s: TestService, fields: Record<string, string>) {
  return fetch(`${base(s)}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', ...fields }),
  });
}

async function accessToken(s: TestService, clientId: string): Promise<string> {
  const { code, verifier } = await signIn(s, clientId);
  const res = await redeem(s, { code, client_id: clientId, redirect_uri: REDIRECT, code_verifier: verifier });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

function tamper(token: string): string {
  const parts = token.split('.');
  const ct = parts[3]!;
  parts[3] = (ct[0] === 'A' ? 'B' : 'A') + ct.slice(1);
  return parts.join('.');
}

beforeAll(async () => {
  sim = await startSimulator({ auth: 'enforced' });
  svc = await start({});
});
afterAll(async () => {
  await svc?.close();
  await sim?.close();
});
beforeEach(() => {
  clockOffset = 0;
});

/** Airflow API calls (not sign-ins at /auth/token) made since the last reset. */
function apiCalls() {
  return sim.calls.filter((c) => c.path.startsWith('/api/') && !c.path.includes('/version'));
}

describe('the token endpoint refuses', () => {
  it.each([
    [
      'a wrong PKCE verifier',
      (c: { verifier: string }) => ({ code_verifier: `${c.verifier.slice(0, -2)}xx` }),
    ],
    ['a missing PKCE verifier', () => ({ code_verifier: '' })],
    ['a tampered code', (c: { code: string }) => ({ code: tamper(c.code) })],
    ['another client', () => ({ client_id: 'someone-else' })],
    ['another redirect URI', () => ({ redirect_uri: 'http://127.0.0.1:40222/other' })],
    ['another resource', () => ({ resource: 'https://other.example/mcp' })],
  ])('%s', async (_name, change) => {
    const clientId = await register(svc);
    const c = await signIn(svc, clientId);
    const fields = { code: c.code, client_id: clientId, redirect_uri: REDIRECT, code_verifier: c.verifier };
    const res = await redeem(svc, { ...fields, ...change(c) });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string };
    expect(['invalid_grant', 'invalid_target']).toContain(body.error);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('a code older than 60 s, and a code for a client registered elsewhere', async () => {
    const clientId = await register(svc);
    const other = await register(svc);
    const c = await signIn(svc, clientId);
    const fields = { code: c.code, redirect_uri: REDIRECT, code_verifier: c.verifier };
    expect((await redeem(svc, { ...fields, client_id: other })).status).toBe(400);
    clockOffset = 61_000;
    const late = await redeem(svc, { ...fields, client_id: clientId });
    expect(late.status).toBe(400);
    expect(((await late.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('another grant type (no refresh tokens exist)', async () => {
    const res = await redeem(svc, { grant_type: 'refresh_token', refresh_token: 'x' });
    expect(((await res.json()) as { error: string }).error).toBe('unsupported_grant_type');
  });
});

describe('/mcp refuses', () => {
  it('a tampered token, an expired token and a raw Airflow token, before anything reaches Airflow', async () => {
    const clientId = await register(svc);
    const token = await accessToken(svc, clientId);
    const airflowJwt = await sim.issueToken('admin');
    sim.resetCalls();
    for (const bad of [tamper(token), airflowJwt, 'not-a-token', `${token}x`]) {
      const res = await rawPost(svc.url, initialize(1), { authorization: `Bearer ${bad}` });
      expect(res.status).toBe(401);
      expect(String(res.headers['www-authenticate'])).toContain('error="invalid_token"');
      expect(String(res.headers['www-authenticate'])).toContain('resource_metadata="');
      expect(res.text).not.toContain(bad);
    }
    const basic = await rawPost(svc.url, initialize(1), { authorization: 'Basic YWRtaW46YWRtaW4=' });
    expect(basic.status).toBe(401);
    clockOffset = 3_601_000;
    const expired = await rawPost(svc.url, initialize(1), { authorization: `Bearer ${token}` });
    expect(expired.status).toBe(401);
    clockOffset = 0;
    const raw = await rawPost(svc.url, initialize(1), { 'x-airflow-authorization': `Bearer ${airflowJwt}` });
    expect(raw.status).toBe(401);
    expect(apiCalls()).toEqual([]);
    expect((await rawPost(svc.url, initialize(1), { authorization: `Bearer ${token}` })).status).toBe(200);
  });

  it('a token for another audience, and a token under a removed key; a rotated-out key still opens', async () => {
    const clientId = await register(svc);
    const token = await accessToken(svc, clientId);
    const sameResource = { MCP_PUBLIC_URL: publicOf(svc) };
    const otherAudience = await start({}, [K1]);
    const rotated = await start(sameResource, [K2, K1]);
    const removed = await start(sameResource, [K2]);
    try {
      const call = (s: TestService) => rawPost(s.url, initialize(1), { authorization: `Bearer ${token}` });
      // Same keys, another MCP_PUBLIC_URL: the token names another resource.
      expect((await call(otherAudience)).status).toBe(401);
      // Same resource: k1 still listed (second) opens; k1's line removed does not.
      expect((await call(rotated)).status).toBe(200);
      expect((await call(removed)).status).toBe(401);
      const header = (t: string) => JSON.parse(Buffer.from(t.split('.')[0]!, 'base64url').toString());
      expect(header(token)).toMatchObject({ alg: 'dir', enc: 'A256GCM', kid: 'k1' });
      // New artefacts are sealed under the first key (the registration itself is a sealed client id).
      expect(header(await register(rotated)).kid).toBe('k2');
    } finally {
      await Promise.all([otherAudience.close(), rotated.close(), removed.close()]);
    }
  });

  it('X-Airflow-Authorization only when MCP_OAUTH_ALLOW_AIRFLOW_HEADER allows it', async () => {
    const allowing = await start({ MCP_OAUTH_ALLOW_AIRFLOW_HEADER: 'true' });
    try {
      const jwt = await sim.issueToken('viewer');
      const res = await rawPost(allowing.url, initialize(1), { 'x-airflow-authorization': `Bearer ${jwt}` });
      expect(res.status).toBe(200);
      const plain = await rawPost(allowing.url, initialize(1), { authorization: `Bearer ${jwt}` });
      expect(plain.status).toBe(401);
    } finally {
      await allowing.close();
    }
  });
});

describe('/authorize refuses', () => {
  it('an unregistered redirect URI without redirecting anywhere (no open redirect)', async () => {
    const clientId = await register(svc);
    const pkce = pkcePair();
    for (const redirect of [
      'https://evil.example/cb',
      'http://127.0.0.1:40222/other',
      'http://evil.example:40222/cb',
      `${REDIRECT}#frag`,
    ]) {
      const res = await fetch(
        authorizeUrl(base(svc), {
          response_type: 'code',
          client_id: clientId,
          redirect_uri: redirect,
          code_challenge: pkce.challenge,
          code_challenge_method: 'S256',
        }),
        { redirect: 'manual' },
      );
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
    }
    const unknownClient = await fetch(
      authorizeUrl(base(svc), {
        response_type: 'code',
        client_id: 'forged',
        redirect_uri: 'https://evil.example/',
      }),
      { redirect: 'manual' },
    );
    expect(unknownClient.status).toBe(400);
    expect(unknownClient.headers.get('location')).toBeNull();
  });

  it('registration of a non-loopback http or a fragment redirect URI', async () => {
    for (const uri of ['http://evil.example/cb', 'javascript:alert(1)', 'https://ok.example/cb#x']) {
      const res = await fetch(`${base(svc)}/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ redirect_uris: [uri] }),
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe('invalid_redirect_uri');
    }
  });

  it('a loopback redirect on another port is the same client (RFC 8252)', async () => {
    const clientId = await register(svc);
    const { code } = await signIn(svc, clientId, 'viewer', 'http://127.0.0.1:51999/cb');
    expect(code).toBeTruthy();
  });

  it('no PKCE: an error redirected to the registered URI only', async () => {
    const clientId = await register(svc);
    const res = await fetch(
      authorizeUrl(base(svc), {
        response_type: 'code',
        client_id: clientId,
        redirect_uri: REDIRECT,
        state: 's',
      }),
      { redirect: 'manual' },
    );
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get('location')!);
    expect(`${to.origin}${to.pathname}`).toBe(REDIRECT);
    expect(to.searchParams.get('error')).toBe('invalid_request');
  });

  it('a wrong password or user with one message, then limits attempts per address', async () => {
    const limited = await start({});
    try {
      const clientId = await register(limited);
      const pkce = pkcePair();
      const page = await openLoginPage(
        authorizeUrl(base(limited), {
          response_type: 'code',
          client_id: clientId,
          redirect_uri: REDIRECT,
          code_challenge: pkce.challenge,
          code_challenge_method: 'S256',
        }),
      );
      sim.resetCalls();
      const wrongPassword = await postLogin(base(limited), page, 'admin', 'wrong');
      const wrongUser = await postLogin(base(limited), page, 'nobody', 'admin');
      expect(wrongPassword.status).toBe(401);
      expect(wrongUser.status).toBe(401);
      const message = (html: string) => /<p class="error"[^>]*>([^<]*)</.exec(html)?.[1];
      const [m1, m2] = [message(await wrongPassword.text()), message(await wrongUser.text())];
      expect(m1).toBe(m2);
      expect(m1).toMatch(/user name or password was not accepted/);
      await postLogin(base(limited), page, 'admin', 'wrong-again');
      const blocked = await postLogin(base(limited), page, 'admin', 'admin');
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(apiCalls()).toEqual([]);
      expect(sim.calls.filter((c) => c.path.endsWith('/auth/token')).length).toBe(3);
    } finally {
      await limited.close();
    }
  });

  it('a form without the page cookie or from another origin (CSRF)', async () => {
    const clientId = await register(svc);
    const pkce = pkcePair();
    const page = await openLoginPage(
      authorizeUrl(base(svc), {
        response_type: 'code',
        client_id: clientId,
        redirect_uri: REDIRECT,
        code_challenge: pkce.challenge,
        code_challenge_method: 'S256',
      }),
    );
    expect((await postLogin(base(svc), { ...page, cookie: undefined }, 'admin', 'admin')).status).toBe(403);
    expect(
      (await postLogin(base(svc), page, 'admin', 'admin', { origin: 'https://evil.example' })).status,
    ).toBe(403);
    expect(
      (await postLogin(base(svc), { ...page, request: tamper(page.request!) }, 'admin', 'admin')).status,
    ).toBe(400);
  });
});

describe('Airflow 2 (API v1)', () => {
  it('sign-in checks the Basic credential; a wrong password is refused; the token then works', async () => {
    const v1 = await start({ AIRFLOW_API_VERSION: 'v1' });
    try {
      const clientId = await register(v1);
      sim.resetCalls();
      const token = await accessToken(v1, clientId);
      expect(sim.calls.some((c) => c.path.startsWith('/api/v1/dags') && c.authScheme === 'basic')).toBe(true);
      expect(sim.calls.some((c) => c.path.endsWith('/auth/token'))).toBe(false);
      const res = await rawPost(v1.url, initialize(1), { authorization: `Bearer ${token}` });
      expect(res.status).toBe(200);
      const pkce = pkcePair();
      const page = await openLoginPage(
        authorizeUrl(base(v1), {
          response_type: 'code',
          client_id: clientId,
          redirect_uri: REDIRECT,
          code_challenge: pkce.challenge,
          code_challenge_method: 'S256',
        }),
      );
      expect((await postLogin(base(v1), page, 'admin', 'wrong')).status).toBe(401);
    } finally {
      await v1.close();
    }
  });
});

describe('bad input gets a clear answer, never a crash', () => {
  it.each([
    ['/register', 'application/json', '{not json', 400],
    ['/register', 'application/json', JSON.stringify({ redirect_uris: 'x'.repeat(20_000) }), 413],
    ['/register', 'application/json', '[]', 400],
    ['/register', 'application/json', JSON.stringify({ redirect_uris: [] }), 400],
    ['/token', 'application/json', '{"grant_type":"authorization_code"}', 400],
    ['/token', 'application/x-www-form-urlencoded', 'code=a&code=b&grant_type=authorization_code', 400],
    ['/token', 'application/x-www-form-urlencoded', `code=${'x'.repeat(20_000)}`, 413],
    ['/authorize', 'application/x-www-form-urlencoded', 'request=garbage', 400],
    ['/authorize', 'text/plain', 'hello', 400],
  ])('POST %s (%s) %#', async (path, type, body, status) => {
    const res = await fetch(`${base(svc)}${path}`, {
      method: 'POST',
      headers: { 'content-type': type },
      body,
    });
    expect(res.status).toBe(status);
    expect((await res.text()).length).toBeGreaterThan(0);
  });

  it('GET /authorize with repeated or missing parameters', async () => {
    for (const q of ['', '?client_id=a&client_id=b', '?client_id=', `?client_id=${'%ff'.repeat(10)}`]) {
      const res = await fetch(`${base(svc)}/authorize${q}`, { redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
    }
    expect((await fetch(`${base(svc)}/healthz`)).status).toBe(200);
  });
});

describe('browser-based clients', () => {
  it('may call /token and /register cross-origin (no cookies involved)', async () => {
    const res = await fetch(`${base(svc)}/token`, {
      method: 'OPTIONS',
      headers: { origin: 'https://inspector.example', 'access-control-request-method': 'POST' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('start-up', () => {
  it('refuses oauth mode without its settings, in one line naming the setting', async () => {
    await expect(
      startTestService({
        airflowUrl: sim.url,
        env: { AIRFLOW_AUTH_MODE: 'oauth', MCP_OAUTH_KEYS_FILE: '/x' },
      }),
    ).rejects.toThrow(/^Invalid MCP_PUBLIC_URL: .*required when AIRFLOW_AUTH_MODE=oauth/);
    await expect(
      startTestService({
        airflowUrl: sim.url,
        env: {
          AIRFLOW_AUTH_MODE: 'oauth',
          MCP_PUBLIC_URL: 'http://127.0.0.1:1',
          MCP_OAUTH_KEYS_FILE: writeKeysFile(['k1 short']),
        },
      }),
    ).rejects.toThrow(
      /^Invalid MCP_OAUTH_KEYS_FILE: line 2: key k1 must be base64url of exactly 32 random bytes$/,
    );
  });
});
