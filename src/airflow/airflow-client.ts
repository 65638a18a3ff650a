// Builds the Airflow side once at start-up: HTTP pool, auth provider, version resolver, and per-request adapters.
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { AppError } from '../errors.js';
import { linkedAbort } from '../linked-abort.js';
import type { Metrics } from '../observability/metrics.js';
import type { AirflowAdapter, ApiVersion } from './adapter.js';
import { createAdapterV1 } from './adapter-v1.js';
import { createAdapterV2 } from './adapter-v2.js';
import { createAirflowDispatcher } from './airflow-dispatcher.js';
import { type ApiVersionResolver, fixedVersion, probingVersion } from './api-version.js';
import {
  type AuthProvider,
  forwardAuth,
  loginFailed,
  noAuth,
  passwordAuth,
  staticTokenAuth,
} from './auth-providers.js';
import type { CallContext } from './call-context.js';
import { AirflowHttp } from './http-client.js';
import { createResilience, type Resilience } from './resilience.js';
import { createResponseBudget } from './response-budget.js';
import { type SignInAdapter, signInV1, signInV2 } from './sign-in.js';
import { isRetryable } from './upstream-errors.js';

/** How this process calls Airflow, narrowed from settings by the composition root (src/config/airflow-options.ts). */
export interface AirflowOptions {
  /** Base URL, possibly with a path prefix. */
  baseUrl: string;
  /** Airflow's browser-facing URL when it differs: UI links to it are accepted too. */
  uiUrl?: string | undefined;
  apiVersion: 'auto' | ApiVersion;
  auth:
    | { mode: 'forward' | 'oauth' | 'none' }
    | { mode: 'token'; token: string }
    | { mode: 'password'; username: string; password: string };
  /** Deadline of one call, retries included. */
  timeoutMs: number;
  tls: { verify: boolean; caFile?: string | undefined };
  retries: number;
  retryBudgetRatio: number;
  breakerThreshold: number;
  breakerCooldownMs: number;
  /** Bytes of answers all calls may hold at once. */
  memoryBudgetBytes: number;
}

export interface AirflowClientDeps {
  options: AirflowOptions;
  metrics: Metrics;
  logger: Logger;
  now: () => number;
  /** Default: an undici Agent with a keep-alive pool per origin (tests pass a MockAgent or their own). */
  dispatcher?: Dispatcher;
}

export interface AirflowClient {
  readonly http: AirflowHttp;
  adapterFor(ctx: CallContext): Promise<AirflowAdapter>;
  /** How users sign in with their Airflow account on this Airflow's version (oauth mode). */
  signInFor(ctx: CallContext): Promise<SignInAdapter>;
  /** Checks that something answers at the Airflow URL (any HTTP status), for readiness reporting. */
  reachable(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export function dispatcherFor(options: Pick<AirflowOptions, 'timeoutMs' | 'tls'>): Dispatcher {
  return createAirflowDispatcher({
    connectTimeoutMs: Math.min(options.timeoutMs, 10_000),
    rejectUnauthorized: options.tls.verify,
    ...(options.tls.caFile ? { caFile: options.tls.caFile } : {}),
  });
}

function authProviderFor(deps: AirflowClientDeps, http: () => AirflowHttp): AuthProvider {
  const a = deps.options.auth;
  switch (a.mode) {
    case 'forward':
    case 'oauth': // the credential a sign-in token carries, forwarded exactly like forward mode's
      return forwardAuth;
    case 'none':
      return noAuth;
    case 'token':
      return staticTokenAuth(a.token);
    case 'password':
      return passwordAuth({
        username: a.username,
        password: a.password,
        now: deps.now,
        login: async (username, password, signal) => {
          const res = await http().raw('/auth/token', {
            method: 'POST',
            body: { username, password },
            signal,
          });
          const token = (res.body as { access_token?: unknown } | undefined)?.access_token;
          if ((res.status === 200 || res.status === 201) && typeof token === 'string') {
            deps.metrics.authForwarding.inc({ path: 'service_login' });
            return token;
          }
          throw loginFailed(res.status);
        },
      });
  }
}

const BREAKER_GAUGE = { closed: 0, half_open: 1, open: 2 } as const;

/** Retry budget and circuit breaker for the one Airflow this process talks to, from settings. */
export function resilienceFor(
  deps: Pick<AirflowClientDeps, 'options' | 'metrics' | 'logger' | 'now'>,
): Resilience {
  const o = deps.options;
  return createResilience({
    retries: o.retries,
    budgetRatio: o.retryBudgetRatio,
    breakerThreshold: o.breakerThreshold,
    breakerCooldownMs: o.breakerCooldownMs,
    now: deps.now,
    isRetryable,
    onRetry: () => deps.metrics.upstreamRetries.inc(),
    onOpen: () => deps.metrics.upstreamShortCircuited.inc(),
    onBreakerState: (state) => {
      deps.metrics.upstreamBreakerState.set(BREAKER_GAUGE[state]);
      deps.logger[state === 'open' ? 'warn' : 'info']({ breaker: state }, 'Airflow circuit breaker');
    },
  });
}

export function createAirflowClient(deps: AirflowClientDeps): AirflowClient {
  const o = deps.options;
  const dispatcher = deps.dispatcher ?? dispatcherFor(o);
  let http: AirflowHttp | undefined;
  const auth = authProviderFor(deps, () => http!);
  http = new AirflowHttp({
    baseUrl: o.baseUrl,
    dispatcher,
    timeoutMs: o.timeoutMs,
    maxResponseBytes: 16 * 1024 * 1024,
    budget: createResponseBudget(o.memoryBudgetBytes),
    auth,
    metrics: deps.metrics,
    forwarding: o.auth.mode === 'forward' || o.auth.mode === 'oauth',
    resilience: resilienceFor(deps),
    now: deps.now,
  });
  const client = http;
  const resolver: ApiVersionResolver =
    o.apiVersion === 'auto'
      ? probingVersion({
          // No credentials: the answer must not depend on who happened to ask first.
          get: (path, signal) => client.raw(path, { method: 'GET', signal }),
          timeoutMs: o.timeoutMs,
          onDetected(found) {
            deps.metrics.airflowInfo.reset();
            deps.metrics.airflowInfo.set(
              { api_version: found.api, airflow_version: found.airflowVersion ?? 'unknown' },
              1,
            );
            deps.logger.info(
              { api_version: found.api, airflow_version: found.airflowVersion, evidence: found.evidence },
              'Airflow API version detected',
            );
          },
          onFailed(error) {
            deps.logger.warn(
              { code: error.code, status: error.status, reason: error.message },
              'Airflow API version detection failed; the next call tries again',
            );
          },
        })
      : fixedVersion(o.apiVersion);

  const uiBaseUrls = [o.baseUrl, ...(o.uiUrl ? [o.uiUrl] : [])];
  return {
    http: client,
    async adapterFor(ctx) {
      const { api } = await resolver.resolve(ctx.signal);
      const call = (req: Parameters<AirflowHttp['send']>[2]) =>
        client.send(ctx, api, req).catch((error: unknown) => {
          // A connection-level failure may mean Airflow was replaced (e.g. upgraded): probe again next time.
          if (
            error instanceof AppError &&
            error.code === 'upstream_unavailable' &&
            error.fault &&
            error.status === undefined
          ) {
            resolver.forget();
          }
          throw error;
        });
      return api === 'v2' ? createAdapterV2(call, uiBaseUrls) : createAdapterV1(call, uiBaseUrls);
    },
    async signInFor(ctx) {
      const { api } = await resolver.resolve(ctx.signal);
      return api === 'v2' ? signInV2(client) : signInV1(client);
    },
    async reachable(timeoutMs) {
      const linked = linkedAbort([], timeoutMs);
      try {
        await client.raw('/api/v2/version', { method: 'GET', signal: linked.signal });
        return true;
      } catch {
        return false;
      } finally {
        linked.dispose();
      }
    },
    close: () => dispatcher.close(),
  };
}
