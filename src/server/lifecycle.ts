// Graceful shutdown like podinfo: not ready at once, keep serving for a delay, close, let in-flight work finish.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import type { Logger } from '../observability/logger.js';
import type { ServiceState } from './readiness.js';

/** How long an idle connection is given, once the listener is closed, to deliver a request it may be sending. */
const LAST_CALL_MS = 1_000;

/**
 * The listener closes only after this long without a new connection (at most QUIET_MAX_MS): the kernel
 * resets connections still in the accept queue when it closes, and those clients had every reason to
 * think their request was taken.
 */
const QUIET_MS = 200;
const QUIET_MAX_MS = 5_000;

/** Which open connections are between requests (idle) and which are serving one; when the last one came. */
export interface ConnectionTracker {
  idle(): Socket[];
  open(): number;
  /** performance.now() of the last accepted connection. */
  lastAcceptedAt(): number;
}

export function trackConnections(server: Server): ConnectionTracker {
  const busy = new Map<Socket, number>();
  let lastAccepted = 0;
  server.on('connection', (socket: Socket) => {
    lastAccepted = performance.now();
    busy.set(socket, 0);
    socket.once('close', () => busy.delete(socket));
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    busy.set(socket, (busy.get(socket) ?? 0) + 1);
    res.once('close', () => {
      if (busy.has(socket)) busy.set(socket, Math.max(0, (busy.get(socket) ?? 1) - 1));
    });
  });
  return {
    idle: () => [...busy].filter(([, n]) => n === 0).map(([socket]) => socket),
    open: () => busy.size,
    lastAcceptedAt: () => lastAccepted,
  };
}

/**
 * Idle connections after the listener closed: each gets a last moment for a request it may already be
 * sending (answered with `Connection: close`, as everything is while draining), then ends with a FIN, never
 * a reset. Node's own `server.close()` destroys idle sockets at once, which resets connections whose first
 * request was on its way.
 */
function endIdleGracefully(tracker: ConnectionTracker): void {
  const timer = setTimeout(() => {
    for (const socket of tracker.idle()) {
      socket.end();
      setTimeout(() => socket.destroy(), LAST_CALL_MS).unref();
    }
  }, LAST_CALL_MS);
  timer.unref();
}

export interface ShutdownOptions {
  server: Server;
  connections: ConnectionTracker;
  state: ServiceState;
  delayMs: number;
  graceMs: number;
  logger: Logger;
  /** Releases other resources (upstream pool, MCP handler) once the listener is closed. */
  cleanup: () => Promise<void>;
}

function wait(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Runs the shutdown sequence; resolves true when every request finished in time. */
export async function shutdown(o: ShutdownOptions): Promise<boolean> {
  o.state.draining = true;
  o.logger.info({ delay_ms: o.delayMs, grace_ms: o.graceMs }, 'shutting down: readiness now 503');
  if (o.delayMs > 0) await wait(o.delayMs);
  const quietBy = performance.now() + Math.min(QUIET_MAX_MS, o.graceMs);
  while (performance.now() - o.connections.lastAcceptedAt() < QUIET_MS && performance.now() < quietBy) {
    await wait(QUIET_MS / 4);
  }
  // Stop accepting without Node's http close, which would reset idle sockets (see endIdleGracefully).
  const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(o.server, () => resolve()));
  endIdleGracefully(o.connections);
  const finished = await Promise.race([closed.then(() => true), wait(o.graceMs).then(() => false)]);
  if (!finished) {
    o.logger.warn('grace period over: closing remaining connections');
    o.server.closeAllConnections();
  }
  await o.cleanup();
  o.logger.info({ clean: finished }, 'shutdown complete');
  return finished;
}

/** First SIGTERM/SIGINT starts the graceful sequence; a second one exits at once. */
export function installSignalHandlers(
  run: () => Promise<boolean>,
  logger: Logger,
  exit: (code: number) => void,
) {
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      exit(1);
      return;
    }
    stopping = true;
    logger.info({ signal }, 'signal received');
    run().then(
      () => exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        exit(1);
      },
    );
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
}
