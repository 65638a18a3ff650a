// The typed shape of a tool: a value with name, schema, required annotations and a handler.
import type { z } from 'zod';
import type { AirflowAdapter } from '../airflow/adapter.js';
import type { Logger } from '../observability/logger.js';
import type { Toolset } from './toolsets.js';

/** All four MCP hints are required, so no tool ships with a guess left out. */
export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

/** What a handler gets for one call. Built per request; never shared between callers. */
export interface ToolContext {
  readonly requestId: string;
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** The Airflow adapter bound to this caller's credentials and the detected API version. */
  airflow(): Promise<AirflowAdapter>;
  /** Sends an MCP progress notification when the client asked for progress; otherwise does nothing. */
  progress(progress: number, total?: number, message?: string): Promise<void>;
  readonly maxOutputBytes: number;
  readonly now: () => number;
  /** Waits, resolving early (without throwing) when the request is cancelled. */
  sleep(ms: number): Promise<void>;
}

export type ToolInputSchema = z.ZodObject<z.ZodRawShape>;

export interface ToolDefinition<S extends ToolInputSchema = ToolInputSchema> {
  name: string;
  /** The one toolset an operator (MCP_TOOLSETS) or a client's path can expose it by. */
  toolset: Toolset;
  title: string;
  /** Starts with what the tool is for; the first sentence is what a model reads first. */
  description: string;
  inputSchema: S;
  /** JSON Schema of structuredContent when the result has a stable shape. */
  outputSchema?: z.ZodType;
  annotations: ToolAnnotations;
  /** Returns a JSON-serialisable value; throws AppError for failures. */
  handler: (args: z.output<S>, ctx: ToolContext) => Promise<unknown>;
}

export function defineTool<S extends ToolInputSchema>(tool: ToolDefinition<S>): ToolDefinition {
  return tool as unknown as ToolDefinition;
}

/** True for tools that change Airflow; read-only mode removes these. */
export function isWriteTool(tool: Pick<ToolDefinition, 'annotations'>): boolean {
  return !tool.annotations.readOnlyHint;
}
