// The settings schema: every setting, its env name, default and validation, parsed once into a frozen object.
import { BlockList, isIP } from 'node:net';
import { z } from 'zod';
import { REPLICA_NAME_PATTERN } from './replica-name.js';

const bool = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])])
  .transform((v) => v === true || v === 'true' || v === '1' || v === 'yes');
/** True for a setting whose schema is the boolean one: its CLI flag may stand alone (`--flag`). */
export function isBooleanSetting(key: SettingKey): boolean {
  const def = SETTINGS[key].schema.def as { type: string; innerType?: unknown };
  return def.type === 'default' && def.innerType === bool;
}
// An http(s) URL, with a message that says which part is wrong.
const httpUrl = z.url({
  protocol: /^https?$/,
  error: (issue) =>
    typeof issue.input === 'string' &&
    /^[a-z][a-z0-9+.-]*:/i.test(issue.input) &&
    !/^https?:/i.test(issue.input)
      ? 'the scheme must be http or https'
      : 'must be an http:// or https:// URL',
});
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const list = z
  .union([z.array(z.string()), z.string()])
  .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean));

/** One entry per setting: the env variable, the CLI flag (derived), help text and schema. */
export const SETTINGS = {
  airflowApiUrl: {
    env: 'AIRFLOW_API_URL',
    help: 'Airflow base URL (may include a path prefix); unset = discover from Airflow config',
    schema: httpUrl.optional(),
  },
  airflowUiUrl: {
    env: 'AIRFLOW_UI_URL',
    help: "Airflow's address as users' browsers see it, when not AIRFLOW_API_URL: open_airflow_url accepts links to either",
    schema: httpUrl.optional(),
  },
  airflowApiVersion: {
    env: 'AIRFLOW_API_VERSION',
    help: 'Airflow REST API version: auto (probe), v1 (Airflow 2) or v2 (Airflow 3)',
    schema: z.enum(['auto', 'v1', 'v2']).default('auto'),
  },
  airflowAuthMode: {
    env: 'AIRFLOW_AUTH_MODE',
    help: "How calls to Airflow authenticate: forward (caller's Authorization header), oauth (sign in from the MCP client), token, password, none",
    schema: z.enum(['forward', 'oauth', 'token', 'password', 'none']).default('forward'),
  },
  airflowAuthToken: {
    env: 'AIRFLOW_AUTH_TOKEN',
    help: 'Static bearer token for AIRFLOW_AUTH_MODE=token',
    schema: z.string().min(1).optional(),
    secret: true,
  },
  airflowUsername: {
    env: 'AIRFLOW_USERNAME',
    help: 'User name for AIRFLOW_AUTH_MODE=password',
    schema: z.string().min(1).optional(),
  },
  airflowPassword: {
    env: 'AIRFLOW_PASSWORD',
    help: 'Password for AIRFLOW_AUTH_MODE=password',
    schema: z.string().min(1).optional(),
    secret: true,
  },
  airflowCaCert: {
    env: 'AIRFLOW_CA_CERT',
    help: 'Path to a PEM CA bundle used to verify Airflow TLS',
    schema: z.string().min(1).optional(),
  },
  airflowVerifySsl: {
    env: 'AIRFLOW_VERIFY_SSL',
    help: 'Verify Airflow TLS certificates (false only for testing)',
    schema: bool.default(true),
  },
  airflowTimeoutMs: {
    env: 'AIRFLOW_TIMEOUT_MS',
    help: 'Timeout for one Airflow call (connect, headers and body), in ms',
    schema: int(100, 600_000).default(30_000),
  },
  readOnly: {
    env: 'MCP_READ_ONLY',
    help: 'Hide and refuse every tool that changes Airflow',
    schema: bool.default(false),
  },
  toolsets: {
    env: 'MCP_TOOLSETS',
    help: 'Comma-separated toolsets to expose (dags, runs, tasks, logs, diagnostics, assets, admin, variables, connections); empty = all',
    schema: list.default([]),
  },
  tools: {
    env: 'MCP_TOOLS',
    help: 'Comma-separated tool names to expose (added to MCP_TOOLSETS; empty = no extra tools)',
    schema: list.default([]),
  },
  excludeTools: {
    env: 'MCP_EXCLUDE_TOOLS',
    help: 'Comma-separated tool names never to expose',
    schema: list.default([]),
  },
  host: {
    env: 'HOST',
    help: 'Address to listen on',
    schema: z.string().min(1).default('0.0.0.0'),
  },
  port: { env: 'PORT', help: 'Port to listen on', schema: int(0, 65535).default(8000) },
  mcpPath: {
    env: 'MCP_PATH',
    help: 'HTTP path of the MCP endpoint',
    schema: z
      .string()
      .regex(/^\/[A-Za-z0-9._~\-/]*$/, 'must start with / and contain only URL path characters')
      .default('/mcp'),
  },
  allowedHosts: {
    env: 'ALLOWED_HOSTS',
    help: 'Comma-separated Host header names accepted (empty = any when not bound to loopback)',
    schema: list.default([]),
  },
  allowedOrigins: {
    env: 'ALLOWED_ORIGINS',
    help: 'Comma-separated Origin host names accepted from browsers (a request without Origin is allowed)',
    schema: list.default([]),
  },
  maxConcurrentRequests: {
    env: 'MAX_CONCURRENT_REQUESTS',
    help: 'MCP requests in flight per replica before new ones get 503',
    schema: int(1, 100_000).default(256),
  },
  maxBodyBytes: {
    env: 'MAX_BODY_BYTES',
    help: 'Largest accepted MCP request body, in bytes',
    schema: int(1024, 64 * 1024 * 1024).default(1024 * 1024),
  },
  bodyTimeoutMs: {
    env: 'BODY_TIMEOUT_MS',
    help: 'Time a client has to send a request body once its headers arrived; slower bodies get 408, in ms',
    schema: int(100, 600_000).default(5_000),
  },
  upstreamMemoryBudgetBytes: {
    env: 'UPSTREAM_MEMORY_BUDGET_BYTES',
    help: 'Bytes of Airflow answers held at once across all calls; a call over it waits briefly, then fails retryably',
    schema: int(1024 * 1024, 1024 * 1024 * 1024).default(32 * 1024 * 1024),
  },
  maxOutputBytes: {
    env: 'MAX_OUTPUT_BYTES',
    help: 'Largest tool result text, in bytes; longer results are cut with a notice',
    schema: int(1024, 16 * 1024 * 1024).default(64 * 1024),
  },
  shutdownDelayMs: {
    env: 'SHUTDOWN_DELAY_MS',
    help: 'After SIGTERM, keep serving (not ready) this long so endpoints update, in ms',
    schema: int(0, 600_000).default(5_000),
  },
  shutdownGraceMs: {
    env: 'SHUTDOWN_GRACE_MS',
    help: 'After the delay, how long in-flight requests may take to finish, in ms',
    schema: int(0, 600_000).default(20_000),
  },
  logLevel: {
    env: 'LOG_LEVEL',
    help: 'Log level: fatal, error, warn, info, debug, trace, silent',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  },
  replicaName: {
    env: 'REPLICA_NAME',
    help: "Name of this replica in logs and x-served-by (default: the host name's first label, in a pod its name)",
    schema: z
      .string()
      .regex(REPLICA_NAME_PATTERN, 'must be a name of letters, digits, ".", "_" or "-" (at most 253)')
      .optional(),
  },
  mcpApiKeys: {
    env: 'MCP_API_KEYS',
    help: 'Comma-separated API keys a caller must present (Authorization: Bearer <key>, or X-API-Key in forward mode)',
    schema: list.default([]),
    secret: true,
  },
  mcpApiKeysFile: {
    env: 'MCP_API_KEYS_FILE',
    help: 'File with one API key per line (e.g. a mounted Secret); read at start-up',
    schema: z.string().min(1).optional(),
  },
  allowUnauthenticated: {
    env: 'ALLOW_UNAUTHENTICATED',
    help: 'Allow token/password mode on a non-loopback address without inbound authentication',
    schema: bool.default(false),
  },
  airflowJwtSecret: {
    env: 'AIRFLOW_JWT_SECRET',
    help: "Airflow's [api_auth] jwt_secret: verify callers' HS512 JWTs locally before calling Airflow",
    schema: z.string().min(16).optional(),
    secret: true,
  },
  airflowJwksUrl: {
    env: 'AIRFLOW_JWKS_URL',
    help: "JWKS URL to verify callers' asymmetric Airflow JWTs locally before calling Airflow",
    schema: httpUrl.optional(),
  },
  airflowJwtAudience: {
    env: 'AIRFLOW_JWT_AUDIENCE',
    help: 'Required aud claim of verified JWTs (Airflow: [api_auth] jwt_audience)',
    schema: z.string().min(1).optional(),
  },
  airflowJwtIssuer: {
    env: 'AIRFLOW_JWT_ISSUER',
    help: 'Required iss claim of verified JWTs (Airflow: [api_auth] jwt_issuer)',
    schema: z.string().min(1).optional(),
  },
  airflowJwtLeewaySeconds: {
    env: 'AIRFLOW_JWT_LEEWAY_SECONDS',
    help: 'Clock skew allowed on exp/nbf/iat of verified JWTs, in seconds (Airflow uses 10)',
    schema: int(0, 600).default(10),
  },
  airflowRetries: {
    env: 'AIRFLOW_RETRIES',
    help: 'Retries of an idempotent Airflow GET after a transient failure (writes never retry)',
    schema: int(0, 5).default(2),
  },
  airflowRetryBudgetRatio: {
    env: 'AIRFLOW_RETRY_BUDGET_RATIO',
    help: 'Retries allowed as a fraction of Airflow calls (token bucket), on top of a small reserve',
    schema: z.coerce.number().min(0).max(1).default(0.1),
  },
  airflowBreakerThreshold: {
    env: 'AIRFLOW_BREAKER_THRESHOLD',
    help: 'Consecutive Airflow failures (5xx, timeouts, unreachable) that open the circuit breaker; 0 = off',
    schema: int(0, 1000).default(5),
  },
  airflowBreakerCooldownMs: {
    env: 'AIRFLOW_BREAKER_COOLDOWN_MS',
    help: 'How long an open breaker fails calls fast before letting one probe call through, in ms',
    schema: int(100, 600_000).default(10_000),
  },
  mcpPublicUrl: {
    env: 'MCP_PUBLIC_URL',
    help: 'Public origin clients reach this service at (e.g. https://mcp.example.com); required for AIRFLOW_AUTH_MODE=oauth',
    schema: z
      .url({ protocol: /^https?$/ })
      .refine((u) => /^https?:\/\/[^/?#]+\/?$/.test(u), 'must be an origin without path, query or fragment')
      .transform((u) => u.replace(/\/$/, ''))
      .optional(),
  },
  mcpOauthKeysFile: {
    env: 'MCP_OAUTH_KEYS_FILE',
    help: 'File of keys for sign-in codes and tokens: "<key id> <base64url of 32 random bytes>" per line, first one signs; required for AIRFLOW_AUTH_MODE=oauth',
    schema: z.string().min(1).optional(),
  },
  mcpOauthTokenTtlSeconds: {
    env: 'MCP_OAUTH_TOKEN_TTL_SECONDS',
    help: "Lifetime of an access token from sign-in, in seconds (never past the Airflow token's own expiry)",
    schema: int(60, 7 * 86_400).default(3_600),
  },
  mcpOauthCimdAllowPrivate: {
    env: 'MCP_OAUTH_CIMD_ALLOW_PRIVATE',
    help: 'Allow client metadata documents on private or loopback addresses (tests only)',
    schema: bool.default(false),
  },
  mcpOauthCimdCaFile: {
    env: 'MCP_OAUTH_CIMD_CA_FILE',
    help: 'PEM CA bundle trusted, besides the system store, when fetching client metadata documents',
    schema: z.string().min(1).optional(),
  },
  mcpOauthAllowAirflowHeader: {
    env: 'MCP_OAUTH_ALLOW_AIRFLOW_HEADER',
    help: 'In oauth mode, also accept a raw Airflow credential in X-Airflow-Authorization (for automation)',
    schema: bool.default(false),
  },
  mcpOauthLoginAttempts: {
    env: 'MCP_OAUTH_LOGIN_ATTEMPTS',
    help: 'Failed sign-ins allowed per client address per replica in 5 minutes before more are refused',
    schema: int(1, 10_000).default(10),
  },
  servedByHeader: {
    env: 'SERVED_BY_HEADER',
    help: 'Send the x-served-by response header (the replica name, nothing else)',
    schema: bool.default(true),
  },
} as const;

export type SettingKey = keyof typeof SETTINGS;

/**
 * Every secret can also be read from a file named by `<ENV>_FILE` (or the mirrored `--<flag>-file`), e.g. a
 * mounted Kubernetes Secret: env values show in the pod spec and flag values in `ps`. A secret whose
 * `<ENV>_FILE` is a setting of its own (MCP_API_KEYS_FILE: one key per line) keeps that meaning.
 */
export function secretFileVariants(): { key: SettingKey; env: string; fileEnv: string }[] {
  const envs = new Set(Object.values(SETTINGS).map((spec) => spec.env as string));
  return (Object.entries(SETTINGS) as [SettingKey, (typeof SETTINGS)[SettingKey]][])
    .filter(([, spec]) => 'secret' in spec && !envs.has(`${spec.env}_FILE`))
    .map(([key, spec]) => ({ key, env: spec.env, fileEnv: `${spec.env}_FILE` }));
}

type SchemaOf<K extends SettingKey> = (typeof SETTINGS)[K]['schema'];
export type Settings = { readonly [K in SettingKey]: z.output<SchemaOf<K>> };

const settingsShape = Object.fromEntries(
  Object.entries(SETTINGS).map(([key, spec]) => [key, spec.schema]),
) as { [K in SettingKey]: SchemaOf<K> };

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/**
 * Loopback binds are reachable only from this host (or this pod), so inbound auth is not required there.
 * The address is parsed, never matched by prefix: `127.0.0.1.nip.io` is a DNS name that can point anywhere.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (/^localhost\.?$/i.test(bare)) return true;
  const family = isIP(bare);
  if (family === 0) return false;
  return LOOPBACK.check(bare, family === 4 ? 'ipv4' : 'ipv6');
}

export const settingsSchema = z.object(settingsShape).superRefine((s, issue) => {
  if (s.airflowAuthMode === 'token' && !s.airflowAuthToken) {
    issue.addIssue({
      code: 'custom',
      path: ['airflowAuthToken'],
      message: 'is required when AIRFLOW_AUTH_MODE=token',
    });
  }
  if (s.airflowAuthMode === 'password' && (!s.airflowUsername || !s.airflowPassword)) {
    issue.addIssue({
      code: 'custom',
      path: [s.airflowUsername ? 'airflowPassword' : 'airflowUsername'],
      message: 'AIRFLOW_USERNAME and AIRFLOW_PASSWORD are required when AIRFLOW_AUTH_MODE=password',
    });
  }
  if (s.airflowJwtSecret && s.airflowJwksUrl) {
    issue.addIssue({
      code: 'custom',
      path: ['airflowJwksUrl'],
      message: 'set either AIRFLOW_JWT_SECRET or AIRFLOW_JWKS_URL, not both',
    });
  }
  if (s.airflowAuthMode === 'oauth' && (!s.mcpPublicUrl || !s.mcpOauthKeysFile)) {
    issue.addIssue({
      code: 'custom',
      path: [s.mcpPublicUrl ? 'mcpOauthKeysFile' : 'mcpPublicUrl'],
      message: 'MCP_PUBLIC_URL and MCP_OAUTH_KEYS_FILE are required when AIRFLOW_AUTH_MODE=oauth',
    });
  }
  // The service holds Airflow credentials in these modes: whoever reaches it acts with them.
  const holdsCredentials = s.airflowAuthMode === 'token' || s.airflowAuthMode === 'password';
  const inbound =
    s.mcpApiKeys.length > 0 || s.mcpApiKeysFile !== undefined || !!s.airflowJwtSecret || !!s.airflowJwksUrl;
  if (holdsCredentials && !inbound && !isLoopbackHost(s.host) && !s.allowUnauthenticated) {
    issue.addIssue({
      code: 'custom',
      path: [],
      message: `Refusing to start: AIRFLOW_AUTH_MODE=${s.airflowAuthMode} on ${s.host} without inbound authentication; set MCP_API_KEYS or MCP_API_KEYS_FILE (or AIRFLOW_JWT_SECRET / AIRFLOW_JWKS_URL), bind HOST to 127.0.0.1, or set ALLOW_UNAUTHENTICATED=true`,
    });
  }
});

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses raw values (keyed by setting) into frozen settings, or throws one clear line naming the setting. */
export function parseSettings(raw: Partial<Record<SettingKey, unknown>>): Settings {
  const result = settingsSchema.safeParse(raw);
  if (!result.success) {
    const first = result.error.issues[0]!;
    const key = first.path[0] as SettingKey | undefined;
    if (key === undefined) throw new ConfigError(first.message);
    const name = key && key in SETTINGS ? SETTINGS[key].env : 'configuration';
    const secret = key && 'secret' in SETTINGS[key];
    const value = key && !secret && raw[key] !== undefined ? ` (got ${JSON.stringify(raw[key])})` : '';
    throw new ConfigError(`Invalid ${name}: ${first.message}${value}`);
  }
  return Object.freeze(result.data) as Settings;
}
