// The tool registry, built once at start-up: tools/list answer, JSON schemas and lookup; plus the call boundary.
import {
  type CallToolResult,
  ProtocolError,
  ProtocolErrorCode,
  type Tool,
} from '@modelcontextprotocol/server';
import { z } from 'zod';
import { AppError, toErrorBody } from '../errors.js';
import { abortableSleep } from '../linked-abort.js';
import type { Metrics } from '../observability/metrics.js';
import type { ToolContext, ToolDefinition } from '../tools/define-tool.js';
import { openBoundary } from './boundary.js';
import {
  type Exposure,
  type ExposureSettings,
  type Narrowing,
  narrowExposure,
  operatorExposure,
} from './exposure.js';
import type { RequestContext } from './request-context.js';
import { coerceArguments, describeArgumentIssue } from './tool-arguments.js';
import { errorResult, successResult } from './tool-result.js';

export interface ToolRegistryOptions extends ExposureSettings {
  maxOutputBytes: number;
  metrics: Metrics;
  now: () => number;
}

export interface ToolRegistry {
  /** The precomputed tools/list result of the operator's exposure. */
  readonly listResult: { tools: Tool[] };
  /** The tools of the operator's exposure. */
  readonly visible: readonly ToolDefinition[];
  /** What the operator exposes (MCP_TOOLSETS, MCP_TOOLS, MCP_EXCLUDE_TOOLS, MCP_READ_ONLY). */
  readonly exposure: Exposure;
  /** A per-request narrowing of the operator's exposure (never wider); throws UnknownToolsetError. */
  narrow(narrowing: Narrowing): Exposure;
  /** tools/list for an exposure (default: the operator's), built once per distinct exposure. */
  list(exposure?: Exposure): { tools: Tool[] };
  /** The same, serialised once. */
  listJson(exposure?: Exposure): string;
  /** Calls a tool; `rctx.exposure` (else the operator's) decides what is callable. */
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

const SAFE = Number.MAX_SAFE_INTEGER;

/** String limits the server checks itself and that do not help a model choose a value: not listed. */
const CHECKED_ONLY: ReadonlySet<string> = new Set([
  'pattern',
  'minLength',
  'maxLength',
  'maxItems',
  'format',
]);

/**
 * Drops what every assistant pays for on each tools/list and what tells a model nothing: safe-integer
 * bounds, empty `additionalProperties`, and the identifier checks (pattern, lengths) that the server
 * enforces anyway, answering a bad value with an error that names the field and shows a valid example.
 */
function lean(node: unknown, key?: string): unknown {
  if (Array.isArray(node)) return node.map((n) => lean(n));
  if (!node || typeof node !== 'object') return node;
  // Under `properties` the keys are argument names, not JSON Schema keywords.
  if (key === 'properties') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, lean(v)]));
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    // Sanity bounds (a safe integer, a million) are the server's business; real limits (100 rows) stay.
    if ((k === 'minimum' && v === -SAFE) || (k === 'maximum' && typeof v === 'number' && v >= 1_000_000))
      continue;
    if (k === 'additionalProperties' && v && typeof v === 'object' && Object.keys(v).length === 0) continue;
    if (CHECKED_ONLY.has(k)) continue;
    out[k] = lean(v, k);
  }
  return out;
}

export function toolJsonSchema(schema: z.ZodType, io: 'input' | 'output'): Tool['inputSchema'] {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return lean(json) as Tool['inputSchema'];
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
  const exposure = operatorExposure(tools, options);
  const describe = (t: ToolDefinition): Tool => ({
    name: t.name,
    title: t.title,
    description: t.description,
    inputSchema: toolJsonSchema(t.inputSchema, 'input'),
    ...(t.outputSchema ? { outputSchema: toolJsonSchema(t.outputSchema, 'output') } : {}),
    // destructiveHint and idempotentHint mean something only for tools that write (MCP spec): not listed
    // for read-only tools, whose list is most of the bytes.
    annotations: t.annotations.readOnlyHint
      ? { readOnlyHint: true, openWorldHint: t.annotations.openWorldHint }
      : { ...t.annotations },
  });
  const described = new Map(tools.map((t) => [t.name, describe(t)]));
  const paramNames = new Map(tools.map((t) => [t.name, new Set(Object.keys(t.inputSchema.shape))]));
  // At most one entry per distinct exposure: 2^toolsets x read-only, so the cache stays small.
  const lists = new Map<string, { result: { tools: Tool[] }; json: string }>();
  const listFor = (e: Exposure = exposure) => {
    let entry = lists.get(e.key);
    if (!entry) {
      const result = { tools: tools.filter((t) => e.names.has(t.name)).map((t) => described.get(t.name)!) };
      entry = { result, json: JSON.stringify(result) };
      lists.set(e.key, entry);
    }
    return entry;
  };
  const visible = tools.filter((t) => exposure.names.has(t.name));
  const listResult = listFor().result;
  const { metrics } = options;

  return {
    listResult,
    visible,
    exposure,
    narrow: (narrowing) => narrowExposure(tools, exposure, narrowing),
    list: (e) => listFor(e).result,
    listJson: (e) => listFor(e).json,
    async call(params, rctx, mcp) {
      const tool = byName.get(params.name);
      if (!tool) {
        throw new ProtocolError(
          ProtocolErrorCode.InvalidParams,
          `Unknown tool: ${JSON.stringify(String(params.name).slice(0, 100))}. Call tools/list for the available tools.`,
        );
      }
      const boundary = openBoundary({ kind: 'tool', name: tool.name }, rctx, mcp.signal, metrics);
      const finish = (outcome: string) => {
        boundary.finish(outcome);
        boundary.close();
      };
      const refusal = (rctx.exposure ?? exposure).refusal(tool);
      if (refusal) {
        finish(refusal);
        return errorResult(
          toErrorBody(
            refusal === 'read_only'
              ? new AppError('read_only', `Tool ${tool.name} changes Airflow and this server is read-only.`, {
                  hint: 'Ask the operator to unset MCP_READ_ONLY (or use an endpoint that is not read-only), or make the change in Airflow directly.',
                })
              : new AppError('not_exposed', `Tool ${tool.name} is not exposed on this endpoint.`, {
                  hint: 'Call tools/list for the tools available here; the operator or the endpoint path chooses the toolsets.',
                }),
            rctx.requestId,
          ),
        );
      }
      const args = coerceArguments(tool.inputSchema, params.arguments ?? {});
      const parsed = tool.inputSchema.safeParse(args);
      if (!parsed.success) {
        finish('invalid_argument');
        const problem = describeArgumentIssue(tool.inputSchema, parsed.error, args);
        return errorResult(
          toErrorBody(
            new AppError('invalid_argument', problem.message, { hint: problem.hint }),
            rctx.requestId,
          ),
        );
      }
      const signal = boundary.signal;
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
        sleep: (ms) => abortableSleep(ms, signal),
      };
      try {
        const value = await tool.handler(parsed.data, ctx);
        finish('ok');
        return successResult(
          value,
          options.maxOutputBytes,
          tool.outputSchema !== undefined,
          paramNames.get(tool.name),
        );
      } catch (error) {
        return errorResult(boundary.fail(error));
      } finally {
        boundary.close();
      }
    },
  };
}
