// The MCP endpoint as express middleware, in order: Host/Origin, method, inbound auth, body (deadline and byte
// budget, no execution slot yet), execution slots (one per message), complexity, stale session headers, caller
// credentials, per-request context; then the direct path or the SDK.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, type McpServerFactory } from '@modelcontextprotocol/server';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { AirflowClient } from '../airflow/airflow-client.js';
import { parseAuthorization } from '../airflow/call-context.js';
import { type Exposure, narrowingFromPath, UnknownToolsetError } from '../mcp/exposure.js';
import type { RequestContext, RequestObservations } from '../mcp/request-context.js';
import { REQUEST_CONTEXT_KEY } from '../mcp/server-factory.js';
import type { ToolRegistry } from '../mcp/tool-registry.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { checkComplexity, idOf } from './body-guard.js';
import { type BodyLimits, bodyErrors, jsonBody } from './body-parsing.js';
import { type DirectDispatch, directMessage } from './direct-dispatch.js';
import { type InboundAuth, refuseInbound } from './inbound-auth.js';
import type { OAuthDecision } from './oauth/bearer.js';
import { checkHostOrigin, type HostPolicy } from './request-guards.js';
import { jsonRpcError, sendJson } from './respond.js';

/** Distinct path forms whose exposure is kept (paths are client-chosen: the cache must not grow without end). */
const MAX_NARROWED = 256;

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
function leaveConnectionToNode(res: ServerResponse): void {
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, status: number, ...rest: unknown[]) {
    const headers = rest.at(-1);
    const fields = headers && typeof headers === 'object' && !Array.isArray(headers) ? headers : undefined;
    if (String((fields as Record<string, unknown> | undefined)?.connection).toLowerCase() === 'keep-alive') {
      delete (fields as Record<string, unknown>).connection;
    }
    return writeHead.call(this, status, ...(rest as [])) as ServerResponse;
  } as ServerResponse['writeHead'];
}

export interface McpRouteDeps {
  factory: McpServerFactory;
  direct: DirectDispatch | undefined;
  airflow: AirflowClient;
  metrics: Metrics;
  logger: Logger;
  hostPolicy: HostPolicy;
  inbound: InboundAuth;
  forwardMode: boolean;
  /** oauth mode: turns the caller's access token into the Airflow credential to forward. */
  authenticate?: ((headers: IncomingMessage['headers']) => Promise<OAuthDecision>) | undefined;
  maxConcurrent: number;
  body: BodyLimits;
  /** The MCP path; the path forms below it narrow the tools a request sees (`/readonly`, `/x/<toolsets>`). */
  mcpPath: string;
  /** The operator's tools, narrowed per request by the path forms. */
  tools: Pick<ToolRegistry, 'narrow'>;
}

/** One request to the endpoint, as the access log sees it: filled in while the request is served. */
export interface McpExchange {
  requestId: string;
  observed?: RequestObservations;
}

/** The exchange the app's first middleware put on the response. */
export function exchangeOf(res: Response): McpExchange {
  return res.locals.exchange as McpExchange;
}

export function createMcpRoute(deps: McpRouteDeps) {
  const { metrics } = deps;
  const handler = createMcpHandler(deps.factory, {
    legacy: 'stateless',
    responseMode: 'auto',
    maxRequestBodySize: deps.body.maxBytes,
    onerror: (error) => deps.logger.debug({ err: error.message }, 'MCP request rejected'),
  });
  const sdk = toNodeHandler(handler, {
    maxRequestBodySize: deps.body.maxBytes,
    onerror: (error) => deps.logger.error({ err: error }, 'MCP handler failed'),
  });
  let inflight = 0;

  const hostOrigin: RequestHandler = (req, res, next) => {
    const host = checkHostOrigin(deps.hostPolicy, req.headers);
    if (!host.ok) {
      metrics.rejected.inc({ reason: host.reason });
      jsonRpcError(res, 403, -32000, host.message);
      return;
    }
    next();
  };

  /**
   * The path forms: `/mcp/readonly`, `/mcp/x/<toolset>[,<toolset>…]` and both combined narrow what the
   * operator exposes for this request (never widen it). An unknown toolset is a 404 naming the real ones.
   */
  const narrowed = new Map<string, Exposure>();
  const pathExposure: RequestHandler = (req, res, next) => {
    const rest = req.path.slice(deps.mcpPath.length);
    const narrowing = narrowingFromPath(rest);
    if (narrowing === undefined) {
      sendJson(res, 404, { error: 'not found', hint: `The MCP endpoint is ${deps.mcpPath}` });
      return;
    }
    if (narrowing.toolsets === undefined && narrowing.readOnly === undefined) return next();
    const known = narrowed.get(rest);
    if (known) {
      res.locals.exposure = known;
      return next();
    }
    try {
      res.locals.exposure = deps.tools.narrow(narrowing);
      // Built once per path form: the valid ones are few, so the cache stays small (bounded all the same).
      if (narrowed.size < MAX_NARROWED) narrowed.set(rest, res.locals.exposure as Exposure);
    } catch (error) {
      if (!(error instanceof UnknownToolsetError)) throw error;
      sendJson(res, 404, { error: 'not found', hint: error.message });
      return;
    }
    next();
  };

  const onlyPost: RequestHandler = (req, res, next) => {
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
    next();
  };

  /**
   * Execution slots, taken once the body is in: a message costs one, a batch one per message, so batching
   * cannot multiply the work in flight. An admitted request holds its slots until it is answered.
   */
  const admit: RequestHandler = (req, res, next) => {
    const slots = Array.isArray(req.body) ? Math.max(1, req.body.length) : 1;
    if (slots > deps.maxConcurrent) {
      metrics.rejected.inc({ reason: 'batch_too_large' });
      jsonRpcError(
        res,
        400,
        -32600,
        `Invalid Request: a batch of ${slots} messages is more than this server runs at once (${deps.maxConcurrent}); send fewer per batch.`,
      );
      return;
    }
    if (inflight + slots > deps.maxConcurrent) {
      metrics.rejected.inc({ reason: 'overload' });
      jsonRpcError(res, 503, -32000, 'Server busy: too many requests in flight; retry shortly.', {
        'retry-after': '1',
      });
      return;
    }
    inflight += slots;
    metrics.inflight.inc(slots);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      inflight -= slots;
      metrics.inflight.dec(slots);
    };
    res.once('finish', release);
    res.once('close', release);
    next();
  };

  const inboundAuth: RequestHandler = async (req, res, next) => {
    if (deps.inbound.enabled) {
      const decision = await deps.inbound.check(req.headers);
      if (!decision.ok) {
        refuseInbound(res, decision, metrics, deps.forwardMode);
        return;
      }
    }
    next();
  };

  /** oauth mode: only this service's access tokens pass, before the body is read or anything reaches Airflow. */
  const signIn: RequestHandler = async (req, res, next) => {
    const decision = await deps.authenticate!(req.headers);
    if (!decision.ok) {
      metrics.authForwarding.inc({ path: 'rejected' });
      jsonRpcError(res, 401, -32001, decision.message, { 'www-authenticate': decision.challenge });
      return;
    }
    res.locals.signedIn = decision.credentials;
    next();
  };

  /** The parsed message on to the direct path or the SDK, with the caller's own context. */
  const dispatch: RequestHandler = async (req: Request, res: Response) => {
    const exchange = exchangeOf(res);
    const body: unknown = req.body;
    // -32600 with HTTP 400: the limit is on the message as a whole, checked before it is dispatched, so it
    // is not a method's params being wrong (-32602) but a request this server will not take.
    const complexity = checkComplexity(body);
    if (!complexity.ok) {
      metrics.rejected.inc({ reason: 'too_complex' });
      jsonRpcError(res, 400, -32600, `Invalid Request: ${complexity.why}.`, {}, idOf(body));
      return;
    }

    const observed: RequestObservations = { rpcMethod: rpcMethodLabel(body) };
    exchange.observed = observed;
    if (req.headers['mcp-session-id'] !== undefined) {
      // Left over from a stateful server or another replica: serve statelessly, never fail on it.
      metrics.sessionHeaderIgnored.inc();
      delete req.headers['mcp-session-id'];
    }

    const credentials: RequestContext['credentials'] | 'invalid' = deps.authenticate
      ? (res.locals.signedIn as RequestContext['credentials'])
      : deps.forwardMode
        ? parseAuthorization(req.headers.authorization)
        : undefined;
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
      requestId: exchange.requestId,
      credentials,
      signal: abort.signal,
      logger: deps.logger,
      observed,
      airflowFor: (call) => deps.airflow.adapterFor(call),
      ...(res.locals.exposure ? { exposure: res.locals.exposure as Exposure } : {}),
    };
    const direct = deps.direct && directMessage(req.headers, body);
    if (direct) {
      await deps.direct!.serve(direct, rctx, res);
      return;
    }
    // The SDK passes authInfo through untouched to the server factory: our explicit per-request channel.
    (req as IncomingMessage & { auth?: unknown }).auth = {
      token: '',
      clientId: 'airflow-mcp',
      scopes: [],
      extra: { [REQUEST_CONTEXT_KEY]: rctx },
    };
    leaveConnectionToNode(res);
    await sdk(req as never, res as never, body);
  };

  const handlers: RequestHandler[] = [
    pathExposure,
    hostOrigin,
    onlyPost,
    inboundAuth,
    ...(deps.authenticate ? [signIn] : []),
    ...jsonBody(deps.body, metrics),
    admit,
    dispatch,
  ];
  const errors: ErrorRequestHandler = bodyErrors(deps.body.maxBytes, metrics);
  return { handlers, errors, close: () => handler.close(), inflight: () => inflight };
}

export type McpRoute = ReturnType<typeof createMcpRoute>;
