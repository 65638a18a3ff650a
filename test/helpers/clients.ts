// MCP clients for tests — v1 SDK (2025-era), v2 SDK on 2025-era defaults, v2 SDK pinned to 2026-07-28 — and the era each served.
import {
  Client as ClientV2,
  StreamableHTTPClientTransport as TransportV2,
} from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

/**
 * `sdk-v2` is the v2 SDK as most hosts construct it: its default negotiation is 'legacy', so it speaks
 * 2025-11-25 (initialize, SSE answers) exactly like v1. `sdk-v2-2026` pins 2026-07-28 (server/discover,
 * per-request envelope) and fails to connect rather than fall back.
 */
export type ClientKind = 'sdk-v1' | 'sdk-v2' | 'sdk-v2-2026';

export type Era = '2025' | '2026-07-28';

/** The era each kind must be served in: what the tests assert from the server's answers. */
export const ERA_OF: Record<ClientKind, Era> = {
  'sdk-v1': '2025',
  'sdk-v2': '2025',
  'sdk-v2-2026': '2026-07-28',
};

/** One POST the client sent and what the server answered, as seen on the wire. */
export interface Served {
  method: string | undefined;
  protocolVersion: string | null;
  status: number;
  contentType: string;
  /** Set on the direct path's answers (one buffer); the SDK streams its answers without one. */
  contentLength: string | null;
  text: string;
}

export interface TestClient {
  kind: ClientKind;
  /** Every POST exchange so far, in order. */
  served: Served[];
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

/** A fetch that records each POST and its answer (read from a clone, so the client still streams its own). */
export function recordingFetch(served: Served[]): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const response = await fetch(request.clone());
    if (request.method === 'POST') {
      const sent = JSON.parse(await request.text()) as { method?: string } | unknown[];
      const entry: Served = {
        method: Array.isArray(sent) ? 'batch' : sent.method,
        protocolVersion: request.headers.get('mcp-protocol-version'),
        status: response.status,
        contentType: response.headers.get('content-type') ?? '',
        contentLength: response.headers.get('content-length'),
        text: '',
      };
      served.push(entry);
      // Read from a copy beside the client's own; servedEra awaits it. A stream the client aborts (on close
      // or cancel) has no complete text: it records none.
      pending.set(
        entry,
        response
          .clone()
          .text()
          .then(
            (t) => (entry.text = t),
            () => '',
          ),
      );
    }
    return response;
  };
}

const pending = new WeakMap<Served, Promise<string>>();

function v2Options(kind: ClientKind) {
  return kind === 'sdk-v2-2026' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {};
}

export async function connectClient(
  kind: ClientKind,
  url: string,
  authorization?: string,
): Promise<TestClient> {
  const headers: Record<string, string> = authorization ? { authorization } : {};
  const served: Served[] = [];
  const fetchFn = recordingFetch(served);
  if (kind === 'sdk-v1') {
    const client = new ClientV1({ name: 'test-v1', version: '1.0.0' });
    await client.connect(new TransportV1(new URL(url), { requestInit: { headers }, fetch: fetchFn }));
    return {
      kind,
      served,
      listTools: () => client.listTools() as never,
      callTool: (name, args = {}, o = {}) =>
        client.callTool({ name, arguments: args }, undefined, {
          ...(o.onprogress ? { onprogress: o.onprogress } : {}),
          ...(o.signal ? { signal: o.signal } : {}),
        }) as never,
      close: () => client.close(),
    };
  }
  const client = new ClientV2({ name: 'test-v2', version: '1.0.0' }, v2Options(kind));
  await client.connect(new TransportV2(new URL(url), { requestInit: { headers }, fetch: fetchFn }));
  return {
    kind,
    served,
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

/** A v2 SDK client of the given kind (for resources, prompts, completions), recording what it was served. */
export async function connectV2(
  kind: 'sdk-v2' | 'sdk-v2-2026',
  url: string,
  served: Served[],
  name = 'test-v2',
): Promise<ClientV2> {
  const client = new ClientV2({ name, version: '1.0.0' }, v2Options(kind));
  await client.connect(new TransportV2(new URL(url), { fetch: recordingFetch(served) }));
  return client;
}

/**
 * The era the server answered the last `method` request in, judged from the answer alone: a 2026-07-28
 * result is a JSON body whose result says `resultType: "complete"` and carries the server's identity in
 * `_meta`; a 2025-era answer is one SSE `message` event whose result has neither.
 */
export async function servedEra(served: Served[], method: string): Promise<Era | 'unrecognised'> {
  const last = served.filter((s) => s.method === method).at(-1);
  if (!last) throw new Error(`no ${method} request was sent (saw ${served.map((s) => s.method).join(', ')})`);
  const text = await pending.get(last)!;
  if (last.status !== 200) return 'unrecognised';
  if (last.contentType.startsWith('application/json')) {
    const result = (JSON.parse(text) as { result?: Record<string, unknown> }).result;
    const meta = result?._meta as Record<string, unknown> | undefined;
    const modern =
      last.protocolVersion === '2026-07-28' &&
      result?.resultType === 'complete' &&
      typeof meta?.['io.modelcontextprotocol/serverInfo'] === 'object';
    return modern ? '2026-07-28' : 'unrecognised';
  }
  if (last.contentType.startsWith('text/event-stream')) {
    const events = text.split('\n\n').filter((e) => e.trim() !== '');
    if (events.length !== 1 || !events[0]!.startsWith('event: message\ndata: ')) return 'unrecognised';
    const result = (JSON.parse(events[0]!.slice('event: message\ndata: '.length)) as { result?: object })
      .result;
    const legacy = result !== undefined && !('resultType' in result) && !('_meta' in result);
    return legacy && last.protocolVersion?.startsWith('2025-') ? '2025' : 'unrecognised';
  }
  return 'unrecognised';
}

/** The tool result's JSON payload (structuredContent, else the text parsed). */
export function payload(result: Awaited<ReturnType<TestClient['callTool']>>): Record<string, unknown> {
  if (result.structuredContent) return result.structuredContent;
  const text = result.content.find((c) => c.type === 'text')?.text ?? 'null';
  return JSON.parse(text) as Record<string, unknown>;
}
