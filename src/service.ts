// The composition root: builds every part from settings and injected dependencies, and starts listening.

import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import type { Dispatcher } from 'undici';
import { createAirflowClient } from './airflow/airflow-client.js';
import { airflowOptions } from './config/airflow-options.js';
import type { DiscoveredAirflow } from './config/discover-airflow.js';
import type { Settings } from './config/settings.js';
import { COMPLETION_CAPABILITIES, registerCompletions } from './mcp/completions.js';
import { SERVER_INSTRUCTIONS } from './mcp/instructions.js';
import { PROMPT_CAPABILITIES, registerPrompts } from './mcp/prompts.js';
import { RESOURCE_CAPABILITIES, registerResources } from './mcp/resources.js';
import { createServerFactory } from './mcp/server-factory.js';
import { createToolRegistry } from './mcp/tool-registry.js';
import type { Logger } from './observability/logger.js';
import { createMetrics } from './observability/metrics.js';
import { createApp } from './server/app.js';
import { createDirectDispatch } from './server/direct-dispatch.js';
import { apiKeysFrom, createInboundAuth } from './server/inbound-auth.js';
import { shutdown, trackConnections } from './server/lifecycle.js';
import { createMcpRoute } from './server/mcp-route.js';
import { createOAuth } from './server/oauth/index.js';
import { createReadiness, type ServiceState } from './server/readiness.js';
import { hostPolicy, hostPolicyWarning } from './server/request-guards.js';
import { allTools } from './tools/index.js';
import { BUILD } from './version.js';

export interface ServiceDeps {
  settings: Settings;
  airflow: DiscoveredAirflow;
  logger: Logger;
  replica: string;
  now?: () => number;
  dispatcher?: Dispatcher;
  /** Reads files named by settings (MCP_API_KEYS_FILE, oauth keys); injected in tests. */
  readFile?: (path: string) => string;
  /** Answer plain 2025-era tools/list and tools/call without the SDK (default true; tests compare both). */
  directDispatch?: boolean;
}

export interface RunningService {
  url: string;
  server: Server;
  registry: Registry;
  /** Graceful stop with the configured delay and grace (overridable for tests). */
  stop(overrides?: { delayMs?: number; graceMs?: number }): Promise<boolean>;
}

export async function startService(deps: ServiceDeps): Promise<RunningService> {
  const { settings, logger } = deps;
  const now = deps.now ?? Date.now;
  const registry = new Registry();
  const metrics = createMetrics(registry, BUILD);
  const airflow = createAirflowClient({
    options: airflowOptions(settings, deps.airflow.url),
    metrics,
    logger,
    now,
    ...(deps.dispatcher ? { dispatcher: deps.dispatcher } : {}),
  });
  const tools = createToolRegistry(allTools, {
    readOnly: settings.readOnly,
    toolsets: settings.toolsets,
    tools: settings.tools,
    excludeTools: settings.excludeTools,
    maxOutputBytes: settings.maxOutputBytes,
    metrics,
    now,
  });
  const factory = createServerFactory({
    name: 'airflow-mcp',
    version: BUILD.version,
    instructions: SERVER_INSTRUCTIONS,
    tools,
    capabilities: { ...RESOURCE_CAPABILITIES, ...PROMPT_CAPABILITIES, ...COMPLETION_CAPABILITIES },
    extend: (server, rctx) => {
      registerResources(server, rctx, { maxOutputBytes: settings.maxOutputBytes, metrics });
      registerPrompts(server);
      registerCompletions(server, rctx);
    },
  });
  // The HTTP side: who may call, the MCP endpoint, readiness, sign-in (oauth mode), then the app.
  const readFile = deps.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const inbound = createInboundAuth({
    mode: settings.airflowAuthMode,
    apiKeys: apiKeysFrom(settings.mcpApiKeys, settings.mcpApiKeysFile, readFile),
    jwtSecret: settings.airflowJwtSecret,
    jwksUrl: settings.airflowJwksUrl,
    audience: settings.airflowJwtAudience,
    issuer: settings.airflowJwtIssuer,
    leewaySeconds: settings.airflowJwtLeewaySeconds,
    now,
  });
  if ((settings.airflowAuthMode === 'token' || settings.airflowAuthMode === 'password') && !inbound.enabled) {
    logger.warn(
      { auth_mode: settings.airflowAuthMode, host: settings.host },
      settings.allowUnauthenticated
        ? 'ALLOW_UNAUTHENTICATED=true: anyone who reaches this server acts with its Airflow service credentials'
        : 'no inbound authentication: only callers on this host can reach the server (loopback bind)',
    );
  }
  const oauth =
    settings.airflowAuthMode === 'oauth'
      ? createOAuth({ settings, airflow, logger, now, readFile })
      : undefined;
  const mcp = createMcpRoute({
    factory,
    direct: deps.directDispatch === false ? undefined : createDirectDispatch(tools),
    airflow,
    metrics,
    logger,
    hostPolicy: hostPolicy(settings.host, settings.allowedHosts, settings.allowedOrigins),
    inbound,
    forwardMode: settings.airflowAuthMode === 'forward',
    authenticate: oauth?.authenticate,
    maxConcurrent: settings.maxConcurrentRequests,
    body: {
      maxBytes: settings.maxBodyBytes,
      timeoutMs: settings.bodyTimeoutMs,
      // Bodies being read hold at most this much at once; a few dozen full-size bodies, or thousands of
      // ordinary ones (a tools/call is a few hundred bytes).
      budgetBytes: Math.max(32 * 1024 * 1024, settings.maxBodyBytes),
    },
    mcpPath: settings.mcpPath,
    tools,
  });
  const state: ServiceState = { draining: false };
  const readiness = createReadiness({ state, airflow, source: deps.airflow.source, now });
  const app = createApp({
    mcpPath: settings.mcpPath,
    servedBy: settings.servedByHeader ? deps.replica : undefined,
    logger,
    metrics,
    state,
    mcp,
    readiness,
    oauth,
  });
  const server = createServer({ keepAliveTimeout: 65_000, headersTimeout: 66_000, requestTimeout: 0 }, app);
  const connections = trackConnections(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => resolve());
  });
  const anyHost = hostPolicyWarning(
    hostPolicy(settings.host, settings.allowedHosts, settings.allowedOrigins),
    settings.host,
  );
  if (anyHost) logger.warn({ host: settings.host, allowed_hosts: settings.allowedHosts }, anyHost);
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}${settings.mcpPath}`;
  logger.info(
    {
      // The address actually bound (0.0.0.0: every address), not the loopback URL returned for callers.
      url: `http://${host}:${address.port}${settings.mcpPath}`,
      airflow_url: deps.airflow.url,
      airflow_source: deps.airflow.source,
      auth_mode: settings.airflowAuthMode,
      read_only: settings.readOnly,
      tools: tools.visible.length,
    },
    'airflow-mcp listening',
  );
  return {
    url,
    server,
    registry,
    stop: (o = {}) =>
      shutdown({
        server,
        connections,
        state,
        delayMs: o.delayMs ?? settings.shutdownDelayMs,
        graceMs: o.graceMs ?? settings.shutdownGraceMs,
        logger,
        cleanup: async () => {
          await mcp.close();
          await oauth?.close();
          await airflow.close();
        },
      }),
  };
}
