// Calls tools in-process against the simulator on a deterministic virtual clock (docs generator, size report).

import { Registry } from 'prom-client';
import { createAirflowClient } from '../src/airflow/airflow-client.js';
import { airflowOptions } from '../src/config/airflow-options.js';
import { loadSettings } from '../src/config/load-settings.js';
import { createToolRegistry } from '../src/mcp/tool-registry.js';
import { createLogger } from '../src/observability/logger.js';
import { createMetrics } from '../src/observability/metrics.js';
import { startSimulator } from '../src/sim/index.js';
import { allTools } from '../src/tools/index.js';
import { BUILD } from '../src/version.js';

/** Simulated "now" for examples: fixed, so generated output is identical on every run. */
export const EXAMPLE_EPOCH = Date.parse('2026-03-02T09:30:00Z');

/** How a harness call looks to the tool: its abort signal and progress token, and where notifications go. */
export interface HarnessCallOptions {
  signal?: AbortSignal;
  progressToken?: string;
  notify?: (n: unknown) => void;
}

export interface ToolHarness {
  simUrl: string;
  registry: ReturnType<typeof createToolRegistry>;
  /** Calls a tool; returns the result text and parsed payload. */
  call(
    name: string,
    args?: Record<string, unknown>,
    mcp?: HarnessCallOptions,
  ): Promise<{ text: string; isError: boolean; value: unknown }>;
  close(): Promise<void>;
}

export async function startToolHarness(options: { api: 'v1' | 'v2' }): Promise<ToolHarness> {
  // The simulator reads the clock; each clock read by a tool advances it one second, so waiting tools make
  // progress in simulated time while staying deterministic.
  let virtual = EXAMPLE_EPOCH;
  const sim = await startSimulator({ auth: 'none', now: () => virtual, runDurationMs: 2000 });
  const tick = () => {
    virtual += 1000;
    return virtual;
  };
  const settings = loadSettings(
    [],
    { AIRFLOW_AUTH_MODE: 'none', AIRFLOW_API_VERSION: options.api, LOG_LEVEL: 'silent' },
    BUILD.version,
  );
  const logger = createLogger({ level: 'silent', replica: 'docs' });
  const metrics = createMetrics(new Registry(), BUILD);
  const airflow = createAirflowClient({
    options: airflowOptions(settings, sim.url),
    metrics,
    logger,
    now: () => virtual,
  });
  const registry = createToolRegistry(allTools, {
    readOnly: false,
    maxOutputBytes: settings.maxOutputBytes,
    metrics,
    now: tick,
  });
  const signal = new AbortController().signal;
  return {
    simUrl: sim.url,
    registry,
    async call(name, args = {}, mcp: HarnessCallOptions = {}) {
      const callSignal = mcp.signal ?? signal;
      const rctx = {
        requestId: 'example',
        credentials: undefined,
        signal: callSignal,
        logger,
        observed: {},
        airflowFor: (call: Parameters<typeof airflow.adapterFor>[0]) => airflow.adapterFor(call),
      };
      const result = await registry.call(
        {
          name,
          arguments: args,
          ...(mcp.progressToken ? { _meta: { progressToken: mcp.progressToken } } : {}),
        },
        rctx,
        { signal: callSignal, notify: async (n) => mcp.notify?.(n) },
      );
      const text = (result.content[0] as { text: string }).text;
      return { text, isError: result.isError === true, value: JSON.parse(text) as unknown };
    },
    async close() {
      await airflow.close();
      await sim.close();
    },
  };
}
