// Shared pieces of the sign-in tests: PKCE pairs, authorize URLs, an oauth-mode service on the simulator,
// and the steps of a sign-in done over plain HTTP.
import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { Simulator } from '../../../src/sim/index.js';
import { freePort, newKey, openLoginPage, postLogin, writeKeysFile } from '../../helpers/oauth.js';
import { startTestService, type TestService } from '../../helpers/service.js';

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function authorizeUrl(base: string, params: Record<string, string | undefined>): string {
  const url = new URL(`${base}/authorize`);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.href;
}

export const K1 = `k1 ${newKey()}`;
export const K2 = `k2 ${newKey()}`;
export const REDIRECT = 'http://127.0.0.1:40222/cb';

export const base = (s: TestService) => s.url.replace(/\/mcp$/, '');

/** An oauth-mode service whose MCP_PUBLIC_URL is its own address (env may override it). */
export async function startOAuthService(
  sim: Simulator,
  now: () => number,
  env: Record<string, string>,
  keys = [K1],
): Promise<TestService> {
  const port = String(await freePort());
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

export async function register(s: TestService, redirectUris = [REDIRECT]): Promise<string> {
  const res = await fetch(`${base(s)}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_name: 'Refusal test', redirect_uris: redirectUris }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { client_id: string }).client_id;
}

export async function signIn(s: TestService, clientId: string, user = 'admin', redirectUri = REDIRECT) {
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

export function redeem(s: TestService, fields: Record<string, string>) {
  return fetch(`${base(s)}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', ...fields }),
  });
}

export async function accessToken(s: TestService, clientId: string): Promise<string> {
  const { code, verifier } = await signIn(s, clientId);
  const res = await redeem(s, { code, client_id: clientId, redirect_uri: REDIRECT, code_verifier: verifier });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** The same token with one ciphertext character changed. */
export function tamper(token: string): string {
  const parts = token.split('.');
  const ct = parts[3]!;
  parts[3] = (ct[0] === 'A' ? 'B' : 'A') + ct.slice(1);
  return parts.join('.');
}

/** Airflow API calls (not sign-ins at /auth/token, not version probes) the simulator recorded. */
export function apiCalls(sim: Simulator) {
  return sim.calls.filter((c) => c.path.startsWith('/api/') && !c.path.includes('/version'));
}
