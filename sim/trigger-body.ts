// Trigger-run request bodies: Airflow 3's strict model (422 per field) and Airflow 2's (400 on unknown fields).
import { type Ctx, HttpError, type ValidationIssue, validation } from './http-util.js';

const TRIGGER_V2 = [
  'dag_run_id',
  'data_interval_start',
  'data_interval_end',
  'logical_date',
  'run_after',
  'conf',
  'note',
];

export function triggerBodyV2(ctx: Ctx, body: Record<string, unknown>) {
  const issues: ValidationIssue[] = [];
  for (const k of Object.keys(body)) {
    if (!TRIGGER_V2.includes(k))
      issues.push({
        type: 'extra_forbidden',
        loc: ['body', k],
        msg: 'Extra inputs are not permitted',
        input: body[k],
      });
  }
  if (!('logical_date' in body))
    issues.push({ type: 'missing', loc: ['body', 'logical_date'], msg: 'Field required', input: body });
  const ld = body.logical_date;
  let logicalDate: number | null = null;
  if (ld !== undefined && ld !== null) {
    logicalDate = typeof ld === 'string' ? Date.parse(ld) : Number.NaN;
    if (Number.isNaN(logicalDate)) {
      issues.push({
        type: 'datetime_from_date_parsing',
        loc: ['body', 'logical_date'],
        msg: 'Input should be a valid datetime or date',
        input: ld,
      });
    }
  }
  if (
    body.conf !== undefined &&
    body.conf !== null &&
    (typeof body.conf !== 'object' || Array.isArray(body.conf))
  ) {
    issues.push({
      type: 'dict_type',
      loc: ['body', 'conf'],
      msg: 'Input should be a valid dictionary',
      input: body.conf,
    });
  }
  if (body.dag_run_id !== undefined && body.dag_run_id !== null && typeof body.dag_run_id !== 'string') {
    issues.push({
      type: 'string_type',
      loc: ['body', 'dag_run_id'],
      msg: 'Input should be a valid string',
      input: body.dag_run_id,
    });
  }
  if (issues.length > 0) throw validation(ctx.v, issues);
  return {
    runId: (body.dag_run_id as string | null | undefined) ?? null,
    logicalDate,
    conf: (body.conf as Record<string, unknown> | null | undefined) ?? {},
    note: typeof body.note === 'string' ? body.note : null,
  };
}

export function triggerBodyV1(_ctx: Ctx, body: Record<string, unknown>) {
  const unknown = Object.keys(body).filter(
    (k) =>
      ![
        'dag_run_id',
        'logical_date',
        'execution_date',
        'conf',
        'note',
        'data_interval_start',
        'data_interval_end',
      ].includes(k),
  );
  if (unknown.length > 0)
    throw new HttpError(400, `{${unknown.map((k) => `'${k}': ['Unknown field.']`).join(', ')}}`);
  const raw = body.logical_date ?? body.execution_date;
  const logicalDate = typeof raw === 'string' ? Date.parse(raw) : null;
  if (Number.isNaN(logicalDate)) throw new HttpError(400, `{'logical_date': ['Not a valid datetime.']}`);
  return {
    runId: typeof body.dag_run_id === 'string' ? body.dag_run_id : null,
    logicalDate,
    conf: (body.conf as Record<string, unknown> | undefined) ?? {},
    note: typeof body.note === 'string' ? body.note : null,
  };
}
