// fitResult and successResult: results capped at MAX_OUTPUT_BYTES, cut where the caller can ask for the rest.
import { describe, expect, it } from 'vitest';
import { fitResult, successResult, textIsStructuredJson } from '../../../src/mcp/tool-result.js';

/** How many entries of the fixtures below fit their caps (the tests also show one more would not). */
const KEPT_ITEMS = 23;
const KEPT_LINES = 95;

describe('fitResult', () => {
  it('returns compact JSON untouched when it fits', () => {
    const r = fitResult({ a: 1, b: [1, 2] }, 1000);
    expect(r).toEqual({
      text: '{"a":1,"b":[1,2]}',
      data: { a: 1, b: [1, 2] },
      truncated: false,
      textIsData: true,
    });
  });

  it('drops list items from the end and says where to continue', () => {
    const items = Array.from({ length: 100 }, (_, i) => ({ id: `dag_${i}`, pad: 'x'.repeat(50) }));
    const r = fitResult(
      { items, total_entries: 500, offset: 200, limit: 100, next_offset: 300 },
      2048,
      new Set(['limit', 'offset']),
    );
    // The exact answer, written out: the longest prefix of items that fits with its notice, and no longer.
    const expected = (keep: number) => ({
      items: items.slice(0, keep),
      total_entries: 500,
      offset: 200,
      limit: 100,
      next_offset: 200 + keep,
      truncated: true,
      notice: {
        code: 'output_truncated',
        message: `Output limit reached: ${100 - keep} of 100 items left out.`,
        hint: `Call again with offset=${200 + keep} (or a smaller limit) to get the rest.`,
      },
    });
    expect(r.truncated).toBe(true);
    expect(r.data).toEqual(expected(KEPT_ITEMS));
    expect(Buffer.byteLength(JSON.stringify(expected(KEPT_ITEMS)))).toBeLessThanOrEqual(2048);
    expect(Buffer.byteLength(JSON.stringify(expected(KEPT_ITEMS + 1)))).toBeGreaterThan(2048);
    expect(JSON.parse(r.text)).toEqual(r.data);
    expect(r.textIsData).toBe(true);
    expect(r.text).toBe(JSON.stringify(r.data));
  });

  it('keeps a prefix of log lines and points to tail_lines and filters', () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `line ${i} ${'y'.repeat(30)}`);
    const r = fitResult({ lines }, 4096, new Set(['tail_lines', 'max_bytes', 'pattern']));
    const expected = (keep: number) => ({
      lines: lines.slice(0, keep),
      truncated: true,
      notice: {
        code: 'output_truncated',
        message: `Output limit reached: ${1000 - keep} of 1000 lines left out.`,
        hint: 'Ask for less with tail_lines, max_bytes, or narrower filters.',
      },
    });
    expect(r.data).toEqual(expected(KEPT_LINES));
    expect(r.text).toBe(JSON.stringify(expected(KEPT_LINES)));
    expect(Buffer.byteLength(r.text)).toBeLessThanOrEqual(4096);
    expect(Buffer.byteLength(JSON.stringify(expected(KEPT_LINES + 1)))).toBeGreaterThan(4096);
  });

  it('cuts anything else as text with a notice, within the cap, on a character boundary', () => {
    const r = fitResult({ blob: 'é'.repeat(5000) }, 1500);
    const notice = {
      code: 'output_truncated',
      message: 'Result cut at 1500 bytes.',
      hint: 'The result is larger than this server returns (MAX_OUTPUT_BYTES); ask for a narrower result.',
    };
    const suffix = `\n[${JSON.stringify(notice)}]`;
    // Whole two-byte characters only: an odd byte left in the budget stays unused.
    const chars = Math.floor((1500 - Buffer.byteLength(suffix) - '{"blob":"'.length) / 2);
    expect(r.text).toBe(`{"blob":"${'é'.repeat(chars)}${suffix}`);
    expect(Buffer.byteLength(r.text)).toBeLessThanOrEqual(1500);
    expect(r.data).toEqual({ truncated: true, notice });
    expect(r.textIsData).toBe(false);
  });

  it.each([
    [[], /^The result is larger than this server returns/],
    [['dag_id', 'start_line', 'end_line'], /^Ask for less with start_line, end_line/],
    [['dag_id', 'limit', 'offset'], /^Ask for less with limit,/],
  ])('a cut result’s hint names only arguments the tool takes (%j)', (params, hint) => {
    const r = fitResult({ blob: 'x'.repeat(5000) }, 1500, new Set(params));
    const notice = (r.data as { notice: { hint: string } }).notice;
    expect(notice.hint).toMatch(hint);
    for (const word of notice.hint.match(/[a-z]+_[a-z_]+|limit/g) ?? []) expect(params).toContain(word);
  });
});

describe('successResult', () => {
  it('marks a result whose text is its structured content as JSON, invisibly', () => {
    const r = successResult({ items: [1, 2] }, 1000, true);
    expect(textIsStructuredJson(r)).toBe(true);
    expect(JSON.stringify(r)).toBe(
      '{"content":[{"type":"text","text":"{\\"items\\":[1,2]}"}],"structuredContent":{"items":[1,2]}}',
    );
    expect(Object.keys(r)).toEqual(['content', 'structuredContent']);
  });

  it('does not mark a result cut as text, or one without structured content', () => {
    expect(textIsStructuredJson(successResult({ blob: 'é'.repeat(5000) }, 1500, true))).toBe(false);
    expect(textIsStructuredJson(successResult({ a: 1 }, 1000, false))).toBe(false);
  });
});
