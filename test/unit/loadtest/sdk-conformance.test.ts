// Proves the load-test flows speak both eras exactly as SDK v2's createMcpHandler expects (in process, no sockets).
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { Exchange } from '../../../loadtest/lib/classify.js';
import type { Era, FlowOptions, StepRequest } from '../../../loadtest/lib/scenarios.js';
import { flowFor, runFlowAsync } from '../../../loadtest/lib/scenarios.js';
import { basicCredential } from '../../../loadtest/lib/tokens.js';

/** A fixture server with the two tools the flows call; whoami answers with the Basic user. */
function fixture(options: { swapUser?: string; keepAliveMs?: number; progress?: boolean } = {}) {
  return createMcpHandler(
    ({ requestInfo }) => {
      const server = new McpServer({ name: 'fixture', version: '1.0.0' });
      const auth = requestInfo?.headers.get('authorization') ?? '';
      const decoded = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString('utf8') : '';
      const user = options.swapUser ?? decoded.split(':')[0] ?? '';
      server.registerTool(
        'get_variable',
        { description: 'Read a variable', inputSchema: z.object({ key: z.string() }) },
        async ({ key }, ctx) => {
          if (options.progress === true) {
            const token = ctx.mcpReq._meta?.progressToken;
            if (token !== undefined)
              await ctx.mcpReq.notify({
                method: 'notifications/progress',
                params: { progressToken: token, progress: 1 },
              });
          }
          const body = { key, value: user };
          return { content: [{ type: 'text', text: JSON.stringify(body) }], structuredContent: body };
        },
      );
      server.registerTool('list_dags', { description: 'List DAGs', inputSchema: z.object({}) }, async () => ({
        content: [{ type: 'text', text: '{"dags":[]}' }],
      }));
      return server;
    },
    { legacy: 'stateless', ...(options.keepAliveMs !== undefined && { keepAliveMs: options.keepAliveMs }) },
  );
}

function sender(handler: ReturnType<typeof fixture>, seen: StepRequest[]) {
  return async (request: StepRequest): Promise<Exchange> => {
    seen.push(request);
    const response = await handler.fetch(
      new Request('http://localhost/mcp', { method: 'POST', headers: request.headers, body: request.body }),
    );
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      headers[key] = value;
    });
    return { status: response.status, headers, body: await response.text() };
  };
}

async function run(era: Era, options: FlowOptions, fixtureOptions = {}) {
  const handler = fixture(fixtureOptions);
  const seen: StepRequest[] = [];
  try {
    const result = await runFlowAsync(flowFor(era, options), sender(handler, seen));
    return { result, seen };
  } finally {
    await handler.close();
  }
}

const alice = basicCredential('alice', 'pw');

describe.each(['legacy', 'modern'] as const)('%s flow against SDK v2 createMcpHandler', (era) => {
  it('completes every step with no failure of any kind', async () => {
    const { result } = await run(era, { authorization: alice.authorization, user: 'alice' });
    const failures = result.steps
      .filter((s) => !s.classification.ok)
      .map((s) => `${s.step}: ${s.classification.reason}`);
    expect(failures).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.abortedAt).toBeUndefined();
    expect(result.sessionIdIssued).toBe(false);
    const expected =
      era === 'legacy'
        ? ['initialize', 'initialized', 'tools/list', 'whoami', 'list_dags']
        : ['discover', 'tools/list', 'whoami', 'list_dags'];
    expect(result.steps.map((s) => s.step)).toEqual(expected);
    expect(result.steps.find((s) => s.step === 'whoami')?.classification.identity).toBe('alice');
  });

  it('detects a server that answers with another caller identity', async () => {
    const { result } = await run(
      era,
      { authorization: alice.authorization, user: 'alice' },
      { swapUser: 'bob' },
    );
    const whoami = result.steps.find((s) => s.step === 'whoami');
    expect(whoami?.classification).toMatchObject({ ok: false, tokenMismatch: true, identity: 'bob' });
    expect(result.abortedAt).toBe('whoami');
  });

  it.each(['2025-03-26', '2025-06-18', '2025-11-25'] as const)(
    'negotiates %s (legacy) or ignores it (modern)',
    async (v) => {
      const { result, seen } = await run(era, {
        user: 'alice',
        authorization: alice.authorization,
        protocolVersion: v,
      });
      expect(result.ok).toBe(true);
      if (era === 'legacy') {
        expect(result.steps[0]?.classification.result?.protocolVersion).toBe(v);
        expect(seen[0]?.headers['MCP-Protocol-Version']).toBeUndefined();
        expect(seen.slice(1).every((r) => r.headers['MCP-Protocol-Version'] === v)).toBe(true);
      }
    },
  );
});

describe('modern wire details the server enforces', () => {
  it('rejects a tools/call whose Mcp-Name header disagrees with the body, as a session-class 400', async () => {
    const handler = fixture();
    const seen: StepRequest[] = [];
    const send = sender(handler, seen);
    const tamper = async (request: StepRequest): Promise<Exchange> =>
      send(
        request.step === 'whoami'
          ? { ...request, headers: { ...request.headers, 'Mcp-Name': 'other' } }
          : request,
      );
    const result = await runFlowAsync(
      flowFor('modern', { user: 'alice', authorization: alice.authorization }),
      tamper,
    );
    await handler.close();
    const whoami = result.steps.find((s) => s.step === 'whoami');
    expect(whoami?.status).toBe(400);
    expect(whoami?.classification.sessionError).toBe(true);
  });

  it('ignores a stale Mcp-Session-Id on legacy requests (stateless serving)', async () => {
    const { result, seen } = await run('legacy', {
      user: 'alice',
      authorization: alice.authorization,
      staleSessionId: 'stale-session-from-another-replica',
    });
    expect(seen.every((r) => r.headers['Mcp-Session-Id'] === 'stale-session-from-another-replica')).toBe(
      true,
    );
    expect(result.ok).toBe(true);
  });
});
