// What the token endpoint and /mcp refuse in oauth mode, over real HTTP: bad PKCE, expired, tampered and
// misdirected codes; tampered, expired, foreign-audience and removed-key tokens; raw Airflow tokens.
// None of it reaches Airflow with a credential.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../src/sim/index.js';
import { initialize, rawPost } from '../../helpers/raw-mcp.js';
import type { TestService } from '../../helpers/service.js';
import {
  accessToken,
  apiCalls,
  base,
  K1,
  K2,
  REDIRECT,
  redeem,
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
const publicOf = (s: TestService) => base(s);

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
    // Used once first, so the expiry below is judged on the replica's cache of opened tokens too.
    expect((await rawPost(svc.url, initialize(1), { authorization: `Bearer ${token}` })).status).toBe(200);
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
    expect(apiCalls(sim)).toEqual([]);
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
