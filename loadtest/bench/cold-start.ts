// Bench step 6: cold start, spawn to /readyz 200, the median of several runs.
import type { Plan } from './plan.js';
import { coldStart } from './targets.js';
import { log, median } from './util.js';

export async function coldStarts(plan: Plan, simUrl: string): Promise<{ colds: number[]; cold: number }> {
  const colds: number[] = [];
  for (let i = 0; i < plan.coldRuns; i++) colds.push(await coldStart(simUrl));
  const cold = median(colds);
  log(
    `cold start (spawn → /readyz 200): median ${cold.toFixed(0)} ms of ${colds.map((c) => c.toFixed(0)).join(', ')}`,
  );
  return { colds, cold };
}
