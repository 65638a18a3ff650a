// Plays the endpoints controller: probes each replica's /readyz and keeps the front's rotation in step.
import type { Backend } from './nginx.js';
import { sleep } from './procs.js';
import { isReady } from './replicas.js';

export interface RotationTarget {
  current: string[];
  update(backends: readonly Backend[]): void | Promise<void>;
  /** Resolves once traffic follows the last update (nginx: old workers gone). */
  settled?(timeoutMs?: number): Promise<boolean>;
}

export interface RotationEvent {
  at: number;
  ready: string[];
}

export class EndpointsController {
  private running = false;
  private loop: Promise<void> | undefined;
  readonly events: RotationEvent[] = [];
  errors: string[] = [];

  constructor(
    private readonly target: RotationTarget,
    /** Every replica that exists right now (ready or not). */
    private readonly backends: () => readonly Backend[],
    private readonly periodMs = 100,
  ) {}

  /** One probe round: ready backends in a stable order; updates the front when the set changed. */
  async sync(): Promise<string[]> {
    const all = this.backends();
    const ready = await Promise.all(all.map((b) => isReady(b.slot)));
    const list = all.filter((_, i) => ready[i]);
    const names = list.map((b) => b.name);
    if (names.join(',') !== this.target.current.join(',')) {
      try {
        await this.target.update(list);
        this.events.push({ at: Date.now(), ready: names });
      } catch (error) {
        this.errors.push((error as Error).message);
      }
    }
    return names;
  }

  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        await this.sync();
        await sleep(this.periodMs);
      }
    })();
  }

  /** Resolves once the front's rotation equals `names` (bounded). */
  async waitFor(predicate: (current: string[]) => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (predicate(this.target.current)) return true;
      await sleep(20);
    }
    return predicate(this.target.current);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}
