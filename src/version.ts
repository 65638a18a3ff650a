// Build information read once at start-up from package manifests.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

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

export const BUILD = Object.freeze({
  version: manifestVersion(new URL('../package.json', import.meta.url).pathname),
  nodeVersion: process.version,
  sdkVersion: manifestVersion(
    join(packageDir(require.resolve('@modelcontextprotocol/server')), 'package.json'),
  ),
});
