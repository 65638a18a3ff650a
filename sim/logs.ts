// Generated task logs (structured for v2, text for v1) and signed continuation tokens for paging through them.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { FAILURE_LINE, SUCCESS_LINE } from './data-dags.js';
import type { RunRec, TiView } from './model.js';

export interface LogLine {
  timestamp: string;
  event: string;
  level: string;
  logger?: string;
}

export const LOG_PAGE_LINES = 100;

const STEPS = [
  'Fetched batch %d of records from source (rows=%r)',
  'Validated schema for partition %d',
  'Upserted %r rows into staging table',
  'Checkpoint %d written to object storage',
  'Heartbeat: task still running, processed %r rows so far',
];

/** Builds the lines of one try's log; a running task has written only part of it. */
export function buildLog(run: RunRec, ti: TiView, totalLines: number, now: number): LogLine[] {
  if (ti.start === null) return [];
  const start = ti.start;
  const end = ti.end ?? now;
  const finished = ti.end !== null;
  const span = Math.max(1, end - start);
  const key = `${run.dagId}.${run.runId}.${ti.taskId}.${ti.mapIndex}.${ti.tryNumber}`;
  const total = Math.max(8, totalLines);
  const body = total - 6;
  const written = finished
    ? body
    : Math.min(body, Math.floor((body * (now - start)) / Math.max(span, 1)) + 1);
  const at = (i: number) => new Date(start + Math.floor((span * i) / total)).toISOString();
  const line = (i: number, event: string, level = 'info', logger = 'task.stdout'): LogLine => ({
    timestamp: at(i),
    event,
    level,
    logger,
  });
  const lines: LogLine[] = [
    line(0, `Task instance is in running state: ${key}`, 'info', 'airflow.task'),
    line(1, `Executing <Task(${ti.task.operator}): ${ti.taskId}> on ${run.runId}`, 'info', 'airflow.task'),
    line(
      2,
      `Try ${ti.tryNumber} of ${(ti.task.retries ?? 0) + 1}, map_index=${ti.mapIndex}`,
      'info',
      'airflow.task',
    ),
  ];
  for (let i = 0; i < written; i++) {
    const tmpl = STEPS[i % STEPS.length]!;
    const level = i % 37 === 36 ? 'warning' : 'info';
    lines.push(
      line(3 + i, tmpl.replace('%d', String(i + 1)).replace('%r', String(((i + 7) * 7919) % 10_000)), level),
    );
  }
  if (!finished) return lines;
  if (ti.state === 'failed') {
    lines.push(
      line(total - 3, 'Traceback (most recent call last):', 'error', 'airflow.task'),
      line(
        total - 2,
        `  File "/opt/airflow/dags/${run.dagId}.py", line 12, in ${ti.taskId}`,
        'error',
        'airflow.task',
      ),
      line(total - 1, FAILURE_LINE(ti.taskId), 'error', 'airflow.task'),
    );
    lines.push(
      line(
        total,
        `Marking task as FAILED. dag_id=${run.dagId}, task_id=${ti.taskId}`,
        'error',
        'airflow.task',
      ),
    );
  } else {
    lines.push(line(total - 1, SUCCESS_LINE, 'info', 'airflow.task'));
    lines.push(
      line(
        total,
        `Marking task as ${String(ti.state).toUpperCase()}. dag_id=${run.dagId}, task_id=${ti.taskId}`,
        'info',
        'airflow.task',
      ),
    );
  }
  return lines;
}

/** Airflow 2 text format: `[ts] {file.py:123} LEVEL - message`. */
export function textLine(l: LogLine): string {
  const ts = l.timestamp.replace('Z', '+0000');
  const src = l.logger === 'task.stdout' ? 'logging_mixin.py:190' : 'taskinstance.py:3311';
  return `[${ts}] {${src}} ${l.level.toUpperCase()} - ${l.event}`;
}

/** Continuation tokens carry the next line position, signed so a tampered token is rejected (400). */
export class LogTokens {
  constructor(private readonly secret: string) {}

  sign(pos: number): string {
    const payload = Buffer.from(JSON.stringify({ log_pos: pos, end_of_log: false })).toString('base64url');
    return `${payload}.${this.mac(payload)}`;
  }

  /** Returns the position, or null for a malformed or tampered token. */
  verify(token: string): number | null {
    const dot = token.lastIndexOf('.');
    if (dot <= 0) return null;
    const payload = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1));
    const expected = Buffer.from(this.mac(payload));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    try {
      const parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { log_pos?: unknown };
      return typeof parsed.log_pos === 'number' && parsed.log_pos >= 0 ? parsed.log_pos : null;
    } catch {
      return null;
    }
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url').slice(0, 27);
  }
}
