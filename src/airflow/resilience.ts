// Retry (idempotent calls only, jittered backoff, token-bucket budget, one deadline) and a circuit breaker.
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  decorrelatedJitterGenerator,
  ExponentialBackoff,
  handleWhen,
  type IBackoff,
  TaskCancelledError,
} from 'cockatiel';
import { AppError, cancelledError } from '../errors.js';
import { abortableSleep } from '../linked-abort.js';

export interface ResilienceOptions {
  /** Retries after the first attempt for idempotent calls (0 = none). */
  retries: number;
  /** Retries allowed per call made (0.1 = 10% extra load at most, after the reserve is spent). */
  budgetRatio: number;
  /** Tokens the budget starts with and never exceeds; also refilled at `reserve / 10` per second. */
  reserve?: number;
  /** Consecutive Airflow faults that open the breaker; 0 turns the breaker off. */
  breakerThreshold: number;
  /** How long an open breaker refuses calls before one half-open probe goes through. */
  breakerCooldownMs: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  now: () => number;
  /** Decides whether an idempotent call may be tried again after this error. */
  isRetryable: (error: unknown) => boolean;
  onRetry?: (attempt: number, delayMs: number) => void;
  /** Called when the open breaker refuses a call (counts it). */
  onOpen?: () => void;
  onBreakerState?: (state: 'closed' | 'open' | 'half_open') => void;
}

export interface CallPolicy {
  /** Only idempotent calls (GET) are retried; writes go once, whatever happens. */
  idempotent: boolean;
  /** Client cancellation: stops waiting between attempts. */
  signal: AbortSignal;
  /** Absolute time (per `now`) after which no new attempt starts. */
  deadline: number;
}

export interface Resilience {
  execute<T>(policy: CallPolicy, attempt: (signal: AbortSignal) => Promise<T>): Promise<T>;
  breakerState(): 'closed' | 'open' | 'half_open';
  /** Retry tokens left (for tests and metrics). */
  budget(): number;
}

const STATE_NAMES = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Isolated]: 'open',
} as const;

/** Token bucket: each call deposits `ratio`, each retry withdraws 1, a slow refill keeps rare retries possible. */
export class RetryBudget {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratio: number,
    private readonly reserve: number,
    private readonly now: () => number,
  ) {
    this.tokens = reserve;
    this.last = now();
  }

  deposit(): void {
    this.refill();
    this.tokens = Math.min(this.reserve, this.tokens + this.ratio);
  }

  tryWithdraw(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  get available(): number {
    this.refill();
    return this.tokens;
  }

  private refill(): void {
    const t = this.now();
    const elapsed = Math.max(0, t - this.last) / 1000;
    this.last = t;
    this.tokens = Math.min(this.reserve, this.tokens + (elapsed * this.reserve) / 10);
  }
}

/** Airflow's breaker is open: retryable later, and not itself a new fault (it would keep the breaker open). */
export function breakerOpenError(cooldownMs: number, threshold: number): AppError {
  return new AppError(
    'upstream_unavailable',
    `Airflow is failing (${threshold} calls in a row failed), so calls are paused for up to ${Math.ceil(cooldownMs / 1000)} s instead of piling up.`,
    {
      hint: 'Check that Airflow is up (its API server and database); calls resume by themselves once a probe call succeeds.',
      fault: false,
    },
  );
}

export function createResilience(o: ResilienceOptions): Resilience {
  const budget = new RetryBudget(o.budgetRatio, o.reserve ?? 10, o.now);
  // Decorrelated jitter (AWS architecture blog) spreads retries so a recovering Airflow is not hit in waves.
  const backoffFactory = new ExponentialBackoff({
    generator: decorrelatedJitterGenerator,
    initialDelay: o.initialDelayMs ?? 100,
    maxDelay: o.maxDelayMs ?? 2_000,
  });
  const breaker =
    o.breakerThreshold > 0
      ? circuitBreaker(
          // Only Airflow's own failures count (AppError.fault); per-caller answers never open the breaker.
          handleWhen((e) => e instanceof AppError && e.fault),
          {
            halfOpenAfter: o.breakerCooldownMs,
            breaker: new ConsecutiveBreaker(o.breakerThreshold),
          },
        )
      : undefined;
  breaker?.onStateChange((s) => o.onBreakerState?.(STATE_NAMES[s]));

  const refuse = () => {
    o.onOpen?.();
    return breakerOpenError(o.breakerCooldownMs, o.breakerThreshold);
  };

  async function guarded<T>(attempt: (signal: AbortSignal) => Promise<T>, signal: AbortSignal) {
    if (!breaker) return attempt(signal);
    // While the one half-open probe is in flight, cockatiel would make other calls wait for its verdict
    // (up to a whole timeout): refuse them at once instead, so nothing piles up.
    if (breaker.state === CircuitState.HalfOpen) throw refuse();
    try {
      return await breaker.execute(({ signal: s }) => attempt(s), signal);
    } catch (error) {
      if (error instanceof BrokenCircuitError) throw refuse();
      if (error instanceof TaskCancelledError) {
        throw cancelledError();
      }
      throw error;
    }
  }

  return {
    async execute(policy, attempt) {
      budget.deposit();
      let backoff: IBackoff<unknown> | undefined;
      for (let n = 0; ; n++) {
        try {
          return await guarded(attempt, policy.signal);
        } catch (error) {
          // Writes never retry: a lost answer may still mean Airflow acted on the request.
          if (!policy.idempotent || n >= o.retries || policy.signal.aborted || !o.isRetryable(error))
            throw error;
          // The breaker just opened: another attempt would only be refused, so keep the budget.
          if (breaker?.state === CircuitState.Open) throw error;
          const ctx = { attempt: n + 1, signal: policy.signal, result: { error } };
          backoff = backoff ? backoff.next(ctx) : backoffFactory.next();
          const delay = Math.max(
            backoff.duration,
            (error instanceof AppError ? error.retryAfterMs : undefined) ?? 0,
          );
          // Only retry when the attempt can still start before the call's deadline, and the budget allows.
          if (o.now() + delay >= policy.deadline || !budget.tryWithdraw()) throw error;
          o.onRetry?.(n + 1, delay);
          await abortableSleep(delay, policy.signal);
          if (policy.signal.aborted) throw error;
        }
      }
    },
    breakerState: () => (breaker ? STATE_NAMES[breaker.state] : 'closed'),
    budget: () => budget.available,
  };
}
