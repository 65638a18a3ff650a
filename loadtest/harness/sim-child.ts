// Child process: the Airflow simulator with enforced JWTs for N users; prints {url, port, tokens} once listening.
import { parseArgs } from 'node:util';
import { startSimulator } from '../../sim/index.js';
import type { SimUser } from '../../sim/types.js';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    users: { type: 'string', default: '0' },
    auth: { type: 'string', default: 'enforced' },
    'latency-ms': { type: 'string', default: '0' },
  },
});

const count = Number(values.users);
const users: Record<string, SimUser> = {};
// Role op: variables (the whoami check) need it, as in Airflow.
for (let i = 1; i <= count; i++)
  users[`user${String(i).padStart(3, '0')}`] = { password: `pw-${i}`, role: 'op' };

const sim = await startSimulator({
  host: values.host,
  port: Number(values.port),
  auth: values.auth === 'none' ? 'none' : 'enforced',
  users: count > 0 ? users : undefined,
  latencyMs: Number(values['latency-ms']),
});
const tokens: Record<string, string> = {};
for (const user of Object.keys(users)) tokens[user] = await sim.issueToken(user);
process.stdout.write(`${JSON.stringify({ url: sim.url, port: sim.port, tokens })}\n`);

const stop = () => {
  sim.close().then(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
