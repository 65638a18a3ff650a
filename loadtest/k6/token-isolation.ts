// Token isolation: many users at once; every whoami must name its own caller, never another's.
import { buildOptions, requireDistinctUsers, runIteration } from './common.ts';

// Checked in the init context so a bad TOKENS_FILE stops the run before any load.
requireDistinctUsers(2);

export const options = buildOptions({ rate: 30, duration: '2m' });

export function legacy(): void {
  runIteration('legacy', { requireWhoami: true });
}

export function modern(): void {
  runIteration('modern', { requireWhoami: true });
}
