// Retry budget, retry rules and the circuit breaker on an injected clock (fake timers drive cockatiel's Date.now).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { breakerOpenError, createResilience, RetryBudget } from '../../../src/airflow/resilience.js';
import { busyError } from '../../../src/airflow/response-budget.js';
import { isRetryable } from '../../../src/airflow/upstream-errors.js';
import { AppError, cancelledError } from '../../../src/errors.js';

const down = () => new AppError('upstream_unavailable', 'Airflow failed (HTTP 503)', { status: 503 });
const refused = () => new AppError('upstream_unavailable', 'connection refused');
const notFound = () => new AppError('not_found', 'nothing', { status: 404 });

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

function make(overrides: Partial<Parameters<typeof createResilience>[0]> = {}) {
  const opened: number[] = [];
  const r = createResilience({
    retries: 2,
    budgetRatio: 0.1,
    breakerThreshold: 3,
    breakerCooldownMs: 1000,
    now: Date.now,
    isRetryable,
    onOpen: () => opened.push(Date.now()),
    ...overrides,
  });
  return { r, opened };
}

const policy = (idempotent: boolean, deadlineMs = 30_000) => ({
  idempotent,
  signal: new AbortController().signal,
  deadline: Date.now() + deadlineMs,
});

async function settle<T>(p: Promise<T>): Promise<T> {
  // Run backoff timers to completion without real waiting.
  const settled = p.then(
    (v) => ({ v }),
    (e: unknown) => ({ e }),
  );
  await vi.runAllTimersAsync();
  const out = (await settled) as { v?: T; e?: unknown };
  if ('e' in out) throw out.e;
  return out.v as T;
}

describe('classification', () => {
  it.each([
    ['503', down(), true, true],
    ['connection refused', refused(), true, true],
    ['timeout', new AppError('upstream_timeout', 't'), true, true],
    ['429', new AppError('upstream_unavailable', 'rate', { status: 429, fault: false }), false, true],
    ['redirect', new AppError('misconfigured', 'r', { status: 307 }), false, false],
    ['breaker open', breakerOpenError(1000, 3), false, false],
    ['busy', busyError(), false, false],
    ['cancelled', cancelledError(), false, false],
    ['401', new AppError('upstream_unauthorized', 'u', { status: 401 }), false, false],
    ['404', notFound(), false, false],
    ['409', new AppError('conflict', 'c', { status: 409 }), false, false],
    ['422', new AppError('invalid_argument', 'v', { status: 422 }), false, false],
    ['403', new AppError('upstream_forbidden', 'f', { status: 403 }), false, false],
    [
      'invalid JSON (no status)',
      new AppError('upstream_unavailable', 'Airflow answered with invalid JSON.'),
      true,
      true,
    ],
    ['too large', new AppError('too_large', 'big'), false, false],
    ['a plain Error', new Error('boom'), false, false],
  ])('%s', (_label, error, fault, retry) => {
    expect(error instanceof AppError && error.fault).toBe(fault);
    expect(isRetryable(error)).toBe(retry);
  });
});

describe('retries', () => {
  it('an idempotent call is retried up to the limit, then the last error surfaces', async () => {
    const { r } = make({ breakerThreshold: 0 });
    const fn = vi.fn(async () => {
      throw down();
    });
    await expect(settle(r.execute(policy(true), fn))).rejects.toMatchObject({ status: 503 });
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('a write is never retried', async () => {
    const { r } = make({ breakerThreshold: 0 });
    const fn = vi.fn(async () => {
      throw refused();
    });
    await expect(settle(r.execute(policy(false), fn))).rejects.toThrow('connection refused');
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('per-caller errors are not retried', async () => {
    const { r } = make();
    const fn = vi.fn(async () => {
      throw notFound();
    });
    await expect(settle(r.execute(policy(true), fn))).rejects.toMatchObject({ code: 'not_found' });
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('no retry starts after the deadline', async () => {
    // The first decorrelated-jitter delay can be close to 0 ms, so only a deadline already reached makes
    // "the retry would start too late" certain (with 100 ms it failed about one run in ten).
    const { r } = make({ breakerThreshold: 0, initialDelayMs: 500 });
    const fn = vi.fn(async () => {
      throw down();
    });
    await expect(settle(r.execute(policy(true, 0), fn))).rejects.toMatchObject({ status: 503 });
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('a retry whose Retry-After would outlast the deadline is not made', async () => {
    const { r } = make({ breakerThreshold: 0 });
    const fn = vi.fn(async () => {
      throw new AppError('upstream_unavailable', 'Airflow failed (HTTP 503)', {
        status: 503,
        retryAfterMs: 5_000,
      });
    });
    await expect(settle(r.execute(policy(true, 1_000), fn))).rejects.toMatchObject({ status: 503 });
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('a Retry-After longer than the backoff is honoured', async () => {
    const { r } = make({ breakerThreshold: 0 });
    let calls = 0;
    const times: number[] = [];
    const result = settle(
      r.execute(policy(true), async () => {
        times.push(Date.now());
        if (calls++ === 0)
          throw new AppError('upstream_unavailable', 'rate', {
            status: 429,
            fault: false,
            retryAfterMs: 2000,
          });
        return 'ok';
      }),
    );
    expect(await result).toBe('ok');
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(2000);
  });
});

describe('retry budget', () => {
  it('starts with a reserve, earns 10% per call, refills slowly with time', () => {
    let now = 0;
    const b = new RetryBudget(0.1, 10, () => now);
    for (let i = 0; i < 10; i++) expect(b.tryWithdraw()).toBe(true);
    expect(b.tryWithdraw()).toBe(false);
    for (let i = 0; i < 11; i++) b.deposit();
    expect(b.tryWithdraw()).toBe(true);
    expect(b.tryWithdraw()).toBe(false);
    now += 1000; // reserve / 10 per second
    expect(b.tryWithdraw()).toBe(true);
    expect(b.available).toBeLessThan(1);
  });
});

describe('circuit breaker', () => {
  it('opens after N consecutive faults, fails fast, half-opens after the cool-down and closes on success', async () => {
    const { r, opened } = make({ retries: 0 });
    let healthy = false;
    const fn = vi.fn(async () => {
      if (!healthy) throw down();
      return 'ok';
    });
    for (let i = 0; i < 3; i++)
      await expect(r.execute(policy(true), fn)).rejects.toMatchObject({ status: 503 });
    expect(r.breakerState()).toBe('open');
    await expect(r.execute(policy(true), fn)).rejects.toThrow(/calls are paused/);
    expect(fn).toHaveBeenCalledTimes(3);
    expect(opened).toHaveLength(1);
    healthy = true;
    vi.advanceTimersByTime(999);
    await expect(r.execute(policy(true), fn)).rejects.toThrow(/calls are paused/);
    vi.advanceTimersByTime(2);
    expect(await r.execute(policy(true), fn)).toBe('ok');
    expect(r.breakerState()).toBe('closed');
  });

  it('while the half-open probe is in flight, other calls are refused at once instead of waiting', async () => {
    const { r } = make({ retries: 0, breakerThreshold: 1 });
    await expect(
      r.execute(policy(true), async () => {
        throw down();
      }),
    ).rejects.toMatchObject({ status: 503 });
    vi.advanceTimersByTime(1001);
    let release: (v: string) => void = () => {};
    const probe = r.execute(policy(true), () => new Promise<string>((resolve) => (release = resolve)));
    expect(r.breakerState()).toBe('half_open');
    const other = vi.fn(async () => 'should not run');
    await expect(r.execute(policy(true), other)).rejects.toThrow(/calls are paused/);
    expect(other).not.toHaveBeenCalled();
    release('ok');
    expect(await probe).toBe('ok');
    expect(r.breakerState()).toBe('closed');
  });

  it('per-caller errors in between reset nothing and open nothing', async () => {
    const { r } = make({ retries: 0 });
    for (let i = 0; i < 10; i++) {
      await expect(
        r.execute(policy(true), async () => {
          throw notFound();
        }),
      ).rejects.toMatchObject({ code: 'not_found' });
    }
    expect(r.breakerState()).toBe('closed');
  });

  it('an open breaker is not retried (no budget spent on it)', async () => {
    const { r } = make({ retries: 2, breakerThreshold: 1 });
    const fn = vi.fn(async () => {
      throw down();
    });
    await expect(settle(r.execute(policy(true), fn))).rejects.toMatchObject({ status: 503 });
    expect(fn).toHaveBeenCalledTimes(1);
    expect(r.budget()).toBe(10);
    await expect(r.execute(policy(true), fn)).rejects.toThrow(/calls are paused/);
  });
});
