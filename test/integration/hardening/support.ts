// Shared by the hardening tests: raw tool calls with timing, and rows for docs/reliability.md.
import { appendFileSync } from 'node:fs';
import { legacyHeaders, type RawExchange, rawPost, toolsCall } from '../../helpers/raw-mcp.js';

export interface TimedCall {
  ex: RawExchange;
  ms: number;
  /** The structured tool error or result, when the exchange carried one. */
  body: Record<string, unknown> | undefined;
  /** Sent as x-request-id; the service passes it on to Airflow, so simulator calls can be matched to it. */
  requestId: string;
}

let nextId = 1;

export async function callTool(
  url: string,
  name: string,
  args: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<TimedCall> {
  const id = nextId++;
  const requestId = `hardening-${process.pid}-${id}`;
  const t0 = performance.now();
  const ex = await rawPost(
    url,
    toolsCall(id, name, args),
    legacyHeaders({ 'x-request-id': requestId, ...headers }),
  );
  const ms = Math.round(performance.now() - t0);
  const result = ex.rpc?.result as
    | { structuredContent?: Record<string, unknown>; content?: { text?: string }[] }
    | undefined;
  let body = result?.structuredContent;
  if (!body && result?.content?.[0]?.text) {
    try {
      body = JSON.parse(result.content[0].text) as Record<string, unknown>;
    } catch {
      body = undefined;
    }
  }
  return { ex, ms, body, requestId };
}

/** What the client saw, in one line: HTTP status, JSON-RPC error or tool error code and message. */
export function sawOf(call: Pick<TimedCall, 'ex' | 'body'>): string {
  const { ex, body } = call;
  if (ex.rpc?.error) return `HTTP ${ex.status}, JSON-RPC ${ex.rpc.error.code} "${ex.rpc.error.message}"`;
  const result = ex.rpc?.result as { isError?: boolean } | undefined;
  if (result?.isError && body) return `HTTP ${ex.status}, tool error \`${body.code}\`: "${body.message}"`;
  if (result) return `HTTP ${ex.status}, tool result`;
  try {
    // Answers given before the MCP layer carry id null, so the id-matching parser skips them.
    const error = (JSON.parse(ex.text) as { error?: { code: number; message: string } }).error;
    if (error) return `HTTP ${ex.status}, JSON-RPC ${error.code} "${error.message}"`;
  } catch {
    // not JSON: show the start of it
  }
  return `HTTP ${ex.status}, ${ex.text.slice(0, 120)}`;
}

/** Appends one table row when RELIABILITY_ROWS names a file (scripts print docs/reliability.md from it). */
export function recordRow(kind: string, trial: string, saw: string, ms: number, lost = 'nothing'): void {
  const file = process.env.RELIABILITY_ROWS;
  if (!file) return;
  appendFileSync(file, `${JSON.stringify({ kind, trial, saw, ms, lost })}\n`);
}
