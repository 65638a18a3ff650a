// The modern flow's bodies and Mcp-* headers match what the SDK v2 client itself sends for the same calls.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { JsonRpcRequest } from '../../../loadtest/lib/protocol.js';
import {
  discoverRequest,
  modernHeaders,
  modernToolsCallRequest,
  modernToolsListRequest,
} from '../../../loadtest/lib/protocol.js';

interface Captured {
  body: JsonRpcRequest;
  headers: Record<string, string>;
}

const WIRE_HEADERS = ['content-type', 'mcp-protocol-version', 'mcp-method', 'mcp-name'];

function pick(headers: Headers | Record<string, string>): Record<string, string> {
  const entries = headers instanceof Headers ? [...headers.entries()] : Object.entries(headers);
  const out: Record<string, string> = {};
  for (const [key, value] of entries)
    if (WIRE_HEADERS.includes(key.toLowerCase())) out[key.toLowerCase()] = value;
  return out;
}

describe('parity with the SDK v2 client at 2026-07-28', () => {
  it('sends the same server/discover, tools/list and tools/call', async () => {
    const handler = createMcpHandler(
      () => {
        const server = new McpServer({ name: 'fixture', version: '1.0.0' });
        server.registerTool(
          'get_variable',
          { inputSchema: z.object({ key: z.string() }) },
          async ({ key }) => ({
            content: [{ type: 'text', text: key }],
          }),
        );
        return server;
      },
      { legacy: 'stateless' },
    );
    const captured: Captured[] = [];
    const fetchFn = async (url: string | URL, init?: RequestInit): Promise<Response> => {
      const request = new Request(url, init);
      if (request.method === 'POST') {
        const body = JSON.parse(await request.clone().text()) as JsonRpcRequest;
        captured.push({ body, headers: pick(request.headers) });
      }
      return handler.fetch(request);
    };
    const clientInfo = { name: 'parity-client', version: '9.9.9' };
    const client = new Client(clientInfo, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await client.connect(
      new StreamableHTTPClientTransport(new URL('http://localhost/mcp'), { fetch: fetchFn }),
    );
    await client.listTools();
    await client.callTool({ name: 'get_variable', arguments: { key: 'sim_whoami' } });
    await client.close();
    await handler.close();

    const byMethod = (method: string) => captured.find((c) => c.body.method === method);
    const sdkDiscover = byMethod('server/discover');
    const sdkList = byMethod('tools/list');
    const sdkCall = byMethod('tools/call');
    expect(sdkDiscover && sdkList && sdkCall).toBeTruthy();
    const sdkMeta = (sdkDiscover!.body.params?._meta ?? {}) as Record<string, unknown>;
    const capabilities = sdkMeta['io.modelcontextprotocol/clientCapabilities'] as Record<string, unknown>;
    const envelope = { clientInfo, capabilities };

    const ours: Array<[Captured, JsonRpcRequest]> = [
      [sdkDiscover!, discoverRequest(sdkDiscover!.body.id, envelope)],
      [sdkList!, modernToolsListRequest(sdkList!.body.id, envelope)],
      [sdkCall!, modernToolsCallRequest(sdkCall!.body.id, 'get_variable', { key: 'sim_whoami' }, envelope)],
    ];
    for (const [sdk, mine] of ours) {
      expect(mine).toStrictEqual(sdk.body);
      expect(pick(modernHeaders(mine))).toStrictEqual(sdk.headers);
    }
  });
});
