// Rolling restart: constant load while the operator runs `kubectl rollout restart`; not one request may fail.
import { buildOptions, runIteration } from './common.ts';

declare const console: { log(...args: unknown[]): void };

export const options = buildOptions({ rate: 10, duration: '10m', newConnections: true });

export function setup(): void {
  console.log(
    'Load is starting: run `kubectl rollout restart deployment/<release>` now (and again if you like).',
  );
}

export function legacy(): void {
  runIteration('legacy');
}

export function modern(): void {
  runIteration('modern');
}
