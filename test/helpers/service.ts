// Starts the real service in-process on an ephemeral port with captured logs, for tests over real HTTP.
import { Writable } from 'node:stream';
import { loadSettings } from '../../src/config/load-settings.js';
import { createLogger } from '../../src/observability/logger.js';
import { type RunningService, startService } from '../../src/service.js';

/** Every log line any test service wrote, so a test can search them all for credentials. */
export const ALL_LOG_LINES: string[] = [];

export interface TestService extends RunningService {
  logs: string[];
  metrics(): Promise<string>;
  close(): Promise<void>;
}

export async function startTestService(options: {
  airflowUrl: string;
  env?: Record<string, string>;
  replica?: string;
  /** false sends every MCP message through the SDK (the direct-dispatch comparison test). */
  directDispatch?: boolean;
  /** The service's clock (e.g. to expire sign-in codes and tokens). */
  now?: () => number;
}): Promise<TestService> {
  const settings = loadSettings(
    [],
    {
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'debug',
      SHUTDOWN_DELAY_MS: '0',
      SHUTDOWN_GRACE_MS: '2000',
      AIRFLOW_TIMEOUT_MS: '5000',
      ...options.env,
    },
    'test',
  );
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      const line = chunk.toString();
      logs.push(line);
      ALL_LOG_LINES.push(line);
      done();
    },
  });
  const replica = options.replica ?? 'test-replica';
  const logger = createLogger({ level: settings.logLevel, replica }, sink);
  const service = await startService({
    settings,
    airflow: { url: options.airflowUrl, source: 'AIRFLOW_API_URL' },
    logger,
    replica,
    ...(options.directDispatch === false ? { directDispatch: false } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  return {
    ...service,
    logs,
    metrics: () => service.registry.metrics(),
    close: async () => {
      await service.stop({ delayMs: 0, graceMs: 2000 });
    },
  };
}

/** Runs `fn` against a fresh test service and always closes it afterwards. */
export async function withTestService(
  options: Parameters<typeof startTestService>[0],
  fn: (s: TestService) => Promise<void>,
): Promise<void> {
  const s = await startTestService(options);
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

/** Reads one counter value from Prometheus text, matching all given labels. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}
