// A simulator, the service and an MCP client per describe block, for the tool integration tests.
import { afterAll, beforeAll } from 'vitest';
import { type Simulator, type SimulatorOptions, startSimulator } from '../../../sim/index.js';
import { type ClientKind, connectClient, payload, type TestClient } from '../../helpers/clients.js';
import { startTestService, type TestService } from '../../helpers/service.js';

export const APIS = ['v2', 'v1'] as const;
export type Api = (typeof APIS)[number];

export interface Stack {
  readonly sim: Simulator;
  readonly service: TestService;
  readonly client: TestClient;
  /** Calls a tool and returns its JSON payload, failing the test on an isError result. */
  ok(name: string, args?: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Calls a tool expecting an isError result and returns the error body. */
  fails(name: string, args?: Record<string, unknown>): Promise<Record<string, unknown>>;
}

export function useStack(
  api: Api,
  options: { env?: Record<string, string>; sim?: SimulatorOptions; client?: ClientKind } = {},
): Stack {
  let sim: Simulator;
  let service: TestService;
  let client: TestClient;
  beforeAll(async () => {
    sim = await startSimulator({ auth: 'none', runDurationMs: 250, ...options.sim });
    service = await startTestService({
      airflowUrl: sim.url,
      env: { AIRFLOW_AUTH_MODE: 'none', AIRFLOW_API_VERSION: api, ...options.env },
    });
    client = await connectClient(options.client ?? 'sdk-v2', service.url);
  });
  afterAll(async () => {
    await client?.close();
    await service?.close();
    await sim?.close();
  });
  return {
    get sim() {
      return sim;
    },
    get service() {
      return service;
    },
    get client() {
      return client;
    },
    async ok(name, args = {}) {
      const r = await client.callTool(name, args);
      if (r.isError) throw new Error(`${name} failed: ${r.content[0]?.text}`);
      return payload(r);
    },
    async fails(name, args = {}) {
      const r = await client.callTool(name, args);
      if (!r.isError) throw new Error(`${name} unexpectedly succeeded: ${r.content[0]?.text?.slice(0, 300)}`);
      return payload(r);
    },
  };
}

/** Polls get_dag_run until the run reaches one of `states`. */
export async function waitForRun(s: Stack, dagId: string, runId: string, states: string[]) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const run = await s.ok('get_dag_run', { dag_id: dagId, run_id: runId });
    if (states.includes(String(run.state))) return run;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`run ${runId} did not reach ${states.join('/')}`);
}

export type Page = { items: Record<string, unknown>[]; total_entries: number; next_offset: number | null };
