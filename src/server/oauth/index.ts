// Builds the oauth mode from settings: key ring, sealer, clients, the express Router for the sign-in
// endpoints (mounted by the app) and the bearer check the MCP endpoint runs. The one place the app gets it from.
import type { AirflowClient } from '../../airflow/airflow-client.js';
import { ConfigError, type Settings } from '../../config/settings.js';
import { linkedAbort } from '../../linked-abort.js';
import type { Logger } from '../../observability/logger.js';
import { createBearerCheck } from './bearer.js';
import { createCimdFetcher } from './cimd.js';
import { createClients } from './clients.js';
import { loadKeyRing } from './keys.js';
import { createAttemptLimiter } from './rate-limit.js';
import { createOAuthRouter, oauthRoutes } from './router.js';
import { createSealer } from './sealed.js';

export interface OAuthDeps {
  settings: Settings;
  airflow: AirflowClient;
  logger: Logger;
  now: () => number;
  readFile: (path: string) => string;
}

function readCa(path: string, readFile: (path: string) => string): string {
  try {
    return readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`Invalid MCP_OAUTH_CIMD_CA_FILE: cannot read ${path} (${code})`);
  }
}

export function createOAuth(d: OAuthDeps) {
  const s = d.settings;
  const publicUrl = s.mcpPublicUrl!;
  const resource = `${publicUrl}${s.mcpPath}`;
  const sealer = createSealer(loadKeyRing(s.mcpOauthKeysFile!, d.readFile), d.now);
  const cimd = createCimdFetcher({
    allowPrivate: s.mcpOauthCimdAllowPrivate,
    now: d.now,
    ...(s.mcpOauthCimdCaFile ? { ca: readCa(s.mcpOauthCimdCaFile, d.readFile) } : {}),
  });
  const clients = createClients(sealer, cimd, d.now);
  const limiter = createAttemptLimiter({ max: s.mcpOauthLoginAttempts, windowMs: 5 * 60_000, now: d.now });
  const router = createOAuthRouter({
    publicUrl,
    mcpPath: s.mcpPath,
    resource,
    clients,
    sealer,
    limiter,
    tokenTtlSeconds: s.mcpOauthTokenTtlSeconds,
    logger: d.logger,
    now: d.now,
    async signIn(username, password, requestId) {
      const deadline = linkedAbort([], s.airflowTimeoutMs);
      try {
        const ctx = { requestId, credentials: undefined, signal: deadline.signal };
        const adapter = await d.airflow.signInFor(ctx);
        return await adapter.signIn(username, password, ctx);
      } finally {
        deadline.dispose();
      }
    },
  });
  const authenticate = createBearerCheck({
    sealer,
    resource,
    resourceMetadataUrl: `${publicUrl}/.well-known/oauth-protected-resource${s.mcpPath}`,
    allowAirflowHeader: s.mcpOauthAllowAirflowHeader,
    now: d.now,
  });
  const routes = new Set(oauthRoutes(s.mcpPath));
  return {
    router,
    authenticate,
    /** The route label for a path this mode serves, else undefined. */
    routeOf: (path: string) => (routes.has(path) ? path : undefined),
    close: () => cimd.close(),
  };
}

export type OAuth = ReturnType<typeof createOAuth>;
