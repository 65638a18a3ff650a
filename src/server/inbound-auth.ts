// Who may use the MCP endpoint: API keys (constant-time) and local JWT verification, before any Airflow call.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { createRemoteJWKSet, type JWTVerifyGetKey, errors as joseErrors, jwtVerify } from 'jose';
import type { Settings } from '../config/settings.js';
import { ConfigError } from '../config/settings.js';
import type { Metrics } from '../observability/metrics.js';
import { jsonRpcError } from './respond.js';

export interface InboundAuthOptions {
  mode: Settings['airflowAuthMode'];
  apiKeys: readonly string[];
  jwtSecret?: string | undefined;
  jwksUrl?: string | undefined;
  audience?: string | undefined;
  issuer?: string | undefined;
  leewaySeconds: number;
  now: () => number;
}

export type InboundDecision =
  | { ok: true }
  | { ok: false; status: 401 | 503; reason: string; message: string; challenge?: string };

const REALM = 'Bearer realm="airflow-mcp"';
const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Reads API keys from a file: one per line, blank lines and # comments ignored. */
/** Keys given directly plus those in a keys file; a named but unreadable or empty file stops start-up. */
export function apiKeysFrom(
  keys: readonly string[],
  file: string | undefined,
  readFile: (path: string) => string,
): string[] {
  const all = [...keys];
  if (file) {
    let text: string;
    try {
      text = readFile(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new ConfigError(`Invalid MCP_API_KEYS_FILE: cannot read ${file} (${code})`);
    }
    const fromFile = parseApiKeysFile(text);
    if (fromFile.length === 0) throw new ConfigError(`Invalid MCP_API_KEYS_FILE: ${file} holds no keys`);
    all.push(...fromFile);
  }
  return all;
}

export function parseApiKeysFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

function bearerOf(header: string | undefined): string | undefined {
  const m = /^Bearer +(\S+)$/i.exec(header?.trim() ?? '');
  return m?.[1];
}

function invalid(message: string): InboundDecision {
  // RFC 6750: error="invalid_token" tells the client to get a new token; the description never holds the token.
  return {
    ok: false,
    status: 401,
    reason: 'invalid_token',
    message: `Unauthorized: ${message}.`,
    challenge: `${REALM}, error="invalid_token", error_description="${message}"`,
  };
}

function describeJwtError(error: unknown): string | 'unavailable' {
  if (error instanceof joseErrors.JWTExpired) return 'token expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `claim ${error.claim} check failed`;
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'signature verification failed';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'no matching signing key';
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'signing algorithm not allowed';
  if (error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JWKSInvalid)
    return 'unavailable';
  if (error instanceof TypeError) return 'unavailable'; // fetch failed: the JWKS endpoint is unreachable
  return 'malformed token';
}

export function createInboundAuth(o: InboundAuthOptions) {
  const keyDigests = o.apiKeys.map(sha256);
  const jwtKey: Uint8Array | JWTVerifyGetKey | undefined = o.jwtSecret
    ? new TextEncoder().encode(o.jwtSecret)
    : o.jwksUrl
      ? createRemoteJWKSet(new URL(o.jwksUrl), { timeoutDuration: 5_000, cooldownDuration: 30_000 })
      : undefined;
  const forward = o.mode === 'forward';

  /** Compares against every key, always, so timing says nothing about which or how much matched. */
  function keyMatches(presented: string | undefined): boolean {
    if (presented === undefined || keyDigests.length === 0) return false;
    const d = sha256(presented);
    let ok = false;
    for (const k of keyDigests) ok = timingSafeEqual(k, d) || ok;
    return ok;
  }

  async function verifyJwt(token: string): Promise<InboundDecision> {
    try {
      await jwtVerify(token, jwtKey as never, {
        algorithms: o.jwtSecret ? ['HS512'] : ASYMMETRIC,
        clockTolerance: o.leewaySeconds,
        currentDate: new Date(o.now()),
        requiredClaims: ['exp'],
        ...(o.audience ? { audience: o.audience } : {}),
        ...(o.issuer ? { issuer: o.issuer } : {}),
      });
      return { ok: true };
    } catch (error) {
      const why = describeJwtError(error);
      if (why === 'unavailable') {
        return {
          ok: false,
          status: 503,
          reason: 'jwks_unavailable',
          message: 'Cannot verify tokens right now (the JWKS endpoint did not answer); retry shortly.',
        };
      }
      return invalid(why);
    }
  }

  const missing = (what: string): InboundDecision => ({
    ok: false,
    status: 401,
    reason: 'missing_credentials',
    message: `Unauthorized: ${what}.`,
    challenge: REALM,
  });

  return {
    enabled: keyDigests.length > 0 || jwtKey !== undefined,
    async check(headers: IncomingHttpHeaders): Promise<InboundDecision> {
      const xKey = typeof headers['x-api-key'] === 'string' ? headers['x-api-key'] : undefined;
      const bearer = bearerOf(headers.authorization);
      if (forward) {
        // Authorization carries the caller's Airflow credential here, so an API key travels in X-API-Key.
        if (keyDigests.length > 0 && !keyMatches(xKey)) {
          return xKey === undefined ? missing('send your API key in X-API-Key') : invalid('unknown API key');
        }
        if (jwtKey) {
          if (!bearer) return missing('send your Airflow token as "Authorization: Bearer <token>"');
          return verifyJwt(bearer);
        }
        return { ok: true };
      }
      if (keyMatches(xKey ?? bearer)) return { ok: true };
      if (jwtKey && bearer && xKey === undefined) return verifyJwt(bearer);
      if (xKey === undefined && bearer === undefined) {
        return missing('send an API key as "Authorization: Bearer <key>" or X-API-Key');
      }
      return invalid('unknown API key or token');
    },
  };
}

export type InboundAuth = ReturnType<typeof createInboundAuth>;

/** Answers a refused caller before the body is read and before anything reaches Airflow. */
export function refuseInbound(
  res: ServerResponse,
  decision: Extract<InboundDecision, { ok: false }>,
  metrics: Metrics,
  forward: boolean,
): void {
  metrics.rejected.inc({ reason: decision.reason });
  if (forward && decision.status === 401) metrics.authForwarding.inc({ path: 'rejected' });
  const headers: Record<string, string> = decision.challenge
    ? { 'www-authenticate': decision.challenge }
    : { 'retry-after': '5' };
  jsonRpcError(res, decision.status, -32001, decision.message, headers);
}
