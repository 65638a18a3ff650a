// The HTTP application (express 5): health/readiness/metrics routes, the MCP endpoint, access log, HTTP
// metrics and the last line of error handling.

import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { McpServerFactory } from '@modelcontextprotocol/server';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { AirflowClient } from '../airflow/airflow-client.js';
import { ConfigError, type Settings } from '../config/settings.js';
import { narrowingFromPath } from '../mcp/exposure.js';
import type { ToolRegistry } from '../mcp/tool-registry.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { DirectDispatch } from './direct-dispatch.js';
import { createInboundAuth, parseApiKeysFile } from './inbound-auth.js';
import { createMcpRoute, exchangeOf, type McpExchange } from './mcp-route.js';
import { createOAuth } from './oauth/index.js';
import { createReadiness, type ServiceState } from './readiness.js';
import { assignRequestId, hostPolicy } from './request-guards.js';
import { jsonRpcError, sendJson } from './respond.js';

export interface AppDeps {
  settings: Settings;
  logger: Logger;
  metrics: Metrics;
  airflow: AirflowClient;
  factory: McpServerFactory;
  /** The tool registry: the path forms narrow its operator exposure per request. */
  tools: Pick<ToolRegistry, 'narrow'>;
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
  const forwardMode = settings.airflowAuthMode === 'forward';
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
  const readFile = deps.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const oauth =
    settings.airflowAuthMode === 'oauth'
      ? createOAuth({ settings, airflow: deps.airflow, logger, now: deps.now, readFile })
      : undefined;
  const mcp = createMcpRoute({
    factory: deps.factory,
    direct: deps.direct,
    airflow: deps.airflow,
    metrics,
    logger,
    hostPolicy: hostPolicy(settings.host, settings.allowedHosts, settings.allowedOrigins),
    inbound,
    forwardMode,
    authenticate: oauth?.authenticate,
    mcpPath: settings.mcpPath,
    tools: deps.tools,
    maxConcurrent: settings.maxConcurrentRequests,
    body: {
      maxBytes: settings.maxBodyBytes,
      timeoutMs: settings.bodyTimeoutMs,
      // Bodies being read hold at most this much at once; a few dozen full-size bodies, or thousands of
      // ordinary ones (a tools/call is a few hundred bytes).
      budgetBytes: Math.max(32 * 1024 * 1024, settings.maxBodyBytes),
    },
  });
  const readiness = createReadiness({
    state,
    airflow: deps.airflow,
    source: deps.airflowSource,
    now: deps.now,
  });
  const mcpPaths = new Set([settings.mcpPath, `${settings.mcpPath}/`]);
  const fixedRoutes = new Set(['/healthz', '/readyz', '/metrics']);
  /** The MCP path forms (routes for express, templates for metric labels). */
  const mcpForms = [
    settings.mcpPath,
    `${settings.mcpPath}/readonly`,
    `${settings.mcpPath}/x/:toolsets`,
    `${settings.mcpPath}/x/:toolsets/readonly`,
  ];
  const mcpFormLabel = (path: string): string | undefined => {
    if (mcpPaths.has(path)) return settings.mcpPath;
    if (!path.startsWith(`${settings.mcpPath}/`)) return undefined;
    const narrowing = narrowingFromPath(path.slice(settings.mcpPath.length));
    if (!narrowing) return undefined;
    const sets = narrowing.toolsets ? '/x/{toolsets}' : '';
    return `${settings.mcpPath}${sets}${narrowing.readOnly ? '/readonly' : ''}`;
  };
  /** The metric label: a route template, never the raw path. */
  const routeLabel = (path: string) =>
    mcpFormLabel(path) ?? (fixedRoutes.has(path) ? path : (oauth?.routeOf(path) ?? 'other'));
  const isMcpRoute = (route: string) =>
    route === settings.mcpPath || route.startsWith(`${settings.mcpPath}/`);
  const servedBy = settings.servedByHeader ? deps.replica : undefined;

  /** Access log line and HTTP/RPC metrics once the response is written. */
  function observe(req: IncomingMessage, res: ServerResponse, route: string, exchange: McpExchange) {
    const start = process.hrtime.bigint();
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const method = req.method ?? 'GET';
      metrics.httpRequests.inc({ method, route, status: String(res.statusCode) });
      metrics.httpDuration.observe({ method, route }, seconds);
      const observed = exchange.observed;
      if (isMcpRoute(route)) {
        metrics.rpcRequests.inc({
          rpc_method: observed?.rpcMethod ?? 'none',
          outcome: res.statusCode < 400 ? 'ok' : 'error',
        });
      }
      const level = isMcpRoute(route) || res.statusCode >= 500 ? 'info' : 'debug';
      logger[level](
        {
          request_id: exchange.requestId,
          method,
          route,
          status: res.statusCode,
          duration_ms: Math.round(seconds * 1e6) / 1e3,
          rpc_method: observed?.rpcMethod,
          tool: observed?.tool,
          resource: observed?.resource,
          outcome: observed?.outcome,
        },
        'request',
      );
    });
  }

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('case sensitive routing', true);

  // Every response: request id, served-by, Connection: close while draining, access log and metrics.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const exchange: McpExchange = { requestId: assignRequestId(req.headers, res, servedBy) };
    res.locals.exchange = exchange;
    if (state.draining) res.setHeader('connection', 'close'); // move keep-alive clients to other replicas
    observe(req, res, routeLabel(req.path), exchange);
    next();
  });

  app.all(mcpForms, mcp.handlers, mcp.errors);
  app.get('/healthz', (_req, res) => sendJson(res, 200, { status: 'ok' }));
  app.get('/readyz', (_req, res) => readiness.handler(res));
  app.get('/metrics', async (_req, res) => {
    const text = await metrics.registry.metrics();
    res.writeHead(200, {
      'content-type': metrics.registry.contentType,
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  });
  // Sign-in endpoints (oauth mode): their own parsers and answers, outside the MCP endpoint's guards.
  if (oauth) app.use(oauth.router);
  app.use((_req: Request, res: Response) => {
    sendJson(res, 404, { error: 'not found', hint: `The MCP endpoint is ${settings.mcpPath}` });
  });
  // The last line: an unexpected error is logged and answered as -32603; the process never falls over.
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    logger.error({ err: error, request_id: exchangeOf(res)?.requestId }, 'unhandled error');
    jsonRpcError(res, 500, -32603, 'Internal error.');
  });

  return { app, state, mcp, oauth };
}
