// The soak and the benchmarks run the service with the Node flags the image's CMD gives it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { imageNodeFlags } from '../../../loadtest/harness/image-flags.js';

function dockerfile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'image-flags-')), 'Dockerfile');
  writeFileSync(path, text);
  return path;
}

describe('imageNodeFlags', () => {
  it('reads the flags between node and the entry point from the last CMD', () => {
    const path = dockerfile(
      'FROM node\nHEALTHCHECK CMD ["node", "-e", "1"]\nCMD ["node", "old.js"]\nCMD ["node", "--a=1", "--b", "dist/main.js"]\n',
    );
    expect(imageNodeFlags(path)).toEqual(['--a=1', '--b']);
  });

  it('refuses a CMD it does not understand rather than measure something else', () => {
    expect(() => imageNodeFlags(dockerfile('CMD ["npm", "start"]\n'))).toThrow(/unexpected Dockerfile CMD/);
  });

  it("finds this repository's image flags", () => {
    expect(imageNodeFlags()).toContain('--max-semi-space-size=8');
  });
});
