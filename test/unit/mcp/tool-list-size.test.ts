// The tools/list answer every assistant pays for on every conversation stays within its budget.
import { describe, expect, it } from 'vitest';
import { measureToolList, TOOL_LIST_BUDGET_BYTES } from '../../../scripts/measure-tool-list.js';
import { TOOLSETS } from '../../../src/tools/toolsets.js';

describe('tools/list size', () => {
  const m = measureToolList();

  it(`the full list is at most ${TOOL_LIST_BUDGET_BYTES} bytes of JSON`, () => {
    expect(m.full.bytes).toBeLessThanOrEqual(TOOL_LIST_BUDGET_BYTES);
  });

  it('every toolset is measured, and the toolsets add up to the full list', () => {
    expect(m.toolsets.map((t) => t.toolset)).toEqual([...TOOLSETS]);
    expect(m.toolsets.reduce((n, t) => n + t.tools, 0)).toBe(m.full.tools);
    for (const t of m.toolsets) expect(t.bytes).toBeLessThan(m.full.bytes);
  });

  it('no shared definition is repeated: no tool repeats a long description of another field', () => {
    // The same explanation on many fields is what the server instructions are for.
    const counts = new Map<string, number>();
    for (const tool of m.list.tools) {
      for (const schema of Object.values(tool.inputSchema.properties ?? {})) {
        const d = (schema as { description?: string }).description;
        if (d && d.length > 20) counts.set(d, (counts.get(d) ?? 0) + 1);
      }
    }
    const repeated = [...counts].filter(([, n]) => n > 3);
    expect(repeated).toEqual([]);
  });
});
