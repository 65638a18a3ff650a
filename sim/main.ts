// CLI: runs the Airflow simulator standalone and prints `{"url": ...}` once listening (demo, load harness).
import { parseArgs } from 'node:util';
import { startSimulator } from './index.js';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    'base-path': { type: 'string', default: '' },
    auth: { type: 'string', default: 'none' },
    'latency-ms': { type: 'string', default: '0' },
    'run-duration-ms': { type: 'string', default: '3000' },
    'api-versions': { type: 'string', default: 'v1,v2' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  process.stdout.write(
    'Usage: tsx sim/main.ts [--host 127.0.0.1] [--port 0] [--base-path /airflow] [--auth none|enforced]\n' +
      '       [--latency-ms 0] [--run-duration-ms 3000] [--api-versions v1,v2]\n',
  );
  process.exit(0);
}

function int(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`invalid --${name}: ${raw}\n`);
    process.exit(2);
  }
  return n;
}

if (values.auth !== 'none' && values.auth !== 'enforced') {
  process.stderr.write(`invalid --auth: ${values.auth} (expected none or enforced)\n`);
  process.exit(2);
}
const apiVersions = values['api-versions']
  .split(',')
  .filter((v): v is 'v1' | 'v2' => v === 'v1' || v === 'v2');

const sim = await startSimulator({
  host: values.host,
  port: int('port', values.port),
  basePath: values['base-path'],
  auth: values.auth,
  latencyMs: int('latency-ms', values['latency-ms']),
  runDurationMs: int('run-duration-ms', values['run-duration-ms']),
  apiVersions: apiVersions.length > 0 ? apiVersions : ['v1', 'v2'],
});
process.stdout.write(`${JSON.stringify({ url: sim.url, port: sim.port })}\n`);

let closing = false;
const shutdown = () => {
  if (closing) process.exit(0);
  closing = true;
  sim.close().then(() => process.exit(0));
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
