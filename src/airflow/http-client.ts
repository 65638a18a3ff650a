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

function headerOf(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}

type ResponseBody = Dispatcher.ResponseData['body'];

/** Budget taken at a time for an answer of unknown length, as its bytes arrive. */
const BUDGET_STEP = 256 * 1024;
/** Longest a call waits for budget (within its own deadline). */
const BUDGET_WAIT_MS = 2_000;

/**
 * Up to `max` bytes of a response body, holding budget for what it reads: `reserved` bytes are held already;
 * past them, `grow` is asked for more while the stream is paused. Past `max` reading stops and the stream is
 * destroyed, which gives its socket back (undici closes it): a body too large to use is never buffered whole.
 */
function readBounded(
  stream: ResponseBody,
  max: number,
  reserved: number,
  grow: () => Promise<number>,
): Promise<{ bytes: Buffer; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      stream.off('data', onData);
      fn();
    };
    const onData = (chunk: Buffer) => {
      if (size + chunk.length > max) {
        chunks.push(chunk.subarray(0, max - size));
        size = max;
        settle(() => resolve({ bytes: Buffer.concat(chunks, size), truncated: true }));
        stream.destroy();
        return;
      }
      chunks.push(chunk);
      size += chunk.length;
      if (size > reserved) {
        stream.pause();
        grow().then(
          (more) => {
            reserved += more;
            stream.resume();
          },
          (error: unknown) => {
            settle(() => reject(error));
            stream.destroy();
          },
        );
      }
    };
    stream.on('data', onData);
    stream.once('end', () =>
      settle(() =>
        resolve({ bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size), truncated: false }),
      ),
    );
    stream.once('error', (error) => settle(() => reject(error)));
    // Destroyed without an error (e.g. the pool closed): neither 'end' nor 'error' comes.
    stream.once('close', () =>
      settle(() =>
        reject(Object.assign(new Error('Airflow closed the response early'), { code: 'ECONNRESET' })),
      ),
    );
  });
}

/** The caller asked for too much, Airflow is fine. */
function tooLarge(max: number): AppError {
  return new AppError('too_large', `Airflow's response was larger than ${max} bytes and was not read.`, {
    hint: 'Ask for less: use a smaller limit or narrower filters.',
  });
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

  /**
   * Reads a body up to `max` bytes within the process-wide budget. JSON over the cap is refused (a cut JSON
   * is useless; one declared over it is refused before a byte is read); text is cut.
   */
  private async readBody(
    stream: ResponseBody,
    headers: Dispatcher.ResponseData['headers'],
    max: number,
    signal: AbortSignal,
  ): Promise<{ body: unknown; truncated: boolean }> {
    const isJson = (headerOf(headers, 'content-type') ?? '').includes('json');
    const declared = Number(headerOf(headers, 'content-length') ?? Number.NaN);
    const known = Number.isFinite(declared) && declared >= 0;
    if (isJson && known && declared > max) {
      stream.destroy();
      throw tooLarge(max);
    }
    const budget = this.options.budget;
    if (!budget) {
      const { bytes, truncated } = await readBounded(stream, max, max, async () => max);
      return this.decode(bytes.toString('utf8'), isJson, truncated, max);
    }
    const releases: (() => void)[] = [];
    const take = async (bytes: number) => {
      releases.push(await budget.acquire(bytes, signal, BUDGET_WAIT_MS));
      return bytes;
    };
    try {
      const first = known ? Math.min(declared, max) : Math.min(BUDGET_STEP, max);
      await take(first).catch((error: unknown) => {
        stream.destroy();
        throw error;
      });
      const { bytes, truncated } = await readBounded(stream, max, first, () => take(BUDGET_STEP));
      return this.decode(bytes.toString('utf8'), isJson, truncated, max);
    } finally {
      for (const release of releases) release();
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
