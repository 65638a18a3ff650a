// Bounded, append-only log of every API call, addressable by absolute sequence number for `?since=`.
import type { RecordedCall } from './types.js';

const MAX = 200_000;
const TRIM = 20_000;

export class CallLog {
  private items: RecordedCall[] = [];
  /** Calls dropped from the front; absolute index = dropped + position. */
  private dropped = 0;

  get list(): readonly RecordedCall[] {
    return this.items;
  }

  get total(): number {
    return this.dropped + this.items.length;
  }

  push(call: RecordedCall): void {
    this.items.push(call);
    // Trim in batches so the amortised cost per call stays O(1).
    if (this.items.length > MAX + TRIM) {
      const removed = this.items.length - MAX;
      this.items.splice(0, removed);
      this.dropped += removed;
    }
  }

  since(n: number): RecordedCall[] {
    return this.items.slice(Math.max(0, n - this.dropped));
  }

  reset(): void {
    this.dropped += this.items.length;
    this.items = [];
  }
}
