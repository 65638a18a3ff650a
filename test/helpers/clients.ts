// MCP clients for tests: the v1 SDK (2025-era, what most deployed clients use) and the v2 SDK (2026-07-28).
import {
  Client as ClientV2,
  StreamableHTTPClientTransport as TransportV2,
} from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

export type ClientKind = 'sdk-v1' | 'sdk-v2';

export interface TestClient {
  kind: ClientKind;
  listTools(): Promise<{ tools: { name: string; annotations?: Record<string, unknown> }[] }>;
  callTool(
    name: string,
    args?: Record<string, unknown>,
    options?: {
      onprogress?: (p: { progress: number; total?: number; message?: string }) => void;
      signal?: AbortSignal;
    },
  ): Promise<{
    isError?: boolean;
    content: { type: string; text?: string }[];
    structuredContent?: Record<string, unknown>;
  }>;
  close(): Promise<void>;
}

export async function connectClient(
  kind: ClientKind,
  url: string,
  authorization?: string,
): Promise<TestClient> {
  const headers: Record<string, string> = authorization ? { authorization } : {};
  if (kind === 'sdk-v1') {
    const client = new ClientV1({ name: 'test-v1', version: '1.0.0' });
    await client.connect(new TransportV1(new URL(url), { requestInit: { headers } }));
    return {
      kind,
      listTools: () => client.listTools() as never,
      callTool: (name, args = {}, o = {}) =>
        client.callTool({ name, arguments: args }, undefined, {
          ...(o.onprogress ? { onprogress: o.onprogress } : {}),
          ...(o.signal ? { signal: o.signal } : {}),
        }) as never,
      close: () => client.close(),
    };
  }
  const client = new ClientV2({ name: 'test-v2', version: '1.0.0' });
  await client.connect(new TransportV2(new URL(url), { requestInit: { headers } }));
  return {
    kind,
    listTools: () => client.listTools() as never,
    callTool: (name, args = {}, o = {}) =>
      client.callTool(
        { name, arguments: args },
        {
          ...(o.onprogress ? { onprogress: o.onprogress } : {}),
          ...(o.signal ? { signal: o.signal } : {}),
        },
      ) as never,
    close: () => client.close(),
  };
}

/** The tool result's JSON payload (structuredContent, else the text parsed). */
export function payload(result: Awaited<ReturnType<TestClient['callTool']>>): Record<string, unknown> {
  if (result.structuredContent) return result.structuredContent;
  const text = result.content.find((c) => c.type === 'text')?.text ?? 'null';
  return JSON.parse(text) as Record<string, unknown>;
}
