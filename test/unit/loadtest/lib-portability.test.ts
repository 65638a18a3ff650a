// Guards what lets k6 and Node share loadtest/lib: relative imports only, and a .js shim for each one imported.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const LIB = join(import.meta.dirname, '../../../loadtest/lib');
const sources = readdirSync(LIB).filter((name) => name.endsWith('.ts'));

function specifiers(source: string): Array<{ specifier: string; typeOnly: boolean }> {
  const found: Array<{ specifier: string; typeOnly: boolean }> = [];
  for (const match of source.matchAll(/^(import|export)\s+(type\s+)?[^;]*?from\s+'([^']+)';/gms)) {
    found.push({ specifier: match[3]!, typeOnly: match[2] !== undefined });
  }
  return found;
}

/** Every module specifier in the file, found independently of `specifiers` (any quote, any form). */
function everySpecifier(source: string): string[] {
  return [
    ...source.matchAll(
      /\bfrom\s+['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm,
    ),
  ]
    .map((m) => m[1] ?? m[2] ?? m[3]!)
    .sort();
}

/** The modules some file of the library imports as values: each needs its .js shim. */
const valueImported = [
  ...new Set(
    sources.flatMap((file) =>
      specifiers(readFileSync(join(LIB, file), 'utf8'))
        .filter((s) => !s.typeOnly)
        .map((s) => s.specifier),
    ),
  ),
].sort();

describe('loadtest/lib portability', () => {
  it.each(sources)('%s imports only sibling modules, with a .js suffix', (file) => {
    const source = readFileSync(join(LIB, file), 'utf8');
    const found = specifiers(source).map((s) => s.specifier);
    // The parser below must see every import there is, or the check would pass on what it missed.
    expect(found.sort()).toEqual(everySpecifier(source));
    for (const specifier of found) expect(specifier).toMatch(/^\.\/[a-z-]+\.js$/);
  });

  it('finds the value imports the library has', () => {
    expect(valueImported).toEqual(['./classify.js', './encoding.js', './parse.js', './protocol.js']);
  });

  it.each(valueImported)(
    '%s has a .js shim re-exporting its .ts (k6 resolves paths literally)',
    (specifier) => {
      const shim = readFileSync(join(LIB, specifier), 'utf8');
      expect(shim).toContain(`export * from '${specifier.replace(/\.js$/, '.ts')}';`);
    },
  );

  it('ships no shim without its TypeScript module', () => {
    for (const shim of readdirSync(LIB).filter((name) => name.endsWith('.js'))) {
      expect(sources).toContain(shim.replace(/\.js$/, '.ts'));
    }
  });

  it('uses no Node or k6 globals', () => {
    for (const file of sources) {
      // Comments may name what the code avoids; only code counts.
      const code = readFileSync(join(LIB, file), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/^\s*\/\/.*$/gm, '');
      expect(code, file).not.toMatch(/\b(Buffer|process|__ENV|__VU|TextEncoder|TextDecoder|btoa|atob)\b/);
    }
  });
});
