// linkedAbort follows its sources and a timeout and lets go of them when disposed; abortableSleep ends early on abort.
import { describe, expect, it } from 'vitest';
import { abortableSleep, linkedAbort } from '../../src/linked-abort.js';

describe('linkedAbort', () => {
  it('aborts with the reason of whichever source aborts', () => {
    const a = new AbortController();
    const b = new AbortController();
    const linked = linkedAbort([a.signal, b.signal]);
    b.abort(new Error('client went away'));
    expect(linked.signal.aborted).toBe(true);
    expect((linked.signal.reason as Error).message).toBe('client went away');
  });

  it('starts aborted when a source already is', () => {
    const a = new AbortController();
    a.abort('gone');
    expect(linkedAbort([a.signal], 1000).signal.reason).toBe('gone');
  });

  it('aborts with a TimeoutError after the timeout', async () => {
    const linked = linkedAbort([new AbortController().signal], 10);
    await new Promise((r) => setTimeout(r, 40));
    expect(linked.signal.aborted).toBe(true);
    expect((linked.signal.reason as DOMException).name).toBe('TimeoutError');
  });

  it('once disposed, neither the timer nor a source aborts it', async () => {
    const a = new AbortController();
    const linked = linkedAbort([a.signal], 10);
    linked.dispose();
    a.abort('late');
    await new Promise((r) => setTimeout(r, 40));
    expect(linked.signal.aborted).toBe(false);
  });
});

describe('abortableSleep', () => {
  it('waits the whole time when nothing aborts', async () => {
    const start = performance.now();
    await abortableSleep(30, new AbortController().signal);
    expect(performance.now() - start).toBeGreaterThanOrEqual(25);
  });

  it('ends as soon as the signal aborts, and at once when it already has', async () => {
    const a = new AbortController();
    const start = performance.now();
    setTimeout(() => a.abort(), 10);
    await abortableSleep(10_000, a.signal);
    expect(performance.now() - start).toBeLessThan(1_000);
    const again = performance.now();
    await abortableSleep(10_000, a.signal);
    expect(performance.now() - again).toBeLessThan(50);
  });
});
