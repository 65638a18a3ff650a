// The JSON complexity guard: depth and value-count limits, iterative so hostile input cannot overflow the stack.
import { describe, expect, it } from 'vitest';
import { checkComplexity, MAX_JSON_DEPTH } from '../../../src/server/body-guard.js';

const nest = (depth: number, arrays = false): unknown => {
  let v: unknown = 1;
  for (let i = 1; i < depth; i++) v = arrays ? [v] : { k: v };
  return v;
};

describe('checkComplexity', () => {
  it.each([null, 1, 'x', true, [], {}])('accepts the scalar or empty value %j', (v) => {
    expect(checkComplexity(v).ok).toBe(true);
  });

  it('accepts exactly the depth limit and refuses one more level', () => {
    expect(checkComplexity(nest(MAX_JSON_DEPTH)).ok).toBe(true);
    expect(checkComplexity(nest(MAX_JSON_DEPTH + 2))).toEqual({
      ok: false,
      why: `JSON nested deeper than ${MAX_JSON_DEPTH} levels`,
    });
    expect(checkComplexity(nest(MAX_JSON_DEPTH + 2, true)).ok).toBe(false);
  });

  it('survives 100 000 levels without recursion', () => {
    expect(checkComplexity(JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)).ok).toBe(false);
  });

  it('counts values across the whole document', () => {
    expect(checkComplexity({ a: Array(4999).fill(0), b: Array(4999).fill(0) }).ok).toBe(true);
    expect(checkComplexity({ a: Array(4999).fill(0), b: Array(5000).fill(0) })).toEqual({
      ok: false,
      why: 'JSON with more than 10000 values',
    });
  });
});
