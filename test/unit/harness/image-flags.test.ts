// The soak and the benchmarks run the service with the Node flags and allocator the image gives it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  imageAllocatorEnv,
  imageAllocatorEnvChecked,
  imageNodeFlags,
} from '../../../loadtest/harness/image-flags.js';

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

describe('imageAllocatorEnv', () => {
  it('reads the allocator variables of the final stage only, continuation lines included', () => {
    const path = dockerfile(
      [
        'FROM node AS build',
        'ENV MALLOC_CONF=build-only',
        'FROM node AS runtime',
        '# LD_PRELOAD=commented.so',
        'ENV NODE_ENV=production \\',
        '    LD_PRELOAD=libjemalloc.so.2 \\',
        '    MALLOC_CONF=narenas:1,dirty_decay_ms:1000',
        'CMD ["node", "dist/main.js"]',
      ].join('\n'),
    );
    expect(imageAllocatorEnv(path)).toEqual({
      LD_PRELOAD: 'libjemalloc.so.2',
      MALLOC_CONF: 'narenas:1,dirty_decay_ms:1000',
    });
  });

  it('refuses a preload this machine cannot load rather than measure glibc instead', () => {
    const path = dockerfile('FROM node\nENV LD_PRELOAD=libairflow-mcp-missing.so.9\n');
    expect(() => imageAllocatorEnvChecked(path)).toThrow(/libairflow-mcp-missing\.so\.9.*not found here/);
  });

  it("finds this repository's allocator: jemalloc", () => {
    expect(imageAllocatorEnv().LD_PRELOAD).toBe('libjemalloc.so.2');
  });
});
