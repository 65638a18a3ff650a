// The express app: guards, health/readiness/metrics routes, the MCP endpoint, access log and error mapping.

import { readFileSync } from 'node:fs';
import type { McpServerFactory } from '@modelcontextprotocol/server';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { AirflowClient } from '../airflow/airflow-client.js';
import { ConfigError, type Settings } from '../config/settings.js';
import type { RequestObservations } from '../mcp/request-context.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { bodyGuard } from './body-guard.js';
import type { DirectDispatch } from './direct-dispatch.js';
import { createInboundAuth, inboundAuthMiddleware, parseApiKeysFile } from './inbound-auth.js';
import { jsonRpcError } from './json-rpc-error.js';
import { createMcpRoute } from './mcp-route.js';
import { createReadiness, type ServiceState } from './readiness.js';
import { hostOriginMiddleware, hostPolicy, requestIdMiddleware } from './request-guards.js';

export interface AppDeps {
  settings: Settings;
  logger: Logger;
  metrics: Metrics;
  airflow: AirflowClient;
  factory: McpServerFactory;
  /** Fast answers for plain 2025-era tools/list and tools/call; undefined sends everything to the SDK. */
  direct: DirectDispatch | undefined;
  replica: string;
  /** Where the Airflow URL came from, reported by /readyz. */
  airflowSource: string;
  now: () => number;
  /** Reads MCP_API_KEYS_FILE (injected in tests). */
  readFile?: (path: string) => string;
}

/** MCP_API_KEYS plus the keys in MCP_API_KEYS_FILE; a named but unreadable or empty file stops start-up. */
export function apiKeysFrom(settings: Settings, readFile: (path: string) => string): string[] {
  const keys = [...settings.mcpApiKeys];
  if (settings.mcpApiKeysFile) {
    let text: string;
    try {
      text = readFile(settings.mcpApiKeysFile);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new ConfigError(`Invalid MCP_API_KEYS_FILE: cannot read ${settings.mcpApiKeysFile} (${code})`);
    }
    const fromFile = parseApiKeysFile(text);
    if (fromFile.length === 0) {
      throw new ConfigError(`Invalid MCP_API_KEYS_FILE: ${settings.mcpApiKeysFile} holds no keys`);
    }
    keys.push(...fromFile);
  }
  return keys;
}

export function createApp(deps: AppDeps) {
  const { settings, metrics, logger } = deps;
  const state: ServiceState = { draining: false };
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', false);

  const mcp = createMcpRoute({
    factory: deps.factory,
    direct: deps.direct,
    airflow: deps.airflow,
    metrics,
    logger,
    forwardMode: settings.airflowAuthMode === 'forward',
    maxConcurrent: settings.maxConcurrentRequests,
    maxBodyBytes: settings.maxBodyBytes,
  });
  const inbound = createInboundAuth({
    mode: settings.airflowAuthMode,
    apiKeys: apiKeysFrom(settings, deps.readFile ?? ((path) => readFileSync(path, 'utf8'))),
    jwtSecret: settings.airflowJwtSecret,
    jwksUrl: settings.airflowJwksUrl,
    audience: settings.airflowJwtAudience,
    issuer: settings.airflowJwtIssuer,
    leewaySeconds: settings.airflowJwtLeewaySeconds,
    now: deps.now,
  });
  if ((settings.airflowAuthMode === 'token' || settings.airflowAuthMode === 'password') && !inbound.enabled) {
    logger.warn(
      { auth_mode: settings.airflowAuthMode, host: settings.host },
      settings.allowUnauthenticated
        ? 'ALLOW_UNAUTHENTICATED=true: anyone who reaches this server acts with its Airflow service credentials'
        : 'no inbound authentication: only callers on this host can reach the server (loopback bind)',
    );
  }
  const readiness = createReadiness({
    state,
    airflow: deps.airflow,
    source: deps.airflowSource,
    now: deps.now,
  });
  const routeOf = (req: Request) =>
    req.path === settings.mcpPath
      ? settings.mcpPath
      : ['/healthz', '/readyz', '/metrics'].includes(req.path)
        ? req.path
        : 'other';

  app.use(requestIdMiddleware(deps.replica, settings.servedByHeader));
  app.use((req, res, next) => {
    const start = process.hrtime.bigint();
    if (state.draining) res.setHeader('connection', 'close'); // move keep-alive clients to other replicas
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const route = routeOf(req);
      metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      metrics.httpDuration.observe({ method: req.method, route }, seconds);
      const observed = res.locals.observed as RequestObservations | undefined;
      if (route === settings.mcpPath) {
        const rpc = observed?.rpcMethod ?? 'none';
        metrics.rpcRequests.inc({ rpc_method: rpc, outcome: res.statusCode < 400 ? 'ok' : 'error' });
      }
      const level = route === settings.mcpPath || res.statusCode >= 500 ? 'info' : 'debug';
      logger[level](
        {
          request_id: res.locals.requestId,
          method: req.method,
          route,
          status: res.statusCode,
          duration_ms: Math.round(seconds * 1e6) / 1e3,
          rpc_method: observed?.rpcMethod,
          tool: observed?.tool,
          outcome: observed?.outcome,
        },
        'request',
      );
    });
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', readiness.handler);
  app.get('/metrics', async (_req, res) => {
    res.setHeader('content-type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });

  app.use(
    settings.mcpPath,
    hostOriginMiddleware(
      hostPolicy(settings.host, settings.allowedHosts, settings.allowedOrigins),
      (reason) => metrics.rejected.inc({ reason }),
    ),
  );
  app.all(
    settings.mcpPath,
    mcp.gate,
    inboundAuthMiddleware(inbound, metrics, settings.airflowAuthMode === 'forward'),
    express.json({
      limit: settings.maxBodyBytes,
      type: ['application/json', 'application/*+json'],
      strict: false,
    }),
    bodyGuard(metrics),
    mcp.serveMcp,
  );

  app.use((_req: Request, res: Response) => {
    res.status(404).json({ error: 'not found', hint: `The MCP endpoint is ${settings.mcpPath}` });
  });
  // Body parser and unexpected errors: answer in JSON-RPC terms, never crash, never echo input.
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const e = error as { type?: string; status?: number };
    if (e.type === 'entity.too.large') {
      metrics.rejected.inc({ reason: 'body_too_large' });
      jsonRpcError(res, 413, -32600, `Request body too large (limit ${settings.maxBodyBytes} bytes).`);
    } else if (e.type === 'entity.parse.failed') {
      jsonRpcError(res, 400, -32700, 'Parse error: the request body is not valid JSON.');
    } else if (e.status && e.status >= 400 && e.status < 500) {
      jsonRpcError(res, e.status, -32600, 'Invalid request.');
    } else {
      logger.error({ err: error }, 'unhandled error');
      jsonRpcError(res, 500, -32603, 'Internal error.');
    }
  });

  return { app, state, mcp };
}
