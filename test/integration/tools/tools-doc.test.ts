// docs/tools.md must be what the generator produces from the current tool definitions (npm run docs:tools).
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { renderToolsDoc, TOOLS_DOC_PATH } from '../../../scripts/generate-tools-doc.js';

it('docs/tools.md is up to date with the tool definitions and their example results', async () => {
  const committed = readFileSync(TOOLS_DOC_PATH, 'utf8');
  const fresh = await renderToolsDoc();
  // On failure: run `npm run docs:tools` and commit docs/tools.md.
  expect(fresh === committed, 'docs/tools.md is stale: run npm run docs:tools').toBe(true);
});
