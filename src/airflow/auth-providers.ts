// How each upstream call authenticates, per AIRFLOW_AUTH_MODE; the service-login token is cached and refreshed.
import { decodeJwt } from 'jose';
import { AppError } from '../errors.js';
import { linkedAbort } from '../linked-abort.js';
import type { AuthPath } from '../observability/metrics.js';
import type { ApiVersion } from './adapter.js';
import type { CallContext } from './call-context.js';

export interface UpstreamAuth {
  authorization: string | undefined;
  path: AuthPath;
}

export interface AuthProvider {
  authorize(ctx: CallContext, apiVersion: ApiVersion): Promise<UpstreamAuth>;
  /** Called when Airflow answered 401 to `auth`; returns true when a retry with fresh credentials makes sense. */
  invalidate(auth: UpstreamAuth): boolean;
}

export const forwardAuth: AuthProvider = {
  async authorize(ctx) {
    const c = ctx.credentials;
    if (!c) return { authorization: undefined, path: 'anonymous' };
    if (c.via === 'oauth') return { authorization: c.header, path: 'oauth' };
    return { authorization: c.header, path: c.scheme === 'bearer' ? 'forwarded_bearer' : 'forwarded_basic' };
  },
  invalidate: () => false,
};

export const noAuth: AuthProvider = {
  async authorize() {
    return { authorization: undefined, path: 'anonymous' };
  },
  invalidate: () => false,
};

export function staticTokenAuth(token: string): AuthProvider {
  const authorization = `Bearer ${token}`;
  return {
    async authorize() {
      return { authorization, path: 'service_token' };
    },
    invalidate: () => false,
  };
}

/** Exchanges a user name and password at POST {base}/auth/token (Airflow 3); the caller provides the HTTP call. */
export type LoginExchange = (username: string, password: string, signal: AbortSignal) => Promise<string>;

export interface PasswordAuthOptions {
  username: string;
  password: string;
  login: LoginExchange;
  now: () => number;
  /** Refresh this long before the token's exp. */
  refreshMarginMs?: number;
}

export function passwordAuth(options: PasswordAuthOptions): AuthProvider {
  const basic = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
  const margin = options.refreshMarginMs ?? 60_000;
  let cached: { authorization: string; expiresAt: number } | undefined;
  let inflight: Promise<string> | undefined;

  async function token(): Promise<string> {
    if (cached && cached.expiresAt - margin > options.now()) return cached.authorization;
    // Single flight: concurrent requests share one login.
    inflight ??= (async () => {
      // Its own deadline, not a caller's signal: the login is shared by every caller waiting on it.
      const deadline = linkedAbort([], 30_000);
      try {
        const jwt = await options.login(options.username, options.password, deadline.signal);
        let exp: number | undefined;
        try {
          exp = decodeJwt(jwt).exp;
        } catch {
          exp = undefined;
        }
        const expiresAt = exp ? exp * 1000 : options.now() + 10 * 60_000;
        cached = { authorization: `Bearer ${jwt}`, expiresAt };
        return cached.authorization;
      } finally {
        deadline.dispose();
        inflight = undefined;
      }
    })();
    return inflight;
  }

  return {
    async authorize(_ctx, apiVersion) {
      // Airflow 2 takes HTTP Basic directly; Airflow 3 needs a JWT from /auth/token.
      if (apiVersion === 'v1') return { authorization: basic, path: 'service_login' };
      return { authorization: await token(), path: 'service_login' };
    },
    invalidate(auth) {
      if (cached && auth.authorization === cached.authorization) {
        cached = undefined;
        return true;
      }
      return auth.authorization !== basic;
    },
  };
}

export function loginFailed(status: number): AppError {
  return new AppError(
    'upstream_unauthorized',
    `Airflow rejected the service credentials at /auth/token (HTTP ${status}).`,
    {
      hint: 'Check AIRFLOW_USERNAME and AIRFLOW_PASSWORD (the service account must exist in Airflow).',
      status,
    },
  );
}
