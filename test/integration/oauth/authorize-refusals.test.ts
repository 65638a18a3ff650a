// What /authorize refuses in oauth mode, over real HTTP: open redirects, wrong passwords (one message, then
// the attempt limit), CSRF; bad input on every sign-in endpoint; Airflow 2 sign-in; start-up refusals.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../src/sim/index.js';
import { openLoginPage, postLogin, writeKeysFile } from '../../helpers/oauth.js';
import { initialize, rawPost } from '../../helpers/raw-mcp.js';
import { startTestService, type TestService } from '../../helpers/service.js';
import {
  accessToken,
  apiCalls,
  authorizeUrl,
  base,
  K1,
  pkcePair,
  REDIRECT,
  register,
  signIn,
  startOAuthService,
  tamper,
} from './support.js';

let sim: Simulator;
let svc: TestService;
let clockOffset = 0;
const now = () => Date.now() + clockOffset;
const start = (env: Record<string, string>, keys = [K1]) => startOAuthService(sim, now, env, keys);

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
      expect(apiCalls(sim)).toEqual([]);
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
