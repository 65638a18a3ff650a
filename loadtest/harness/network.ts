// Replica addresses: one network namespace per replica on a private bridge when permitted, else 127.0.0.x.
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { onCleanup } from './procs.js';

export interface Slot {
  /** Address the replica listens on and the front connects to. */
  host: string;
  port: number;
  /** Namespace to run the replica in (netns mode). */
  netns?: string;
}

export interface Network {
  mode: 'netns' | 'loopback';
  /** Where the simulator listens so every replica can reach it. */
  simHost: string;
  /** An unused address on the same network, for a kube-proxy-like virtual IP. */
  virtualIp: string;
  slots: Slot[];
  /** Why netns was not used, when it was not. */
  fallbackReason?: string;
}

function ip(args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
}

function tryIp(args: string[]): void {
  try {
    ip(args);
  } catch {
    // Best effort during cleanup: it may be gone already.
  }
}

/** A free TCP port on `host` (bound then released). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

function subnetInUse(prefix: string): boolean {
  try {
    return execFileSync('ip', ['-4', 'addr'], { encoding: 'utf8' }).includes(`${prefix}.`);
  } catch {
    return true;
  }
}

/**
 * Creates a bridge `amb<id>` with 10.a.b.1/24 and, per replica, a namespace `amcp-<id>-<i>` joined
 * by a veth pair with 10.a.b.(10+i). Every piece is removed at cleanup.
 */
function setupNetns(replicas: number): Network {
  const id = process.pid % 100_000;
  let prefix = '';
  for (let attempt = 0; attempt < 20; attempt++) {
    const candidate = `10.${200 + ((id + attempt) % 50)}.${(id * 7 + attempt) % 250}`;
    if (!subnetInUse(candidate)) {
      prefix = candidate;
      break;
    }
  }
  if (prefix === '') throw new Error('no free 10.x.y.0/24 subnet');
  const bridge = `amb${id}`;
  ip(['link', 'add', bridge, 'type', 'bridge']);
  onCleanup(() => tryIp(['link', 'del', bridge]));
  ip(['addr', 'add', `${prefix}.1/24`, 'dev', bridge]);
  ip(['link', 'set', bridge, 'up']);
  const slots: Slot[] = [];
  for (let i = 0; i < replicas; i++) {
    const ns = `amcp-${id}-${i}`;
    const hostSide = `amh${id}x${i}`;
    const nsSide = `amn${id}x${i}`;
    ip(['netns', 'add', ns]);
    onCleanup(() => tryIp(['netns', 'del', ns]));
    ip(['link', 'add', hostSide, 'type', 'veth', 'peer', 'name', nsSide]);
    onCleanup(() => tryIp(['link', 'del', hostSide]));
    ip(['link', 'set', nsSide, 'netns', ns]);
    ip(['link', 'set', hostSide, 'master', bridge]);
    ip(['link', 'set', hostSide, 'up']);
    const address = `${prefix}.${10 + i}`;
    ip(['-n', ns, 'addr', 'add', `${address}/24`, 'dev', nsSide]);
    ip(['-n', ns, 'link', 'set', nsSide, 'up']);
    ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    slots.push({ host: address, port: 8000, netns: ns });
  }
  return { mode: 'netns', simHost: `${prefix}.1`, virtualIp: `${prefix}.250`, slots };
}

async function setupLoopback(replicas: number, reason: string): Promise<Network> {
  const slots: Slot[] = [];
  for (let i = 0; i < replicas; i++) {
    const host = `127.0.0.${2 + i}`;
    slots.push({ host, port: await freePort(host) });
  }
  return { mode: 'loopback', simHost: '127.0.0.1', virtualIp: '127.0.0.250', slots, fallbackReason: reason };
}

/** Network namespaces if this process may create them (`--no-netns` forces 127.0.0.x). */
export async function setupNetwork(replicas: number, allowNetns: boolean): Promise<Network> {
  if (!allowNetns) return setupLoopback(replicas, 'disabled by --no-netns');
  if (process.getuid?.() !== 0) return setupLoopback(replicas, 'not root');
  try {
    return setupNetns(replicas);
  } catch (error) {
    const message = (error as { stderr?: Buffer }).stderr?.toString().trim() || (error as Error).message;
    return setupLoopback(replicas, `ip netns failed: ${message}`);
  }
}

/** The command prefix that runs a program inside a slot's namespace (empty on loopback). */
export function inSlot(slot: Slot, command: string, args: string[]): [string, string[]] {
  if (slot.netns === undefined) return [command, args];
  return ['ip', ['netns', 'exec', slot.netns, command, ...args]];
}
