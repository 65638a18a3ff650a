// Finds the Airflow base URL the way an MCP server beside Airflow would: explicit URL, Airflow env, airflow.cfg, default.
import { parse as parseIni } from 'ini';

export type DiscoverySource =
  | 'AIRFLOW_API_URL'
  | 'AIRFLOW__API__BASE_URL'
  | 'AIRFLOW__API__PORT'
  | 'AIRFLOW__WEBSERVER__BASE_URL'
  | 'AIRFLOW__WEBSERVER__WEB_SERVER_PORT'
  | 'airflow.cfg [api]'
  | 'airflow.cfg [webserver]'
  | 'default';

export interface DiscoveredAirflow {
  /** Base URL without a trailing slash; the API prefix (/api/v2) is appended by the client. */
  url: string;
  source: DiscoverySource;
  /** The config file read, when one was. */
  file?: string;
}

export interface DiscoveryInput {
  explicitUrl?: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  /** Returns the file's text, or undefined when it does not exist. Injected so tests need no real files. */
  readFile: (path: string) => string | undefined;
}

const DEFAULT_URL = 'http://localhost:8080';

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/**
 * A base_url names the public address (often an ingress host). Beside Airflow we keep its scheme and
 * path prefix but talk to the local port, since the public host may not route back into the pod.
 */
function localUrl(baseUrl: string | undefined, port: string | undefined): string | undefined {
  if (baseUrl) {
    let parsed: URL;
    try {
      parsed = new URL(baseUrl);
    } catch {
      return undefined;
    }
    const path = stripSlash(parsed.pathname);
    const effectivePort = port || parsed.port || (parsed.protocol === 'https:' ? '443' : '8080');
    if (port || isLocalHost(parsed.hostname)) {
      return `${parsed.protocol}//localhost:${effectivePort}${path}`;
    }
    return stripSlash(`${parsed.protocol}//${parsed.host}${path}`);
  }
  if (port) return `http://localhost:${port}`;
  return undefined;
}

function isLocalHost(host: string): boolean {
  return (
    host === 'localhost' || host === '127.0.0.1' || host === '0.0.0.0' || host === '[::1]' || host === '::'
  );
}

function validPort(port: string | undefined): string | undefined {
  if (!port) return undefined;
  const n = Number(port);
  return Number.isInteger(n) && n > 0 && n < 65536 ? String(n) : undefined;
}

export function discoverAirflow(input: DiscoveryInput): DiscoveredAirflow {
  const { env } = input;
  if (input.explicitUrl) return { url: stripSlash(input.explicitUrl), source: 'AIRFLOW_API_URL' };

  const apiBase = env.AIRFLOW__API__BASE_URL;
  const apiPort = validPort(env.AIRFLOW__API__PORT);
  const fromApiEnv = localUrl(apiBase, apiPort);
  if (fromApiEnv)
    return { url: fromApiEnv, source: apiBase ? 'AIRFLOW__API__BASE_URL' : 'AIRFLOW__API__PORT' };

  const webBase = env.AIRFLOW__WEBSERVER__BASE_URL;
  const webPort = validPort(env.AIRFLOW__WEBSERVER__WEB_SERVER_PORT);
  const fromWebEnv = localUrl(webBase, webPort);
  if (fromWebEnv) {
    return {
      url: fromWebEnv,
      source: webBase ? 'AIRFLOW__WEBSERVER__BASE_URL' : 'AIRFLOW__WEBSERVER__WEB_SERVER_PORT',
    };
  }

  const home = env.AIRFLOW_HOME || (env.HOME ? `${env.HOME}/airflow` : undefined);
  const file = env.AIRFLOW_CONFIG || (home ? `${home}/airflow.cfg` : undefined);
  const text = file ? input.readFile(file) : undefined;
  if (file && text !== undefined) {
    const cfg = parseIni(text) as Record<string, Record<string, string> | undefined>;
    const api = cfg.api ?? {};
    const fromApi = localUrl(api.base_url || undefined, validPort(api.port));
    if (fromApi) return { url: fromApi, source: 'airflow.cfg [api]', file };
    const web = cfg.webserver ?? {};
    const fromWeb = localUrl(web.base_url || undefined, validPort(web.web_server_port));
    if (fromWeb) return { url: fromWeb, source: 'airflow.cfg [webserver]', file };
  }
  return { url: DEFAULT_URL, source: 'default' };
}
