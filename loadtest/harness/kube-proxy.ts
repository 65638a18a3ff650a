// The per-connection front, like kube-proxy: iptables `statistic` DNAT on a virtual IP, else a Node TCP proxy.
import { execFileSync } from 'node:child_process';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Backend } from './nginx.js';
import { onCleanup } from './procs.js';

export interface ConnectionFront {
  kind: 'iptables' | 'tcp-proxy';
  url: string;
  current: string[];
  update(backends: readonly Backend[]): void;
  close(): Promise<void>;
}

function iptables(args: string[]): void {
  execFileSync('iptables', ['-w', '5', ...args], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
}

/**
 * kube-proxy's iptables mode: `-d VIP --dport P` jumps to a chain whose rule i matches with
 * probability 1/(n-i), so each new connection picks a ready backend uniformly; packets of an
 * established connection follow conntrack and stay on their backend.
 */
function iptablesFront(vip: string, port: number, backends: readonly Backend[]): ConnectionFront {
  const chain = `AMCP-SVC-${process.pid}`;
  const jump = ['OUTPUT', '-p', 'tcp', '-d', vip, '--dport', String(port), '-j', chain];
  iptables(['-t', 'nat', '-N', chain]);
  onCleanup(() => {
    for (const args of [
      ['-D', ...jump],
      ['-F', chain],
      ['-X', chain],
    ]) {
      try {
        iptables(['-t', 'nat', ...args]);
      } catch {
        // Already removed.
      }
    }
  });
  iptables(['-t', 'nat', '-A', ...jump]);
  const front: ConnectionFront = {
    kind: 'iptables',
    url: `http://${vip}:${port}`,
    current: [],
    update(list) {
      iptables(['-t', 'nat', '-F', chain]);
      list.forEach((b, i) => {
        const left = list.length - i;
        const match =
          left > 1 ? ['-m', 'statistic', '--mode', 'random', '--probability', (1 / left).toFixed(5)] : [];
        iptables([
          '-t',
          'nat',
          '-A',
          chain,
          '-p',
          'tcp',
          ...match,
          '-j',
          'DNAT',
          '--to-destination',
          `${b.slot.host}:${b.slot.port}`,
        ]);
      });
      // No ready backend: refuse, as a Service without endpoints does.
      if (list.length === 0)
        iptables(['-t', 'nat', '-A', chain, '-p', 'tcp', '-j', 'DNAT', '--to-destination', '127.0.0.1:9']);
      front.current = list.map((b) => b.name);
    },
    close: async () => {},
  };
  front.update(backends);
  return front;
}

/** Fallback when iptables is not permitted: one random ready backend per accepted connection. */
async function tcpProxyFront(host: string, backends: readonly Backend[]): Promise<ConnectionFront> {
  let ready = [...backends];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    const target = ready[Math.floor(Math.random() * ready.length)];
    if (target === undefined) {
      client.destroy();
      return;
    }
    const upstream = connect(target.slot.port, target.slot.host);
    sockets.add(upstream);
    upstream.once('close', () => sockets.delete(upstream));
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.once('error', end);
    upstream.once('error', end);
  });
  await new Promise<void>((done) => server.listen(0, host, () => done()));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const close = () =>
    new Promise<void>((done) => {
      for (const s of sockets) s.destroy();
      server.close(() => done());
    });
  onCleanup(close);
  const front: ConnectionFront = {
    kind: 'tcp-proxy',
    url: `http://${host}:${port}`,
    current: backends.map((b) => b.name),
    update(list) {
      ready = [...list];
      front.current = list.map((b) => b.name);
    },
    close,
  };
  return front;
}

/** iptables when available and permitted (`prefer` = 'tcp-proxy' skips it); says why it fell back. */
export async function startConnectionFront(
  vip: string,
  port: number,
  backends: readonly Backend[],
  prefer: 'iptables' | 'tcp-proxy',
): Promise<{ front: ConnectionFront; fallbackReason?: string }> {
  if (prefer === 'iptables') {
    try {
      execFileSync('sh', ['-c', 'command -v iptables'], { stdio: 'ignore' });
      return { front: iptablesFront(vip, port, backends) };
    } catch (error) {
      const reason = (error as { stderr?: Buffer }).stderr?.toString().trim() || 'iptables not available';
      return { front: await tcpProxyFront('127.0.0.1', backends), fallbackReason: reason };
    }
  }
  return { front: await tcpProxyFront('127.0.0.1', backends), fallbackReason: 'requested --lb tcp-proxy' };
}
