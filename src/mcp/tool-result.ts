// Shapes tool results: compact JSON, capped at MAX_OUTPUT_BYTES with a notice saying how to get the rest.
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { ToolErrorBody } from '../errors.js';

export interface TruncationNotice {
  code: 'output_truncated';
  message: string;
  hint: string;
}

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/**
 * Fits a result into `max` bytes. Lists (`items`) and logs (`lines`) drop entries from the end and say where
 * to continue; anything else is cut as text.
 */
export function fitResult(
  value: unknown,
  max: number,
  /** The tool's argument names: a hint names only arguments the tool takes. */
  params: ReadonlySet<string> = new Set(),
): { text: string; data: unknown; truncated: boolean; textIsData: boolean } {
  const text = JSON.stringify(value) ?? 'null';
  if (byteLength(text) <= max) return { text, data: value, truncated: false, textIsData: true };

  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    const key = Array.isArray(record.items) ? 'items' : Array.isArray(record.lines) ? 'lines' : undefined;
    if (key) {
      const all = record[key] as unknown[];
      // Binary search the largest prefix that fits with its notice.
      let lo = 0;
      let hi = all.length;
      let best: { text: string; data: unknown } | undefined;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const candidate = withNotice(record, key, all, mid, params);
        const t = JSON.stringify(candidate);
        if (byteLength(t) <= max) {
          best = { text: t, data: candidate };
          lo = mid + 1;
        } else {
          hi = mid - 1;
        }
      }
      if (best) return { ...best, truncated: true, textIsData: true };
    }
  }
  const notice: TruncationNotice = {
    code: 'output_truncated',
    message: `Result cut at ${max} bytes.`,
    hint: cutHint(params),
  };
  const suffix = `\n[${JSON.stringify(notice)}]`;
  const budget = Math.max(0, max - byteLength(suffix));
  const cut = Buffer.from(text, 'utf8')
    .subarray(0, budget)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  return { text: cut + suffix, data: { truncated: true, notice }, truncated: true, textIsData: false };
}

/** Which of the tool's own arguments ask for less; never an argument the tool does not take. */
function cutHint(params: ReadonlySet<string>): string {
  const levers = ['limit', 'start_line', 'end_line', 'tail_lines', 'max_bytes', 'max_items'].filter((p) =>
    params.has(p),
  );
  return levers.length
    ? `Ask for less with ${levers.join(', ')}, or narrower filters.`
    : 'The result is larger than this server returns (MAX_OUTPUT_BYTES); ask for a narrower result.';
}

function withNotice(
  record: Record<string, unknown>,
  key: string,
  all: unknown[],
  keep: number,
  params: ReadonlySet<string>,
) {
  const dropped = all.length - keep;
  const offset = typeof record.offset === 'number' ? record.offset : undefined;
  const hint =
    key === 'items' && offset !== undefined && params.has('offset')
      ? `Call again with offset=${offset + keep} (or a smaller limit) to get the rest.`
      : cutHint(params);
  const notice: TruncationNotice = {
    code: 'output_truncated',
    message: `Output limit reached: ${dropped} of ${all.length} ${key} left out.`,
    hint,
  };
  return {
    ...record,
    [key]: all.slice(0, keep),
    ...(key === 'items' && offset !== undefined ? { next_offset: offset + keep } : {}),
    truncated: true,
    notice,
  };
}

/**
 * Marks a result whose text is exactly `JSON.stringify(structuredContent)`, so a serialiser may write that
 * text twice instead of serialising the same data again. Non-enumerable: invisible to JSON and to copies.
 */
export const TEXT_IS_STRUCTURED_JSON = Symbol('textIsStructuredJson');

export function textIsStructuredJson(result: CallToolResult): boolean {
  return (result as { [TEXT_IS_STRUCTURED_JSON]?: boolean })[TEXT_IS_STRUCTURED_JSON] === true;
}

export function successResult(
  value: unknown,
  max: number,
  structured: boolean,
  params?: ReadonlySet<string>,
): CallToolResult {
  const { text, data, textIsData } = fitResult(value, max, params);
  const withStructured = structured && data !== null && typeof data === 'object';
  const result: CallToolResult = {
    content: [{ type: 'text', text }],
    ...(withStructured ? { structuredContent: data as Record<string, unknown> } : {}),
  };
  if (withStructured && textIsData) {
    Object.defineProperty(result, TEXT_IS_STRUCTURED_JSON, { value: true });
  }
  return result;
}

export function errorResult(body: ToolErrorBody): CallToolResult {
  // Key order as the SDK's result schema emits it, so both serving paths give the same bytes.
  return {
    content: [{ type: 'text', text: JSON.stringify(body) }],
    structuredContent: body as unknown as Record<string, unknown>,
    isError: true,
  };
}
