// Smoke test: a short, gentle run of both MCP eras that must come out spotless before any bigger run.
import { buildOptions, runIteration } from './common.ts';

export const options = buildOptions({ rate: 2, duration: '30s' });

export function legacy(): void {
  runIteration('legacy');
}

export function modern(): void {
  runIteration('modern');
}
