// What /mcp accepts in oauth mode: only an access token this service sealed for this resource; it yields the
// Airflow credential to forward. Raw Airflow tokens are refused (optionally allowed in X-Airflow-Authorization).
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { type InboundCredentials, parseAuthorization } from '../../airflow/call-context.js';
import type { Sealer } from './sealed.js';
import type { AccessClaims } from './token.js';

export type OAuthDecision =
  | { ok: true; credentials: InboundCredentials }
  | { ok: false; message: string; challenge: string };

export interface BearerDeps {
  sealer: Sealer;
  resource: string;
  resourceMetadataUrl: string;
  allowAirflowHeader: boolean;
  now: () => number;
}

/** Opened tokens kept (by hash) so a client's next requests skip the decryption; expiry is checked every time. */
const MAX_OPENED = 5_000;

export function createBearerCheck(d: BearerDeps) {
  const challenge = `Bearer resource_metadata="${d.resourceMetadataUrl}"`;
  const refused = (message: string, description: string): OAuthDecision => ({
    ok: false,
    message: `Unauthorized: ${message}`,
    challenge: `${challenge}, error="invalid_token", error_description="${description}"`,
  });

  // Opening a JWE through WebCrypto costs ~0.2 ms; a client sends the same token on every request.
  const opened = new Map<string, { credentials: InboundCredentials; exp: number }>();

  return async function authenticate(headers: IncomingHttpHeaders): Promise<OAuthDecision> {
    const raw = headers['x-airflow-authorization'];
    if (raw !== undefined) {
      if (!d.allowAirflowHeader) {
        return refused(
          'X-Airflow-Authorization is not accepted by this server.',
          'raw Airflow credentials are not accepted',
        );
      }
      const parsed = parseAuthorization(Array.isArray(raw) ? raw[0] : raw);
      if (parsed && parsed !== 'invalid') return { ok: true, credentials: parsed };
      return refused(
        'X-Airflow-Authorization must be "Bearer <token>" or "Basic <credentials>".',
        'malformed credential',
      );
    }
    const header = headers.authorization?.trim();
    if (!header) {
      return { ok: false, message: 'Unauthorized: sign in first (this server uses OAuth).', challenge };
    }
    const token = /^Bearer +(\S+)$/i.exec(header)?.[1];
    if (!token)
      return refused('send the access token as "Authorization: Bearer <token>".', 'bearer token required');
    const expired = () =>
      refused(
        'the access token is invalid, expired or not issued for this server; sign in again.',
        'invalid or expired token',
      );
    const id = createHash('sha256').update(token).digest('base64url');
    const hit = opened.get(id);
    if (hit) {
      if (hit.exp * 1000 > d.now()) return { ok: true, credentials: hit.credentials };
      opened.delete(id);
      return expired();
    }
    const claims = await d.sealer.open<AccessClaims>('access', token, { audience: d.resource });
    if (!claims || typeof claims.cred !== 'string' || typeof claims.exp !== 'number') return expired();
    const cred = parseAuthorization(claims.cred);
    if (!cred || cred === 'invalid')
      return refused('the access token is invalid; sign in again.', 'invalid token');
    const credentials: InboundCredentials = { ...cred, via: 'oauth' };
    if (opened.size >= MAX_OPENED) opened.clear();
    opened.set(id, { credentials, exp: claims.exp });
    return { ok: true, credentials };
  };
}
