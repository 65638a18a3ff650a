// Build information: injected by the bundler (scripts/build/bundle.ts), read from the manifests when the
// sources run directly (tests, tsx).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

declare const __AIRFLOW_MCP_BUILD__: { version: string; sdkVersion: string } | undefined;

function manifestVersion(path: string): string {
  try {
    return String(JSON.parse(readFileSync(path, 'utf8')).version);
  } catch {
    return 'unknown';
  }
}

function packageDir(entry: string): string {
  // Walk up from a package's resolved entry to its package.json (its exports map hides the manifest).
  let dir = dirname(entry);
  for (let i = 0; i < 5; i++) {
    try {
      const m = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (m.name) return dir;
    } catch {
      // keep walking
    }
    dir = dirname(dir);
  }
  return dir;
}

function fromManifests(): { version: string; sdkVersion: string } {
  const require = createRequire(import.meta.url);
  return {
    version: manifestVersion(new URL('../package.json', import.meta.url).pathname),
    sdkVersion: manifestVersion(
      join(packageDir(require.resolve('@modelcontextprotocol/server')), 'package.json'),
    ),
  };
}

const built = typeof __AIRFLOW_MCP_BUILD__ === 'undefined' ? fromManifests() : __AIRFLOW_MCP_BUILD__;

export const BUILD = Object.freeze({ ...built, nodeVersion: process.version });
