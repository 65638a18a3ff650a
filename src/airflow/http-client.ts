// The Airflow HTTP client: pooled keep-alive calls (undici) with timeouts, cancellation, size caps, auth and
// metrics.
import type { Dispatcher } from 'undici';
import { AppError, cancelledError } from '../errors.js';
import { linkedAbort } from '../linked-abort.js';
import type { Metrics } from '../observability/metrics.js';
import type { ApiVersion } from './adapter.js';
import type { AuthProvider, UpstreamAuth } from './auth-providers.js';
import type { CallContext } from './call-context.js';
import type { Resilience } from './resilience.js';
import { headerOf, type ResponseBody, readResponseBody, tooLarge } from './response-body.js';
import type { ResponseBudget } from './response-budget.js';
import { errorForStatus, errorForTransport, parseRetryAfter } from './upstream-errors.js';

export type QueryValue = string | number | boolean | readonly (string | number)[] | null | undefined;

export interface UpstreamRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Route template relative to the API prefix, e.g. '/dags/{dag_id}/dagRuns'. Also the metric label. */
  route: string;
  params?: Readonly<Record<string, string | number>>;
  query?: Readonly<Record<string, QueryValue>>;
  body?: unknown;
  /** Human description for error messages, e.g. "DAG 'etl'". */
  what?: string;
  /** Response cap for this call (default: the client's). */
  maxBytes?: number;
  /** Statuses returned to the caller instead of thrown (e.g. 404 where "absent" is an answer). */
  acceptStatus?: readonly number[];
}

export interface UpstreamResponse {
  status: number;
  body: unknown;
  /** True when the body was cut at maxBytes (text responses only; JSON over the cap is an error). */
  truncated: boolean;
}

export interface AirflowHttpOptions {
  /** Base URL, possibly with a path prefix, no trailing slash. */
  baseUrl: string;
  /** undici dispatcher (an Agent with a pool per origin; a MockAgent in tests). */
  dispatcher: Dispatcher;
  timeoutMs: number;
  maxResponseBytes: number;
  auth: AuthProvider;
  metrics: Metrics;
  /** Only this mode forwards the caller's own header; used to word auth errors. */
  forwarding: boolean;
  /** Bytes of answers all calls may hold at once (shared by the process); without it, unbounded. */
  budget?: ResponseBudget;
  /** Retry and circuit-breaker policies; without it every call goes once. */
  resilience?: Resilience;
  now?: () => number;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const ID_PARAM = /^[^\u0000-\u001f\u007f]+$/;

export function apiPrefix(version: ApiVersion): string {
  return version === 'v2' ? '/api/v2' : '/api/v1';
}

function encodeParam(name: string, value: string | number): string {
  const s = String(value);
  // '.' and '..' would be resolved as path segments by some servers; control characters are never valid ids.
  if (s === '' || s === '.' || s === '..' || !ID_PARAM.test(s)) {
    throw new AppError('invalid_argument', `Invalid ${name}: ${JSON.stringify(s.slice(0, 80))}.`, {
      hint: `Pass the ${name} exactly as Airflow lists it.`,
    });
  }
  return encodeURIComponent(s);
}

export function buildPath(route: string, params: UpstreamRequest['params']): string {
  return route.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined) throw new Error(`missing path parameter ${name} for ${route}`);
    return encodeParam(name, value);
  });
}

export function buildQuery(query: UpstreamRequest['query']): string {
  if (!query) return '';
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const v of value) search.append(key, String(v));
    else search.append(key, String(value));
  }
  const s = search.toString();
  return s ? `?${s}` : '';
}

function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}

export class AirflowHttp {
  readonly basePath: string;
  readonly origin: string;

  constructor(private readonly options: AirflowHttpOptions) {
    const url = new URL(options.baseUrl);
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
  }

  /**
   * One API call under /api/v1 or /api/v2, authenticated per the configured mode, retried once on 401 when
   * useful. All attempts (transient-failure retries included) share one deadline of AIRFLOW_TIMEOUT_MS.
   */
  async send(ctx: CallContext, version: ApiVersion, req: UpstreamRequest): Promise<UpstreamResponse> {
    const prefix = apiPrefix(version);
    const now = this.options.now ?? Date.now;
    const deadline = now() + this.options.timeoutMs;
    const linked = linkedAbort([ctx.signal], this.options.timeoutMs);
    const signal = linked.signal;
    const attempt = (auth: UpstreamAuth) => {
      const run = () => this.once(ctx, signal, prefix, req, auth);
      const policy = { idempotent: req.method === 'GET', signal: ctx.signal, deadline };
      return this.options.resilience ? this.options.resilience.execute(policy, run) : run();
    };
    try {
      let auth = await this.options.auth.authorize(ctx, version);
      try {
        return await attempt(auth);
      } catch (error) {
        if (
          error instanceof AppError &&
          error.status === 401 &&
          this.options.auth.invalidate(auth) &&
          !ctx.signal.aborted
        ) {
          auth = await this.options.auth.authorize(ctx, version);
          return await attempt(auth);
        }
        throw error;
      }
    } finally {
      linked.dispose();
    }
  }

  /** A call outside the API prefix (e.g. POST {base}/auth/token), without credentials or auth metrics. */
  async raw(path: string, init: { method: 'GET' | 'POST'; body?: unknown; signal: AbortSignal }) {
    const linked = linkedAbort([init.signal], this.options.timeoutMs);
    try {
      const res = await this.options.dispatcher.request({
        origin: this.origin,
        path: `${this.basePath}${path}`,
        method: init.method,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
        signal: linked.signal,
      });
      const { body } = await this.readBody(
        res.body,
        res.headers,
        this.options.maxResponseBytes,
        linked.signal,
      );
      return { status: res.statusCode, body };
    } finally {
      linked.dispose();
    }
  }

  private async once(
    ctx: CallContext,
    signal: AbortSignal,
    prefix: string,
    req: UpstreamRequest,
    auth: UpstreamAuth,
  ): Promise<UpstreamResponse> {
    const { metrics, timeoutMs } = this.options;
    const now = this.options.now ?? Date.now;
    const route = `${prefix}${req.route}`;
    const what = req.what ?? `${req.method} ${route}`;
    const path = `${this.basePath}${prefix}${buildPath(req.route, req.params)}${buildQuery(req.query)}`;
    const headers: Record<string, string> = { accept: 'application/json', 'x-request-id': ctx.requestId };
    if (auth.authorization) headers.authorization = auth.authorization;
    if (req.body !== undefined) headers['content-type'] = 'application/json';

    metrics.authForwarding.inc({ path: auth.path });
    const stopTimer = metrics.upstreamDuration.startTimer({ route });
    let status = 0;
    try {
      const res = await this.options.dispatcher.request({
        origin: this.origin,
        path,
        method: req.method,
        headers,
        ...(req.body === undefined ? {} : { body: JSON.stringify(req.body) }),
        // Shared by all attempts and aborted at the call's deadline, so each only gets what is left.
        signal,
      });
      status = res.statusCode;
      const max = req.maxBytes ?? this.options.maxResponseBytes;
      const { body, truncated } = await this.readBody(res.body, res.headers, max, signal);
      if (status >= 200 && status < 300) return { status, body, truncated };
      if (req.acceptStatus?.includes(status)) return { status, body, truncated };
      if (status === 401 || status === 403)
        metrics.upstreamAuthFailures.inc({ status: String(status), path: auth.path });
      const retryAfter = headerOf(res.headers, 'retry-after');
      throw errorForStatus({
        status,
        body,
        what,
        forwarded: this.options.forwarding,
        authorization: auth.authorization,
        retryAfter,
        retryAfterMs: parseRetryAfter(retryAfter, now()),
      });
    } catch (error) {
      if (ctx.signal.aborted && !(error instanceof AppError)) throw cancelledError();
      // Past the deadline the transport reports a reset or an abort; the cause is the timeout.
      throw errorForTransport(signal.aborted ? signal.reason : error, what, timeoutMs);
    } finally {
      metrics.upstreamRequests.inc({ route, status_class: status ? statusClass(status) : 'error' });
      stopTimer();
    }
  }

  /** Reads and decodes a body within the call's cap and the process-wide budget (`response-body.ts`). */
  private async readBody(
    stream: ResponseBody,
    headers: Dispatcher.ResponseData['headers'],
    max: number,
    signal: AbortSignal,
  ): Promise<{ body: unknown; truncated: boolean }> {
    const read = await readResponseBody(stream, headers, max, this.options.budget, signal);
    try {
      return this.decode(read.text, read.isJson, read.truncated, max);
    } finally {
      read.release();
    }
  }

  private decode(
    text: string,
    isJson: boolean,
    truncated: boolean,
    max: number,
  ): { body: unknown; truncated: boolean } {
    if (!isJson) return { body: text, truncated };
    if (truncated) throw tooLarge(max);
    if (text === '') return { body: undefined, truncated: false };
    try {
      return { body: JSON.parse(text), truncated: false };
    } catch {
      throw new AppError('upstream_unavailable', 'Airflow answered with invalid JSON.', {
        hint: 'A proxy in front of Airflow may be answering instead of Airflow; check AIRFLOW_API_URL.',
      });
    }
  }
}
