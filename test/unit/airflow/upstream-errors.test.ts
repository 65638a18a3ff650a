// Airflow's error detail is scrubbed whole before it is cut, and a credential's start left at the cut goes too.
import { describe, expect, it } from 'vitest';
import { safeDetail } from '../../../src/airflow/upstream-errors.js';

const TOKEN = 'tok3n-0123456789-abcdefghijklmnopqrstuvwxyz';
const BEARER = `Bearer ${TOKEN}`;

describe('safeDetail', () => {
  it('keeps short details whole, scrubbing the credential', () => {
    expect(safeDetail({ detail: `bad header ${BEARER}` }, BEARER)).toBe('bad header Bearer [redacted]');
  });

  it.each([480, 490, 495, 499])(
    'a credential that runs across the cut (starting at %i) leaves nothing',
    (at) => {
      const text = `${'x'.repeat(at)}${TOKEN} and more after it`;
      const out = safeDetail({ detail: text }, BEARER);
      expect(out).toBe(`${`${'x'.repeat(at)}[redacted] and more after it`.slice(0, 500)}…`);
      expect(out).not.toContain(TOKEN.slice(0, 4));
    },
  );

  it.each([1, 5, 20, TOKEN.length - 2])(
    'an echoed cut copy whose first %i characters fall before the cut is redacted at the cut',
    (k) => {
      // The upstream echoed only part of the token (so no whole copy exists), and our cut lands inside it.
      const text = `${'x'.repeat(500 - k)}${TOKEN.slice(0, -1)}`;
      const out = safeDetail({ detail: text }, BEARER);
      expect(out).toBe(`${'x'.repeat(500 - k)}[redacted]…`);
    },
  );

  it('scrubs Basic in all its forms before cutting', () => {
    const basic = `Basic ${Buffer.from('alice:pa55word-long').toString('base64')}`;
    const text = `${'y'.repeat(470)}alice:pa55word-long ${basic.slice(6)} pa55word-long`;
    const out = safeDetail(text, basic);
    expect(out).not.toMatch(/pa55|YWxp/);
    expect(out.startsWith('y'.repeat(470))).toBe(true);
  });

  it('a validation-error list is scrubbed whole too', () => {
    const detail = [{ loc: ['body', 'conf'], msg: `${'z'.repeat(495)}${TOKEN}` }];
    expect(safeDetail({ detail }, BEARER)).not.toContain(TOKEN.slice(0, 3));
  });
});
