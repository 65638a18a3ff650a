// A process-wide budget of bytes held for Airflow answers being read, so no pattern of concurrent calls can
// push a replica past its memory limit: a call that cannot get its share waits briefly, then fails retryably.
import { AppError } from '../errors.js';

export interface ResponseBudget {
  /**
   * Takes `bytes` from the budget, waiting at most `waitMs` (and never past `signal`); resolves with the
   * function that gives them back. A request larger than the whole budget is capped to it (it then runs
   * alone rather than never).
   */
  acquire(bytes: number, signal: AbortSignal, waitMs: number): Promise<() => void>;
  /** Bytes currently held (for tests and metrics). */
  held(): number;
}

interface Waiter {
  bytes: number;
  grant: () => void;
}

/** This server is busy, Airflow is fine: `busy` is never counted by the circuit breaker nor retried here. */
export function busyError(): AppError {
  return new AppError(
    'busy',
    'This server is reading too many large Airflow answers at once to take another now.',
    {
      hint: 'Retry in a moment, or ask for less (a smaller limit, narrower filters).',
    },
  );
}

export function createResponseBudget(totalBytes: number): ResponseBudget {
  let held = 0;
  const queue: Waiter[] = [];

  const grantWaiting = () => {
    // First come, first served: a large waiter is not overtaken forever by small ones.
    while (queue.length > 0 && held + queue[0]!.bytes <= totalBytes) {
      const next = queue.shift()!;
      held += next.bytes;
      next.grant();
    }
  };
  const releaser = (bytes: number) => {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      held -= bytes;
      grantWaiting();
    };
  };

  return {
    held: () => held,
    acquire(requested, signal, waitMs) {
      const bytes = Math.min(Math.max(0, Math.ceil(requested)), totalBytes);
      if (queue.length === 0 && held + bytes <= totalBytes) {
        held += bytes;
        return Promise.resolve(releaser(bytes));
      }
      return new Promise((resolve, reject) => {
        const waiter: Waiter = {
          bytes,
          grant: () => {
            clearTimeout(timer);
            signal.removeEventListener('abort', onAbort);
            resolve(releaser(bytes));
          },
        };
        const leave = (error: unknown) => {
          const at = queue.indexOf(waiter);
          if (at >= 0) queue.splice(at, 1);
          signal.removeEventListener('abort', onAbort);
          clearTimeout(timer);
          grantWaiting();
          reject(error);
        };
        const onAbort = () => leave(signal.reason);
        const timer = setTimeout(() => leave(busyError()), waitMs);
        signal.addEventListener('abort', onAbort, { once: true });
        queue.push(waiter);
      });
    },
  };
}
