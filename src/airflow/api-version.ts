// Decides which Airflow REST API to speak: fixed by config, or probed once per replica without credentials.
//
// The probe belongs to the replica, not to the call that happened to trigger it: it sends no credentials,
// runs on its own deadline (a caller that goes away stops waiting, the probe goes on for the others), and
// only an answer that shows a version is kept. Failures are reported to the waiting callers and the next
// call probes again.
import { AppError, cancelledError } from '../errors.js';
import { linkedAbort } from '../linked-abort.js';
import type { ApiVersion } from './adapter.js';
import { errorForTransport } from './upstream-errors.js';

export interface DetectedVersion {
  api: ApiVersion;
  airflowVersion: string | undefined;
  /** What showed it, for the log line (e.g. "GET /api/v2/version → 200"). */
  evidence?: string;
}

export interface ApiVersionResolver {
  /** The version to use; `signal` only stops this caller's wait, never the probe itself. */
  resolve(signal: AbortSignal): Promise<DetectedVersion>;
  /** Forget a probed answer (after upstream failures) so the next call probes again. */
  forget(): void;
}

export function fixedVersion(api: ApiVersion): ApiVersionResolver {
  const answer = { api, airflowVersion: undefined };
  return { resolve: async () => answer, forget: () => {} };
}

/** An unauthenticated GET of a path under the Airflow base URL. Throws on transport failures. */
export type ProbeGet = (path: string, signal: AbortSignal) => Promise<{ status: number; body: unknown }>;

export interface ProbingOptions {
  get: ProbeGet;
  /** The probe's own deadline for both requests together, in ms. */
  timeoutMs: number;
  onDetected(found: DetectedVersion): void;
  onFailed?(error: AppError): void;
}

function versionOf(body: unknown): string | undefined {
  const v = (body as { version?: unknown } | undefined)?.version;
  return typeof v === 'string' ? v : undefined;
}

const AUTH_REFUSED = new Set([401, 403]);
const ABSENT = new Set([404, 405]);

/**
 * One detection. `/api/{v}/version` needs no credentials on Airflow 3 and Airflow 2, so a 200 naming a
 * version settles it. A 401/403 there comes from something guarding that prefix (an auth proxy, a
 * gateway): it shows the prefix is served but says nothing else, so it only decides when the other
 * prefix gave no better answer; v2 wins a tie (Airflow 2 is past its end of life; set
 * AIRFLOW_API_VERSION=v1 for an Airflow 2 behind such a proxy). Anything else is a failure.
 */
async function detect(get: ProbeGet, signal: AbortSignal): Promise<DetectedVersion> {
  const v2 = await get('/api/v2/version', signal);
  const v2Version = versionOf(v2.body);
  if (v2.status === 200 && v2Version) {
    return { api: 'v2', airflowVersion: v2Version, evidence: 'GET /api/v2/version → 200' };
  }
  const v2Guarded = AUTH_REFUSED.has(v2.status);
  if (!v2Guarded && !ABSENT.has(v2.status) && v2.status !== 200)
    throw probeFailed('/api/v2/version', v2.status);
  const v1 = await get('/api/v1/version', signal);
  const v1Version = versionOf(v1.body);
  if (v1.status === 200 && v1Version) {
    return { api: 'v1', airflowVersion: v1Version, evidence: 'GET /api/v1/version → 200' };
  }
  if (v2Guarded) {
    return { api: 'v2', airflowVersion: undefined, evidence: `GET /api/v2/version → ${v2.status}` };
  }
  // /api/v2 is not there (404/405, or 200 without a version): a guarded /api/v1 is Airflow 2 behind a proxy.
  if (AUTH_REFUSED.has(v1.status)) {
    return {
      api: 'v1',
      airflowVersion: undefined,
      evidence: `GET /api/v2/version → ${v2.status}, GET /api/v1/version → ${v1.status}`,
    };
  }
  if (ABSENT.has(v1.status) || v1.status === 200) {
    throw new AppError(
      'misconfigured',
      'The configured URL does not serve the Airflow REST API (v1 or v2).',
      {
        hint: 'Check AIRFLOW_API_URL, including any path prefix from Airflow’s base_url, or set AIRFLOW_API_VERSION.',
      },
    );
  }
  throw probeFailed('/api/v1/version', v1.status);
}

function probeFailed(path: string, status: number): AppError {
  return new AppError(
    'upstream_unavailable',
    `Airflow answered ${path} with HTTP ${status}, so the API version could not be detected yet.`,
    {
      hint: 'Airflow may be starting or overloaded; retry shortly (the next call detects again), or set AIRFLOW_API_VERSION.',
      status,
    },
  );
}

/** Waits for `work` unless `signal` aborts first; the work itself goes on for its other waiters. */
function waitUnlessCancelled<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(cancelledError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancelledError());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export function probingVersion(options: ProbingOptions): ApiVersionResolver {
  let cached: DetectedVersion | undefined;
  let inflight: Promise<DetectedVersion> | undefined;
  const what = 'the API version probe';

  async function probe(): Promise<DetectedVersion> {
    const deadline = linkedAbort([], options.timeoutMs);
    try {
      return await detect(options.get, deadline.signal);
    } catch (error) {
      throw errorForTransport(
        deadline.signal.aborted ? deadline.signal.reason : error,
        what,
        options.timeoutMs,
      );
    } finally {
      deadline.dispose();
    }
  }

  return {
    resolve(signal) {
      if (cached) return Promise.resolve(cached);
      inflight ??= probe()
        .then(
          (found) => {
            cached = found;
            options.onDetected(found);
            return found;
          },
          (error: unknown) => {
            // Not kept: the next call detects again.
            if (error instanceof AppError) options.onFailed?.(error);
            throw error;
          },
        )
        .finally(() => {
          inflight = undefined;
        });
      return waitUnlessCancelled(inflight, signal);
    },
    forget() {
      cached = undefined;
    },
  };
}
