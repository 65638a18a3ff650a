// Signing a user in with their Airflow account (oauth mode), per API version: Airflow 3 issues a JWT at
// POST {base}/auth/token; Airflow 2 has no token endpoint, so its Basic credential is checked with one call.
import { decodeJwt } from 'jose';
import { AppError } from '../errors.js';
import type { ApiVersion } from './adapter.js';
import type { CallContext } from './call-context.js';
import type { AirflowHttp } from './http-client.js';

export interface SignedIn {
  /** The Authorization header value to send to Airflow for this user. Never logged. */
  authorization: string;
  /** When Airflow stops accepting it (ms since epoch); undefined when Airflow does not say. */
  expiresAt: number | undefined;
}

export interface SignInAdapter {
  readonly apiVersion: ApiVersion;
  /** The user's Airflow credential, or 'rejected' when Airflow refused the name/password pair. */
  signIn(username: string, password: string, ctx: CallContext): Promise<SignedIn | 'rejected'>;
}

function unavailable(status: number): AppError {
  return new AppError('upstream_unavailable', `Airflow could not check the sign-in (HTTP ${status}).`, {
    hint: 'Try again shortly; if it persists, check that Airflow is up.',
    status,
  });
}

export function signInV2(http: AirflowHttp): SignInAdapter {
  return {
    apiVersion: 'v2',
    async signIn(username, password, ctx) {
      const res = await http.raw('/auth/token', {
        method: 'POST',
        body: { username, password },
        signal: ctx.signal,
      });
      const token = (res.body as { access_token?: unknown } | undefined)?.access_token;
      if ((res.status === 200 || res.status === 201) && typeof token === 'string') {
        let exp: number | undefined;
        try {
          exp = decodeJwt(token).exp;
        } catch {
          exp = undefined;
        }
        return { authorization: `Bearer ${token}`, expiresAt: exp === undefined ? undefined : exp * 1000 };
      }
      if (res.status === 401 || res.status === 403 || res.status === 422) return 'rejected';
      throw unavailable(res.status);
    },
  };
}

export function signInV1(http: AirflowHttp): SignInAdapter {
  return {
    apiVersion: 'v1',
    async signIn(username, password, ctx) {
      const authorization = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
      const res = await http.send({ ...ctx, credentials: { scheme: 'basic', header: authorization } }, 'v1', {
        method: 'GET',
        route: '/dags',
        query: { limit: 1 },
        acceptStatus: [401, 403],
      });
      // 403: the account exists and the password is right; it just may not list DAGs.
      if (res.status === 401) return 'rejected';
      return { authorization, expiresAt: undefined };
    },
  };
}
