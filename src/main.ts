#!/usr/bin/env node
// Process entry: read settings (the only place that reads process.env), discover Airflow, serve, handle signals.
import { accessSync, constants, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { CommanderError } from 'commander';
import { discoverAirflow } from './config/discover-airflow.js';
import { loadSettings } from './config/load-settings.js';
import { replicaNameFrom } from './config/replica-name.js';
import { ConfigError } from './config/settings.js';
import { createLogger, stdoutDestination } from './observability/logger.js';
import { installSignalHandlers } from './server/lifecycle.js';
import { startService } from './service.js';
import { BUILD } from './version.js';

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** A file setting that cannot be read fails start-up naming the setting and the file, not a later symptom. */
function requireReadable(env: string, path: string | undefined): void {
  if (path === undefined) return;
  try {
    accessSync(path, constants.R_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`Invalid ${env}: cannot read ${JSON.stringify(path)} (${code})`);
  }
}

async function main(): Promise<void> {
  let settings: ReturnType<typeof loadSettings>;
  try {
    settings = loadSettings(process.argv.slice(2), process.env, BUILD.version);
    requireReadable('AIRFLOW_CA_CERT', settings.airflowCaCert);
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode);
    if (error instanceof ConfigError) {
      process.stderr.write(`airflow-mcp: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const replica = settings.replicaName ?? replicaNameFrom(hostname());
  const stdout = stdoutDestination();
  const logger = createLogger({ level: settings.logLevel, replica }, stdout);
  const airflow = discoverAirflow({
    explicitUrl: settings.airflowApiUrl,
    env: process.env,
    readFile: readIfExists,
  });
  logger.info({ airflow_url: airflow.url, source: airflow.source, file: airflow.file }, 'Airflow URL chosen');
  if (airflow.source === 'default') {
    logger.warn(
      { airflow_url: airflow.url },
      'No Airflow URL configured or discovered: using the default. Set AIRFLOW_API_URL (or --airflow-api-url) to the Airflow this server should call.',
    );
  }

  let service: Awaited<ReturnType<typeof startService>>;
  try {
    service = await startService({ settings, airflow, logger, replica });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`airflow-mcp: ${error.message}\n`);
      process.exit(2);
    }
    const e = error as NodeJS.ErrnoException;
    process.stderr.write(
      `airflow-mcp: cannot listen on ${settings.host}:${settings.port}: ${e.code ?? e.message}\n`,
    );
    process.exit(1);
  }
  installSignalHandlers(
    () => service.stop(),
    logger,
    (code) => {
      stdout.flushSync();
      process.exit(code);
    },
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`airflow-mcp: fatal: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
