// The HTTP application (express 5): health/readiness/metrics routes, the MCP endpoint, access log, HTTP
// metrics and the last line of error handling.

import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { narrowingFromPath } from '../mcp/exposure.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { exchangeOf, type McpExchange, type McpRoute } from './mcp-route.js';
import type { Readiness, ServiceState } from './readiness.js';
import { assignRequestId } from './request-guards.js';
import { jsonRpcError, sendJson } from './respond.js';

/** What the app serves, built by the composition root (src/service.ts). */
export interface AppDeps {
  mcpPath: string;
  /** Sent as x-served-by; undefined sends none. */
  servedBy: string | undefined;
  logger: Logger;
  metrics: Metrics;
  state: ServiceState;
  mcp: Pick<McpRoute, 'handlers' | 'errors'>;
  readiness: Readiness;
  /** oauth mode: the sign-in endpoints and their metric route labels. */
  oauth?: { router: Router; routeOf(path: string): string | undefined } | undefined;
}

export function createApp(deps: AppDeps) {
  const { metrics, logger, state, mcp, readiness, oauth, servedBy } = deps;
  const { mcpPath } = deps;
  const mcpPaths = new Set([mcpPath, `${mcpPath}/`]);
  const fixedRoutes = new Set(['/healthz', '/readyz', '/metrics']);
  /** The MCP path forms (routes for express, templates for metric labels). */
  const mcpForms = [
    mcpPath,
    `${mcpPath}/readonly`,
    `${mcpPath}/x/:toolsets`,
    `${mcpPath}/x/:toolsets/readonly`,
  ];
  const mcpFormLabel = (path: string): string | undefined => {
    if (mcpPaths.has(path)) return mcpPath;
    if (!path.startsWith(`${mcpPath}/`)) return undefined;
    const narrowing = narrowingFromPath(path.slice(mcpPath.length));
    if (!narrowing) return undefined;
    const sets = narrowing.toolsets ? '/x/{toolsets}' : '';
    return `${mcpPath}${sets}${narrowing.readOnly ? '/readonly' : ''}`;
  };
  /** The metric label: a route template, never the raw path. */
  const routeLabel = (path: string) =>
    mcpFormLabel(path) ?? (fixedRoutes.has(path) ? path : (oauth?.routeOf(path) ?? 'other'));
  const isMcpRoute = (route: string) => route === mcpPath || route.startsWith(`${mcpPath}/`);

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
    sendJson(res, 404, { error: 'not found', hint: `The MCP endpoint is ${mcpPath}` });
  });
  // The last line: an unexpected error is logged and answered as -32603; the process never falls over.
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    logger.error({ err: error, request_id: exchangeOf(res)?.requestId }, 'unhandled error');
    jsonRpcError(res, 500, -32603, 'Internal error.');
  });

  return app;
}
