// Airflow REST API simulator (Airflow 3 /api/v2 and Airflow 2 /api/v1) for tests, load tests and the demo.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Authenticator, DEFAULT_JWT_SECRET, DEFAULT_USERS } from './auth.js';
import { CallLog } from './calls.js';
import { createControl } from './control.js';
import { FaultSlot } from './faults.js';
import { LogTokens } from './logs.js';
import { registrar, type SimApp } from './route-kit.js';
import { Router } from './router.js';
import { registerAdminRoutes } from './routes-admin.js';
import { registerClearRoutes } from './routes-clear.js';
import { registerDagRoutes } from './routes-dags.js';
import { registerLogRoutes } from './routes-logs.js';
import { registerRunRoutes } from './routes-runs.js';
import { registerTaskRoutes } from './routes-tasks.js';
import { createHandler } from './server.js';
import { Store } from './store.js';
import type { Simulator, SimulatorOptions } from './types.js';

export { FAILURE_LINE, ORDERS_ASSET, REPORT_ASSET, SUCCESS_LINE } from './data-dags.js';
export { VERSIONS } from './routes-admin.js';
export { WHOAMI_KEY } from './routes-variables.js';
export type {
  Fault,
  IssueTokenOptions,
  RecordedCall,
  SimRole,
  SimUser,
  Simulator,
  SimulatorOptions,
} from './types.js';

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const now = options.now ?? Date.now;
  const basePath = normaliseBase(options.basePath ?? '');
  const versions = options.apiVersions ?? ['v1', 'v2'];
  const secret = options.jwtSecret ?? DEFAULT_JWT_SECRET;
  const runDurationMs = options.runDurationMs ?? 3000;
  const auth = new Authenticator(
    options.users ?? DEFAULT_USERS,
    secret,
    options.tokenTtlSeconds ?? 86_400,
    now,
  );
  const app: SimApp = {
    store: new Store(now(), runDurationMs),
    t0: now(),
    logLines: options.logLinesPerTask ?? 200,
    exposeConfig: options.exposeConfig ?? true,
    tokens: new LogTokens(`${secret}:logs`),
    versions,
  };
  // Routes are built once; handlers read app.store so a state reset swaps the data, not the table.
  const router = new Router();
  const r = registrar(router, app);
  registerAdminRoutes(r, app);
  registerDagRoutes(r, app);
  registerRunRoutes(r, app);
  registerTaskRoutes(r, app);
  registerLogRoutes(r, app);
  registerClearRoutes(r, app);

  const calls = new CallLog();
  const faults = new FaultSlot();
  // Mutable at run time (POST /_sim/latency), e.g. to measure overhead without timer granularity in the way.
  const latency = { ms: options.latencyMs ?? 0 };
  const control = createControl(calls, faults, latency, () => {
    app.t0 = now();
    app.store = new Store(app.t0, runDurationMs);
  });
  const handler = createHandler({
    basePath,
    router,
    auth,
    enforced: options.auth === 'enforced',
    latency,
    now,
    calls,
    faults,
    hasV2: versions.includes('v2'),
    control,
  });
  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    handler(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${hostPart}:${port}${basePath}`,
    port,
    get calls() {
      return calls.list;
    },
    resetCalls: () => calls.reset(),
    setFault: (fault) => faults.set(fault),
    issueToken: (user, opts) => auth.issue(user, opts),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function normaliseBase(base: string): string {
  const trimmed = base.trim().replace(/\/+$/, '');
  if (trimmed === '') return '';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}
