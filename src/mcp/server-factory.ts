// The per-request MCP server factory: a light low-level Server wired to registries built once at start-up.
import { type McpServerFactory, Server, type ServerCapabilities } from '@modelcontextprotocol/server';
import type { RequestContext } from './request-context.js';
import type { ToolRegistry } from './tool-registry.js';

export interface ServerFactoryDeps {
  name: string;
  version: string;
  instructions: string;
  tools: ToolRegistry;
  /** Optional extra wiring (resources, prompts) applied to each instance. */
  extend?: (server: Server, rctx: RequestContext) => void;
  /** Capabilities the `extend` wiring serves (e.g. resources, prompts), merged with `tools`. */
  capabilities?: ServerCapabilities;
}

/** Key under which the HTTP layer passes the RequestContext through the SDK's pass-through authInfo. */
export const REQUEST_CONTEXT_KEY = 'airflowMcpRequestContext';

export function requestContextOf(extra: Record<string, unknown> | undefined): RequestContext {
  const rctx = extra?.[REQUEST_CONTEXT_KEY] as RequestContext | undefined;
  if (!rctx) throw new Error('MCP request reached the server without a request context');
  return rctx;
}

export function createServerFactory(deps: ServerFactoryDeps): McpServerFactory {
  const info = { name: deps.name, version: deps.version };
  const capabilities: ServerCapabilities = { ...deps.capabilities, tools: { listChanged: false } };
  return ({ authInfo }) => {
    const rctx = requestContextOf(authInfo?.extra);
    const server = new Server(info, { capabilities, instructions: deps.instructions });
    server.setRequestHandler('tools/list', async () => deps.tools.list(rctx.exposure));
    server.setRequestHandler('tools/call', (request, ctx) =>
      deps.tools.call(request.params, rctx, { signal: ctx.mcpReq.signal, notify: ctx.mcpReq.notify }),
    );
    deps.extend?.(server, rctx);
    return server;
  };
}
