// Decides which Airflow REST API to speak: fixed by config, or probed (v2 first) and cached until calls fail.
import { AppError } from '../errors.js';
import type { ApiVersion } from './auth-providers.js';
import type { CallContext } from './call-context.js';
import type { AirflowHttp } from './http-client.js';

export interface DetectedVersion {
  api: ApiVersion;
  airflowVersion: string | undefined;
}

export interface ApiVersionResolver {
  resolve(ctx: CallContext): Promise<DetectedVersion>;
  /** Forget a probed answer (after upstream failures) so the next call probes again. */
  forget(): void;
}

export function fixedVersion(api: ApiVersion): ApiVersionResolver {
  const answer = { api, airflowVersion: undefined };
  return { resolve: async () => answer, forget: () => {} };
}

function versionOf(body: unknown): string | undefined {
  const v = (body as { version?: unknown } | undefined)?.version;
  return typeof v === 'string' ? v : undefined;
}

export function probingVersion(
  http: AirflowHttp,
  onDetected: (v: DetectedVersion) => void,
): ApiVersionResolver {
  let cached: DetectedVersion | undefined;
  let inflight: Promise<DetectedVersion> | undefined;

  async function probe(ctx: CallContext): Promise<DetectedVersion> {
    // /api/v2/version needs no auth on Airflow 3; Airflow 2 answers 404 there and serves /api/v1/version.
    const v2 = await http.send(ctx, 'v2', {
      method: 'GET',
      route: '/version',
      acceptStatus: [401, 403, 404, 405],
    });
    const v2Version = versionOf(v2.body);
    if (v2.status === 200 && v2Version) return { api: 'v2', airflowVersion: v2Version };
    const v1 = await http.send(ctx, 'v1', {
      method: 'GET',
      route: '/version',
      acceptStatus: [401, 403, 404, 405],
    });
    const v1Version = versionOf(v1.body);
    if (v1.status === 200 && v1Version) return { api: 'v1', airflowVersion: v1Version };
    if (v1.status === 401 || v1.status === 403) return { api: 'v1', airflowVersion: undefined };
    throw new AppError(
      'upstream_unavailable',
      'The configured URL does not serve the Airflow REST API (v1 or v2).',
      {
        hint: 'Check AIRFLOW_API_URL, including any path prefix from Airflow’s base_url, or set AIRFLOW_API_VERSION.',
        retryable: false,
      },
    );
  }

  return {
    async resolve(ctx) {
      if (cached) return cached;
      inflight ??= probe(ctx)
        .then((found) => {
          cached = found;
          onDetected(found);
          return found;
        })
        .finally(() => {
          inflight = undefined;
        });
      return inflight;
    },
    forget() {
      cached = undefined;
    },
  };
}
