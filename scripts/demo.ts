// `npm run demo`: the Airflow simulator (no auth) plus the service, with a client configuration to paste.
import { hostname } from 'node:os';
import { loadSettings } from '../src/config/load-settings.js';
import { createLogger } from '../src/observability/logger.js';
import { startService } from '../src/service.js';
import { startSimulator } from '../src/sim/index.js';
import { BUILD } from '../src/version.js';

const sim = await startSimulator({ auth: 'none', runDurationMs: 5000 });
const settings = loadSettings(
  process.argv.slice(2),
  { HOST: '127.0.0.1', LOG_LEVEL: 'warn', SHUTDOWN_DELAY_MS: '0', ...process.env },
  BUILD.version,
);
const logger = createLogger({ level: settings.logLevel, replica: settings.replicaName ?? hostname() });
const service = await startService({
  settings,
  airflow: { url: sim.url, source: 'AIRFLOW_API_URL' },
  logger,
  replica: 'demo',
});

const demoConfig = { mcpServers: { airflow: { url: service.url } } };
const realConfig = {
  mcpServers: {
    airflow: {
      url: 'https://airflow-mcp.example.com/mcp',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the client expands this placeholder itself
      headers: { Authorization: 'Bearer ${env:AIRFLOW_TOKEN}' },
    },
  },
};
process.stdout.write(`
airflow-mcp ${BUILD.version} demo
  Simulated Airflow (no auth): ${sim.url}
  MCP endpoint:                ${service.url}

Client configuration for this demo (Cursor, VS Code, Claude Code):
${JSON.stringify(demoConfig, null, 2)}

Against a real Airflow, add your own Airflow token (forwarded to Airflow, never stored):
${JSON.stringify(realConfig, null, 2)}

Claude Code:  claude mcp add --transport http airflow ${service.url}
Press Ctrl-C to stop.
`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) process.exit(1);
  stopping = true;
  await service.stop({ delayMs: 0, graceMs: 2000 });
  await sim.close();
  process.exit(0);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, stop);

// `npm run demo` runs this under `sh -c`; SIGTERM to npm ends npm and that shell but never reaches this
// process. Its parent going away (this process re-parented) is the sign to stop too.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void stop();
}, 250).unref();
