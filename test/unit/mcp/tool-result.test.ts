import { describe, expect, it } from 'vitest';
import { fitResult, successResult, textIsStructuredJson } from '../../../src/mcp/tool-result.js';

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
    expect(Buffer.byteLength(r.text)).toBeLessThanOrEqual(2048);
    expect(r.truncated).toBe(true);
    const data = r.data as { items: unknown[]; next_offset: number; notice: { code: string; hint: string } };
    expect(data.items.length).toBeGreaterThan(5);
    expect(data.items.length).toBeLessThan(100);
    expect(data.next_offset).toBe(200 + data.items.length);
    expect(data.notice.code).toBe('output_truncated');
    expect(data.notice.hint).toContain(`offset=${200 + data.items.length}`);
    expect(JSON.parse(r.text)).toEqual(data);
    expect(r.textIsData).toBe(true);
    expect(r.text).toBe(JSON.stringify(r.data));
  });

  it('keeps a prefix of log lines and points to tail_lines and filters', () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `line ${i} ${'y'.repeat(30)}`);
    const r = fitResult({ lines }, 4096, new Set(['tail_lines', 'max_bytes', 'pattern']));
    const data = r.data as { lines: string[]; notice: { hint: string } };
    expect(Buffer.byteLength(r.text)).toBeLessThanOrEqual(4096);
    expect(data.lines[0]).toBe(lines[0]);
    expect(data.notice.hint).toMatch(/tail_lines|max_bytes/);
  });

  it('cuts anything else as text with a notice, within the cap, on a character boundary', () => {
    const r = fitResult({ blob: 'é'.repeat(5000) }, 1500);
    expect(Buffer.byteLength(r.text)).toBeLessThanOrEqual(1500);
    expect(r.text).toContain('output_truncated');
    expect(r.text).not.toContain('\uFFFD');
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
