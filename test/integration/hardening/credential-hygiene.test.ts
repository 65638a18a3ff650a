// One file runs the whole credential workload (every auth mode, failures, faults, a real process) and then
// searches everything the service emitted — logs, responses, headers, metrics, errors — for every credential.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jwtDecrypt, SignJWT } from 'jose';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { ConfigError } from '../../../src/config/settings.js';
import { type Simulator, startSimulator } from '../../../src/sim/index.js';
import { type FrontProxy, sendJson, startFrontProxy } from '../../helpers/front-proxy.js';
import { freePort, newKey, openLoginPage, postLogin, writeKeysFile } from '../../helpers/oauth.js';
import { legacyHeaders, rawPost, toolsCall } from '../../helpers/raw-mcp.js';
import { metricValue, startTestService, type TestService } from '../../helpers/service.js';
import { recordRow } from './support.js';

const JWT_SECRET = 'hygiene-jwt-secret-0123456789-abcdefghij';
const SVC_PASSWORD = 'svc-Pa55word-hygiene';
const ALICE_PASSWORD = 'alice-Secret-42-hygiene';
const API_KEY = 'hygiene-api-key-7f3a9c1e5b';
const WRONG_KEY = 'hygiene-wrong-key-0d2e4f';
const SHORT_SECRET = 'short-secr3t';

const emitted: { where: string; text: string }[] = [];
const credentials = new Map<string, string>();
let sim: Simulator;
let aliceJwt: string;

function addCredential(label: string, value: string) {
  credentials.set(label, value);
  credentials.set(`${label} (base64)`, Buffer.from(value).toString('base64'));
}

beforeAll(async () => {
  sim = await startSimulator({
    auth: 'enforced',
    jwtSecret: JWT_SECRET,
    users: {
      svc: { password: SVC_PASSWORD, role: 'admin' },
      alice: { password: ALICE_PASSWORD, role: 'viewer' },
    },
  });
  aliceJwt = await sim.issueToken('alice');
  addCredential('alice JWT', aliceJwt);
  credentials.set('alice JWT signature', aliceJwt.split('.')[2]!);
  addCredential('svc password', SVC_PASSWORD);
  addCredential('alice password', ALICE_PASSWORD);
  addCredential('alice user:password', `alice:${ALICE_PASSWORD}`);
  addCredential('svc user:password', `svc:${SVC_PASSWORD}`);
  addCredential('API key', API_KEY);
  addCredential('wrong API key', WRONG_KEY);
  addCredential('JWT secret', JWT_SECRET);
  addCredential('short secret', SHORT_SECRET);
});
afterAll(async () => {
  await sim.close();
});

async function exchange(
  s: TestService,
  name: string,
  args: Record<string, unknown>,
  headers: Record<string, string>,
) {
  const ex = await rawPost(s.url, toolsCall(1, name, args), legacyHeaders(headers));
  emitted.push({ where: `response ${name}`, text: ex.text });
  emitted.push({ where: `headers ${name}`, text: JSON.stringify(ex.headers) });
  return ex;
}

async function drain(s: TestService, label: string) {
  emitted.push({ where: `metrics ${label}`, text: await s.metrics() });
  const base = s.url.replace(/\/mcp$/, '');
  for (const path of ['/readyz', '/healthz', '/metrics']) {
    const res = await request(`${base}${path}`);
    emitted.push({ where: `${path} ${label}`, text: await res.body.text() });
  }
  await s.close();
  emitted.push({ where: `logs ${label}`, text: s.logs.join('') });
}

async function service(
  label: string,
  env: Record<string, string>,
  fn: (s: TestService) => Promise<void>,
  airflowUrl = sim.url,
) {
  const s = await startTestService({ airflowUrl, env: { LOG_LEVEL: 'trace', ...env } });
  try {
    await fn(s);
  } finally {
    await drain(s, label);
  }
}

const forged = () =>
  new SignJWT({ role: 'admin' })
    .setProtectedHeader({ alg: 'HS512' })
    .setSubject('alice')
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode('forged-secret-forged-secret-forged-secret'));

describe('credential hygiene across the whole workload', () => {
  it('forward mode: Bearer and Basic, successes, refusals, an upstream that echoes the credential, faults', async () => {
    const forgedJwt = await forged();
    addCredential('forged JWT', forgedJwt);
    const expired = await sim.issueToken('alice', { expiresInSeconds: -3600 });
    addCredential('expired JWT', expired);
    const basic = `Basic ${Buffer.from(`alice:${ALICE_PASSWORD}`).toString('base64')}`;
    await service(
      'forward',
      { AIRFLOW_AUTH_MODE: 'forward', AIRFLOW_API_VERSION: 'auto', AIRFLOW_TIMEOUT_MS: '800' },
      async (s) => {
        const bearer = { authorization: `Bearer ${aliceJwt}` };
        expect((await exchange(s, 'list_dags', {}, bearer)).status).toBe(200);
        await exchange(s, 'trigger_dag', { dag_id: 'asset_producer_orders' }, bearer); // viewer: 403
        await exchange(s, 'list_dags', {}, { authorization: `Bearer ${forgedJwt}` });
        await exchange(s, 'list_dags', {}, { authorization: `Bearer ${expired}` });
        await exchange(s, 'list_dags', {}, { authorization: basic });
        await exchange(s, 'list_dags', {}, { authorization: `Token ${aliceJwt}` });
        // A broken proxy or Airflow that echoes the caller's credential in its error body.
        sim.setFault({
          match: { pathIncludes: '/dags' },
          status: 500,
          body: { detail: `bad header Bearer ${aliceJwt}` },
        });
        const echoed = await exchange(s, 'list_dags', {}, bearer);
        expect(echoed.text).toContain('[redacted]');
        sim.setFault({
          match: { pathIncludes: '/dags' },
          status: 400,
          body: { detail: `user alice:${ALICE_PASSWORD} / ${basic}` },
        });
        expect((await exchange(s, 'list_dags', {}, { authorization: basic })).text).toContain('[redacted]');
        sim.setFault({ match: { pathIncludes: '/dags' }, delayHeadersMs: 2000 });
        await exchange(s, 'list_dags', {}, bearer);
        sim.setFault({ match: { pathIncludes: '/dags' }, redirectTo: 'http://127.0.0.1:9/steal' });
        await exchange(s, 'list_dags', {}, bearer);
        sim.setFault(null);
        const m = await s.metrics();
        for (const path of ['forwarded_bearer', 'forwarded_basic', 'rejected']) {
          expect(metricValue(m, 'airflow_mcp_auth_forwarding_total', { path })).toBeGreaterThan(0);
        }
      },
    );
  });

  it('an upstream that echoes the Authorization header at every offset around the 500-character cut', async () => {
    // The echo comes back in the tool error's message, cut to 500 characters of Airflow's detail.
    const CUT = 500;
    const basic = `Basic ${Buffer.from(`alice:${ALICE_PASSWORD}`).toString('base64')}`;
    const headers = [
      { label: 'Bearer', header: `Bearer ${aliceJwt}`, pieces: [aliceJwt] },
      {
        label: 'Basic',
        header: basic,
        pieces: [basic.slice(6), `alice:${ALICE_PASSWORD}`, ALICE_PASSWORD],
      },
    ];
    const proxy: FrontProxy = await startFrontProxy(sim.url);
    // x-request-id reaches Airflow, so it carries the offset (and whether to echo a cut copy).
    proxy.intercept = async (req, res) => {
      const m = /^echo-(\d+)-(whole|cut)$/.exec(String(req.headers['x-request-id']));
      if (!m) return false;
      const header = String(req.headers.authorization);
      const echoed = m[2] === 'whole' ? header : header.slice(0, -1);
      sendJson(res, 400, { detail: `${'x'.repeat(Number(m[1]))}${echoed}` });
      return true;
    };
    const leaks: string[] = [];
    let calls = 0;
    const t0 = performance.now();
    try {
      await service(
        'echo at the cut',
        { AIRFLOW_AUTH_MODE: 'forward', AIRFLOW_API_VERSION: 'v2', LOG_LEVEL: 'info' },
        async (s) => {
          for (const { label, header, pieces } of headers) {
            // Whole header: from wholly before the cut to wholly after it. Cut copy (an upstream that
            // truncates what it echoes): every offset where it runs across the cut.
            const runs = [
              { kind: 'whole', from: CUT - header.length - 2, to: CUT + 2 },
              { kind: 'cut', from: CUT - header.length + 2, to: CUT - 1 },
            ];
            for (const { kind, from, to } of runs) {
              for (let offset = from; offset <= to; offset++) {
                const ex = await exchange(
                  s,
                  'list_dags',
                  {},
                  { authorization: header, 'x-request-id': `echo-${offset}-${kind}` },
                );
                calls++;
                expect(ex.text, `${label} ${kind} at ${offset}`).toContain('Airflow rejected the request');
                for (const value of pieces) {
                  // Any 8 consecutive characters of the credential is a leak.
                  for (let i = 0; i + 8 <= value.length; i++) {
                    if (ex.text.includes(value.slice(i, i + 8))) {
                      leaks.push(`${label} ${kind} at offset ${offset}: characters ${i}..${i + 8}`);
                      break;
                    }
                  }
                }
              }
            }
          }
        },
        proxy.url,
      );
    } finally {
      await proxy.close();
    }
    recordRow(
      'who gets in',
      `upstream echoing the caller's Authorization header in a 400 at every offset around the 500-character cut of its detail (Bearer and Basic; whole, and cut by the upstream): ${calls} calls`,
      `HTTP 200, tool error \`invalid_argument\` each time; ${leaks.length} responses held 8 or more consecutive characters of a credential`,
      Math.round(performance.now() - t0),
    );
    expect(calls).toBeGreaterThan(2 * aliceJwt.length);
    expect(leaks.slice(0, 5)).toEqual([]);
  });

  it('forward mode with local JWT verification (AIRFLOW_JWT_SECRET)', async () => {
    await service(
      'forward+jwt',
      { AIRFLOW_AUTH_MODE: 'forward', AIRFLOW_JWT_SECRET: JWT_SECRET },
      async (s) => {
        expect((await exchange(s, 'list_dags', {}, { authorization: `Bearer ${aliceJwt}` })).status).toBe(
          200,
        );
        expect(
          (await exchange(s, 'list_dags', {}, { authorization: `Bearer ${await forged()}` })).status,
        ).toBe(401);
      },
    );
  });

  it('token mode with API keys', async () => {
    const svcJwt = await sim.issueToken('svc');
    addCredential('service token', svcJwt);
    await service(
      'token',
      {
        AIRFLOW_AUTH_MODE: 'token',
        AIRFLOW_AUTH_TOKEN: svcJwt,
        MCP_API_KEYS: API_KEY,
        AIRFLOW_API_VERSION: 'v2',
      },
      async (s) => {
        expect((await exchange(s, 'list_dags', {}, { authorization: `Bearer ${API_KEY}` })).status).toBe(200);
        expect((await exchange(s, 'list_dags', {}, { authorization: `Bearer ${WRONG_KEY}` })).status).toBe(
          401,
        );
        expect((await exchange(s, 'list_dags', {}, { 'x-api-key': WRONG_KEY })).status).toBe(401);
        sim.setFault({
          match: { pathIncludes: '/dags' },
          status: 502,
          body: { detail: `upstream saw ${svcJwt}` },
        });
        await exchange(s, 'list_dags', {}, { 'x-api-key': API_KEY });
        sim.setFault(null);
      },
    );
  });

  it('password mode on both APIs, and a wrong service password', async () => {
    for (const api of ['v2', 'v1']) {
      await service(
        `password ${api}`,
        {
          AIRFLOW_AUTH_MODE: 'password',
          AIRFLOW_USERNAME: 'svc',
          AIRFLOW_PASSWORD: SVC_PASSWORD,
          AIRFLOW_API_VERSION: api,
        },
        async (s) => {
          expect((await exchange(s, 'list_dags', {}, {})).status).toBe(200);
          expect((await exchange(s, 'get_dag_details', { dag_id: 'nope' }, {})).status).toBe(200);
        },
      );
    }
    await service(
      'password wrong',
      {
        AIRFLOW_AUTH_MODE: 'password',
        AIRFLOW_USERNAME: 'svc',
        AIRFLOW_PASSWORD: `${SVC_PASSWORD}-wrong`,
        AIRFLOW_API_VERSION: 'v2',
      },
      async (s) => {
        const r = await exchange(s, 'list_dags', {}, {});
        expect(r.text).toContain('upstream_unauthorized');
      },
    );
  });

  it('oauth mode: sign-in (right and wrong password), token exchange, tool calls, refusals, an echoing upstream', async () => {
    const key = newKey();
    addCredential('oauth key', key);
    const keysFile = writeKeysFile([`k1 ${key}`]);
    const port = String(await freePort());
    const publicUrl = `http://127.0.0.1:${port}`;
    await service(
      'oauth',
      {
        PORT: port,
        AIRFLOW_AUTH_MODE: 'oauth',
        MCP_PUBLIC_URL: publicUrl,
        MCP_OAUTH_KEYS_FILE: keysFile,
        AIRFLOW_API_VERSION: 'v2',
      },
      async (s) => {
        const record = async (where: string, res: Response, withBody = true) => {
          const headers = Object.fromEntries([...res.headers].filter(([k]) => k !== 'location'));
          emitted.push({ where: `headers ${where}`, text: JSON.stringify(headers) });
          if (withBody) emitted.push({ where: `body ${where}`, text: await res.text() });
        };
        const redirectUri = 'http://127.0.0.1:40333/cb';
        const reg = await fetch(`${publicUrl}/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ client_name: 'hygiene', redirect_uris: [redirectUri] }),
        });
        const clientId = ((await reg.json()) as { client_id: string }).client_id;
        const verifier = 'v'.repeat(43);
        const challenge = createHash('sha256').update(verifier).digest('base64url');
        const authorize = `${publicUrl}/authorize?${new URLSearchParams({
          response_type: 'code',
          client_id: clientId,
          redirect_uri: redirectUri,
          code_challenge: challenge,
          code_challenge_method: 'S256',
        })}`;
        const page = await openLoginPage(authorize);
        emitted.push({ where: 'login page', text: page.html });
        await record('wrong password', await postLogin(publicUrl, page, 'alice', `${ALICE_PASSWORD}-x`));
        const ok = await postLogin(publicUrl, page, 'alice', ALICE_PASSWORD);
        expect(ok.status).toBe(302);
        await record('sign-in redirect', ok);
        const code = new URL(ok.headers.get('location')!).searchParams.get('code')!;
        addCredential('oauth code', code);
        const redeem = (v: string) =>
          fetch(`${publicUrl}/token`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({
              grant_type: 'authorization_code',
              code,
              client_id: clientId,
              redirect_uri: redirectUri,
              code_verifier: v,
            }),
          });
        await record('token wrong verifier', await redeem('w'.repeat(43)));
        const tokenRes = await redeem(verifier);
        await record('token', tokenRes, false);
        const accessToken = ((await tokenRes.json()) as { access_token: string }).access_token;
        addCredential('oauth access token', accessToken);
        const { payload } = await jwtDecrypt(accessToken, Buffer.from(key, 'base64url'));
        const airflowCredential = String(payload.cred);
        expect(airflowCredential).toMatch(/^Bearer eyJ/);
        addCredential('alice Airflow token from sign-in', airflowCredential.slice('Bearer '.length));
        const bearer = { authorization: `Bearer ${accessToken}` };
        expect((await exchange(s, 'list_dags', {}, bearer)).status).toBe(200);
        await exchange(s, 'trigger_dag', { dag_id: 'asset_producer_orders' }, bearer); // viewer: 403
        await exchange(s, 'list_dags', {}, { authorization: `Bearer ${aliceJwt}` }); // raw Airflow token
        await exchange(s, 'list_dags', {}, { authorization: `Bearer ${accessToken.slice(0, -3)}abc` });
        await exchange(s, 'list_dags', {}, { 'x-airflow-authorization': `Bearer ${aliceJwt}` });
        sim.setFault({
          match: { pathIncludes: '/dags' },
          status: 500,
          body: { detail: `bad header ${airflowCredential}` },
        });
        expect((await exchange(s, 'list_dags', {}, bearer)).text).toContain('[redacted]');
        sim.setFault(null);
        const m = await s.metrics();
        expect(metricValue(m, 'airflow_mcp_auth_forwarding_total', { path: 'oauth' })).toBeGreaterThan(0);
        expect(readFileSync(keysFile, 'utf8')).toContain(key);
      },
    );
  });

  it('configuration errors name the setting, never the value of a secret', async () => {
    const envs: Record<string, string>[] = [
      { AIRFLOW_JWT_SECRET: SHORT_SECRET },
      {
        HOST: '0.0.0.0',
        AIRFLOW_AUTH_MODE: 'password',
        AIRFLOW_USERNAME: 'svc',
        AIRFLOW_PASSWORD: SVC_PASSWORD,
      },
    ];
    for (const env of envs) {
      const error = await startTestService({ airflowUrl: sim.url, env }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      emitted.push({ where: 'config error', text: String((error as Error).message) });
    }
  });

  it('the real process (stdout and stderr), token mode with the token and API key from files, debug logs', async () => {
    const svcJwt = credentials.get('service token')!;
    // Secrets as files (a mounted Secret), so neither is in the process's environment or arguments.
    const secrets = mkdtempSync(join(tmpdir(), 'airflow-mcp-hygiene-'));
    onTestFinished(() => rmSync(secrets, { recursive: true, force: true }));
    writeFileSync(join(secrets, 'token'), `${svcJwt}\n`, { mode: 0o600 });
    writeFileSync(join(secrets, 'api-keys'), `${API_KEY}\n`, { mode: 0o600 });
    const child = spawn(
      join(import.meta.dirname, '../../../node_modules/.bin/tsx'),
      [join(import.meta.dirname, '../../../src/main.ts')],
      {
        env: {
          PATH: process.env.PATH ?? '',
          HOST: '127.0.0.1',
          PORT: '0',
          LOG_LEVEL: 'trace',
          SHUTDOWN_DELAY_MS: '0',
          AIRFLOW_API_URL: sim.url,
          AIRFLOW_AUTH_MODE: 'token',
          AIRFLOW_AUTH_TOKEN_FILE: join(secrets, 'token'),
          MCP_API_KEYS_FILE: join(secrets, 'api-keys'),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const out: string[] = [];
    child.stdout.on('data', (d) => out.push(String(d)));
    child.stderr.on('data', (d) => out.push(String(d)));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // SIGTERM (never SIGKILL: tsx would leave its node child behind) even when an assertion fails.
    onTestFinished(() => {
      if (child.exitCode === null) child.kill('SIGTERM');
    });
    const deadline = Date.now() + 15_000;
    while (!out.join('').includes('airflow-mcp listening') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const url = JSON.parse(
      out
        .join('')
        .split('\n')
        .find((l) => l.includes('airflow-mcp listening'))!,
    ).url as string;
    const statuses: number[] = [];
    for (const headers of [
      { authorization: `Bearer ${API_KEY}` },
      { authorization: `Bearer ${WRONG_KEY}` },
      {} as Record<string, string>,
    ]) {
      const ex = await rawPost(url, toolsCall(1, 'list_dags'), legacyHeaders(headers));
      emitted.push({ where: 'process response', text: ex.text + JSON.stringify(ex.headers) });
      statuses.push(ex.status);
      if (headers.authorization === `Bearer ${API_KEY}`) {
        // The token read from its file reached Airflow: a DAG list, not an auth error.
        expect(ex.rpc?.result?.isError, ex.text.slice(0, 300)).toBeFalsy();
      }
    }
    expect(statuses).toEqual([200, 401, 401]);
    child.kill('SIGTERM');
    await exited;
    emitted.push({ where: 'process output', text: out.join('') });
    expect(out.join('')).toContain('shutdown complete');
  });

  it('no credential, in any encoding, appears anywhere the service wrote', () => {
    expect(emitted.length).toBeGreaterThan(60);
    const all = emitted.map((e) => e.text).join('\n');
    expect(all.length).toBeGreaterThan(50_000);
    const leaks: string[] = [];
    for (const { where, text } of emitted) {
      for (const [label, value] of credentials) if (text.includes(value)) leaks.push(`${label} in ${where}`);
      // Any JWT at all in the output is a leak: the service never has a reason to print one.
      if (/eyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]{10,}/.test(text)) leaks.push(`a JWT in ${where}`);
    }
    expect(leaks).toEqual([]);
  });

  it('the search itself finds a planted credential (the check above can fail)', () => {
    const planted = `{"msg":"oops","auth":"Basic ${credentials.get('alice user:password (base64)')}"}`;
    expect([...credentials.values()].some((v) => planted.includes(v))).toBe(true);
  });
});
