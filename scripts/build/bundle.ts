// Builds the service into one minified ES module (dist/main.js), dependencies included.
//
// Why a bundle: the image then needs no node_modules, starts in ~0.45 s instead of ~0.65 s (one file
// instead of hundreds of module loads) and holds ~10 MiB less at idle (one ASCII source instead of
// each package's, some stored as two-byte strings). Identifiers are kept so stack traces in logs stay
// readable. Versions are read here, at build time, because the bundle has no package manifests to read.
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { build } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '../..');

function manifestVersion(path: string): string {
  return String(JSON.parse(readFileSync(path, 'utf8')).version);
}

/** The SDK's version, from the manifest above its resolved entry (its exports map hides package.json). */
function sdkVersion(): string {
  let dir = dirname(createRequire(join(ROOT, 'package.json')).resolve('@modelcontextprotocol/server'));
  for (let i = 0; i < 5; i++, dir = dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (manifest.name === '@modelcontextprotocol/server') return String(manifest.version);
    } catch {
      // keep walking up
    }
  }
  return 'unknown';
}

export async function bundleService(outfile: string): Promise<void> {
  const buildInfo = { version: manifestVersion(join(ROOT, 'package.json')), sdkVersion: sdkVersion() };
  await build({
    entryPoints: [join(ROOT, 'src/main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: true,
    logLevel: 'warning',
    define: { __AIRFLOW_MCP_BUILD__: JSON.stringify(buildInfo) },
    // CommonJS dependencies (pino, prom-client) call require() for Node's built-ins.
    banner: {
      js: "import { createRequire as __airflowMcpRequire } from 'node:module'; const require = __airflowMcpRequire(import.meta.url);",
    },
  });
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const outfile = resolve(process.argv[2] ?? join(ROOT, 'dist/main.js'));
  // dist/ holds the bundle alone: nothing left over from an earlier build can be shipped.
  if (process.argv[2] === undefined) rmSync(dirname(outfile), { recursive: true, force: true });
  await bundleService(outfile);
  process.stdout.write(`built ${outfile}\n`);
}
