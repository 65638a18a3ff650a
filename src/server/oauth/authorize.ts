// GET /authorize shows the sign-in page for a checked request; POST /authorize signs in with Airflow and
// redirects back with a sealed code. A bad client or redirect URI is never redirected to (no open redirect).
import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import type { SignedIn } from '../../airflow/sign-in.js';
import type { Logger } from '../../observability/logger.js';
import { ClientError, type Clients } from './clients.js';
import { pageHeaders, renderErrorPage, renderLoginPage } from './login-page.js';
import type { AttemptLimiter } from './rate-limit.js';
import { redirectUriMatches } from './redirect-uris.js';
import type { Sealer } from './sealed.js';

export const CODE_LIFETIME_SECONDS = 60;
const REQUEST_LIFETIME_SECONDS = 600;
const CSRF_COOKIE = 'airflow_mcp_csrf';

export interface AuthorizeDeps {
  publicUrl: string;
  resource: string;
  clients: Clients;
  sealer: Sealer;
  limiter: AttemptLimiter;
  logger: Logger;
  signIn(username: string, password: string, requestId: string): Promise<SignedIn | 'rejected'>;
}

/** The checked authorization request, sealed into the form so any replica can take the POST. */
interface RequestClaims {
  cid: string;
  ru: string;
  cc: string;
  st?: string;
  n: string;
  cn: string;
  cs: string;
}

export interface CodeClaims {
  cid: string;
  ru: string;
  cc: string;
  sub: string;
  cred: string;
  cexp?: number;
}

const one = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function page(res: Response, status: number, view: { html: string; nonce: string }, formTarget?: string) {
  res.status(status).set(pageHeaders(formTarget, view.nonce)).send(view.html);
}

function errorPage(res: Response, status: number, title: string, message: string) {
  page(res, status, renderErrorPage(title, message));
}

function redirectWith(res: Response, to: string, params: Record<string, string | undefined>) {
  const url = new URL(to);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  // No body: express's redirect body would repeat the URL, and with it the code.
  res.status(302).set({ location: url.href, 'cache-control': 'no-store' }).end();
}

function cookieOf(req: Request, name: string): string | undefined {
  const header = req.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function resourceMatches(resource: string, presented: string | undefined): boolean {
  return presented === undefined || presented === resource || presented === `${resource}/`;
}

export function createAuthorize(d: AuthorizeDeps) {
  const secureCookie = d.publicUrl.startsWith('https://');
  const publicOrigin = new URL(d.publicUrl).origin;

  async function show(req: Request, res: Response): Promise<void> {
    const q = req.query as Record<string, unknown>;
    let client: Awaited<ReturnType<Clients['resolve']>>;
    try {
      client = await d.clients.resolve(one(q.client_id));
    } catch (error) {
      const why = error instanceof ClientError ? error.message : 'unknown client';
      return errorPage(res, 400, 'Unknown application', `This sign-in link is not valid: ${why}.`);
    }
    const asked = one(q.redirect_uri);
    const redirectUri = asked ?? (client.redirectUris.length === 1 ? client.redirectUris[0] : undefined);
    if (!redirectUri || !redirectUriMatches(client.redirectUris, redirectUri)) {
      return errorPage(
        res,
        400,
        'Unknown return address',
        'This sign-in link asks to return to an address the application did not register, so it will not be followed.',
      );
    }
    const state = one(q.state);
    const fail = (error: string, description: string) =>
      redirectWith(res, redirectUri, { error, error_description: description, state, iss: d.publicUrl });
    if (one(q.response_type) !== 'code')
      return fail('unsupported_response_type', 'response_type must be code');
    const challenge = one(q.code_challenge);
    if (one(q.code_challenge_method) !== 'S256' || !challenge || !/^[A-Za-z0-9_-]{43}$/.test(challenge)) {
      return fail('invalid_request', 'PKCE with code_challenge_method=S256 is required');
    }
    if (!resourceMatches(d.resource, one(q.resource))) {
      return fail('invalid_target', `this server issues tokens for ${d.resource} only`);
    }
    const nonce = randomBytes(18).toString('base64url');
    const source = client.clientId.startsWith('https://')
      ? new URL(client.clientId).host
      : 'registered itself here; name not verified';
    const claims: RequestClaims = {
      cid: client.clientId,
      ru: redirectUri,
      cc: challenge,
      n: nonce,
      cn: client.name ?? 'An unnamed application',
      cs: source,
      ...(state !== undefined ? { st: state } : {}),
    };
    const sealed = await d.sealer.seal('request', { ...claims }, REQUEST_LIFETIME_SECONDS);
    res.cookie(CSRF_COOKIE, nonce, {
      httpOnly: true,
      sameSite: 'strict',
      secure: secureCookie,
      path: '/authorize',
      maxAge: REQUEST_LIFETIME_SECONDS * 1000,
    });
    const view = renderLoginPage({
      clientName: claims.cn,
      clientSource: source,
      redirectTo: redirectUri,
      request: sealed,
    });
    page(res, 200, view, new URL(redirectUri).origin);
  }

  async function submit(req: Request, res: Response): Promise<void> {
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== publicOrigin) {
      return errorPage(res, 403, 'Sign-in refused', 'The sign-in form was sent from another site.');
    }
    const form = (req.body ?? {}) as Record<string, unknown>;
    const sealed = one(form.request);
    const claims = sealed ? await d.sealer.open<RequestClaims>('request', sealed) : undefined;
    if (!claims) {
      return errorPage(
        res,
        400,
        'Sign-in expired',
        'This sign-in page is no longer valid; start again from your application.',
      );
    }
    if (cookieOf(req, CSRF_COOKIE) !== claims.n) {
      return errorPage(
        res,
        403,
        'Sign-in refused',
        'The sign-in form was not sent from this page; start again from your application.',
      );
    }
    const address = req.socket.remoteAddress ?? 'unknown';
    const again = (status: number, error: string, username?: string) => {
      const view = renderLoginPage({
        clientName: claims.cn,
        clientSource: claims.cs,
        redirectTo: claims.ru,
        request: sealed!,
        error,
        ...(username !== undefined ? { username } : {}),
      });
      page(res, status, view, new URL(claims.ru).origin);
    };
    const wait = d.limiter.blockedFor(address);
    if (wait > 0) {
      res.set('retry-after', String(wait));
      return again(429, `Too many failed sign-ins from your address; try again in ${wait} seconds.`);
    }
    const username = one(form.username)?.trim();
    const password = one(form.password);
    if (!username || !password || username.length > 256 || password.length > 1024) {
      return again(400, 'Enter your Airflow user name and password.', username);
    }
    let signed: SignedIn | 'rejected';
    try {
      signed = await d.signIn(username, password, String(res.getHeader('x-request-id') ?? ''));
    } catch (error) {
      d.logger.warn({ err: (error as Error).message }, 'sign-in could not reach Airflow');
      return again(503, 'Airflow could not check your sign-in right now; try again shortly.', username);
    }
    if (signed === 'rejected') {
      d.limiter.failed(address);
      // One message for every refusal: it never says whether the name or the password was wrong.
      return again(401, 'Sign-in failed: the user name or password was not accepted.', username);
    }
    d.limiter.succeeded(address);
    const code: CodeClaims = {
      cid: claims.cid,
      ru: claims.ru,
      cc: claims.cc,
      sub: username,
      cred: signed.authorization,
      ...(signed.expiresAt !== undefined ? { cexp: Math.floor(signed.expiresAt / 1000) } : {}),
    };
    const sealedCode = await d.sealer.seal('code', { ...code }, CODE_LIFETIME_SECONDS);
    redirectWith(res, claims.ru, { code: sealedCode, state: claims.st, iss: d.publicUrl });
  }

  return { show, submit };
}
