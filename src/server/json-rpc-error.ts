// Writes a JSON-RPC error body with an HTTP status, for answers given before the MCP layer runs.
import type { Response } from 'express';

export function jsonRpcError(
  res: Response,
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
  id: string | number | null = null,
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.status(status).set(headers).json({ jsonrpc: '2.0', error: { code, message }, id });
}
