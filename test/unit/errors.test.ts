// The error taxonomy: the code table in docs/reliability.md is the code's, so the doc cannot drift.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError, cancelledError, ERROR_CODES, toErrorBody } from '../../src/errors.js';

function documentedCodes(): { code: string; retryable: string; fault: string }[] {
  const doc = readFileSync(new URL('../../docs/reliability.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('## Error codes'), doc.indexOf('## What was tried'));
  return section
    .split('\n')
    .filter((l) => /^\| `[a-z_]+` \|/.test(l))
    .map((l) => {
      const cells = l.split('|').map((c) => c.trim());
      return { code: cells[1]!.replaceAll('`', ''), retryable: cells[3]!, fault: cells[4]! };
    });
}

describe('error codes', () => {
  const rows = documentedCodes();

  it('docs/reliability.md lists every code, once, in the order of the source', () => {
    expect(rows.map((r) => r.code)).toEqual([...ERROR_CODES]);
  });

  it.each(rows)('$code: retryable $retryable, fault $fault, as documented', ({ code, retryable, fault }) => {
    const error = new AppError(code as (typeof ERROR_CODES)[number], 'm');
    expect(String(error.retryable)).toBe(retryable);
    expect(error.fault).toBe(fault.startsWith('yes'));
    // A call site can clear the fault flag (429, open breaker) but never set it on another code.
    expect(new AppError(code as (typeof ERROR_CODES)[number], 'm', { fault: true }).fault).toBe(
      fault.startsWith('yes'),
    );
    expect(new AppError(code as (typeof ERROR_CODES)[number], 'm', { fault: false }).fault).toBe(false);
  });

  it('carries Retry-After on the error itself and keeps credentials-free bodies for unknown errors', () => {
    expect(
      new AppError('upstream_unavailable', 'rate', { status: 429, retryAfterMs: 3000 }).retryAfterMs,
    ).toBe(3000);
    expect(cancelledError()).toMatchObject({ code: 'cancelled', retryable: false, fault: false });
    expect(toErrorBody(new Error('https://user:secret@airflow/x'), 'rid-1')).toEqual({
      code: 'internal',
      message: 'Internal error while handling the request.',
      hint: 'Report request id rid-1 to the operator; details are in the server log.',
      retryable: false,
      request_id: 'rid-1',
    });
  });
});
