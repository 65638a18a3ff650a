// Public option and record types of the Airflow simulator (re-exported by index.ts).

export type SimRole = 'viewer' | 'user' | 'op' | 'admin';

export interface SimUser {
  password: string;
  role: SimRole;
}

export interface SimulatorOptions {
  host?: string;
  port?: number;
  basePath?: string;
  apiVersions?: ('v1' | 'v2')[];
  auth?: 'none' | 'enforced';
  users?: Record<string, SimUser>;
  jwtSecret?: string;
  tokenTtlSeconds?: number;
  latencyMs?: number;
  now?: () => number;
  runDurationMs?: number;
  logLinesPerTask?: number;
  /** GET /config answers 403 (like `[api] expose_config = False`) when false. Default true. */
  exposeConfig?: boolean;
}

export interface RecordedCall {
  method: string;
  path: string;
  route: string;
  status: number;
  user: string | null;
  authScheme: 'bearer' | 'basic' | 'none' | 'invalid';
  requestId: string | null;
}

export interface Fault {
  match?: { method?: string; pathIncludes?: string };
  times?: number;
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  delayHeadersMs?: number;
  slowBodyMs?: number;
  truncateBody?: boolean;
  invalidJson?: boolean;
  hugeBodyBytes?: number;
  redirectTo?: string;
  destroySocket?: boolean;
}

export interface IssueTokenOptions {
  expiresInSeconds?: number;
  secret?: string;
  /** Role claim; defaults to the user's configured role, or admin for a user not in `users`. */
  role?: SimRole;
}

export interface Simulator {
  readonly url: string;
  readonly port: number;
  readonly calls: readonly RecordedCall[];
  resetCalls(): void;
  setFault(fault: Fault | null): void;
  issueToken(user: string, opts?: IssueTokenOptions): Promise<string>;
  close(): Promise<void>;
}
