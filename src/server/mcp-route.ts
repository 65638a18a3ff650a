// The MCP endpoint: method and load gates, stale session headers, caller credentials, per-request context.

import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, type McpServerFactory } from '@modelcontextprotocol/server';
import type { NextFunction, Request, Response } from 'express';
import type { AirflowClient } from '../airflow/airflow-client.js';
import { parseAuthorization } from '../airflow/call-context.js';
import type { RequestContext } from '../mcp/request-context.js';
import { REQUEST_CONTEXT_KEY } from '../mcp/server-factory.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { type DirectDispatch, directMessage } from './direct-dispatch.js';
import { jsonRpcError } from './json-rpc-error.js';

/** Known JSON-RPC methods become label values; anything else is 'other', so labels stay bounded. */
const KNOWN_METHODS = new Set([
  'initialize',
  'notifications/initialized',
  'notifications/cancelled',
  'ping',
  'server/discover',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/read',
  'resources/templates/list',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
]);

export function rpcMethodLabel(body: unknown): string {
  if (Array.isArray(body)) return 'batch';
  const method = (body as { method?: unknown } | undefined)?.method;
  if (typeof method !== 'string') return body === undefined ? 'none' : 'invalid';
  return KNOWN_METHODS.has(method) ? method : 'other';
}

/**
 * The SDK writes `Connection: keep-alive` with its SSE answers, and headers given to writeHead win over
 * setHeader: while draining that would undo the `Connection: close` that moves keep-alive clients to other
 * replicas. Connection is hop-by-hop, so the SDK's keep-alive is dropped and Node decides as for every
 * other response (an SDK `close` stays).
 */
function leaveConnectionToNode(res: Response): void {
  const writeHead = res.writeHead;
  res.writeHead = function (this: Response, status: number, ...rest: unknown[]) {
    const headers = rest.at(-1);
    const fields = headers && typeof headers === 'object' && !Array.isArray(headers) ? headers : undefined;
    if (String((fields as Record<string, unknown> | undefined)?.connection).toLowerCase() === 'keep-alive') {
      delete (fields as Record<string, unknown>).connection;
    }
    return writeHead.call(this, status, ...(rest as [])) as Response;
  } as Response['writeHead'];
}

export interface McpRouteDeps {
  factory: McpServerFactory;
  direct: DirectDispatch | undefined;
  airflow: AirflowClient;
  metrics: Metrics;
  logger: Logger;
  forwardMode: boolean;
  maxConcurrent: number;
  maxBodyBytes: number;
}

export function createMcpRoute(deps: McpRouteDeps) {
  const { metrics } = deps;
  const handler = createMcpHandler(deps.factory, {
    legacy: 'stateless',
    responseMode: 'auto',
    maxRequestBodySize: deps.maxBodyBytes,
    onerror: (error) => deps.logger.debug({ err: error.message }, 'MCP request rejected'),
  });
  const serve = toNodeHandler(handler, {
    maxRequestBodySize: deps.maxBodyBytes,
    onerror: (error) => deps.logger.error({ err: error }, 'MCP handler failed'),
  });
  let inflight = 0;

  /** First gate, before the body is read: method, overload. */
  const gate = (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'POST') {
      jsonRpcError(
        res,
        405,
        -32000,
        'Method not allowed: this server is stateless; send JSON-RPC with POST.',
        {
          allow: 'POST',
        },
      );
      return;
    }
    if (inflight >= deps.maxConcurrent) {
      metrics.rejected.inc({ reason: 'overload' });
      jsonRpcError(res, 503, -32000, 'Server busy: too many requests in flight; retry shortly.', {
        'retry-after': '1',
      });
      return;
    }
    inflight++;
    metrics.inflight.inc();
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      inflight--;
      metrics.inflight.dec();
    };
    res.once('finish', release);
    res.once('close', release);
    next();
  };

  /** After the body parser: build the request context and hand over to the SDK. */
  const serveMcp = async (req: Request, res: Response) => {
    const requestId = res.locals.requestId as string;
    const observed = { rpcMethod: rpcMethodLabel(req.body) } as RequestContext['observed'];
    res.locals.observed = observed;

    if (req.headers['mcp-session-id'] !== undefined) {
      // Left over from a stateful server or another replica: serve statelessly, never fail on it.
      metrics.sessionHeaderIgnored.inc();
      delete req.headers['mcp-session-id'];
    }

    const credentials = deps.forwardMode ? parseAuthorization(req.headers.authorization) : undefined;
    if (credentials === 'invalid') {
      metrics.authForwarding.inc({ path: 'rejected' });
      jsonRpcError(
        res,
        401,
        -32001,
        'Unauthorized: the Authorization header must be "Bearer <token>" or "Basic <credentials>".',
        { 'www-authenticate': 'Bearer realm="airflow-mcp"' },
      );
      return;
    }

    const abort = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    const rctx: RequestContext = {
      requestId,
      credentials,
      signal: abort.signal,
      logger: deps.logger,
      observed,
      airflowFor: (call) => deps.airflow.adapterFor(call),
    };
    const direct = deps.direct && directMessage(req.headers, req.body);
    if (direct) {
      await deps.direct!.serve(direct, rctx, res);
      return;
    }
    // The SDK passes authInfo through untouched to the server factory: our explicit per-request channel.
    (req as Request & { auth?: unknown }).auth = {
      token: '',
      clientId: 'airflow-mcp',
      scopes: [],
      extra: { [REQUEST_CONTEXT_KEY]: rctx },
    };
    leaveConnectionToNode(res);
    await serve(req as never, res as never, req.body);
  };

  return { gate, serveMcp, close: () => handler.close(), inflight: () => inflight };
}
