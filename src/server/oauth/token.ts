// POST /token: authorization_code + PKCE S256 only; opens the sealed code and issues a sealed access token
// bound to this resource. No refresh token: it would have to carry the Airflow credential for longer.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { type CodeClaims, resourceMatches } from './authorize.js';
import type { Sealer } from './sealed.js';

export interface TokenDeps {
  publicUrl: string;
  resource: string;
  sealer: Sealer;
  tokenTtlSeconds: number;
  now: () => number;
}

export interface AccessClaims {
  sub: string;
  cid: string;
  cred: string;
}

const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

function oauthError(res: Response, status: number, error: string, description: string) {
  res
    .status(status)
    .set({ 'cache-control': 'no-store', pragma: 'no-cache' })
    .json({ error, error_description: description });
}

function s256(verifier: string): Buffer {
  return Buffer.from(createHash('sha256').update(verifier, 'ascii').digest('base64url'));
}

export function createToken(d: TokenDeps) {
  return async function token(req: Request, res: Response): Promise<void> {
    const form = (req.body ?? {}) as Record<string, unknown>;
    const field = (name: string) => (typeof form[name] === 'string' ? (form[name] as string) : undefined);
    if (!req.is('application/x-www-form-urlencoded')) {
      return oauthError(
        res,
        400,
        'invalid_request',
        'send the token request as application/x-www-form-urlencoded',
      );
    }
    if (field('grant_type') !== 'authorization_code') {
      return oauthError(
        res,
        400,
        'unsupported_grant_type',
        'only authorization_code is supported; sign in again',
      );
    }
    const codeText = field('code');
    const code = codeText ? await d.sealer.open<CodeClaims>('code', codeText) : undefined;
    if (!code) return oauthError(res, 400, 'invalid_grant', 'the code is invalid or expired; sign in again');
    // A client that authenticates with Basic (none is registered with a secret) still names itself there.
    const basic = /^Basic (\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const basicId = basic
      ? decodeURIComponent(Buffer.from(basic, 'base64').toString('utf8').split(':')[0] ?? '')
      : undefined;
    const clientId = field('client_id') ?? basicId;
    if (clientId !== code.cid)
      return oauthError(res, 400, 'invalid_grant', 'the code was issued to another client');
    if (field('redirect_uri') !== code.ru) {
      return oauthError(
        res,
        400,
        'invalid_grant',
        'redirect_uri differs from the one the code was issued for',
      );
    }
    const verifier = field('code_verifier');
    if (!verifier || !VERIFIER.test(verifier)) {
      return oauthError(res, 400, 'invalid_grant', 'a PKCE code_verifier is required');
    }
    const expected = Buffer.from(code.cc);
    const actual = s256(verifier);
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
      return oauthError(res, 400, 'invalid_grant', 'the PKCE code_verifier does not match');
    }
    if (!resourceMatches(d.resource, field('resource'))) {
      return oauthError(res, 400, 'invalid_target', `this server issues tokens for ${d.resource} only`);
    }
    const nowSec = Math.floor(d.now() / 1000);
    // Never outlive the Airflow credential inside: after that Airflow would refuse it anyway.
    const exp = Math.min(nowSec + d.tokenTtlSeconds, code.cexp ?? Number.POSITIVE_INFINITY);
    if (exp <= nowSec + 5)
      return oauthError(res, 400, 'invalid_grant', 'the Airflow sign-in has already expired; sign in again');
    const claims: AccessClaims = { sub: code.sub, cid: code.cid, cred: code.cred };
    const accessToken = await d.sealer.seal(
      'access',
      { ...claims, aud: d.resource, iss: d.publicUrl, exp },
      undefined,
    );
    res
      .status(200)
      .set({ 'cache-control': 'no-store', pragma: 'no-cache' })
      .json({ access_token: accessToken, token_type: 'Bearer', expires_in: exp - nowSec });
  };
}
