// Soak test: modest load for an hour, to surface leaks, latency creep and rare errors.
import { buildOptions, runIteration } from './common.ts';

export const options = buildOptions({ rate: 5, duration: '1h', p95Ms: 300, p99Ms: 800 });

export function legacy(): void {
  runIteration('legacy');
}

export function modern(): void {
  runIteration('modern');
}
