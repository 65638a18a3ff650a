// The tool registry, built once at start-up: tools/list answer, JSON schemas and lookup; plus the call boundary.
import {
  type CallToolResult,
  ProtocolError,
  ProtocolErrorCode,
  type Tool,
} from '@modelcontextprotocol/server';
import { z } from 'zod';
import { AppError, toErrorBody } from '../errors.js';
import { linkedAbort } from '../linked-abort.js';
import type { Metrics } from '../observability/metrics.js';
import { isWriteTool, type ToolContext, type ToolDefinition } from '../tools/define-tool.js';
import type { RequestContext } from './request-context.js';
import { errorResult, successResult } from './tool-result.js';

export interface ToolRegistryOptions {
  readOnly: boolean;
  maxOutputBytes: number;
  metrics: Metrics;
  now: () => number;
}

export interface ToolRegistry {
  /** The precomputed tools/list result (read-only mode already filtered). */
  readonly listResult: { tools: Tool[] };
  readonly visible: readonly ToolDefinition[];
  call(
    params: {
      name: string;
      arguments?: Record<string, unknown> | undefined;
      _meta?: { progressToken?: string | number };
    },
    rctx: RequestContext,
    mcp: {
      signal: AbortSignal;
      notify: (n: { method: string; params: Record<string, unknown> }) => Promise<void>;
    },
  ): Promise<CallToolResult>;
}

export function toolJsonSchema(schema: z.ZodType, io: 'input' | 'output'): Tool['inputSchema'] {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json as Tool['inputSchema'];
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid arguments';
  const path = issue.path.length ? issue.path.join('.') : 'arguments';
  return `${path}: ${issue.message}`;
}

function sleeper(signal: AbortSignal) {
  return (ms: number) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
}

export function createToolRegistry(
  tools: readonly ToolDefinition[],
  options: ToolRegistryOptions,
): ToolRegistry {
  const byName = new Map<string, ToolDefinition>();
  for (const tool of tools) {
    if (byName.has(tool.name)) throw new Error(`duplicate tool name ${tool.name}`);
    byName.set(tool.name, tool);
  }
  const visible = options.readOnly ? tools.filter((t) => !isWriteTool(t)) : [...tools];
  const listResult = {
    tools: visible.map(
      (t): Tool => ({
        name: t.name,
        title: t.title,
        description: t.description,
        inputSchema: toolJsonSchema(t.inputSchema, 'input'),
        ...(t.outputSchema ? { outputSchema: toolJsonSchema(t.outputSchema, 'output') } : {}),
        annotations: { title: t.title, ...t.annotations },
      }),
    ),
  };
  const { metrics } = options;

  return {
    listResult,
    visible,
    async call(params, rctx, mcp) {
      const tool = byName.get(params.name);
      if (!tool) {
        throw new ProtocolError(
          ProtocolErrorCode.InvalidParams,
          `Unknown tool: ${JSON.stringify(String(params.name).slice(0, 100))}. Call tools/list for the available tools.`,
        );
      }
      rctx.observed.tool = tool.name;
      const stop = metrics.toolDuration.startTimer({ tool: tool.name });
      const finish = (outcome: string) => {
        rctx.observed.outcome = outcome;
        metrics.toolCalls.inc({ tool: tool.name, outcome });
        stop();
      };
      if (options.readOnly && isWriteTool(tool)) {
        finish('read_only');
        return errorResult(
          toErrorBody(
            new AppError('read_only', `Tool ${tool.name} changes Airflow and this server is read-only.`, {
              hint: 'Ask the operator to unset MCP_READ_ONLY, or make the change in Airflow directly.',
            }),
            rctx.requestId,
          ),
        );
      }
      const parsed = tool.inputSchema.safeParse(params.arguments ?? {});
      if (!parsed.success) {
        finish('invalid_argument');
        throw new ProtocolError(
          ProtocolErrorCode.InvalidParams,
          `Invalid arguments for tool ${tool.name}: ${describeIssue(parsed.error)}`,
        );
      }
      // One signal when the HTTP layer and the MCP layer share it (direct dispatch); else both, released after.
      const linked = mcp.signal === rctx.signal ? undefined : linkedAbort([rctx.signal, mcp.signal]);
      const signal = linked?.signal ?? rctx.signal;
      const progressToken = params._meta?.progressToken;
      const call = { requestId: rctx.requestId, credentials: rctx.credentials, signal };
      const ctx: ToolContext = {
        requestId: rctx.requestId,
        signal,
        logger: rctx.logger,
        airflow: () => rctx.airflowFor(call),
        progress: async (progress, total, message) => {
          if (progressToken === undefined || signal.aborted) return;
          await mcp
            .notify({
              method: 'notifications/progress',
              params: {
                progressToken,
                progress,
                ...(total !== undefined ? { total } : {}),
                ...(message ? { message } : {}),
              },
            })
            .catch(() => {});
        },
        maxOutputBytes: options.maxOutputBytes,
        now: options.now,
        sleep: sleeper(signal),
      };
      try {
        const value = await tool.handler(parsed.data, ctx);
        finish('ok');
        return successResult(value, options.maxOutputBytes, tool.outputSchema !== undefined);
      } catch (error) {
        const body = toErrorBody(error, rctx.requestId);
        if (body.code === 'internal') rctx.logger.error({ err: error, tool: tool.name }, 'tool failed');
        finish(body.code);
        return errorResult(body);
      } finally {
        linked?.dispose();
      }
    },
  };
}
