// How bytes reach Airflow: one undici Agent (a keep-alive Pool per origin) with a connect timeout covering
// TCP and TLS, idle sockets closed before Airflow's server would close them, TLS options, and no redirects.
import { readFileSync } from 'node:fs';
import { Agent, type Dispatcher } from 'undici';
import { ConfigError } from '../config/settings.js';

export interface DispatcherOptions {
  /** Time allowed for TCP connect plus TLS handshake on a new socket. */
  connectTimeoutMs: number;
  /**
   * Idle sockets are closed after this, before a typical server-side keep-alive timeout (uvicorn: 5 s), so a
   * call never goes out on a socket the server is closing. Also caps a server's own Keep-Alive hint.
   */
  idleSocketMs?: number;
  /** Sockets per origin. */
  connections?: number;
  rejectUnauthorized?: boolean;
  /** PEM file with extra CA certificates for Airflow's TLS. */
  caFile?: string;
}

/** Error code undici gives a connect (TCP + TLS) that did not finish in time. */
export const CONNECT_TIMEOUT = 'UND_ERR_CONNECT_TIMEOUT';

/**
 * The dispatcher every Airflow call goes through. undici follows no redirect unless asked to (no redirect
 * interceptor is composed here), so a forwarded Authorization header never leaves the configured origin.
 */
export function createAirflowDispatcher(options: DispatcherOptions): Dispatcher {
  const ca = options.caFile ? readCa(options.caFile) : undefined;
  const idle = options.idleSocketMs ?? 4_000;
  return new Agent({
    connections: options.connections ?? 256,
    keepAliveTimeout: idle,
    keepAliveMaxTimeout: idle,
    connect: {
      timeout: options.connectTimeoutMs,
      rejectUnauthorized: options.rejectUnauthorized ?? true,
      ...(ca ? { ca } : {}),
    },
  });
}

function readCa(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`Invalid AIRFLOW_CA_CERT: cannot read the CA file ${file} (${code})`);
  }
}
