// Graceful shutdown like podinfo: not ready at once, keep serving for a delay, close, let in-flight work finish.
import type { Server } from 'node:http';
import type { Logger } from '../observability/logger.js';
import type { ServiceState } from './readiness.js';

export interface ShutdownOptions {
  server: Server;
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
  const closed = new Promise<void>((resolve) => o.server.close(() => resolve()));
  o.server.closeIdleConnections();
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
