// Failed sign-ins per client address on this replica, in a sliding window; bounded memory.

export interface AttemptLimiter {
  /** Seconds to wait when the address is over its limit, else 0. */
  blockedFor(address: string): number;
  failed(address: string): void;
  succeeded(address: string): void;
}

export function createAttemptLimiter(o: {
  max: number;
  windowMs: number;
  now: () => number;
}): AttemptLimiter {
  const failures = new Map<string, number[]>();
  const recent = (address: string) => {
    const cutoff = o.now() - o.windowMs;
    const list = (failures.get(address) ?? []).filter((t) => t > cutoff);
    if (list.length === 0) failures.delete(address);
    else failures.set(address, list);
    return list;
  };
  return {
    blockedFor(address) {
      const list = recent(address);
      if (list.length < o.max) return 0;
      return Math.max(1, Math.ceil((list[0]! + o.windowMs - o.now()) / 1000));
    },
    failed(address) {
      // Past this many addresses the oldest entries go first: memory stays bounded under a spray of sources.
      if (failures.size >= 10_000 && !failures.has(address)) failures.delete(failures.keys().next().value!);
      failures.set(address, [...recent(address), o.now()].slice(-o.max));
    },
    succeeded(address) {
      failures.delete(address);
    },
  };
}
