// Reads a task log page by page with bounded memory: keeps the last N (matching) lines and their context.
import type { AirflowAdapter } from '../airflow/adapter.js';
import { AppError } from '../errors.js';

export interface LogReadOptions {
  dagId: string;
  runId: string;
  taskId: string;
  tryNumber: number;
  mapIndex?: number | undefined;
  token?: string | undefined;
  /** Read no further than this line (1-based, counted from where reading starts): pages back in a log. */
  endLine?: number | undefined;
  tailLines: number;
  maxBytes: number;
  match?: RegExp | undefined;
  contextLines: number;
  /** Upper bound on bytes fetched from Airflow for one call, so a huge log cannot exhaust memory or time. */
  fetchBudgetBytes: number;
  signal: AbortSignal;
}

export interface LogReadResult {
  lines: string[];
  /** Line numbers of the first and last returned lines (1-based, from where reading started). */
  first_line?: number;
  last_line?: number;
  lines_scanned: number;
  matched_lines?: number;
  truncated: boolean;
  /** Where to continue reading when the fetch budget ran out before the end of the log. */
  continuation_token: string | null;
  /** Set when earlier lines were left out: pass it as end_line to read the lines before these. */
  earlier_end_line?: number;
}

const PAGE_BYTES = 1024 * 1024;
const MAX_PAGES = 200;

export const LEVEL_PATTERNS: Record<string, RegExp> = {
  error: /\b(ERROR|CRITICAL|FATAL)\b|Traceback \(most recent call last\)|^\s*\w*(Error|Exception)\b/,
  warning:
    /\b(WARN|WARNING|ERROR|CRITICAL|FATAL)\b|Traceback \(most recent call last\)|^\s*\w*(Error|Exception)\b/,
};

export function compilePattern(pattern: string): RegExp {
  try {
    return new RegExp(pattern, 'i');
  } catch {
    throw new AppError(
      'invalid_argument',
      `pattern is not a valid regular expression: ${JSON.stringify(pattern)}`,
      {
        hint: 'Use a plain substring or a simple JavaScript regular expression.',
      },
    );
  }
}

/** A fixed-capacity ring of recent items. */
class Ring<T> {
  private items: T[] = [];
  constructor(private readonly capacity: number) {}
  push(item: T): boolean {
    this.items.push(item);
    if (this.items.length > this.capacity) {
      this.items.shift();
      return true;
    }
    return false;
  }
  drain(): T[] {
    const out = this.items;
    this.items = [];
    return out;
  }
  values(): T[] {
    return this.items;
  }
}

export async function readTaskLog(airflow: AirflowAdapter, o: LogReadOptions): Promise<LogReadResult> {
  const kept = new Ring<[number, string]>(o.tailLines);
  const before = new Ring<[number, string]>(Math.max(1, o.contextLines));
  const endLine = o.endLine ?? Number.POSITIVE_INFINITY;
  let reachedEnd = false;
  let dropped = false;
  let afterLeft = 0;
  let scanned = 0;
  let matched = 0;
  let fetched = 0;
  let token = o.token;
  let next: string | null = null;

  for (let pageNo = 0; pageNo < MAX_PAGES && !o.signal.aborted; pageNo++) {
    const page = await airflow.getTaskLogPage(o.dagId, o.runId, o.taskId, o.tryNumber, {
      mapIndex: o.mapIndex,
      token,
      maxBytes: PAGE_BYTES,
    });
    pages: for (const raw of page.lines) {
      for (const text of raw.split('\n')) {
        if (scanned >= endLine) {
          reachedEnd = true;
          break pages;
        }
        scanned++;
        const line: [number, string] = [scanned, text];
        fetched += text.length + 1;
        if (!o.match) {
          dropped = kept.push(line) || dropped;
          continue;
        }
        if (o.match.test(text)) {
          matched++;
          for (const c of before.drain()) dropped = kept.push(c) || dropped;
          dropped = kept.push(line) || dropped;
          afterLeft = o.contextLines;
        } else if (afterLeft > 0) {
          afterLeft--;
          dropped = kept.push(line) || dropped;
        } else if (o.contextLines > 0) {
          before.push(line);
        }
      }
    }
    if (reachedEnd) {
      next = null;
      break;
    }
    const more = page.continuation_token && page.continuation_token !== token && page.lines.length > 0;
    if (!more) {
      next = null;
      break;
    }
    token = page.continuation_token ?? undefined;
    next = page.continuation_token;
    if (fetched >= o.fetchBudgetBytes) break;
  }

  // Keep the newest lines within max_bytes.
  const lines = kept.values();
  let bytes = 0;
  let start = lines.length;
  while (start > 0) {
    const size = Buffer.byteLength(lines[start - 1]![1], 'utf8') + 1;
    if (bytes + size > o.maxBytes) break;
    bytes += size;
    start--;
  }
  const out = lines.slice(start);
  const first = out[0]?.[0];
  const result: LogReadResult = {
    lines: out.map(([, text]) => text),
    ...(first !== undefined ? { first_line: first, last_line: out.at(-1)![0] } : {}),
    lines_scanned: scanned,
    truncated: dropped || start > 0 || next !== null,
    continuation_token: next,
  };
  if (o.match) result.matched_lines = matched;
  // Lines before the first returned one were left out (tail-first, max_bytes, or a filter's older matches).
  const earlierLeftOut = (dropped || start > 0) && first !== undefined && first > 1;
  if (earlierLeftOut) result.earlier_end_line = first - 1;
  return result;
}
