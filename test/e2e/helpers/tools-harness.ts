// Shared by the tools e2e files: a service in forward mode in front of the real Airflow, an MCP client with a
// real admin token, a record of every tool called and every result text (to search for secrets), and setup
// straight against Airflow's REST API (runs, a connection with a password).
import { appendFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { request } from 'undici';
import { startTestService, type TestService } from '../../helpers/service.js';
import { login, type RealAirflow, realAirflow } from './airflow.js';

/** The password of the connection created in setup: no tool result may ever contain it. */
export const CONN_ID = 'e2e_secret_conn';
export const CONN_PASSWORD = 'E2E-CONN-PASSWORD-s3cr3t-9f2c';

const TERMINAL = new Set(['success', 'failed']);

export type ToolResult = {
  isError?: boolean;
  content: { type: string; text?: string }[];
  structuredContent?: Record<string, unknown>;
};

export interface Harness {
  airflow: RealAirflow;
  admin: string;
  service: TestService;
  client: Client;
  /** Tools called through the service (whatever the outcome). */
  called: Set<string>;
  /** Every result text the service returned (tools, resources, prompts). */
  texts: string[];
  /** Calls a tool and returns its JSON payload; fails the test on an error result unless allowed. */
  call(
    name: string,
    args?: Record<string, unknown>,
    opts?: { allowError?: boolean; onprogress?: (p: { progress: number; total?: number }) => void },
  ): Promise<Record<string, unknown>>;
  /** Straight to Airflow's REST API as admin (setup and cross-checks, not the system under test). */
  api(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

export function payloadOf(result: ToolResult): Record<string, unknown> {
  if (result.structuredContent) return result.structuredContent;
  const text = result.content.find((c) => c.type === 'text')?.text ?? 'null';
  return JSON.parse(text) as Record<string, unknown>;
}

export async function startHarness(): Promise<Harness> {
  const airflow = realAirflow();
  const admin = await login(airflow, 'admin');
  // Generous upstream deadline: Airflow's single API worker on SQLite can be slow on a loaded 2-core machine.
  const service = await startTestService({
    airflowUrl: airflow.url,
    env: { AIRFLOW_TIMEOUT_MS: '60000', LOG_LEVEL: 'warn' },
  });
  const client = new Client({ name: 'e2e-tools', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(service.url), {
      requestInit: { headers: { authorization: `Bearer ${admin}` } },
    }),
  );
  const called = new Set<string>();
  const texts: string[] = [];

  const api: Harness['api'] = async (method, path, body) => {
    const res = await request(`${airflow.url}/api/v2${path}`, {
      method: method as 'GET',
      headers: {
        authorization: `Bearer ${admin}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      headersTimeout: 120_000,
      bodyTimeout: 120_000,
    });
    const text = await res.body.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      parsed = { text };
    }
    return { status: res.statusCode, body: parsed };
  };

  return {
    airflow,
    admin,
    service,
    client,
    called,
    texts,
    api,
    async call(name, args = {}, opts = {}) {
      called.add(name);
      const result = (await client.callTool({ name, arguments: args }, undefined, {
        timeout: 600_000,
        ...(opts.onprogress ? { onprogress: opts.onprogress, resetTimeoutOnProgress: true } : {}),
      })) as ToolResult;
      for (const c of result.content) if (c.text) texts.push(c.text);
      if (result.structuredContent) texts.push(JSON.stringify(result.structuredContent));
      const body = payloadOf(result);
      // E2E_TOOLS_DUMP=file appends every call and its answer, to review what real Airflow gave back.
      if (process.env.E2E_TOOLS_DUMP) {
        appendFileSync(
          process.env.E2E_TOOLS_DUMP,
          `${name} ${JSON.stringify(args)}\n→ ${JSON.stringify(body)}\n\n`,
        );
      }
      if (result.isError && !opts.allowError) {
        throw new Error(`${name}(${JSON.stringify(args)}) failed: ${JSON.stringify(body)}`);
      }
      return body;
    },
    async close() {
      await client.close().catch(() => undefined);
      await service.close();
    },
  };
}

/** Triggers a run straight through Airflow's API (setup), returning its run id. */
export async function triggerRun(h: Harness, dagId: string, conf?: Record<string, unknown>): Promise<string> {
  const res = await h.api('POST', `/dags/${dagId}/dagRuns`, {
    logical_date: null,
    ...(conf ? { conf } : {}),
  });
  if (res.status !== 200) throw new Error(`trigger ${dagId}: ${res.status} ${JSON.stringify(res.body)}`);
  return String(res.body.dag_run_id);
}

/** Polls a run through Airflow's API until it ends; generous and bounded (slow 2-core machine, SQLite). */
export async function waitForRunEnd(h: Harness, dagId: string, runId: string, ms = 240_000): Promise<string> {
  const deadline = Date.now() + ms;
  let state = 'unknown';
  while (Date.now() < deadline) {
    const res = await h.api('GET', `/dags/${dagId}/dagRuns/${encodeURIComponent(runId)}`);
    state = String(res.body.state);
    if (TERMINAL.has(state)) return state;
    await new Promise((r) => setTimeout(r, 2000));
  }
  throw new Error(`run ${dagId}/${runId} still ${state} after ${ms / 1000} s`);
}

/** The newest run of a DAG in one of the given states, if any. */
export async function latestRun(h: Harness, dagId: string, state: string): Promise<string | undefined> {
  const res = await h.api('GET', `/dags/${dagId}/dagRuns?state=${state}&order_by=-run_after&limit=1`);
  const runs = (res.body.dag_runs as { dag_run_id: string }[] | undefined) ?? [];
  return runs[0]?.dag_run_id;
}

/** A connection with a password (created through Airflow's API, never through the service). */
export async function ensureSecretConnection(h: Harness): Promise<void> {
  const conn = {
    connection_id: CONN_ID,
    conn_type: 'postgres',
    host: 'db.e2e.invalid',
    port: 5432,
    login: 'e2e_user',
    schema: 'analytics',
    password: CONN_PASSWORD,
    extra: JSON.stringify({ sslmode: 'require', api_token: `${CONN_PASSWORD}-extra` }),
  };
  const created = await h.api('POST', '/connections', conn);
  if (created.status === 409) {
    const patched = await h.api('PATCH', `/connections/${CONN_ID}`, conn);
    if (patched.status !== 200) throw new Error(`PATCH connection: ${patched.status}`);
  } else if (created.status !== 201 && created.status !== 200) {
    throw new Error(`POST connection: ${created.status} ${JSON.stringify(created.body)}`);
  }
}

/** No result the service returned holds the connection's password (nor its secret extra). */
export function expectNoPassword(h: Harness): void {
  const leaked = h.texts.filter((t) => t.includes(CONN_PASSWORD));
  if (leaked.length) throw new Error(`the connection password leaked in ${leaked.length} result(s)`);
}
