// Abort plumbing without timers left behind: a signal linked to its sources and a deadline, and an abortable sleep.
//
// Why not AbortSignal.any + AbortSignal.timeout: every upstream call would leave a timer for the whole
// timeout and a composite signal that Node keeps reachable until it fires (nodejs/node#54614, #62363,
// #64476), which at hundreds of calls per second is tens of megabytes of heap held for nothing.

export interface LinkedAbort {
  readonly signal: AbortSignal;
  /** Clears the timer and the listeners on the sources; call it when the operation is over. */
  dispose(): void;
}

export function linkedAbort(sources: readonly AbortSignal[], timeoutMs?: number): LinkedAbort {
  const controller = new AbortController();
  const follow = (event: Event) => controller.abort((event.target as AbortSignal).reason);
  const already = sources.find((s) => s.aborted);
  if (already) controller.abort(already.reason);
  else for (const source of sources) source.addEventListener('abort', follow, { once: true });
  const timer =
    timeoutMs === undefined || already
      ? undefined
      : setTimeout(
          () =>
            controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
          timeoutMs,
        );
  return {
    signal: controller.signal,
    dispose() {
      if (timer) clearTimeout(timer);
      for (const source of sources) source.removeEventListener('abort', follow);
    },
  };
}

/** Waits `ms`, or less when `signal` aborts first (resolving, not rejecting: the caller checks the signal). */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
