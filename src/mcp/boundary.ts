// The one boundary tool calls and resource reads go through: linked signals, outcome metrics and access-log
// fields, and the structured error body every AppError (or unknown error) becomes.
import { type ToolErrorBody, toErrorBody } from '../errors.js';
import { linkedAbort } from '../linked-abort.js';
import type { Metrics } from '../observability/metrics.js';
import type { RequestContext } from './request-context.js';

/** What is being handled: a tool by name, or a resource by its listed name (or 'unknown'); bounded labels. */
export type BoundaryTarget = { kind: 'tool'; name: string } | { kind: 'resource'; name: string };

export interface Boundary {
  /** The signal the handler runs under: the HTTP client's and the MCP request's, whichever aborts first. */
  readonly signal: AbortSignal;
  /** Records the outcome ('ok' or an error code) once: metric, duration and access-log field. */
  finish(outcome: string): void;
  /** Turns an error into the structured body (logging unknown ones) and records its code as the outcome. */
  fail(error: unknown): ToolErrorBody;
  /** Releases the linked signal; call when the handler is over. */
  close(): void;
}

export function openBoundary(
  target: BoundaryTarget,
  rctx: RequestContext,
  mcpSignal: AbortSignal,
  metrics: Metrics,
): Boundary {
  if (target.kind === 'tool') rctx.observed.tool = target.name;
  else rctx.observed.resource = target.name;
  const stop =
    target.kind === 'tool'
      ? metrics.toolDuration.startTimer({ tool: target.name })
      : metrics.resourceReadDuration.startTimer({ resource: target.name });
  // One signal when the HTTP layer and the MCP layer share it (direct dispatch); else both, released after.
  const linked = mcpSignal === rctx.signal ? undefined : linkedAbort([rctx.signal, mcpSignal]);
  let finished = false;
  const finish = (outcome: string) => {
    if (finished) return;
    finished = true;
    rctx.observed.outcome = outcome;
    if (target.kind === 'tool') metrics.toolCalls.inc({ tool: target.name, outcome });
    else metrics.resourceReads.inc({ resource: target.name, outcome });
    stop();
  };
  return {
    signal: linked?.signal ?? rctx.signal,
    finish,
    fail(error) {
      const body = toErrorBody(error, rctx.requestId);
      if (body.code === 'internal') {
        rctx.logger.error({ err: error, [target.kind]: target.name }, `${target.kind} failed`);
      }
      finish(body.code);
      return body;
    },
    close: () => linked?.dispose(),
  };
}
